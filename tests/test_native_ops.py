"""The ``torch.native_*`` operators against PyTorch: all outputs (values, dtypes, shapes,
grad_fn names), gradients, the random masks of ``native_dropout`` after a seed, errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4)).astype(np.float32)
C = RNG.standard_normal((2, 3, 5)).astype(np.float32)
W4 = RNG.standard_normal(4).astype(np.float32)
B4 = RNG.standard_normal(4).astype(np.float32)
W3 = RNG.standard_normal(3).astype(np.float32)
B3 = RNG.standard_normal(3).astype(np.float32)
CONST = np.full((2, 5), 0.1, np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("expr", [
    "T.native_layer_norm(x, (4,), w, b, 1e-5)", "T.native_layer_norm(x, (3, 4), None, None, 1e-5)",
    "T.native_layer_norm(x, [4], w, None, 1e-3)", "T.native_layer_norm(x, (4,), None, b, 1e-5)",
])
def test_native_layer_norm(expr, dtype):
    check_grads(lambda T, x, w, b: eval(expr, {"T": T, "x": x, "w": w, "b": b}), X.astype(dtype),
                W4.astype(dtype), B4.astype(dtype))


@pytest.mark.parametrize("expr", [
    "T.native_layer_norm(T.tensor(c), (5,), None, None, 1e-5)",  # constant rows: mean exact, rstd 1/sqrt(eps)
    "T.native_layer_norm(T.zeros(0, 3), (3,), None, None, 1e-5)",
    "T.native_layer_norm(T.ones(2, 3), (4,), None, None, 1e-5)",
    "T.native_layer_norm(T.ones(2, 3), (3,), None, None)", "T.native_layer_norm(T.ones(2, 3), 3, None, None, 1e-5)",
    "T.native_layer_norm(T.ones(2, 3), (3,), T.ones(2), None, 1e-5)",
])
def test_native_layer_norm_cases(expr):
    both(lambda T: eval(expr, {"T": T, "c": CONST}), msg=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("expr", [
    "T.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)",
    "T.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)",
    "T.native_batch_norm(x, w, b, T.zeros(3, dtype=x.dtype), T.ones(3, dtype=x.dtype), False, 0.1, 1e-5)",
    "T.native_batch_norm(x.view(2, 15), None, None, None, None, True, 0.1, 1e-3)",
])
def test_native_batch_norm(expr, dtype):
    check_grads(lambda T, x, w, b: eval(expr, {"T": T, "x": x, "w": w, "b": b}), C.astype(dtype),
                W3.astype(dtype), B3.astype(dtype))


def test_native_batch_norm_updates_running_stats():
    def go(T):
        rm, rv = T.zeros(3), T.ones(3)
        out = T.native_batch_norm(T.tensor(C), None, None, rm, rv, True, 0.3, 1e-5)
        return out, rm, rv
    both(go)


@pytest.mark.parametrize("expr", [
    "T.native_batch_norm(T.ones(2, 3), None, None, T.zeros(3), T.ones(3), False, 0.1)",
])
def test_native_batch_norm_errors(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("p, train", [(0.5, True), (0.3, True), (0.3, None), (0.0, True), (1.0, True),
                                      (0.5, False), (0.2, False)])
def test_native_dropout(p, train):
    def go(T, x):
        T.manual_seed(7)
        out, mask = T.native_dropout(x * 1, p, train)
        return out, mask, T.rand(2)  # (the generator is left where PyTorch leaves it)
    check_grads(go, X)


@pytest.mark.parametrize("expr", [
    "T.native_dropout(T.zeros(0), 0.5, True)", "T.native_dropout(T.zeros(0, requires_grad=True), 0.5, True)",
    "T.native_dropout(T.ones(3), 1.5, True)", "T.native_dropout(T.ones(3), -0.5, True)",
    "T.native_dropout(T.tensor([1, 2]), 0.5, True)", "T.native_dropout(T.tensor([1, 2]), 0.5, False)",
    "T.native_dropout(T.ones(3), 0.5)", "T.native_dropout(T.ones(3).requires_grad_(), 0.5, False)",
])
def test_native_dropout_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", [
    "T.native_norm(T.ones(3))", "T.native_norm(T.ones(3), 3)", "T.native_norm(T.ones(2, 3), 2, [1], False, None)",
])
def test_native_norm_refuses_strided(expr):
    both(lambda T: eval(expr, {"T": T}), msg="prefix")


@pytest.mark.parametrize("expr", [
    "T.native_channel_shuffle(T.arange(8.).view(1, 4, 2), 2)", "T.native_channel_shuffle(T.arange(8).view(2, 4, 1), 4)",
    "T.native_channel_shuffle(T.zeros(1, 4, 0), 2)", "T.native_channel_shuffle(T.arange(8.).view(1, 4, 2), 2)._base",
    "T.native_channel_shuffle(T.arange(8.).view(1, 4, 2).requires_grad_(), 2)",
    "T.native_channel_shuffle(T.arange(8.).view(1, 4, 2), 3)", "T.native_channel_shuffle(T.arange(4.), 2)",
    "T.native_channel_shuffle(T.arange(8.).view(1, 4, 2), 0)", "T.native_channel_shuffle(T.arange(8.).view(2, 4), 2)",
    "T.native_channel_shuffle(T.arange(8.).view(1, 4, 2).requires_grad_(), 2).sum().backward()",
])
def test_native_channel_shuffle(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


def test_native_dropout_second_order():
    def go(T):
        T.manual_seed(3)
        x = T.tensor([1., 2., 3., 4.], requires_grad=True)
        out, _ = T.native_dropout(x * x, 0.25, True)
        (g,) = T.autograd.grad(out.sum(), x, create_graph=True)
        g.sum().backward()
        return g, x.grad
    both(go)
