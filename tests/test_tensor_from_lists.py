"""``torch.tensor`` from (nested) Python lists against PyTorch: values and dtypes of large
flat and nested lists (checked level by level, not element by element), and PyTorch's
errors for ragged nesting, naming the first fault in PyTorch's order."""
from __future__ import annotations

import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch

pytestmark = pytest.mark.torch


def _outcome(lib, data):
    try:
        t = lib.tensor(data)
    except Exception as e:  # noqa: BLE001 - the exception type and text are compared
        return type(e).__name__, str(e)
    return "ok", t.tolist(), str(t.dtype)


@pytest.mark.parametrize("data", [
    list(range(100_000)), [float(v) / 7 for v in range(50_000)], [[i, i + 1, i + 2] for i in range(20_000)],
    [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [(1, 2), [3, 4]], [True, False, True], [True, 2, 3.5], [1 + 2j, 3],
    [], [[]], [[], []], [[[]]],
])
def test_values_and_dtype_match_torch(data):
    assert _outcome(reftorch, data) == _outcome(torch, data)


@pytest.mark.parametrize("data", [
    [[1, 2], [3]], [[1, 2], [3, 4, 5]], [[1, 2], 3], [1, [2, 3]], [[1, [2]], [3, 4]],
    [[[1, 2], [3, 4]], [[5, 6], [7]]], [[[1, 2], [3, 4]], [5, 6]], [[1, 2], [3, [4]]],
    [[1, 2]] * 1000 + [[1]], [[1, "a"]],
])
def test_ragged_and_mixed_nesting_raise_torchs_error(data):
    got, want = _outcome(reftorch, data), _outcome(torch, data)
    assert got[0] != "ok" and got == want
