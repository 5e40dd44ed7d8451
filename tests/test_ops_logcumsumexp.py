"""torch.logcumsumexp against PyTorch: values (large, very negative, infinite and nan
entries: the stable form), every dim, 0-d and empty inputs, half precision, gradients
(PyTorch's formula, with zero and negative incoming gradients) and grad_fn, out=, axis=,
methods and errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(2)
X = (RNG.standard_normal((4, 6, 5)) * 5).astype(np.float32)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logcumsumexp_values_and_grads(dim, dtype):
    check_grads(lambda T, x: T.logcumsumexp(x, dim), X.astype(dtype))
    check_grads(lambda T, x: x.logcumsumexp(dim) * 2, X.astype(dtype), grad_seed=3)


def test_logcumsumexp_extreme_values():
    x = np.array([[1000., 0., -1000., 3., 999.], [-1e4, -1e4, -2e4, -1e4, 5.]], np.float32)
    check_grads(lambda T, x: T.logcumsumexp(x, 1), x)
    check_grads(lambda T, x: T.logcumsumexp(x, 0), x)


@pytest.mark.parametrize("expr", [
    "T.logcumsumexp(T.tensor([-float('inf'), -float('inf'), 1., float('inf'), 2.]), 0)",
    "T.logcumsumexp(T.tensor([1000., 0., -1000., float('nan'), 3]), 0)", "T.logcumsumexp(T.tensor(2.), 0)",
    "T.logcumsumexp(T.tensor(2.), -1)", "T.logcumsumexp(T.ones(0), 0)", "T.logcumsumexp(T.ones(2, 0), 0)",
    "T.logcumsumexp(x, axis=1)", "T.logcumsumexp(x, 1, out=T.empty(0))", "T.logcumsumexp(x.half(), 0)",
    "T.logcumsumexp(T.tensor([1, 2, 3]), 0)", "T.logcumsumexp(T.tensor([True]), 0)", "T.logcumsumexp(x, 2)",
    "T.logcumsumexp(x, 1, out=T.empty(0, dtype=T.float64))",
])
def test_logcumsumexp_cases(expr):
    x = np.array([[3., 1., 2., 5.], [4., 0., 7., 1.]], np.float32)
    both(lambda T, x: eval(expr, {"T": T, "x": x}), x, msg=True)


def test_logcumsumexp_needs_dim():
    both(lambda T: T.logcumsumexp(T.ones(3)), msg=True)


def test_logcumsumexp_zero_gradient():
    x = np.array([0.5, -1., 2., 0.], np.float32)

    def fn(T, x):
        y = T.logcumsumexp(x, 0)
        return y * T.tensor([0., 1., -1., 0.])
    check_grads(fn, x)
