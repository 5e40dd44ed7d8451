"""torch.addr / addbmm / vdot / dist / chain_matmul and the Tensor methods addr(_), addbmm(_),
addmm_, addmv_, baddbmm_, vdot, dist against PyTorch: values, dtype promotion, beta/alpha
(beta=0 ignoring nan, integer and bool results), grad_fn names and gradients (check_grads),
in-place grad_fn names, the deprecation warning, and the checks with PyTorch's exception
types and messages."""
from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import both, check_grads, forget_warning

RNG = np.random.default_rng(4)
M = RNG.standard_normal((2, 3))
V1, V2 = RNG.standard_normal(2), RNG.standard_normal(3)
B1, B2 = RNG.standard_normal((4, 2, 5)), RNG.standard_normal((4, 5, 3))


@pytest.mark.parametrize("expr", [
    "T.addr(m, v1, v2)", "T.addr(m, v1, v2, beta=0.5, alpha=-2)", "T.addr(m[0], v1, v2)", "T.addr(m[:, :1], v1, v2, beta=2)",
    "m.addr(v1, v2, alpha=3)", "T.addr(m, v1, v2, beta=0)",
    "T.addbmm(m, b1, b2)", "T.addbmm(m, b1, b2, beta=0.5, alpha=2)", "T.addbmm(m[0], b1, b2, beta=-1)", "m.addbmm(b1, b2)",
    "T.addbmm(m, b1, b2, beta=0)",
    "T.vdot(v1, v1 * 2)", "v2.vdot(v2)",
    "T.dist(m, v2)", "T.dist(m, v2, 1)", "T.dist(m, v2, 3)", "T.dist(m, v2, 0.5)", "T.dist(m, v2, math.inf)",
    "T.dist(m, v2, -math.inf)", "T.dist(m, m)", "m.dist(v1.unsqueeze(1), p=4)",
    "T.chain_matmul(m, m.t(), m)", "T.chain_matmul(m)", "T.chain_matmul(m, m.t())",
])
def test_values_and_grads(expr):
    fn = lambda T, m, v1, v2, b1, b2: eval(expr, {"T": T, "m": m, "v1": v1, "v2": v2, "b1": b1, "b2": b2, "math": math})  # noqa: E731
    args = M, V1, V2, B1, B2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(fn, *(a.astype("float32") for a in args))
        check_grads(fn, *args)


def test_dist_p0_gives_no_gradient():
    def fn(T, a, b):
        d = T.dist(a, b.detach(), 0)
        d.backward()
        return d, a.grad
    both(fn, M, V2, requires_grad=True)

    def fn2(T, a, b):  # (PyTorch's backward fails to negate the missing gradient for other)
        T.dist(a, b, 0).backward()
    both(fn2, M, V2, requires_grad=True, msg=True)


@pytest.mark.parametrize("expr", [
    "T.addr(T.full((2, 3), float('nan')), T.ones(2), T.ones(3), beta=0)",
    "T.addbmm(T.full((2, 2), float('inf')), T.ones(4, 2, 3), T.ones(4, 3, 2), beta=0)",
    "T.addr(T.ones(2, 3, dtype=T.int64), T.tensor([1, 2]), T.tensor([1, 2, 3]), beta=2, alpha=3)",
    "T.addr(T.ones(2, 3).int(), T.ones(2), T.ones(3))", "T.addr(T.ones(2, 3), T.ones(2).double(), T.ones(3))",
    "T.addr(T.ones(2, 3), T.tensor([1, 2]), T.tensor([1, 2, 3]))",
    "T.addr(T.tensor([[True, False, False], [False, False, False]]), T.tensor([True, False]), T.tensor([False, True, True]))",
    "T.addr(T.ones(2, 3).bool(), T.ones(2).bool(), T.ones(3).bool(), beta=False)",
    "T.addr(T.ones(2, 3).bool(), T.ones(2).bool(), T.ones(3).bool(), beta=2, alpha=0)",
    "T.addbmm(T.ones(2, 2).int(), T.ones(4, 2, 3).int(), T.ones(4, 3, 2).int(), alpha=2)",
    "T.addbmm(T.ones(2, 2), T.ones(0, 2, 3), T.ones(0, 3, 2))",
    "T.vdot(T.tensor([1, 2], dtype=T.int32), T.tensor([3, 4], dtype=T.int32))",
    "T.dist(T.tensor([1., 2.]), T.tensor([1, 5]))", "T.dist(T.tensor([1., 2.]).double(), T.tensor([0., 2.]))",
    "T.dist(T.tensor([1., 2.]).half(), T.tensor([0., 2.]).half())", "T.dist(T.tensor(3.), T.tensor(1.))",
])
def test_special_values_and_dtypes(expr):
    both(lambda T: eval(expr, {"T": T}))


