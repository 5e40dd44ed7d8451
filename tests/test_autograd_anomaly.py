"""Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly) against PyTorch.

Each scenario runs the same function on both libraries and compares what it returns,
raises and warns; the forward stacks in the warnings name this file's lines, which are
the same for both libraries because the same code makes the graph.
"""
from __future__ import annotations

import os
import re
import warnings

import pytest
import torch

import reftorch

LIBS = [torch, reftorch]


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    for T in LIBS:
        T.set_anomaly_enabled(False, True)


def _run(T, scenario):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = scenario(T)
        except RuntimeError as e:
            result = ("RuntimeError", str(e))
    messages = [_OWN_FRAMES.sub("", str(w.message).split(" (Triggered internally at")[0]) for w in caught]
    return result, messages


#: A forward stack's frames inside PyTorch's Python code (``Function.apply``), dropped before
#: comparing: reftorch leaves its own frames out (PyTorch's C++ frames never appear).
_OWN_FRAMES = re.compile(r'  File "' + re.escape(os.path.dirname(torch.__file__)) + r'[^\n]*\n(    [^\n]*\n)?')


def _divide_by_itself(T):
    x = T.tensor([0.0, 1.0], requires_grad=True)
    with T.autograd.detect_anomaly():
        y = (x / x).sum()
        y.backward()
    return x.grad.tolist()


def _no_nan_check(T):
    x = T.tensor([0.0, 1.0], requires_grad=True)
    with T.autograd.detect_anomaly(check_nan=False):
        (x / x).sum().backward()
    return [str(v) for v in x.grad.tolist()]


def _inplace_after_sigmoid(T):
    x = T.ones(3, requires_grad=True)
    with T.autograd.set_detect_anomaly(True, check_nan=False):
        w = x.sigmoid()
        w.mul_(2)
        w.sum().backward()


def _detection_only_during_backward(T):
    x = T.ones(3, requires_grad=True)
    w = x.sigmoid()
    w.mul_(2)
    with T.autograd.set_detect_anomaly(True):
        w.sum().backward()


def _custom_function_returning_nan(T):
    class Bad(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = T.ones(2, requires_grad=True)
    with T.autograd.set_detect_anomaly(True):
        Bad.apply(x).sum().backward()


def _clean_backward(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    with T.autograd.detect_anomaly():
        (x * x).sum().backward()
    return x.grad.tolist()


def _state_switches(T):
    seen = [(T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled())]
    with T.autograd.set_detect_anomaly(True, check_nan=False):
        seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
        with T.autograd.detect_anomaly():
            seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
        seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
    seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
    T.autograd.set_detect_anomaly(True)  # effective without a with block
    seen.append(T.is_anomaly_enabled())
    T.set_anomaly_enabled(False)
    seen.append(T.is_anomaly_enabled())
    return seen


SCENARIOS = [_divide_by_itself, _no_nan_check, _inplace_after_sigmoid, _detection_only_during_backward,
             _custom_function_returning_nan, _clean_backward, _state_switches]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.strip("_"))
def test_anomaly_mode_as_pytorch(scenario):
    assert _run(reftorch, scenario) == _run(torch, scenario)


@pytest.mark.torch
def test_scenarios_show_the_reports():
    # the comparison above is only as good as what the scenarios provoke: check PyTorch's side
    result, messages = _run(torch, _divide_by_itself)
    assert result == ("RuntimeError", "Function 'DivBackward0' returned nan values in its 1th output.")
    assert messages[0].startswith("Anomaly Detection has been enabled.")
    assert messages[1].startswith("Error detected in DivBackward0. Traceback of forward call that caused the error:")
    assert "test_autograd_anomaly.py" in messages[1] and "y = (x / x).sum()" in messages[1]
    result, messages = _run(torch, _detection_only_during_backward)
    assert "No forward pass information available" in messages[0]
    assert result[1].endswith("Good luck!")
    assert _run(torch, _no_nan_check)[0] == ["nan", "0.0"]  # d(x/x)/dx: 0/0 at 0, 1/x - x/x**2 = 0 at 1


def test_anomaly_detection_is_off_by_default_and_records_nothing():
    assert not reftorch.is_anomaly_enabled() and reftorch.is_anomaly_check_nan_enabled()
    x = reftorch.ones(2, requires_grad=True)
    assert getattr((x * 2).grad_fn, "_trace", None) is None
