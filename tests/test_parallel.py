"""torch.get_num_threads / set_num_threads and the inter-op pair, against PyTorch 2.13."""
import os
import subprocess
import sys

import pytest
import torch
from threadpoolctl import threadpool_info

import reftorch
from reftorch.utils.data import DataLoader, Dataset, get_worker_info

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def restore_threads():
    before_rt, before_torch = reftorch.get_num_threads(), torch.get_num_threads()
    yield
    reftorch.set_num_threads(before_rt)
    torch.set_num_threads(before_torch)


def _raised(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 - the type and text are what is compared
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("value", [0, -1, -5, 1.5, 2.0, True, False, "3", None, [2], 2 ** 31, 2 ** 63, -2 ** 63 - 1])
@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
def test_bad_thread_counts_raise_as_torch(name, value, restore_threads):
    expected = _raised(getattr(torch, name), value)
    assert expected is not None
    assert _raised(getattr(reftorch, name), value) == expected


def test_tensor_thread_count_refused_as_torch(restore_threads):
    expected = _raised(torch.set_num_threads, torch.tensor(3))
    assert _raised(reftorch.set_num_threads, reftorch.tensor(3)) == expected


def test_set_then_get(restore_threads):
    import numpy as np
    for n in (1, 3, np.int64(2)):
        torch.set_num_threads(n)
        reftorch.set_num_threads(n)
        assert reftorch.get_num_threads() == torch.get_num_threads() == n
        assert type(reftorch.get_num_threads()) is int


def test_set_num_threads_limits_blas(restore_threads):
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas, "NumPy should have loaded a BLAS library"
    reftorch.set_num_threads(1)
    assert all(lib["num_threads"] == 1 for lib in threadpool_info() if lib["user_api"] == "blas")
    reftorch.set_num_threads(2)
    assert all(lib["num_threads"] == 2 for lib in threadpool_info() if lib["user_api"] == "blas")
    # the product is the same whatever the thread count
    a = reftorch.randn(64, 64)
    reftorch.set_num_threads(1)
    one = a @ a
    reftorch.set_num_threads(2)
    assert reftorch.equal(one, a @ a)


_CHILD = """
import sys
sys.path.insert(0, {root!r})
import {lib} as t
print(t.get_num_threads(), t.get_num_interop_threads())
t.set_num_interop_threads(3)
print(t.get_num_interop_threads())
try:
    t.set_num_interop_threads(2)
except Exception as exc:
    print(type(exc).__name__, exc)
print(t.get_num_interop_threads())
"""


@pytest.mark.parametrize("env", [{}, {"OMP_NUM_THREADS": "1"}, {"OMP_NUM_THREADS": "64"}, {"MKL_NUM_THREADS": "1"},
                                 {"OMP_NUM_THREADS": "abc"}, {"OMP_NUM_THREADS": "0"},
                                 {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "64"},
                                 {"OMP_NUM_THREADS": "64", "MKL_NUM_THREADS": "1"}])
def test_defaults_and_interop_once_as_torch(env):
    """In fresh processes: the defaults follow MKL_NUM_THREADS / OMP_NUM_THREADS, capped at
    the CPU count (the inter-op default ignores them); the inter-op count can be set once. (Without either variable PyTorch counts physical cores,
    reftorch the CPUs it may run on: equal on this machine, whose CPUs are its cores.)"""
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    outs = [subprocess.run([sys.executable, "-c", _CHILD.format(root=ROOT, lib=lib)], env={**base, **env},
                           capture_output=True, text=True, check=True).stdout for lib in ("torch", "reftorch")]
    assert outs[1] == outs[0]


class _Threads(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return get_worker_info().id, reftorch.get_num_threads()


def test_dataloader_workers_use_one_thread(restore_threads):
    reftorch.set_num_threads(2)
    got = sorted(tuple(int(v) for v in pair) for batch in DataLoader(_Threads(), num_workers=2, batch_size=None)
                 for pair in [batch])
    assert got == [(0, 1), (1, 1)]
    assert reftorch.get_num_threads() == 2  # the main process keeps its count
