"""ConvTranspose1d/2d and F.conv_transpose1d/2d against PyTorch: shapes, values, grads of
input, weight and bias, second order, the initial parameters, reprs and errors."""
from __future__ import annotations

import numpy as np
import pytest

from _nn_compare import LIBS, raises_same, same


def _t(T, shape, seed, grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return T.tensor(a, requires_grad=grad)


CASES = [  # (in_shape, w_shape, kwargs)
    ((2, 4, 3, 3), (4, 3, 3, 3), {}),
    ((2, 4, 3, 3), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((1, 4, 4, 5), (4, 2, 2, 3), dict(stride=(2, 1), padding=(0, 1), groups=2)),
    ((1, 2, 3, 3), (2, 3, 3, 2), dict(dilation=2, stride=3, output_padding=(2, 1))),
    ((3, 3, 4), (3, 5, 3, 3), {}),  # unbatched
]


@pytest.mark.parametrize("in_shape,w_shape,kw", CASES)
@pytest.mark.parametrize("bias", [False, True])
def test_conv_transpose2d(in_shape, w_shape, kw, bias):
    out = []
    for T in LIBS:
        x, w = _t(T, in_shape, 0), _t(T, w_shape, 1)
        b = _t(T, (w_shape[1] * kw.get("groups", 1),), 2) if bias else None
        y = T.nn.functional.conv_transpose2d(x, w, b, **kw)
        g = _t(T, tuple(y.shape), 3, grad=False)
        (y * g).sum().backward()
        out.append((y, x.grad, w.grad, b.grad if bias else None))
    same(out[0], out[1], rtol=1e-5, atol=1e-5)


def test_conv_transpose1d():
    out = []
    for T in LIBS:
        x, w = _t(T, (2, 3, 5), 0), _t(T, (3, 4, 3), 1)
        y = T.nn.functional.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1)
        y.square().sum().backward()
        out.append((y, x.grad, w.grad))
    same(out[0], out[1], rtol=1e-5, atol=1e-5)


def test_double_backward_values():
    out = []
    for T in LIBS:
        x, w = _t(T, (1, 2, 3, 3), 0), _t(T, (2, 3, 2, 2), 1)
        y = T.nn.functional.conv_transpose2d(x, w, stride=2)
        gx, gw = T.autograd.grad(y.square().sum(), (x, w), create_graph=True)
        gw2, = T.autograd.grad(gx.square().sum() + gw.square().sum(), w)
        out.append((gx.grad_fn.name(), gw.grad_fn.name(), gx.detach(), gw2))
    same(out[0], out[1], rtol=1e-4, atol=1e-4)


MODULES = [((4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)), ((4, 6, (3, 2)), dict(bias=False)),
           ((3, 5, 2), dict(dilation=2))]


@pytest.mark.parametrize("args,kw", MODULES)
def test_module_init_repr_forward(args, kw):
    out = []
    for T in LIBS:
        T.manual_seed(0)
        m = T.nn.ConvTranspose2d(*args, **kw)
        out.append((repr(m), dict(m.state_dict()), m(_t(T, (1, args[0], 4, 4), 5))))
    assert out[0][0] == out[1][0]
    same(out[0][1:], out[1][1:], rtol=1e-5, atol=1e-5)


ERRORS = [
    lambda T: T.nn.functional.conv_transpose2d(T.ones(1, 4, 3, 3), T.ones(4, 3, 3, 3), stride=2, output_padding=2),
    lambda T: T.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
    lambda T: T.nn.functional.conv_transpose2d(T.ones(1, 5, 3, 3), T.ones(4, 3, 3, 3)),
    lambda T: T.nn.functional.conv_transpose2d(T.ones(3, 3), T.ones(4, 3, 3, 3)),
    lambda T: T.nn.ConvTranspose2d(4, 6, 3, groups=4),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    raises_same(fn)


@pytest.mark.parametrize("output_size", [(9, 9), (10, 10), (9, 10), (1, 4, 10, 9)])
def test_output_size(output_size):
    out = []
    for T in LIBS:
        T.manual_seed(0)
        m = T.nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
        out.append(m(_t(T, (1, 8, 5, 5), 1), output_size=list(output_size)))
    same(out[0], out[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("output_size", [(8, 9), (11, 9), (1, 9, 9)])
def test_output_size_errors(output_size):
    def fn(T):
        T.manual_seed(0)
        return T.nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)(T.zeros(1, 8, 5, 5), output_size=output_size)
    raises_same(fn)
