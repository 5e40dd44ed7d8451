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
    "round_decimals_zero": lambda T, x: T.round(x, decimals=0),
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
    "signbit": lambda T, x: T.signbit(x),
    "nan_to_num": lambda T, x: T.nan_to_num(x),
    "nan_to_num_values": lambda T, x: T.nan_to_num(x, nan=1.5, posinf=1e10, neginf=-2.0),
}

EXACT = {"floor", "ceil", "round", "trunc", "fix", "frac", "sign", "isnan", "isinf", "isfinite", "nan_to_num", "signbit",
         "nan_to_num_values", "square", "round_negative_decimals", "round_decimals_zero"}


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
        kw = {"decimals": -1 if "negative" in name else 0 if "zero" in name else 1}
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
        "frac", "round_decimals", "round_negative_decimals", "round_decimals_zero") else None
    if ints is not None:
        ref = fn(reftorch, reftorch.tensor([3, -2, 0]))
        assert reftorch.equal(ints.cpu(), ref)


def test_strict_device_grad():
    x = reftorch.tensor([1.5, -0.5, float("nan")], device="strict", requires_grad=True)
    (reftorch.nan_to_num(x) * 2 + reftorch.floor(x) + reftorch.frac(x)).sum().backward()
    t = torch.tensor([1.5, -0.5, float("nan")], requires_grad=True)
    (torch.nan_to_num(t) * 2 + torch.floor(t) + torch.frac(t)).sum().backward()
    assert_same(x.grad.cpu(), t.grad)


# ----------------------------------------------------------------------------- group 2
GROUP2 = ["rsqrt", "log1p", "expm1", "log2", "log10", "exp2", "tan", "asin", "acos", "atan", "arcsin", "arccos",
          "arctan", "sinh", "cosh", "erf", "erfc"]
#: last-bit differences of the C library / NumPy kernels are known: tight relative tolerances
_RTOL = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-12, "complex64": 1e-6, "complex128": 1e-12}
_SPECIAL2 = [float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 1e-8, -1e-8,
             0.84375, 1.25, 3.0, -3.0, 5.9, 27.0, -27.0, 30.0, 88.0, -88.0, 1e4]


def _compare_close(r, t, rtol):
    assert str(r.dtype) == str(t.dtype)
    assert tuple(r.shape) == tuple(t.shape)
    got, exp = np.asarray(r.detach()._host()), t.detach().numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exp))
    np.testing.assert_allclose(got, exp, rtol=rtol, atol=1e-30, equal_nan=True)


@pytest.mark.parametrize("dtype", FLOATS + ["complex64", "complex128"])
@pytest.mark.parametrize("name", GROUP2)
def test_group2_values(name, dtype):
    rng = np.random.default_rng(len(name))
    if dtype.startswith("complex"):
        data = (rng.uniform(-2, 2, 40) + 1j * rng.uniform(-2, 2, 40)).astype(dtype)
    else:
        with np.errstate(over="ignore"):
            data = np.concatenate([np.array(_SPECIAL2), rng.uniform(-3, 3, 200), rng.uniform(-1, 1, 100)]).astype(dtype)
        if dtype == "float32" and name == "erfc":  # (below 1e-37 torch's float32 erfc loses digits; ours does not)
            data = data[~(data > 9)]
    kt, vt = "ok", None
    try:
        vt = getattr(torch, name)(torch.from_numpy(data))
    except Exception as e:  # noqa: BLE001
        kt, vt = "err", e
    x = reftorch.tensor(data)
    if kt == "err":
        with pytest.raises(type(vt)) as info:
            getattr(reftorch, name)(x)
        assert str(info.value) == str(vt)
        return
    vr = _no_warnings(lambda: getattr(reftorch, name)(x))
    _compare_close(vr, vt, _RTOL[dtype])
    _compare_close(getattr(x, name)(), vt, _RTOL[dtype])


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", GROUP2)
def test_group2_integer_inputs_promote(name, dtype):
    data = _data(dtype)
    vt = getattr(torch, name)(torch.from_numpy(data))
    vr = _no_warnings(lambda: getattr(reftorch, name)(reftorch.tensor(data)))
    _compare_close(vr, vt, 1e-6)


class reftorch_default_dtype:  # noqa: N801 - a context manager for both libraries
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.old = (torch.get_default_dtype(), reftorch.get_default_dtype())
        torch.set_default_dtype(getattr(torch, self.name))
        reftorch.set_default_dtype(getattr(reftorch, self.name))

    def __exit__(self, *exc):
        torch.set_default_dtype(self.old[0])
        reftorch.set_default_dtype(self.old[1])


