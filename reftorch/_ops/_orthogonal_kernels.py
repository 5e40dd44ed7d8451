"""Kernels of the orthogonal polynomials of ``torch.special`` (Chebyshev ``T``, ``U``,
``V``, ``W`` and their shifted forms, Hermite ``H`` and ``He``, Laguerre ``L``, Legendre
``P``), over any array namespace.

Each is PyTorch's CPU algorithm (``*_polynomial_*_forward`` in ``ATen/native/Math.h``), in
the computation dtype (float32 or float64): the degree is ``n`` in that dtype cast to an
integer as C casts it (truncated; nan, infinite and out-of-range degrees become the most
negative integer, so they give 0 like every negative degree); the closed values at the
ends of the interval; for the Chebyshev families, the trigonometric form
(``cos(n acos x)``…) inside the interval beyond a small degree; the three-term recurrence
otherwise, element by element up to its own degree (stopping once it is nan). The
recurrence is a loop of masked steps up to the largest degree that takes it, so, as in
PyTorch, its cost grows with ``n`` (Hermite's stops at PyTorch's limits, 128 in float32
and 512 in float64, beyond which the result is nan).

The C library's ``acosf``/``cosf``/``sinf`` are computed in float64 and rounded once.
Where the recurrence starts from nan (a nan ``x``), the C code returns an uninitialised
variable (whatever the register held: 0, tiny numbers...); these kernels return nan.
"""
from __future__ import annotations

import math

from .._fma import fma
from ._special_kernels import _c, libm


def degree(b, n):
    """``static_cast<int64_t>(n)`` of a floating array: truncated toward 0; nan, ``±inf``
    and values beyond the int64 range give a negative degree (x86's ``INT64_MIN``)."""
    xp = b.xp
    ok = (n == n) & (xp.abs(n) < 2.0 ** 63)
    return xp.astype(xp.trunc(xp.where(ok, n, _c(xp, -1.0, n))), xp.int64)


def _f(xp, k, like):
    """The integer array ``k`` as a float array of ``like``'s dtype (C's int64 -> T)."""
    return xp.astype(k, like.dtype)


def _recurrence(xp, step, p, q, first, last, active, stride=1):
    """``for k = first, first + stride, ... <= last (per element), while q is not nan:
    p, q = q, step(k, p, q)``; returns ``q`` (the C code's ``r``) where ``active``."""
    k = first
    active = active & (last >= k) & ~xp.isnan(q)
    while bool(xp.any(active)):
        r = step(k, p, q)
        p, q = xp.where(active, q, p), xp.where(active, r, q)
        k += stride
        active = active & (last >= k) & ~xp.isnan(q)
    return q


def _odd(k):
    return (k % 2) != 0


def _signed(xp, k, value, like):
    """``value`` (an integer array) for even ``k``, ``-value`` for odd, in ``like``'s dtype."""
    v = _f(xp, value, like)
    return xp.where(_odd(k), -v, v)


def _chebyshev(b, x, n, kind, shifted):
    """Chebyshev ``T``/``U``/``V``/``W`` (``kind``) at ``x``, or the shifted polynomial at
    ``x`` (``y = 2x - 1`` in the recurrence and the trigonometric form, the end values at
    ``x = 1`` and ``x = 0``)."""
    xp = b.xp
    k = degree(b, n)
    one = xp.ones_like(x)
    y = (x + x - 1.0) if shifted else x
    # the recurrence p_k = 2y p_(k-1) - p_(k-2), from p_0 = 1 and p_1:
    first = {"t": y, "u": y + y, "v": y + y - 1.0, "w": y + y + 1.0}[kind]
    threshold = (6 if shifted and kind != "w" else 4 if shifted else 6 if kind == "t" else 8)
    inside = (k > threshold) & (xp.abs(y) < 1.0)
    if shifted:
        at_hi, at_lo = x == 1.0, x == 0.0
    else:
        at_hi, at_lo = (xp.abs(x) == 1.0) & (x > 0), (xp.abs(x) == 1.0) & ~(x > 0)
    ends = at_hi | at_lo
    steps = _recurrence(xp, lambda _, p, q: fma(xp, y + y, q, -p), one, first, 2, k, (k >= 2) & ~ends & ~inside)
    r = xp.where(k == 1, first, xp.where(k == 0, one, steps))
    theta = libm(b, xp.acos, xp.where(inside, y, _c(xp, 0.5, x)))
    kf = _f(xp, k, x)
    odd_sign = xp.where(_odd(k), -one, one)
    if kind == "t":
        trig = libm(b, xp.cos, kf * theta)
        hi, lo = one, odd_sign
    elif kind == "u":
        s = libm(b, xp.sin, theta)
        k1 = kf + 1.0  # ((n + 1) as T)
        on_line = k1 * libm(b, xp.cos, k1 * theta) / y
        trig = xp.where(s != 0, libm(b, xp.sin, k1 * theta) / s, on_line)
        hi, lo = _f(xp, k + 1, x), _signed(xp, k, k + 1, x)
    elif kind == "v":
        half = theta / 2.0
        trig = xp.where(libm(b, xp.sin, half) != 1.0,
                        libm(b, xp.cos, (kf + 0.5) * theta) / libm(b, xp.cos, half), _signed(xp, k, k + k + 1, x))
        hi, lo = one, _signed(xp, k, k + k + 1, x)
    else:
        half = theta / 2.0
        flat = odd_sign if shifted else xp.where(x > 0, _f(xp, k + k + 1, x), odd_sign)
        trig = xp.where(libm(b, xp.cos, half) != 1.0,
                        libm(b, xp.sin, (kf + 0.5) * theta) / libm(b, xp.sin, half), flat)
        hi, lo = _f(xp, k + k + 1, x), odd_sign
    r = xp.where(inside, trig, r)
    r = xp.where(at_hi, hi, xp.where(at_lo, lo, r))
    return xp.where(k < 0, xp.zeros_like(x), r)


