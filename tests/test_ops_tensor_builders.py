"""torch.block_diag, combinations, vander, diagflat and unravel_index against PyTorch:
values, dtypes (promotion, int64 for integer vander), shapes (0-d, 1-D and empty inputs),
gradients and grad_fn, methods and errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(8)
A = RNG.standard_normal((2, 3)).astype(np.float32)
V = RNG.standard_normal(4).astype(np.float32)


def test_block_diag_grads():
    check_grads(lambda T, a, v, s: T.block_diag(a, v, s, a.t()), A, V, np.array(1.5, np.float32))
    check_grads(lambda T, a, v: T.block_diag(a, T.ones(2, 0), v.double()), A, V)


@pytest.mark.parametrize("r", [1, 2, 3, 5])
@pytest.mark.parametrize("rep", [False, True])
def test_combinations_grads(r, rep):
    check_grads(lambda T, v: T.combinations(v, r, with_replacement=rep), V)


@pytest.mark.parametrize("N", [None, 0, 1, 2, 6])
@pytest.mark.parametrize("increasing", [False, True])
def test_vander_values_and_backward(N, increasing):
    both(lambda T, v: T.vander(v, N=N, increasing=increasing), V, requires_grad=True)

    def backward(T, v):  # PyTorch's composition overwrites what its cumprod saved: backward fails
        T.vander(v, N=N, increasing=increasing).sum().backward()
        return v.grad
    both(backward, V, requires_grad=True, msg=True)


@pytest.mark.parametrize("offset", [0, 2, -1])
def test_diagflat_grads(offset):
    check_grads(lambda T, a: T.diagflat(a, offset), A)
    check_grads(lambda T, a: a.t().diagflat(offset=offset), A)


@pytest.mark.parametrize("expr", [
    "T.block_diag()", "T.block_diag(T.tensor([[1, 2]]), T.tensor(3.))", "T.block_diag(T.ones(2, 2, 2))",
    "T.block_diag(T.ones(0, 2), T.ones(2, 0))", "T.block_diag(T.tensor([1 + 1j]), T.tensor([True]))",
    "T.block_diag(T.tensor([1, 2], dtype=T.int8), T.tensor(3, dtype=T.uint8))",
    "T.combinations(T.tensor([5., 6., 7.]), 0)", "T.combinations(T.tensor([5., 6., 7.]), 4)",
    "T.combinations(T.tensor([5., 6., 7.]), r=-1)", "T.combinations(T.ones(2, 2))", "T.combinations(T.ones(0))",
    "T.combinations(T.tensor([1, 2, 3]), 2)", "T.combinations(T.tensor([True, False]), with_replacement=True)",
    "T.vander(T.tensor([1, 2, 3]))", "T.vander(T.tensor([True, False]))", "T.vander(T.ones(2, 2))",
    "T.vander(T.tensor([1., 2.]), N=-1)", "T.vander(T.ones(0))", "T.vander(T.tensor([1, 2], dtype=T.int8), 3)",
    "T.vander(T.tensor([1 + 1j, 2j]), 3, True)",
    "T.diagflat(T.tensor(3.))", "T.diagflat(T.ones(2, dtype=T.int32))", "T.diagflat(T.ones(0), 1)",
    "T.unravel_index(T.tensor([4, 1]), (2, 3))", "T.unravel_index(T.tensor(4), (2, 3))",
    "T.unravel_index(T.tensor([[4, 1], [0, 5]]), (2, 3))", "T.unravel_index(T.tensor([6, -1]), (2, 3))",
    "T.unravel_index(T.tensor([1.]), (2, 3))", "T.unravel_index(T.tensor([1]), (2, -3))",
    "T.unravel_index(T.tensor([1]), ())", "T.unravel_index(T.tensor([1], dtype=T.int32), 6)",
    "T.unravel_index(T.tensor([True]), (2,))", "T.unravel_index(T.tensor([3]), [2, 2, 2])",
    "T.unravel_index(T.tensor([3]), (2.5,))", "T.unravel_index(T.tensor([3]), 'ab')",
])
def test_builder_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)
