"""The fused multiply-add ``a * b + c`` rounded once, emulated: the one place reftorch does it.

PyTorch's CPU kernels are compiled with FMA contraction (GCC's ``-mfma`` with
``-ffp-contract=fast`` for the AVX2 kernels, ``std::fma`` and ``Vectorized::fmadd`` where
written out), so ``add(other, alpha=a)``, ``lerp``, ``addcmul``, the SGD step, the
normalisation layers' ``x * scale + shift``, ``uniform_``/``normal_``'s ``val * std + mean``,
``arange``/``linspace``'s ``start + step * i`` and many polynomial steps round once where
NumPy's ``a * b + c`` rounds twice. Neither NumPy nor the array API standard has an FMA, so
each caller picks the variant below that fits its need:

========================  ==========  ===========================  ===========================
variant                   arrays      float32 (float16)            float64
========================  ==========  ===========================  ===========================
:func:`fma_wide`          any ``xp``  in float64, rounded once to  unfused ``a * b + c``
                                      the dtype ("wide")           (two roundings)
:func:`fma`               any ``xp``  as :func:`fma_wide`          Dekker + TwoSum,
                                                                   plain where not finite
:func:`fma32`             NumPy       correctly rounded (normal    -
                                      range), chunked, ``out=``
:func:`fma64`             NumPy       -                            :func:`fma` (+ a shortcut)
========================  ==========  ===========================  ===========================

What each guarantees (``tests/test_fma.py`` checks it against exact rational arithmetic):

* **float32 "wide"** (:func:`fma_wide`, :func:`fma`): the product of two float32 numbers
  is exact in float64 (48 significant bits, exponents far inside float64's range), so only
  the float64 sum rounds before the final rounding to float32. The result is the correctly
  rounded one except where that float64 sum lands exactly on a float32 rounding midpoint
  while the exact value does not (then the exact value lies within 2**-30 float32 ulp of
  the midpoint, on the side round-half-even did not pick, and the result is one ulp off).
  For random operands that is about one element in 2**29: rare, but the RNG's streams
  must be PyTorch's bit for bit, so it uses :func:`fma32`. Signed zeros, infinities, nan and
  overflow are exactly IEEE's. Cost: three conversions to float64, a multiply, an add and
  a conversion back.
* **float32 exact** (:func:`fma32`, NumPy arrays only): the wide form, plus a check of the
  low 29 bits of each float64 sum; at a midpoint the sum's exact error (TwoSum) decides
  which way to nudge it, so the rounding to float32 goes the way a single rounding goes.
  Correctly rounded wherever the result is a normal float32 number; a result in float32's
  subnormal range keeps the wide form's midpoint caveat. Cost: about the wide form's
  plus one bitwise pass (the midpoints are rare and fixed apart).
* **float64** (:func:`fma`, :func:`fma64`): Dekker's exact product ``a * b = p + e``
  (Veltkamp's split into 26-bit halves) and Knuth's exact sum ``p + c = s + t``, then
  ``s + (t + e)``: correctly rounded except

  (i) where rounding ``t + e`` makes ``s + (t + e)`` an exact float64 midpoint that
  ``s + t + e`` was not (the exact value within 2**-50 ulp of a midpoint): one ulp off;
  rare, but constructible (``2**-53 * (1 + 2**-52) * (1 - 2**-52) + (1 + 2**-52)``);
  (ii) where ``|a * b|`` is below about 2**-969, so that its error term ``e`` is not a
  float64 number any more: at most 2**-1074 (one subnormal ulp) off, zeros included;
  (iii) where an intermediate overflows (``|a|`` or ``|b|`` from about 2**997, where the
  split overflows, or the rounded product) or an operand is not finite: there the plain
  ``a * b + c``: IEEE's infinities and nans, two roundings otherwise; an overflowing
  product that ``c`` would bring back stays infinite. An infinite ``c`` with finite
  ``a``, ``b`` is the result itself, as for an FMA (``fma(max, max, -inf) == -inf``,
  where the plain form's overflowing ``inf - inf`` would be nan).

  Exact zero results have IEEE's sign (``-0 * x + -0`` is ``-0``): the error terms are
  added as ``s - (0 - (t + e))``, which leaves ``s``, the rounded ``p + c`` with its IEEE
  sign, as it is when they are zero (``s + (+0)`` would turn ``-0`` into ``+0``).

  Cost: about 20 float64 operations, an ``isfinite`` and an ``all`` (and where some
  result is not finite, the fallback: a few more operations and ``where`` s).
* **float64 unfused** (:func:`fma_wide`): ``a * b + c`` as NumPy computes it, two
  roundings. PyTorch fuses these too; callers use it where the emulation is not worth its
  cost (see each caller's docstring).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["fma", "fma_wide", "fma32", "fma64", "split", "product_error", "two_sum"]

_VELTKAMP = 134217729.0  # 2**27 + 1: splits a float64 into two halves of 26 bits
_CHUNK = 16 * 2048  # elements per block of fma32: the float64 temporaries stay in cache
_MIDPOINT_MASK = np.uint64(0x1FFFFFFF)  # the 29 float64 bits a rounding to float32 drops
_MIDPOINT = np.uint64(0x10000000)  # ...which read this at a float32 rounding midpoint


# ------------------------------------------------------------------ error-free transforms
# Plain arithmetic: they work on arrays of any namespace and on Python floats alike.
def split(v):
    """Veltkamp's split of float64 ``v`` into ``hi + lo`` (each of 26 significant bits, so
    that their products are exact). ``hi`` is nan where ``2**27 * v`` overflows."""
    t = _VELTKAMP * v
    hi = t - (t - v)
    return hi, v - hi


def product_error(a, b, p):
    """``a * b - p`` exactly, for float64 ``a``, ``b`` and their rounded product ``p`` (Dekker's
    TwoProduct). Exact while nothing overflows and ``a * b`` is above about 2**-969."""
    ah, al = split(a)
    bh, bl = split(b)
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl


def two_sum(a, b):
    """``(s, t)`` with ``s = a + b`` rounded and ``s + t == a + b`` exactly (Knuth's
    TwoSum: no condition on the operands' order), while nothing overflows."""
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


# ----------------------------------------------------------------- array-namespace forms
def fma_wide(xp, a, b, c):
    """``a * b + c`` computed in float64 and rounded once to ``a``'s dtype: one rounding
    for float32 (and float16) arrays but at float32 midpoints (module docstring), two
    (unfused) for float64 arrays. ``a``, ``b``, ``c``: arrays of ``xp``, broadcastable.

    The cheap form, for kernels that PyTorch fuses in float32: the normalisation layers'
    ``x * scale + shift`` and Welford steps (``RowwiseMoments``, emulated for the rows
    whose moments overflow only; its float64 steps stay unfused there, as they were
    written)."""
    if a.dtype == xp.float64:
        return a * b + c
    wide = xp.float64
    return xp.astype(xp.astype(a, wide) * xp.astype(b, wide) + xp.astype(c, wide), a.dtype)


def fma(xp, a, b, c):
    """``a * b + c`` rounded once in ``a``'s dtype: float32 (float16) as :func:`fma_wide`,
    float64 by error-free transforms (Dekker's product, Knuth's sum), the plain ``a * b +
    c`` where that is not finite. Guarantees and exceptions: the module docstring.

    ``a``: an array of ``xp``; ``b``, ``c``: arrays or (float64) numbers, broadcastable.
    Mirrors the compiler's FMA contraction of PyTorch's CPU kernels: ``add``/``sub`` with
    ``alpha``, float64 ``lerp``/``addcmul``, the SGD and Muon steps, the fused
    multiply-adds of the special functions' kernels (incomplete gamma, orthogonal
    polynomials), group norm's affine map, the upsampling (``F.interpolate``) steps."""
    if a.dtype != xp.float64:
        return fma_wide(xp, a, b, c)
    r, p = _dekker(a, b, c)
    finite = xp.isfinite(r)
    if bool(xp.all(finite)):  # (the usual case: no fallback to compute)
        return r
    return xp.where(finite, r, _plain(xp, a, b, c, p))


def _dekker(a, b, c):
    """``(r, p)``: float64 ``a * b + c`` by the error-free transforms (``r``: correct but in
    the cases of the module docstring; not finite where an intermediate overflows) and the
    rounded product ``p``, for :func:`fma`'s and :func:`fma64`'s fallbacks."""
    p = a * b
    s, t = two_sum(p, c)
    return s - (0.0 - (t + product_error(a, b, p))), p  # (s + (t + e), but zero terms keep s's sign)


def _plain(xp, a, b, c, p):
    """The fallback where the error-free transforms are not finite: ``p + c``, but ``c``
    itself where ``c`` is infinite and ``a``, ``b`` finite (an FMA's exact product is then
    finite: an overflowing ``p`` would give nan against the opposite infinity)."""
    plain = p + c
    c_inf = xp.isinf(c) if hasattr(c, "dtype") else math.isinf(c)
    if c_inf is False:
        return plain
    return xp.where(c_inf & xp.isfinite((a - a) + (b - b)), c, plain)  # (x - x: 0 if x is finite, else nan)


# --------------------------------------------------------------------------- NumPy forms
def fma32(a, b, c, out=None):
    """float32 ``a * b + c`` rounded once, correctly rounded wherever the result is a normal
    float32 number (module docstring), for NumPy arrays and numbers; ``out``: a float32
    array of the result's shape to write into (may be ``a``), else a new one.

    The float64 sum of the exact product is rounded to float32 once, except at the rare
    float32 midpoints (a look at its low bits): there its exact error (TwoSum) says which
    side the exact value lies on, and the sum is moved one float64 ulp that way first
    (an exact tie, error 0, stays and rounds half to even). Long 1-D ``a`` with number
    ``b``, ``c`` (``uniform_``'s bounds, ``normal_``'s ``std``/``mean``, ``linspace``) go
    by blocks of :data:`_CHUNK`, so that the float64 temporaries stay in cache. Mirrors the
    FMA of PyTorch's AVX2 ``uniform_``, ``normal_`` and ``linspace`` float32 kernels."""
    if np.ndim(a) == 1 and np.size(a) > _CHUNK and np.ndim(b) == 0 and np.ndim(c) == 0:
        if out is None:
            out = np.empty(np.size(a), np.float32)
        for start in range(0, out.size, _CHUNK):
            fma32(a[start:start + _CHUNK], b, c, out[start:start + _CHUNK])
        return out
    s = np.multiply(a, b, dtype=np.float64)  # exact; ``a`` has the shape of the result
    s += c
    at_half = np.equal(np.bitwise_and(s.view(np.uint64), _MIDPOINT_MASK), _MIDPOINT)
    if at_half.any():  # uncommon: look at the exact error of the sum for these elements
        tie = np.nonzero(at_half)

        def at_ties(v):
            return np.broadcast_to(np.asarray(v, np.float64), s.shape)[tie]

        ss, err = two_sum(at_ties(a) * at_ties(b), at_ties(c))  # (ss: the same sum as s[tie])
        s[tie] = np.nextafter(ss, np.where(err == 0, ss, np.copysign(np.inf, err)))
    if out is None:
        return s.astype(np.float32)
    out[...] = s
    return out


def fma64(a, b, c):
    """float64 ``a * b + c`` rounded once, for NumPy arrays and numbers: :func:`fma` (its
    fallback's ``where`` only when some value needs it), with the common ``b == 1``, ``c ==
    0`` of ``normal_`` as the one exact addition ``a + 0`` (which turns ``-0`` into ``+0``,
    as an FMA does). Mirrors the FMA of PyTorch's ``uniform_``, ``normal_``, ``cauchy_``,
    ``arange`` and ``linspace`` float64 kernels."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    if b.ndim == 0 and c.ndim == 0 and b == 1.0 and c == 0:  # (0-d tests: np.any costs ~2 us)
        return a + c
    r, p = _dekker(a, b, c)
    finite = np.isfinite(r)
    return r if finite.all() else np.where(finite, r, _plain(np, a, b, c, p))  # (the where only when needed)
