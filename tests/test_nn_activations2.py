"""GELU, SiLU (and the activations added after them) against PyTorch 2.13: values for
float16/32/64, grad_fn names, gradients, double backward, module reprs, in-place use,
errors and the strict device. Expected values always come from torch."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _nn_compare import tonp

# name -> (functional name, kwargs): each op's cases
CASES = [
    ("gelu", {}),
    ("gelu", {"approximate": "none"}),
    ("gelu", {"approximate": "tanh"}),
    ("silu", {}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}),
    ("relu6", {}),
    ("hardtanh", {}),
    ("hardtanh", {"min_val": -2.0, "max_val": 5.5}),
    ("mish", {}),
]
IDS = [f"{n}-{kw}" for n, kw in CASES]
# edge values: zeros, both signs, large magnitudes, and where approximations switch regimes
VALUES = [-30.0, -10.0, -5.5, -3.0, -1.0, -0.5, -1e-3, -0.0, 0.0, 1e-3, 0.5, 1.0, 2.0, 3.0, 5.5, 10.0, 30.0]
# PyTorch's CPU kernels run most elements through SIMD code (a polynomial erf for float32
# GELU, SLEEF's tanh/exp) and the tail through the C library, so where a result comes from a
# cancellation (1 + erf(x) for x << 0, 1 - tanh^2) it agrees to an absolute, not relative,
# tolerance; elsewhere relatively (float16: within one unit in the last place).
TOL = {"float64": {"rtol": 1e-12, "atol": 1e-15}, "float32": {"rtol": 1e-6, "atol": 1e-6},
       "float16": {"rtol": 1e-3, "atol": 1e-6}}


def _input(T, dtype, requires_grad=False, seed=0):
    rng = np.random.default_rng(seed)
    a = np.concatenate([np.array(VALUES), rng.normal(0, 3, 40)]).astype(dtype)
    return T.tensor(a, requires_grad=requires_grad)


def _close(a, b, dtype):
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(tonp(a).astype(np.float64), tonp(b).astype(np.float64), **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_values_grad_fn_and_grads(name, kw, dtype):
    res = {}
    for T in (reftorch, torch):
        x = _input(T, dtype, requires_grad=True)
        y = getattr(T.nn.functional, name)(x, **kw)
        (g,) = T.autograd.grad(y, x, T.ones_like(y) * 0.75)
        res[T] = (y, g)
    (ry, rg), (ty, tg) = res[reftorch], res[torch]
    assert ry.grad_fn.name() == ty.grad_fn.name()
    _close(ry, ty, dtype)
    _close(rg, tg, dtype)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_double_backward(name, kw):
    res = {}
    for T in (reftorch, torch):
        x = _input(T, "float64", requires_grad=True, seed=1)
        y = getattr(T.nn.functional, name)(x, **kw)
        (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), x)
        res[T] = (g, gg)
    (rg, rgg), (tg, tgg) = res[reftorch], res[torch]
    assert rg.grad_fn.name() == tg.grad_fn.name()
    np.testing.assert_allclose(tonp(rg), tonp(tg), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tonp(rgg), tonp(tgg), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_third_order_and_grad_of_grad_output(name, kw):
    res = {}
    for T in (reftorch, torch):
        x = _input(T, "float64", requires_grad=True, seed=2)
        v = T.ones_like(x).requires_grad_()
        y = getattr(T.nn.functional, name)(x, **kw)
        (g,) = T.autograd.grad(y, x, v, create_graph=True)
        gx, gv = T.autograd.grad(g.sum(), (x, v), create_graph=True)
        # piecewise-linear ops: the second derivative is a constant zero, outside the graph
        res[T] = (gx, gv) + ((T.autograd.grad(gx.sum(), x)[0],) if gx.requires_grad else ())
    assert len(res[reftorch]) == len(res[torch])
    for a, b in zip(res[reftorch], res[torch]):
        np.testing.assert_allclose(tonp(a), tonp(b), rtol=1e-10, atol=1e-13)


MODULES = [
    ("GELU", (), {}, "GELU(approximate='none')"),
    ("GELU", ("tanh",), {}, "GELU(approximate='tanh')"),
    ("GELU", (), {"approximate": "tanh"}, "GELU(approximate='tanh')"),
    ("SiLU", (), {}, "SiLU()"),
    ("SiLU", (), {"inplace": True}, "SiLU(inplace=True)"),
    ("ELU", (), {}, "ELU(alpha=1.0)"),
    ("ELU", (0.5,), {"inplace": True}, "ELU(alpha=0.5, inplace=True)"),
    ("ReLU6", (), {}, "ReLU6()"),
    ("ReLU6", (True,), {}, "ReLU6(inplace=True)"),
    ("Hardtanh", (), {}, "Hardtanh(min_val=-1.0, max_val=1.0)"),
    ("Hardtanh", (-2, 3), {}, "Hardtanh(min_val=-2, max_val=3)"),
    ("Hardtanh", (-2.0, 3.0, True), {}, "Hardtanh(min_val=-2.0, max_val=3.0, inplace=True)"),
    ("Mish", (), {}, "Mish()"),
    ("Mish", (), {"inplace": True}, "Mish(inplace=True)"),
]


@pytest.mark.parametrize("cls,args,kw,text", MODULES)
def test_module_repr_state_and_forward(cls, args, kw, text):
    r, t = getattr(reftorch.nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert repr(r) == repr(t) == text
    assert r.state_dict() == {} and len(t.state_dict()) == 0
    assert list(r.parameters()) == []
    xr, xt = _input(reftorch, "float32"), _input(torch, "float32")
    _close(r(xr), t(xt), "float32")


INPLACE = ["silu", "elu", "relu6", "hardtanh", "mish"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace(name):
    res = {}
    for T in (reftorch, torch):
        leaf = _input(T, "float32", requires_grad=True)
        x = leaf * 1.0
        v = x._version
        out = getattr(T.nn.functional, name)(x, inplace=True)
        assert out is x and x._version == v + 1
        out.sum().backward()
        res[T] = (out, leaf.grad)
        with pytest.raises(RuntimeError):
            getattr(T.nn.functional, name)(_input(T, "float32", requires_grad=True), inplace=True)
    assert res[reftorch][0].grad_fn.name() == res[torch][0].grad_fn.name()
    for a, b in zip(res[reftorch], res[torch]):
        _close(a, b, "float32")


@pytest.mark.parametrize("cls", ["SiLU", "ELU", "ReLU6", "Hardtanh", "Mish"])
def test_module_inplace_no_grad(cls):
    outs = []
    for T in (reftorch, torch):
        x = T.tensor([-7.0, -1.0, 0.5, 2.0, 9.0])
        y = getattr(T.nn, cls)(inplace=True)(x)
        assert y is x
        outs.append(x)
    _close(outs[0], outs[1], "float32")


def test_hardtanh_and_relu6_keep_integer_dtypes_and_nan():
    for make in [lambda T: T.tensor([-3, 0, 2, 7]), lambda T: T.tensor([3, 0, 9], dtype=T.uint8),
                 lambda T: T.tensor([-3, 0, 7], dtype=T.int16)]:
        for f, kw in [("relu6", {}), ("hardtanh", {"min_val": 1.0, "max_val": 4.0})]:
            a, b = (getattr(T.nn.functional, f)(make(T), **kw) for T in (reftorch, torch))
            assert str(a.dtype) == str(b.dtype)
            np.testing.assert_array_equal(tonp(a), tonp(b))
    # (float32 gelu is left out: PyTorch's SIMD erf gives gelu(inf) = nan, its scalar tail inf)
    for f, dt in [("hardtanh", "float32"), ("relu6", "float32"), ("elu", "float32"), ("gelu", "float64"),
                  ("silu", "float32"), ("mish", "float32"), ("silu", "float64"), ("mish", "float64")]:
        a, b = (getattr(T.nn.functional, f)(T.tensor([float("nan"), float("inf"), -float("inf")],
                                                      dtype=getattr(T, dt)))
                for T in (reftorch, torch))
        np.testing.assert_array_equal(tonp(a), tonp(b))


def test_hardtanh_gradient_is_zero_at_the_ends():
    grads = []
    for T in (reftorch, torch):
        x = T.tensor([-2.0, -1.0, 0.0, 1.0, 6.0, 7.0], requires_grad=True)
        T.nn.functional.relu6(x).sum().backward()
        y = T.tensor([-2.0, -1.0, 0.0, 1.0, 6.0, 7.0], requires_grad=True)
        T.nn.functional.hardtanh(y).sum().backward()
        grads.append((x.grad, y.grad))
    for a, b in zip(*grads):
        np.testing.assert_array_equal(tonp(a), tonp(b))


def test_relu6_is_a_hardtanh():
    r, t = reftorch.nn.ReLU6(), torch.nn.ReLU6()
    assert isinstance(r, reftorch.nn.Hardtanh) and isinstance(t, torch.nn.Hardtanh)
    assert (r.min_val, r.max_val) == (t.min_val, t.max_val) == (0.0, 6.0)


ERRORS = [
    ("gelu", lambda T: T.tensor([1, 2]), {}),
    ("gelu", lambda T: T.tensor([1, 2]), {"approximate": "tanh"}),
    ("gelu", lambda T: T.tensor([1.0]), {"approximate": "bad"}),
    ("gelu", lambda T: T.tensor([1.0]), {"approximate": "Tanh"}),
    ("silu", lambda T: T.tensor([1, 2]), {}),
    ("silu", lambda T: T.tensor([True]), {}),
    ("elu", lambda T: T.tensor([1, 2]), {}),
    ("mish", lambda T: T.tensor([1, 2]), {}),
    ("hardtanh", lambda T: T.tensor([True]), {}),
    ("relu6", lambda T: T.tensor([True]), {}),
    ("hardtanh", lambda T: T.tensor([1.0]), {"min_val": 2.0, "max_val": 1.0}),
    ("elu", lambda T: T.tensor([1.0], requires_grad=True), {"inplace": True}),
    ("hardtanh", lambda T: T.tensor([1.0], requires_grad=True), {"inplace": True}),
    ("hardtanh", lambda T: T.tensor([3], dtype=T.uint8), {}),
    ("hardtanh", lambda T: T.tensor([3], dtype=T.uint8), {"min_val": -3.0, "max_val": -1.0}),
]


@pytest.mark.parametrize("args", [(2.0, 1.0), (1.0, 1.0), (3, -3)])
def test_hardtanh_module_bounds(args):
    caught = []
    for T in (reftorch, torch):
        with pytest.raises(AssertionError) as info:
            T.nn.Hardtanh(*args)
        caught.append(str(info.value))
    assert caught[0] == caught[1]


@pytest.mark.parametrize("name,make,kw", ERRORS)
def test_errors(name, make, kw):
    caught = []
    for T in (reftorch, torch):
        with pytest.raises(Exception) as info:
            getattr(T.nn.functional, name)(make(T), **kw)
        caught.append(info)
    assert caught[0].type is caught[1].type
    assert str(caught[0].value) == str(caught[1].value)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_strict_device_matches_cpu(name, kw):
    f = getattr(reftorch.nn.functional, name)
    x = _input(reftorch, "float32", requires_grad=True)
    xs = x.detach().to("strict").requires_grad_()
    y, ys = f(x, **kw), f(xs, **kw)
    assert ys.device.type == "strict" and ys.grad_fn.name() == y.grad_fn.name()
    ys.sum().backward()
    y.sum().backward()
    np.testing.assert_allclose(tonp(ys), tonp(y), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(tonp(xs.grad), tonp(x.grad), rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_shapes_and_empty(name, kw):
    for shape in [(), (0,), (2, 0, 3), (2, 3, 4)]:
        outs = []
        for T in (reftorch, torch):
            x = T.linspace(-3, 3, int(np.prod(shape))).reshape(shape)
            outs.append(getattr(T.nn.functional, name)(x, **kw))
        assert tuple(outs[0].shape) == tuple(outs[1].shape)
        _close(outs[0], outs[1], "float32")


@pytest.mark.parametrize("name", ["gelu", "elu", "mish", "hardtanh", "relu6"])
def test_complex_input_refused(name):
    caught = []
    for T in (reftorch, torch):
        with pytest.raises(Exception) as info:
            getattr(T.nn.functional, name)(T.tensor([1 + 1j, -2j]))
        caught.append(info)
    assert caught[0].type is caught[1].type and str(caught[0].value) == str(caught[1].value)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_silu_complex_values_without_grad(dtype):
    outs = []
    for T in (reftorch, torch):
        z = T.tensor([1 + 1j, -0.5 + 2j, 30 - 1j, -3 - 0.25j, 0j], dtype=getattr(T, dtype), requires_grad=True)
        with pytest.raises(RuntimeError, match="silu does not support automatic differentiation"):
            T.nn.functional.silu(z)
        with T.no_grad():
            outs.append(T.nn.functional.silu(z))
    assert str(outs[0].dtype) == str(outs[1].dtype)
    np.testing.assert_allclose(tonp(outs[0]), tonp(outs[1]), rtol=1e-6 if dtype == "complex64" else 1e-12)


@pytest.mark.parametrize("name,args", [("elu_", ()), ("elu_", (0.3,)), ("hardtanh_", ()), ("hardtanh_", (-0.5, 0.7))])
def test_underscore_functions(name, args):
    res = []
    for T in (reftorch, torch):
        leaf = _input(T, "float32", requires_grad=True)
        x = leaf * 1.0
        out = getattr(T.nn.functional, name)(x, *args)
        assert out is x
        out.sum().backward()
        res.append((out, leaf.grad, out.grad_fn.name()))
    assert res[0][2] == res[1][2]
    _close(res[0][0], res[1][0], "float32")
    _close(res[0][1], res[1][1], "float32")


LAYOUTS = [
    lambda T: T.tensor([[-1.0, 2.0]]).t(),
    lambda T: T.arange(-12.0, 12.0).reshape(2, 3, 4).permute(2, 0, 1),
    lambda T: T.arange(-12.0, 12.0).reshape(4, 6)[:, ::2],
    lambda T: T.arange(-12.0, 12.0).reshape(4, 6).t()[::2],
    lambda T: T.linspace(-3, 3, 6).reshape(3, 1, 2).transpose(0, 2),
]


@pytest.mark.parametrize("make", LAYOUTS)
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_output_and_gradient_strides(name, kw, make):
    res = []
    for T in (reftorch, torch):
        x = make(T).requires_grad_()
        y = getattr(T.nn.functional, name)(x, **kw)
        (g,) = T.autograd.grad(y, x, T.ones_like(y))
        res.append((y.stride(), g.stride(), y, g))
    assert res[0][:2] == res[1][:2]
    _close(res[0][2], res[1][2], "float32")
    _close(res[0][3], res[1][3], "float32")


SIZE1_LAYOUTS = [
    lambda T: T.arange(-6.0, 6.0).reshape(3, 1, 4).permute(1, 0, 2),
    lambda T: T.arange(-6.0, 6.0).reshape(3, 1, 4).permute(0, 2, 1),
    lambda T: T.arange(-12.0, 12.0).reshape(3, 1, 8)[..., ::2].permute(1, 0, 2),
    lambda T: T.arange(-12.0, 12.0).reshape(3, 1, 8)[..., ::2].permute(0, 2, 1),
    lambda T: T.arange(-3.0, 3.0).reshape(2, 1, 3, 1).permute(1, 2, 0, 3),
    lambda T: T.arange(-3.0, 3.0).reshape(2, 1, 3, 1).permute(1, 2, 3, 0),
]


@pytest.mark.parametrize("make", SIZE1_LAYOUTS)
@pytest.mark.parametrize("name,kw", CASES + [("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
                                             ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 1.0})])
def test_gradient_strides_with_size1_dims(name, kw, make):
    """Inputs with size-1 dims, permuted or sliced: the gradient the backward hands on
    (``autograd.grad``) has PyTorch's strides, size-1 dims included (its kernels lay the
    result out from ``(grad_output, self)``)."""
    res = []
    for T in (reftorch, torch):
        x = make(T).requires_grad_()
        y = getattr(T.nn.functional, name)(x, **kw)
        (g,) = T.autograd.grad(y, x, T.ones_like(y))
        res.append((y.stride(), g.stride(), y, g))
    assert res[0][:2] == res[1][:2]
    _close(res[0][2], res[1][2], "float32")
    _close(res[0][3], res[1][3], "float32")


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_double_backward(name):
    res = []
    for T in (reftorch, torch):
        leaf = T.tensor([-1.5, -0.2, 0.7, 2.0, 6.5], dtype=T.float64, requires_grad=True)
        x = leaf * 1.0
        y = getattr(T.nn.functional, name)(x, inplace=True)
        (g,) = T.autograd.grad((y * y).sum(), leaf, create_graph=True)
        (gg,) = T.autograd.grad(g.sum(), leaf)
        res.append((y.grad_fn.name(), g, gg))
    assert res[0][0] == res[1][0]
    _close(res[0][1], res[1][1], "float64")
    _close(res[0][2], res[1][2], "float64")


@pytest.mark.parametrize("slope", [0.2, 0.0, -0.2])
def test_leaky_relu_inplace_node_as_torch(slope):
    """In place, PyTorch records ``LeakyReluBackward1`` and refuses the backward for a
    negative slope (its node keeps the result, whose sign that slope flips)."""
    outs = []
    for lib in (torch, reftorch):
        x = lib.tensor([1.0, -2.0, 3.0, -0.5], requires_grad=True)
        y = x * 1
        z = lib.nn.functional.leaky_relu(y, slope, inplace=True)
        assert z is y and z.grad_fn.name() == "LeakyReluBackward1"
        try:
            z.sum().backward()
            outs.append(("ok", tonp(z.detach()), tonp(x.grad)))
        except RuntimeError as exc:
            outs.append(("err", str(exc)))
    assert outs[0][0] == outs[1][0]
    if outs[0][0] == "ok":
        np.testing.assert_array_equal(outs[1][1], outs[0][1])
        np.testing.assert_array_equal(outs[1][2], outs[0][2])
    else:
        assert outs[1][1] == outs[0][1]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("slope", [0.0, 2.0 ** -30, 0.01, 0.2, 1.0, 1.5, -0.3])
def test_leaky_relu_bits_with_infinities_and_signed_zeros(dtype, slope):
    # the forward takes max(x, slope * x) for slopes in [2**-24, 1], a where elsewhere: both
    # must give PyTorch's bits, at inf (inf * 0 is nan), -0. and nan included; float16 is
    # computed in float32 with the slope a float32, as PyTorch does (a float16 slope of 0.01
    # gave a different last bit for ~15 % of the values)
    with np.errstate(over="ignore"):  # (3e38 becomes inf in float16)
        a = np.concatenate([[np.inf, -np.inf, -0.0, 0.0, np.nan, 1e-45, -1e-45, 3e38, -3e38],
                            np.random.default_rng(1).normal(0, 2, 500)]).astype(dtype)
    got, want = (tonp(T.nn.functional.leaky_relu(T.tensor(a), slope)) for T in (reftorch, torch))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert (got[ok].view(np.uint8) == want[ok].view(np.uint8)).all()


@pytest.mark.parametrize("kw", [{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 3.0}])
def test_softplus_float16_is_computed_in_float32(kw):
    # PyTorch's float16 softplus computes in float32 and rounds once: the same bits here
    # (computed in float16, ~17 % of these values had another last bit)
    a = np.concatenate([[-0.0, 0.0, np.inf, -np.inf, 20.0, 30.0, -30.0],
                        np.random.default_rng(2).normal(0, 3, 2000)]).astype(np.float16)
    got, want = (tonp(T.nn.functional.softplus(T.tensor(a), **kw)) for T in (reftorch, torch))
    assert (got.view(np.uint16) == want.view(np.uint16)).all()
