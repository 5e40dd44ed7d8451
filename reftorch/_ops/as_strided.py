"""``torch.as_strided`` and ``torch.as_strided_scatter``: views
given by a size, strides and an offset into the memory ("storage") that a tensor shares
with its base (PyTorch's ``as_strided``, ``AsStridedBackward0``).

A tensor's storage is the memory of its root tensor (``reftorch._tensor.storage_root``: its
``_base``, or itself when it is not a view, or the memory ``set_`` made it view);
``Tensor.storage_offset()`` is where its first element lies there.

The gradient works on that memory: the incoming gradient of each output element is added
at the element's storage position (elements read more than once, in overlapping windows,
get the sum), and the input reads its gradient back at its own positions. An input whose
own elements overlap in memory (an expanded tensor) shares each position's gradient
equally among the elements that read it, as PyTorch does.
"""
from __future__ import annotations

import math

from .._tensor import Tensor, int_arg, storage_root as _root
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction
from ._common import tensor_input


def _extent(shape, strides):
    """How many storage elements a geometry spans from its first element (0 when empty)."""
    if math.prod(shape) == 0:
        return 0
    return 1 + sum((n - 1) * st for n, st in zip(shape, strides))


def _positions(b, shape, strides, offset):
    """The storage position of every element of a geometry: an int64 array of ``shape``."""
    xp, kw = b.xp, b._dev_kw()
    pos = xp.full(tuple(shape), offset, dtype=xp.int64, **kw)
    for i, (n, st) in enumerate(zip(shape, strides)):
        step = xp.arange(n, dtype=xp.int64, **kw) * st
        pos = pos + xp.reshape(step, (n,) + (1,) * (len(shape) - i - 1))
    return pos


def _gather(b, g, state):
    """The gradient map: ``g`` (shaped like the output) added into storage at the output's
    positions, read back at the input's (divided by how often the input reads each)."""
    xp = b.xp
    out_pos, in_pos, in_shape, counts, length = state
    mem = b.scatter_add((length,), None, xp.reshape(out_pos, (-1,)), xp.reshape(g, (-1,)))
    gx = xp.take(mem, xp.reshape(in_pos, (-1,)))
    if counts is not None:
        gx = gx / xp.astype(counts, gx.dtype)
    return xp.reshape(gx, in_shape)


def _spread(b, h, state):
    """The adjoint of :func:`_gather` (the forward map on a gradient of the input's shape)."""
    xp = b.xp
    out_pos, in_pos, in_shape, counts, length = state
    h = xp.reshape(h, (-1,))
    if counts is not None:
        h = h / xp.astype(counts, h.dtype)
    mem = b.scatter_add((length,), None, xp.reshape(in_pos, (-1,)), h)
    return xp.reshape(xp.take(mem, xp.reshape(out_pos, (-1,))), tuple(out_pos.shape))


class AsStrided(OpFunction):
    """A view of the input's storage with a given size, strides and storage offset."""

    name = "AsStridedBackward0"
    create_graph = True  # the gradient is linear and does not depend on the input
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        b = x._backend
        root = _root(x)
        if ctx.needs_input_grad:
            xp = b.xp
            in_shape, in_strides, in_off = tuple(x.shape), x.stride(), x.storage_offset()
            out_pos = _positions(b, size, stride, offset)
            in_pos = _positions(b, in_shape, in_strides, in_off)
            length = max(_extent(size, stride) + offset, _extent(in_shape, in_strides) + in_off, 1)
            counts = None
            if _overlaps(in_shape, in_strides):
                ones = xp.ones((x.numel(),), dtype=xp.int64, **b._dev_kw())
                per = b.scatter_add((length,), None, xp.reshape(in_pos, (-1,)), ones)
                counts = xp.take(per, xp.reshape(in_pos, (-1,)))
            ctx.state = (out_pos, in_pos, in_shape, counts, length)
        mem = root._data
        flat = b.as_strided(mem, (_extent(mem.shape, b.strides(mem)),), (1,))
        start = min(offset, flat.shape[0])  # (an empty view may start past the end)
        return b.as_strided(b.getitem(flat, slice(start, None)), tuple(size), tuple(stride))

    @staticmethod
    def backward(ctx, g):
        return (linear_grad(ctx, g, _gather, _spread, ctx.state, "AsStridedBackwardBackward0", "AsStridedBackward0"),)


def _overlaps(shape, strides):
    """True when two elements of a geometry may share a storage position (the dims sorted
    by stride, each stride must reach past everything the smaller ones span)."""
    reach = 1  # the span of the dims with smaller strides
    for st, n in sorted((st, n) for n, st in zip(shape, strides) if n > 1):
        if st < reach:
            return True
        reach += st * (n - 1)
    return False


def _ints(value, fn, name, pos):
    if isinstance(value, Tensor) or not isinstance(value, (tuple, list)) and not hasattr(value, "__len__"):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, not {type(value).__name__}")
    out = []
    for i, v in enumerate(value):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, but found element "
                            f"of type {type(v).__name__} at pos {i}")
        out.append(v.__index__())
    return tuple(out)


