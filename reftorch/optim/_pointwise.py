"""In-place steps of PyTorch's single-tensor optimizer updates, on backend arrays, with the
roundings of PyTorch's CPU kernels: ``add(other, alpha=a)`` computes ``alpha * other + x``
as one fused multiply-add (float32 and float64), a Python scalar entering the kernel rounded
to the tensor's dtype: the Tensor-level ``add``'s own kernel.

Used by SGD, whose every step is such an ``add``: its updates are PyTorch's bit for bit.
(The other optimizers' ``lerp`` / ``addcmul`` / ``add(alpha)`` steps stay two roundings:
fused in float32 they cost about twice Adam's step time; see ``docs/en/train/optim.md``.)"""
from __future__ import annotations

from .._ops.pointwise import _scaled_sum

__all__ = ["add_", "added"]


def added(backend, x, other, alpha):
    """``x.add(other, alpha=alpha)``: as the Tensor-level ``add`` computes it
    (:func:`~reftorch._ops.pointwise._scaled_sum`: ``alpha * other + x`` rounded once)."""
    if alpha == 1:  # (one rounding anyway)
        return x + other
    return _scaled_sum(backend, backend._from_native[x.dtype], x, other, alpha)


def add_(backend, x, other, alpha):
    """``x.add_(other, alpha=alpha)`` in place."""
    if alpha == 1:
        x += other
    else:
        x[...] = added(backend, x, other, alpha)
