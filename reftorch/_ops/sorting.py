"""Sorting and selection: ``sort``, ``argsort``, ``msort`` and ``topk``.

The kernels sort stably over ``xp`` (equal elements keep their order, ascending or
descending; NaN above every number, as in PyTorch). Where PyTorch's CPU kernel is not
stable (``sort(stable=False)`` on rows longer than 16, ``topk``) and a row holds equal
values whose order matters, that row is redone on the host with the C++ library steps
PyTorch runs, so the indices match PyTorch's: ``std::sort`` for all such rows at once in
array passes (``_stl_sort.py``), ``topk``'s selection row by row (``_stl_select.py``).
"""
from __future__ import annotations

import numbers

from .. import _dtype as D
from .._layout import like_input, row_major
from .._tensor import Tensor, _C_TYPE, _wrap_dim
from ..autograd.function import OpFunction
from ..return_types import sort as sort_rt, sort_out as sort_out_rt
from ..return_types import topk as topk_rt, topk_out as topk_out_rt
from ._common import redo_rows_on_host as _redo_rows, refuse_grad_with_out, tensor_input, with_out
from ._stl_select import topk_rows
from ._stl_sort import nth_element_topk, std_sort_rows
from .creation import zeros
from .scatter import flat_positions, scatter
from ._numpy_names import NOT_GIVEN, dim_from_axis


def _order(b, a, axis, descending):
    """Stable argsort along ``axis`` (backend ``b``); descending keeps equal elements in their
    original order."""
    if not descending:
        return b.argsort(a, axis)
    n = a.shape[axis]
    # A stable ascending sort of the reversed array, reversed back: ties stay first-come.
    flip = (slice(None),) * axis + (slice(None, None, -1), Ellipsis)  # (a view: xp.flip without its wrapper)
    rev = b.argsort(a[flip], axis)
    return (n - 1) - rev[flip]


class SortValues(OpFunction):
    """The values of ``sort``/``topk``: ``input`` gathered at ``indices`` along ``dim``."""

    name = "SortBackward0"
    nondiff = (1,)
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, index, dim, contiguous=False):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.shape, ctx.dim = x._data.shape, dim
            ctx.save_for_backward(index)
        if not x._data.shape:
            return x._backend.xp.asarray(x._data, copy=True)
        out = x._backend.take_along_axis(x._data, index._data, dim)
        if contiguous:  # topk's results are row-major
            return row_major(x._backend, out)
        return like_input(x._backend, out, x._data)  # sort's: laid out like the input (empty_like)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        if not ctx.shape:
            return g
        if isinstance(g, Tensor):  # create_graph: zeros.scatter(dim, index, g), as PyTorch records it
            return scatter(zeros(ctx.shape, dtype=g.dtype, device=g.device), ctx.dim, index._data, g)
        return _scatter_into_zeros(index._backend, ctx.shape, ctx.dim, index._data, g)


def _scatter_into_zeros(b, shape, dim, idx, g):
    """``zeros(shape)`` with ``g`` written at ``idx`` along ``dim`` (positions are distinct)."""
    xp = b.xp
    pos = flat_positions(b, shape, dim, idx)
    return b.scatter_add(tuple(shape), b.dtype_of(g), xp.reshape(pos, (-1,)), xp.reshape(g, (-1,)))


def _wrap(arr, ref):
    return Tensor._wrap(arr, ref.device, ref._backend)


def _refuse_complex(input, what):
    """PyTorch's CPU kernels of ``sort`` and ``topk`` have no order for complex numbers
    (checked after ``dim`` and ``k``)."""
    if input.dtype.is_complex:
        raise RuntimeError(f" {what} does not support complex dtypes on CPU")


def _expect_dtype(out, dtype):
    if out.dtype is not dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_C_TYPE[dtype.name]}, but got "
                           f"{_C_TYPE[out.dtype.name]} instead")


