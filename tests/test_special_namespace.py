"""torch.special against PyTorch: every name of the namespace that reftorch covers (values,
dtypes, gradients, first- and second-order grad_fn names, errors), and the kernels only it
has (i0e, i1, i1e, ndtri, log_ndtr, xlog1py, entr) on wide grids."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads

NAMES = ["expit", "logit", "erf", "erfc", "erfinv", "exp2", "expm1", "log1p", "gammaln", "digamma", "psi",
         "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "sinc", "round",
         "softmax", "log_softmax", "logsumexp", "xlogy", "xlog1py", "entr", "zeta", "spherical_bessel_j0",
         "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
         "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
         "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "airy_ai", "gammainc", "gammaincc", "erfcx",
         "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
         "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
         "legendre_polynomial_p"]
RNG = np.random.default_rng(0)
WIDE = np.concatenate([RNG.uniform(-30, 30, 3000), RNG.uniform(-3, 3, 3000), 10 ** RNG.uniform(-8, 3, 1000),
                       -(10 ** RNG.uniform(-8, 3, 1000)), [0.0, -0.0, 1.0, -1.0, 8.0, -8.0, np.inf, -np.inf, np.nan]])
PROB = np.concatenate([RNG.uniform(0, 1, 3000), 10 ** RNG.uniform(-300, -1, 500), 1 - 10 ** RNG.uniform(-15, -1, 500),
                       [0.0, 1.0, 0.5, -0.5, 1.5, np.nan]])


def test_namespace():
    assert sorted(reftorch.special.__all__) == sorted(NAMES)
    for name in NAMES:
        assert hasattr(torch.special, name)
    assert reftorch.special.gammaln is reftorch.lgamma and reftorch.special.psi is reftorch.digamma
    assert reftorch.special.multigammaln is reftorch.mvlgamma and reftorch.special.expit is reftorch.sigmoid


# (relative tolerance per dtype; 0: the same bits) measured on these grids
GRIDS = {
    "i0e": (WIDE, {"float64": 1e-15, "float32": 6e-7}), "i1": (WIDE, {"float64": 4e-15, "float32": 1.2e-6}),
    "i1e": (WIDE, {"float64": 4e-15, "float32": 1.2e-6}), "ndtri": (PROB, {"float64": 1e-15, "float32": 6e-7}),
    "log_ndtr": (WIDE, {"float64": 1e-15, "float32": 3e-7}), "entr": (WIDE, {"float64": 2.5e-16, "float32": 1.8e-7}),
    # (1 + erf(x / sqrt 2)) / 2 cancels in the lower tail: a unit of erf's last place, absolute
    "ndtr": (WIDE, {"float64": (0, 2.3e-16), "float32": (0, 1.2e-7)}),
}


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("name", sorted(GRIDS))
def test_values_on_wide_grids(name, dtype):
    xs, tol = GRIDS[name]
    if dtype == "float16" and name in ("ndtri", "log_ndtr"):  # (PyTorch has no float16 kernels for these)
        both(lambda T: getattr(T.special, name)(T.tensor([0.5], dtype=T.float16)))
        return
    expected = getattr(torch.special, name)(torch.tensor(xs, dtype=getattr(torch, dtype))).numpy()
    got = getattr(reftorch.special, name)(reftorch.tensor(xs, dtype=getattr(reftorch, dtype))).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    fin = np.isfinite(expected)
    if dtype == "float16":
        e, g = expected[fin].astype(np.float32), got[fin].astype(np.float32)
        unit = 2.0 ** -10 if name == "ndtr" else np.spacing(np.abs(e.astype(np.float16))).astype(np.float32)
        assert np.all(np.abs(e - g) <= unit * 1.01)  # (ndtr: a unit of 1 + erf, absolute)
        return
    rtol, atol = tol[dtype] if isinstance(tol[dtype], tuple) else (tol[dtype], 0)
    np.testing.assert_allclose(got[fin], expected[fin], rtol=rtol, atol=atol)


X = np.array([-2.5, -0.25, 0.1, 0.7, 3.0, 9.5], np.float64)
P = np.array([0.01, 0.3, 0.5, 0.9, 0.999], np.float64)


@pytest.mark.parametrize("expr, data", [
    ("S.expit(x)", X), ("S.logit(x, 1e-3)", P), ("S.erf(x)", X), ("S.erfc(x)", X), ("S.erfinv(x)", P),
    ("S.exp2(x)", X), ("S.expm1(x)", X), ("S.log1p(x)", P), ("S.gammaln(x)", X), ("S.digamma(x)", X),
    ("S.psi(x)", X), ("S.polygamma(2, x)", X), ("S.multigammaln(x + 3, 2)", X), ("S.i0(x)", X), ("S.i0e(x)", X),
    ("S.i1(x)", X), ("S.i1e(x)", X), ("S.i1(x - x)", X), ("S.i1e(x - x)", X), ("S.ndtr(x)", X),
    ("S.ndtri(x)", P), ("S.log_ndtr(x * 4)", X), ("S.sinc(x)", X), ("S.round(x, decimals=1)", X),
    ("S.softmax(x, 0)", X), ("S.log_softmax(x, 0)", X), ("S.logsumexp(x, 0)", X), ("S.xlogy(x, x.abs())", X),
    ("S.xlog1py(x, x.abs())", X), ("S.xlog1py(x - x, x)", X), ("S.xlog1py(x, 2.0)", X), ("S.xlog1py(2, x.abs())", X),
    ("S.xlog1py(x, -1.5)", X), ("S.entr(x)", X),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_grads(expr, data, dtype):
    check_grads(lambda T, x: eval(expr, {"S": T.special, "x": x}), data.astype(dtype))


@pytest.mark.parametrize("fn", ["i0e(x)", "i1(x)", "i1e(x)", "ndtri(x / 4)", "log_ndtr(x)", "entr(x)", "ndtr(x)",
                                "xlog1py(x, x)", "xlog1py(x, 2.0)", "xlog1py(x, -2.0)", "xlog1py(3, x)", "expit(x)",
                                "gammaln(x)", "multigammaln(x + 1, 2)"])
def test_second_order(fn):
    def go(T):
        x = T.tensor([0.5, 1.5, 3.0], dtype=T.float64, requires_grad=True)
        (g,) = T.autograd.grad(eval("T.special." + fn, {"T": T, "x": x}).pow(2).sum(), x, create_graph=True)
        g.sum().backward()
        return g, x.grad
    both(go)


@pytest.mark.parametrize("expr", [
    "S.i0e(T.tensor([1, 2]))", "S.i1(T.tensor([True]))", "S.ndtri(T.tensor([0, 1]))", "S.ndtr(T.tensor([0, 1]))",
    "S.log_ndtr(T.tensor([-3, 0], dtype=T.int16))", "S.entr(T.tensor([0, 2]))", "S.expit(T.tensor([1, 2]))",
    "S.xlog1py(T.tensor([0, 1]), 2)", "S.xlog1py(2, T.tensor([0, 1]))", "S.xlog1py(T.tensor([0., 1.]), T.tensor([-1., float('nan')]))",
    "S.round(T.tensor([1.25, 2.5]))", "S.softmax(T.tensor([1, 2]), 0, dtype=T.float64)",
    "S.i0e(T.tensor([0.5]), out=T.empty(1))", "S.ndtr(T.tensor([0.5]), out=T.empty(1))",
    "S.xlog1py(T.tensor([0.5]), T.tensor([2.]), out=T.empty(1))", "S.entr(T.tensor([0.5]), out=T.empty(1))",
    "S.i0e(T.tensor([1.5], dtype=T.float16))", "S.ndtri(T.tensor([0.25], dtype=T.float16))",
    "S.i0e(T.tensor([1j]))", "S.i1(T.tensor([1j]))", "S.i1e(T.tensor([1j]))", "S.ndtri(T.tensor([1j]))",
    "S.log_ndtr(T.tensor([1j]))", "S.entr(T.tensor([1j]))", "S.ndtr(T.tensor([1j]))", "S.xlog1py(2, 3)",
    "S.xlog1py(T.tensor([1j]), T.tensor([1.]))", "S.round(T.tensor([1, 2]))", "S.softmax(T.tensor([1, 2]), 0)",
])
def test_cases(expr):
    both(lambda T: eval(expr, {"T": T, "S": T.special}))


def test_xlog1py_grad_fn_names():
    for make in (lambda S, x: S.xlog1py(x, 3.0), lambda S, x: S.xlog1py(3.0, x), lambda S, x: S.xlog1py(x, x)):
        names = []
        for T in (torch, reftorch):
            x = T.tensor([2.5, 1.0], requires_grad=True)
            y = make(T.special, x)
            names.append((y.grad_fn.name(), len(y.grad_fn.next_functions)))
        assert names[0] == names[1]
