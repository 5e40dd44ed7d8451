"""The fused multiply-add emulation (:mod:`reftorch._fma`) against exact rational arithmetic.

Each variant's result is compared with ``a * b + c`` computed exactly (``Fraction``) and
rounded once to the dtype (round half to even, IEEE's zeros, infinities and nans), on random
operands and on adversarial ones: results next to a rounding midpoint (where a double
rounding goes wrong), exact midpoints, huge and tiny magnitudes, subnormal results,
infinities, nans and signed zeros. Where a variant is documented not to be correctly
rounded, the test checks that it differs only there, and that such inputs exist (so that
the documentation's caveat is a fact, not a guess). The last tests compare callers whose
results changed with the emulation's move (``arange``/``linspace`` with huge float64
values) against PyTorch.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch

import reftorch
from reftorch import _fma

F32, F64 = np.float32, np.float64
F64_MAX = float(np.finfo(F64).max)


# ------------------------------------------------------------------ the exact reference
def _grid(q, dtype):
    """For a Fraction ``q > 0``: ``(n, rem, quantum)`` with ``q = (n + rem) * quantum``,
    ``quantum`` the spacing of ``dtype``'s numbers around ``q`` (its subnormal spacing
    below the normal range) and ``0 <= rem < 1``."""
    info = np.finfo(dtype)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    e = max(e, info.minexp)
    quantum = Fraction(2) ** (e - info.nmant)
    n = q // quantum
    return n, q / quantum - n, quantum


def _round(q, dtype):
    """The Fraction ``q`` rounded once to ``dtype`` (half to even; beyond the largest
    finite number: an infinity), as a NumPy scalar; 0 keeps the sign given by the caller."""
    if q == 0:
        return dtype(0)
    n, rem, quantum = _grid(abs(q), dtype)
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and n % 2):
        n += 1
    v = n * quantum
    top = Fraction(2) ** np.finfo(dtype).maxexp
    r = dtype(np.inf) if v >= top else dtype(float(v))
    return -r if q < 0 else r


def exact_fma(a, b, c, dtype):
    """``a * b + c`` rounded once to ``dtype``, the IEEE way for every input."""
    a, b, c = (float(v) for v in (a, b, c))
    if math.isnan(a) or math.isnan(b) or math.isnan(c):
        return dtype(np.nan)
    if math.isinf(a) or math.isinf(b):
        if a == 0 or b == 0:
            return dtype(np.nan)  # inf * 0
        p = math.copysign(math.inf, a) * math.copysign(1.0, b)
        return dtype(np.nan) if math.isinf(c) and c != p else dtype(p)
    if math.isinf(c):
        return dtype(c)
    q = Fraction(a) * Fraction(b) + Fraction(c)
    if q == 0:
        product_negative = (math.copysign(1.0, a) * math.copysign(1.0, b)) < 0
        if (a == 0 or b == 0) and c == 0 and product_negative and math.copysign(1.0, c) < 0:
            return dtype(-0.0)  # -0 + -0
        return dtype(0.0)  # x + (-x) and +0 + -0: +0 when rounding to nearest
    r = _round(q, dtype)
    return r if r != 0 else dtype(math.copysign(0.0, q))  # underflow keeps the sign


def _same(x, y):
    """The same number, zeros by sign, every nan alike."""
    x, y = float(x), float(y)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def _distance_to_midpoint(q, dtype):
    """How far the Fraction ``q`` is from the nearest rounding midpoint of ``dtype``, in
    units of ``dtype``'s spacing there (0: ``q`` is a midpoint)."""
    _, rem, _ = _grid(abs(q), dtype)
    return abs(rem - Fraction(1, 2))


def _mismatches(fn, a, b, c, dtype):
    got = fn(a, b, c)
    bad = []
    for i in range(len(a)):
        want = exact_fma(a[i], b[i], c[i], dtype)
        if not _same(got[i], want):
            bad.append((i, got[i], want))
    return bad


# ------------------------------------------------------------------------ the operands
def _random(dtype, n, seed, spread):
    """``n`` operand triples: random significands, ``a``'s and ``b``'s exponents within
    ``spread`` of 0, ``c`` of the product's size give or take 40 binades (so that the sum
    rounds, cancels and carries), random signs."""
    rng = np.random.default_rng(seed)
    bits = np.finfo(dtype).nmant

    def values(exps):
        m = 1 + rng.integers(0, 2 ** bits, n) / 2.0 ** bits
        return (rng.choice([-1.0, 1.0], n) * np.ldexp(m, exps)).astype(dtype)

    ea, eb = rng.integers(-spread, spread + 1, n), rng.integers(-spread, spread + 1, n)
    return values(ea), values(eb), values(ea + eb + rng.integers(-40, 41, n))


