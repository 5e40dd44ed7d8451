"""Reordering and repeating elements: ``flip``, ``roll``, ``repeat_interleave``."""
from __future__ import annotations

from .. import _dtype as D
from .._layout import cat_layout, like_input
from .._tensor import Tensor, _wrap_dim
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction
from ._common import tensor_input
from . import shape as S
from .indexing import index_select
from ._numpy_names import NOT_GIVEN, dim_from_axis


def _dims_list(dims, nd, who):
    if isinstance(dims, int):
        raise TypeError(f"{who}(): argument 'dims' (position 2) must be tuple of ints, not int")
    out = [_wrap_dim(d, nd) for d in dims]
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(out)


class Flip(OpFunction):
    name = "FlipBackward0"
    create_graph = True  # the gradient is a flip, recorded as FlipBackward0 (as in PyTorch)
    arity = 1

    @staticmethod
    def forward(ctx, x, dims):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.dims = dims
        xp = x._backend.xp
        out = xp.asarray(xp.flip(x._data, axis=dims) if dims else x._data, copy=True)
        return like_input(x._backend, out, x._data)  # laid out like x (empty_like), as PyTorch

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.flip(g, axis=ctx.dims) if ctx.dims else g


@tensor_input
def flip(input, dims):
    """Reverse the order of elements along each of ``dims`` (a copy, not a view).

    Mirrors ``torch.flip`` (``grad_fn`` ``FlipBackward0``).

    Args:
        input: the tensor.
        dims: a list or tuple of the dimensions to reverse.

    Raises:
        TypeError: if ``dims`` is a bare int (PyTorch wants a list or tuple).
        RuntimeError: if a dim appears twice.

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(4).view(2, 2).flip([0, 1])
        tensor([[3, 2],
                [1, 0]])
    """
    dims = _dims_list(dims, input.dim(), "flip")
    if input.dim() == 0:
        dims = ()  # a 0-dim tensor: nothing to reverse
    return Flip.apply(input, dims=dims)


class Roll(OpFunction):
    name = "RollBackward0"
    create_graph = True  # the gradient is a roll back, recorded as RollBackward0 (as in PyTorch)
    arity = 1

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        xp = x._backend.xp
        if dims is None:
            flat = xp.reshape(x._data, (-1,))
            return xp.reshape(xp.roll(flat, shifts[0]), x._data.shape)
        # PyTorch's roll is a cat of two narrowed views: laid out as cat lays out its result
        return cat_layout(x._backend, xp.roll(x._data, shift=shifts, axis=dims), [x._data])

    @staticmethod
    def backward(ctx, g):
        state = (tuple(-s for s in ctx.shifts), ctx.dims)
        return linear_grad(ctx, g, _roll, _roll_back, state, "RollBackward0", "RollBackward0")


def _roll(backend, a, state):
    """``a`` rolled by ``state = (shifts, dims)`` (``dims`` None: the flattened array)."""
    xp = backend.xp
    shifts, dims = state
    if dims is None:
        return xp.reshape(xp.roll(xp.reshape(a, (-1,)), shifts[0]), a.shape)
    return xp.roll(a, shift=shifts, axis=dims)


def _roll_back(backend, a, state):
    return _roll(backend, a, (tuple(-s for s in state[0]), state[1]))


@tensor_input
def roll(input, shifts, dims=None):
    """Shift elements along ``dims`` by ``shifts``, wrapping around; without ``dims`` the
    flattened tensor is shifted and the shape restored.

    Mirrors ``torch.roll`` (``grad_fn`` ``RollBackward0``).

    Args:
        input: the tensor.
        shifts: an int or a tuple of ints (positive shifts move elements to higher indices).
        dims: an int or a tuple of dims, one per shift (default: shift the flattened tensor).

    Raises:
        RuntimeError: if ``shifts`` and ``dims`` have different lengths.

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(5).roll(2)
        tensor([3, 4, 0, 1, 2])
    """
    sh = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, shifts=sh, dims=None)
    dm = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(sh) != len(dm):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(dm)}")
    if input.dim() == 0:
        raise IndexError(f"Dimension specified as {dm[0]} but tensor has no dimensions")
    dm = tuple(_wrap_dim(d, input.dim()) for d in dm)
    return Roll.apply(input, shifts=sh, dims=dm)