@pytest.mark.parametrize("name", ["log1p", "erf", "exp2", "sinh"])
def test_group2_integer_inputs_follow_default_dtype(name):
    with reftorch_default_dtype("float64"):
        vt = getattr(torch, name)(torch.tensor([1, 2, -3]))
        vr = getattr(reftorch, name)(reftorch.tensor([1, 2, -3]))
    _compare_close(vr, vt, 1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", GROUP2)
def test_group2_grads(name, dtype):
    x = np.array([0.3, -0.7, 0.05, 1.5, -2.0, 0.0], dtype=dtype)
    if name in ("log1p", "log2", "log10", "rsqrt"):
        x = np.abs(x) + 0.1
    check_grads(lambda T, a: getattr(T, name)(a), x)


@pytest.mark.parametrize("name", GROUP2)
def test_group2_complex_grads(name):
    if name in ("erf", "erfc"):
        pytest.raises(NotImplementedError, getattr(reftorch, name), reftorch.tensor([1j]))
        return
    z = np.array([0.3 + 0.2j, -0.5 + 0.7j, 1.2 - 0.4j], np.complex128)
    check_grads(lambda T, a: getattr(T, name)(a), z)


@pytest.mark.parametrize("name", GROUP2)
def test_group2_double_backward(name):
    def f(T, a):
        y = getattr(T, name)(a)
        (g,) = T.autograd.grad(y.sum(), a, create_graph=True)
        (gg,) = T.autograd.grad(g.sum(), a)
        return g.detach(), gg
    data = np.array([0.3, 0.45, 0.8], np.float64)
    both(f, data, requires_grad=True)


@pytest.mark.parametrize("name", GROUP2)
def test_group2_inplace_and_errors(name):
    both(lambda T, x: getattr(x.clone(), name + "_")(), np.array([0.25, 0.5, 0.75], np.float32))
    # an integer tensor cannot hold the float result: torch's error
    both(lambda T, x: getattr(x.clone(), name + "_")(), np.array([1, 2], np.int64), msg=True)


@pytest.mark.parametrize("name", GROUP2)
def test_group2_non_contiguous_and_strict(name):
    a = (np.arange(24, dtype=np.float32).reshape(4, 6) - 10) / 13

    def f(T, x):
        y = getattr(T, name)(x.t()[:, ::2])
        return y, y.stride()
    both(f, a)
    cpu = getattr(reftorch, name)(reftorch.tensor(a))
    strict = getattr(reftorch, name)(reftorch.tensor(a, device="strict"))
    assert strict.device.type == "strict"
    np.testing.assert_allclose(np.asarray(strict.cpu()._host()), np.asarray(cpu._host()), rtol=1e-6, equal_nan=True)
    x = reftorch.tensor(a, device="strict", requires_grad=True)
    getattr(reftorch, name)(x).sum().backward()
    y = reftorch.tensor(a, requires_grad=True)
    getattr(reftorch, name)(y).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad.cpu()._host()), np.asarray(y.grad._host()), rtol=1e-6,
                               equal_nan=True)


@pytest.mark.parametrize("name, value", [("log10", 100.0), ("log10", 1000.0), ("log2", 8.0), ("exp2", 10.0),
                                         ("log1p", 0.5), ("atan", 1.0)])
def test_group2_float32_bits_and_printing(name, value):
    # float32 computed in float64 and rounded once: PyTorch's bits, hence its printed output
    both(lambda T, x: getattr(T, name)(x), np.array([value, 1.0], np.float32), exact=True)
    t = repr(getattr(torch, name)(torch.tensor([value, 1.0])))
    assert repr(getattr(reftorch, name)(reftorch.tensor([value, 1.0]))) == t


# ----------------------------------------------------------------------------- group 3 (binary)
GROUP3 = ["atan2", "arctan2", "hypot", "fmod", "logaddexp", "fmax", "fmin"]
_VALS = [float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 0.5, -1.5, 2.0, -3.0, 7.25, 1e30]


