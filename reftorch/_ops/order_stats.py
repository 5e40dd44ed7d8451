"""Order statistics: ``median``, ``nanmedian``, ``kthvalue`` and ``mode`` (values with their indices).

The values are PyTorch's exactly, and so are the indices among equal values: ``median``'s
is the first position of the median in a stable sort (as PyTorch's); ``kthvalue``'s comes
from ATen's own quick-select (Sedgewick's, median-of-three pivot), which
:func:`~reftorch._ops._stl_sort.quick_select_rows` replays on the host for the rows where the
k-th value is tied."""
from __future__ import annotations

import functools
import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ._common import fix_empty_strides, redo_rows_on_host, tensor_input, with_out
from ._stl_select import _less, nth_element
from ._stl_sort import _ranks, quick_select_rows
from .reduction import MaxAll, MaxDim, _check_keepdim, _int_dim_or_all, _return_type
from ._numpy_names import NOT_GIVEN, numpy_names
from .cumulative import _running_extreme

median_rt = _return_type("median")
kthvalue_rt = _return_type("kthvalue")


def _kth_index(b, a, axis, k, nan_first, floating):
    """Indices (keepdims) of the ``k``-th smallest (0-based) along ``axis``: nan counts as the
    largest value; with ``nan_first`` a slice holding nan gives its first nan instead
    (``floating``: ``a`` has a real floating dtype)."""
    xp = b.xp
    order = xp.argsort(a, axis=axis, stable=True)  # nan sorts last
    key = (slice(None),) * axis + (slice(k, k + 1), Ellipsis)
    idx = b.astype(order[key], b.dtype(D.int64), copy=False)
    if nan_first and floating:
        nan = xp.isnan(a)
        first_nan = b.best_position(b.astype(nan, b.dtype(D.int8)), axis, True, True)  # (0 where none)
        idx = xp.where(b.take_along_axis(nan, first_nan, axis), first_nan, idx)
    return idx


def _as_pytorch_kth(b, a, idx, d, k, floating):
    """``idx`` (keepdims; the stable sort's k-th) with the rows whose k-th value occurs
    more than once redone by ATen's quick-select, all such rows at once
    (:func:`~reftorch._ops._stl_sort.quick_select_rows`;
    :func:`~reftorch._ops._stl_select.quick_select_index` is its step-by-step form)."""
    xp = b.xp
    v = b.take_along_axis(a, idx, d)
    same = a == v
    if floating:
        same = same | (xp.isnan(a) & xp.isnan(v))
    tied = xp.sum(xp.astype(same, xp.int64), axis=d) > 1
    if not bool(xp.any(tied)):
        return idx
    return redo_rows_on_host(b, a, idx, d, tied, lambda vals, _: quick_select_rows(
        _ranks(vals, vals.argsort(axis=1, kind="stable")), k)[:, None])


def _at_indices(input, dim, keepdim, find, name, rt):
    """``rt(values, indices)`` of an order statistic: ``find(b, a, d)`` gives the index
    array (keepdims along ``d``) of the element each slice along ``dim`` selects; the values
    are read there (``MaxDim``, whose gradient goes to those positions, recorded as ``name``)."""
    b = input._backend
    xp = b.xp
    nd = input.dim()
    d = _wrap_dim(dim, nd)
    if nd == 0:
        idx = Tensor._wrap(xp.zeros((), dtype=xp.int64, **b._dev_kw()), input.device, b)
        return rt(MaxDim.apply(input, idx, dim=0, keepdim=keepdim, _name=name), idx)
    idx_arr = find(b, input._data, d)
    vals = MaxDim.apply(input, Tensor._wrap(idx_arr, input.device, b), dim=d, keepdim=keepdim, _name=name)
    if not keepdim:
        idx_arr = xp.squeeze(idx_arr, axis=d)
    if 0 in idx_arr.shape:
        idx_arr = fix_empty_strides(b, idx_arr)
    return rt(vals, Tensor._wrap(idx_arr, input.device, b))


def _select(input, dim, keepdim, k, nan_first, name, rt, who):
    floating = input._dtype.is_floating_point  # (real floating: where nan can be)

    def find(b, a, d):
        idx = _kth_index(b, a, d, k, nan_first, floating)
        if not nan_first and a.shape[d] > 1:
            idx = _as_pytorch_kth(b, a, idx, d, k, floating)
        return idx
    return _at_indices(input, dim, keepdim, find, name, rt)


