"""tensor_split, hsplit, vsplit, dsplit and ravel against PyTorch: piece shapes, values,
views (shared memory), gradients, grad_fn names, tensor arguments, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

X = np.arange(24.0, dtype=np.float32).reshape(2, 6, 2)


@pytest.mark.parametrize("expr", [
    "T.tensor_split(x, 4, dim=1)", "T.tensor_split(x, [1, 4], dim=1)", "T.tensor_split(x, [4, 1], dim=1)",
    "T.tensor_split(x, [-1])", "T.tensor_split(x, [10])", "T.tensor_split(x, 3, dim=-2)", "T.tensor_split(x, 1)",
    "T.tensor_split(x, (2, 3), 1)", "x.tensor_split(3, 1)", "T.hsplit(x, 3)", "T.hsplit(x, [2])",
    "T.hsplit(x[0, :, 0], 3)", "T.vsplit(x, 2)", "T.vsplit(x, [1])", "T.dsplit(x, 2)", "x.hsplit(2)",
    "T.ravel(x)", "x.transpose(0, 1).ravel()", "x[:, ::2].ravel()",
])
def test_split_values_and_grads(expr):
    check_grads(lambda T, x: eval(expr, {"T": T, "x": x}), X, exact=True)


@pytest.mark.parametrize("expr", [
    "[t.data_ptr() - x.data_ptr() for t in T.tensor_split(x, [1, 4], dim=1)]",
    "T.ravel(x).data_ptr() == x.data_ptr()", "x.t().ravel().is_contiguous()",
    "[t.tolist() for t in T.tensor_split(T.arange(7), T.tensor(3))]",
    "[t.tolist() for t in T.tensor_split(T.arange(7), T.tensor([1, 5]))]",
    "T.tensor_split(x, 0)", "T.tensor_split(x, 2.5)", "T.tensor_split(x, (1,), dim=3)",
    "T.tensor_split(x, T.tensor([[1]]))", "T.tensor_split(x, T.tensor(2.))", "T.hsplit(x, 4)",
    "T.hsplit(T.tensor(1.), 1)", "T.vsplit(x[0, :, 0], 1)", "T.dsplit(x[0], 2)", "T.dsplit(x, 3)",
])
def test_split_cases(expr):
    def go(T):
        return eval(expr, {"T": T, "x": T.tensor(X[:, :, 0].copy()) if "data_ptr" in expr or ".t()" in expr
                           else T.tensor(X)})
    both(go, msg=True)
