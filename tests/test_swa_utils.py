"""optim.swa_utils against PyTorch: AveragedModel (default SWA mean, the EMA / SWA helper
functions, use_buffers, n_averaged, state_dict keys, repr), update_bn, SWALR's lr
sequences and state_dict, and the errors. Averages are compared bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch
from tests._nn_compare import raises_same, same

LIBS = (reftorch, torch)


def _model(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4), T.nn.Linear(4, 2))


def _snapshots(steps):
    """``steps`` state dicts of ``_model`` as NumPy arrays (random weights and statistics)."""
    rng = np.random.default_rng(0)
    shapes = {k: tuple(v.shape) for k, v in _model(torch).state_dict().items()}
    return [{k: (np.array(i + 1) if k.endswith("num_batches_tracked")
                 else rng.standard_normal(shape).astype(np.float32)) for k, shape in shapes.items()}
            for i in range(steps)]


def _train_and_average(T, steps=6, **kw):
    """Average ``steps`` snapshots of the weights (set exactly, so only the averaging is compared)."""
    model = _model(T)
    averaged = T.optim.swa_utils.AveragedModel(model, **kw)
    for snap in _snapshots(steps):
        model.load_state_dict({k: T.tensor(v) for k, v in snap.items()})
        averaged.update_parameters(model)
    return averaged


def _fns(T, name):
    su = T.optim.swa_utils
    return {"default": {}, "ema_multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
            "swa_multi": {"multi_avg_fn": su.get_swa_multi_avg_fn()},
            "ema": {"avg_fn": su.get_ema_avg_fn(0.7)}, "swa": {"avg_fn": su.get_swa_avg_fn()}}[name]


@pytest.mark.parametrize("fn,use_buffers", [(fn, False) for fn in ("default", "ema_multi", "swa_multi", "ema", "swa")]
                         + [(fn, True) for fn in ("default", "ema_multi", "ema", "swa")])  # swa_multi: see below
def test_averages_are_torch_bits(fn, use_buffers):
    r, t = (_train_and_average(T, use_buffers=use_buffers, **_fns(T, fn)) for T in LIBS)
    rs, ts = r.state_dict(), t.state_dict()
    assert list(rs) == list(ts)
    assert list(rs)[:2] == ["n_averaged", "module.0.weight"]
    same(rs, ts, exact=True)
    same(r(reftorch.ones(2, 3)), t(torch.ones(2, 3)))


def test_integer_buffer_errors():  # addcdiv_ refuses num_batches_tracked (long)
    def go(T):
        _train_and_average(T, use_buffers=True, multi_avg_fn=T.optim.swa_utils.get_swa_multi_avg_fn())
    raises_same(go)


def test_repr_forward_and_device():
    r, t = (T.optim.swa_utils.AveragedModel(_model(T), device="cpu") for T in LIBS)
    assert repr(r) == repr(t)
    assert str(r.n_averaged) == str(t.n_averaged) == "tensor(0)"
    assert r.module is not None and r.use_buffers is False and r.avg_fn is None


def test_first_update_copies_and_later_models_are_independent():
    for T in LIBS:
        model = T.nn.Linear(2, 1)
        averaged = T.optim.swa_utils.AveragedModel(model)
        with T.no_grad():
            model.weight.fill_(2.0)
        assert not T.equal(averaged.module.weight, model.weight)
        averaged.update_parameters(model)
        assert T.equal(averaged.module.weight, model.weight)
        assert averaged.module.weight.requires_grad


def test_update_bn():
    def go(T):
        model = _model(T)
        bn = model[1]
        bn.momentum = 0.3
        model.eval()
        T.manual_seed(2)
        loader = [(T.randn(5, 3), T.zeros(5)) for _ in range(3)] + [[T.randn(4, 3)], T.randn(6, 3)]
        T.optim.swa_utils.update_bn(loader, model)
        return bn.running_mean, bn.running_var, bn.num_batches_tracked, bn.momentum, model.training
    same(go(reftorch), go(torch))


def test_update_bn_without_batch_norm_is_a_no_op():
    for T in LIBS:
        model = T.nn.Linear(2, 2)
        assert T.optim.swa_utils.update_bn([T.ones(1, 2)], model) is None


def _swalr(T, kw, steps=8, lrs=(1.0, 0.5)):
    params = [T.zeros(1, requires_grad=True), T.zeros(1, requires_grad=True)]
    opt = T.optim.SGD([{"params": [params[0]], "lr": lrs[0]}, {"params": [params[1]], "lr": lrs[1]}])
    sched = T.optim.swa_utils.SWALR(opt, **kw)
    seen = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
    return seen, sorted(sched.state_dict()), [g["swa_lr"] for g in opt.param_groups]


@pytest.mark.parametrize("kw", [
    dict(swa_lr=0.05),
    dict(swa_lr=0.05, anneal_epochs=3),
    dict(swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear"),
    dict(swa_lr=[0.1, 0.01], anneal_epochs=4, anneal_strategy="linear"),
    dict(swa_lr=0.2, anneal_epochs=0),
    dict(swa_lr=0.2, anneal_epochs=1),
])
def test_swalr_sequences_are_torch_floats(kw):
    r, t = _swalr(reftorch, kw), _swalr(torch, kw)
    assert r == t  # floats compared exactly


def test_swalr_state_dict_round_trip():
    out = []
    for T in LIBS:
        opt = T.optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
        a = T.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=5, anneal_strategy="linear")
        for _ in range(2):
            opt.step()
            a.step()
        state = a.state_dict()
        opt2 = T.optim.SGD([T.zeros(1, requires_grad=True)], lr=a.get_last_lr()[0])
        b = T.optim.swa_utils.SWALR(opt2, swa_lr=0.1)
        b.load_state_dict(state)
        for _ in range(4):
            opt2.step()
            b.step()
        out.append((b.get_last_lr(), b.anneal_func(0.5), b._anneal_strategy))
    assert out[0] == out[1]


def test_swalr_get_lr_warns_outside_step():
    for T in LIBS:
        opt = T.optim.SGD([T.zeros(1, requires_grad=True)], lr=1.0)
        sched = T.optim.swa_utils.SWALR(opt, swa_lr=0.1)
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched.get_lr()


@pytest.mark.parametrize("make", [
    lambda T, p: T.optim.swa_utils.SWALR(T.optim.SGD(p, lr=1.0), swa_lr=0.1, anneal_strategy="exp"),
    lambda T, p: T.optim.swa_utils.SWALR(T.optim.SGD(p, lr=1.0), swa_lr=0.1, anneal_epochs=-1),
    lambda T, p: T.optim.swa_utils.SWALR(T.optim.SGD(p, lr=1.0), swa_lr=0.1, anneal_epochs=2.0),
    lambda T, p: T.optim.swa_utils.SWALR(T.optim.SGD(p, lr=1.0), swa_lr=[0.1, 0.2]),
    lambda T, p: T.optim.swa_utils.get_ema_multi_avg_fn(1.5),
    lambda T, p: T.optim.swa_utils.get_ema_avg_fn(-0.1),
    lambda T, p: T.optim.swa_utils.AveragedModel(T.nn.Linear(1, 1), avg_fn=T.optim.swa_utils.get_swa_avg_fn(),
                                                 multi_avg_fn=T.optim.swa_utils.get_swa_multi_avg_fn()),
])
def test_errors_match_torch(make):
    raises_same(lambda T: make(T, [T.zeros(1, requires_grad=True)]))


def test_helper_functions_directly():
    for fn in ("ema", "swa"):
        out = []
        for T in LIBS:
            a = T.tensor(np.array([1.0, 2.0, 4.0], np.float32))
            b = T.tensor(np.array([3.0, -1.0, 0.5], np.float32))
            single = _fns(T, fn)["avg_fn"](a, b, T.tensor(2))
            multi = _fns(T, fn + "_multi")["multi_avg_fn"]
            lst = [a.clone()]
            multi(lst, [b], T.tensor(2))
            out.append((single, lst[0]))
        same(out[0], out[1], exact=True)


def test_strict_device_averages_like_the_cpu():
    """On the array-API-strict stand-in device (and with ``device=`` moving the copy there)
    the averages and BatchNorm statistics are the CPU's."""
    out = []
    for dev in ("cpu", "strict"):
        model = _model(reftorch)
        averaged = reftorch.optim.swa_utils.AveragedModel(model, device=dev)
        assert averaged.n_averaged.device.type == dev
        for snap in _snapshots(4):
            model.load_state_dict({k: reftorch.tensor(v) for k, v in snap.items()})
            averaged.update_parameters(model)
        reftorch.manual_seed(0)
        reftorch.optim.swa_utils.update_bn([reftorch.randn(6, 3) for _ in range(2)], averaged, device=dev)
        out.append({k: v.to("cpu") for k, v in averaged.state_dict().items()})
    for k in out[0]:
        np.testing.assert_allclose(out[1][k].numpy(), out[0][k].numpy(), rtol=1e-6, atol=1e-7)
