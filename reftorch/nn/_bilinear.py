"""``F.bilinear``: ``y[..., o] = x1[..., :] @ weight[o] @ x2[..., :] + bias[o]``.

PyTorch computes it as ``_trilinear`` over the flattened batch (``TrilinearBackward0``),
viewed back to the batch shape (``ViewBackward0``), plus the bias (``AddBackward0``).
Here the one op is three matrix products over ``(B, O*I)`` views, forward and backward.
"""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import OpFunction as Function


class Trilinear(Function):
    """``out[b, o] = sum_ij x1[b, i] w[o, i, j] x2[b, j]`` on ``(B, I)``, ``(O, I, J)``,
    ``(B, J)`` arrays (``grad_fn`` ``TrilinearBackward0``)."""

    name = "TrilinearBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, x1, w, x2):
        xp = x1._backend.xp
        a1, wa, a2 = x1._data, w._data, x2._data
        ctx.save_for_backward(x1, w, x2)
        o, i, j = wa.shape
        u = xp.reshape(xp.matmul(a2, xp.reshape(wa, (o * i, j)).T), (-1, o, i))  # u[b, o, i] = w[o, i] . x2[b]
        return xp.matmul(u, a1[:, :, None])[:, :, 0]

    @staticmethod
    def backward(ctx, g):
        x1, w, x2 = ctx.saved_tensors
        xp = ctx.xp
        a1, wa, a2 = x1._data, w._data, x2._data
        o, i, j = wa.shape
        need = ctx.needs_input_grad
        flat_w = xp.reshape(wa, (o * i, j))
        g1 = g2 = gw = None
        if need[0]:  # sum_o g[b, o] (w[o] @ x2[b])
            u = xp.reshape(xp.matmul(a2, flat_w.T), (-1, o, i))
            g1 = xp.matmul(g[:, None, :], u)[:, 0, :]
        if need[1] or need[2]:
            outer = xp.reshape(g[:, :, None] * a1[:, None, :], (-1, o * i))  # g[b, o] x1[b, i]
            if need[1]:
                gw = xp.reshape(xp.matmul(outer.T, a2), (o, i, j))
            if need[2]:
                g2 = xp.matmul(outer, flat_w)
        return g1, gw, g2


def bilinear(input1, input2, weight, bias=None):
    """The bilinear map ``y = x1^T A x2 + b``, one matrix ``A = weight[o]`` per output
    feature.

    Shapes: ``input1`` ``(*, in1)``, ``input2`` ``(*, in2)`` with the same leading dims,
    ``weight`` ``(out, in1, in2)``, ``bias`` ``(out,)``; the result is ``(*, out)``.
    Mirrors ``torch.nn.functional.bilinear``.

    Raises:
        RuntimeError: for inputs of different dims or batch sizes, or sizes that do not
            fit the weight or the bias.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> w = torch.tensor([[[1., 0.], [0., 2.]]])     # one output: x1[0] y[0] + 2 x1[1] y[1]
        >>> F.bilinear(torch.tensor([[1., 1.]]), torch.tensor([[3., 4.]]), w)
        tensor([[11.]])
    """
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"bilinear(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    for k, (t, name) in enumerate(((input1, "input1"), (input2, "input2")), start=1):
        if t.shape[-1] != weight.shape[k]:
            raise RuntimeError(f"bilinear(): {name} size does not match weight size: got {t.shape[-1]} but "
                               f"expected {weight.shape[k]}")
    if bias is not None and bias.shape[-1] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[-1]} but expected "
                           f"{weight.shape[0]}")
    batch = tuple(input1.shape[:-1])
    out = Trilinear.apply(input1.reshape(-1, input1.shape[-1]), weight, input2.reshape(-1, input2.shape[-1]))
    out = out.view(batch + (weight.shape[0],))
    return out + bias if bias is not None else out