def _geometry(input, size, stride, offset, fn):
    """Check ``size``, ``stride`` and ``storage_offset`` as PyTorch does; the offset to use."""
    size = _ints(size, fn, "size", 2)
    stride = _ints(stride, fn, "stride", 3)
    offset = input.storage_offset() if offset is None else int_arg(offset, fn, "storage_offset", 4)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes=[{', '.join(map(str, size))}] and "
                           f"strides=[{', '.join(map(str, stride))}]")
    if any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"[{', '.join(map(str, stride))}]")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    return size, stride, offset


@tensor_input
def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s memory with the given ``size``, ``stride`` (steps in elements
    per dimension) and ``storage_offset`` (where the first element lies, counted from the
    start of the memory ``input`` shares with its base; default: ``input``'s own offset).

    Elements may be read more than once (overlapping windows, a zero stride); the gradient
    of such an element is the sum of the gradients of its reads. Mirrors ``torch.as_strided``
    (``grad_fn=<AsStridedBackward0>``).

    Args:
        input: the tensor whose memory is viewed.
        size: the shape of the result (a sequence of ints).
        stride: one non-negative step per dimension.
        storage_offset: the position of the first element (an int ``>= 0``).

    Raises:
        RuntimeError: if the lengths of ``size`` and ``stride`` differ, a stride or the
            offset is negative, or the view reaches past the end of the memory.
        TypeError: for arguments that are not ints.

    Examples:
        >>> import reftorch as torch
        >>> torch.as_strided(torch.arange(5.), (3, 3), (1, 1))
        tensor([[0., 1., 2.],
                [1., 2., 3.],
                [2., 3., 4.]])
    """
    size, stride, offset = _geometry(input, size, stride, storage_offset, "as_strided")
    root = _root(input)
    available = _extent(root._data.shape, root._backend.strides(root._data))
    needed = offset + _extent(size, stride) if math.prod(size) else 0
    if needed > available:
        isz = input._dtype.itemsize
        raise RuntimeError(
            f"setStorage: sizes [{', '.join(map(str, size))}], strides [{', '.join(map(str, stride))}], "
            f"storage offset {offset}, and itemsize {isz} requiring a storage size of {needed * isz} are out of "
            f"bounds for storage of size {available * isz}")
    return AsStrided.apply(input, size, stride, offset)


class AsStridedScatter(OpFunction):
    """A copy of the input with ``src`` written at the positions of an ``as_strided`` view
    of the copy (laid out row-major, storage offset 0)."""

    name = "AsStridedScatterBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, src, size, stride, offset):
        b = x._backend
        xp = b.xp
        pos = xp.reshape(_positions(b, size, stride, offset), (-1,))
        out = xp.reshape(b.copy(x._data), (-1,))
        b.setitem(out, pos, xp.reshape(b.astype(src._data, out.dtype, copy=False), (-1,)))
        if ctx.needs_input_grad:
            ctx.pos, ctx.src_shape = pos, tuple(size)
        return xp.reshape(out, tuple(x.shape))

    @staticmethod
    def backward(ctx, g):
        # PyTorch 2.13's as_strided_scatter_backward copies the gradient's slice into zeros:
        # ``input`` gets the gradient AT the written positions (not elsewhere, as the
        # written values would suggest). Copied as PyTorch computes it.
        b = ctx.backend
        xp = b.xp
        flat = xp.reshape(g, (-1,))
        part = xp.take(flat, ctx.pos)
        gx = xp.zeros(flat.shape, dtype=g.dtype, **b._dev_kw())
        b.setitem(gx, ctx.pos, part)
        return xp.reshape(gx, tuple(g.shape)), xp.reshape(part, ctx.src_shape)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` with ``src`` written into the view
    ``copy.as_strided(size, stride, storage_offset)`` of the (row-major) copy.

    Mirrors ``torch.as_strided_scatter`` (``grad_fn=<AsStridedScatterBackward0>``). Where
    the view's elements overlap, which value of ``src`` lands is unspecified (as in
    PyTorch). ``input`` is treated as row-major (a strided ``input`` is laid out afresh).
    As in PyTorch 2.13, the gradient of ``input`` is the incoming gradient at the written
    positions and zero elsewhere (PyTorch's formula, kept for equal results).

    Raises:
        RuntimeError: if ``src``'s shape is not ``size``, or the view does not fit.

    Examples:
        >>> import reftorch as torch
        >>> torch.as_strided_scatter(torch.zeros(6), torch.ones(2, 2), (2, 2), (1, 2), 1)
        tensor([0., 1., 1., 1., 1., 0.])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"as_strided_scatter(): argument 'src' (position 2) must be Tensor, not {type(src).__name__}")
    size, stride, offset = _geometry(input, size, stride, 0 if storage_offset is None else storage_offset,
                                     "as_strided_scatter")
    if tuple(src.shape) != size:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"[{', '.join(map(str, src.shape))}], slice size = [{', '.join(map(str, size))}]")
    needed = offset + _extent(size, stride) if math.prod(size) else 0
    if needed > input.numel():
        isz = input._dtype.itemsize
        raise RuntimeError(
            f"setStorage: sizes [{', '.join(map(str, size))}], strides [{', '.join(map(str, stride))}], "
            f"storage offset {offset}, and itemsize {isz} requiring a storage size of {needed * isz} are out of "
            f"bounds for storage of size {input.numel() * isz}")
    if src.device != input.device:
        src = src.to(input.device)
    return AsStridedScatter.apply(input, src, size, stride, offset)
