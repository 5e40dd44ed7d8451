"""torch.mode against PyTorch: values and indices on data full of ties (the smallest of
the most frequent values, at its last position), dims, keepdim, integer and bool dtypes,
0-d and empty inputs, gradients, grad_fn, axis=, errors. (NaN is left out: PyTorch's CPU
kernel sorts with a comparator that is not a strict order for it.)"""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

R = np.random.default_rng(17).integers(0, 4, (5, 9, 3)).astype(np.float32)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mode_values_indices_grads(dim, keepdim):
    check_grads(lambda T, x: T.mode(x, dim, keepdim), R)


@pytest.mark.parametrize("expr", [
    "T.mode(T.tensor([3, 1, 3, 1, 2]))", "T.mode(T.tensor([True, False, False]))", "T.mode(T.tensor(2.))",
    "T.mode(T.ones(0, 3), 1)", "T.mode(T.tensor([[1, 1], [2, 2]]), 0, True)", "T.tensor([[4, 4, 1]]).mode()",
    "T.mode(T.tensor([[1., 2.], [2., 1.]]), axis=0, keepdims=True)", "T.mode(T.ones(2, 0), 1)",
    "T.mode(T.ones(2, 3), 5)",
])
def test_mode_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


def test_mode_keepdim_must_be_bool():
    both(lambda T: T.mode(T.ones(2, 3), 0, None))
