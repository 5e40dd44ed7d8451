"""nn.CrossMapLRN2d against PyTorch: its off-centre running window, its hand-written
backward (not the exact derivative: compared with PyTorch's, not with a numerical
gradient), grad_fn name, float16/float64, repr, state dict and errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 6, 3, 4), (1, 1, 2, 2), (3, 2, 1, 5), (1, 9, 2, 2), (0, 3, 2, 2)])
@pytest.mark.parametrize("args", [(3, 0.5, 0.75, 1.0), (2,), (4, 1e-2, 1, 2), (5, 0.3, 0.5, 0.5), (7, 1.0)])
def test_values_and_grads(dtype, shape, args):
    x = RNG.standard_normal(shape).astype(dtype)
    check_grads(lambda T, x: T.nn.CrossMapLRN2d(*args)(x), x)


def test_float16():
    x = RNG.standard_normal((2, 5, 3, 3)).astype(np.float16)
    check_grads(lambda T, x: T.nn.CrossMapLRN2d(3, alpha=0.5)(x), x)


def test_module():
    def fn(T):
        m = T.nn.CrossMapLRN2d(5)
        x = T.arange(24.0).view(1, 6, 2, 2) / 10
        return repr(m), repr(T.nn.CrossMapLRN2d(2, 1e-3, 1, 2)), m.size, m.alpha, m.beta, m.k, \
            list(m.state_dict()), list(m.parameters()), m(x), m(x.requires_grad_()), \
            T.nn.CrossMapLRN2d(3)(T.ones(2, 3, 1, 1)).requires_grad
    both(fn)


@pytest.mark.parametrize("expr", [
    "nn.CrossMapLRN2d(3)(T.randn(6, 3, 4))", "nn.CrossMapLRN2d(3)(T.randn(1, 2, 6, 3, 4))",
    "nn.CrossMapLRN2d(3)(T.ones(1, 3, 2, 2, dtype=T.long))", "nn.CrossMapLRN2d(3)(T.ones(1, 0, 2, 2))",
    "T.autograd.grad(nn.CrossMapLRN2d(1)(x).sum(), x)",
    "T.autograd.grad(nn.CrossMapLRN2d(3)(x).sum(), x, create_graph=True)",
])
def test_errors(expr):
    def fn(T):
        x = T.ones(1, 3, 2, 2, requires_grad=True)
        return eval(expr, {"T": T, "nn": T.nn, "x": x})
    both(fn, msg=True)
