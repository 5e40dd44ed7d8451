"""Conformance: pooling layers and ``batch_norm`` lay their results out as PyTorch does
(channels-last when a 4-d input suggests it, else row-major) for inputs in every memory
order of their dims."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import reftorch
from tests._compare import torch

OPS = {
    "avg_pool2d": (4, lambda F, x: F.avg_pool2d(x, 1)), "avg_pool2d_k2": (4, lambda F, x: F.avg_pool2d(x, 2, 1)),
    "max_pool2d": (4, lambda F, x: F.max_pool2d(x, 2, 1, return_indices=True)),
    "max_pool1d": (3, lambda F, x: F.max_pool1d(x, 2)), "avg_pool1d": (3, lambda F, x: F.avg_pool1d(x, 2)),
    "adaptive_avg_pool2d": (4, lambda F, x: F.adaptive_avg_pool2d(x, (2, 3))),
    "adaptive_max_pool2d": (4, lambda F, x: F.adaptive_max_pool2d(x, (2, 3), return_indices=True)),
    "batch_norm": (3, lambda F, x: F.batch_norm(x, None, None, training=True)),
    "batch_norm_4d": (4, lambda F, x: F.batch_norm(x, None, None, training=True)),
}
SHAPES = {3: [(2, 3, 4), (1, 3, 4), (2, 1, 4)], 4: [(2, 3, 4, 5), (1, 1, 4, 5), (2, 1, 4, 5), (1, 2, 2, 2)]}


def _strides(t):
    """Strides of the dims of size > 1 (PyTorch's are arbitrary for size-1 dims)."""
    return tuple(s if n > 1 else None for s, n in zip(t.stride(), t.shape))


@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("name", sorted(OPS))
def test_result_strides_follow_the_input_memory_format(name, grad):
    nd, fn = OPS[name]
    for shape in SHAPES[nd]:
        for perm in itertools.permutations(range(nd)):
            arr = np.random.default_rng(0).standard_normal([shape[p] for p in perm]).astype(np.float32)
            inverse = sorted(range(nd), key=perm.__getitem__)
            got = []
            for T in (torch, reftorch):
                out = fn(T.nn.functional, T.tensor(arr).permute(*inverse).requires_grad_(grad))
                outs = out if isinstance(out, tuple) else (out,)
                got.append([(tuple(o.shape), _strides(o)) for o in outs])
            assert got[1] == got[0], (shape, perm)
