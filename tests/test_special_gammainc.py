"""torch.igamma / igammac and torch.special.gammainc / gammaincc against PyTorch: values over
a wide range of ``a`` and ``x`` (every branch of the algorithm: series, continued fraction,
small-``x`` series, uniform asymptotic expansion), the edge values, dtypes and promotion,
broadcasting, methods and in-place methods, ``out=``, the gradient for ``other`` (first and
second order) and PyTorch's error for ``input``'s."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads, raises_like

_RNG = np.random.default_rng(11)
EDGES = np.array([0.0, 1e-30, 1e-5, 0.5, 1.0, 1.1, 2.0, 20.0, 20.5, 200.0, 201.0, 1e6, np.inf, -1.0, np.nan])


def _grid():
    """``(a, x)`` pairs: log-uniform and uniform ones, pairs near the diagonal ``x = a``
    (where the asymptotic expansion runs) and every pair of edge values."""
    a = np.concatenate([10 ** _RNG.uniform(-8, 4, 1500), _RNG.uniform(0, 50, 800), _RNG.uniform(150, 250, 400),
                        10 ** _RNG.uniform(4, 8, 200)])
    x = np.concatenate([10 ** _RNG.uniform(-10, 4, 1500), _RNG.uniform(0, 60, 800), _RNG.uniform(100, 300, 400),
                        10 ** _RNG.uniform(4, 8, 200)])
    _RNG.shuffle(x)
    near_a = 10 ** _RNG.uniform(0, 6, 800)
    near_x = np.abs(near_a * (1 + _RNG.normal(0, 1, 800) / np.sqrt(near_a)))
    ea, ex = np.meshgrid(EDGES, EDGES)
    return np.concatenate([a, near_a, ea.ravel()]), np.concatenate([x, near_x, ex.ravel()])


A, X = _grid()
FUNCS = ["igamma", "igammac"]


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_values_against_pytorch(name, dtype):
    a, x = A.astype(dtype), X.astype(dtype)
    expected = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(x)).numpy()
    got = np.asarray(getattr(reftorch, name)(reftorch.tensor(a), reftorch.tensor(x))._host())
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(expected)
    if dtype == "float64":
        # mostly the same bits; lgamma of a large a and log1p near 0 (the C library's against
        # NumPy's, a unit apart) amplified by cancellation: measured 2e-13 relative, 4e-14 absolute
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)
        assert np.mean(got[ok] == expected[ok]) > 0.9
    else:
        # most elements bit for bit; lgammaf/log1pf against correctly rounded results,
        # amplified the same way: up to 3e-4 relative (a ~ 250, x ~ 120), 4e-6 absolute
        np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-5)
        assert np.mean(got[ok] == expected[ok]) > 0.8
        ulps = np.abs(got[ok] - expected[ok]) / np.spacing(np.abs(expected[ok]))
        assert np.percentile(ulps, 90) <= 64


@pytest.mark.parametrize("name", FUNCS)
def test_edges(name):
    ea, ex = np.meshgrid(EDGES, EDGES)
    for dtype in ("float32", "float64"):
        both(lambda T, a, x: getattr(T, name)(a, x), ea.astype(dtype), ex.astype(dtype))
    # P + Q = 1 away from the edges
    for T in (torch, reftorch):
        a, x = T.tensor([3.0, 30.0, 0.3]), T.tensor([2.0, 31.0, 5.0])
        assert T.allclose(T.igamma(a, x) + T.igammac(a, x), T.ones(3))


def test_names_dtypes_and_errors():
    a, x = np.array([1.0, 2.0, 3.0, 50.0]), np.array([0.5, 1.0, 4.0, 48.0])
    for T_fn in (lambda T: T.igamma, lambda T: T.igammac, lambda T: T.special.gammainc,
                 lambda T: T.special.gammaincc):
        both(lambda T, p, q: T_fn(T)(p, q), a, x)
        both(lambda T: T_fn(T)(T.tensor([1, 2]), T.tensor([1.0, 2.0])))  # int with float: float
        both(lambda T: T_fn(T)(T.tensor([1.0, 2.0], dtype=T.float64), T.tensor(2.0)))
        both(lambda T: T_fn(T)(T.tensor([[1.0], [3.0]]), T.tensor([0.5, 2.0, 7.0])))  # broadcasting
        both(lambda T: T_fn(T)(T.tensor([1.0, 2.0], dtype=T.float16), T.tensor([1.0, 2.0], dtype=T.float16)))
        both(lambda T: T_fn(T)(T.tensor([1.0, 2.0], dtype=T.float16), T.tensor(2.0)))
        both(lambda T: T_fn(T)(T.tensor([1.0, 2.0]), T.tensor([1.0, 2.0]), out=T.empty(2)))
        both(lambda T: T_fn(T)(T.tensor([1, 2]), T.tensor([1, 2])), msg=True)  # "igamma_cpu" ... 'Long'
        both(lambda T: T_fn(T)(T.tensor([True]), T.tensor([True])), msg=True)
        both(lambda T: T_fn(T)(T.tensor([1 + 0j]), T.tensor([1.0])), msg=True)
        both(lambda T: T_fn(T)(T.tensor([1.0]), 2.0), msg=True)  # no Number overload
        both(lambda T: T_fn(T)(2.0, T.tensor([1.0])), msg=True)
        both(lambda T: T_fn(T)(T.ones(2), T.ones(3)))


@pytest.mark.parametrize("name", FUNCS)
def test_methods(name):
    a, x = np.array([1.0, 2.0, 0.5]), np.array([0.5, 3.0, 1.0])
    both(lambda T, p, q: getattr(p, name)(q), a, x)
    both(lambda T, p, q: getattr(p.clone(), name + "_")(q), a, x)
    both(lambda T, p, q: getattr(p.clone(), name + "_")(q.double()), a.astype(np.float32), x)
    both(lambda T: getattr(T.tensor([1, 2]), name + "_")(T.tensor([1.0, 1.0])), msg=True)  # Float into Long


@pytest.mark.parametrize("name", FUNCS)
def test_grads(name):
    a = np.array([0.5, 1.0, 2.0, 3.0, 30.0, 0.0])
    x = np.array([0.3, 1.0, 4.0, 2.5, 29.0, 0.5])
    check_grads(lambda T, q: getattr(T, name)(T.tensor(a), q), x)
    check_grads(lambda T, q: getattr(T, name)(T.tensor(a[:3].astype(np.float32)), q), x[:3])  # float64 result
    check_grads(lambda T, q: getattr(T, name)(T.tensor([[1.0], [2.5]]), q), x[:3])  # broadcast: no reduce on x
    check_grads(lambda T, q: getattr(T, name)(T.tensor(a[:3]), q), x[:1])  # reduced to x's shape
    # x = 0 and inf: nan, as PyTorch's formula gives
    check_grads(lambda T, q: getattr(T, name)(T.tensor([1.0, 2.0]), q), np.array([0.0, np.inf]))
    msg = f"the derivative for '{name}: input' is not implemented."
    raises_like(lambda T, p: getattr(T, name)(p, T.tensor(x)).sum().backward(), a, msg=True)
    for T in (torch, reftorch):
        p = T.tensor(a, requires_grad=True)
        q = T.tensor(x, requires_grad=True)
        y = getattr(T, name)(p, q)
        assert y.grad_fn.name() == ("IgammaBackward0" if name == "igamma" else "IgammacBackward0")
        with pytest.raises(NotImplementedError, match=msg):
            y.sum().backward()


@pytest.mark.parametrize("name", FUNCS)
def test_second_order(name):
    a = np.array([0.5, 2.0, 3.0, 25.0])

    def fn(T, q):
        g, = T.autograd.grad(getattr(T, name)(T.tensor(a), q).sum(), q, create_graph=True)
        return g
    check_grads(fn, np.array([0.3, 4.0, 2.5, 24.0]))
