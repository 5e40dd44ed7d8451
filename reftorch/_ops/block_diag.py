"""``block_diag``: tensors placed one after another along the diagonal of a zero matrix."""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import OpFunction
from ._common import grad_as
from .creation import empty


def _as_matrix_shape(shape):
    """A block's 2-D shape: a 0-d tensor is ``1 x 1``, a vector one row."""
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else tuple(shape)


class BlockDiag(OpFunction):
    """``BlockDiag.apply(tensors, dtype)``; each input's gradient is its block of the
    gradient, in its shape and dtype."""

    name = "BlockDiagBackward0"
    arity = 1
    tensor_list = True

    @staticmethod
    def forward(ctx, tensors, dtype):
        b = tensors[0]._backend
        xp = b.xp
        native = b.dtype(dtype)
        shapes = [_as_matrix_shape(t._data.shape) for t in tensors]
        out = xp.zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), dtype=native, **b._dev_kw())
        r = c = 0
        for t, (h, w) in zip(tensors, shapes):
            if h and w:
                out[r:r + h, c:c + w] = xp.reshape(b.astype(t._data, native, copy=False), (h, w))
            r, c = r + h, c + w
        if ctx.needs_input_grad:
            ctx.blocks = [(t._data.shape, s, t._data.dtype) for t, s in zip(tensors, shapes)]
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        grads, r, c = [], 0, 0
        for (shape, (h, w), native), need in zip(ctx.blocks, ctx.needs_input_grad):
            grads.append(grad_as(xp, xp.reshape(g[r:r + h, c:c + w], shape), native) if need else None)
            r, c = r + h, c + w
        return tuple(grads)


def block_diag(*tensors):
    """The block-diagonal matrix of ``tensors``: each is a block on the diagonal (a 0-d
    tensor a ``1 x 1`` block, a vector a row), zeros elsewhere; the dtypes promote.

    Mirrors ``torch.block_diag`` (``grad_fn=<BlockDiagBackward0>``). No tensor at all gives
    an empty ``(1, 0)`` tensor, as PyTorch.

    Raises:
        RuntimeError: if a tensor has more than 2 dimensions.
        TypeError: if an argument is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.block_diag(torch.tensor([[1, 2], [3, 4]]), torch.tensor([5, 6]), torch.tensor(7))
        tensor([[1, 2, 0, 0, 0],
                [3, 4, 0, 0, 0],
                [0, 0, 5, 6, 0],
                [0, 0, 0, 0, 7]])
    """
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"block_diag(): argument 'tensors' (position {i + 1}) must be tuple of Tensors, "
                            f"not {type(t).__name__}")
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.dim()} dimensions")
    if not tensors:
        return empty(1, 0)
    return BlockDiag.apply(list(tensors), D.result_type(*tensors))
