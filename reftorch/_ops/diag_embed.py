"""``diag_embed``: the last dimension of a tensor written onto diagonals of new matrices
(the inverse of ``diagonal``)."""
from __future__ import annotations

from .._tensor import _wrap_dim
from ..autograd.function import OpFunction
from ._common import tensor_input


def _diag_positions(xp, b, n, offset):
    """Row and column of the ``n`` elements of diagonal ``offset`` of a square matrix."""
    i = xp.arange(n, dtype=xp.int64, **b._dev_kw())
    return (i, i + offset) if offset >= 0 else (i - offset, i)


def _order(nd, d1, d2):
    """The axes of the result in terms of the canonical layout (batch…, d1, d2)."""
    rest = iter(range(nd - 2))
    return tuple(nd - 2 if k == d1 else nd - 1 if k == d2 else next(rest) for k in range(nd))


class DiagEmbed(OpFunction):
    """``DiagEmbed.apply(x, offset, d1, d2)`` (``DiagEmbedBackward0``): the backward reads
    the same diagonal back."""

    name = "DiagEmbedBackward0"
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        b = x._backend
        xp = b.xp
        a = x._data
        n = a.shape[-1]
        m = n + abs(offset)
        canon = xp.zeros(a.shape[:-1] + (m, m), dtype=a.dtype, **b._dev_kw())
        rows, cols = _diag_positions(xp, b, n, offset)
        b.setitem(canon, (Ellipsis, rows, cols), a)
        nd = a.ndim + 1
        order = _order(nd, d1, d2)
        ctx.offset, ctx.d1, ctx.d2, ctx.n = offset, d1, d2, n
        return b.copy(xp.permute_dims(canon, tuple(order)))

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        nd = g.ndim
        rest = [k for k in range(nd) if k not in (ctx.d1, ctx.d2)]
        canon = xp.permute_dims(g, tuple(rest) + (ctx.d1, ctx.d2))
        rows, cols = _diag_positions(xp, b, ctx.n, ctx.offset)
        return b.getitem(canon, (Ellipsis, rows, cols))


@tensor_input
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose diagonals (with respect to ``dim1`` and ``dim2``) are filled by the
    last dimension of ``input``, zero elsewhere.

    The result has one dimension more than ``input``: its dimensions ``dim1`` and ``dim2``
    are square of size ``n + abs(offset)`` (``n = input.size(-1)``), the others are
    ``input``'s leading ones in order. ``offset > 0`` fills a diagonal above the main one,
    ``offset < 0`` one below. The inverse of ``torch.diagonal(out, offset, dim1, dim2)``.
    Mirrors ``torch.diag_embed`` (``grad_fn`` ``DiagEmbedBackward0``).

    Args:
        input: a tensor with at least one dimension.
        offset: which diagonal to fill (default 0).
        dim1: the first dimension of the matrices, counted in the result (default -2).
        dim2: the second dimension of the matrices, counted in the result (default -1).

    Returns:
        A new tensor of ``input.dim() + 1`` dimensions.

    Raises:
        IndexError: if ``dim1`` or ``dim2`` is out of range for the result.
        RuntimeError: if ``dim1`` and ``dim2`` name the same dimension.

    Examples:
        >>> import reftorch as torch
        >>> torch.diag_embed(torch.tensor([[1, 2], [3, 4]]))
        tensor([[[1, 0],
                 [0, 2]],
        <BLANKLINE>
                [[3, 0],
                 [0, 4]]])
        >>> torch.diag_embed(torch.tensor([1, 2]), offset=1)
        tensor([[0, 1, 0],
                [0, 0, 2],
                [0, 0, 0]])
    """
    nd = input.dim() + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, int(offset), d1, d2)
