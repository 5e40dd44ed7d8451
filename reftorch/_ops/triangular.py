"""``tril``/``triu``: keep the lower/upper triangle of the last two dimensions."""
from __future__ import annotations

from .._layout import row_major
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction
from ._common import tensor_input, with_out
from ._inplace import commit


def _mask(b, shape, diagonal, lower):
    xp = b.xp
    r, c = shape[-2], shape[-1]
    rows = xp.reshape(xp.arange(r, dtype=xp.int64, **b._dev_kw()), (r, 1))
    cols = xp.reshape(xp.arange(c, dtype=xp.int64, **b._dev_kw()), (1, c))
    shifted = rows + diagonal  # (a column of r values: the comparison broadcasts to bools directly)
    return (cols <= shifted) if lower else (cols >= shifted)


class Tri(OpFunction):
    name = "TrilBackward0"
    create_graph = True  # the gradient is tril/triu again (TrilBackward0/TriuBackward0, as in PyTorch)
    arity = 1

    @staticmethod
    def forward(ctx, x, diagonal, lower):
        b = x._backend
        xp = b.xp
        keep = _mask(b, x._data.shape, diagonal, lower)
        ctx.state = (keep, "TrilBackward0" if lower else "TriuBackward0")
        out = xp.where(keep, x._data, xp.zeros((), dtype=x._data.dtype, **b._dev_kw()))
        return row_major(b, out)  # contiguous, as PyTorch

    @staticmethod
    def backward(ctx, g):
        name = ctx.state[1]
        return linear_grad(ctx, g, _keep, _keep, ctx.state, name, name)


def _keep(backend, g, state):
    xp = backend.xp
    return xp.where(state[0], g, xp.zeros_like(g))


def _tri(input, diagonal, lower):
    name = "tril" if lower else "triu"
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return Tri.apply(input, diagonal=int(diagonal), lower=lower,
                     _name="TrilBackward0" if lower else "TriuBackward0")


@tensor_input
def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dimensions; the rest is zero.

    ``diagonal=0`` keeps the main diagonal, ``k > 0`` also ``k`` diagonals above it,
    ``k < 0`` drops ``-k`` diagonals. Batched input works on each matrix. Mirrors
    ``torch.tril`` (``grad_fn`` ``TrilBackward0``).

    Args:
        input: a tensor of at least 2 dimensions (any dtype).
        diagonal: which diagonal is the last one kept (default 0).
        out: a tensor to write the result into (keyword-only).

    Raises:
        RuntimeError: for input with fewer than 2 dimensions.

    Examples:
        >>> import reftorch as torch
        >>> torch.ones(3, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.],
                [1., 1., 1.]])
    """
    if out is not None:
        return with_out("tril", out, tril, input, diagonal)
    return _tri(input, diagonal, True)


@tensor_input
def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dimensions (see :func:`tril`). Mirrors
    ``torch.triu`` (``grad_fn`` ``TriuBackward0``).

    Args:
        input: a tensor of at least 2 dimensions (any dtype).
        diagonal: which diagonal is the first one kept (default 0).
        out: a tensor to write the result into (keyword-only).

    Examples:
        >>> import reftorch as torch
        >>> torch.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
    """
    if out is not None:
        return with_out("triu", out, triu, input, diagonal)
    return _tri(input, diagonal, False)


def tril_(input, diagonal=0):
    """In-place :func:`tril`."""
    return commit(input, tril(input, diagonal))


def triu_(input, diagonal=0):
    """In-place :func:`triu`."""
    return commit(input, triu(input, diagonal))
