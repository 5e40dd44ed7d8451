"""nn.DataParallel, nn.parallel.data_parallel, DistributedDataParallel's constructor and
nn.modules.utils.consume_prefix_in_state_dict_if_present against PyTorch's CPU build:
repr, attributes, state_dict keys, outputs and gradients, the ``module.``-prefix loading
error and its fixes, and the errors raised without a GPU / a process group."""
from __future__ import annotations

import copy
import io
import sys

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, raises_like

X = np.arange(12, dtype=np.float32).reshape(4, 3) / 10


def _wrapped(T, **kwargs):
    T.manual_seed(0)
    return T.nn.DataParallel(T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2)), **kwargs)


def test_repr_children_and_state_dict_keys():
    def fn(T):
        dp = _wrapped(T)
        return (repr(dp), [name for name, _ in dp.named_modules()], list(dp.state_dict()),
                [name for name, _ in dp.named_parameters()], type(dp).__name__,
                type(dp).__module__.split(".", 1)[1])
    t = both(fn)
    assert t[2][0] == "module.0.weight"  # the pitfall this file is about


@pytest.mark.parametrize("kwargs", [{}, {"device_ids": [0, 1], "output_device": 1, "dim": 1}])
def test_attributes_without_gpu(kwargs):
    def fn(T):
        dp = _wrapped(T, **kwargs)
        names = ["device_ids", "dim", "output_device", "src_device_obj"]
        return [hasattr(dp, n) for n in names], dp.device_ids, dp.training
    both(fn)
    both(lambda T: _wrapped(T, **kwargs).dim)  # AttributeError, as PyTorch


def test_module_is_the_same_object_and_shares_parameters():
    for T in (torch, reftorch):
        inner = T.nn.Linear(3, 2)
        dp = T.nn.DataParallel(inner)
        assert dp.module is inner
        assert dp.state_dict()["module.weight"].data_ptr() == inner.weight.data_ptr()


def test_forward_and_backward_are_the_module_s():
    def fn(T, x):
        dp = _wrapped(T)
        y = dp(x)
        y.sum().backward()
        direct = dp.module(x)
        return y, T.equal(y, direct), dp.module[0].weight.grad, dp(input=x)
    both(fn, X)


def test_train_eval_propagate():
    def fn(T):
        dp = _wrapped(T).eval()
        return dp.training, dp.module.training, dp.module[0].training
    both(fn)


@pytest.mark.parametrize("kwargs", [{}, {"device_ids": [0]}, {"device_ids": [], "output_device": 0},
                                    {"module_kwargs": {}}])
def test_data_parallel_function_needs_a_gpu(kwargs):
    raises_like(lambda T, x: T.nn.parallel.data_parallel(T.nn.Linear(3, 2), x, **kwargs), X, msg=True)


@pytest.mark.parametrize("kwargs", [{}, {"device_ids": [0]}, {"find_unused_parameters": True},
                                    {"delay_all_reduce_named_params": []}])
def test_ddp_without_process_group(kwargs):
    raises_like(lambda T: T.nn.parallel.DistributedDataParallel(T.nn.Linear(3, 2), **kwargs), msg=True)


def test_exports():
    def fn(T):
        return (T.nn.DataParallel is T.nn.parallel.DataParallel,
                T.nn.parallel.DistributedDataParallel.__name__, T.nn.parallel.data_parallel.__name__,
                issubclass(T.nn.parallel.DistributedDataParallel, T.nn.Module))
    both(fn)
    assert set(reftorch.nn.parallel.__all__) <= set(torch.nn.parallel.__all__)


def _save(T, sd):
    buffer = io.BytesIO()
    T.save(sd, buffer)
    buffer.seek(0)
    return T.load(buffer)


def test_prefixed_checkpoint_does_not_load_into_the_plain_model():
    def fn(T):
        saved = _save(T, _wrapped(T).state_dict())
        plain = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
        plain.load_state_dict(saved)
    t = both(fn, msg=True)
    assert isinstance(t, RuntimeError)
    tr, rr = raises_like(fn)
    assert str(rr) == str(tr)  # the whole message: missing and unexpected keys


def test_fixes_save_module_state_dict_or_strip_prefix(x=X):
    def fn(T, x):
        dp = _wrapped(T)
        fresh = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
        first = fresh.load_state_dict(_save(T, dp.module.state_dict()))
        sd = _save(T, dp.state_dict())
        none = T.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, "module.")
        second = fresh.load_state_dict(sd)
        return repr(first), none, list(sd), repr(second), fresh(x), dp(x)
    both(fn, x)


