"""Module.set_submodule, to_empty and share_memory, against PyTorch."""
from __future__ import annotations

import pytest
import torch

import reftorch


def _outcome(T, fn):
    try:
        return fn(T)
    except Exception as e:  # the error is part of the behaviour compared
        return ("raised", type(e).__name__, str(e))


def _same(fn):
    expected = _outcome(torch, fn)
    assert _outcome(reftorch, fn) == expected
    return expected


def _net(T):
    return T.nn.Sequential(T.nn.Linear(1, 1), T.nn.Sequential(T.nn.ReLU()))


@pytest.mark.parametrize("target, strict", [
    ("0", False), ("1.0", False), ("new", False), ("1.new", False), ("0.inner", False),
    ("", False), ("new", True), ("0.weight", False), ("0.a.b", False), ("2", True), ("1.0", True),
])
def test_set_submodule_like_torch(target, strict):
    def fn(T):
        net = _net(T)
        net.set_submodule(target, T.nn.Tanh(), strict=strict)
        return repr(net), [name for name, _ in net.named_modules()]
    _same(fn)


def test_set_submodule_refuses_non_modules():
    assert _same(lambda T: _net(T).set_submodule("0", 3))[:2] == ("raised", "ValueError")


def test_to_empty_keeps_parameters_shapes_and_grads():
    def fn(T):
        net = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3))
        weight = net[0].weight
        net(T.ones(4, 2)).sum().backward()
        out = net.to_empty(device="cpu")
        return (out is net, net[0].weight is weight, [(n, tuple(t.shape), str(t.dtype), t.requires_grad)
                                                      for n, t in net.state_dict(keep_vars=True).items()],
                net[0].weight.grad.shape, net[1].num_batches_tracked.dtype == T.int64)
    _same(fn)


def test_to_empty_recurse_false_and_keyword_only():
    def fn(T):
        net = T.nn.Sequential(T.nn.Linear(2, 3))
        net.register_buffer("b", T.ones(2))
        inner = net[0].weight
        net.to_empty(device=None, recurse=False)
        return net[0].weight is inner, net.b.shape
    _same(fn)
    assert _same(lambda T: T.nn.Linear(1, 1).to_empty("cpu"))[:2] == ("raised", "TypeError")


def test_to_empty_gives_new_memory():
    lin = reftorch.nn.Linear(2, 2)
    before = lin.weight.detach().clone()
    with reftorch.no_grad():
        view = lin.weight.detach()
        lin.to_empty(device="cpu")
        lin.weight.fill_(7.0)
    assert view.tolist() == before.tolist()  # the old memory is left alone


def test_share_memory_returns_self_and_refuses_lazy():
    _same(lambda T: (lambda m: m.share_memory() is m)(T.nn.Linear(2, 2)))
    assert _same(lambda T: T.nn.LazyLinear(2).share_memory())[:2] == ("raised", "RuntimeError")
    # (the message names the op: PyTorch's built-in's repr, reftorch "a tensor operation")
    r, t = (_outcome(T, lambda T: T.nn.LazyLinear(2).to_empty(device="cpu")) for T in (reftorch, torch))
    assert r[:2] == t[:2] == ("raised", "ValueError")