def _into_pair(name, out, position, input, named, compute):
    """``out=(values, indices)`` of ``sort`` and ``topk``, checked in PyTorch's order: two
    tensors (``position``: the argument's index in PyTorch's messages), no grad, then the
    op's own checks (``compute()``), then the dtypes (``values`` the input's, ``indices``
    int64). Each is resized as needed (with PyTorch's warning when it was not empty) and
    filled; returns them as ``named`` (``torch.return_types.sort_out`` …)."""
    for i, o in enumerate(out):
        if not isinstance(o, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument {position}, but got {type(o).__name__}")
    if len(out) != 2:
        raise TypeError(f"expected tuple of 2 elements but got {len(out)}")
    refuse_grad_with_out(name, out, (input,))
    res = compute()
    for o, dtype in zip(out, (input.dtype, D.int64)):
        _expect_dtype(o, dtype)
    return named(*(with_out(name, o, lambda _, r=r: r, input) for o, r in zip(out, res)))


def _overload(name, args, stable, dim, descending):
    """PyTorch's two forms of ``sort``/``argsort``: ``(dim=-1, descending=False)`` positional
    or by keyword, or ``(*, stable, dim=-1, descending=False)`` all by keyword. Returns
    ``(dim, descending, stable)``; a positional ``dim``/``descending`` next to ``stable=``,
    a bool ``dim`` or extra arguments raise PyTorch's TypeError."""
    bad = len(args) > 2 or (args and (stable is not None or dim != -1)) or (len(args) == 2 and descending)
    dims = list(args[:1]) + ([dim] if not args else [])
    if bad or any(isinstance(d, bool) for d in dims):
        got = ", ".join(["Tensor"] + [type(a).__name__ for a in args]
                        + ([f"stable={type(stable).__name__}"] if stable is not None else []))
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected "
                        f"one of:\n * (Tensor input, *, bool stable, int dim = -1, bool descending = False)\n"
                        f" * (Tensor input, int dim = -1, bool descending = False)\n")
    if args:
        dim = args[0]
        descending = args[1] if len(args) > 1 else descending
    if descending.__class__ is not bool:
        raise TypeError(f"{name}(): argument 'descending' must be bool, not {type(descending).__name__}")
    return dim, descending, bool(stable)


