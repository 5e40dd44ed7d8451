"""torch.use_deterministic_algorithms on the CPU, against PyTorch: uninitialised memory is
filled (torch.utils.deterministic.fill_uninitialized_memory), and the ops PyTorch lists as
having no deterministic CPU implementation raise, or warn with warn_only."""
from __future__ import annotations

import warnings

import pytest
import torch

import reftorch


@pytest.fixture(autouse=True)
def _restore_modes():
    yield
    for lib in (torch, reftorch):
        lib.use_deterministic_algorithms(False)
        lib.utils.deterministic.fill_uninitialized_memory = True


def _bits(t):
    return t.numpy().tobytes(), str(t.dtype), tuple(t.shape)


DTYPES = ["float16", "float32", "float64", "complex64", "complex128", "bool", "uint8", "int8", "int16", "int32",
          "int64"]
MAKERS = {
    "empty": lambda lib, dt: lib.empty(2, 3, dtype=dt),
    "empty_like": lambda lib, dt: lib.empty_like(lib.zeros(3, dtype=dt)),
    "new_empty": lambda lib, dt: lib.zeros(1, dtype=dt).new_empty((2,)),
    "empty_strided": lambda lib, dt: lib.empty_strided((2, 2), (1, 2), dtype=dt),
}


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_uninitialized_memory_is_filled(maker, dtype):
    got = []
    for lib in (torch, reftorch):
        lib.use_deterministic_algorithms(True)
        got.append(_bits(MAKERS[maker](lib, getattr(lib, dtype))))
    assert got[0] == got[1]


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_resize_fills_the_new_elements(dtype):
    got = []
    for lib in (torch, reftorch):
        lib.use_deterministic_algorithms(True)
        t = lib.ones(2, dtype=getattr(lib, dtype))
        t.resize_(2, 3)
        got.append(_bits(t))
    assert got[0] == got[1]


def test_fill_uninitialized_memory_switch():
    for lib in (torch, reftorch):
        d = lib.utils.deterministic
        assert d.fill_uninitialized_memory is True
        d.fill_uninitialized_memory = False
        lib.use_deterministic_algorithms(True)
        assert lib.empty(3).shape == (3,)
        with pytest.raises(RuntimeError, match="expected a bool, but got int"):
            d.fill_uninitialized_memory = 1
        assert d.fill_uninitialized_memory is False


def _calls(lib):
    F = lib.nn.functional
    return {
        "put_": lambda: lib.zeros(5).put_(lib.tensor([1]), lib.tensor([2.0])),
        "put": lambda: lib.put(lib.zeros(5), lib.tensor([1]), lib.tensor([2.0])),
        "put_bad_index": lambda: lib.zeros(5).put_(lib.tensor([1.0]), lib.tensor([2.0])),
        "max_unpool1d": lambda: F.max_unpool1d(lib.ones(1, 1, 2), lib.tensor([[[0, 1]]]), 2),
        "max_unpool2d": lambda: F.max_unpool2d(lib.ones(1, 1, 2, 2), lib.tensor([[[[0, 1], [2, 3]]]]), 2),
        "max_unpool3d": lambda: F.max_unpool3d(lib.ones(1, 1, 1, 1, 2), lib.tensor([[[[[0, 1]]]]]), (1, 1, 2)),
        "MaxUnpool2d": lambda: lib.nn.MaxUnpool2d(2)(lib.ones(1, 1, 1, 1), lib.tensor([[[[3]]]])),
        "put_accumulate": lambda: lib.zeros(5).put_(lib.tensor([1, 1]), lib.tensor([2.0, 3.0]), accumulate=True),
    }


def _outcome(lib, name, warn_only):
    lib.use_deterministic_algorithms(True, warn_only=warn_only)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = _calls(lib)[name]()
            result = ("ok", r.tolist())
        except Exception as e:
            result = (type(e).__name__, str(e))
    return result, [str(w.message) for w in caught if "deterministic" in str(w.message)]


@pytest.mark.parametrize("warn_only", [False, True])
@pytest.mark.parametrize("name", list(_calls(torch)))
def test_ops_without_a_deterministic_implementation(name, warn_only):
    assert _outcome(reftorch, name, warn_only) == _outcome(torch, name, warn_only)


def test_nothing_changes_when_off():
    assert reftorch.zeros(3).put_(reftorch.tensor([1]), reftorch.tensor([2.0])).tolist() == [0.0, 2.0, 0.0]
