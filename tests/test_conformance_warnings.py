"""Conformance: reftorch prints nothing PyTorch would not print. NumPy warns about
floating-point faults (``log(0)``, ``x / 0``, ``(-1) ** 0.5``, overflow to inf); PyTorch's
kernels do not. Values are compared with torch; warnings are turned into errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import reftorch
from tests._compare import assert_tensor_same, torch

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, float("inf"), -float("inf"), float("nan"),
           1e30, -1e30, 60000.0, 1e-30]

UNARY = {
    "exp": lambda T, x: x.exp(),
    "log": lambda T, x: x.log(),
    "sqrt": lambda T, x: x.sqrt(),
    "reciprocal": lambda T, x: x.reciprocal(),
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: x.sigmoid(),
    "sin": lambda T, x: x.sin(),
    "rsqrt_like": lambda T, x: 1 / x.sqrt(),
    "pow_half": lambda T, x: x ** 0.5,
    "pow_neg": lambda T, x: x ** -1.5,
    "rpow": lambda T, x: 2.0 ** x,
    "div0": lambda T, x: x / 0,
    "floordiv0": lambda T, x: x // 0.0,
    "mod0": lambda T, x: x % 0.0,
    "square": lambda T, x: x * x,
    "sum": lambda T, x: x.sum(),
    "mean": lambda T, x: x.mean(),
}

BINARY = {
    "add": lambda T, x, y: x + y,
    "sub": lambda T, x, y: x - y,
    "mul": lambda T, x, y: x * y,
    "div": lambda T, x, y: x / y,
    "pow": lambda T, x, y: x ** y,
    "floordiv": lambda T, x, y: x // y,
    "remainder": lambda T, x, y: x % y,
}

values = st.lists(st.sampled_from(SPECIAL), min_size=1, max_size=6)
dtypes = st.sampled_from(["float16", "float32", "float64"])


def _run(fn, arrays, grad):
    """fn on both libraries; reftorch with RuntimeWarnings as errors. Returns both outputs."""
    tt = [torch.tensor(a, requires_grad=grad) for a in arrays]
    rt = [reftorch.tensor(a, requires_grad=grad) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_t = fn(torch, *tt)
        if grad:
            out_t.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out_r = fn(reftorch, *rt)
        if grad:
            out_r.sum().backward()
    return out_r, out_t, rt, tt


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=15, deadline=None)
@given(vals=values, dt=dtypes, grad=st.booleans())
def test_unary_no_warning(name, vals, dt, grad):
    if name in ("sum", "mean"):  # no cancellation: summation order is not part of the contract
        vals = [v for v in vals if abs(v) != 1e30] or [0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = np.array(vals, dtype=dt)
    out_r, out_t, rt, tt = _run(UNARY[name], [a], grad and name not in ("floordiv0",))
    assert_tensor_same(out_r, out_t, check_grad_fn=False)
    for r, t in zip(rt, tt):
        if t.grad is not None:
            assert_tensor_same(r.grad, t.grad, check_grad_fn=False, what="grad")


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=15, deadline=None)
@given(a=values, b=values, dt=dtypes, grad=st.booleans())
def test_binary_no_warning(name, a, b, dt, grad):
    n = min(len(a), len(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arrays = [np.array(a[:n], dtype=dt), np.array(b[:n], dtype=dt)]
    out_r, out_t, rt, tt = _run(BINARY[name], arrays, grad and name not in ("floordiv",))
    assert_tensor_same(out_r, out_t, check_grad_fn=False)
    for r, t in zip(rt, tt):
        if t.grad is not None:
            assert_tensor_same(r.grad, t.grad, check_grad_fn=False, what="grad")


@pytest.mark.parametrize("dt", ["int8", "int32", "int64", "uint8", "bool"])
def test_cast_of_nan_and_inf_is_silent(dt):
    x = reftorch.tensor([float("nan"), float("inf"), -float("inf"), 1e30, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        r = x.to(getattr(reftorch, dt))
    t = torch.tensor([float("nan"), float("inf"), -float("inf"), 1e30, 1.0]).to(getattr(torch, dt))
    assert r.dtype.name == str(t.dtype).replace("torch.", "") and tuple(r.shape) == tuple(t.shape)
    assert r[-1].item() == t[-1].item()  # the finite in-range value; the others are undefined in C


def test_creation_and_scalar_operands_are_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        a = reftorch.tensor([1e30, 1.0], dtype=reftorch.float16)
        b = reftorch.ones(2, dtype=reftorch.float16) + 1e30
        c = reftorch.tensor([1e300]) * 1e10
    assert_tensor_same(a, torch.tensor([1e30, 1.0], dtype=torch.float16))
    assert_tensor_same(b, torch.ones(2, dtype=torch.float16) + 1e30)
    assert_tensor_same(c, torch.tensor([1e300]) * 1e10)