@tensor_input
def sort(input, *args, stable=None, dim=-1, descending=False, out=None, axis=NOT_GIVEN):
    """Sort along ``dim``; returns ``(values, indices)`` (``torch.return_types.sort``).

    Args:
        input: the tensor.
        *args: ``dim`` and ``descending`` by position, as in PyTorch's first form
            ``sort(input, dim=-1, descending=False)``; with ``stable=`` they must be keywords.
        dim: the dimension to sort (default: the last).
        descending: largest first.
        stable: keep equal elements in their original order. Without it, rows longer
            than 16 with equal elements come out in the order of PyTorch's CPU kernel
            (``std::sort``, reproduced step for step); shorter rows are always in order.
        out: a ``(values, indices)`` pair of tensors to write into (resized as needed;
            ``values`` of the input's dtype, ``indices`` int64); then the result is
            ``torch.return_types.sort_out`` holding them.

    Returns:
        ``values`` (``grad_fn`` ``SortBackward0``) and int64 ``indices`` such that
        ``input.gather(dim, indices) == values``.

    Raises:
        IndexError: if ``dim`` is out of range.
        RuntimeError: for complex input (PyTorch's CPU kernel does not sort them); for
            ``out`` tensors of other dtypes, or ``out=`` while an argument requires grad.
        TypeError: for ``stable=`` next to a positional ``dim``/``descending``, as PyTorch;
            if ``out`` is not a pair of tensors.

    Mirrors ``torch.sort`` and ``Tensor.sort``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([3, 1, 3, 2]).sort(descending=True)
        torch.return_types.sort(
        values=tensor([3, 3, 2, 1]),
        indices=tensor([0, 2, 3, 1]))
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("sort", dim, axis, -1)
    if out is not None:
        if not isinstance(out, (tuple, list)):  # (PyTorch names every argument given; here the positional ones)
            got = ", ".join(["Tensor"] + [type(a).__name__ for a in args] + [f"out={type(out).__name__}"])
            raise TypeError(f"sort() received an invalid combination of arguments - got ({got}), but expected "
                            f"one of:\n * (Tensor input, *, bool stable, int dim = -1, bool descending = False, "
                            f"tuple of Tensors out = None)\n * (Tensor input, int dim = -1, bool descending = False, "
                            f"*, tuple of Tensors out = None)\n")
        return _into_pair("sort", out, 4 if stable is not None else 3, input, sort_out_rt,
                          lambda: sort(input, *args, stable=stable, dim=dim, descending=descending))
    dim, descending, stable = _overload("sort", args, stable, dim, descending)
    d = _wrap_dim(dim, input.dim())
    _refuse_complex(input, "Sort")
    b = input._backend
    xp = b.xp
    if input.dim() == 0:
        idx = xp.zeros((), dtype=b.dtype(D.int64), **b._dev_kw())
    else:
        idx = xp.astype(_order(b, input._data, d, descending), b.dtype(D.int64))
        if not stable:
            idx = _as_pytorch_sort(b, input._data, idx, d, descending)
        idx = like_input(b, idx, input._data)
    index = _wrap(idx, input)
    values = SortValues.apply(input, index, dim=d)
    return sort_rt(values, index)


@tensor_input
def argsort(input, *args, stable=None, dim=-1, descending=False, axis=NOT_GIVEN):
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``).
    Mirrors ``torch.argsort``.

    Args:
        input: the tensor.
        *args: ``dim`` and ``descending`` by position, as in PyTorch's first form
            ``argsort(input, dim=-1, descending=False)``; with ``stable=`` they must be keywords.
        dim: the dimension to sort (default: the last).
        descending: largest first (default ``False``).
        stable: keep equal elements in their original order (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.argsort(torch.tensor([[3, 1, 2]]), dim=1)
        tensor([[1, 2, 0]])
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("argsort", dim, axis, -1)
    dim, descending, stable = _overload("argsort", args, stable, dim, descending)
    d = _wrap_dim(dim, input.dim())
    _refuse_complex(input, "Sort")
    b = input._backend
    if input.dim() == 0:
        return _wrap(b.xp.zeros((), dtype=b.dtype(D.int64), **b._dev_kw()), input)
    idx = b.xp.astype(_order(b, input._data, d, descending), b.dtype(D.int64))
    if not stable:
        idx = _as_pytorch_sort(b, input._data, idx, d, descending)
    return _wrap(like_input(b, idx, input._data), input)  # laid out like the input (empty_like), as PyTorch


@tensor_input
def msort(input, *, out=None):
    """``sort(input, dim=0).values``. Mirrors ``torch.msort``."""
    if out is not None:
        _expect_dtype(out, input.dtype)
        return with_out("msort", out, msort, input)
    return sort(input, dim=0).values


@tensor_input
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None, axis=NOT_GIVEN):
    """The ``k`` largest (or smallest) elements along ``dim``; ``(values, indices)``
    (``torch.return_types.topk``).

    Args:
        input: the tensor.
        k: how many elements to keep.
        dim: the dimension (default: the last).
        largest: False for the ``k`` smallest.
        sorted: return them in order; ``False`` gives PyTorch's unordered selection.
        out: a ``(values, indices)`` pair of tensors to write into (resized as needed;
            ``values`` of the input's dtype, ``indices`` int64); then the result is
            ``torch.return_types.topk_out`` holding them.

    Raises:
        RuntimeError: "selected index k out of range" if ``k`` exceeds the size of ``dim``
            or is negative; for bool or complex input; for ``out`` tensors of other
            dtypes, or ``out=`` while an argument requires grad.
        TypeError: if ``out`` is not a pair of tensors.

    Among equal values the indices are those PyTorch's CPU kernel picks (its selection
    is not stable; see ``_stl_select.py``), and so is the order with ``sorted=False``.

    Mirrors ``torch.topk`` (``grad_fn`` ``TopkBackward0``).

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1., 7., 3., 5.]).topk(2)
        torch.return_types.topk(
        values=tensor([7., 5.]),
        indices=tensor([1, 3]))
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("topk", dim, axis, -1)
    if out is not None:
        if not isinstance(out, (tuple, list)):
            raise TypeError(f"topk(): argument 'out' must be tuple of Tensors, not {type(out).__name__}")
        return _into_pair("topk", out, 5, input, topk_out_rt, lambda: topk(input, k, dim, largest, sorted))
    if input.dtype is D.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    for name, value in (("largest", largest), ("sorted", sorted)):
        if value.__class__ is not bool:
            raise TypeError(f"topk(): argument '{name}' must be bool, not {type(value).__name__}")
    if dim is None:
        raise TypeError("topk(): argument 'dim' must be int, not NoneType")
    d = _wrap_dim(dim, input.dim())
    size = input.shape[d] if input.dim() else 1
    if not isinstance(k, int) and isinstance(k, numbers.Integral):
        k = int(k)  # (a NumPy integer)
    if not isinstance(k, int) or k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    _refuse_complex(input, "topk")
    b = input._backend
    xp = b.xp
    if input.dim() == 0:
        idx = xp.zeros((), dtype=b.dtype(D.int64), **b._dev_kw())
    else:
        order = _best_first(b, input._data, d, min(k + 1, size), largest)
        key = tuple(slice(0, k) if i == d else slice(None) for i in range(input.dim()))
        idx = xp.astype(order[key], b.dtype(D.int64))
        idx = row_major(b, _as_pytorch_picks(b, input._data, order, idx, d, k, largest, sorted))
    index = _wrap(idx, input)
    values = SortValues.apply(input, index, dim=d, contiguous=True, _name="TopkBackward0")
    return topk_rt(values, index)


