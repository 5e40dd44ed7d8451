"""The vectorised ``std::sort`` (``reftorch._ops._stl_sort``) against the step-by-step port
of libstdc++'s routines (``_stl_select``) and against PyTorch's CPU ``sort`` on long rows
with many ties, where the order of equal values depends on every partition."""
from __future__ import annotations

import numpy as np
import pytest
import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch
from reftorch._ops import _stl_select, _stl_sort

pytestmark = pytest.mark.torch


def _step_by_step(values, depth=None):
    """``std::sort`` of ``(value, index)`` pairs, one comparison at a time; ``depth``
    replaces the recursion limit ``2 * lg(n)``."""
    a = [(v, j) for j, v in enumerate(values)]
    comp = _stl_select._less(False)
    if depth is None:
        _stl_select.sort(a, 0, len(a), comp)
    else:  # std::sort's two steps, with the limit given
        _stl_select._introsort_loop(a, 0, len(a), depth, comp)
        if len(a) > 16:
            _stl_select._insertion_sort(a, 0, 16, comp)
            for i in range(16, len(a)):
                _stl_select._unguarded_linear_insert(a, i, comp)
        else:
            _stl_select._insertion_sort(a, 0, len(a), comp)
    return [j for _, j in a]


def _ranks(rows):
    return np.stack([np.unique(r, return_inverse=True)[1].reshape(-1) for r in rows])


@pytest.mark.parametrize("seed", range(40))
def test_matches_the_step_by_step_sort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    rows = rng.integers(0, int(rng.integers(1, n + 2)), (int(rng.integers(1, 5)), n))
    if seed % 4 == 1:
        rows = np.sort(rows, axis=1)  # already sorted
    elif seed % 4 == 2:
        rows = np.sort(rows, axis=1)[:, ::-1]  # reversed
    got = _stl_sort.sort_order(_ranks(rows))
    assert got.dtype == np.int64
    for r, row in enumerate(rows.tolist()):
        assert got[r].tolist() == _step_by_step(row)


@pytest.mark.parametrize("seed", range(20))
def test_pieces_past_the_depth_limit_are_heap_sorted(seed, monkeypatch):
    # A small limit makes std::sort fall back to partial_sort (a heap sort) on deep pieces.
    rng = np.random.default_rng(100 + seed)
    depth = seed % 4
    monkeypatch.setattr(_stl_sort, "_depth_limit", lambda n: depth)
    rows = rng.integers(0, 6, (3, int(rng.integers(17, 200))))
    got = _stl_sort.sort_order(_ranks(rows))
    for r, row in enumerate(rows.tolist()):
        assert got[r].tolist() == _step_by_step(row, depth)


@pytest.mark.parametrize("dtype, descending", [("float32", False), ("float32", True), ("float16", False),
                                               ("int64", True), ("bool", False)])
def test_long_row_with_many_ties_matches_torch(dtype, descending):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(200_000).astype(dtype if dtype != "bool" else "float32")
    if dtype == "int64":
        x = (x * 1000).astype("int64")
    elif dtype == "bool":
        x = x > 0
    elif dtype == "float32":
        x[rng.integers(0, x.size, 500)] = np.nan
        x[:1000] = 0.0
        x[1000:2000] = -0.0
    want = torch.sort(torch.from_numpy(x), descending=descending)
    got = reftorch.sort(reftorch.tensor(x), descending=descending)
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())


def test_many_rows_with_ties_match_torch():
    x = np.random.default_rng(3).integers(0, 50, (300, 500)).astype("float32")
    for dim in (0, 1):
        want = torch.from_numpy(x).argsort(dim=dim, descending=True)
        got = reftorch.tensor(x).argsort(dim=dim, descending=True)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
