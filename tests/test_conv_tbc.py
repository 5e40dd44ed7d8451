"""``torch.conv_tbc`` against PyTorch: values, gradients (also of second order), grad_fn
names, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads

rng = np.random.default_rng(0)


@pytest.mark.parametrize("T,k,pad", [(5, 2, 0), (5, 3, 1), (6, 2, -1), (4, 1, 2), (3, 4, 0), (2, 4, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_and_grads(T, k, pad, dtype):
    x = rng.standard_normal((T, 2, 3)).astype(dtype)
    w = rng.standard_normal((k, 3, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    check_grads(lambda t, x, w, b: t.conv_tbc(x, w, b, pad), x, w, b)
    both(lambda t, x, w, b: t.conv_tbc(x, w, b, pad=pad), x, w, b)


def test_second_order():
    x, w, b = rng.standard_normal((5, 2, 3)), rng.standard_normal((2, 3, 4)), rng.standard_normal(4)

    def fn(t, x, w, b):
        y = t.conv_tbc(x, w, b, 1)
        gx, gw = t.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return gx.sum() + (gw * gw).sum()
    check_grads(fn, x, w, b, check_grad_fn=False)


ERRORS = [
    lambda t, x, w, b: t.conv_tbc(x, w),
    lambda t, x, w, b: t.conv_tbc(x[0], w, b),
    lambda t, x, w, b: t.conv_tbc(x, w[0], b),
    lambda t, x, w, b: t.conv_tbc(x, w, b[:2]),
    lambda t, x, w, b: t.conv_tbc(x, w[:, :2], b),
    lambda t, x, w, b: t.conv_tbc(x, w, b.view(1, 4)),
    lambda t, x, w, b: t.conv_tbc(x.double(), w, b),
    lambda t, x, w, b: t.conv_tbc(x[:2], w, b, -1),
    lambda t, x, w, b: t.conv_tbc(x[:0], w, b),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    x = rng.standard_normal((5, 2, 3)).astype("float32")
    w = rng.standard_normal((2, 3, 4)).astype("float32")
    b = rng.standard_normal(4).astype("float32")
    both(ERRORS[i], x, w, b, msg=i > 0)
