"""``median()`` of all elements (a partial sort, not a full one) against PyTorch: values of
large inputs, with ties, nan, and every real dtype, and its gradient."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("n", [1, 2, 3, 10, 101, 4096, 100_001])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "uint8"])
def test_median_of_all_elements_matches_torch(n, dtype):
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 10).astype(dtype) if dtype.startswith("float") else rng.integers(0, 9, n).astype(dtype)
    want = torch.from_numpy(x).median()
    got = reftorch.tensor(x).median()
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("where", [0, 7, -1])
def test_median_with_nan_is_nan(where):
    x = np.arange(20, dtype=np.float32)
    x[where] = np.nan
    assert np.isnan(reftorch.tensor(x).median().item()) and np.isnan(torch.from_numpy(x).median().item())


def test_median_gradient_shared_among_equal_elements():
    x = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 2.0])
    tx, rx = torch.tensor(x, requires_grad=True), reftorch.tensor(x, requires_grad=True)
    tx.median().backward()
    rx.median().backward()
    np.testing.assert_array_equal(rx.grad.numpy(), tx.grad.numpy())
    assert type(rx.median().grad_fn).__name__ == type(tx.median().grad_fn).__name__

