"""Element-wise formulas of several passes run by blocks of elements on large row-major
arrays (``by_element_blocks``, and ``_opmath`` of the activations and their gradients):
the same values as one call, PyTorch's results on arrays of several blocks."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # noqa: F401 (the oracle: the test command installs it, so its absence must fail loudly)

import reftorch
from reftorch import _backends
from reftorch._ops._common import by_element_blocks
from _compare import both, check_grads

pytestmark = pytest.mark.torch


def test_blocks_give_the_values_of_one_call():
    b = _backends.cpu()
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 70001)).astype(np.float32)  # ~840 KB: several blocks
    c = np.array(0.25, np.float32)
    calls = []

    def fn(x, y):
        calls.append(x.shape)
        return np.sqrt(np.abs(x * 3 - y)) + y  # element-wise, several passes
    got = by_element_blocks(b, fn, (a, c))
    assert got.shape == a.shape and got.dtype == np.float32
    assert len(calls) > 1 and sum(s[0] for s in calls) == a.size  # flat blocks covering every element
    np.testing.assert_array_equal(got, np.sqrt(np.abs(a * 3 - c)) + c)  # (host NumPy, whole)
    calls.clear()
    strided = a[:, ::2]  # not row-major: one call on the arrays as they are
    np.testing.assert_array_equal(by_element_blocks(b, fn, (strided, c)), np.sqrt(np.abs(strided * 3 - c)) + c)
    assert calls == [strided.shape]


@pytest.mark.parametrize("name", ["silu", "softplus", "hardswish", "elu", "leaky_relu", "hardtanh", "mish", "tanh",
                                  "sigmoid"])
def test_large_activations_and_grads_match_pytorch(name):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((5, 40000)) * 4).astype(np.float32)  # 800 KB: several blocks
    x[0, :6] = [0.0, -0.0, 3.0, -3.0, 20.0, -20.0]

    def fn(T, t):
        f = getattr(T.nn.functional, name, None) or getattr(T, name)
        return f(t)
    check_grads(fn, x)
    assert reftorch.nn.functional.silu(reftorch.tensor(x)).is_contiguous()


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("loss", ["smooth_l1_loss", "huber_loss"])
def test_large_smooth_l1_and_huber_match_pytorch(loss, reduction):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((5, 40000)) * 2).astype(np.float32)
    y = (rng.standard_normal((5, 40000)) * 2).astype(np.float32)
    x[0, :4], y[0, :4] = [0.5, -0.5, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]  # |d| at the threshold

    def fn(T, a, c):
        kw = {"beta": 0.5} if loss == "smooth_l1_loss" else {"delta": 0.5}
        return getattr(T.nn.functional, loss)(a, c, reduction=reduction, **kw)
    check_grads(fn, x, y)


@pytest.mark.parametrize("name", ["log1p", "expm1", "log2", "log10", "exp2", "tan", "asin", "acos", "atan", "sinh",
                                  "cosh"])
def test_large_float32_via_float64_match_pytorch(name):
    """The float32 functions computed in float64 and rounded once, by blocks of elements."""
    rng = np.random.default_rng(3)
    x = rng.uniform(-0.99, 0.99, (5, 40000)).astype(np.float32)
    if name in ("log2", "log10"):
        x = np.abs(x) + np.float32(0.01)
    both(lambda T, t: getattr(T, name)(t), x)
