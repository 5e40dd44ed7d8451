"""Differential tests of Linear, the activations, Dropout, Flatten and nn.init against PyTorch.

``T`` is reftorch or torch; results are compared value by value (and ``grad_fn`` names,
dtypes, shapes, reprs, errors). Seeded initialisations must match bit for bit.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import reftorch
from _nn_compare import LIBS, comparers, raises_same, tonp  # noqa: F401

import torch  # the oracle: the test command installs it, so its absence must fail loudly

same, both = comparers()


X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0], [0.0, 4.0, -0.5], [2.5, -2.0, 1.0]], np.float32)


def leaf(T, arr=X, dtype=None):
    t = T.tensor(arr)
    if dtype is not None:
        t = t.to(getattr(T, dtype))
    return t.requires_grad_()


# ---------------------------------------------------------------- Linear
@pytest.mark.parametrize("shape", [(3, 5), (1, 1), (7, 2), (256, 128)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_default_init_bit_exact(shape, bias):
    def fn(T):
        T.manual_seed(1234)
        m = T.nn.Linear(*shape, bias=bias)
        return [m.weight] + ([m.bias] if bias else [])
    both(fn, exact=True)


def test_linear_repr_and_attributes():
    for args in [(3, 2), (3, 2, False)]:
        assert repr(reftorch.nn.Linear(*args)) == repr(torch.nn.Linear(*args))
    m = reftorch.nn.Linear(3, 2, bias=False)
    assert m.bias is None and list(m.state_dict()) == ["weight"]
    d = reftorch.nn.Linear(3, 2, dtype=reftorch.float64)
    assert d.weight.dtype == reftorch.float64


@pytest.mark.parametrize("in_shape", [(4, 3), (2, 4, 3), (3,), (2, 1, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward(in_shape, bias):
    def fn(T):
        T.manual_seed(0)
        m = T.nn.Linear(3, 5, bias=bias)
        x = T.randn(*in_shape).requires_grad_()
        y = m(x)
        (y * y).sum().backward()
        out = [y, x.grad, m.weight.grad]
        if bias:
            out.append(m.bias.grad)
        return out
    both(fn, rtol=1e-5, atol=1e-5)


def test_linear_grad_fn_chain():
    for T in LIBS:
        m = T.nn.Linear(3, 2)
        y = m(T.ones(4, 3))
        names = [n[0].name() if n[0] is not None else None for n in y.grad_fn.next_functions]
        assert y.grad_fn.name() == "AddmmBackward0"
        assert names == ["torch::autograd::AccumulateGrad", None, "TBackward0"]


def test_linear_float64_and_functional():
    def fn(T):
        x = leaf(T, X.astype(np.float64))
        w = T.tensor(np.ones((2, 3)), dtype=T.float64, requires_grad=True)
        b = T.tensor([1.0, -1.0], dtype=T.float64, requires_grad=True)
        y = T.nn.functional.linear(x, w, b)
        y.sum().backward()
        return [y, x.grad, w.grad, b.grad]
    both(fn)


@pytest.mark.parametrize("case", [
    lambda T: T.nn.Linear(3, 2)(T.ones(4, 2)),
    lambda T: T.nn.Linear(3, 2)(T.ones(2, 5, 4)),
    lambda T: T.nn.Linear(3, 2)(T.ones(3, dtype=T.float64)),
])
def test_linear_errors(case):
    raises_same(case, match_message=False)


def test_linear_shape_mismatch_message():
    raises_same(lambda T: T.nn.Linear(3, 2)(T.ones(4, 2)))


# ---------------------------------------------------------------- activations
ACTS = [
    ("ReLU", {}), ("Tanh", {}), ("Sigmoid", {}), ("Softplus", {}), ("Softplus", {"beta": 2.0, "threshold": 1.0}),
    ("Softmax", {"dim": 1}), ("Softmax", {"dim": 0}), ("Softmax", {"dim": -1}), ("LogSoftmax", {"dim": 1}),
    ("LogSoftmax", {"dim": 0}), ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("Identity", {}),
]


@pytest.mark.parametrize("name,kw", ACTS)
def test_activation_modules(name, kw):
    def fn(T):
        m = getattr(T.nn, name)(**kw)
        x = leaf(T)
        y = m(x)
        g = T.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 7)
        y.backward(g)
        return [y, x.grad, repr(m)]
    both(fn)


@pytest.mark.parametrize("name,kw", ACTS)
def test_activation_float64(name, kw):
    def fn(T):
        x = leaf(T, X.astype(np.float64) * 3)
        y = getattr(T.nn, name)(**kw)(x)
        y.sum().backward()
        return [y, x.grad]
    both(fn, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "softplus", "sigmoid", "tanh"])
def test_activation_result_strides(name):
    # Laid out like the input, as PyTorch's TensorIterator does, size-1 dims included: a
    # (1, 2, 2) input transposed from a (2, 2, 1) buffer has strides (1, 1, 2).
    a = np.array([[[0.82, -1.38], [-2.75, -2.9]]], np.float32)
    strides = {}
    for T in LIBS:
        x = T.tensor(np.swapaxes(a, 0, -1).copy()).transpose(0, -1)
        for y in (getattr(T.nn.functional, name)(x), getattr(T.nn.functional, name)(x.permute(1, 2, 0))):
            strides.setdefault(T.__name__, []).append(tuple(y.stride()))
    assert strides["reftorch"] == strides["torch"]


def test_activation_reprs():
    for name, kw in [("ReLU", {"inplace": True}), ("Softmax", {}), ("LogSoftmax", {}), ("Dropout", {}),
                     ("Dropout", {"p": 0.2, "inplace": True}), ("Flatten", {}), ("Flatten", {"start_dim": 0}),
                     ("Unflatten", {"dim": 1, "unflattened_size": (2, 2)})]:
        assert repr(getattr(reftorch.nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))


def test_softmax_extreme_values_stable():
    arr = np.array([[1000.0, 0.0, -1000.0], [-50.0, -50.0, -50.0]], np.float32)

    def fn(T):
        x = leaf(T, arr)
        y = T.nn.functional.softmax(x, dim=1)
        z = T.nn.functional.log_softmax(x, dim=1)
        (y.sum() + z.sum()).backward()
        return [y, z, x.grad]
    both(fn)


def test_softmax_implicit_dim_warns_and_choice():
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        res = []
        for T in LIBS:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                y = T.nn.functional.softmax(T.arange(float(np.prod(shape))).reshape(shape))
            assert any("Implicit dimension choice for softmax" in str(x.message) for x in w)
            res.append(y)
        same(res[0], res[1])


def test_softmax_dtype_argument_and_integer_error():
    both(lambda T: T.nn.functional.softmax(T.tensor([1, 2, 3]), dim=0, dtype=T.float64))
    raises_same(lambda T: T.nn.functional.softmax(T.tensor([1, 2]), 0))
    raises_same(lambda T: T.nn.functional.log_softmax(T.tensor([1, 2]), 0))
    raises_same(lambda T: T.nn.functional.softmax(T.ones(2, 3), 2), match_message=True)


def test_softmax_non_scalar_backward_pitfall():
    raises_same(lambda T: T.nn.functional.softmax(T.tensor([1.0, 2.0], requires_grad=True), dim=0).backward())


def test_relu_inplace():
    def fn(T):
        x = T.tensor(X)
        y = T.nn.ReLU(inplace=True)(x)
        return [y is x, x]
    r, t = fn(reftorch), fn(torch)
    assert r[0] and t[0]
    same(r[1], t[1])


def test_softplus_threshold_region():
    arr = np.array([-30.0, -1.0, 0.0, 9.9, 10.1, 25.0], np.float32)

    def fn(T):
        x = leaf(T, arr)
        y = T.nn.functional.softplus(x, beta=2.0, threshold=20.0)
        y.sum().backward()
        return [y, x.grad]
    both(fn)


# ---------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_seeded_mask_matches_torch(p):
    def fn(T):
        T.manual_seed(7)
        x = T.ones(8, 16).requires_grad_()
        y = T.nn.Dropout(p)(x)
        y.sum().backward()
        return [y, x.grad]
    both(fn)


def test_dropout_eval_and_p0_return_input():
    for T in LIBS:
        x = T.ones(3)
        d = T.nn.Dropout(0.5).eval()
        assert d(x) is x
        assert T.nn.Dropout(0.0)(x) is x
        assert T.nn.functional.dropout(x, 0.5, training=False) is x


def test_dropout_p1_and_errors():
    both(lambda T: T.nn.Dropout(1.0)(T.ones(2, 2).requires_grad_()))
    raises_same(lambda T: T.nn.Dropout(1.5))
    raises_same(lambda T: T.nn.functional.dropout(T.ones(2), -0.1))


def test_dropout_scaling_statistics():
    reftorch.manual_seed(0)
    y = reftorch.nn.Dropout(0.25)(reftorch.ones(10000))
    vals = set(np.unique(tonp(y)).tolist())
    assert vals <= {0.0, np.float32(1 / 0.75)}
    assert abs(float((y == 0).float().mean()) - 0.25) < 0.02


def test_dropout_in_model_follows_train_eval():
    def fn(T):
        T.manual_seed(3)
        m = T.nn.Sequential(T.nn.Linear(4, 4), T.nn.Dropout(0.5))
        x = T.ones(2, 4)
        a = m(x)
        m.eval()
        b = m(x)
        c = m(x)
        return [a, b, c]
    both(fn)


# ---------------------------------------------------------------- flatten
def test_flatten_shapes():
    def fn(T):
        x = T.arange(120.0).reshape(2, 3, 4, 5)
        return [T.nn.Flatten()(x), T.nn.Flatten(0)(x), T.nn.Flatten(1, 2)(x), T.nn.Flatten(-2)(x),
                T.nn.Unflatten(1, (3, 1))(T.ones(2, 3))]
    both(fn)


# ---------------------------------------------------------------- init
@pytest.mark.parametrize("fn_name,kw", [
    ("uniform_", {}), ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {}), ("normal_", {"mean": 1.0, "std": 0.1}),
    ("constant_", {"val": 0.3}), ("zeros_", {}), ("ones_", {}), ("eye_", {}),
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}), ("kaiming_normal_", {}),
    ("kaiming_normal_", {"nonlinearity": "relu", "mode": "fan_out"}),
])
@pytest.mark.parametrize("shape", [(5, 3), (32, 64)])
def test_init_bit_exact(fn_name, kw, shape):
    def fn(T):
        T.manual_seed(42)
        w = T.nn.Parameter(T.empty(*shape))
        out = getattr(T.nn.init, fn_name)(w, **kw)
        assert out is w
        return w
    both(fn, exact=True)


def test_init_gain_and_errors():
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)]:
        assert reftorch.nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)
    raises_same(lambda T: T.nn.init.calculate_gain("foo"))
    raises_same(lambda T: T.nn.init.xavier_uniform_(T.empty(3)))
    raises_same(lambda T: T.nn.init.kaiming_uniform_(T.empty(3, 3), mode="fan"))
    raises_same(lambda T: T.nn.init.eye_(T.empty(3)))


def test_init_fan_computation_3d():
    def fn(T):
        T.manual_seed(0)
        return T.nn.init.kaiming_uniform_(T.empty(4, 3, 5))
    both(fn, exact=True)
