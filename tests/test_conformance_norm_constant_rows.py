"""Conformance: layer_norm and group_norm (functional and modules) over constant rows give
exactly what PyTorch gives -- zeros, or the bias -- rather than rounding noise: PyTorch's
``RowwiseMoments`` finds the row's value as its mean and a variance of exactly zero, and
reftorch takes a constant row's value as its mean too. Other rows stay within the usual tolerance."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from tests._compare import both, check_grads

VALUES = [0.1, 0.3, -7.77, 1e-3, 1234.5678, 3.0, 1e8 / 3]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("v", VALUES)
@pytest.mark.parametrize("n", [1, 2, 7, 37, 512, 1000])
def test_layer_norm_of_a_constant_row_is_exactly_zero(dtype, v, n):
    x = np.full((3, n), v, dtype=dtype)
    both(lambda T, x: T.nn.functional.layer_norm(x, (n,)), x, exact=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("v", VALUES)
def test_group_norm_of_constant_groups_is_exactly_zero(dtype, v):
    x = np.full((2, 6, 5), v, dtype=dtype)
    x[1, 3:] = -v / 3  # one constant group per sample and value
    both(lambda T, x: T.nn.functional.group_norm(x, 2), x, exact=True)


def _affine(T, m, w, b):
    with T.no_grad():
        m.weight.copy_(w)
        m.bias.copy_(b)
    return m


@pytest.mark.parametrize("v", VALUES)
def test_modules_on_constant_rows(v):
    """``LayerNorm`` gives exactly the bias on a constant row (PyTorch: a fused
    ``xhat * weight + bias`` with ``xhat`` zero). ``GroupNorm`` with weight and bias
    computes ``x * scale + shift`` with fused multiply-adds in PyTorch, which leaves
    rounding noise on the bias there; reftorch gives the same noise."""
    rng = np.random.default_rng(0)
    w, b = rng.standard_normal(8).astype(np.float32), rng.standard_normal(8).astype(np.float32)
    x = np.full((4, 8), v, dtype=np.float32)
    both(lambda T, x, w, b: _affine(T, T.nn.LayerNorm(8), w, b)(x), x, w, b, exact=True)
    both(lambda T, x: T.nn.LayerNorm(8, elementwise_affine=False)(x), x, exact=True)
    both(lambda T, x: T.nn.GroupNorm(4, 8, affine=False)(x.reshape(4, 8, 1).expand(4, 8, 3)), x, exact=True)
    got, want = (_affine(T, T.nn.GroupNorm(4, 8), T.tensor(w), T.tensor(b))(T.tensor(x).reshape(4, 8, 1).expand(4, 8, 3))
                 .detach().numpy() for T in (reftorch, torch))
    np.testing.assert_array_equal(got, want)


def test_mixed_rows_and_gradients():
    """Constant rows among ordinary ones: the constant ones exact, the others and every
    gradient within tolerance (the gradient of a constant row is PyTorch's too)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 37)).astype(np.float32)
    x[1], x[3] = 0.1, -2.5
    both(lambda T, x: T.nn.functional.layer_norm(x, (37,))[1::2], x, exact=True)
    w, b = rng.standard_normal(37).astype(np.float32), rng.standard_normal(37).astype(np.float32)
    check_grads(lambda T, x, w, b: T.nn.functional.layer_norm(x, (37,), w, b), x, w, b)
    g = rng.standard_normal((2, 4, 6)).astype(np.float32)
    g[0, :2] = 0.7
    check_grads(lambda T, x: T.nn.functional.group_norm(x, 2), g)
    check_grads(lambda T, x: T.nn.functional.layer_norm(x, (37,)), x)


def test_rows_near_constant_huge_and_tiny():
    """reftorch tests for constancy only the rows whose variance is within rounding of zero:
    rows that differ in one ulp (such rows, but not constant), tiny constant rows and zero
    rows must still come out as PyTorch's. (A constant row of 3e37 gives NaN in PyTorch,
    whose moments overflow, and zeros in reftorch: left out.)"""
    x = np.full((5, 512), 0.1, np.float32)
    x[0, 7] = np.nextafter(np.float32(0.1), np.float32(1))  # one ulp off: not constant
    x[1] = 1e-20
    x[2] = 0.0
    x[4, :] = np.float32(-2.5)
    x[4, 100] = np.nextafter(np.float32(-2.5), np.float32(0))
    both(lambda T, x: T.nn.functional.layer_norm(x, (512,))[1:4], x, exact=True)
    got = reftorch.nn.functional.layer_norm(reftorch.tensor(x), (512,)).numpy()
    want = torch.nn.functional.layer_norm(torch.tensor(x), (512,)).numpy()
    # the near-constant rows: a few ulps of 0.1 or 2.5 divided by sqrt(eps), as noise
    np.testing.assert_allclose(got, want, rtol=0, atol=8 * 2.5 * 2 ** -23 / 1e-5 ** 0.5)
    assert got[0, 7] != 0 and got[4, 100] != 0  # not taken for constant rows


@pytest.mark.parametrize("fn", ["layer_norm", "group_norm"])
def test_double_backward_over_constant_rows(fn):
    """Under ``create_graph`` the constant-row mean is a constant correction: the first and
    second derivatives stay PyTorch's, within tolerance (at a constant row the second
    derivative here is zero; PyTorch's group_norm formula leaves noise of about 1e-5
    where the first gradients are about 1e2)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 6))
    x[0] = 0.7  # a constant row (layer_norm) and constant groups (group_norm)
    g = rng.standard_normal((2, 4, 6))
    out = []
    for T in (torch, reftorch):
        xt = T.tensor(x, requires_grad=True)
        y = T.nn.functional.layer_norm(xt, (6,)) if fn == "layer_norm" else T.nn.functional.group_norm(xt, 2)
        (gx,) = T.autograd.grad((y * T.tensor(g) * T.tensor(g)).sum(), xt, create_graph=True)
        (gg,) = T.autograd.grad((gx * gx).sum(), xt)
        out.append((y.detach().numpy(), gx.detach().numpy(), gg.numpy()))
    for r, t in zip(out[1], out[0]):
        np.testing.assert_allclose(r[1], t[1], rtol=1e-7, atol=1e-9)  # the ordinary sample
    (ry, rgx, rgg), (ty, tgx, tgg) = out[1], out[0]
    np.testing.assert_allclose(ry[0], ty[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(rgx[0], tgx[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(rgg[0], tgg[0], rtol=0, atol=1e-4)  # PyTorch's noise on a true zero