def _best_first(b, a, d, m, largest):
    """The first ``m`` positions of a stable sort of ``a`` along ``d`` (best first): the
    ``m`` best by a partial sort, then those in order (by value, then position). Where
    the ``m``-th best value has equal values outside the ``m`` picked, the picks among them
    are arbitrary; :func:`_tied_rows` flags such rows (their ``m``-th and ``m - 1``-th
    values are equal) for ``topk`` to redo."""
    xp = b.xp
    if not m:
        return xp.argsort(a, axis=d)
    if m == a.shape[d]:  # every position: the stable sort itself
        return _order(b, a, d, largest)
    picked = xp.sort(b.best_positions(a, m, d, largest), axis=d)  # by position first
    return b.take_along_axis(picked, _order(b, b.take_along_axis(a, picked, d), d, largest), d)


def _as_pytorch_picks(b, a, order, idx, d, k, largest, sorted_):
    """``idx`` (the first ``k`` of a stable sort along ``d``) corrected to the indices
    PyTorch's CPU ``topk`` returns: identical unless a row has equal values where the
    choice or order among them matters, or ``sorted=False``; such rows are redone on
    the host: :func:`~reftorch._ops._stl_select.topk_rows` (partial_sort) or
    :func:`~reftorch._ops._stl_sort.nth_element_topk`."""
    n = a.shape[d]
    if k == 0 or n == 0:
        return idx
    rows = None  # nth_element and sorted=False: every row takes the kernel's own (unordered) selection
    if sorted_ or k * 64 <= n:  # (partial_sort sorts its picks either way)
        rows = _tied_rows(b, a, order, d, min(k + 1, n))
        if not bool(b.xp.any(rows)):
            return idx
    return _redo_rows(b, a, idx, d, rows, lambda vals, _: (topk_rows if k * 64 <= n else nth_element_topk)(vals, k, largest, sorted_))


def _tied_rows(b, a, idx, d, m):
    """Which rows (along ``d``) hold equal values among the first ``m`` sorted ones
    (``idx`` is the stable order); NaNs count as equal to each other."""
    xp = b.xp
    key = tuple(slice(0, m) if i == d else slice(None) for i in range(a.ndim))
    s = b.take_along_axis(a, idx[key], d)
    lo = tuple(slice(0, m - 1) if i == d else slice(None) for i in range(a.ndim))
    hi = tuple(slice(1, m) if i == d else slice(None) for i in range(a.ndim))
    same = s[lo] == s[hi]
    if b.dtype_of(s).is_floating_point:  # (np.isdtype is a Python function: ~2 us a call)
        same = same | (xp.isnan(s[lo]) & xp.isnan(s[hi]))
    return xp.any(same, axis=d)


def _as_pytorch_sort(b, a, idx, d, descending):
    """The stable order ``idx`` corrected, row by row, to PyTorch's ``std::sort`` order
    (rows of up to 16 elements are insertion-sorted there, hence already stable)."""
    n = a.shape[d]
    if n <= 16:
        return idx
    tied = _tied_rows(b, a, idx, d, n)
    if not bool(b.xp.any(tied)):
        return idx
    return _redo_rows(b, a, idx, d, tied, std_sort_rows)
