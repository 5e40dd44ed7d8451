"""``renorm``: each slice along a dimension scaled down to a ``p``-norm of at most ``maxnorm``."""
from __future__ import annotations

import numbers

from .. import _dtype as D
from .._layout import row_major
from .._tensor import _wrap_dim
from ..autograd.function import OpFunction
from ._common import with_out
from ._inplace import commit
from ._common import tensor_input
from .norm import norm_grad, norm_of

_EPS = 1e-7  # PyTorch's: the factor is maxnorm / (norm + 1e-7)


class Renorm(OpFunction):
    """``Renorm.apply(x, p, axes, maxnorm)``: ``axes`` are all the dims but the one whose
    slices are renormalised. The backward is PyTorch's ``renorm_backward``."""

    name = "RenormBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, p, axes, maxnorm):
        b = x._backend
        xp = b.xp
        norm = norm_of(b, x._data, x._dtype, p, axes, True)
        one = xp.ones((), dtype=norm.dtype, **b._dev_kw())
        factor = xp.where(norm > maxnorm, maxnorm / (norm + _EPS), one)
        if ctx.needs_input_grad:
            ctx.p, ctx.axes, ctx.maxnorm, ctx.norm = p, axes, maxnorm, norm
            ctx.save_for_backward(x)
        return row_major(b, x._data * xp.astype(factor, x._data.dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        b = x._backend
        xp = b.xp
        a, norm, maxnorm = x._data, ctx.norm, ctx.maxnorm
        inner = xp.sum(xp.real(xp.conj(a) * g) if xp.isdtype(a.dtype, "complex floating") else a * g,
                       axis=ctx.axes, keepdims=True)
        nb = norm_grad(b, xp, a, norm, inner, ctx.p, ctx.axes, True)
        inv = 1 / (norm + _EPS)
        return xp.where(norm > maxnorm, inv * maxnorm * g - (maxnorm * inv * inv) * nb, g)


@tensor_input
def renorm(input, p, dim, maxnorm, *, out=None):
    """``input`` with every slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down
    to norm ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``); the other slices are unchanged.

    Mirrors ``torch.renorm`` (``grad_fn=<RenormBackward0>``).

    Args:
        input: a floating-point tensor of 2 or more dimensions.
        p: the norm's order (> 0, ``inf`` allowed).
        dim: the dimension whose slices are renormalised (the norm runs over the others).
        maxnorm: the largest norm kept (>= 0).
        out: the tensor to write the result into.

    Raises:
        RuntimeError: for ``p <= 0`` or complex ``p``, ``maxnorm < 0``, fewer than 2
            dimensions or a non-floating input.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.renorm(torch.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    if out is not None:
        return with_out("renorm", out, renorm, input, p, dim, maxnorm)
    if isinstance(p, complex):
        raise RuntimeError("renorm: p must be real-valued")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if isinstance(maxnorm, complex) or not isinstance(maxnorm, numbers.Real):
        raise RuntimeError("renorm: maxnorm must be real-valued")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    nd = input.dim()
    if nd <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    d = _wrap_dim(dim, nd)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {D.scalar_name(input.dtype)}")
    axes = tuple(i for i in range(nd) if i != d)
    return Renorm.apply(input, float(p), axes, float(maxnorm))


def renorm_(input, p, dim, maxnorm):
    """In-place :func:`renorm`: writes into ``input`` and returns it."""
    return commit(input, renorm(input, p, dim, maxnorm))
