"""In-place steps of PyTorch's single-tensor optimizer updates, on backend arrays, with the
roundings of PyTorch's CPU kernels: ``add(other, alpha=a)`` computes ``alpha * other + x``
as one fused multiply-add (float32 and float64), a Python scalar entering the kernel rounded
to the tensor's dtype. The fused step goes through the one shared
:func:`~reftorch._ops._special_kernels.fma`, on cache-sized blocks of a large array.

Used by SGD, whose every step is such an ``add``: its updates are PyTorch's bit for bit.
(The other optimizers' ``lerp`` / ``addcmul`` / ``add(alpha)`` steps stay two roundings:
fused in float32 they cost about twice Adam's step time; see ``docs/en/train/optim.md``.)"""
from __future__ import annotations

from .._ops._common import by_element_blocks
from .._ops._special_kernels import fma

__all__ = ["add_", "added"]


def added(backend, x, other, alpha):
    """``x.add(other, alpha=alpha)``: ``alpha * other + x`` rounded once (complex: plainly)."""
    xp = backend.xp
    if alpha == 1 or xp.isdtype(x.dtype, "complex floating"):  # (alpha 1: one rounding anyway)
        return x + other * alpha if alpha != 1 else x + other
    scale = xp.asarray(alpha, dtype=other.dtype, device=other.device)  # rounded as PyTorch converts it
    return by_element_blocks(backend, lambda o, s, a: fma(xp, o, s, a), [other, scale, x])


def add_(backend, x, other, alpha):
    """``x.add_(other, alpha=alpha)`` in place."""
    if alpha == 1:
        x += other
    else:
        x[...] = added(backend, x, other, alpha)
