"""nn.Module forward hooks: ``prepend``, ``with_kwargs``, ``always_call``, removal, against PyTorch.

Each scenario runs on torch and reftorch (``T``) and returns a log of what the hooks saw;
the logs must be equal.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch


def _log(T, scenario):
    log = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scenario(T, log)
        except Exception as e:  # the error is part of the behaviour compared
            log.append(("raised", type(e).__name__, str(e)))
    log.extend(("warned", w.category.__name__, str(w.message)) for w in caught)
    return log


def _same(scenario):
    expected = _log(torch, scenario)
    assert _log(reftorch, scenario) == expected
    return expected


def _order(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda m, a: log.append("pre1"))
    lin.register_forward_pre_hook(lambda m, a: log.append("pre0"), prepend=True)
    lin.register_forward_hook(lambda m, a, o: log.append("post1"))
    h = lin.register_forward_hook(lambda m, a, o: log.append("post0"), prepend=True)
    lin(T.zeros(1, 2))
    h.remove()
    lin(T.zeros(1, 2))


def _kwargs(T, log):
    lin = T.nn.Linear(2, 3)

    def pre(m, args, kwargs):
        log.append(("pre", len(args), sorted(kwargs)))
        return (), {"input": kwargs["input"] * 0}

    def post(m, args, kwargs, out):
        log.append(("post", len(args), sorted(kwargs), out.shape == (1, 3)))
        return out.sum()

    lin.register_forward_pre_hook(pre, with_kwargs=True)
    lin.register_forward_hook(post, with_kwargs=True)
    out = lin(input=T.ones(1, 2))
    log.append(round(out.item() - lin.bias.sum().item(), 5))


def _replace_args(T, log):
    relu = T.nn.ReLU()
    relu.register_forward_pre_hook(lambda m, args: -args[0])  # not a tuple: wrapped in one
    relu.register_forward_hook(lambda m, args, out: log.append(args[0].tolist()))
    log.append(relu(T.tensor([1.0, -2.0])).tolist())


def _bad_pre_kwargs(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda m, a, k: (a,), with_kwargs=True)
    lin(T.zeros(1, 2))


def _always_call(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_forward_hook(lambda m, a, o: log.append(("always", o)), always_call=True)
    lin.register_forward_hook(lambda m, a, o: log.append("normal"))

    def broken(m, a, o):
        raise ValueError("in hook")

    lin.register_forward_hook(broken, always_call=True)
    lin(T.zeros(1, 3))  # the shape error in forward: the always_call hooks still run


def _always_call_after_run(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_forward_hook(lambda m, a, o: log.append("always"), always_call=True)

    def broken(m, a, o):
        raise KeyError("later hook")

    lin.register_forward_hook(broken)
    lin(T.zeros(1, 2))  # the first hook ran already: not again


def _handle_extra_dicts(T, log):
    lin = T.nn.Linear(2, 2)
    h = lin.register_forward_hook(lambda m, a, k, o: None, with_kwargs=True, always_call=True)
    g = lin.register_forward_pre_hook(lambda m, a, k: None, with_kwargs=True)
    log.append((len(lin._forward_hooks_with_kwargs), len(lin._forward_hooks_always_called),
                len(lin._forward_pre_hooks_with_kwargs)))
    h.remove()
    g.remove()
    log.append((len(lin._forward_hooks), len(lin._forward_hooks_with_kwargs), len(lin._forward_hooks_always_called),
                len(lin._forward_pre_hooks_with_kwargs)))


def _lazy_keyword_input(T, log):
    T.manual_seed(0)
    lazy = T.nn.LazyLinear(2)
    out = lazy(input=T.ones(3, 4))
    log.append((tuple(out.shape), repr(lazy), len(lazy._forward_pre_hooks)))


@pytest.mark.parametrize("scenario", [_order, _kwargs, _replace_args, _handle_extra_dicts, _lazy_keyword_input])
def test_forward_hooks_like_torch(scenario):
    assert _same(scenario)


def test_with_kwargs_pre_hook_must_return_a_pair():
    log = _same(_bad_pre_kwargs)
    assert log[0][:2] == ("raised", "RuntimeError")


def test_always_call_hooks_run_when_forward_raises():
    log = _same(_always_call)
    assert log[0] == ("always", None)
    assert log[1][:2] == ("raised", "RuntimeError") and log[2][:2] == ("warned", "UserWarning")


def test_always_call_hook_runs_once():
    assert _same(_always_call_after_run) == ["always", ("raised", "KeyError", "'later hook'")]


def test_lazy_module_initialised_from_keyword_input():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    reftorch.manual_seed(0)
    torch.manual_seed(0)
    r = reftorch.nn.LazyLinear(2)(input=reftorch.tensor(x))
    t = torch.nn.LazyLinear(2)(input=torch.tensor(x))
    np.testing.assert_allclose(r.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)
