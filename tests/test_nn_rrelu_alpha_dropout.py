"""rrelu (training: seeded slopes; evaluation: the mean slope), alpha_dropout and
feature_alpha_dropout (seeded masks), their layers, and the in-place functional forms
(rrelu_, celu_, selu_, leaky_relu_, threshold_), against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _nn_compare import LIBS, same
from tests._compare import both, check_grads

R = np.random.default_rng(8)
X = R.standard_normal((4, 6)).astype(np.float32)


def _seeded(fn, seed=0):
    """``fn(T)`` after ``T.manual_seed(seed)``, on both libraries; then one more draw, to
    check that both generators moved on by the same amount."""
    outs = []
    for T in (reftorch, torch):
        T.manual_seed(seed)
        out = fn(T)
        outs.append((out, T.rand(2)))
    return outs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bounds", [(1 / 8, 1 / 3), (0.1, 0.7), (0.2, 0.2), (-0.5, 0.5)])
def test_rrelu_training_slopes_equal_pytorchs(dtype, bounds):
    def run(T):
        x = T.randn(5, 7, 3, dtype=getattr(T, dtype), requires_grad=True)
        y = T.nn.functional.rrelu(x, *bounds, training=True)
        y.backward(T.ones_like(y) * 3)
        return y, x.grad
    (r, rn), (t, tn) = _seeded(run)
    same(r, t, exact=True)
    same(rn, tn, exact=True)


@pytest.mark.parametrize("training", [False, True])
def test_rrelu_in_place(training):
    def run(T):
        x = T.randn(3, 4, requires_grad=True)
        y = x.clone()
        out = T.nn.functional.rrelu_(y, 0.1, 0.3, training=training)
        out.sum().backward()
        z = x.detach().clone()
        T.nn.functional.rrelu(z, training=training, inplace=True)
        return out is y, y, x.grad, z
    (r, _), (t, _) = _seeded(run)
    same(r, t, exact=True)


def test_rrelu_eval_is_the_mean_slope():
    check_grads(lambda T, x: T.nn.functional.rrelu(x), X)
    check_grads(lambda T, x: T.nn.functional.rrelu(x, 0.2, 0.4, False), X.astype(np.float64))


def test_rrelu_module():
    def run(T):
        m = T.nn.RReLU(0.1, 0.3)
        x = T.randn(4, 5)
        return repr(m), repr(T.nn.RReLU(inplace=True)), m(x), m.eval()(x)
    (r, _), (t, _) = _seeded(run)
    same(r, t, exact=True)


@pytest.mark.parametrize("expr", [
    "F.rrelu(x, 0.5, 0.2)", "F.rrelu(x, 0.5, 0.2, training=True)", "F.rrelu(x.long(), training=True)",
    "F.rrelu(x.long())", "F.rrelu(x.half(), training=True)",
    "F.alpha_dropout(x, 1.5)", "F.feature_alpha_dropout(x, -0.1)", "F.feature_alpha_dropout(x[0], 0.3, True)",
    "F.alpha_dropout(x.long(), 0.3, True)", "nn.AlphaDropout(2.0)",
    "repr(nn.AlphaDropout())", "repr(nn.FeatureAlphaDropout(0.2, inplace=True))",
    "F.alpha_dropout(x, 0.3) is x", "F.alpha_dropout(x, 0.0, True) is x", "F.alpha_dropout(x, 1.0, True)",
    "F.feature_alpha_dropout(x, 1.0, True)", "F.alpha_dropout(x[:0], 0.3, True)",
])
def test_cases(expr):
    def go(T):
        return eval(expr, {"T": T, "nn": T.nn, "F": T.nn.functional, "x": T.tensor(X)})
    both(go, msg=True)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 5), (2, 3, 2, 2)])
@pytest.mark.parametrize("p", [0.2, 0.5])
@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_masks_equal_pytorchs(shape, p, feature):
    name = "feature_alpha_dropout" if feature else "alpha_dropout"

    def run(T):
        x = T.randn(*shape, requires_grad=True)
        y = getattr(T.nn.functional, name)(x, p, training=True)
        y.backward(T.ones_like(y))
        z = x.detach().clone()
        inplace = getattr(T.nn.functional, name)(z, p, True, True)
        return y, x.grad, inplace is z, z
    (r, rn), (t, tn) = _seeded(run)
    same(r, t, rtol=0, atol=0)
    same(rn, tn, exact=True)


def test_alpha_dropout_layers():
    def run(T):
        a, f = T.nn.AlphaDropout(0.3, inplace=True), T.nn.FeatureAlphaDropout(0.4)
        x = T.randn(3, 4, 2)
        out = (a(x), f(x), a.eval()(x) is x, f.eval()(x) is x)
        return out
    (r, _), (t, _) = _seeded(run)
    same(r, t, exact=True)


@pytest.mark.parametrize("call", [
    "F.celu_(y, 0.5)", "F.selu_(y)", "F.leaky_relu_(y, 0.2)", "F.threshold_(y, 0.1, 2.0)", "F.elu_(y)",
])
def test_in_place_forms(call):
    def go(T):
        x = T.tensor(X, requires_grad=True)
        y = x.clone()
        out = eval(call, {"F": T.nn.functional, "y": y})
        out.backward(T.ones_like(out))
        return out is y, y, x.grad
    both(go)


def test_layers_exported():
    for T in LIBS:
        for name in ("RReLU", "AlphaDropout", "FeatureAlphaDropout"):
            assert isinstance(getattr(T.nn, name)(), T.nn.Module)
