"""The orthogonal polynomials of torch.special against PyTorch: values over degrees and
arguments in and out of the interval (the recurrences bit for bit, the Chebyshev
trigonometric forms to a few units of the angle), the end values, PyTorch's degree rules
(truncation, negative / nan / infinite degrees, Hermite's limits), dtypes, number operands,
errors, ``out=``, and the missing gradients."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, raises_like

CHEBYSHEV = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
             "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
             "shifted_chebyshev_polynomial_w"]
RECURRENCES = ["hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]
NAMES = CHEBYSHEV + RECURRENCES
# (the C code returns an uninitialised variable for a nan x from degree 2: reftorch gives nan)
NAN_START = {"chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
             "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
             "shifted_chebyshev_polynomial_w", "laguerre_polynomial_l", "legendre_polynomial_p"}

_RNG = np.random.default_rng(7)
_ENDS = [1.0, -1.0, 0.0, 0.5, -0.5, 1e-30, np.inf, -np.inf, 3.0, -2.5]
X = np.concatenate([_RNG.uniform(-1.3, 1.3, 2500), _RNG.uniform(-0.2, 1.2, 1500), _RNG.uniform(-12, 12, 800),
                    np.repeat(_ENDS, 20)])
N = np.concatenate([_RNG.integers(-2, 45, len(X) - 40).astype(float), _RNG.uniform(0, 700, 40)])
_RNG.shuffle(N)
N[:16] = [np.nan, np.inf, -np.inf, 2.7, -0.5, 1e30, 600, 513, 512, 129, 128, 127, 9, 8, 7, 6]


def _run(name, x, n):
    expected = getattr(torch.special, name)(torch.from_numpy(x), torch.from_numpy(n)).numpy()
    got = getattr(reftorch.special, name)(reftorch.tensor(x), reftorch.tensor(n)).numpy()
    assert got.dtype == expected.dtype
    return got, expected


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_values(name, dtype):
    x, n = X.astype(dtype), N.astype(dtype)
    got, expected = _run(name, x, n)
    keep = ~(np.isnan(x) & (n >= 2)) if name in NAN_START else np.ones(len(x), bool)
    got, expected, x, n = got[keep], expected[keep], x[keep], n[keep]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    y = 2 * x - 1 if name.startswith("shifted") else x
    trig = (np.abs(y) < 1) & (n > 4) if name in CHEBYSHEV else np.zeros(len(x), bool)
    fin = np.isfinite(expected)
    # the recurrences and end values: the same bits (PyTorch's loop with its fused multiply-add)
    np.testing.assert_array_equal(got[fin & ~trig], expected[fin & ~trig])
    if name in CHEBYSHEV:  # cos(n acos y)...: the C library's acos/cos/sin against the array library's
        g, e, m = got[fin & trig], expected[fin & trig], n[fin & trig]
        bound = 64 * np.finfo(dtype).eps * (m + 1) * np.maximum(1, np.abs(e))
        assert np.all(np.abs(g - e) <= bound)
        assert np.mean(g == e) > 0.8


@pytest.mark.parametrize("name", NAMES)
def test_degrees_ends_and_nan(name):
    x = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 1.0, -1.0, 0.0, 2.0, 0.7, 0.7])
    n = np.array([-1.0, -0.5, 2.7, np.nan, np.inf, 1e30, 5.0, 5.0, 4.0, 0.0, 1.0, 12.0])
    for dtype in ("float32", "float64"):
        both(lambda T, a, m: getattr(T.special, name)(a, m), x.astype(dtype), n.astype(dtype), exact=True)
    r = getattr(reftorch.special, name)(reftorch.tensor([np.nan, np.nan, np.nan]), reftorch.tensor([0, 1, 3]))
    assert r[0].item() == 1.0 and np.isnan(r[1].item()) and np.isnan(r[2].item())


def test_hermite_limits():
    for name in ("hermite_polynomial_h", "hermite_polynomial_he"):
        for dtype in ("float32", "float64"):
            both(lambda T: getattr(T.special, name)(T.tensor([0.1] * 6, dtype=getattr(T, dtype)),
                                                    T.tensor([127, 128, 129, 511, 512, 513])), exact=True)


@pytest.mark.parametrize("name", ["chebyshev_polynomial_t", "shifted_chebyshev_polynomial_w", "hermite_polynomial_he",
                                  "legendre_polynomial_p"])
def test_dtypes_numbers_and_errors(name):
    def f(T):
        return getattr(T.special, name)
    both(lambda T: f(T)(T.tensor([0.5, 2.0]), T.tensor([3, 4])))  # float and int: float
    both(lambda T: f(T)(T.tensor([1, 2]), T.tensor([3, 3])))  # ints: the default float dtype
    both(lambda T: f(T)(T.tensor([True, False]), T.tensor([True, True])))
    both(lambda T: f(T)(T.tensor([0.5]), T.tensor([3.0], dtype=T.float64)))
    both(lambda T: f(T)(T.tensor(0.3, dtype=T.float64), T.tensor([2, 3])))
    both(lambda T: f(T)(T.tensor([0.3]), T.tensor(3, dtype=T.float64)))  # (a 0-d tensor does not promote)
    both(lambda T: f(T)(T.tensor([0.5, 0.1]), 3))
    both(lambda T: f(T)(T.tensor([0.5, 0.1]), 2.5))
    both(lambda T: f(T)(0.5, T.tensor([3, 4])))
    both(lambda T: f(T)(3, T.tensor([2])))
    both(lambda T: f(T)(0.5, T.tensor([3.0], dtype=T.float64)))
    both(lambda T: f(T)(T.tensor([[0.5], [0.25]]), T.tensor([1, 2, 3])))  # broadcasting
    both(lambda T: f(T)(x=T.tensor([0.5]), n=T.tensor([3])))
    both(lambda T: f(T)(T.tensor([0.5, 0.2]), 3, out=T.empty(2)))
    both(lambda T: f(T)(0.5, 3), msg=True)
    both(lambda T: f(T)(T.tensor([0.5]), "a"), msg=True)
    both(lambda T: f(T)(T.tensor([0.5], dtype=T.float16), T.tensor([3])), msg=True)
    both(lambda T: f(T)(T.tensor([0.5 + 0j]), T.tensor([3])), msg=True)
    both(lambda T: f(T)(T.ones(2), T.ones(3)))
    assert not hasattr(reftorch, name) and not hasattr(reftorch.Tensor, name)  # (as PyTorch)
    assert not hasattr(torch, name) and not hasattr(torch.Tensor, name)


@pytest.mark.parametrize("name", NAMES)
def test_not_differentiable(name):
    both(lambda T, a, m: getattr(T.special, name)(a, m), np.array([0.5, 0.3]), np.array([3.0, 2.0]),
         requires_grad=True)  # (the result does not require grad: no grad_fn)
    raises_like(lambda T, a: getattr(T.special, name)(a, T.tensor([3.0, 2.0])).sum().backward(),
                np.array([0.5, 0.3]), msg=True)
