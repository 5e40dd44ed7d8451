"""Sorting and selection: ``sort``, ``argsort``, ``msort`` and ``topk``.

Sorting is stable on every backend (PyTorch's CPU sort is): equal elements keep their
order, ascending or descending. NaN sorts above every number, as in PyTorch.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction


def _order(xp, a, axis, descending):
    """Stable argsort along ``axis``; descending keeps equal elements in their original order."""
    if a.dtype == xp.bool:
        a = xp.astype(a, xp.uint8)
    if not descending:
        return xp.argsort(a, axis=axis, stable=True)
    n = a.shape[axis]
    # A stable ascending sort of the reversed array, reversed back: ties stay first-come.
    rev = xp.argsort(xp.flip(a, axis=axis), axis=axis, stable=True)
    return (n - 1) - xp.flip(rev, axis=axis)


class SortValues(OpFunction):
    """The values of ``sort``/``topk``: ``input`` gathered at ``indices`` along ``dim``."""

    name = "SortBackward0"
    nondiff = (1,)

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.shape, ctx.dim = x._data.shape, dim
        ctx.save_for_backward(index)
        if not x._data.shape:
            return x._backend.xp.asarray(x._data, copy=True)
        return x._backend.xp.take_along_axis(x._data, index._data, axis=dim)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        if not ctx.shape:
            return g
        b = index._backend
        return _scatter_into_zeros(b, ctx.shape, ctx.dim, index._data, g)


def _scatter_into_zeros(b, shape, dim, idx, g):
    """``zeros(shape)`` with ``g`` written at ``idx`` along ``dim`` (positions are distinct)."""
    from .scatter import flat_positions
    xp = b.xp
    pos = flat_positions(b, shape, dim, idx)
    return b.scatter_add(tuple(shape), b.dtype_of(g), xp.reshape(pos, (-1,)), xp.reshape(g, (-1,)))


def _wrap(arr, ref):
    return Tensor._wrap(arr, ref.device, ref._backend)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sort along ``dim``; returns ``(values, indices)`` (``torch.return_types.sort``).

    Args:
        input: the tensor.
        dim: the dimension to sort (default: the last).
        descending: largest first.
        stable: accepted for PyTorch compatibility; the sort is always stable (as PyTorch's
            CPU sort), so equal elements keep their order.

    Returns:
        ``values`` (``grad_fn`` ``SortBackward0``) and int64 ``indices`` such that
        ``input.gather(dim, indices) == values``.

    Raises:
        IndexError: if ``dim`` is out of range.

    Mirrors ``torch.sort`` and ``Tensor.sort``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([3, 1, 3, 2]).sort(descending=True)
        torch.return_types.sort(
        values=tensor([3, 3, 2, 1]),
        indices=tensor([0, 2, 3, 1]))
    """
    from ..return_types import sort as sort_rt
    if out is not None:
        raise NotImplementedError("reftorch's sort does not take out=")
    if stable is None:
        stable = False
    d = _wrap_dim(dim, input.dim())
    b = input._backend
    xp = b.xp
    if input.dim() == 0:
        idx = xp.zeros((), dtype=b.dtype(D.int64), **b._dev_kw())
    else:
        idx = xp.astype(_order(xp, input._data, d, descending), b.dtype(D.int64))
    index = _wrap(idx, input)
    values = SortValues.apply(input, index, dim=d)
    return sort_rt(values, index)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``).
    Mirrors ``torch.argsort``.

    Examples:
        >>> import reftorch as torch
        >>> torch.argsort(torch.tensor([[3, 1, 2]]), dim=1)
        tensor([[1, 2, 0]])
    """
    d = _wrap_dim(dim, input.dim())
    b = input._backend
    if input.dim() == 0:
        return _wrap(b.xp.zeros((), dtype=b.dtype(D.int64), **b._dev_kw()), input)
    return _wrap(b.xp.astype(_order(b.xp, input._data, d, descending), b.dtype(D.int64)), input)


def msort(input):
    """``sort(input, dim=0).values``. Mirrors ``torch.msort``."""
    return sort(input, dim=0).values


def topk(input, k, dim=None, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim``; ``(values, indices)``
    (``torch.return_types.topk``).

    Args:
        input: the tensor.
        k: how many elements to keep.
        dim: the dimension (default: the last).
        largest: False for the ``k`` smallest.
        sorted: return them in order (reftorch always does).

    Raises:
        RuntimeError: "selected index k out of range" if ``k`` exceeds the size of ``dim``.

    Note:
        Values equal PyTorch's. Among equal values PyTorch's CPU kernel (a partial sort)
        may return other indices than reftorch, which keeps the first ones.

    Mirrors ``torch.topk`` (``grad_fn`` ``TopkBackward0``).

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1., 7., 3., 5.]).topk(2)
        torch.return_types.topk(
        values=tensor([7., 5.]),
        indices=tensor([1, 3]))
    """
    from ..return_types import topk as topk_rt
    if out is not None:
        raise NotImplementedError("reftorch's topk does not take out=")
    d = _wrap_dim(-1 if dim is None else dim, input.dim())
    size = input.shape[d] if input.dim() else 1
    if not isinstance(k, int) or k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    b = input._backend
    xp = b.xp
    if input.dim() == 0:
        idx = xp.zeros((), dtype=b.dtype(D.int64), **b._dev_kw())
    else:
        order = _order(xp, input._data, d, largest)
        key = tuple(slice(0, k) if i == d else slice(None) for i in range(input.dim()))
        idx = xp.astype(order[key], b.dtype(D.int64))
    index = _wrap(idx, input)
    values = SortValues.apply(input, index, dim=d, _name="TopkBackward0")
    return topk_rt(values, index)
