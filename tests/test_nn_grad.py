"""``torch.nn.grad`` (``conv{1,2,3}d_input``, ``conv{1,2,3}d_weight``) against PyTorch:
values, dtypes, grad_fn names, their own gradients, and errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads

CASES = [  # (n, N, C, O, spatial, kernel, kwargs)
    (1, 2, 3, 4, (9,), (3,), {}),
    (1, 1, 4, 2, (10,), (2,), dict(stride=3, padding=1, dilation=2, groups=2)),
    (2, 2, 4, 6, (7, 6), (3, 2), dict(stride=2, padding=1, groups=2)),
    (2, 1, 2, 3, (5, 5), (2, 2), dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1))),
    (3, 1, 2, 2, (4, 5, 4), (2, 3, 2), dict(stride=2, padding=1)),
    (3, 2, 3, 3, (3, 4, 3), (1, 2, 2), dict(dilation=(1, 2, 1), groups=3)),
]


def _conv(lib, n):
    return getattr(lib.nn.functional, f"conv{n}d")


def _arrays(case, dtype):
    n, N, C, O, sp, k, kw = case
    rng = np.random.default_rng(n + N + C)
    x = rng.standard_normal((N, C) + sp).astype(dtype)
    w = rng.standard_normal((O, C // kw.get("groups", 1)) + k).astype(dtype)
    out = _conv(torch, n)(torch.from_numpy(x), torch.from_numpy(w), **kw)
    g = rng.standard_normal(tuple(out.shape)).astype(dtype)
    return x, w, g


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_input_and_weight_gradients(case, dtype):
    n, kw = case[0], case[-1]
    x, w, g = _arrays(case, dtype)
    inp = lambda T, w, g: getattr(T.nn.grad, f"conv{n}d_input")(x.shape, w, g, **kw)  # noqa: E731
    wgt = lambda T, x, g: getattr(T.nn.grad, f"conv{n}d_weight")(x, w.shape, g, **kw)  # noqa: E731
    both(inp, w, g)
    both(wgt, x, g)
    check_grads(inp, w, g)  # differentiable again: ConvolutionBackwardBackward0
    check_grads(wgt, x, g)


@pytest.mark.parametrize("case", CASES[:3])
def test_equal_to_autograd(case):
    """They are the convolution's own gradients (as computed by reftorch's autograd)."""
    n, kw = case[0], case[-1]
    x, w, g = _arrays(case, "float64")
    xt, wt = reftorch.tensor(x, requires_grad=True), reftorch.tensor(w, requires_grad=True)
    gx, gw = reftorch.autograd.grad(_conv(reftorch, n)(xt, wt, **kw), (xt, wt), reftorch.tensor(g))
    gt = reftorch.tensor(g)
    assert reftorch.equal(getattr(reftorch.nn.grad, f"conv{n}d_input")(xt.shape, wt.detach(), gt, **kw), gx)
    assert reftorch.allclose(getattr(reftorch.nn.grad, f"conv{n}d_weight")(xt.detach(), list(w.shape), gt, **kw),
                             gw, rtol=1e-12, atol=1e-12)


def test_larger_input_size():
    """An input size that the stride leaves partly unread gets zeros there (PyTorch's output_padding)."""
    x, w, g = _arrays(CASES[2], "float64")
    both(lambda T, w, g: T.nn.grad.conv2d_input((2, 4, 8, 7), w, g, stride=2, padding=1, groups=2), w, g)


def test_functional_alias():
    assert reftorch.nn.functional.grad is reftorch.nn.grad
    assert torch.nn.functional.grad is torch.nn.grad


def test_dtype_mismatch():
    both(lambda T: T.nn.grad.conv1d_input((1, 1, 3), T.ones(1, 1, 1, dtype=T.float64), T.ones(1, 1, 3)),
         msg=True)


def test_shape_errors():
    x, w, g = _arrays(CASES[2], "float32")
    both(lambda T, w, g: T.nn.grad.conv2d_input((2, 4, 12, 12), w, g, stride=2, padding=1, groups=2), w, g)
    both(lambda T, x, g: T.nn.grad.conv2d_weight(x, w.shape, g[:, :, :3, :3], stride=2, padding=1, groups=2), x, g)
