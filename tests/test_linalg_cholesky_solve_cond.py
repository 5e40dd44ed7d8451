"""torch.cholesky_solve / cholesky_inverse / triangular_solve (functions and methods) and
torch.linalg.vander / diagonal / cond / tensorinv / tensorsolve against PyTorch: values on
batches and broadcast batches, float32 and float64, upper/transpose/unitriangular, grad_fn
names and gradients (check_grads), every ``p`` of cond (singular and empty matrices too),
deprecation warning text, and the checks with PyTorch's exception types and messages."""
from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import both, check_grads, forget_warning

RNG = np.random.default_rng(3)
_M = RNG.standard_normal((3, 4, 4))
SPD = _M @ np.swapaxes(_M, -1, -2) + 4 * np.eye(4)
FACTOR = np.linalg.cholesky(SPD)  # lower
B = RNG.standard_normal((3, 4, 2))
TRI = np.tril(RNG.standard_normal((3, 4, 4))) + 3 * np.eye(4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr", [
    "T.cholesky_solve(b, l)", "T.cholesky_solve(b, l.mT, upper=True)", "T.cholesky_solve(b, l.mT.tril())",
    "T.cholesky_solve(b[0], l)", "T.cholesky_solve(b, l[0])", "T.cholesky_solve(b.unsqueeze(1), l)", "b.cholesky_solve(l)",
    "T.cholesky_inverse(l)", "T.cholesky_inverse(l.mT, upper=True)", "T.cholesky_inverse(l[0])", "l.cholesky_inverse()",
    "T.cholesky_inverse(l + l.mT.triu(1))",
    "T.triangular_solve(b, t, upper=False)", "T.triangular_solve(b, t.mT)", "T.triangular_solve(b, t, upper=False, transpose=True)",
    "T.triangular_solve(b, t, upper=False, unitriangular=True)", "T.triangular_solve(b, t.mT, transpose=True, unitriangular=True)",
    "T.triangular_solve(b[0], t, upper=False)", "T.triangular_solve(b, t[0], upper=False)", "b.triangular_solve(t.mT)",
    "T.triangular_solve(b, t + t.mT.triu(1), upper=False)",
])
def test_triangular_factor_solves(expr, dtype):
    args = B.astype(dtype), FACTOR.astype(dtype), TRI.astype(dtype)
    fn = lambda T, b, l, t: eval(expr, {"T": T, "b": b, "l": l, "t": t})  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(fn, *args)
        if dtype == "float64":
            check_grads(fn, *args)


def test_triangular_solve_coefficient_gradient_alone():
    def fn(T, b, t):
        r = T.triangular_solve(b, t, upper=False)
        return r.cloned_coefficient
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(fn, B, TRI)


def test_triangular_solve_deprecation_warning():
    call = "T.triangular_solve(T.ones(2, 1), T.eye(2))"
    code = (f"import warnings, torch as T\nwith warnings.catch_warnings(record=True) as w:\n"
            f"    warnings.simplefilter('always')\n    {call}\nprint(repr([str(x.message) for x in w]))")
    expected = eval(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    forget_warning("torch.triangular_solve")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        eval(call, {"T": reftorch})
    assert expected and [str(x.message) for x in w] == expected


def test_zero_diagonals():
    both(lambda T: T.cholesky_solve(T.ones(2, 1), T.zeros(2, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T: T.triangular_solve(T.ones(2, 1), T.zeros(2, 2)))
    both(lambda T: T.cholesky_inverse(T.zeros(0, 2, 2)))


@pytest.mark.parametrize("expr", [
    "T.cholesky_inverse(T.ones(2))", "T.cholesky_inverse(T.ones(2, 3))", "T.cholesky_inverse(T.ones(2, 2).int())",
    "T.cholesky_inverse(T.ones(2, 2).half())", "T.cholesky_inverse(T.zeros(2, 2))",
    "T.cholesky_inverse(T.tensor([[1., 0.], [5., 0.]]))", "T.cholesky_inverse(T.stack([T.eye(2), T.zeros(2, 2)]))",
    "T.cholesky_solve(T.ones(2), T.eye(2))", "T.cholesky_solve(T.ones(2, 1), T.ones(2))",
    "T.cholesky_solve(T.ones(3, 2), T.eye(2))", "T.cholesky_solve(T.ones(2, 2), T.eye(2).double())",
    "T.cholesky_solve(T.ones(2, 2).int(), T.eye(2).int())", "T.cholesky_solve(T.ones(2, 2), T.ones(2, 3))",
    "T.cholesky_solve(T.ones(2, 2, 1), T.ones(3, 2, 2))",
    "T.triangular_solve(T.ones(2), T.eye(2))", "T.triangular_solve(T.ones(2, 1), T.ones(2))",
    "T.triangular_solve(T.ones(3, 2), T.eye(2))", "T.triangular_solve(T.ones(2, 2), T.eye(2).double())",
    "T.triangular_solve(T.ones(2, 2).int(), T.eye(2).int())", "T.triangular_solve(T.ones(2, 2), T.ones(2, 3))",
    "T.triangular_solve(T.ones(2, 2).half(), T.eye(2).half())",
])
def test_solve_errors(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", [
    "T.linalg.vander(x)", "T.linalg.vander(x, N=2)", "T.linalg.vander(x, N=5)", "T.linalg.vander(x.reshape(2, 3))",
    "T.linalg.vander(x[0], N=3)", "T.linalg.diagonal(x.reshape(2, 3, 1).expand(2, 3, 3))",
    "T.linalg.diagonal(x.reshape(1, 2, 3), offset=1)", "T.linalg.diagonal(x.reshape(2, 3, 1), offset=-1, dim1=0, dim2=1)",
])
def test_vander_diagonal(expr):
    x = RNG.standard_normal(6)
    both(lambda T, x: eval(expr, {"T": T, "x": x}), x)
    check_grads(lambda T, x: eval(expr, {"T": T, "x": x}), x)


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "int8"])
def test_vander_integer_gives_int64(dtype):
    both(lambda T, x: T.linalg.vander(x), np.array([1, 2, 3], dtype=dtype))


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc", 1.0, -2.0])
def test_cond(p):
    a = RNG.standard_normal((3, 4, 4))
    both(lambda T, a: T.linalg.cond(a, p), a.astype("float32"))
    both(lambda T, a: T.linalg.cond(a, p), a)
    if p in (None, 2, -2, -2.0, "nuc"):
        check_grads(lambda T, a: T.linalg.cond(a, p), a)
    if p in (None, 2, -2):
        check_grads(lambda T, a: T.linalg.cond(a, p), RNG.standard_normal((2, 3, 5)))