def _repeat_index(repeats):
    """``repeat_interleave(repeats)``: ``i`` repeated ``repeats[i]`` times (int64)."""
    b = repeats._backend
    xp = b.xp
    r = repeats._data
    if r.ndim > 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats.dtype not in (D.int64, D.int32):
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_cname(repeats.dtype)}'")
    r = xp.reshape(r, (-1,))
    if r.shape[0] and int(xp.min(r)) < 0:
        raise RuntimeError("repeats can not be negative")
    ends = xp.cumulative_sum(xp.astype(r, xp.int64))
    total = int(ends[-1]) if r.shape[0] else 0
    pos = xp.arange(total, dtype=xp.int64, **b._dev_kw())
    idx = xp.searchsorted(ends, pos, side="right")
    return Tensor._wrap(xp.astype(idx, xp.int64), repeats.device, b)


def _cname(d):
    return D.scalar_name(d)


@tensor_input
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None, axis=NOT_GIVEN):
    """Repeat each element (or each slice along ``dim``) ``repeats`` times in place, unlike
    :meth:`Tensor.repeat`, which repeats the whole tensor.

    Args:
        input: the tensor; flattened first when ``dim`` is None.
        repeats: an int, or an int64 tensor with one count per element along ``dim``
            (or a single count).
        dim: the dimension to repeat along.
        output_size: the total length along ``dim`` (accepted, not needed).

    ``torch.repeat_interleave(counts)`` alone gives ``i`` repeated ``counts[i]`` times.

    Mirrors ``torch.repeat_interleave`` (int ``repeats``: a view of an expanded copy,
    ``grad_fn`` ``ViewBackward0``; tensor ``repeats``, even a single count: ``IndexSelectBackward0``).

    Raises:
        RuntimeError: for negative counts or a count tensor of the wrong length.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 2], [3, 4]])
        >>> x.repeat_interleave(2)
        tensor([1, 1, 2, 2, 3, 3, 4, 4])
        >>> torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("repeat_interleave", dim, axis)
    if repeats is None:  # torch.repeat_interleave(repeats)
        return _repeat_index(input)
    if dim is None:
        input = S.flatten(input)
        d = 0
    else:
        if input.dim() == 0 and isinstance(repeats, Tensor):  # PyTorch asks the 0-dim input for its size
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _wrap_dim(dim, input.dim())
        if input.dim() == 0:  # PyTorch unsqueezes the 0-dim input at dim + 1
            _wrap_dim(d + 1, 0)
    if isinstance(repeats, Tensor):  # (a single count included: PyTorch indexes then too)
        n = input.shape[d] if input.dim() else 1
        if repeats.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if repeats.dim() == 0:
            repeats = S.reshape(repeats, (1,))
        if repeats.dim() == 1 and repeats.shape[0] == 1:
            repeats = repeats.expand(n) if n != 1 else repeats
        if repeats.dim() != 1 or repeats.shape[0] != n:
            if repeats.dim() > 1:
                raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{repeats.shape[0]} and input.size({d}) = {n}")
        return index_select(input, d, _repeat_index(repeats))
    r = int(repeats)
    if r < 0:
        raise RuntimeError("repeats can not be negative")
    if input.dim() == 0:
        input = S.reshape(input, (1,))
    shape = list(input.shape)
    u = S.unsqueeze(input, d + 1)
    e = S.expand(u, *(shape[:d + 1] + [r] + shape[d + 1:]))
    c = S.contiguous(e)
    new = shape[:d] + [shape[d] * r] + shape[d + 1:]
    return S.view(c, tuple(new))
