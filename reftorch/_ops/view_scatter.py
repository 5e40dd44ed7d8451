"""``select_scatter``, ``slice_scatter`` and ``diagonal_scatter``: a copy of ``input`` with
``src`` written into one of its views (the inverse of ``select``, slicing and ``diagonal``).

One op class serves the three: the view is a basic index for ``select``/``slice`` and the
diagonal (embedded with :func:`~reftorch._ops.diagonal._diag_embed`) for ``diagonal``. The
gradient of ``input`` is the incoming one with the view zeroed; ``src`` gets the view of
it, in ``src``'s dtype.
"""
from __future__ import annotations

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction
from ._common import grad_as, tensor_input
from .diagonal import _diag_embed, _diagonal_view, diagonal, select


class ViewScatter(OpFunction):
    """``ViewScatter.apply(x, src, view)``: ``view`` is ``("index", key)`` or
    ``("diagonal", offset, d1, d2)``."""

    name = "SelectScatterBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, src, view):
        b = x._backend
        xp = b.xp
        a = x._data
        s = b.astype(src._data, a.dtype, copy=False)
        if view[0] == "index":
            out = b.copy(a)
            out[view[1]] = s
        else:
            mask = _diag_embed(b, xp.ones(s.shape, dtype=xp.bool, **b._dev_kw()), a.shape, *view[1:])
            out = xp.where(mask, _diag_embed(b, s, a.shape, *view[1:]), a)
        if ctx.needs_input_grad:
            ctx.view, ctx.src_native = view, src._data.dtype
        return out

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        view = ctx.view
        if view[0] == "index":
            part = b.copy(g[view[1]])
            gx = b.copy(g)
            gx[view[1]] = xp.zeros((), dtype=g.dtype, **b._dev_kw())
        else:
            part = b.copy(_diagonal_view(b, g, *view[1:]))
            ones = xp.ones(part.shape, dtype=xp.bool, **b._dev_kw())
            gx = xp.where(_diag_embed(b, ones, g.shape, *view[1:]), xp.zeros((), dtype=g.dtype, **b._dev_kw()), g)
        return gx, grad_as(xp, part, ctx.src_native)


def _scatter_into(input, src, view, slice_shape, name):
    if not isinstance(src, Tensor):
        raise TypeError(f"{name.lower().replace('scatterbackward0', '_scatter')}(): argument 'src' (position 2) "
                        f"must be Tensor, not {type(src).__name__}")
    if tuple(src.shape) != tuple(slice_shape):
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"[{', '.join(map(str, src.shape))}], slice size = [{', '.join(map(str, slice_shape))}]")
    if src.device != input.device:
        src = src.to(input.device)
    return ViewScatter.apply(input, src, view, _name=name)


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` in the slice ``input.select(dim, index)``.

    Mirrors ``torch.select_scatter`` (``grad_fn=<SelectScatterBackward0>``); ``src`` is
    cast to ``input``'s dtype.

    Raises:
        RuntimeError: if ``src``'s shape is not the slice's.
        IndexError: if ``dim`` or ``index`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.select_scatter(torch.zeros(2, 3), torch.ones(3), 0, 1)
        tensor([[0., 0., 0.],
                [1., 1., 1.]])
    """
    part = select(input, dim, index)  # (PyTorch's range errors)
    d = _wrap_dim(dim, input.dim())
    i = index if index >= 0 else index + input.shape[d]
    key = (slice(None),) * d + (i,) + (slice(None),) * (input.dim() - d - 1)
    return _scatter_into(input, src, ("index", key), part.shape, "SelectScatterBackward0")


@tensor_input
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` in the slice ``start:end:step`` of dimension ``dim``.

    Mirrors ``torch.slice_scatter`` (``grad_fn=<SliceScatterBackward0>``); ``src`` is cast
    to ``input``'s dtype.

    Raises:
        RuntimeError: if ``src``'s shape is not the slice's, or ``step`` is not positive.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.slice_scatter(torch.zeros(2, 4), torch.ones(2, 2), 1, start=1, step=2)
        tensor([[0., 1., 0., 1.],
                [0., 1., 0., 1.]])
    """
    d = _wrap_dim(dim, input.dim())
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    size = input.shape[d]
    positions = range(*slice(start, end, step).indices(size))
    key = (slice(None),) * d + (slice(positions.start, positions.stop, step),) + (slice(None),) * (input.dim() - d - 1)
    shape = tuple(len(positions) if i == d else n for i, n in enumerate(input.shape))
    return _scatter_into(input, src, ("index", key), shape, "SliceScatterBackward0")


@tensor_input
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` on the diagonal ``input.diagonal(offset, dim1, dim2)``.

    Mirrors ``torch.diagonal_scatter`` (``grad_fn=<DiagonalScatterBackward0>``); ``src`` is
    cast to ``input``'s dtype.

    Raises:
        RuntimeError: if ``src``'s shape is not the diagonal's, or ``dim1 == dim2``.
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.diagonal_scatter(torch.zeros(2, 3), torch.tensor([1., 2.]), 1)
        tensor([[0., 1., 0.],
                [0., 0., 2.]])
    """
    part = diagonal(input, offset, dim1, dim2)  # (PyTorch's checks)
    nd = input.dim()
    view = ("diagonal", offset, _wrap_dim(dim1, nd), _wrap_dim(dim2, nd))
    return _scatter_into(input, src, view, part.shape, "DiagonalScatterBackward0")
