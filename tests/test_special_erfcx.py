"""torch.special.erfcx against PyTorch: values (float32 bit for bit, float64 to 2 units in
the last place) over both signs, the polynomial table, the continued fraction and the
overflow limits; dtypes, errors, ``out=``, gradients to second order and their graph."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads

_RNG = np.random.default_rng(3)
X = np.concatenate([_RNG.uniform(-30, 60, 6000), 10 ** _RNG.uniform(-10, 10, 2000), -(10 ** _RNG.uniform(-10, 1.5, 2000)),
                    [0.0, -0.0, 50.0, 50.0001, 5e7, 5.1e7, -26.7, -26.69, -6.1, -6.09, 1e-20, 1e30,
                     np.inf, -np.inf, np.nan]])


def test_values_float32_bit_for_bit():
    # (PyTorch's float kernel evaluates the polynomials in double: their constants are double)
    both(lambda T, x: T.special.erfcx(x), X.astype(np.float32), exact=True)


def test_values_float64():
    x = X.astype(np.float64)
    expected = torch.special.erfcx(torch.from_numpy(x)).numpy()
    got = reftorch.special.erfcx(reftorch.tensor(x)).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    finite = np.isfinite(expected)
    ulps = np.abs(got[finite] - expected[finite]) / np.spacing(np.abs(expected[finite]))
    assert ulps.max() <= 2  # the C library's exp against NumPy's; fused multiply-adds
    assert np.mean(ulps == 0) > 0.95
    np.testing.assert_array_equal(got[0:1], expected[0:1])


def test_dtypes_and_errors():
    both(lambda T: T.special.erfcx(T.tensor([1, 2])))
    both(lambda T: T.special.erfcx(T.tensor([True, False])))
    both(lambda T: T.special.erfcx(T.tensor(3.0, dtype=T.float64)))
    both(lambda T: T.special.erfcx(T.tensor([1.0, 2.0]), out=T.empty(2)))
    both(lambda T: T.special.erfcx(T.tensor([1.0, 2.0], dtype=T.float16)), msg=True)
    both(lambda T: T.special.erfcx(T.tensor([1.0 + 0j])), msg=True)
    both(lambda T: T.special.erfcx(1.0), msg=True)
    assert not hasattr(reftorch, "erfcx") and not hasattr(reftorch.Tensor, "erfcx")  # (as PyTorch)
    assert not hasattr(torch, "erfcx") and not hasattr(torch.Tensor, "erfcx")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grads(dtype):
    x = np.array([-27.0, -6.2, -1.0, 0.0, 0.5, 1.0, 10.0, 49.0, 51.0, 1e8, np.inf, -np.inf, np.nan], dtype)
    check_grads(lambda T, a: T.special.erfcx(a), x)
    check_grads(lambda T, a: T.special.erfcx(a * 2).sum(), x[1:9])


def test_second_order():
    def fn(T, a):
        g, = T.autograd.grad(T.special.erfcx(a).sum(), a, create_graph=True)
        return g
    check_grads(fn, np.array([-2.0, -0.5, 0.3, 1.5, 8.0]))

    def chain(T):
        a = T.tensor([0.5, 1.0], requires_grad=True)
        g, = T.autograd.grad(T.special.erfcx(a).sum(), a, create_graph=True)
        names, node = [], g.grad_fn
        while node is not None:  # MulBackward0 <- SubBackward1 <- MulBackward0 <- MulBackward1 <- ...
            names.append(node.name())
            node = node.next_functions[0][0] if node.next_functions else None
        return names
    assert chain(reftorch) == chain(torch)
