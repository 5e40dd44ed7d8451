"""selu, celu, hardswish, hardsigmoid, softmin, logsigmoid, softsign, threshold, glu, prelu
and their layers, against PyTorch: values, grads, grad_fn names (first and, where
reftorch records it, second order), reprs, state_dict keys, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from _nn_compare import LIBS, raises_same, same

DATA = np.array([[-5.0, -3.0, -2.5, -1.0, -0.0, 0.0, 0.3, 1.0],
                 [2.0, 2.9999, 3.0, 3.5, 6.0, 20.0, -100.0, 50.0]], dtype=np.float32)

FNS = {
    "selu": lambda T, x: T.nn.functional.selu(x),
    "celu": lambda T, x: T.nn.functional.celu(x, alpha=0.5),
    "celu1": lambda T, x: T.nn.functional.celu(x),
    "hardswish": lambda T, x: T.nn.functional.hardswish(x),
    "hardsigmoid": lambda T, x: T.nn.functional.hardsigmoid(x),
    "softmin": lambda T, x: T.nn.functional.softmin(x, dim=1),
    "logsigmoid": lambda T, x: T.nn.functional.logsigmoid(x),
    "softsign": lambda T, x: T.nn.functional.softsign(x),
    "threshold": lambda T, x: T.nn.functional.threshold(x, 0.3, -7.0),
    "glu": lambda T, x: T.nn.functional.glu(x),
    "glu0": lambda T, x: T.nn.functional.glu(x, 0),
    "prelu": lambda T, x: T.nn.functional.prelu(x, T.linspace(-0.4, 0.4, 8, dtype=x.dtype)),
    "prelu1": lambda T, x: T.nn.functional.prelu(x, T.tensor([0.3], dtype=x.dtype)),
}
DOUBLE = ["selu", "celu", "celu1", "hardswish", "logsigmoid", "softsign", "threshold", "softmin", "glu", "glu0"]


@pytest.mark.parametrize("name", FNS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_and_grads(name, dtype):
    out = []
    for T in LIBS:
        x = T.tensor(DATA, dtype=getattr(T, dtype), requires_grad=True)
        y = FNS[name](T, x)
        w = T.tensor(np.arange(y.numel()).reshape(tuple(y.shape)) % 5 - 2.0, dtype=getattr(T, dtype))
        (y * w).sum().backward()
        out.append((y, x.grad))
    tol = 1e-6 if dtype == "float32" else 1e-12
    same(out[0], out[1], rtol=tol, atol=tol)


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(name):
    out = []
    for T in LIBS:
        x = T.tensor(DATA[:, :6].astype(np.float64) + 0.25, requires_grad=True)  # (off the kinks)
        y = FNS[name](T, x)
        g0 = T.ones_like(y).mul(0.5).requires_grad_()
        (g,) = T.autograd.grad(y, x, g0, create_graph=True)
        gx, gg = T.autograd.grad((g * g).sum(), (x, g0), allow_unused=True)
        out.append((g.grad_fn.name(), g, gx, gg))
    same(out[0], out[1], rtol=1e-10, atol=1e-12)


def test_hardsigmoid_double_backward_error():
    msgs = []
    for T in LIBS:
        x = T.tensor([0.5, 1.0], requires_grad=True)
        (g,) = T.autograd.grad(T.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)
        assert g.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError) as info:
            g.sum().backward()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_prelu_weight_grad_and_module():
    out = []
    for T in LIBS:
        m = T.nn.PReLU(3, init=0.1)
        x = T.tensor(np.linspace(-3, 3, 24).reshape(2, 3, 4).astype(np.float32), requires_grad=True)
        y = m(x)
        (y * y).sum().backward()
        out.append((y, x.grad, m.weight.grad, dict(m.state_dict())))
        assert repr(m) == "PReLU(num_parameters=3)"
    same(out[0], out[1])


@pytest.mark.parametrize("inplace_fn", ["selu", "celu", "hardswish", "hardsigmoid"])
def test_inplace(inplace_fn):
    out = []
    for T in LIBS:
        x = T.tensor(DATA.copy())
        y = getattr(T.nn.functional, inplace_fn)(x, inplace=True)
        assert y is x
        out.append(x)
    same(out[0], out[1])


MODULES = [("PReLU", ()), ("PReLU", (3, 0.1)), ("SELU", ()), ("SELU", (True,)), ("CELU", ()), ("CELU", (0.5, True)),
           ("Hardswish", ()), ("Hardswish", (True,)), ("Hardsigmoid", ()), ("Softmin", ()), ("Softmin", (1,)),
           ("LogSigmoid", ()), ("Softsign", ()), ("Threshold", (0.1, 20.0)), ("Threshold", (0.1, 20, True)),
           ("GLU", ()), ("GLU", (0,))]


@pytest.mark.parametrize("name,args", MODULES)
def test_module_repr_and_state(name, args):
    r, t = (getattr(T.nn, name)(*args) for T in LIBS)
    assert repr(r) == repr(t)
    assert list(r.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("name,args", [m for m in MODULES if m[0] not in ("Softmin",) and True not in m[1]])
def test_module_forward(name, args):
    out = []
    for T in LIBS:
        m = getattr(T.nn, name)(*args)
        x = T.tensor(DATA[:, :6].reshape(2, 3, 2).copy(), requires_grad=True)
        out.append(m(x))
    same(out[0], out[1])


def test_softmin_implicit_dim_warns():
    out = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = T.nn.Softmin()(T.tensor(DATA))
        out.append((y, [str(m.message) for m in w]))
    same(out[0][0], out[1][0])
    assert out[0][1] == out[1][1]


ERRORS = [
    lambda T: T.nn.functional.celu(T.ones(2), 0.0),
    lambda T: T.nn.functional.prelu(T.ones(2, 3), T.ones(2)),
    lambda T: T.nn.functional.prelu(T.ones(3), T.ones(3)),
    lambda T: T.nn.functional.prelu(T.tensor(1.0), T.ones(2)),
    lambda T: T.nn.functional.glu(T.ones(3, 5)),
    lambda T: T.nn.functional.glu(T.tensor(1.0)),
    lambda T: T.nn.functional.hardswish(T.arange(3)),
    lambda T: T.nn.functional.hardsigmoid(T.arange(3)),
    lambda T: T.nn.functional.logsigmoid(T.arange(3)),
    lambda T: T.nn.functional.selu(T.arange(3)),
    lambda T: T.nn.functional.glu(T.ones(2, dtype=T.int64)),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    raises_same(fn)


def test_threshold_integer():
    r, t = (T.nn.functional.threshold(T.arange(4), 1, 5) for T in LIBS)
    same(r, t, exact=True)


def test_glu_third_order():
    out = []
    for T in LIBS:
        x = T.tensor(DATA[:, :6].astype(np.float64) / 3, requires_grad=True)
        y = T.nn.functional.glu(x)
        (g,) = T.autograd.grad(y.square().sum(), x, create_graph=True)
        (g2,) = T.autograd.grad(g.square().sum(), x, create_graph=True)
        (g3,) = T.autograd.grad(g2.sum(), x)
        out.append((g.grad_fn.name(), g2, g3))
    same(out[0], out[1], rtol=1e-10, atol=1e-12)


def test_prelu_double_backward():
    out = []
    for T in LIBS:
        x = T.tensor(DATA[:, :6].reshape(2, 3, 2).astype(np.float64), requires_grad=True)
        w = T.tensor([0.2, -0.3, 0.4], dtype=T.float64, requires_grad=True)
        y = T.nn.functional.prelu(x, w)
        gx, gw = T.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        names = (gx.grad_fn.name(), gw.grad_fn.name())
        g2 = T.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (x, w))
        out.append((names, gx, gw, g2))
    same(out[0], out[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["selu", "celu", "hardswish", "hardsigmoid", "threshold"])
def test_inplace_grad_fn_names(name):
    names = []
    for T in LIBS:
        x = T.tensor(DATA, requires_grad=True)
        f = getattr(T.nn.functional, name)
        y = f(x * 1, 0.5, 2.0, inplace=True) if name == "threshold" else f(x * 1, inplace=True)
        (g,) = T.autograd.grad(y.sum(), x)
        names.append((y.grad_fn.name(), g))
    same(names[0], names[1])
