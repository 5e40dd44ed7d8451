"""torch.special.zeta and spherical_bessel_j0 against PyTorch: values (Cephes' algorithm, to
float rounding), dtypes, number operands, grad_fn names, gradients and PyTorch's missing
ones, errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads, raises_like

_RNG = np.random.default_rng(5)
S = np.concatenate([[2.0, 3.0, 1.0, 0.9, 4.5, np.nan, 4.0, 1.5, 30.0, 1.0001, 2.0, 6.0, 3.5],
                    _RNG.uniform(1.01, 12.0, 40)])
Q = np.concatenate([[1.0, 2.0, 3.0, 1.0, -2.5, 1.0, -2.5, 0.3, 0.5, 100.0, 0.0, -3.0, -0.5],
                    _RNG.uniform(0.05, 30.0, 40)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zeta_values(dtype):
    both(lambda T, s, q: T.special.zeta(s, q), S.astype(dtype), Q.astype(dtype))


def test_zeta_numbers_and_dtypes():
    q = Q[Q > 0]
    both(lambda T, a: T.special.zeta(2.5, a), q)
    both(lambda T, a: T.special.zeta(a, 1.0), S)
    both(lambda T, a: T.special.zeta(3, a), q.astype(np.float32))
    both(lambda T: T.special.zeta(T.tensor([2, 3]), T.tensor([1, 2])))
    both(lambda T: T.special.zeta(T.tensor([2.0], dtype=T.float16), T.tensor([1.5], dtype=T.float16)), msg=True)
    both(lambda T: T.special.zeta(T.tensor([2.0], dtype=T.float16), T.tensor([1.5])))
    both(lambda T: T.special.zeta(T.tensor([[2.0], [3.0]]), T.tensor([1.0, 2.0, 0.5])))
    both(lambda T: T.special.zeta(2, 3))
    both(lambda T: T.special.zeta(T.tensor([2.0 + 0j]), T.tensor([1.0])))
    both(lambda T: T.special.zeta(T.tensor([2.0]), T.tensor([1.0]), out=T.empty(1)))


def test_zeta_grads():
    q = np.abs(Q[13:20]) + 0.1
    s = S[13:20]
    check_grads(lambda T, a: T.special.zeta(T.tensor(s), a), q)
    check_grads(lambda T, a: T.special.zeta(3.5, a), q)
    raises_like(lambda T, a: T.special.zeta(a, T.tensor(q)).sum().backward(), s)  # no gradient for x
    raises_like(lambda T, a: T.special.zeta(a, 2.0).sum().backward(), s)
    for T in (torch, reftorch):
        y = T.special.zeta(T.tensor(s, requires_grad=True), 2.0)
        assert y.grad_fn.name() == "SpecialZetaBackward2"
        with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not implemented."):
            y.sum().backward()


def test_zeta_second_order():
    q = np.abs(Q[13:18]) + 0.1

    def fn(T, a):
        g, = T.autograd.grad(T.special.zeta(T.tensor(S[13:18]), a).sum(), a, create_graph=True)
        return g
    check_grads(fn, q)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_spherical_bessel_j0(dtype):
    x = np.concatenate([[0.0, 1e-3, -0.3, 0.4999, 0.5, 1.0, -2.0, 5.0, np.inf, -np.inf, np.nan, 100.0],
                        _RNG.uniform(-30, 30, 40)]).astype(dtype)
    # float64 bit for bit; float32 to a unit in the last place (the C library's sinf)
    both(lambda T, a: T.special.spherical_bessel_j0(a), x, exact=dtype == "float64")
    both(lambda T, a: T.special.spherical_bessel_j0(a), x, requires_grad=True)  # (no graph: no grad_fn)
    both(lambda T: T.special.spherical_bessel_j0(T.tensor([1, 2])))
    both(lambda T: T.special.spherical_bessel_j0(T.tensor([1.0 + 0j])), msg=True)
    both(lambda T: T.special.spherical_bessel_j0(T.tensor([1.0], dtype=T.float16)), msg=True)


BESSEL = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
          "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"]
GRID = np.concatenate([[0.0, -0.0, 1e-6, 5e-6, 1e-5, 0.5, 1.0, -1.0, 2.0, 2.001, 4.999, 5.0, 5.001, -5.5, 8.0, 8.01,
                        10.0, 700.0, 1e3, 1e8, np.inf, -np.inf, np.nan],
                       _RNG.uniform(-30, 30, 200), 10 ** _RNG.uniform(-8, 3, 100)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", BESSEL)
def test_bessel_values(name, dtype):
    x = GRID.astype(dtype)
    rt = getattr(torch.special, name)(torch.tensor(x)).numpy()
    rr = getattr(reftorch.special, name)(reftorch.tensor(x)).numpy()
    assert rr.dtype == rt.dtype
    assert np.array_equal(np.isnan(rr), np.isnan(rt))
    assert np.array_equal(rr[np.isinf(rt)], rt[np.isinf(rt)])
    ok = np.isfinite(rt)
    # float64: a few units in the last place (NumPy's and glibc's sin/cos/exp/log, PyTorch's
    # vectorized exp); float32: a few (and near the zeros an absolute error of an ulp of 1)
    rtol, atol = (1e-14, 2e-15) if dtype == "float64" else (2e-6, 2e-7)
    np.testing.assert_allclose(rr[ok], rt[ok], rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", BESSEL)
def test_bessel_no_graph_dtypes_errors(name):
    both(lambda T, a: getattr(T.special, name)(a), GRID[:12], requires_grad=True)  # (no grad_fn)
    both(lambda T: getattr(T.special, name)(T.tensor([1, 2, 7])))
    both(lambda T: getattr(T.special, name)(T.tensor([1.0, 2.0]), out=T.empty(2)))
    both(lambda T: getattr(T.special, name)(T.tensor([1.0 + 0j])), msg=True)
    both(lambda T: getattr(T.special, name)(T.tensor([1.0], dtype=T.float16)), msg=True)
