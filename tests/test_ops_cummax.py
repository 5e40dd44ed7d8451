"""cummax / cummin against PyTorch: values, indices (later index on ties, nan sticking),
dtypes, dims, 0-d and empty inputs, gradients (repeated positions summed), first- and
second-order grad_fn names, methods, axis=, errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

NAN = float("nan")
X = np.array([[1.0, 3.0, 3.0, 2.0, NAN, 5.0], [4.0, -1.0, 4.0, 0.0, -2.0, 7.0]], np.float32)
R = np.random.default_rng(2).integers(0, 4, (3, 17, 2)).astype(np.float32)  # many ties


@pytest.mark.parametrize("fn", ["cummax", "cummin"])
@pytest.mark.parametrize("data,dim", [(X, 1), (X, 0), (X, -1), (R, 1), (R, 0), (R, 2)])
def test_values_indices_grads(fn, data, dim):
    check_grads(lambda T, x: getattr(T, fn)(x, dim), data)


@pytest.mark.parametrize("expr", [
    "T.cummax(T.tensor([[1, 5], [4, 2]]), 1)", "T.cummin(T.tensor([[1, 5], [4, 2]], dtype=T.int32), 0)",
    "T.cummax(T.tensor([True, False, True]), 0)", "T.cummin(T.tensor([True, False, True]), 0)",
    "T.cummax(T.tensor(3.), 0)", "T.cummax(T.ones(0, 3), 0)", "T.cummax(T.ones(2, 0), 1)",
    "T.tensor([2., 1., 3.]).cummin(0)", "T.cummax(T.tensor([[1., 2.]]), axis=1)",
    "T.cummax(T.tensor([NAN, NAN, 1.]), 0)", "T.cummin(T.tensor([1., NAN, 0.]), 0)",
    "T.cummax(T.ones(2), 1)", "T.cummax(T.ones(2), 0.5)",
])
def test_cases(expr):
    both(lambda T: eval(expr, {"T": T, "NAN": NAN}))


@pytest.mark.parametrize("fn", ["cummax", "cummin"])
def test_second_order(fn):
    def go(T):
        x = T.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, 4.0]], requires_grad=True)
        (g,) = T.autograd.grad(getattr(T, fn)(x, 1).values.pow(2).sum(), x, create_graph=True)
        g.sum().backward()
        return g, g.grad_fn.name(), x.grad
    both(go)
