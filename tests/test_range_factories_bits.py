"""torch.linspace and torch.arange bit for bit.

linspace: PyTorch's CPU kernel computes ``start + step * i`` for the first half and
``end - step * (steps - 1 - i)`` for the rest, each rounded once (FMA contraction).
arange: in float64, ``start + step * i`` rounded once where the kernel runs its scalar
loop, and ``base + step * k`` from each 256-bit vector's first value where it runs its
vector loop, per thread chunk. Compared with PyTorch on every size up to 70, large ones
(several thread chunks) and ranges of several magnitudes."""
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


ARANGES = [(0, 1, 0.1), (-3.3, 7.1, 0.37), (1e-3, 5.0, 0.013), (5.0, -2.5, -0.7), (0.5, 100.5, 0.3), (-1, 1, 1 / 3),
           (0, 1000, 0.77), (0.1, 70000.3, 0.77), (-5, 1e5, 1.3), (3, 9, 1), (2.5, 2.5 + 0.125 * 70, 0.125),
           # ranges whose values are all exact (in float32 up to 2**24), and ones just past that
           (0, 1e5, 1.0), (-0.0, 50, 1.0), (-3, 5e4, 0.25), (2**24 - 40, 2**24 + 40, 1.0), (0, 2**25, 512.0),
           (2**53 - 40, 2**53 + 8, 1.0), (0, 2**-12, 2**-30), (1e300, 1.1e300, 1e298), (7, -40000, -0.5)]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("threads", [1, 2])
def test_arange_bits(dtype, threads):
    saved = (torch.get_num_threads(), reftorch.get_num_threads())
    torch.set_num_threads(threads)
    reftorch.set_num_threads(threads)
    try:
        for start, end, step in ARANGES:
            expected = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
            got = reftorch.arange(start, end, step, dtype=getattr(reftorch, dtype)).numpy()
            assert got.shape == expected.shape and np.array_equal(got.view(np.uint8), expected.view(np.uint8)), \
                (start, end, step, np.nonzero(got != expected)[0][:5])
    finally:
        torch.set_num_threads(saved[0])
        reftorch.set_num_threads(saved[1])
