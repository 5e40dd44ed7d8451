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


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("shape, k, values", [((200, 1000), 10, 40), ((3, 20000), 200, 500), ((50, 300), 100, 30),
                                              ((100_000,), 1000, None)])
def test_topk_on_long_rows_matches_torch(shape, k, values, largest):
    # Rows with ties go through partial_sort's heap (k * 64 <= n: only the elements that can
    # reach the heap are visited) or nth_element; rows without ties through a partial sort.
    rng = np.random.default_rng(11)
    if values is None:
        x = rng.standard_normal(shape).astype("float32")
        x[rng.integers(0, x.size, 50)] = np.nan
    else:
        x = rng.integers(0, values, shape).astype("float32")
    for sorted_ in (True, False):
        want = torch.topk(torch.from_numpy(x), k, largest=largest, sorted=sorted_)
        got = reftorch.topk(reftorch.tensor(x), k, largest=largest, sorted=sorted_)
        np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
        np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())


@pytest.mark.parametrize("dtype", ["int64", "float16", "uint8"])
def test_topk_dim0_with_ties_matches_torch(dtype):
    x = np.random.default_rng(5).integers(0, 9, (2000, 7)).astype(dtype)
    for k in (1, 3, 31):
        want = torch.topk(torch.from_numpy(x), k, dim=0)
        got = reftorch.topk(reftorch.tensor(x), k, dim=0)
        np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())


@pytest.mark.parametrize("seed", range(30))
def test_topk_paths_match_the_step_by_step_selection(seed, monkeypatch):
    # topk_rows (partial_sort's heap, visiting candidates only) and nth_element_topk
    # (introselect for all rows at once) against topk_row, one comparison at a time.
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(1, 300))
    values = rng.integers(0, int(rng.integers(1, 12)), (3, n)).astype("float64")
    values[rng.random(values.shape) < 0.05] = np.nan
    if seed % 3 == 0:  # a small recursion limit: introselect's heap-select fallback
        monkeypatch.setattr(_stl_select, "_lg", lambda size: (seed // 3) % 3)  # both: 2 * lg
        monkeypatch.setattr(_stl_sort, "_depth_limit", lambda size: 2 * ((seed // 3) % 3))
    for k in sorted({1, int(rng.integers(1, n + 1)), n, max(n // 64, 1)}):
        for largest in (True, False):
            for sorted_ in (True, False):
                fn = _stl_select.topk_rows if k * 64 <= n else _stl_sort.nth_element_topk
                got = fn(values, k, largest, sorted_)
                want = [_stl_select.topk_row(row, k, largest, sorted_) for row in values.tolist()]
                assert [list(r) for r in got] == want, (k, largest, sorted_)


@pytest.mark.parametrize("seed", range(25))
def test_quick_select_rows_matches_torch_kthvalue(seed):
    # ATen's quick_select_template, all rows at once: the index PyTorch's kthvalue picks
    # among equal values (and nan, the largest)
    rng = np.random.default_rng(300 + seed)
    rows, n = int(rng.integers(1, 6)), int(rng.integers(1, 400))
    x = rng.integers(0, int(rng.integers(1, 10)), (rows, n)).astype(np.float64)
    if seed % 4 == 0:
        x[rng.random(x.shape) < 0.1] = np.nan
    k = int(rng.integers(0, n))
    ranks = _stl_sort._ranks(x, np.argsort(x, axis=1, kind="stable"))
    want = torch.kthvalue(torch.from_numpy(x), k + 1, dim=1).indices.numpy()
    np.testing.assert_array_equal(_stl_sort.quick_select_rows(ranks, k), want)


@pytest.mark.parametrize("seed", range(15))
def test_quick_select_rows_matches_the_step_by_step_port(seed):
    rng = np.random.default_rng(400 + seed)
    x = rng.integers(0, 6, (4, int(rng.integers(1, 200)))).astype(np.float64)
    x[rng.random(x.shape) < 0.05] = np.nan
    for k in {0, x.shape[1] // 2, x.shape[1] - 1}:
        ranks = _stl_sort._ranks(x, np.argsort(x, axis=1, kind="stable"))
        want = [_stl_select.quick_select_index(row, k) for row in x.tolist()]
        assert _stl_sort.quick_select_rows(ranks, k).tolist() == want
