"""torch.testing.make_tensor against PyTorch's: shapes, dtypes, devices, ranges,
noncontiguous, exclude_zero, requires_grad and errors; with one seed, the same values
(PyTorch's randint and uniform_ streams)."""
from __future__ import annotations

import warnings

import pytest
import torch
import torch.testing

import reftorch
import reftorch.testing
from tests._compare import both

CALLS = [
    "((2, 3),), dict(dtype=T.float32)", "(4,), dict(dtype=T.int64)", "(3,), dict(dtype=T.uint8)",
    "(2, 2), dict(dtype=T.bool)", "(2,), dict(dtype=T.complex64)", "(3,), dict(dtype=T.complex128, low=0, high=1)",
    "(3,), dict(dtype=T.float64, low=-1, high=1)", "(2, 3), dict(dtype=T.float32, noncontiguous=True)",
    "(3,), dict(dtype=T.int8, low=-1000, high=1000)", "(5,), dict(dtype=T.int64, low=0, high=2, exclude_zero=True)",
    "(6,), dict(dtype=T.float32, low=-1, high=1, exclude_zero=True)", "(2,), dict(dtype=T.float32, requires_grad=True)",
    "(2,), dict(dtype=T.float16, low=0.5, high=2.5)", "(3,), dict(dtype=T.float32, low=-1e40, high=1e40)",
    "(), dict(dtype=T.float32)", "(0,), dict(dtype=T.float32)", "(1, 1), dict(dtype=T.float32, noncontiguous=True)",
    "(T.Size([2, 2]),), dict(dtype=T.int16)", "([3],), dict(dtype=T.int32, low=2.5, high=4)",
]


@pytest.mark.parametrize("call", CALLS)
def test_seeded_values_like_pytorch(call):
    def go(T):
        T.manual_seed(0)
        args, kwargs = eval(call, {"T": T})
        t = T.testing.make_tensor(*args, device="cpu", **kwargs)
        return t, t.is_contiguous(), t.stride()
    both(go)


@pytest.mark.parametrize("dtype,low,high", [("int64", -9, 10), ("uint8", 0, 10), ("int8", -9, 10), ("bool", 0, 2),
                                            ("float32", -9, 9), ("float64", -9, 9), ("float16", -9, 9)])
def test_default_ranges(dtype, low, high):
    reftorch.manual_seed(1)
    t = reftorch.testing.make_tensor(2000, dtype=getattr(reftorch, dtype), device="cpu")
    assert t.dtype is getattr(reftorch, dtype) and tuple(t.shape) == (2000,)
    v = t.to(reftorch.float64)
    assert float(v.min()) >= low and float(v.max()) < high
    if dtype in ("int64", "uint8", "int8", "bool"):  # every integer of the range drawn
        assert sorted(set(v.tolist())) == list(range(low, high))


def test_complex_parts_in_range():
    t = reftorch.testing.make_tensor(500, dtype=reftorch.complex64, device="cpu", low=-2, high=3)
    for part in (t.real, t.imag):
        assert float(part.min()) >= -2 and float(part.max()) < 3


def test_noncontiguous_view():
    t = reftorch.testing.make_tensor(3, 4, dtype=reftorch.float32, device="cpu", noncontiguous=True)
    assert tuple(t.shape) == (3, 4) and not t.is_contiguous() and t.stride() == (8, 2)


@pytest.mark.parametrize("kwargs", [
    "dict(dtype=T.int64, requires_grad=True)", "dict(dtype=T.bool, requires_grad=True)",
    "dict(dtype=T.float32, low=2, high=1)", "dict(dtype=T.float32, low=float('nan'))",
    "dict(dtype=T.uint8, low=300, high=400)", "dict(dtype=T.int8, low=-500, high=-200)",
])
def test_errors(kwargs):
    both(lambda T: T.testing.make_tensor(2, device="cpu", **eval(kwargs, {"T": T})), msg=True)


def test_noncontiguous_and_memory_format_refused():
    with pytest.raises(ValueError, match="mutually exclusive"):
        reftorch.testing.make_tensor(2, dtype=reftorch.float32, device="cpu", noncontiguous=True, memory_format="x")


def test_low_equals_high_warns():
    for T in (torch, reftorch):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            t = T.testing.make_tensor(2, dtype=T.float32, device="cpu", low=1, high=1)
        assert t.tolist() == [1.0, 1.0]
        assert [w.category for w in got] == [FutureWarning] and "low==high" in str(got[0].message)
