"""Conformance: a float16 vector norm (``linalg.vector_norm``, ``Tensor.norm``) is computed in
float32 and rounded once, as PyTorch's kernel does: bits and dtype against torch, and
gradients close to torch's."""
from __future__ import annotations

import math

import numpy as np
import pytest

import reftorch
from tests._compare import torch

ORDS = [2, 1, 3, 0.5, 0, math.inf, -math.inf]
SHAPES = [(37,), (25, 20, 3), (16, 29), (1, 300)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ord", ORDS)
def test_float16_vector_norm_bits(shape, ord):
    a = (np.random.default_rng(len(shape)).standard_normal(shape) * 10).astype(np.float16)
    for dim in [None] + list(range(len(shape))):
        want = torch.linalg.vector_norm(torch.from_numpy(a), ord, dim)
        got = reftorch.linalg.vector_norm(reftorch.from_numpy(a.copy()), ord, dim)
        assert got.dtype is reftorch.float16
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(reftorch.from_numpy(a.copy()).norm().numpy(), torch.from_numpy(a).norm().numpy())


@pytest.mark.parametrize("ord", [2, 1, 3, math.inf])
def test_float16_vector_norm_grad(ord):
    a = (np.random.default_rng(7).standard_normal((12, 9)) * 10).astype(np.float16)
    tx = torch.from_numpy(a).requires_grad_()
    rx = reftorch.from_numpy(a.copy()).requires_grad_()
    torch.linalg.vector_norm(tx, ord, 1).sum().backward()
    reftorch.linalg.vector_norm(rx, ord, 1).sum().backward()
    assert rx.grad.dtype is reftorch.float16
    np.testing.assert_allclose(rx.grad.numpy().astype(np.float32), tx.grad.numpy().astype(np.float32),
                               rtol=2e-3, atol=1e-3)