def _pair(dtype):
    if dtype == "bool":
        return np.array([[True], [False]]), np.array([True, False, True])
    if dtype in ("int64", "int32"):
        return np.array([[7], [-7], [0]], dtype=dtype), np.array([3, -2, 5], dtype=dtype)
    if dtype.startswith("complex"):
        return (np.array([[1 + 2j], [-0.5 + 0.25j]], dtype=dtype), np.array([0.5 - 1j, 2 + 0j, -1 + 3j], dtype=dtype))
    with np.errstate(over="ignore"):
        a = np.array(_VALS, dtype=dtype)
    return a.reshape(-1, 1), a  # every pair of special values, broadcast


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64", "int32", "bool", "complex64"])
@pytest.mark.parametrize("name", GROUP3)
def test_group3_values_dtypes_errors(name, dtype):
    a, b = _pair(dtype)
    rtol = _RTOL.get(dtype, 0)
    kt, vt = "ok", None
    try:
        vt = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
    except Exception as e:  # noqa: BLE001
        kt, vt = "err", e
    ra, rb = reftorch.tensor(a), reftorch.tensor(b)
    if kt == "err":
        with pytest.raises(type(vt)) as info:
            getattr(reftorch, name)(ra, rb)
        assert str(info.value) == str(vt)
        return
    vr = _no_warnings(lambda: getattr(reftorch, name)(ra, rb))
    if name in ("fmod", "fmax", "fmin", "hypot") or not rtol:
        both(lambda T, x, y: getattr(T, name)(x, y), a, b, exact=True)
    else:
        _compare_close(vr, vt, rtol)
    _compare_close(getattr(ra, name)(rb), vt, rtol or 1e-30)


@pytest.mark.parametrize("name", GROUP3)
def test_group3_mixed_dtypes_and_numbers(name):
    a = np.array([3.5, -2.25, 8.0], np.float16)
    b = np.array([[2], [-3]], np.int64)
    both(lambda T, x, y: getattr(T, name)(x, y), a, b, exact=name in ("fmod", "fmax", "fmin"))
    both(lambda T, x, y: getattr(T, name)(x, y.double()), a, b)
    both(lambda T, x, y: getattr(T, name)(x, y[0, 0].float()), b, b)  # a 0-d float tensor with an int one
    for other in (2, 2.5, True):
        both(lambda T, x: getattr(T, name)(x, other), np.array([5.0, -5.0, 0.5], np.float32), msg=True)
        both(lambda T, x: getattr(T, name)(x, other), np.array([5, -5, 7], np.int64), msg=True)
    both(lambda T, x: getattr(T, name)(2, x), np.array([5.0], np.float32), check_grad_fn=False)


def test_fmod_integer_zero_and_float_zero():
    both(lambda T, x: T.fmod(x, 0), np.array([3, -7], np.int64), msg=True)
    both(lambda T, x, y: T.fmod(x, y), np.array([3, -7], np.int64), np.array([2, 0], np.int64), msg=True)
    r = _no_warnings(lambda: reftorch.fmod(reftorch.tensor([3.0, -0.0, float("inf")]), 0.0))
    both(lambda T, x: T.fmod(x, 0.0), np.array([3.0, -0.0, float("inf")], np.float32), exact=True)
    assert r.isnan().all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", GROUP3)
def test_group3_grads_broadcast(name, dtype):
    rng = np.random.default_rng(3)
    a = rng.uniform(-3, 3, (3, 1)).astype(dtype)
    b = rng.uniform(0.5, 3, (4,)).astype(dtype)
    a[0, 0] = b[1]  # a tie for fmax/fmin
    check_grads(lambda T, x, y: getattr(T, name)(x, y), a, b)
    check_grads(lambda T, x: getattr(T, name)(x, T.tensor(b)), a)
    if name == "fmod":
        check_grads(lambda T, x: T.fmod(x, 1.5), a)


def test_fmax_fmin_nan_grads():
    a = np.array([1.0, float("nan"), float("nan"), 2.0], np.float64)
    b = np.array([float("nan"), 3.0, float("nan"), 2.0], np.float64)
    for name in ("fmax", "fmin"):
        check_grads(lambda T, x, y: getattr(T, name)(x, y), a, b)


def test_logaddexp_complex_grads():
    a = np.array([0.5 + 1j, -1 + 0.25j], np.complex128)
    b = np.array([1.5 - 0.5j, -2 + 1j], np.complex128)
    check_grads(lambda T, x, y: T.logaddexp(x, y), a, b)


