"""torch.amp.GradScaler (torch.GradScaler, torch.cpu.amp.GradScaler) against PyTorch 2.13."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import assert_same

LIBS = [reftorch, torch]


def _setup(T, **scaler_kwargs):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 1))
    optimizer = T.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, optimizer, T.amp.GradScaler("cpu", **scaler_kwargs)


#: inputs of the training loop: inf at steps 2 and 5, NaN at 6
_INPUTS = [[1.0, 2.0, -1.0], [0.5, -0.5, 2.0], [np.inf, 0.0, 1.0], [0.1, 0.2, 0.3], [2.0, 1.0, 0.0],
           [0.0, np.inf, 0.0], [np.nan, 1.0, 1.0], [1.0, 1.0, 1.0], [-1.0, 0.5, 0.25], [0.3, 0.3, -2.0]]


def _train(T, unscale_first=False, **scaler_kwargs):
    model, optimizer, scaler = _setup(T, **scaler_kwargs)
    record = []
    for x in _INPUTS:
        optimizer.zero_grad()
        loss = (model(T.tensor([x])) ** 2).sum()
        scaler.scale(loss).backward()
        if unscale_first:
            scaler.unscale_(optimizer)
            T.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        returned = scaler.step(optimizer)
        scaler.update()
        record.append((returned, scaler.get_scale(), scaler.state_dict(), scaler._scale.dtype,
                       [p.detach().clone() for p in model.parameters()]))
    return record


@pytest.mark.parametrize("kwargs", [dict(growth_interval=2), dict(init_scale=1000.0, growth_factor=1.7,
                                                                   backoff_factor=0.3, growth_interval=1),
                                    dict(init_scale=3.0e38, growth_interval=1), dict()])
@pytest.mark.parametrize("unscale_first", [False, True])
def test_training_loop_matches_torch(kwargs, unscale_first):
    ours, theirs = _train(reftorch, unscale_first, **kwargs), _train(torch, unscale_first, **kwargs)
    for (r_ret, r_scale, r_sd, r_dtype, r_params), (t_ret, t_scale, t_sd, t_dtype, t_params) in zip(ours, theirs):
        assert r_ret == t_ret and r_scale == t_scale and r_sd == t_sd and str(r_dtype) == str(t_dtype)
        assert [type(v) for v in r_sd.values()] == [type(v) for v in t_sd.values()]
        for r, t in zip(r_params, t_params):
            assert_same(r, t)


def test_scale_values_and_containers():
    for T in LIBS:
        s = T.amp.GradScaler("cpu", init_scale=8.0)
        assert s.get_scale() == 8.0 and s._scale is None
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = s.scale(x * 1)
        assert y.tolist() == [8.0, 16.0] and type(y.grad_fn).__name__ == "MulBackward0"
        assert s._scale.dtype == T.float32 and s._growth_tracker.dtype == T.int32
        assert s.scale(T.tensor([1.0], dtype=T.float64)).dtype == T.float64
        assert s.scale(T.tensor([1.0], dtype=T.float16)).dtype == T.float16
        out = s.scale([T.ones(1), (T.ones(1), [T.ones(2)])])
        assert type(out) is list and type(out[1]) is tuple and out[1][1][0].tolist() == [8.0, 8.0]
        lazy = s.scale(iter([T.ones(1)]))
        assert type(lazy) is map and next(lazy).tolist() == [8.0]
        with pytest.raises(ValueError, match="^outputs must be a Tensor or an iterable of Tensors$"):
            s.scale([T.ones(1), 3])


def test_unscale_divides_and_finds_inf():
    for T in LIBS:
        p = T.nn.Parameter(T.tensor([1.0, 2.0]))
        opt = T.optim.SGD([p], lr=1.0)
        s = T.amp.GradScaler("cpu", init_scale=3.0)
        (s.scale(p * T.tensor([3.3, 7.1]))).sum().backward()
        s.unscale_(opt)
        assert p.grad.tolist() == pytest.approx([3.3, 7.1], rel=1e-6)
        with pytest.raises(RuntimeError, match=r"^unscale_\(\) has already been called on this optimizer since "
                                               r"the last update\(\).$"):
            s.unscale_(opt)
        assert s.step(opt) is None and p.tolist() != [1.0, 2.0]
        with pytest.raises(RuntimeError, match=r"^unscale_\(\) is being called after step\(\).$"):
            s.unscale_(opt)
        with pytest.raises(RuntimeError, match=r"^step\(\) has already been called since the last update\(\).$"):
            s.step(opt)
        s.update()
        assert s.state_dict()["_growth_tracker"] == 1


def test_unscaled_gradients_equal_torch():
    grads = []
    for T in LIBS:
        p = T.nn.Parameter(T.tensor([1.0, -2.0, 0.5]))
        q = T.nn.Parameter(T.tensor([1.5], dtype=T.float64))
        opt = T.optim.SGD([p, q], lr=1.0)
        s = T.amp.GradScaler("cpu", init_scale=3.7)
        s.scale((p * T.tensor([0.1, 3.3, 7.7])).sum() + (q * 1.1).sum()).backward()
        s.unscale_(opt)
        grads.append((p.grad, q.grad))
    assert_same(grads[0][0], grads[1][0], check_grad_fn=False)
    assert_same(grads[0][1], grads[1][1], check_grad_fn=False)


@pytest.mark.parametrize("T", LIBS)
def test_errors(T):
    p = T.nn.Parameter(T.ones(2))
    opt = T.optim.SGD([p], lr=1.0)
    s = T.amp.GradScaler("cpu")
    for call, name in ((lambda: s.step(opt), "step"), (lambda: s.unscale_(opt), "unscale_"),
                       (lambda: s.update(), "update")):
        with pytest.raises(AssertionError, match=f"^Attempted {name} but _scale is None.  This may indicate your "
                                                 "script did not use scaler.scale"):
            call()
    s.scale(p.sum())  # no backward: no gradients
    with pytest.raises(AssertionError, match="^No inf checks were recorded for this optimizer.$"):
        s.step(opt)
    s2 = T.amp.GradScaler("cpu")
    s2.scale(T.ones(1))
    with pytest.raises(AssertionError, match="^No inf checks were recorded prior to update.$"):
        s2.update()
    with pytest.raises(RuntimeError, match="^Closure use is not currently supported if GradScaler is enabled.$"):
        s2.step(opt, closure=lambda: 0.0)
    with pytest.raises(AssertionError, match=r"^The growth factor must be > 1.0.$"):
        T.amp.GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(AssertionError, match=r"^The backoff factor must be < 1.0.$"):
        T.amp.GradScaler("cpu", backoff_factor=1.0)
    half = T.nn.Parameter(T.ones(2, dtype=T.float16))
    half.grad = T.ones(2, dtype=T.float16)
    opt16 = T.optim.SGD([half], lr=1.0)
    with pytest.raises(ValueError, match="^Attempting to unscale FP16 gradients.$"):
        s2.unscale_(opt16)
    reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor with "
              "requires_grad=False.")
    with pytest.raises(AssertionError, match=reason.replace(".", r"\.")):
        s2.update(T.ones(2))
    with pytest.raises(AssertionError):
        s2.update(T.ones(1, requires_grad=True))
    with pytest.raises(RuntimeError):  # (copied into the 0-dim scale: a 1-dim tensor does not fit)
        s2.update(T.tensor([5.0]))
    s2.update(T.tensor(5.0))
    assert s2.get_scale() == 5.0
    s2.update(2.5)
    assert s2.get_scale() == 2.5
    with pytest.raises(RuntimeError, match="^The source state dict is empty, possibly because it was saved from "
                                           "a disabled instance of GradScaler.$"):
        s2.load_state_dict({})


@pytest.mark.parametrize("T", LIBS)
def test_state_dict_load_and_pickle(T):
    s = T.amp.GradScaler("cpu", init_scale=16.0, growth_interval=5)
    assert s.state_dict() == {"scale": 16.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 5,
                              "_growth_tracker": 0}
    s.scale(T.ones(1))
    s.load_state_dict({"scale": 4.0, "growth_factor": 3.0, "backoff_factor": 0.25, "growth_interval": 7,
                       "_growth_tracker": 3})
    assert (s.get_scale(), s._scale.item(), s._growth_tracker.item()) == (4.0, 4.0, 3)
    assert (s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()) == (3.0, 0.25, 7)
    s.set_growth_factor(4.0)
    s.set_backoff_factor(0.125)
    s.set_growth_interval(9)
    back = pickle.loads(pickle.dumps(s))
    assert back._scale is None and back.state_dict() == s.state_dict()
    assert back.state_dict() == {"scale": 4.0, "growth_factor": 4.0, "backoff_factor": 0.125,
                                 "growth_interval": 9, "_growth_tracker": 3}
    p = T.nn.Parameter(T.ones(1))
    opt = T.optim.SGD([p], lr=1.0)
    s.scale(p.sum()).backward()
    s.step(opt)
    with pytest.raises(AssertionError, match="^A GradScaler instance may only be pickled at the beginning"):
        pickle.dumps(s)


@pytest.mark.parametrize("T", LIBS)
def test_disabled(T):
    s = T.amp.GradScaler("cpu", enabled=False, growth_factor=0.5)  # factors unchecked when disabled
    p = T.nn.Parameter(T.ones(2))
    opt = T.optim.SGD([p], lr=1.0)
    loss = p.sum()
    assert s.scale(loss) is loss and s.is_enabled() is False
    loss.backward()
    assert s.unscale_(opt) is None and s.step(opt) is None and p.tolist() == [0.0, 0.0]
    assert s.update() is None and s.get_scale() == 1.0 and s.state_dict() == {}
    s.load_state_dict({})
    assert pickle.loads(pickle.dumps(s)).is_enabled() is False


@pytest.mark.parametrize("T", LIBS)
def test_cuda_without_gpu_disables_with_a_warning(T):
    if T.cuda.is_available():
        pytest.skip("the warning is for machines without a GPU")  # (not a regression skip)
    for make in (lambda: T.amp.GradScaler(), lambda: T.GradScaler("cuda")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            s = make()
        assert [str(w.message) for w in caught] == [
            "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."]
        assert caught[0].category is UserWarning and caught[0].filename == __file__
        assert s.is_enabled() is False and s.get_scale() == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.amp.GradScaler("cuda", enabled=False).is_enabled() is False


@pytest.mark.parametrize("T", LIBS)
def test_names_and_deprecated_cpu_scaler(T):
    assert T.GradScaler is T.amp.GradScaler
    assert T.amp.GradScaler.__module__ == f"{T.__name__}.amp.grad_scaler"
    assert [e.name for e in T.amp.grad_scaler.OptState] == ["READY", "UNSCALED", "STEPPED"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = T.cpu.amp.GradScaler(init_scale=4.0)
    assert [(w.category, str(w.message)) for w in caught] == [
        (FutureWarning, "`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                        "`torch.amp.GradScaler('cpu', args...)` instead.")]
    assert caught[0].filename == __file__
    assert isinstance(s, T.amp.GradScaler) and s._device == "cpu" and s.get_scale() == 4.0
    assert s.scale(T.ones(1)).tolist() == [4.0]


@pytest.mark.parametrize("device", ["strict", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not reftorch.cuda.is_available(), reason="needs CuPy and a CUDA GPU")])])
def test_on_other_devices_equals_cpu(device):
    """The scale lives on the loss's device; every step there equals the CPU run (the strict
    stand-in accelerator refuses NumPy and host copies)."""
    def run(dev):
        reftorch.manual_seed(0)
        model = reftorch.nn.Linear(3, 1).to(dev)
        optimizer = reftorch.optim.SGD(model.parameters(), lr=0.1)
        scaler = reftorch.amp.GradScaler("cpu" if dev == "strict" else dev, init_scale=64.0, growth_interval=2)
        scales = []
        for x in _INPUTS[:6]:
            optimizer.zero_grad()
            scaler.scale([model(reftorch.tensor([x], device=dev)).sum()])[0].backward()
            scaler.unscale_(optimizer)
            scaler.step(optimizer)
            scaler.update()
            scales.append(scaler.get_scale())
        assert scaler._scale.device.type == dev
        return scales, [p.detach().cpu().tolist() for p in model.parameters()]
    assert run(device) == run("cpu")
