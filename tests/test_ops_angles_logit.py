"""deg2rad, rad2deg and logit (functions, methods, in-place forms, out=) against PyTorch:
values, dtypes, gradients, first- and second-order grad_fn names, eps clamping."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

P = np.array([0.0, 0.2, 0.5, 0.9, 1.0, 1.5, -0.1], np.float32)


@pytest.mark.parametrize("expr", ["T.deg2rad(x)", "T.rad2deg(x)", "x.deg2rad()", "x.rad2deg() * 2",
                                  "T.logit(x)", "T.logit(x, eps=0.25)", "x.logit(1e-6)", "T.logit(x, 0.0)"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_grads(expr, dtype):
    check_grads(lambda T, x: eval(expr, {"T": T, "x": x}), P.astype(dtype))


@pytest.mark.parametrize("expr", [
    "T.deg2rad(T.tensor([180, 90]))", "T.rad2deg(T.tensor([1]))", "T.deg2rad(T.tensor([True]))",
    "T.logit(T.tensor([0, 1]))", "T.logit(T.tensor([0.1, 0.7], dtype=T.float64), eps=0.2)",
    "T.tensor([30., 60.]).deg2rad_()", "T.tensor([0.25, 0.5]).logit_()", "T.tensor([0.25, 0.5]).logit_(0.3)",
    "T.deg2rad(T.tensor([90.]), out=T.empty(1))", "T.logit(T.tensor([0.25]), out=T.empty(1, dtype=T.float64))",
    "T.deg2rad(T.tensor([1 + 1j]))",
])
def test_cases(expr):
    both(lambda T: eval(expr, {"T": T}))


@pytest.mark.parametrize("fn", ["logit(x, 0.25)", "logit(x)", "deg2rad(x)"])
def test_second_order(fn):
    def go(T):
        x = T.tensor([0.2, 0.5, 0.9], requires_grad=True)
        (g,) = T.autograd.grad(eval("T." + fn, {"T": T, "x": x}).pow(2).sum(), x, create_graph=True)
        g.sum().backward()
        return g, x.grad
    both(go)
