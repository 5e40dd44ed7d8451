"""torch.linalg.lu_factor / lu_factor_ex / lu / lu_solve, torch.lu_unpack and the deprecated
torch.lu / torch.lu_solve (functions and methods) against PyTorch: LU and the 1-based int32
pivots on square, wide, tall and batched matrices, info for zero pivots, P/L/U, solves with
left and adjoint, broadcasting, grad_fn names and gradients (check_grads), deprecation
warnings, and the checks with PyTorch's exception types and messages."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, forget_warning

RNG = np.random.default_rng(11)
SQ = RNG.standard_normal((3, 4, 4))
WIDE = RNG.standard_normal((2, 3, 5))
TALL = RNG.standard_normal((2, 5, 3))
B = RNG.standard_normal((3, 4, 2))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("a", [SQ, WIDE, TALL, SQ[0], np.array([[1., 2, 3], [4, 5, 6], [7, 8, 10]])],
                         ids=["square", "wide", "tall", "single", "small"])
@pytest.mark.parametrize("expr", [
    "T.linalg.lu_factor(a)", "T.linalg.lu_factor_ex(a)", "T.linalg.lu(a)", "T.lu_unpack(*T.linalg.lu_factor(a))",
    "T.lu_unpack(*T.linalg.lu_factor(a), unpack_data=False)", "T.lu_unpack(*T.linalg.lu_factor(a), unpack_pivots=False)",
])
def test_factor_values(expr, a, dtype):
    both(lambda T, a: eval(expr, {"T": T, "a": a}), a.astype(dtype))


@pytest.mark.parametrize("a", [SQ, WIDE, TALL], ids=["square", "wide", "tall"])
@pytest.mark.parametrize("expr", [
    "T.linalg.lu_factor(a).LU", "T.linalg.lu(a)", "T.linalg.lu(a).L", "T.linalg.lu(a).U",
    "T.lu_unpack(*T.linalg.lu_factor(a))", "T.lu_unpack(*T.linalg.lu_factor(a)).U",
])
def test_factor_grads(expr, a):
    check_grads(lambda T, a: eval(expr, {"T": T, "a": a}), a)


@pytest.mark.parametrize("m", [[[0., 0.], [0., 0.]], [[0., 1.], [0., 1.]], [[1., 1.], [1., 1.], [0., 0.]],
                               [[1., 2.], [float("nan"), 3.]], [[1., 2.], [2., 4.]]])
def test_zero_pivots_info(m):
    both(lambda T, a: T.linalg.lu_factor_ex(a), np.array(m))
    both(lambda T, a: T.linalg.lu(a), np.array(m))


@pytest.mark.parametrize("expr", [
    "T.linalg.lu_factor(T.zeros(2, 2))", "T.linalg.lu_factor(T.zeros(2, 2, 2))", "T.linalg.lu_factor(T.ones(2, 3))",
    "T.linalg.lu_factor_ex(T.zeros(3, 2, 2), check_errors=True)",
])
def test_zero_pivot_raises(expr):
    err = both(lambda T: eval(expr, {"T": T}), msg=True)
    assert type(err) is RuntimeError  # (not a LinAlgError, in PyTorch)


def test_empty():
    both(lambda T: T.linalg.lu_factor(T.zeros(0, 3, 3)))
    both(lambda T: T.linalg.lu_factor(T.zeros(3, 0)))
    both(lambda T: T.linalg.lu(T.zeros(2, 0, 3)))
    both(lambda T: T.linalg.lu_solve(T.ones(2, 0, 0), T.ones(2, 0, dtype=T.int32), T.ones(2, 0, 2)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr", [
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b, adjoint=True)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b.mT, left=False)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b.mT, left=False, adjoint=True)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a[0]), b)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b[0])",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b.unsqueeze(1))",
    "T.lu_solve(b, *T.linalg.lu_factor(a))", "b.lu_solve(*a.lu())",
])
def test_solve_values_and_grads(expr, dtype):
    args = SQ.astype(dtype), B.astype(dtype)
    both(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), *args)
    if dtype == "float64":
        check_grads(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), *args)


def test_solve_grads_through_given_factors():
    """Gradients for LU and B when the factors are leaves themselves."""
    lu, piv = torch.linalg.lu_factor(torch.from_numpy(SQ))
    check_grads(lambda T, lu, b: T.linalg.lu_solve(lu, T.tensor(piv.numpy()), b), lu.numpy(), B)
    check_grads(lambda T, lu, b: T.linalg.lu_solve(lu, T.tensor(piv.numpy()), b, adjoint=True), lu.numpy(), B)


def test_next_functions():
    def fn(T, a, b):
        LU, piv = T.linalg.lu_factor(a)
        x = T.linalg.lu_solve(LU, piv, b)
        return ([f.name() for f, _ in x.grad_fn.next_functions], [f.name() for f, _ in LU.grad_fn.next_functions],
                [f.name() for f, _ in T.lu_unpack(LU, piv).L.grad_fn.next_functions],
                T.linalg.lu(a).P.requires_grad)
    both(fn, SQ, B, requires_grad=True)


def test_deprecated_lu_returns_a_plain_tuple_and_never_raises():
    both(lambda T, a: T.lu(a), SQ)
    both(lambda T, a: T.lu(a, get_infos=True), SQ)
    both(lambda T: T.lu(T.zeros(2, 2)))
    both(lambda T: T.zeros(2, 2).lu(get_infos=True))


@pytest.mark.parametrize("call", ["T.lu(T.eye(2))", "T.lu_solve(T.ones(2, 1), *T.linalg.lu_factor(T.eye(2)))"])
def test_deprecation_warnings(call):
    """The warning's text as PyTorch gives it (in a fresh process: PyTorch warns once)."""
    code = (f"import warnings, torch as T\nwith warnings.catch_warnings(record=True) as w:\n"
            f"    warnings.simplefilter('always')\n    {call}\nprint(repr([str(x.message) for x in w]))")
    expected = eval(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    forget_warning("torch.lu")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        eval(call, {"T": reftorch})
    assert expected and [str(x.message) for x in w] == expected


@pytest.mark.parametrize("expr", [
    "T.linalg.lu_factor(T.ones(3))", "T.linalg.lu(T.ones(3))", "T.lu(T.ones(3))",
    "T.linalg.lu_factor(T.ones(3, 3).int())", "T.linalg.lu_factor(T.ones(3, 3).half())", "T.linalg.lu(T.ones(2, 2).long())",
    "T.linalg.lu_factor(T.ones(3, 3), pivot=False)", "T.linalg.lu(T.ones(3, 3), pivot=False)",
    "T.linalg.lu_factor(T.ones(3, 3).int(), pivot=False)", "T.linalg.lu_factor([[1.]])",
    "T.lu_unpack(T.ones(3), T.ones(3, dtype=T.int32))", "T.lu_unpack(T.ones(3, 3), T.ones(3))",
    "T.lu_unpack(T.ones(3, 3), T.tensor([4, 1, 1], dtype=T.int32))",
    "T.lu_unpack(T.ones(3, 3), T.tensor([0, 1, 1], dtype=T.int32))",
    "T.linalg.lu_solve(T.eye(3), T.ones(3, dtype=T.int32), T.ones(2, 2))",
    "T.linalg.lu_solve(T.eye(3), T.ones(3, dtype=T.int32), T.ones(3))",
    "T.linalg.lu_solve(T.eye(3), T.ones(3, dtype=T.int32), T.ones(3, 2).double())",
    "T.linalg.lu_solve(T.eye(3), T.ones(3, dtype=T.int64), T.ones(3, 2))",
    "T.linalg.lu_solve(T.eye(3), T.ones(2, dtype=T.int32), T.ones(3, 2))",
    "T.linalg.lu_solve(T.eye(3), T.ones(2, 3, dtype=T.int32), T.ones(3, 2))",
    "T.linalg.lu_solve(T.ones(3, 4), T.ones(3, dtype=T.int32), T.ones(3, 2))",
    "T.linalg.lu_solve(T.ones(3), T.ones(3, dtype=T.int32), T.ones(3, 2))",
    "T.linalg.lu_solve(T.eye(3).int(), T.ones(3, dtype=T.int32), T.ones(3, 2).int())",
    "T.linalg.lu_solve(T.eye(3), T.ones(3, dtype=T.int32), T.ones(3, 2), left=False)",
    "T.linalg.lu_solve(T.eye(3).half(), T.ones(3, dtype=T.int32), T.ones(3, 2).half())",
    "T.lu_solve(T.ones(3, 2), T.eye(3), T.ones(3, dtype=T.int64))",
])
def test_errors(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


def test_lu_unpack_int_data():
    both(lambda T: T.lu_unpack(T.tensor([[1, 2], [3, 4]]), T.tensor([2, 2], dtype=T.int32)))


@pytest.mark.parametrize("expr", [
    "T.linalg.lu_factor(a)", "T.linalg.lu(a)", "T.linalg.lu_solve(*T.linalg.lu_factor(a), b)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b, adjoint=True)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b.mT, left=False)",
])
def test_complex_values(expr):
    """Complex pivoting uses |re| + |im| (BLAS's izamax), as LAPACK."""
    a = SQ + 1j * RNG.standard_normal(SQ.shape)
    b = B + 1j * RNG.standard_normal(B.shape)
    both(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), a, b)


@pytest.mark.parametrize("expr", [
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b)", "T.linalg.lu_solve(*T.linalg.lu_factor(a), b, adjoint=True)",
    "T.linalg.lu_solve(*T.linalg.lu_factor(a), b.mT, left=False, adjoint=True)", "T.linalg.lu(a)",
])
def test_complex_grads(expr):
    a = SQ + 1j * RNG.standard_normal(SQ.shape)
    b = B + 1j * RNG.standard_normal(B.shape)
    check_grads(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), a, b, complex_grads=True)