def test_consume_prefix_keys_order_and_metadata():
    def fn(T):
        sd = _wrapped(T).state_dict()
        sd["other"] = T.zeros(1)
        T.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, "module.")
        return list(sd), dict(sd._metadata), type(sd).__name__

    def plain_dict(T):
        sd = {"a": T.ones(1), "module.b": T.ones(2), "module": T.ones(3), "module.module.c": T.ones(4)}
        T.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, "module.")
        return list(sd), [v.shape for v in sd.values()]

    def other_prefix(T):
        sd = T.compile(T.nn.Linear(2, 1)).state_dict()
        T.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, "_orig_mod.")
        return list(sd), dict(sd._metadata)
    both(fn)
    both(plain_dict)
    both(other_prefix)


@pytest.fixture
def pretend_gpu(monkeypatch):
    """Both libraries take their GPU code path (device type ``"cuda"``) although neither has a
    GPU here: what gets checked is the bookkeeping and the errors raised before any GPU work
    (PyTorch's per-GPU memory comparison, which needs real GPUs, is switched off)."""
    torch_dp = sys.modules["torch.nn.parallel.data_parallel"]  # the package shadows it by the function
    monkeypatch.setattr(torch_dp, "_get_available_device_type", lambda: "cuda")
    monkeypatch.setattr(torch_dp, "_check_balance", lambda device_ids: None)
    monkeypatch.setattr(sys.modules["reftorch.nn.parallel.data_parallel"], "_available_device_type", lambda: "cuda")


def test_gpu_path_attributes(pretend_gpu):
    def fn(T):
        dp = T.nn.DataParallel(T.nn.Linear(3, 2), device_ids=[0, "cuda:1"], output_device=T.device("cuda:1"), dim=1)
        return dp.device_ids, dp.output_device, dp.dim, str(dp.src_device_obj), repr(dp)
    both(fn)


@pytest.mark.parametrize("call", [
    lambda T, x: T.nn.DataParallel(T.nn.Linear(3, 2), device_ids=[0, 1])(x),          # module left on the CPU
    lambda T, x: T.nn.parallel.data_parallel(T.nn.Linear(3, 2), x, device_ids=[0]),
    lambda T, x: T.nn.parallel.data_parallel(T.nn.Linear(3, 2), None, device_ids=["cuda:0", 1]),
    lambda T, x: T.nn.DataParallel(T.nn.Linear(3, 2), device_ids=[0]),                  # .to("cuda:0"), no CUDA
    lambda T, x: T.nn.DataParallel(T.nn.Linear(3, 2), device_ids=[], output_device=0),  # device_ids[0]
    lambda T, x: T.nn.DataParallel(T.nn.Linear(3, 2), device_ids=["cpu"]),
])
def test_gpu_path_errors(pretend_gpu, call):
    raises_like(call, X, msg=True)


def test_ddp_process_group_and_device_mesh_together():
    raises_like(lambda T: T.nn.parallel.DistributedDataParallel(
        T.nn.Linear(3, 2), process_group=object(), device_mesh=object()), msg=True)


def test_plain_checkpoint_into_the_wrapper_and_back():
    def fn(T):
        dp = _wrapped(T)
        plain = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
        dp.load_state_dict(plain.state_dict())
    tr, rr = raises_like(fn)
    assert str(rr) == str(tr)

    def fixed(T):
        dp = _wrapped(T)
        T.manual_seed(1)
        plain = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
        return repr(dp.module.load_state_dict(plain.state_dict())), dp.module[0].weight
    both(fixed)


def test_scalar_output_no_inputs_copy_and_subscript():
    class Loss(torch.nn.Module):
        def forward(self):
            return torch.tensor(3.0)

    class RefLoss(reftorch.nn.Module):
        def forward(self):
            return reftorch.tensor(3.0)

    def fn(T):
        dp = T.nn.DataParallel((Loss if T is torch else RefLoss)())
        out = dp()  # on CPU a scalar stays a scalar (no per-GPU vector)
        copied = copy.deepcopy(_wrapped(T))
        return out, type(copied).__name__, list(copied.state_dict()), T.nn.DataParallel[T.nn.Linear].__name__
    both(fn)
