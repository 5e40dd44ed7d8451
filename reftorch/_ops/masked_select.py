"""``masked_select``: the elements of a tensor where a boolean mask is True, as a 1-D tensor.

The result's length depends on the mask's values, so the mask is read back to the host
once (its count of True entries), as ``nonzero`` and boolean-mask indexing do.
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape, sum_to_shape
from .._tensor import Tensor
from ..autograd.function import OpFunction
from ._common import with_out


class MaskedSelect(OpFunction):
    """``MaskedSelect.apply(x, mask, shape)``: ``x`` and ``mask`` broadcast to ``shape``, the
    elements of ``x`` where ``mask`` is True in row-major order (``MaskedSelectBackward0``).
    The backward puts the gradient back at those places and sums it to ``x``'s shape."""

    name = "MaskedSelectBackward0"
    nondiff = (1,)
    arity = 2
    can_warn = False

    @staticmethod
    def forward(ctx, x, mask, shape):
        b = x._backend
        xp = b.xp
        a = x._data if tuple(x._data.shape) == shape else xp.broadcast_to(x._data, shape)
        m = mask._data if tuple(mask._data.shape) == shape else xp.broadcast_to(mask._data, shape)
        m = xp.reshape(m, (-1,))
        if ctx.needs_input_grad:
            ctx.mask, ctx.shape, ctx.in_shape = m, shape, x._data.shape
        return b.copy(b.getitem(xp.reshape(a, (-1,)), m))

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        full = xp.zeros(ctx.mask.shape, dtype=g.dtype, **b._dev_kw())
        b.setitem(full, ctx.mask, g)
        return sum_to_shape(xp, xp.reshape(full, ctx.shape), ctx.in_shape), None


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True, as a new 1-D tensor.

    ``input`` and ``mask`` broadcast together; the elements are taken in row-major order of
    the broadcast shape. Mirrors ``torch.masked_select`` / ``torch.Tensor.masked_select``
    (``grad_fn`` ``MaskedSelectBackward0``; the gradient of an element of ``input`` that a
    broadcast repeats is the sum over its copies).

    Args:
        input: the tensor to read (any dtype).
        mask: a bool tensor broadcastable with ``input``.
        out: a tensor of ``input``'s dtype to write the result into (keyword-only).

    Returns:
        A 1-D tensor of ``input``'s dtype whose length is the number of True entries of the
        broadcast mask.

    Raises:
        RuntimeError: if ``mask`` is not a bool tensor ("masked_select: expected BoolTensor
            for mask") or the shapes do not broadcast.
        TypeError: if ``input`` or ``mask`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
        >>> torch.masked_select(x, x > 2.5)
        tensor([3., 4., 5., 6.])
        >>> x.masked_select(torch.tensor([True, False, True]))
        tensor([1., 3., 4., 6.])
    """
    for name, pos, t in (("input", 1, input), ("mask", 2, mask)):
        if not isinstance(t, Tensor):
            raise TypeError(f"masked_select(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {type(t).__name__}")
    if out is not None:
        return with_out("masked_select", out, masked_select, input, mask)
    if mask.dtype is not D.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shape(tuple(mask.shape), tuple(input.shape))
    if mask.device != input.device:
        mask = mask.to(input.device)
    return MaskedSelect.apply(input, mask, shape)