def chebyshev_polynomial_t(b, x, n):
    return _chebyshev(b, x, n, "t", False)


def chebyshev_polynomial_u(b, x, n):
    return _chebyshev(b, x, n, "u", False)


def chebyshev_polynomial_v(b, x, n):
    return _chebyshev(b, x, n, "v", False)


def chebyshev_polynomial_w(b, x, n):
    return _chebyshev(b, x, n, "w", False)


def shifted_chebyshev_polynomial_t(b, x, n):
    return _chebyshev(b, x, n, "t", True)


def shifted_chebyshev_polynomial_u(b, x, n):
    return _chebyshev(b, x, n, "u", True)


def shifted_chebyshev_polynomial_v(b, x, n):
    return _chebyshev(b, x, n, "v", True)


def shifted_chebyshev_polynomial_w(b, x, n):
    return _chebyshev(b, x, n, "w", True)


def _hermite(b, x, n, physicists):
    """Hermite ``H`` (``physicists``: ``H_k = 2x H_(k-1) - 2(k-1) H_(k-2)``) or ``He``
    (``He_k = x He_(k-1) - (k-1) He_(k-2)``); nan beyond PyTorch's degree limit."""
    xp = b.xp
    k = degree(b, n)
    one = xp.ones_like(x)
    limit = 512 if x.dtype == xp.float64 else 128
    run = (k >= 2) & (k <= limit)
    if physicists:  # (the C loop: j = 2, 4, ... < 2n, r = 2x q - j p)
        first = x + x
        steps = _recurrence(xp, lambda j, p, q: fma(xp, x + x, q, -(j * p)), one, first, 2, k + k - 1, run, stride=2)
    else:  # (j = 1 ... n - 1, r = x q - j p)
        first = x
        steps = _recurrence(xp, lambda j, p, q: fma(xp, x, q, -(j * p)), one, first, 1, k - 1, run)
    r = xp.where(k > limit, _c(xp, math.nan, x), steps)
    r = xp.where(k == 1, first, xp.where(k == 0, one, r))
    return xp.where(k < 0, xp.zeros_like(x), r)


def hermite_polynomial_h(b, x, n):
    return _hermite(b, x, n, True)


def hermite_polynomial_he(b, x, n):
    return _hermite(b, x, n, False)


def laguerre_polynomial_l(b, x, n):
    """Laguerre ``L``: 1 at ``x = 0``; ``L_(j+1) = ((2j + 1 - x) L_j - j L_(j-1)) / (j + 1)``."""
    xp = b.xp
    k = degree(b, n)
    one = xp.ones_like(x)
    first = 1.0 - x
    steps = _recurrence(xp, lambda j, p, q: fma(xp, (j + j) + (1.0 - x), q, -(j * p)) / (j + 1), one, first, 1, k - 1,
                        (k >= 2) & (x != 0))
    r = xp.where(k == 1, first, xp.where(k == 0, one, steps))
    r = xp.where(xp.abs(x) == 0.0, one, r)
    return xp.where(k < 0, xp.zeros_like(x), r)


def legendre_polynomial_p(b, x, n):
    """Legendre ``P``: ``±1`` at ``x = ±1``; ``P_(j+1) = ((2j + 1) x P_j - j P_(j-1)) / (j + 1)``."""
    xp = b.xp
    k = degree(b, n)
    one = xp.ones_like(x)
    steps = _recurrence(xp, lambda j, p, q: fma(xp, (j + j + 1) * x, q, -(j * p)) / (j + 1), one, x, 1, k - 1,
                        (k >= 2) & (xp.abs(x) != 1.0))
    r = xp.where(k == 1, x, xp.where(k == 0, one, steps))
    ends = xp.abs(x) == 1.0
    r = xp.where(ends, xp.where((x > 0) | ~_odd(k), one, -one), r)
    return xp.where(k < 0, xp.zeros_like(x), r)
