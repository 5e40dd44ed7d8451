"""torch.autograd.gradcheck / gradgradcheck against PyTorch: verdicts, error types and messages.

Each case builds the same function and inputs in both libraries (the custom Functions are
written once over the module ``T``) and compares what gradcheck returns or raises; the
failure messages print both Jacobians, so they also compare the numbers.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
import torch

import reftorch

LIBS = [torch, reftorch]


def _error_class(T):
    return sys.modules[T.__name__ + ".autograd.gradcheck"].GradcheckError


def _scaled_sin(T, factor=1.0, zero_grad_leak=0.0):
    """sin as a custom Function whose backward is off by ``factor`` (and adds
    ``zero_grad_leak`` regardless of the output gradient)."""
    class ScaledSin(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x.cos() * factor + zero_grad_leak

    return ScaledSin.apply


def _x(T, values=(0.5, 1.0, 2.0), dtype="float64"):
    return T.tensor(values, dtype=getattr(T, dtype), requires_grad=True)


def _outcome(T, call):
    """What gradcheck does: ``("ok", result)`` or ``("raise", type name, message)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(T)
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            kind = "GradcheckError" if isinstance(e, _error_class(T)) else type(e).__name__
            return ("raise", kind, str(e)), [str(w.message) for w in caught]
    return ("ok", result), [str(w.message) for w in caught]


def same(call):
    expected, got = _outcome(torch, call), _outcome(reftorch, call)
    assert got == expected
    return expected


CASES = {
    "sin": lambda T: T.autograd.gradcheck(T.sin, (_x(T),)),
    "tuple of inputs, one not requiring grad": lambda T: T.autograd.gradcheck(
        lambda a, b: a * b + a.exp(), (_x(T), T.tensor([1.0, -2.0, 3.0], dtype=T.float64))),
    "two outputs": lambda T: T.autograd.gradcheck(lambda a: (a.sin(), (a * a).sum()), (_x(T),)),
    "matrix input, reduction": lambda T: T.autograd.gradcheck(
        lambda m: (m @ m.t()).logsumexp(1), (T.arange(6, dtype=T.float64).reshape(2, 3).div(5).requires_grad_(),)),
    "wrong backward": lambda T: T.autograd.gradcheck(_scaled_sin(T, 1.01), (_x(T),)),
    "wrong backward, no raise": lambda T: T.autograd.gradcheck(_scaled_sin(T, 1.01), (_x(T),), raise_exception=False),
    "wrong backward, loose tolerance": lambda T: T.autograd.gradcheck(_scaled_sin(T, 1.01), (_x(T),), rtol=0.05),
    "backward not multiplied by grad_output": lambda T: T.autograd.gradcheck(
        _scaled_sin(T, 1.0, 1e-9), (_x(T),)),
    "fast mode": lambda T: T.autograd.gradcheck(T.tanh, (_x(T),), fast_mode=True),
    "fast mode, wrong backward": lambda T: T.autograd.gradcheck(_scaled_sin(T, 1.01), (_x(T),), fast_mode=True),
    "fast mode, two inputs two outputs": lambda T: T.autograd.gradcheck(
        lambda a, b: (a * b, (a - b).pow(2)), (_x(T), _x(T, (1.5, -0.5, 0.25))), fast_mode=True),
    "float32 input warns": lambda T: T.autograd.gradcheck(lambda a: a * 2, (_x(T, dtype="float32"),)),
    "no input requires grad": lambda T: T.autograd.gradcheck(T.sin, (T.ones(2, dtype=T.float64),)),
    "expanded input": lambda T: T.autograd.gradcheck(
        T.sin, (T.ones(1, dtype=T.float64).expand(3).requires_grad_(),)),
    "no differentiable output": lambda T: T.autograd.gradcheck(lambda a: a.detach() * 2, (_x(T),)),
    "non-differentiable but varying output": lambda T: T.autograd.gradcheck(
        lambda a: (a * 3).detach(), (_x(T),)),
    "gradgradcheck": lambda T: T.autograd.gradgradcheck(lambda a: a.pow(3).sum() * a, (_x(T),)),
    "gradgradcheck with grad_outputs": lambda T: T.autograd.gradgradcheck(
        lambda a, b: a * b.sin(), (_x(T), _x(T, (0.1, 0.2, 0.3))),
        (T.tensor([1.0, -1.0, 0.5], dtype=T.float64, requires_grad=True),)),
    "gradgradcheck of a once-differentiable Function": lambda T: T.autograd.gradgradcheck(
        _scaled_sin(T), (_x(T),), (T.ones(3, dtype=T.float64, requires_grad=True),)),
    "check_forward_ad and check_backward_ad both off": lambda T: T.autograd.gradcheck(
        T.sin, (_x(T),), check_backward_ad=False),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_as_pytorch(name):
    same(CASES[name])


@pytest.mark.torch
def test_cases_cover_both_verdicts():
    # The comparison above would pass if both libraries always raised: make sure the cases
    # include passes, False returns and each of PyTorch's failure messages.
    outcomes = {name: _outcome(torch, call)[0] for name, call in CASES.items()}
    assert outcomes["sin"] == ("ok", True)
    assert outcomes["wrong backward, no raise"] == ("ok", False)
    assert outcomes["wrong backward"][1] == "GradcheckError"
    assert outcomes["wrong backward"][2].startswith("Jacobian mismatch for output 0 with respect to input 0,")
    assert "backward not multiplied by grad_output" in outcomes["backward not multiplied by grad_output"][2]
    assert "slow mode" in outcomes["fast mode, wrong backward"][2]


@pytest.mark.torch
def test_gradgradcheck_draws_grad_outputs_from_the_global_generator():
    def run(T):
        T.manual_seed(3)
        T.autograd.gradgradcheck(lambda a: a.sin(), (_x(T),))
        return T.rand(2)  # where the stream stands afterwards

    assert np.array_equal(run(torch).numpy(), run(reftorch).numpy())


def test_reftorch_refuses_what_it_does_not_have():
    x = _x(reftorch)
    with pytest.raises(NotImplementedError):
        reftorch.autograd.gradcheck(reftorch.sin, (x,), check_forward_ad=True)
    with pytest.raises(NotImplementedError):
        reftorch.autograd.gradcheck(reftorch.sin, (x,), check_batched_grad=True)


def test_gradcheck_is_the_function_and_the_error_a_runtime_error():
    from reftorch.autograd.gradcheck import GradcheckError
    assert callable(reftorch.autograd.gradcheck) and issubclass(GradcheckError, RuntimeError)


@pytest.mark.torch
def test_writes_through_data_are_invisible_to_autograd():
    # PyTorch's .data has a version counter of its own (gradcheck perturbs inputs through
    # it); detach() shares the counter, so the same write is caught.
    def run(T, through):
        x = T.ones(3, requires_grad=True)
        y = x.sin()
        through(x).add_(1)
        try:
            y.sum().backward()
        except RuntimeError as e:
            return type(e).__name__, x._version
        return [round(v, 5) for v in x.grad.tolist()], x._version

    for through in (lambda x: x.data, lambda x: x.data[1:], lambda x: x.detach()):
        assert run(reftorch, through) == run(torch, through)
    assert run(torch, lambda x: x.data)[0] == [round(np.cos(2.0), 5)] * 3  # cos of the updated values
    assert run(torch, lambda x: x.detach())[0] == "RuntimeError"
