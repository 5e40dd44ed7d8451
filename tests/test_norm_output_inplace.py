"""Layer and group norm write their output into the array they normalise when nothing needs
it later; with a graph the output must not be what the backward keeps. Checked against
PyTorch by writing into the output in place before the backward."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("fn", ["layer_norm", "group_norm"])
@pytest.mark.parametrize("affine", [False, True])
def test_norm_output_written_in_place_keeps_the_gradient(fn, affine):
    # The output of a norm without an affine map must not share memory with what its
    # backward keeps: an in-place write into it must leave the gradient PyTorch's.
    grads = []
    for lib in (reftorch, torch):
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 6)), requires_grad=True)
        w = lib.full((6,), 1.5, dtype=lib.float64) if affine else None
        y = lib.nn.functional.layer_norm(x, (6,), w) if fn == "layer_norm" else \
            lib.nn.functional.group_norm(x, 2, w)
        y.mul_(2)
        (y * lib.arange(6.0, dtype=lib.float64)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)
