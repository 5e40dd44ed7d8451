"""Global module hooks (``torch.nn.modules.module.register_module_*``) against PyTorch:
the order of the global hooks relative to a module's own, their results, ``with_kwargs`` and
``always_call``, the backward hooks, the registration hooks, and removal by handle."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch

LIBS = (torch, reftorch)


def _mm(T):
    return T.nn.modules.module


@pytest.fixture(autouse=True)
def _clean_global_state():
    yield
    for T in LIBS:  # (a failed test leaves its hooks; the full/legacy kind outlives them, in PyTorch too)
        mm = _mm(T)
        for name in dir(mm):
            if name.startswith("_global_") and isinstance(getattr(mm, name), dict):
                getattr(mm, name).clear()
        mm._global_is_full_backward_hook = None


def same_on_both(scenario):
    """Run ``scenario(T, log)`` on both libraries; the logs must be equal."""
    logs = []
    for T in LIBS:
        log = []
        T.manual_seed(0)
        scenario(T, log)
        logs.append(log)
    assert logs[1] == logs[0]
    return logs[0]


def test_exported_as_in_pytorch():
    assert _mm(reftorch).__all__ == _mm(torch).__all__


def test_forward_hooks_run_before_the_modules_own_and_are_removed_by_handle():
    def scenario(T, log):
        net = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU())
        lin = net[0]
        lin.register_forward_pre_hook(lambda m, a: log.append(("own pre", type(m).__name__)), prepend=True)
        lin.register_forward_hook(lambda m, a, o: log.append(("own post", type(m).__name__)), prepend=True)
        h1 = _mm(T).register_module_forward_pre_hook(lambda m, a: log.append(("pre", type(m).__name__, len(a))))
        h2 = _mm(T).register_module_forward_hook(lambda m, a, o: log.append(("post", type(m).__name__, tuple(o.shape))))
        net(T.zeros(3, 2))
        h1.remove()
        h2.remove()
        assert not _mm(T)._global_forward_hooks and not _mm(T)._global_forward_pre_hooks
        net(T.zeros(3, 2))
        log.append("removed")
    log = same_on_both(scenario)
    assert log[:3] == [("pre", "Sequential", 1), ("pre", "Linear", 1), ("own pre", "Linear")]


def test_results_replace_arguments_and_outputs():
    def scenario(T, log):
        lin = T.nn.Linear(2, 1)
        with _mm(T).register_module_forward_pre_hook(lambda m, a: a[0] * 0), \
                _mm(T).register_module_forward_hook(lambda m, a, o: o + 100):
            lin.register_forward_hook(lambda m, a, o: log.append(o.tolist()))
            out = lin(T.ones(1, 2))
        log.append(out.tolist())
        log.append(lin(T.ones(1, 2)).tolist())
    same_on_both(scenario)


def test_forward_hook_with_kwargs():
    def scenario(T, log):
        class Scale(T.nn.Module):
            def forward(self, x, *, factor=1.0):
                return x * factor

        def hook(m, args, kwargs, out):
            log.append((len(args), sorted(kwargs), out.tolist()))
            return out + kwargs["factor"]
        with _mm(T).register_module_forward_hook(hook, with_kwargs=True):
            log.append(Scale()(T.tensor([1.0, 2.0]), factor=3.0).tolist())
    same_on_both(scenario)


def test_always_call_runs_when_forward_raises():
    def scenario(T, log):
        class Boom(T.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        def plain(m, args, out):
            log.append(("plain", out.tolist()))

        def always(m, *rest):  # with_kwargs, yet called without kwargs on the error path
            log.append(("always", len(rest)))

        def failing(m, args, out):
            raise KeyError("inner")
        handles = [_mm(T).register_module_forward_hook(plain),
                   _mm(T).register_module_forward_hook(always, with_kwargs=True, always_call=True),
                   _mm(T).register_module_forward_hook(failing, always_call=True)]
        Boom().register_forward_hook(lambda m, a, o: log.append("own"), always_call=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="boom"):
                Boom()(T.zeros(1))
        log.append([str(w.message) for w in caught])
        handles.pop().remove()
        log.append(T.nn.Identity()(T.tensor([1.0])).tolist())
        for h in handles:
            h.remove()
        assert not _mm(T)._global_forward_hooks_always_called
    log = same_on_both(scenario)
    assert log[0] == ("always", 2)


def test_full_backward_hooks_run_before_the_modules_own():
    def scenario(T, log):
        lin = T.nn.Linear(3, 2)
        lin.register_full_backward_pre_hook(lambda m, go: log.append("own pre"))
        lin.register_full_backward_hook(lambda m, gi, go: log.append("own"))

        def pre(m, grad_output):
            log.append(("pre", type(m).__name__))
            return (grad_output[0] * 2,)

        def full(m, grad_input, grad_output):
            log.append(("full", [None if g is None else tuple(g.shape) for g in grad_input]))
        h1 = _mm(T).register_module_full_backward_pre_hook(pre)
        h2 = _mm(T).register_module_full_backward_hook(full)
        x = T.ones(4, 3, requires_grad=True)
        out = lin(x)
        log.append(out.grad_fn.name())
        out.sum().backward()
        log.append(x.grad.tolist())
        h1.remove()
        h2.remove()
        x.grad = None
        lin(x).sum().backward()
        log.append(x.grad.tolist())
    same_on_both(scenario)


def test_full_and_legacy_global_backward_hooks_exclude_each_other():
    for T in LIBS:
        _mm(T).register_module_full_backward_hook(lambda *a: None).remove()
        with pytest.raises(RuntimeError, match="global Module hook"):
            _mm(T).register_module_backward_hook(lambda *a: None)
        _mm(T)._global_is_full_backward_hook = None
        _mm(T).register_module_backward_hook(lambda *a: None).remove()
        with pytest.raises(RuntimeError, match="global Module hook"):
            _mm(T).register_module_full_backward_hook(lambda *a: None)


@pytest.mark.filterwarnings("ignore:Using a non-full backward hook:FutureWarning")
def test_legacy_global_backward_hook():
    def scenario(T, log):
        relu = T.nn.ReLU()
        with _mm(T).register_module_backward_hook(lambda m, gi, go: log.append((len(gi), go[0].tolist()))):
            relu(T.tensor([1.0, -1.0], requires_grad=True)).sum().backward()
    same_on_both(scenario)


def test_registration_hooks():
    def scenario(T, log):
        def on_param(m, name, p):
            log.append(("param", type(m).__name__, name, tuple(p.shape)))

        def on_buffer(m, name, b):
            log.append(("buffer", type(m).__name__, name, None if b is None else b.tolist()))
            return None if b is None else b + 1

        def on_module(m, name, sub):
            log.append(("module", type(m).__name__, name, type(sub).__name__))
        handles = [_mm(T).register_module_parameter_registration_hook(on_param),
                   _mm(T).register_module_buffer_registration_hook(on_buffer),
                   _mm(T).register_module_module_registration_hook(on_module)]
        net = T.nn.Sequential(T.nn.Linear(2, 1))
        net.register_buffer("b", T.tensor([1.0]))
        log.append(net.b.tolist())
        net.b = T.tensor([5.0])
        net.register_buffer("none", None)
        net.p = T.nn.Parameter(T.ones(3))
        net.register_parameter("q", None)  # (no hook for a None parameter)
        net.extra = T.nn.ReLU()
        net.extra = None
        net.add_module("other", None)
        for h in handles:
            h.remove()
        net.register_buffer("c", T.tensor([1.0]))
        log.append((net.b.tolist(), net.c.tolist()))
    same_on_both(scenario)


def test_registration_hook_result_replaces_the_value():
    def scenario(T, log):
        with _mm(T).register_module_parameter_registration_hook(
                lambda m, name, p: T.nn.Parameter(p.detach() * 0)), \
                _mm(T).register_module_module_registration_hook(
                    lambda m, name, sub: T.nn.Identity() if isinstance(sub, T.nn.ReLU) else None):
            net = T.nn.Sequential(T.nn.Linear(2, 1), T.nn.ReLU())
        log.append(str(net))
        log.append(net[0].weight.tolist())
    same_on_both(scenario)


def test_no_global_hook_left_means_the_plain_call():
    lin = reftorch.nn.Linear(2, 2)
    with _mm(reftorch).register_module_forward_hook(lambda *a: None, always_call=True):
        assert _mm(reftorch)._global_call_hook_ids
    assert not _mm(reftorch)._global_call_hook_ids
    out = lin(reftorch.tensor(np.ones((1, 2), np.float32)))
    assert out.grad_fn.name() == "AddmmBackward0"
