"""torch.linspace bit for bit: PyTorch's CPU kernel computes ``start + step * i`` for the
first half and ``end - step * (steps - 1 - i)`` for the rest, each with one rounding (the
kernel is compiled with FMA contraction). Compared with PyTorch on every size up to 70,
a few large ones and ranges of several magnitudes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch

RANGES = [(0.0, 1.0), (-3.3, 7.1), (1e-3, 5.0), (5.0, -2.5), (0, 10), (-7, 3), (123.456, -0.0789),
          (-1e-5, 2e-5), (1e4, 1.00001e4)]
SIZES = list(range(0, 71)) + [127, 1000, 4097, 40001]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
@pytest.mark.parametrize("start, end", RANGES)
def test_linspace_bits(dtype, start, end):
    for n in SIZES:
        expected = torch.linspace(start, end, n, dtype=getattr(torch, dtype)).numpy()
        got = reftorch.linspace(start, end, n, dtype=getattr(reftorch, dtype)).numpy()
        assert got.dtype == expected.dtype and np.array_equal(got.view(np.uint8), expected.view(np.uint8)), \
            (n, np.nonzero(got != expected)[0][:5])