def _near_midpoints(dtype, n, seed):
    """Triples whose exact ``a * b + c`` lies just off (``h * (1 - 2**-2k)``, ``k`` the
    dtype's fraction bits) or exactly on (``h``) the midpoint ``c +- h`` of ``c`` and a
    neighbour (``h``: half of ``c``'s spacing), every sign: where rounding first to a wider
    format, or rounding an error term, lands on the midpoint, and half to even then may
    pick the wrong side."""
    rng = np.random.default_rng(seed)
    k = np.finfo(dtype).nmant
    c = _random(dtype, n, seed, 20)[2]
    c = np.where(np.abs(c) < np.finfo(dtype).tiny * 2.0 ** (k + 2), dtype(1.5), c)
    h = (np.spacing(np.abs(c)) / 2).astype(dtype) * rng.choice([-1.0, 1.0], n).astype(dtype)
    on = rng.random(n) < 0.2
    a = np.where(on, h, h * dtype(1 + 2.0 ** -k))
    b = np.where(on, dtype(1), dtype(1 - 2.0 ** -k))
    return a.astype(dtype), b.astype(dtype), c.astype(dtype)


def _specials(dtype):
    """Every triple of a few special values: signed zeros, ones, infinities, nan, the
    largest and the smallest (subnormal) numbers."""
    info = np.finfo(dtype)
    vals = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, float(info.max), -float(info.max),
            float(info.smallest_subnormal), -float(info.smallest_subnormal), 0.5, float(info.tiny)]
    grid = np.array(np.meshgrid(vals, vals, vals, indexing="ij"), dtype=dtype).reshape(3, -1)
    return grid[0], grid[1], grid[2]