@pytest.mark.parametrize("name", GROUP3)
def test_group3_double_backward(name):
    def f(T, x, y):
        z = getattr(T, name)(x, y)
        gx, gy = T.autograd.grad(z.sum(), (x, y), create_graph=True)
        (ggx,) = T.autograd.grad((gx * gx).sum() + (gy * 2).sum(), x, allow_unused=True)
        return gx.detach(), gy.detach(), ggx
    both(f, np.array([0.75, -1.25, 2.5], np.float64), np.array([1.5, 0.5, -0.75], np.float64), requires_grad=True)


@pytest.mark.parametrize("name", GROUP3)
def test_group3_out_and_inplace(name):
    def with_out(T, x, y):
        out = T.empty(0, dtype=T.float64)
        r = getattr(T, name)(x, y, out=out)
        assert r is out
        return out
    both(with_out, np.array([[0.5, 4.0, -3.0]], np.float32), np.array([[1.5], [2.0]], np.float32))
    both(lambda T, x, y: getattr(T, name)(x, y, out=T.empty(3, dtype=T.int64)), np.array([0.5, 4.0, -3.0]),
         np.array([1.5, 2.0, 1.0]), msg=True)

    def inplace(T, x, y):
        z = x.clone()
        r = getattr(z, name + "_")(y)
        assert r is z
        return z
    both(inplace, np.array([0.5, 4.0, -3.0], np.float32), np.array([1.5, 2.0, 1.0], np.float64))


@pytest.mark.parametrize("name", GROUP3)
def test_group3_non_contiguous_and_strict(name):
    a = (np.arange(24, dtype=np.float32).reshape(4, 6) - 10) / 3
    b = (np.arange(12, dtype=np.float32).reshape(6, 2) + 1) / 4

    def f(T, x, y):
        z = getattr(T, name)(x.t()[::2], y[::2])
        return z, z.stride()
    both(f, a, b)
    cpu = getattr(reftorch, name)(reftorch.tensor(a), reftorch.tensor(a[::-1].copy()))
    xs = reftorch.tensor(a, device="strict", requires_grad=True)
    ys = reftorch.tensor(a[::-1].copy(), device="strict")
    strict = getattr(reftorch, name)(xs, ys)
    assert strict.device.type == "strict"
    np.testing.assert_allclose(np.asarray(strict.detach().cpu()._host()), np.asarray(cpu._host()), rtol=1e-6)
    strict.sum().backward()
    xc = reftorch.tensor(a, requires_grad=True)
    getattr(reftorch, name)(xc, reftorch.tensor(a[::-1].copy())).sum().backward()
    np.testing.assert_allclose(np.asarray(xs.grad.cpu()._host()), np.asarray(xc.grad._host()), rtol=1e-6)


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "frac", "sign", "sgn", "square", "nan_to_num",
                                  "rsqrt", "log1p", "expm1", "log2", "log10", "exp2", "tan", "asin", "acos", "atan",
                                  "sinh", "cosh", "erf", "erfc"])
def test_unary_out(name):
    def f(T, x):
        out = T.empty(0, dtype=T.float64)
        r = getattr(T, name)(x, out=out)
        assert r is out
        return out
    # a float64 out: cast into for the transcendental ops, refused by the rounding ones
    both(f, np.array([[0.25, 0.5], [0.75, float("nan")]], np.float32), msg=True)
    both(f, np.array([[0.25, 0.5], [0.75, float("nan")]], np.float64))
    # a float result cannot go into an integer out; an input that requires grad is refused
    both(lambda T, x: getattr(T, name)(x, out=T.empty(2, dtype=T.int64)), np.array([0.5, 2.5]), msg=True)
    both(lambda T, x: getattr(T, name)(x, out=T.empty(2)), np.array([0.5, 2.5]), msg=True, requires_grad=True)
    both(lambda T, x: getattr(T, name)(x, out=T.empty(2)), np.array([1, 2]), msg=True)
    both(lambda T, x: T.round(x, decimals=1, out=T.empty(2, dtype=T.float64)), np.array([0.25, 2.55]), exact=True)


@pytest.mark.parametrize("name", ["fmax", "fmin", "floor", "round", "trunc", "nan_to_num", "sign", "atan2", "fmod"])
def test_signed_zeros(name):
    v = [-0.0, 0.0, -0.25, -0.5, 0.25, -1e-30, -float("inf"), 1.0]
    binary = name in GROUP3

    def f(T, x):
        r = getattr(T, name)(x.reshape(-1, 1), x.flip(0)) if binary else getattr(T, name)(x)
        return r.signbit()
    both(f, np.array(v, np.float32))
