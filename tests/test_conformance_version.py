"""Conformance: the version counter (``Tensor._version``, an int shared by views) and
inference tensors (``inference_mode``, ``is_inference``), compared with torch."""
from __future__ import annotations

import pytest

import reftorch
from tests._compare import torch


def observe(fn):
    """Call ``fn()``; its value, or the exception's type name and full message."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
        return ("err", type(e).__name__, str(e))


def on_both(scenario):
    """Run ``scenario(T, log)`` on torch and reftorch; each logs observations, which must match."""
    logs = {}
    for T in (torch, reftorch):
        log = []
        scenario(T, log)
        logs[T] = log
    assert logs[reftorch] == logs[torch]
    return logs[torch]


def test_version_is_an_int_shared_by_views():
    def scenario(T, log):
        t = T.ones(4)
        log.append((type(t._version).__name__, t._version))
        t.add_(1)
        v = t[1:3]
        d = t.detach()
        log.append((t._version, v._version, d._version))
        v.mul_(2)
        d.zero_()
        t[0] = 5
        log.append((t._version, v._version, d._version))
        log.append(T.ones(2).add(1)._version)  # an out-of-place result starts at 0
    got = on_both(scenario)
    assert got[0] == ("int", 0) and got[1] == (1, 1, 1) and got[2] == (4, 4, 4)


def test_version_is_read_only():
    def scenario(T, log):
        t = T.ones(2)
        r = observe(lambda: setattr(t, "_version", 3))
        log.append(r[:2])  # the message words the attribute's owner differently
        log.append(t._version)
    assert on_both(scenario) == [("err", "AttributeError"), 0]


def test_parameter_and_optimizer_step_move_the_version():
    def scenario(T, log):
        data = T.ones(2)
        p = T.nn.Parameter(data)
        log.append(p._version)
        p.grad = T.ones(2)
        T.optim.SGD([p], lr=0.1).step()
        log.append((p._version, data._version))
    on_both(scenario)


def test_inference_mode_makes_inference_tensors():
    def scenario(T, log):
        normal = T.ones(2)
        log.append((T.is_inference_mode_enabled(), normal.is_inference()))
        with T.inference_mode():
            log.append(T.is_inference_mode_enabled())
            a = T.ones(2)
            a.add_(1)  # allowed inside inference mode
            log.append((a.is_inference(), a.requires_grad, a[0].is_inference()))
            log.append((normal[0].is_inference(), (normal * 2).is_inference()))
            with T.inference_mode(False):
                log.append((T.is_inference_mode_enabled(), T.ones(1).is_inference()))
        log.append(T.is_inference_mode_enabled())
        log.append((a.detach().is_inference(), a[:1].is_inference(), a.clone().is_inference(),
                    (a * 2).is_inference()))
    on_both(scenario)


def test_inference_tensor_errors_outside_inference_mode():
    def scenario(T, log):
        with T.inference_mode():
            a = T.ones(3)
        log.append(observe(lambda: a._version))
        log.append(observe(lambda: a.add_(1)))
        log.append(observe(lambda: a.copy_(T.full((3,), 7.0))))
        log.append(observe(lambda: a[1:].mul_(2)))  # a view of an inference tensor
        log.append(observe(lambda: a.__setitem__(0, 4.0)))
        with T.no_grad():
            log.append(observe(lambda: a.zero_()))
        log.append(observe(lambda: a.requires_grad_()))
        log.append(a.tolist())  # PyTorch writes first, then refuses to move the version
        c = a.clone()  # a normal tensor (torch's clone of an inference tensor starts at version 1)
        v0 = c._version
        c.add_(1)
        log.append((c.is_inference(), c._version - v0, c.tolist()))
    got = on_both(scenario)
    assert got[0] == ("err", "RuntimeError", "Inference tensors do not track version counter.")
    assert got[1][:2] == ("err", "RuntimeError") and got[1][2].startswith("Inplace update to inference tensor")


def test_inference_tensor_cannot_be_saved_for_backward():
    def scenario(T, log):
        with T.inference_mode():
            a = T.ones(2)
        x = T.ones(2, requires_grad=True)
        log.append(observe(lambda: (x * a).sum().item()))  # mul saves its other operand
        log.append(observe(lambda: (x + a).is_inference()))  # add saves nothing: allowed
        with T.no_grad():
            log.append(observe(lambda: (x * a).is_inference()))  # not recorded: allowed
    got = on_both(scenario)
    assert got[0][:2] == ("err", "RuntimeError") and "cannot be saved for backward" in got[0][2]


@pytest.mark.parametrize("as_decorator", [False, True])
def test_inference_mode_restores_modes(as_decorator):
    def scenario(T, log):
        def body():
            return (T.is_grad_enabled(), T.is_inference_mode_enabled(), T.ones(1).is_inference())
        if as_decorator:
            log.append(T.inference_mode()(body)())
        else:
            with T.inference_mode():
                log.append(body())
        log.append((T.is_grad_enabled(), T.is_inference_mode_enabled()))
    on_both(scenario)


def test_inference_mode_is_per_thread():
    """A thread inside inference mode makes no other thread's tensors inference tensors,
    and every thread's flag comes back when it leaves (the flag is thread-local)."""
    import threading

    def scenario(T, log):
        inside, release = threading.Event(), threading.Event()
        seen = []

        def worker():
            with T.inference_mode():
                seen.append(T.ones(1).is_inference())
                inside.set()
                release.wait(10)
            seen.append(T.ones(1).is_inference())

        th = threading.Thread(target=worker)
        th.start()
        inside.wait(10)
        log.append((T.is_inference_mode_enabled(), T.ones(1).is_inference(), (T.ones(1) * 2).is_inference()))
        with T.inference_mode():  # two threads inside at once
            log.append(T.ones(1).is_inference())
        log.append(T.ones(1).is_inference())
        release.set()
        th.join(10)
        log.append(tuple(seen))
        log.append((T.is_inference_mode_enabled(), T.ones(1).is_inference()))
    got = on_both(scenario)
    assert got == [(False, False, False), True, False, (True, False), (False, False)]
