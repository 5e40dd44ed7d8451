"""``unique`` and ``unique_consecutive``: the distinct elements (or slices) of a tensor.

Written once over ``xp``: a stable sort (``unique``) brings equal elements together, a
comparison of neighbours marks where each run starts, and a cumulative sum of those
marks numbers the runs (the inverse indices). The number of distinct values depends on
the data, so the run starts are read back to the host (a boolean mask), as ``nonzero``
does. NaN is never equal to NaN: each NaN is its own value, sorted after the numbers, as
in PyTorch. Not differentiable: PyTorch records a node whose backward raises.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._layout import fix_empty_strides
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction


class _NoDerivative(OpFunction):
    """A recorded node that refuses to differentiate (``forward`` returns the precomputed
    values); subclasses name the op."""

    arity = 1
    can_warn = False
    aten = ""

    @staticmethod
    def forward(ctx, x, values):
        return values

    @classmethod
    def _refuse(cls):
        raise NotImplementedError(f"the derivative for '{cls.aten}' is not implemented.")


class Unique2(_NoDerivative):
    name, aten = "Unique2Backward0", "_unique2"

    @staticmethod
    def backward(ctx, g):
        Unique2._refuse()


class UniqueDim(_NoDerivative):
    name, aten = "UniqueDimBackward0", "unique_dim"

    @staticmethod
    def backward(ctx, g):
        UniqueDim._refuse()


class UniqueConsecutive(_NoDerivative):
    name, aten = "UniqueConsecutiveBackward0", "unique_consecutive"

    @staticmethod
    def backward(ctx, g):
        UniqueConsecutive._refuse()


def _sort_key(xp, a):
    return xp.astype(a, xp.uint8) if a.dtype == xp.bool else a


def _runs(b, rows, order):
    """For ``rows`` (shape ``(n, k)``) taken in ``order``: the rows starting a run of equal
    rows, the inverse index of every original row, and the length of every run."""
    xp = b.xp
    kw = b._dev_kw()
    i64 = b.dtype(D.int64)
    n = rows.shape[0]
    s = xp.take(rows, order, axis=0)
    differs = s[1:, ...] != s[:-1, ...]
    if differs.ndim > 1:
        differs = xp.any(differs, axis=1)
    new = xp.concat([xp.ones((min(n, 1),), dtype=xp.bool, **kw), differs])
    group = xp.cumulative_sum(xp.astype(new, i64)) - 1
    inverse = xp.zeros((n,), dtype=i64, **kw)
    b.setitem(inverse, order, group)  # order is a permutation: every place written once
    starts = xp.astype(xp.nonzero(new)[0], i64)
    ends = xp.concat([starts[1:], xp.full((min(n, 1),), n, dtype=i64, **kw)])
    return b.getitem(s, new), inverse, ends - starts


def _lex_order(b, rows):
    """The stable order sorting the rows of ``rows`` (shape ``(n, k)``) lexicographically."""
    xp = b.xp
    order = xp.arange(rows.shape[0], dtype=b.dtype(D.int64), **b._dev_kw())
    for c in range(rows.shape[1] - 1, -1, -1):  # least significant column first (radix)
        col = _sort_key(xp, xp.take(rows[:, c], order))
        order = xp.take(order, xp.argsort(col, stable=True))
    return order


def _unique_impl(fname, input, do_sort, return_inverse, return_counts, dim):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    b = input._backend
    xp = b.xp
    a = input._data
    i64 = b.dtype(D.int64)
    if dim is None:
        flat = xp.reshape(a, (-1,))
        order = (xp.argsort(_sort_key(xp, flat), stable=True) if do_sort
                 else xp.arange(flat.shape[0], dtype=i64, **b._dev_kw()))
        values, inverse, counts = _runs(b, flat, order)
        inverse = xp.reshape(inverse, a.shape)
        node = Unique2 if do_sort else UniqueConsecutive
    else:
        if a.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _wrap_dim(dim, a.ndim)
        moved = xp.moveaxis(a, d, 0)
        rest = moved.shape[1:]
        if any(n == 0 for n in rest):
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
        rows = xp.reshape(moved, (moved.shape[0], math.prod(rest)))
        order = (_lex_order(b, rows) if do_sort
                 else xp.arange(rows.shape[0], dtype=i64, **b._dev_kw()))
        values, inverse, counts = _runs(b, rows, order)
        values = xp.moveaxis(xp.reshape(values, (values.shape[0],) + rest), 0, d)
        values = b.copy(values)
        node = UniqueDim if do_sort else UniqueConsecutive
    values = fix_empty_strides(b, b.copy(values))
    out = node.apply(input, values)
    if not (return_inverse or return_counts):
        return out
    res = (out,)
    if return_inverse:
        res += (Tensor._wrap(fix_empty_strides(b, inverse), input.device, b),)
    if return_counts:
        res += (Tensor._wrap(fix_empty_strides(b, counts), input.device, b),)
    return res


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of ``input`` (or its distinct slices along ``dim``), sorted.

    Mirrors ``torch.unique`` / ``torch.Tensor.unique``. Like PyTorch on the CPU the result
    is sorted ascending whatever ``sorted`` says. NaN never equals NaN, so every NaN is
    kept, after the numbers. The values record a ``grad_fn`` (``Unique2Backward0``, with
    ``dim`` ``UniqueDimBackward0``) whose backward raises ``NotImplementedError``.

    Args:
        input: the tensor (any dtype).
        sorted: accepted for compatibility; the result is always sorted (default ``True``).
        return_inverse: also return, for every element of ``input`` (every slice along
            ``dim``), the index of its value in the result (default ``False``).
        return_counts: also return how many times each distinct value occurs (default
            ``False``).
        dim: the dimension whose slices are compared as wholes; ``None`` (default) compares
            single elements of the flattened input.

    Returns:
        The distinct values: 1-D for ``dim=None``, else ``input``'s shape with the size along
        ``dim`` reduced. With ``return_inverse`` and/or ``return_counts``, a tuple
        ``(values, inverse, counts)`` of the requested ones; ``inverse`` (int64) has
        ``input``'s shape (``(input.size(dim),)`` with ``dim``), ``counts`` (int64) one entry
        per distinct value.

    Raises:
        IndexError: if ``dim`` is out of range, or given for a 0-dim input.
        RuntimeError: if a dimension other than ``dim`` has size 0.
        TypeError: if ``input`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([3, 1, 2, 3, 1, 1])
        >>> torch.unique(x)
        tensor([1, 2, 3])
        >>> torch.unique(x, return_inverse=True, return_counts=True)
        (tensor([1, 2, 3]), tensor([2, 0, 1, 2, 0, 0]), tensor([3, 1, 2]))
        >>> torch.tensor([[1, 2], [0, 5], [1, 2]]).unique(dim=0)
        tensor([[0, 5],
                [1, 2]])
    """
    return _unique_impl("_unique2", input, True, return_inverse, return_counts, dim)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``input`` with every run of consecutive equal elements (or slices along ``dim``)
    reduced to one.

    Mirrors ``torch.unique_consecutive`` / ``torch.Tensor.unique_consecutive``: like
    ``itertools.groupby``, nothing is sorted, so a value may appear again after another
    one. NaN never equals NaN. The values record ``UniqueConsecutiveBackward0``, whose
    backward raises ``NotImplementedError``.

    Args:
        input: the tensor (any dtype).
        return_inverse: also return, for every element of ``input`` (every slice along
            ``dim``), the index of its run in the result (default ``False``).
        return_counts: also return the length of every run (default ``False``).
        dim: the dimension whose slices are compared as wholes; ``None`` (default) compares
            single elements of the flattened input.

    Returns:
        The values, shaped as for :func:`unique`; with ``return_inverse`` and/or
        ``return_counts`` a tuple of the requested ones (int64, as for :func:`unique`).

    Raises:
        IndexError: if ``dim`` is out of range, or given for a 0-dim input.
        RuntimeError: if a dimension other than ``dim`` has size 0.
        TypeError: if ``input`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2])
        >>> torch.unique_consecutive(x)
        tensor([1, 2, 3, 1, 2])
        >>> torch.unique_consecutive(x, return_counts=True)
        (tensor([1, 2, 3, 1, 2]), tensor([2, 2, 1, 2, 1]))
    """
    return _unique_impl("unique_consecutive", input, False, return_inverse, return_counts, dim)
