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
]
IDS = [f"{n}-{kw}" for n, kw in CASES]
# edge values: zeros, both signs, large magnitudes, and where approximations switch regimes
VALUES = [-30.0, -10.0, -5.5, -3.0, -1.0, -0.5, -1e-3, -0.0, 0.0, 1e-3, 0.5, 1.0, 2.0, 3.0, 5.5, 10.0, 30.0]
# PyTorch's CPU kernels run most elements through SIMD code (a polynomial erf for float32
# GELU, SLEEF's tanh/exp) and the tail through the C library, so where a result comes from a
# cancellation (1 + erf(x) for x << 0, 1 - tanh^2) it agrees to an absolute, not relative,
# tolerance; elsewhere relatively (float16: within one unit in the last place).
TOL = {"float64": dict(rtol=1e-12, atol=1e-15), "float32": dict(rtol=1e-6, atol=1e-6),
       "float16": dict(rtol=1e-3, atol=1e-6)}


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
        (g3,) = T.autograd.grad(gx.sum(), x)
        res[T] = (gx, gv, g3)
    for a, b in zip(res[reftorch], res[torch]):
        np.testing.assert_allclose(tonp(a), tonp(b), rtol=1e-10, atol=1e-13)


MODULES = [
    ("GELU", (), {}, "GELU(approximate='none')"),
    ("GELU", ("tanh",), {}, "GELU(approximate='tanh')"),
    ("GELU", (), {"approximate": "tanh"}, "GELU(approximate='tanh')"),
    ("SiLU", (), {}, "SiLU()"),
    ("SiLU", (), {"inplace": True}, "SiLU(inplace=True)"),
]


@pytest.mark.parametrize("cls,args,kw,text", MODULES)
def test_module_repr_state_and_forward(cls, args, kw, text):
    r, t = getattr(reftorch.nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert repr(r) == repr(t) == text
    assert r.state_dict() == {} and len(t.state_dict()) == 0
    assert list(r.parameters()) == []
    xr, xt = _input(reftorch, "float32"), _input(torch, "float32")
    _close(r(xr), t(xt), "float32")


@pytest.mark.parametrize("name", ["silu"])
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


@pytest.mark.parametrize("name", ["silu"])
def test_module_inplace_no_grad(name):
    for T in (reftorch, torch):
        x = T.tensor([-1.0, 2.0])
        y = T.nn.SiLU(inplace=True)(x)
        assert y is x
    np.testing.assert_allclose(tonp(reftorch.nn.SiLU(inplace=True)(reftorch.tensor([-1.0, 2.0]))),
                               tonp(torch.nn.SiLU(inplace=True)(torch.tensor([-1.0, 2.0]))), rtol=1e-6)


ERRORS = [
    ("gelu", lambda T: T.tensor([1, 2]), {}),
    ("gelu", lambda T: T.tensor([1, 2]), {"approximate": "tanh"}),
    ("gelu", lambda T: T.tensor([1.0]), {"approximate": "bad"}),
    ("gelu", lambda T: T.tensor([1.0]), {"approximate": "Tanh"}),
    ("silu", lambda T: T.tensor([1, 2]), {}),
    ("silu", lambda T: T.tensor([True]), {}),
]


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