class MedianAll(MaxAll):
    """The lower median of all elements (nan if any is nan). The backward is ``max``'s:
    PyTorch's evenly_distribute_backward shares the gradient among the equal elements."""

    name = "MedianBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        xp = b.xp
        flat = xp.reshape(x._data, (-1,))
        n = flat.shape[0]
        if n == 0:
            out = xp.asarray(math.nan, dtype=flat.dtype, **b._dev_kw())
        else:  # the largest of the (n + 1) // 2 smallest (a partial sort); nan if there is one
            lower = xp.take(flat, b.best_positions(flat, (n - 1) // 2 + 1, 0, False))
            out = xp.max(lower)  # (a nan among the smallest: only when nan is all there is past them)
            if xp.isdtype(flat.dtype, "real floating") and bool(xp.any(xp.isnan(flat))):
                out = xp.asarray(math.nan, dtype=flat.dtype, **b._dev_kw())
            out = xp.reshape(out, ())
        ctx.save_for_backward(x)
        ctx.save_output()
        return out


def _no_bool(input, kernel):
    """PyTorch's kernels have no bool or complex version."""
    if input.dtype is D.bool or input.dtype.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(input.dtype)}'")


@tensor_input
def median(input, dim=NOT_GIVEN, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The lower median: of all elements, or ``(values, indices)`` along ``dim``.

    For an even count it is the smaller of the two middle values (not their mean). A nan
    in the reduced elements gives nan (with the index of a nan). Without ``dim`` an empty
    input gives nan and the gradient is shared among elements equal to the median.
    Mirrors ``torch.median`` (grad_fn ``MedianBackward0`` / ``MedianBackward1``).

    Args:
        input: a tensor (not bool).
        dim: the dimension to reduce; not given: all elements.
        keepdim: keep ``dim`` as size 1.

    Returns:
        A 0-d tensor, or ``torch.return_types.median(values, indices)`` (indices int64;
        among equal values PyTorch's choice).

    Raises:
        NotImplementedError: for bool inputs.
        IndexError: if ``dim`` is out of range or has size 0.
        TypeError: for ``dim=None``, or ``keepdim=True`` without ``dim``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[4., 1., 3., 2.], [0., 5., 6., 7.]])
        >>> x.median()
        tensor(3.)
        >>> x.median(dim=1)
        torch.return_types.median(
        values=tensor([2., 5.]),
        indices=tensor([3, 1]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("median", dim, keepdim, axis, keepdims, NOT_GIVEN)
    _no_bool(input, "median_cpu")
    dim = _int_dim_or_all(dim, keepdim, "median")
    if dim is None:
        return MedianAll.apply(input)
    _check_keepdim(keepdim, "median")
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    return _select(input, d, keepdim, (n - 1) // 2, True, "MedianBackward1", median_rt, "median")


@tensor_input
def kthvalue(input, k, dim=-1, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1), with its index.

    nan counts as larger than every number. Mirrors ``torch.kthvalue`` (grad_fn
    ``KthvalueBackward0``).

    Args:
        input: a tensor (not bool).
        k: which order statistic, ``1 <= k <= input.shape[dim]``.
        dim: the dimension to search (default: the last).
        keepdim: keep ``dim`` as size 1.

    Returns:
        ``torch.return_types.kthvalue(values, indices)`` (indices int64; among equal
        values the one PyTorch's quick-select picks).

    Raises:
        RuntimeError: if ``k`` is out of range.
        NotImplementedError: for bool inputs.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.kthvalue(torch.tensor([5., 1., 4., 2.]), 2)
        torch.return_types.kthvalue(
        values=tensor(2.),
        indices=tensor(3))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("kthvalue", dim, keepdim, axis, keepdims, -1)
    if input.dim():  # (PyTorch takes a 0-d bool tensor)
        _no_bool(input, "kthvalue_cpu")
    _check_keepdim(keepdim, "kthvalue")
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _select(input, d, keepdim, k - 1, False, "KthvalueBackward0", kthvalue_rt, "kthvalue")


# ----------------------------------------------------------------------------- mode
mode_rt = _return_type("mode")


def _mode_index(b, a, axis):
    """Indices (keepdims) of the mode along ``axis``: the most frequent value, the smallest
    of those when several are (the first run of a stable ascending sort), at its last
    position (the last element of that run)."""
    xp = b.xp
    n = a.shape[axis]
    order = b.argsort(a, axis)
    sv = b.take_along_axis(a, order, axis)

    def part(x, start, stop):
        return x[(slice(None),) * axis + (slice(start, stop), Ellipsis)]

    diff = part(sv, 1, None) != part(sv, 0, -1)  # where a new value starts (from the second)
    edge = xp.ones(tuple(1 if i == axis else s for i, s in enumerate(a.shape)), dtype=xp.bool, **b._dev_kw())
    starts, ends = xp.concat([edge, diff], axis=axis), xp.concat([diff, edge], axis=axis)
    pos = xp.reshape(xp.arange(n, dtype=xp.int64, **b._dev_kw()), tuple(n if i == axis else 1 for i in range(a.ndim)))
    pos = xp.broadcast_to(pos, a.shape)
    run_start = _running_extreme(b, xp.where(starts, pos, xp.zeros_like(pos)), axis, True)[0]
    length = xp.where(ends, pos - run_start + 1, xp.zeros_like(pos) - 1)
    best = b.best_position(length, axis, True, True)  # (the first longest run: the smallest value)
    return b.take_along_axis(order, best, axis)


@tensor_input
def mode(input, dim=-1, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The most frequent value along ``dim`` (the smallest of those when several are equally
    frequent) and its last position: ``torch.return_types.mode(values, indices)``.
    Mirrors ``torch.mode`` (``grad_fn=<ModeBackward0>``; the gradient goes to that position).

    Raises:
        IndexError: if ``dim`` is out of range or has size 0.

    Examples:
        >>> import reftorch as torch
        >>> torch.mode(torch.tensor([3, 1, 3, 1, 2]))
        torch.return_types.mode(
        values=tensor(1),
        indices=tensor(3))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("mode", dim, keepdim, axis, keepdims, -1)
    _check_keepdim(keepdim, "mode")
    if input.dim() and input.shape[_wrap_dim(dim, input.dim())] == 0:
        raise IndexError(f"mode(): Expected reduction dim {_wrap_dim(dim, input.dim())} to have non-zero size.")
    return _at_indices(input, dim, keepdim,
                       lambda b, a, d: b.astype(_mode_index(b, a, d), b.dtype(D.int64), copy=False),
                       "ModeBackward0", mode_rt)


# ----------------------------------------------------------------------------- nanmedian
nanmedian_rt = _return_type("nanmedian")
nanmedian_out_rt = _return_type("nanmedian_out")


class NanmedianAll(MaxAll):
    """The lower median of the numbers among all elements (nan when there is none); the
    gradient is shared among the elements equal to it, as :class:`MedianAll`'s."""

    name = "NanmedianBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        xp = b.xp
        flat = xp.reshape(x._data, (-1,))
        count = flat.shape[0]
        if xp.isdtype(flat.dtype, "real floating"):
            count -= int(xp.sum(xp.astype(xp.isnan(flat), xp.int64)))
        if count == 0:
            out = xp.asarray(math.nan, dtype=flat.dtype, **b._dev_kw())
        else:  # (nan sorts last: the k-th smallest is a number)
            out = xp.reshape(xp.sort(flat)[(count - 1) // 2], ())
        ctx.save_for_backward(x)
        ctx.save_output()
        return out


def _nanmedian_index(b, a, axis):
    """Indices (keepdims) of each slice's lower median of its numbers: the ``(count - 1) // 2``-th
    of a stable sort with nan last (a slice of nan only: its first nan)."""
    xp = b.xp
    if not xp.isdtype(a.dtype, "real floating"):
        return _kth_index(b, a, axis, (a.shape[axis] - 1) // 2, False, False)
    order = xp.argsort(a, axis=axis, stable=True)
    count = xp.sum(xp.astype(~xp.isnan(a), xp.int64), axis=axis, keepdims=True)
    k = xp.where(count > 0, (count - 1) // 2, xp.zeros_like(count))
    idx = b.astype(b.take_along_axis(order, k, axis), b.dtype(D.int64), copy=False)
    return xp.where(count > 0, idx, xp.full_like(idx, _all_nan_pick(a.shape[axis])))


@functools.lru_cache(maxsize=64)
def _all_nan_pick(n):
    """The index PyTorch's kernel gives a slice of ``n`` nan: ``std::nth_element`` at the
    first position, its comparison finding every pair equivalent (replayed on the host)."""
    pairs = [(math.nan, i) for i in range(n)]
    nth_element(pairs, 0, 0, n, _less(False))
    return pairs[0][1]


@tensor_input
def nanmedian(input, dim=NOT_GIVEN, keepdim=False, *, out=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """:func:`median` that ignores nan: the lower median of the numbers, of all elements or
    ``(values, indices)`` along ``dim`` (nan for a slice of nan only, at the index PyTorch's
    kernel gives). ``out``, with ``dim``: a ``(values, indices)`` pair of tensors to write into.

    Mirrors ``torch.nanmedian`` (grad_fn ``NanmedianBackward0`` / ``NanmedianBackward1``).

    Raises:
        NotImplementedError: for bool inputs.
        IndexError: if ``dim`` is out of range or has size 0.
        TypeError: for ``dim=None``, or ``keepdim=True`` without ``dim``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[2., float("nan"), 1.], [float("nan"), 4., float("nan")]])
        >>> x.nanmedian()
        tensor(2.)
        >>> torch.nanmedian(x, 1)
        torch.return_types.nanmedian(
        values=tensor([1., 4.]),
        indices=tensor([2, 1]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("nanmedian", dim, keepdim, axis, keepdims, NOT_GIVEN)
    _no_bool(input, "median_cpu")
    dim = _int_dim_or_all(dim, keepdim, "nanmedian")
    if dim is None:
        if out is not None:
            raise TypeError('nanmedian() missing 1 required positional arguments: "dim"')
        return NanmedianAll.apply(input)
    if out is not None:
        res = nanmedian(input, dim, keepdim)
        return nanmedian_out_rt(*(with_out("nanmedian", o, lambda _, r=r: r, input) for o, r in zip(out, res)))
    _check_keepdim(keepdim, "nanmedian")
    d = _wrap_dim(dim, input.dim())
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    return _at_indices(input, d, keepdim, _nanmedian_index, "NanmedianBackward1", nanmedian_rt)
