"""``index_add`` / ``index_add_``: add the slices of ``source`` into ``self`` at ``index``
along ``dim`` (``self[..., index[k], ...] += alpha * source[..., k, ...]``).

Every element of ``source`` names one flat position of ``self``; the sums run through
:func:`~reftorch._ops.scatter.ordered_sum`, one after another in index order starting
from ``self``, as PyTorch's CPU loop adds them.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd.function import OpFunction
from ._common import tensor_input
from ._inplace import commit
from .scatter import ordered_sum

_INDEX_DTYPES = frozenset((D.int64, D.int32))


def _flat_positions(b, shape, dim, idx):
    """The flat position in an array of ``shape`` of every element of a source that has
    ``shape`` except ``len(idx)`` along ``dim``, in the source's row-major order."""
    xp = b.xp
    kw = b._dev_kw()
    outer, inner = math.prod(shape[:dim]), math.prod(shape[dim + 1:])
    o = xp.reshape(xp.arange(outer, dtype=xp.int64, **kw), (outer, 1, 1))
    i = xp.reshape(xp.arange(inner, dtype=xp.int64, **kw), (1, 1, inner))
    k = xp.reshape(xp.astype(idx, xp.int64), (1, idx.shape[0], 1))
    return xp.reshape((o * shape[dim] + k) * inner + i, (-1,))


class IndexAdd(OpFunction):
    """``IndexAdd.apply(x, source, index, dim, alpha)`` (``IndexAddBackward0``): ``x``'s
    gradient passes through; ``source``'s is ``alpha`` times the gradient's slices at
    ``index``."""

    name = "IndexAddBackward0"
    nondiff = (2,)
    arity = 3

    @staticmethod
    def forward(ctx, x, source, index, dim, alpha):
        b = x._backend
        xp = b.xp
        shape = x._data.shape or (1,)
        idx = xp.reshape(index._data, (-1,))
        src = source._data if source._data.ndim else xp.reshape(source._data, (1,))
        if alpha != 1:
            src = src * alpha
        if ctx.needs_input_grad:
            ctx.dim, ctx.alpha, ctx.idx, ctx.src_shape = dim, alpha, idx, source._data.shape
        pos = _flat_positions(b, shape, dim, idx)
        out = ordered_sum(b, xp.reshape(x._data, (-1,)), pos, xp.reshape(src, (-1,)))
        return xp.reshape(out, x._data.shape)

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        gs = None
        if ctx.needs_input_grad[1]:
            gg = g if g.ndim else xp.reshape(g, (1,))
            gs = xp.reshape(xp.take(gg, ctx.idx, axis=ctx.dim), ctx.src_shape)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return g, gs, None


def _alpha(alpha, dtype):
    """``alpha`` as PyTorch converts it to ``self``'s dtype (truncated for integers)."""
    if dtype.is_floating_point or dtype.is_complex:
        return alpha
    if isinstance(alpha, complex):
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    return int(alpha) if dtype is not D.bool else bool(alpha)


def _shape_text(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


@tensor_input
def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha`` times the slices of ``source`` added at ``index`` along ``dim``.

    For a 2-D ``input`` and ``dim == 0``: ``out[index[k], :] += alpha * source[k, :]``.
    Repeated indices accumulate, in index order. Mirrors ``torch.index_add`` /
    ``torch.Tensor.index_add`` (``Tensor.index_add_`` writes into ``input``; ``grad_fn``
    ``IndexAddBackward0``).

    Args:
        input: the tensor to add into.
        dim: the dimension along which to index; negative values count from the end.
        index: a 1-D (or 0-D) int64 or int32 tensor of indices into ``input``'s dimension
            ``dim``, one per slice of ``source``.
        source: a tensor of ``input``'s dtype and shape except that its size along ``dim``
            is ``len(index)``.
        alpha: the factor applied to ``source`` (keyword-only, default 1; truncated to an
            integer for integer tensors).

    Returns:
        A new tensor of ``input``'s shape and dtype.

    Raises:
        RuntimeError: if ``index`` is not int32/int64, ``source``'s dtype differs from
            ``input``'s, the shapes do not match outside ``dim``, ``len(index)`` is not
            ``source.size(dim)``, or an index is out of range for an ``input`` of two or
            more dimensions ("index 2 is out of bounds for dimension 0 with size 2").
        IndexError: if an index is out of range for a vector ``input`` ("index out of
            range in self"), ``index`` has more than one dimension, or ``dim`` is out of
            range.
        TypeError: if ``index`` or ``source`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(3, 2)
        >>> src = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])
        >>> torch.index_add(x, 0, torch.tensor([0, 2, 0]), src)
        tensor([[6., 8.],
                [0., 0.],
                [3., 4.]])
        >>> x.index_add_(1, torch.tensor([1]), torch.ones(3, 1), alpha=10)
        tensor([[ 0., 10.],
                [ 0., 10.],
                [ 0., 10.]])
    """
    d, index, source = check_index_func("index_add", input, dim, index, source)
    shape, b = tuple(input.shape) or (1,), input._backend
    if index.numel() and not b.indices_in_range(b.xp.reshape(index._data, (-1,)), shape[d]):
        if input.dim() <= 1:  # PyTorch's kernel for a vector words it as the other indexing ops
            raise IndexError("index out of range in self")
        bad = next(int(v) for v in index._host().reshape(-1) if not 0 <= v < shape[d])
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {shape[d]}")
    return IndexAdd.apply(input, source, index, d, _alpha(alpha, input.dtype))


def check_index_func(func, input, dim, index, source):
    """PyTorch's checks of ``index_add`` and ``index_reduce`` (``func``), before the ranges;
    returns the wrapped ``dim`` and ``index``, ``source`` on ``input``'s device."""
    for name, pos, t in (("index", 2, index), ("source", 3, source)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{func}(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {type(t).__name__}")
    d = _wrap_dim(int_arg(dim, func, "dim", 1), input.dim())
    if index.dim() > 1:
        raise IndexError(f"{func}_(): Index is supposed to be a vector, but got dim: {index.dim()} with type: "
                         f"{D.scalar_name(index.dtype)} and size: {_shape_text(index.shape)}")
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{func}_(): Expected dtype int32/int64 for index but got: "
                           f"{D.scalar_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{func}_(): self ({D.scalar_name(input.dtype)}) and source "
                           f"({D.scalar_name(source.dtype)}) must have the same scalar type")
    shape, sshape = tuple(input.shape) or (1,), tuple(source.shape) or (1,)
    count = index.numel()
    if d < len(sshape) and count != sshape[d]:
        raise RuntimeError(f"{func}_(): Number of indices ({count}) should be equal to source.size(dim): "
                           f"({sshape[d]}), for dim: {d}")
    if input.dim() != source.dim() or any(a != s for k, (a, s) in enumerate(zip(shape, sshape)) if k != d):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {_shape_text(input.shape)} source.shape = {_shape_text(source.shape)}")
    if source.device != input.device:
        source = source.to(input.device)
    if index.device != input.device:
        index = index.to(input.device)
    return d, index, source


def index_add_(self, dim, index, source, *, alpha=1):
    """In-place :func:`index_add`: adds into ``self`` and returns it."""
    return commit(self, index_add(self, dim, index, source, alpha=alpha))
