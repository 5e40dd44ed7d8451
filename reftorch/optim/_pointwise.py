"""The in-place steps of PyTorch's single-tensor optimizer updates, on backend arrays, with the
roundings of PyTorch's CPU kernels (measured on PyTorch 2.13): ``add(other, alpha=a)``,
``lerp`` and ``addcmul`` compute their last ``a * b + c`` as one fused multiply-add (float32
and float64), ``addcdiv`` rounds the quotient before adding, and a Python scalar enters a
kernel rounded to the tensor's dtype. Every fused step goes through the one shared
:func:`~reftorch._ops._special_kernels.fma`, on blocks of a large array that stay in the
CPU's cache (its float64 form takes some twenty passes)."""
from __future__ import annotations

from .._ops._common import by_element_blocks
from .._ops._special_kernels import fma

__all__ = ["add_", "added", "addcmul_", "lerp_", "sqrt"]


def _scalar(xp, like, value):
    """A Python number as a 0-d array of ``like``'s dtype (rounded as PyTorch converts it)."""
    return xp.asarray(value, dtype=like.dtype, device=like.device)


def _fma(backend, a, b, c):
    """``a * b + c`` rounded once (arrays of one shape, or 0-d)."""
    xp = backend.xp
    return by_element_blocks(backend, lambda a, b, c: fma(xp, a, b, c), [a, b, c])


def added(backend, x, other, alpha):
    """``x.add(other, alpha=alpha)``: ``alpha * other + x`` rounded once (complex: plainly)."""
    xp = backend.xp
    if xp.isdtype(x.dtype, "complex floating"):
        return x + other * alpha
    return _fma(backend, other, _scalar(xp, other, alpha), x)


def add_(backend, x, other, alpha):
    """``x.add_(other, alpha=alpha)`` in place."""
    x[...] = added(backend, x, other, alpha)


def addcmul_(backend, x, t1, t2, value):
    """``x.addcmul_(t1, t2, value=value)`` in place: ``(value * t1) * t2 + x``, the product
    ``value * t1`` rounded, the rest fused."""
    x[...] = _fma(backend, t1 * _scalar(backend.xp, t1, value), t2, x)


def lerp_(backend, m, end, weight):
    """``m.lerp_(end, weight)`` in place with a number ``weight``: PyTorch's two fused
    formulas, ``m + w*(end-m)`` for ``|w| < 0.5``, else ``end - (end-m)*(1-w)``."""
    d = end - m
    w = _scalar(backend.xp, m, weight)
    if abs(float(w)) < 0.5:
        m[...] = _fma(backend, w, d, m)
    else:
        m[...] = _fma(backend, -d, 1 - w, end)


def sqrt(xp, a):
    """``a.sqrt()``, correctly rounded. (PyTorch's CPU ``sqrt`` is not: about 0.7% of its
    results come out one unit in the last place low, so the updates that take a square root
    agree with PyTorch's only to that; the tests substitute PyTorch's ``sqrt`` here to check
    that every other step is bit for bit.)"""
    return xp.sqrt(a)