@pytest.mark.parametrize("p", [1, -1, math.inf, -math.inf, "fro"])
def test_cond_backward_through_inverse_norms_raises_as_in_pytorch(p):
    """PyTorch writes inf into the inverse saved by LinalgInvExBackward0 in place."""
    def fn(T, a):
        T.linalg.cond(a, p).sum().backward()
    both(fn, RNG.standard_normal((2, 3, 3)), requires_grad=True)


@pytest.mark.parametrize("p", [None, -2, 1, -1, math.inf, "fro", "nuc"])
def test_cond_singular_and_empty(p):
    both(lambda T: T.linalg.cond(T.tensor([[1., 0.], [0., 0.]]), p))
    if p not in (None, -2, "nuc"):  # (the singular values of ones are rounding noise)
        both(lambda T: T.linalg.cond(T.ones(3, 2, 2), p))
    both(lambda T: T.linalg.cond(T.zeros(0, 0), p))
    both(lambda T: T.linalg.cond(T.zeros(2, 0, 0), p))


@pytest.mark.parametrize("expr", [
    "T.linalg.cond(T.ones(2))", "T.linalg.cond(T.ones(2), 'fro')", "T.linalg.cond(T.ones(2, 3), 1)",
    "T.linalg.cond(T.ones(2, 3), 1.)", "T.linalg.cond(T.ones(2, 3), -1)",
    "T.linalg.cond(T.ones(2, 3), float('inf'))", "T.linalg.cond(T.ones(2, 3), -float('inf'))", "T.linalg.cond(T.ones(2, 3), 'fro')",
    "T.linalg.cond(T.ones(2, 2), 3)", "T.linalg.cond(T.ones(2, 2), 0.5)", "T.linalg.cond(T.ones(2, 2), 'abc')",
    "T.linalg.cond(T.ones(2, 2).int())", "T.linalg.cond(T.ones(2, 2).int(), 1)", "T.linalg.cond(T.ones(2, 2).int(), 'nuc')",
    "T.linalg.tensorinv(T.ones(2, 3))", "T.linalg.tensorinv(T.ones(4, 2, 2), ind=0)", "T.linalg.tensorinv(T.zeros(2, 2, 4))",
    "T.linalg.tensorsolve(T.ones(2, 3, 6), T.ones(2, 3))", "T.linalg.tensorsolve(T.ones(2, 2), T.ones(3))",
    "T.linalg.tensorsolve(T.eye(6).reshape(6, 2, 3), T.ones(6), dims=(0,))",
])
def test_composite_errors(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", [
    "T.linalg.tensorinv(a.reshape(4, 2, 2), ind=1)", "T.linalg.tensorinv(a.reshape(2, 2, 2, 2))",
    "T.linalg.tensorinv(a.reshape(2, 2, 4))", "T.linalg.tensorsolve(a.reshape(2, 2, 4), b)",
    "T.linalg.tensorsolve(a.reshape(4, 2, 2), b.reshape(4))", "T.linalg.tensorsolve(a.reshape(2, 2, 2, 2), b, dims=(0,))",
])
def test_tensorinv_tensorsolve(expr):
    args = RNG.standard_normal((4, 4)) + 3 * np.eye(4), RNG.standard_normal((2, 2))
    both(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), *args)
    check_grads(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), *args)


@pytest.mark.parametrize("expr", [
    "T.cholesky_solve(b, l)", "T.cholesky_solve(b, l.mH, upper=True)", "T.triangular_solve(b, l, upper=False)",
    "T.triangular_solve(b, l, transpose=True, upper=False)", "T.triangular_solve(b, l.mT, transpose=True)",
])
def test_complex_grads(expr):
    l = FACTOR + 1j * np.tril(RNG.standard_normal(FACTOR.shape), -1)
    b = B + 1j * RNG.standard_normal(B.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(lambda T, l, b: eval(expr, {"T": T, "l": l, "b": b}), l, b, complex_grads=True)
