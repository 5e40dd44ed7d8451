"""torch.trapezoid / trapz / cumulative_trapezoid against PyTorch: dx (int, float, 0-d
tensor) or sample points x (1-D, broadcast, fewer dims, promoting dtypes), every dim,
integer inputs, empty and single-sample dims, values, gradients (through y and x) and
grad_fn, errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(4)
Y = RNG.standard_normal((3, 5, 4)).astype(np.float32)
XS = {0: np.sort(RNG.random(3)).astype(np.float32), 1: np.sort(RNG.random(5)).astype(np.float32),
      2: np.sort(RNG.random(4)).astype(np.float32)}


@pytest.mark.parametrize("fn", ["trapezoid", "trapz", "cumulative_trapezoid"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_spacing_and_points(fn, dim):
    d = dim % 3
    check_grads(lambda T, y: getattr(T, fn)(y, dim=dim), Y)
    check_grads(lambda T, y: getattr(T, fn)(y, dx=0.3, dim=dim), Y)
    check_grads(lambda T, y, x: getattr(T, fn)(y, x, dim=dim), Y, XS[d])


@pytest.mark.parametrize("fn", ["trapezoid", "cumulative_trapezoid"])
def test_broadcast_points(fn):
    check_grads(lambda T, y, x: getattr(T, fn)(y, x), Y, RNG.random((5, 4)).astype(np.float32))
    check_grads(lambda T, y, x: getattr(T, fn)(y, x, dim=1), Y, RNG.random((3, 5, 1)).astype(np.float32))
    check_grads(lambda T, y, x: getattr(T, fn)(y, x), Y, RNG.random((1, 4)).astype(np.float64))


@pytest.mark.parametrize("expr", [
    "T.trapezoid(T.tensor([1, 2, 3]))", "T.trapezoid(T.tensor([1, 2, 3]), dx=2)",
    "T.trapezoid(T.tensor([1, 2, 3]), T.tensor([1, 2, 5]))", "T.trapezoid(T.ones(2, 0))",
    "T.trapezoid(T.ones(2, 0, dtype=T.int32))", "T.trapezoid(T.ones(2, 0), T.ones(0))", "T.trapezoid(T.ones(2, 1))",
    "T.trapezoid(T.ones(3, 2).double(), dx=T.tensor(2.))", "T.trapz(T.ones(3), dx=3)",
    "T.trapz(T.tensor([1., 4, 2]), T.tensor([0., 1, 3]), dim=0)", "T.cumulative_trapezoid(T.tensor([1, 2, 3]))",
    "T.cumulative_trapezoid(T.ones(2, 0))", "T.cumulative_trapezoid(T.ones(2, 1))",
    "T.cumulative_trapezoid(T.tensor([1, 2, 4]), T.tensor([0, 1, 3]))",
    "T.trapezoid(T.tensor([True]))", "T.trapezoid(T.ones(3), dx=True)", "T.trapezoid(T.ones(3), dx=1j)",
    "T.trapezoid(T.tensor(2.))", "T.trapezoid(T.ones(2, 3), T.tensor([1., 2]))",
    "T.cumulative_trapezoid(T.tensor([True]))", "T.cumulative_trapezoid(T.ones(2, 3), T.tensor([1., 2]))",
    "T.trapezoid(T.ones(3), T.tensor([True, False, True]))", "T.trapezoid(T.ones(3), dim=1)",
    "T.cumulative_trapezoid(T.ones(3), dx=1j)",
])
def test_trapezoid_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


def test_trapezoid_x_must_be_a_tensor():
    both(lambda T: T.trapezoid(T.ones(3), 2))
