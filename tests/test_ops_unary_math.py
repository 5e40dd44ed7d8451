"""Differential tests of the element-wise math of ``reftorch/_ops/unary_math.py`` against torch:
values (special values included), dtypes, errors, gradients, grad_fn names, in-place
methods, strides of non-contiguous inputs, no warnings, and the strict device."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads, assert_same

SPECIAL = [float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e30, -7.25, 3.0]
FLOATS = ["float16", "float32", "float64"]
ALL = FLOATS + ["int64", "int32", "uint8", "bool", "complex64"]


def _data(dtype):
    if dtype == "bool":
        return np.array([True, False, True])
    if dtype in ("int64", "int32"):
        return np.array([-3, 0, 7, 2], dtype=dtype)
    if dtype == "uint8":
        return np.array([0, 3, 200], dtype=dtype)
    if dtype.startswith("complex"):
        return np.array([3 + 4j, 0j, -1.5 - 2.5j, complex(float("nan"), 1), complex(float("inf"), 0)], dtype=dtype)
    with np.errstate(over="ignore"):
        return np.array(SPECIAL, dtype=dtype)


GROUP1 = {
    "floor": lambda T, x: T.floor(x),
    "ceil": lambda T, x: T.ceil(x),
    "round": lambda T, x: T.round(x),
    "round_decimals": lambda T, x: T.round(x, decimals=1),
    "round_negative_decimals": lambda T, x: T.round(x, decimals=-1),
    "trunc": lambda T, x: T.trunc(x),
    "fix": lambda T, x: T.fix(x),
    "frac": lambda T, x: T.frac(x),
    "sign": lambda T, x: T.sign(x),
    "sgn": lambda T, x: T.sgn(x),
    "square": lambda T, x: T.square(x),
    "isnan": lambda T, x: T.isnan(x),
    "isinf": lambda T, x: T.isinf(x),
    "isfinite": lambda T, x: T.isfinite(x),
    "nan_to_num": lambda T, x: T.nan_to_num(x),
    "nan_to_num_values": lambda T, x: T.nan_to_num(x, nan=1.5, posinf=1e10, neginf=-2.0),
}

EXACT = {"floor", "ceil", "round", "trunc", "fix", "frac", "sign", "isnan", "isinf", "isfinite", "nan_to_num",
         "nan_to_num_values", "square", "round_negative_decimals"}


def _no_warnings(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("name", sorted(GROUP1))
def test_group1_values_dtypes_errors(name, dtype):
    fn = GROUP1[name]
    exact = None if name not in EXACT or dtype.startswith("complex") else True
    both(fn, _data(dtype), exact=exact, msg=True)
    if dtype in FLOATS:  # no NumPy warning escapes
        _no_warnings(lambda: fn(reftorch, reftorch.tensor(_data(dtype))))


@pytest.mark.parametrize("name", sorted(GROUP1))
def test_group1_method_matches_function(name):
    x = reftorch.tensor(_data("float32"))
    meth = name.split("_decimals")[0].replace("round_negative", "round")
    if "decimals" in name:
        kw = {"decimals": -1 if "negative" in name else 1}
        assert reftorch.equal(getattr(x, "round")(**kw).nan_to_num(), GROUP1[name](reftorch, x).nan_to_num())
    elif name == "nan_to_num_values":
        assert reftorch.equal(x.nan_to_num(nan=1.5, posinf=1e10, neginf=-2.0), GROUP1[name](reftorch, x))
    else:
        assert reftorch.equal(getattr(x, meth)().nan_to_num(), GROUP1[name](reftorch, x).nan_to_num())


INPLACE = ["floor_", "ceil_", "round_", "trunc_", "fix_", "frac_", "sign_", "sgn_", "square_", "nan_to_num_"]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("name", INPLACE)
def test_group1_inplace(name, dtype):
    def f(T, x):
        y = x.clone()
        r = getattr(y, name)()
        assert r is y
        return y
    exact = None if dtype.startswith("complex") else True
    both(f, _data(dtype), exact=exact)


def test_round_decimals_inplace():
    both(lambda T, x: x.clone().round_(decimals=2), np.array([1.2345, -0.005, 2.675], np.float64), exact=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("decimals", [1, 2, 3, -1, -2, 5])
def test_round_decimals_values(decimals, dtype):
    rng = np.random.default_rng(decimals + 10)
    x = (rng.standard_normal(200) * 1000).astype(dtype)
    both(lambda T, a: T.round(a, decimals=decimals), x, exact=True)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "round_decimals", "trunc", "frac", "sign",
                                  "square", "nan_to_num", "nan_to_num_values"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_group1_grads(name, dtype):
    x = np.array([1.25, -2.5, 0.0, 3.75, float("nan"), float("inf")], dtype=dtype)
    check_grads(lambda T, a: GROUP1[name](T, a), x)


def test_sgn_real_grad():
    # torch's gradient is a ZeroTensor there (no NumPy view): compare it plus 0
    def f(T, a):
        (g,) = T.autograd.grad(T.sgn(a).sum(), a)
        return g + 0
    both(f, np.array([1.5, -2.0, 0.0, float("nan")], np.float32), requires_grad=True, check_grad_fn=False)


def test_sgn_complex_grad():
    z = np.array([3 + 4j, 0j, 1j, -2 - 1j], np.complex128)
    check_grads(lambda T, a: T.sgn(a), z)


def test_grad_fn_names_and_double_backward():
    def f(T, a):
        y = T.floor(a) + T.frac(a) * T.sign(a)
        (g,) = T.autograd.grad(y.sum(), a, create_graph=True)
        return g
    both(f, np.array([1.5, -2.25], np.float64), requires_grad=True)


@pytest.mark.parametrize("name", ["floor", "round_decimals", "frac", "sign", "isnan", "isfinite", "nan_to_num",
                                  "square"])
def test_group1_non_contiguous_strides(name):
    a = np.arange(-12, 12, dtype=np.float32).reshape(4, 6) / 3
    def f(T, x):
        y = GROUP1[name](T, x.t()[:, ::2])
        return y, y.stride(), y.is_contiguous()
    both(f, a)


@pytest.mark.parametrize("name", sorted(GROUP1))
def test_group1_strict_device(name):
    fn = GROUP1[name]
    data = _data("float32")
    cpu = fn(reftorch, reftorch.tensor(data))
    strict = fn(reftorch, reftorch.tensor(data, device="strict"))
    assert strict.device.type == "strict"
    assert strict.dtype == cpu.dtype
    np.testing.assert_array_equal(np.asarray(strict.cpu()._host()), np.asarray(cpu._host()))
    ints = fn(reftorch, reftorch.tensor([3, -2, 0], device="strict")) if name not in (
        "frac", "round_decimals", "round_negative_decimals") else None
    if ints is not None:
        ref = fn(reftorch, reftorch.tensor([3, -2, 0]))
        assert reftorch.equal(ints.cpu(), ref)


def test_strict_device_grad():
    x = reftorch.tensor([1.5, -0.5, float("nan")], device="strict", requires_grad=True)
    (reftorch.nan_to_num(x) * 2 + reftorch.floor(x) + reftorch.frac(x)).sum().backward()
    t = torch.tensor([1.5, -0.5, float("nan")], requires_grad=True)
    (torch.nan_to_num(t) * 2 + torch.floor(t) + torch.frac(t)).sum().backward()
    assert_same(x.grad.cpu(), t.grad)
