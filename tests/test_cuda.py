"""``torch.cuda`` utilities: on a machine without a GPU (this suite's usual host) every
call behaves as in the CPU-only PyTorch 2.13 build imported here (same values, same
exception types and messages); with CuPy and a GPU the ``gpu``-marked tests run the
real paths (events, synchronize, devices, legacy types)."""
from __future__ import annotations

import time

import numpy as np
import pytest

import torch  # noqa: F401  (the oracle: the test command installs it, so its absence must fail loudly)

import reftorch  # noqa: E402
from _compare import both  # noqa: E402

HAS_GPU = reftorch.cuda.is_available()
no_gpu_only = pytest.mark.skipif(HAS_GPU, reason="compares with the CPU-only PyTorch build; a GPU is present")


# Calls whose answer (or error) on a machine without CUDA must equal PyTorch's CPU build.
NO_GPU_CALLS = {
    "is_available": lambda T: T.cuda.is_available(),
    "device_count": lambda T: T.cuda.device_count(),
    "current_device": lambda T: T.cuda.current_device(),
    "synchronize": lambda T: T.cuda.synchronize(),
    "synchronize_dev": lambda T: T.cuda.synchronize("cuda:0"),
    "set_device": lambda T: T.cuda.set_device(0),
    "set_device_negative": lambda T: T.cuda.set_device(-1),
    "set_device_cpu": lambda T: T.cuda.set_device(T.device("cpu")),
    "device_enter": lambda T: T.cuda.device(0).__enter__(),
    "device_minus_one": lambda T: T.cuda.device(-1).__enter__(),
    "device_cpu": lambda T: T.cuda.device("cpu"),
    "device_idx": lambda T: (T.cuda.device("cuda:1").idx, T.cuda.device(T.device("cuda")).idx, T.cuda.device(2).idx),
    "device_of_cpu": lambda T: (T.cuda.device_of(T.ones(1)).idx, T.cuda.device_of(T.ones(1)).__enter__()),
    "device_exit": lambda T: T.cuda.device("cuda:0").__exit__(None, None, None),
    "event": lambda T: T.cuda.Event(enable_timing=True),
    "event_plain": lambda T: T.cuda.Event(),
    "manual_seed": lambda T: (T.cuda.manual_seed(1), T.cuda.manual_seed_all(2), T.cuda.seed(), T.cuda.seed_all()),
    "initial_seed": lambda T: T.cuda.initial_seed(),
    "get_device_name": lambda T: T.cuda.get_device_name(),
    "get_device_capability": lambda T: T.cuda.get_device_capability(),
    "get_device_properties": lambda T: T.cuda.get_device_properties(0),
    "is_initialized": lambda T: T.cuda.is_initialized(),
    "memory": lambda T: (T.cuda.memory_allocated(), T.cuda.max_memory_allocated(), T.cuda.memory_reserved(),
                         T.cuda.empty_cache()),
    "bf16": lambda T: T.cuda.is_bf16_supported(),
    "arch_list": lambda T: T.cuda.get_arch_list(),
    "legacy_call": lambda T: T.cuda.FloatTensor([1.0]),
    "legacy_call_empty": lambda T: T.cuda.LongTensor(2, 3),
    "legacy_attrs": lambda T: (T.cuda.FloatTensor.dtype, T.cuda.LongTensor.dtype, T.cuda.HalfTensor.dtype,
                               T.cuda.BoolTensor.dtype, T.cuda.ByteTensor.is_cuda, T.cuda.DoubleTensor.__name__,
                               T.cuda.IntTensor.__module__, repr(T.cuda.FloatTensor)),
    "legacy_isinstance": lambda T: (isinstance(T.ones(1), T.cuda.FloatTensor), isinstance(T.ones(1), T.FloatTensor)),
    "tensor_cuda": lambda T: T.ones(1).cuda(),
    "tensor_type_cuda": lambda T: T.ones(1).type(T.cuda.FloatTensor),
    "tensor_type_cuda_str": lambda T: T.ones(1).type("torch.cuda.LongTensor"),
    "zeros_cuda": lambda T: T.zeros(2, device="cuda"),
}


