"""The in-place steps of PyTorch's single-tensor optimizer updates, on backend arrays, with the
roundings of PyTorch's CPU kernels (measured on PyTorch 2.13): ``add(other, alpha=a)``,
``lerp`` and ``addcmul`` compute their last ``a * b + c`` as one fused multiply-add (float32
and float64), ``addcdiv`` rounds the quotient before adding, and a Python scalar enters a
kernel rounded to the tensor's dtype. Every fused step goes through the one shared
:func:`~reftorch._ops._special_kernels.fma`."""
from __future__ import annotations

from .._ops._special_kernels import fma

__all__ = ["add_", "added", "addcmul_", "lerp_", "sqrt"]


def _scalar(xp, like, value):
    """A Python number as a 0-d array of ``like``'s dtype (rounded as PyTorch converts it)."""
    return xp.asarray(value, dtype=like.dtype, device=like.device)


def added(xp, x, other, alpha):
    """``x.add(other, alpha=alpha)``: ``alpha * other + x`` rounded once (complex: plainly)."""
    if xp.isdtype(x.dtype, "complex floating"):
        return x + other * alpha
    return fma(xp, other, _scalar(xp, other, alpha), x)


def add_(xp, x, other, alpha):
    """``x.add_(other, alpha=alpha)`` in place."""
    x[...] = added(xp, x, other, alpha)


def addcmul_(xp, x, t1, t2, value):
    """``x.addcmul_(t1, t2, value=value)`` in place: ``(value * t1) * t2 + x``, the product
    ``value * t1`` rounded, the rest fused."""
    x[...] = fma(xp, t1 * _scalar(xp, t1, value), t2, x)


def lerp_(xp, m, end, weight):
    """``m.lerp_(end, weight)`` in place with a number ``weight``: PyTorch's two fused
    formulas, ``m + w*(end-m)`` for ``|w| < 0.5``, else ``end - (end-m)*(1-w)``."""
    d = end - m
    w = _scalar(xp, m, weight)
    if abs(float(w)) < 0.5:
        m[...] = fma(xp, w, d, m)
    else:
        m[...] = fma(xp, -d, 1 - w, end)


def sqrt(xp, a):
    """``a.sqrt()``, correctly rounded. (PyTorch's CPU ``sqrt`` is not: about 0.7% of its
    results come out one unit in the last place low, so the updates that take a square root
    agree with PyTorch's only to that; the tests substitute PyTorch's ``sqrt`` here to check
    that every other step is bit for bit.)"""
    return xp.sqrt(a)
