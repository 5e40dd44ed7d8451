"""``aminmax``: the smallest and the largest values in one call, one graph node for both."""
from __future__ import annotations

from .. import _dtype as D
from .._layout import row_major
from .._tensor import _wrap_dim
from ..autograd.function import OpFunction as Function
from ._common import tensor_input, with_out
from .norm import Amax
from .reduction import _return_type

aminmax_rt = _return_type("aminmax", ("min", "max"))
aminmax_out_rt = _return_type("aminmax_out", ("min", "max"))


class Aminmax(Function):
    """``Aminmax.apply(x, axes, keepdim)``: ``(amin, amax)`` over ``axes`` (None: all); each
    result's gradient is shared evenly among the elements equal to it, as
    :class:`~reftorch._ops.norm.Amax`'s, and the two are added."""

    name = "AminmaxBackward0"
    multi_output = True
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        b = x._backend
        lo, hi = b.amin(x._data, axes, keepdim), b.amax(x._data, axes, keepdim)
        if ctx.needs_input_grad:
            ctx.axes, ctx.keepdim, ctx.extremes = axes, keepdim, (lo, hi)
            ctx.save_for_backward(x)
        return row_major(b, lo), row_major(b, hi)

    @staticmethod
    def backward(ctx, g_min, g_max):
        (x,) = ctx.saved_tensors
        gx = None
        for g, extreme in zip((g_min, g_max), ctx.extremes):
            if g is not None:
                part = Amax.share(ctx.xp, x._data, extreme, g, ctx.axes, ctx.keepdim)
                gx = part if gx is None else gx + part
        return gx


@tensor_input
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """The minimum and maximum of ``input``: of all elements (``dim=None``) or along ``dim``,
    as ``torch.return_types.aminmax(min, max)``.

    A nan makes both nan. Ties share each gradient evenly. Mirrors ``torch.aminmax``
    (``grad_fn=<AminmaxBackward0>``).

    Args:
        input: a real or bool tensor.
        dim: the dimension to reduce (keyword only); None: all elements.
        keepdim: keep the reduced dimension(s) as size 1.
        out: a ``(min, max)`` pair of tensors to write into (then
            ``torch.return_types.aminmax_out``).

    Raises:
        RuntimeError: for an empty input without ``dim``.
        IndexError: if ``dim`` is out of range or has size 0.
        NotImplementedError: for complex inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.aminmax(torch.tensor([[1, 5], [7, 2]]), dim=1)
        torch.return_types.aminmax(
        min=tensor([1, 2]),
        max=tensor([5, 7]))
    """
    if out is not None:
        res = aminmax(input, dim=dim, keepdim=keepdim)
        return aminmax_out_rt(*(with_out("aminmax", o, lambda _, r=r: r, input) for o, r in zip(out, res)))
    if input.dtype.is_complex:
        raise NotImplementedError(f"\"aminmax_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation "
                               "has no identity.")
        axes = tuple(range(input.dim())) if keepdim else None
    else:
        d = _wrap_dim(dim, input.dim())
        if input.dim() and input.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        axes = (d,) if input.dim() else None
    return aminmax_rt(*Aminmax.apply(input, axes, bool(keepdim)))