@pytest.mark.parametrize("expr", [
    "x.addmm_(T.ones(2, 4), T.ones(4, 3), beta=0.5)", "x.addr_(T.ones(2), T.ones(3), alpha=2)",
    "x[0].addmv_(T.ones(3, 2), T.ones(2))", "x.unsqueeze(0).baddbmm_(T.ones(1, 2, 2), T.ones(1, 2, 3))",
    "x.addbmm_(T.ones(2, 2, 4), T.ones(2, 4, 3), beta=0)",
])
def test_inplace(expr):
    def fn(T, x):
        x = x * 1
        r = eval(expr, {"T": T, "x": x})
        return r, x
    both(fn, M.astype("float32"))
    both(fn, M, requires_grad=True)


def test_chain_matmul_deprecation_warning():
    call = "T.chain_matmul(T.ones(2, 2), T.ones(2, 2))"
    code = (f"import warnings, torch as T\nwith warnings.catch_warnings(record=True) as w:\n"
            f"    warnings.simplefilter('always')\n    {call}\nprint(repr([str(x.message) for x in w]))")
    expected = eval(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    forget_warning("torch.chain_matmul")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        eval(call, {"T": reftorch})
    assert expected and [str(x.message) for x in w] == expected


@pytest.mark.parametrize("expr", [
    "T.addr(m, v1.reshape(1, 2), v2)", "T.addr(m, v1, v2.reshape(3, 1))", "T.addr(T.ones(3, 3), v1, v2)",
    "T.addr(m.int(), v1.int(), v2.int(), beta=0.5)", "T.addr(m.int(), v1.int(), v2.int(), alpha=1.5)",
    "T.addr(m, v1, v2, beta=True)", "T.addr(m, v1, v2, alpha=False)",
    "T.addbmm(T.ones(2, 2), T.ones(4, 2, 3), T.ones(4, 3, 2).double())", "T.addbmm(T.ones(2, 2), T.ones(2, 3), T.ones(4, 3, 2))",
    "T.addbmm(T.ones(2, 2), T.ones(4, 2, 3), T.ones(3, 3, 2))", "T.addbmm(T.ones(2, 2), T.ones(4, 2, 3), T.ones(4, 4, 2))",
    "T.addbmm(T.ones(3, 2), T.ones(4, 2, 3), T.ones(4, 3, 2))", "T.addbmm(T.ones(2, 2).double(), T.ones(4, 2, 3), T.ones(4, 3, 2))",
    "T.vdot(v1, v1.double())", "T.vdot(v1, v2)", "T.vdot(m, v1)", "T.vdot(v1.bool(), v1.bool())",
    "T.dist(v1, v2)", "T.dist(v1.int(), v1.int())", "T.dist(v1, v1, p='fro')",
    "T.chain_matmul()", "T.chain_matmul(m, v1)", "T.chain_matmul(m, T.ones(2, 3))", "T.chain_matmul(T.ones(2, 3, 3))",
])
def test_errors(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T, m, v1, v2: eval(expr, {"T": T, "m": m, "v1": v1, "v2": v2}),
             M.astype("float32"), V1.astype("float32"), V2.astype("float32"), msg=True)


@pytest.mark.parametrize("expr", [
    "T.vdot(m[0], m[1])", "T.addr(m[:2, :2], m[0, :2], m[1, :2], beta=0.5)", "T.dist(m, m[0], 3)", "T.dist(m, m[1])",
    "T.addbmm(m[:2, :2], m.unsqueeze(0)[:, :2], m.unsqueeze(0).mT[:, :, :2], alpha=2)",
])
def test_complex_grads(expr):
    m = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    check_grads(lambda T, m: eval(expr, {"T": T, "m": m}), m, complex_grads=True)