@no_gpu_only
@pytest.mark.parametrize("name", sorted(NO_GPU_CALLS))
def test_without_gpu_like_cpu_only_pytorch(name):
    both(NO_GPU_CALLS[name], msg=True)


@no_gpu_only
def test_device_none_enter_raises_type_error_as_pytorch():
    both(lambda T: T.cuda.device(None).__enter__())


def test_is_available_is_a_bool_and_count_matches():
    assert isinstance(reftorch.cuda.is_available(), bool)
    assert (reftorch.cuda.device_count() > 0) == reftorch.cuda.is_available()


# ------------------------------------------------------------------ with a GPU


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_GPU, reason="needs CuPy and a CUDA GPU")
def test_event_times_gpu_work():
    x = reftorch.randn(512, 512, device="cuda")
    start = reftorch.cuda.Event(enable_timing=True)
    end = reftorch.cuda.Event(enable_timing=True)
    assert repr(start) == "<torch.cuda.Event uninitialized>"
    start.record()
    for _ in range(10):
        x = x @ x / 512
    end.record()
    end.synchronize()
    assert end.query() is True
    ms = start.elapsed_time(end)
    assert isinstance(ms, float) and ms > 0
    assert repr(end).startswith("<torch.cuda.Event 0x")


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_GPU, reason="needs CuPy and a CUDA GPU")
def test_event_errors_on_gpu():
    a, b = reftorch.cuda.Event(), reftorch.cuda.Event(enable_timing=True)
    a.record()
    b.record()
    with pytest.raises(RuntimeError, match="enable_timing=True"):
        a.elapsed_time(b)
    c = reftorch.cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError, match="must be recorded"):
        b.elapsed_time(c)


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_GPU, reason="needs CuPy and a CUDA GPU")
def test_synchronize_devices_and_legacy_types_on_gpu():
    t0 = time.perf_counter()
    reftorch.cuda.synchronize()
    assert time.perf_counter() - t0 < 60
    assert reftorch.cuda.current_device() == 0
    assert reftorch.cuda.is_initialized()
    with reftorch.cuda.device(0):
        y = reftorch.ones(3, device="cuda")
    assert y.device == reftorch.device("cuda", 0)
    assert isinstance(y, reftorch.cuda.FloatTensor) and not isinstance(y, reftorch.FloatTensor)
    z = reftorch.cuda.LongTensor([1, 2])
    assert z.is_cuda and z.dtype is reftorch.int64
    np.testing.assert_array_equal(z.cpu().numpy(), [1, 2])
    assert isinstance(reftorch.cuda.get_device_name(), str)
    assert len(reftorch.cuda.get_device_capability()) == 2
    assert reftorch.cuda.get_device_properties(0).total_memory > 0
    assert reftorch.cuda.memory_allocated() >= 0
    with reftorch.cuda.device_of(y):
        assert reftorch.cuda.current_device() == 0
    reftorch.cuda.manual_seed_all(0)
    reftorch.cuda.empty_cache()


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_GPU, reason="needs CuPy and a CUDA GPU")
def test_tensor_type_with_a_cuda_legacy_type_moves_the_tensor():
    t = reftorch.tensor([1.5, 2.5])
    for target in (reftorch.cuda.LongTensor, "torch.cuda.LongTensor"):
        y = t.type(target)
        assert y.is_cuda and y.dtype is reftorch.int64 and y.type() == "torch.cuda.LongTensor"
        np.testing.assert_array_equal(y.cpu().numpy(), [1, 2])
        back = y.type(reftorch.FloatTensor)  # a CPU legacy type brings it back to the CPU
        assert not back.is_cuda and back.dtype is reftorch.float32
    z = t.type(reftorch.cuda.FloatTensor)
    assert z.is_cuda and z.type(reftorch.cuda.FloatTensor) is z
