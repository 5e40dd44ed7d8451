"""torch.linalg.ldl_factor / ldl_factor_ex / ldl_solve against PyTorch: LAPACK's Bunch-Kaufman
pivots (1x1 and 2x2 blocks, zero-structured matrices, float32 and float64, batches) and LD,
info for singular D, solves with broadcast batches, the NotImplemented grad_fn and its
backward error, and the checks with PyTorch's exception types and messages."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

RNG = np.random.default_rng(21)


def _symmetric(n, sparse=False, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    if sparse:
        a[RNG.random(a.shape) < 0.4] = 0
    return a + np.swapaxes(a, -1, -2)


CASES = [_symmetric(n) for n in (1, 2, 3, 5, 8)] + [_symmetric(n, True) for n in (3, 4, 6, 7)] + [
    _symmetric(4, batch=(3,)), _symmetric(3, batch=(2, 2)), np.array([[1., 7.], [7., 1.]]),
    np.array([[0., 1., 2.], [1., 0., 3.], [2., 3., 0.]]), np.array([[4., 2.], [2., 3.]]),
    np.array([[np.nan, 1.], [1., 0.]]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("i", range(len(CASES)))
def test_factor_and_solve(i, dtype):
    a = CASES[i].astype(dtype)
    both(lambda T, a: T.linalg.ldl_factor_ex(a), a)
    both(lambda T, a: T.linalg.ldl_factor(a), a)
    b = RNG.standard_normal(a.shape[:-1] + (2,)).astype(dtype)
    both(lambda T, a, b: T.linalg.ldl_solve(*T.linalg.ldl_factor(a), b), a, b)
    both(lambda T, a, b: T.linalg.ldl_solve(*T.linalg.ldl_factor(a, hermitian=True), b, hermitian=True), a, b)


def test_lower_triangle_only_and_broadcast_solve():
    a = RNG.standard_normal((4, 4))
    both(lambda T, a: T.linalg.ldl_factor(a), a)
    s = _symmetric(4)
    both(lambda T, a, b: T.linalg.ldl_solve(*T.linalg.ldl_factor(a), b), s, RNG.standard_normal((3, 4, 2)))
    both(lambda T, a: T.linalg.ldl_factor(a), np.zeros((0, 3, 3)))


@pytest.mark.parametrize("m", [[[0., 0.], [0., 0.]], [[1., 1.], [1., 1.]], [[0., 0., 0.], [0., 2., 1.], [0., 1., 0.]]])
def test_singular_info_and_errors(m):
    both(lambda T, a: T.linalg.ldl_factor_ex(a), np.array(m))
    both(lambda T, a: T.linalg.ldl_factor(a), np.array(m), msg=True)
    both(lambda T, a: T.linalg.ldl_factor_ex(a.expand(3, *a.shape), check_errors=True), np.array(m), msg=True)


def test_no_derivative():
    s = _symmetric(3)
    both(lambda T, a: T.linalg.ldl_factor(a), s, requires_grad=True)

    def factor_backward(T, a):
        T.linalg.ldl_factor(a).LD.sum().backward()
    both(factor_backward, s, requires_grad=True, msg=True)

    def solve_backward(T, a, b):
        LD, piv = T.linalg.ldl_factor(a.detach())
        x = T.linalg.ldl_solve(LD, piv, b)
        x.sum().backward()
    both(solve_backward, s, RNG.standard_normal((3, 1)), requires_grad=True, msg=True)


@pytest.mark.parametrize("expr", [
    "T.linalg.ldl_factor(T.ones(3))", "T.linalg.ldl_factor(T.ones(2, 3))", "T.linalg.ldl_factor(T.ones(2, 2).int())",
    "T.linalg.ldl_factor(T.ones(2, 2).half())", "T.linalg.ldl_factor_ex(T.ones(2, 3))",
    "T.linalg.ldl_solve(ld, piv, T.ones(3, 2).float())", "T.linalg.ldl_solve(ld, piv, T.ones(2, 2, dtype=T.float64))",
    "T.linalg.ldl_solve(ld, piv, T.ones(3, dtype=T.float64))", "T.linalg.ldl_solve(ld, piv[:2], T.ones(3, 2, dtype=T.float64))",
    "T.linalg.ldl_solve(ld.expand(2, 3, 3), piv, T.ones(3, 2, dtype=T.float64))",
    "T.linalg.ldl_solve(ld.int(), piv, T.ones(3, 2).int())", "T.linalg.ldl_solve(ld[:2], piv, T.ones(3, 2, dtype=T.float64))",
])
def test_errors(expr):
    def fn(T, a):
        ld, piv = T.linalg.ldl_factor(a)
        return eval(expr, {"T": T, "ld": ld, "piv": piv})
    both(fn, _symmetric(3), msg=True)