def _extremes(dtype, n, seed):
    """Huge and tiny magnitudes: products that overflow or underflow the dtype (and that a
    ``c`` brings back), results in the subnormal range."""
    info = np.finfo(dtype)
    rng = np.random.default_rng(seed)
    a, b, c = _random(dtype, n, seed, 1)
    big, small = info.maxexp, -info.minexp + info.nmant
    ea = rng.integers(-small // 2 - 4, big // 2 + 4, n)
    eb = np.where(rng.random(n) < 0.5, ea, -ea + rng.integers(-3 * info.nmant, 4, n))
    ec = np.clip(ea + eb + rng.integers(-3, 4, n), -small, big - 1)
    with np.errstate(all="ignore"):
        a, b = np.ldexp(a, ea).astype(dtype), np.ldexp(b, eb).astype(dtype)
        c = np.ldexp(c, ec).astype(dtype)
    return a, b, c


def _wide32(a, b, c):
    return _fma.fma_wide(np, a, b, c)


def _fma_xp(a, b, c):
    return _fma.fma(np, a, b, c)


# -------------------------------------------------------------------------------- float32
@pytest.mark.parametrize("seed", range(3))
def test_float32_random(seed):
    """Random operands: every variant correctly rounded (a midpoint is too rare to meet)."""
    a, b, c = _random(F32, 4000, seed, 40)
    for fn in (_fma.fma32, _wide32, _fma_xp):
        assert _mismatches(fn, a, b, c, F32) == []


def test_float32_specials():
    """Zeros by sign, infinities, nan, the largest and smallest numbers: IEEE's results."""
    a, b, c = _specials(F32)
    with np.errstate(all="ignore"):
        for fn in (_fma.fma32, _wide32, _fma_xp):
            assert _mismatches(fn, a, b, c, F32) == []


@pytest.mark.parametrize("seed", range(2))
def test_float32_extremes(seed):
    """Products beyond float32's range brought back by ``c`` (exact in float64), subnormal
    results: correctly rounded by every variant (the subnormal midpoints of the wide form
    are rare: see :func:`test_float32_wide_differs_at_midpoints_only`)."""
    a, b, c = _extremes(F32, 4000, seed)
    with np.errstate(all="ignore"):
        for fn in (_fma.fma32, _wide32, _fma_xp):
            assert _mismatches(fn, a, b, c, F32) == []


def test_float32_wide_differs_at_midpoints_only():
    """Results next to a float32 midpoint: :func:`fma32` is correctly rounded; the wide
    form (:func:`fma_wide`, and :func:`fma` for float32) is one ulp off where the float64
    sum falls on the midpoint (the exact value within 2**-30 ulp of it), and only there.
    Such inputs are real: the test asserts some of its inputs meet them."""
    a, b, c = _near_midpoints(F32, 3000, 0)
    assert _mismatches(_fma.fma32, a, b, c, F32) == []
    bad = _mismatches(_wide32, a, b, c, F32)
    assert len(bad) > 100  # (about a third of the triples that are near, not on, a midpoint)
    for i, got, want in bad:
        s = Fraction(float(np.float64(a[i]) * np.float64(b[i]) + np.float64(c[i])))
        exact = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
        assert _distance_to_midpoint(s, F32) == 0
        assert 0 < _distance_to_midpoint(exact, F32) <= Fraction(1, 2 ** 30)
        assert abs(float(got) - float(want)) == np.spacing(np.minimum(abs(got), abs(want)))
    assert _mismatches(_fma_xp, a, b, c, F32) == bad


def test_float32_subnormal_midpoints():
    """A result in float32's subnormal range next to a midpoint: the documented limit of
    :func:`fma32`'s midpoint check (written for normal results), which then rounds as the
    wide form does, one ulp off. Here ``a * b = -2**-150 * (1 - 2**-46)`` and ``c = (2**9 +
    1) * 2**-149`` (odd): the exact value is just above the midpoint below ``c``."""
    a = np.array([2.0 ** -75 * (1 + 2.0 ** -23)], F32)
    b = np.array([-2.0 ** -75 * (1 - 2.0 ** -23)], F32)
    c = np.array([2.0 ** -140 + 2.0 ** -149], F32)
    assert exact_fma(a[0], b[0], c[0], F32) == c[0]
    assert _fma.fma32(a, b, c)[0] == _wide32(a, b, c)[0] == F32(2.0 ** -140)


def test_fma32_blocks_and_out():
    """Long 1-D operands with number ``b``, ``c`` go by blocks; ``out`` (possibly ``a``)
    receives the same values."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(3 * _fma._CHUNK + 5).astype(F32)
    want = np.array([exact_fma(v, F32(1.7), F32(-0.3), F32) for v in a[::97]], F32)
    got = _fma.fma32(a, F32(1.7), F32(-0.3))
    assert np.array_equal(got[::97], want)
    assert np.array_equal(_fma.fma32(a[:1000], F32(1.7), F32(-0.3)), got[:1000])
    out = a.copy()
    assert _fma.fma32(out, F32(1.7), F32(-0.3), out) is out
    assert np.array_equal(out, got)


# -------------------------------------------------------------------------------- float64
@pytest.mark.parametrize("seed", range(3))
def test_float64_random(seed):
    """Random operands: :func:`fma` and :func:`fma64` correctly rounded; the unfused form is
    not (it is not meant to be)."""
    a, b, c = _random(F64, 4000, seed, 200)
    assert _mismatches(_fma_xp, a, b, c, F64) == []
    assert _mismatches(_fma.fma64, a, b, c, F64) == []
    assert len(_mismatches(lambda a, b, c: _fma.fma_wide(np, a, b, c), a, b, c, F64)) > 100


def _float64_caveat(a, b, c, got, want):
    """Which documented exception of the float64 :func:`fma` explains ``got != want``
    (None: none does). ``"tiny product"``: ``|a * b|`` below 2**-969, whose error term is
    not a float64 number: one subnormal ulp (2**-1074) off at most, the sign of a zero
    included; ``"overflow"``: an intermediate overflows (``|a|`` or ``|b|`` from about
    2**997, or the rounded product), the plain ``a * b + c`` (infinite where ``c`` would
    have brought it back)."""
    got, want = float(got), float(want)
    a, b, c = float(a), float(b), float(c)
    if not all(math.isfinite(v) for v in (a, b)):
        return None
    if max(abs(a), abs(b)) > 2.0 ** 996 or not math.isfinite(a * b):
        with np.errstate(all="ignore"):
            plain = np.float64(a) * np.float64(b) + np.float64(c)
        return "overflow" if _same(got, plain) else None
    if abs(Fraction(a) * Fraction(b)) < Fraction(2) ** -969 and abs(got - want) <= 2.0 ** -1074:
        return "tiny product"
    return None


def _float64_caveats(a, b, c):
    """The mismatches of :func:`fma` (the same as :func:`fma64`'s) by caveat; fails on one
    that no caveat explains."""
    with np.errstate(all="ignore"):
        bad = _mismatches(_fma_xp, a, b, c, F64)
        assert [m[0] for m in _mismatches(_fma.fma64, a, b, c, F64)] == [m[0] for m in bad]
    found = {}
    for i, got, want in bad:
        why = _float64_caveat(a[i], b[i], c[i], got, want)
        assert why is not None, (a[i], b[i], c[i], got, want)
        found[why] = found.get(why, 0) + 1
    return found


def test_float64_specials():
    """Zeros by sign, infinities, nan, the largest and smallest numbers: IEEE's results
    (``-0 * 1 + -0`` is ``-0``, ``max * max - inf`` is ``-inf``), but for the products
    below 2**-969: ``2**-1074 * 0.5 - 2**-1074`` is ``-2**-1074`` (not ``-0``), ``-2**-1074
    * 0.5 + 0`` is ``+0`` (not ``-0``)."""
    assert set(_float64_caveats(*_specials(F64))) == {"tiny product"}


@pytest.mark.parametrize("fn", [_fma_xp, _fma.fma64], ids=["fma", "fma64"])
@pytest.mark.parametrize("a,b,c", [
    (-0.0, 1.0, -0.0), (0.0, -1.5, -0.0), (-0.0, -0.0, -0.0), (-3.0, 0.0, -0.0), (1.5, 2.0, -3.0), (-1.5, 2.0, 3.0),
    (F64_MAX, F64_MAX, -np.inf), (F64_MAX, -F64_MAX, np.inf), (-F64_MAX, 2.0, np.inf), (2.0 ** 1000, 2.0 ** 30, -np.inf),
    (F64_MAX, F64_MAX, np.inf), (np.inf, 2.0, -np.inf), (np.inf, 0.0, np.inf), (2.0 ** -1074, np.inf, np.inf),
    (np.nan, 1.0, np.inf), (F64_MAX, F64_MAX, -F64_MAX),
])
def test_float64_zero_signs_and_infinite_c(fn, a, b, c):
    """Exact zero results keep IEEE's sign (``-0 * x + -0`` is ``-0``, ``x - x`` is ``+0``),
    and an infinite ``c`` with finite ``a``, ``b`` is the result even where ``a * b``
    overflows (``max * max - inf`` is ``-inf``, not ``inf - inf``); array and number
    ``c`` alike."""
    want = exact_fma(a, b, c, F64)
    with np.errstate(all="ignore"):
        got = fn(np.array([a]), np.array([b]), np.array([c]))[0]
        assert _same(got, want), (got, want)
        assert _same(fn(np.array([a]), b, c)[0], want)


@pytest.mark.parametrize("seed", range(2))
def test_float64_extremes(seed):
    """Huge and tiny magnitudes: correctly rounded but where a documented caveat applies
    (products below 2**-969 are met here; the overflowing ones all give IEEE's results)."""
    assert set(_float64_caveats(*_extremes(F64, 4000, seed))) == {"tiny product"}


def test_float64_overflow_that_c_brings_back():
    """The caveat that stays: an overflowing intermediate that ``c`` would bring back into
    range gives the plain ``a * b + c``, an infinity (the FMA: a finite number)."""
    a, b, c = np.array([F64_MAX, 2.0 ** 1000]), np.array([1.5, 2.0 ** 24]), np.array([-F64_MAX, -(2.0 ** 1023)])
    with np.errstate(all="ignore"):
        assert _float64_caveats(a, b, c) == {"overflow": 2}
    assert [exact_fma(*v, F64) for v in zip(a, b, c)] == [F64_MAX / 2, 2.0 ** 1023]


def test_float64_huge_operands_below_the_split_limit():
    """``|a|`` from 2**996 to just below 2**997: Veltkamp's split still fits float64, and
    the result is correctly rounded."""
    rng = np.random.default_rng(3)
    a = np.ldexp(1 + rng.random(500), 996)
    b = np.ldexp(1 + rng.random(500), -rng.integers(900, 1100, 500)) * rng.choice([-1, 1], 500)
    c = rng.standard_normal(500) * np.ldexp(1.0, rng.integers(-200, 20, 500))
    assert _mismatches(_fma_xp, a, b, c, F64) == []


def test_float64_differs_at_rounded_error_midpoints_only():
    """Results next to a float64 midpoint: rounding the two error terms' sum can land
    ``s + (t + e)`` on a midpoint that the exact value is not on (within 2**-50 ulp of
    it); the result is then one ulp off, and only there. The test asserts such inputs
    exist (here ``c`` with an odd last bit and ``a * b = h * (1 - 2**-104)``)."""
    a, b, c = _near_midpoints(F64, 3000, 0)
    bad = _mismatches(_fma_xp, a, b, c, F64)
    assert len(bad) > 100
    assert _mismatches(_fma.fma64, a, b, c, F64) == bad
    for i, got, want in bad:
        exact = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
        assert 0 < _distance_to_midpoint(exact, F64) <= Fraction(1, 2 ** 50)
        assert abs(got - want) == np.spacing(min(abs(got), abs(want)))
    # the constructed example of the docstring
    a, b, c = (np.array([v]) for v in (2.0 ** -53 * (1 + 2.0 ** -52), 1 - 2.0 ** -52, 1 + 2.0 ** -52))
    assert exact_fma(a[0], b[0], c[0], F64) == 1 + 2.0 ** -52
    assert _fma_xp(a, b, c)[0] == 1 + 2.0 ** -51


def test_fma64_shortcut():
    """``b == 1``, ``c == 0`` (``normal_`` with its defaults): ``a + 0``, as an FMA gives
    (``-0`` becomes ``+0``)."""
    a = np.array([-0.0, 1.5, -2.0 ** -1074, np.inf, np.nan])
    got = _fma.fma64(a, 1.0, 0.0)
    want = [exact_fma(v, 1.0, 0.0, F64) for v in a]
    assert all(_same(g, w) for g, w in zip(got, want))


def test_error_free_transforms():
    """``product_error`` and ``two_sum`` are exact, on numbers as on arrays."""
    rng = np.random.default_rng(5)
    a, b, c = _random(F64, 500, 5, 300)
    p = a * b
    e = _fma.product_error(a, b, p)
    s, t = _fma.two_sum(p, c)
    for i in range(500):
        assert Fraction(float(p[i])) + Fraction(float(e[i])) == Fraction(float(a[i])) * Fraction(float(b[i]))
        assert Fraction(float(s[i])) + Fraction(float(t[i])) == Fraction(float(p[i])) + Fraction(float(c[i]))
    x, y = 0.1, 3.0
    assert Fraction(x * y) + Fraction(_fma.product_error(x, y, x * y)) == Fraction(x) * Fraction(y)
    v = float(rng.random()) * 3.0 ** 40
    hi, lo = _fma.split(v)
    assert Fraction(hi) + Fraction(lo) == Fraction(v)
    odd = [abs(Fraction(x)).numerator for x in (hi, lo)]
    assert all((n // (n & -n)).bit_length() <= 26 for n in odd)  # halves of 26 significant bits


# -------------------------------------------------- callers changed by the move (vs PyTorch)
def _assert_close(t, r):
    """PyTorch's float64 values (``t``) to one ulp, its infinities and nans exactly."""
    assert t.dtype is torch.float64 and str(r.dtype) == "torch.float64"
    t, r = t.numpy(), r.numpy()
    finite = np.isfinite(t)
    assert np.array_equal(t[~finite], r[~finite], equal_nan=True)
    assert np.all(np.abs(t[finite] - r[finite]) <= np.spacing(np.abs(t[finite])))


@pytest.mark.parametrize("args", [(0, 1.7e308, 3.3e307), (0, 1.7e308, 1e307), (-8e307, 8e307, 1e307),
                                  (1.0, 2.0 ** 1000, 2.0 ** 996)])
def test_arange_float64_huge_steps(args):
    """A step from about 2**997 up overflows Dekker's split: the plain multiply-add there,
    so within an ulp of PyTorch's fused values (was nan)."""
    _assert_close(torch.arange(*args, dtype=torch.float64), reftorch.arange(*args, dtype=reftorch.float64))


@pytest.mark.parametrize("args", [(-1e308, 1e308, 5), (-1e308, 1e308, 40), (0.0, 1.7e308, 7), (-1.7e308, 0.0, 33)])
def test_linspace_float64_huge_ends(args):
    """Ends near the float64 limit: PyTorch's infinities and nans from the overflowing
    step, its values to an ulp (was nan everywhere)."""
    _assert_close(torch.linspace(*args, dtype=torch.float64), reftorch.linspace(*args, dtype=reftorch.float64))


def test_add_alpha_float64_huge_operand():
    """``add(other, alpha)`` with ``|other|`` between 2**996 and 2**997: the fused value."""
    rng = np.random.default_rng(7)
    other = np.ldexp(1 + rng.random(200), 996)
    x = rng.standard_normal(200) * 2.0 ** -50
    alpha = 2.0 ** -1000 * 1.2345678901234567
    t = torch.from_numpy(x).add(torch.from_numpy(other), alpha=alpha)
    r = reftorch.from_numpy(x).add(reftorch.from_numpy(other), alpha=alpha)
    assert np.array_equal(t.numpy(), r.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("weight", [0.3, 0.7, -2.5, "tensor"])
def test_lerp_float32_float16_fused(dtype, weight):
    """``lerp`` in float32 (float16: in float32, then rounded), each formula one fused
    multiply-add (:func:`fma_wide`): PyTorch's bits."""
    rng = np.random.default_rng(11)
    a, b, w = (rng.standard_normal(5000) * 2.0 ** rng.integers(-8, 8, 5000) for _ in range(3))
    a, b, w = (v.astype(dtype) for v in (a, b, w))
    a[:5], b[:5] = [0.0, -0.0, np.inf, np.nan, -np.inf], [-0.0, -0.0, np.inf, 1.0, np.inf]  # (nans' signs too)
    want, got = (lib.lerp(lib.from_numpy(a), lib.from_numpy(b), lib.from_numpy(w) if weight == "tensor" else weight)
                 .numpy() for lib in (torch, reftorch))
    bits = np.uint16 if dtype == "float16" else np.uint32
    assert got.dtype == want.dtype and np.array_equal(got.view(bits), want.view(bits))


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("value", [1, 0.37, -3.0])
def test_addcmul_float32_float16_fused(dtype, value):
    """``addcmul``: ``value * t1`` rounded to float32, then ``* t2 + input`` one fused
    multiply-add (:func:`fma_wide`): PyTorch's bits."""
    rng = np.random.default_rng(12)
    x, t1, t2 = (rng.standard_normal(5000) * 2.0 ** rng.integers(-8, 8, 5000) for _ in range(3))
    x, t1, t2 = (v.astype(dtype) for v in (x, t1, t2))
    want = torch.addcmul(torch.from_numpy(x), torch.from_numpy(t1), torch.from_numpy(t2), value=value).numpy()
    got = reftorch.addcmul(reftorch.from_numpy(x), reftorch.from_numpy(t1), reftorch.from_numpy(t2),
                           value=value).numpy()
    bits = np.uint16 if dtype == "float16" else np.uint32
    assert got.dtype == want.dtype and np.array_equal(got.view(bits), want.view(bits))


def _signed_values(t):
    """Each value with its sign (zeros by sign; nan as a string), for an exact comparison."""
    return ["nan" if math.isnan(v) else (v, math.copysign(1.0, v)) for v in t.detach().double().reshape(-1).tolist()]


def _sgd_step(T, p0, g0, lr, **kw):
    p = T.tensor(p0, dtype=T.float64, requires_grad=True)
    p.grad = T.tensor(g0, dtype=T.float64)
    T.optim.SGD([p], lr=lr, **kw).step()
    return p


@pytest.mark.parametrize("expr", [
    "T.add(z(-0.0, -0.0, 0.0), z(-0.0, 0.0, -0.0), alpha=2)", "T.sub(z(-0.0, -0.0), z(0.0, -0.0), alpha=3)",
    "T.add(z(-inf, inf), z(big, big), alpha=big)", "T.sub(z(-inf, inf), z(big, -big), alpha=big)",
    "T.addcmul(z(-0.0, -0.0), z(-0.0, 1.0), z(1.0, -0.0))", "T.addcmul(z(-inf), z(big), z(big))",
    "T.addcmul(z(-inf), z(big), z(1.0), value=big)", "T.lerp(z(-0.0, -0.0), z(-0.0, -0.0), z(0.25, 0.75))",
    "sgd(T, [-0.0, -0.0], [0.0, -0.0], 0.5)", "sgd(T, [-inf, inf], [-big, big], big)",
    "sgd(T, [-0.0, -0.0], [0.0, -0.0], 0.5, momentum=0.9)", "sgd(T, [-inf, inf], [-big, big], big, foreach=True)",
])
def test_float64_fused_ops_zero_signs_and_infinities(expr):
    """The float64 ops that go through :func:`fma` give PyTorch's signed zeros and
    infinities: ``-0 + -0 * alpha`` is ``-0``, ``-inf + max * max`` is ``-inf`` (was nan)."""
    def go(T):
        env = {"T": T, "inf": math.inf, "big": float(np.finfo(F64).max), "sgd": _sgd_step,
               "z": lambda *v: T.tensor(v, dtype=T.float64)}
        return _signed_values(eval(expr, env))
    assert go(reftorch) == go(torch)
