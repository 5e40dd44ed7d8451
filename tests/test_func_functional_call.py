"""torch.func.functional_call and torch.nn.utils.stateless.functional_call, against PyTorch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch


def _outcome(T, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(T)
        except Exception as e:  # the error is part of the behaviour compared
            out = ("raised", type(e).__name__, str(e))
    return out, [(w.category.__name__, str(w.message)) for w in caught]


def _same(fn):
    expected = _outcome(torch, fn)
    assert _outcome(reftorch, fn) == expected
    return expected


def _vals(t):
    return np.round(t.detach().numpy().astype(np.float64), 5).tolist()


def _net(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3), T.nn.Linear(3, 1))


def test_call_with_other_tensors_and_gradients():
    def fn(T):
        net = _net(T)
        params = {k: v.detach().clone().requires_grad_() for k, v in net.named_parameters()}
        before = {k: _vals(v) for k, v in net.state_dict().items()}
        x = T.arange(8.0).reshape(4, 2)
        out = T.func.functional_call(net, params, (x,))
        out.sum().backward()
        after = {k: _vals(v) for k, v in net.state_dict().items()}
        return (_vals(out), out.grad_fn.name(), {k: _vals(v.grad) for k, v in params.items()},
                [p.grad for p in net.parameters()], before == after)
    _same(fn)


def test_buffers_given_are_updated_in_place():
    def fn(T):
        net = _net(T)
        buffers = {"1.running_mean": T.zeros(3), "1.running_var": T.ones(3), "1.num_batches_tracked": T.tensor(0)}
        T.func.functional_call(net, buffers, T.ones(4, 2))  # (a single argument: not a tuple)
        return {k: _vals(v) for k, v in buffers.items()}, _vals(net[1].running_mean)
    _same(fn)


def test_kwargs_sequence_of_dicts_and_partial_dicts():
    def fn(T):
        lin = T.nn.Linear(2, 2)
        out = T.func.functional_call(lin, ({"weight": T.eye(2)}, {"bias": T.ones(2)}), kwargs={"input": T.ones(1, 2)})
        partial = T.func.functional_call(lin, {"bias": T.zeros(2)}, (T.zeros(1, 2),))
        return _vals(out), _vals(partial)
    _same(fn)


@pytest.mark.parametrize("dicts", ["repeated", "not dicts", "int"])
def test_bad_dict_arguments(dicts):
    def fn(T):
        lin = T.nn.Linear(2, 2)
        arg = {"repeated": ({"bias": T.ones(2)}, {"bias": T.ones(2)}), "not dicts": [{"bias": T.ones(2)}, 3],
               "int": 3}[dicts]
        return T.func.functional_call(lin, arg, (T.ones(1, 2),))
    assert _same(fn)[0][:2] == ("raised", "ValueError")


def _tied(T):
    class Tied(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = T.nn.Linear(2, 2, bias=False)
            self.b = T.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))
    return Tied()


@pytest.mark.parametrize("tie_weights", [True, False])
def test_tied_weights(tie_weights):
    def fn(T):
        net = _tied(T)
        out = T.func.functional_call(net, {"a.weight": 2 * T.eye(2)}, (T.ones(1, 2),), tie_weights=tie_weights)
        return _vals(out) if tie_weights else out.shape
    _same(fn)


def test_tied_weights_given_twice():
    def fn(T):
        net = _tied(T)
        return T.func.functional_call(net, {"a.weight": T.eye(2), "b.weight": 2 * T.eye(2)}, (T.ones(1, 2),))
    assert _same(fn)[0][:2] == ("raised", "ValueError")
    _same(lambda T: _vals(T.func.functional_call(_tied(T), {"a.weight": T.eye(2), "b.weight": T.eye(2)},
                                                 (T.ones(1, 2),), tie_weights=False)))


@pytest.mark.parametrize("names", [["weight"], ["weight", "bias", "extra"], ["weight", "bias"]])
def test_strict(names):
    def fn(T):
        lin = T.nn.Linear(2, 2)
        tensors = {"weight": T.eye(2), "bias": T.zeros(2), "extra": T.zeros(1)}
        return _vals(T.func.functional_call(lin, {n: tensors[n] for n in names}, (T.ones(1, 2),), strict=True))
    _same(fn)


def test_module_restored_after_an_error_and_missing_paths():
    def fn(T):
        lin = T.nn.Linear(2, 2)
        weight = lin.weight
        try:
            T.func.functional_call(lin, {"weight": T.ones(3, 3)}, (T.ones(1, 2),))
        except RuntimeError:
            pass
        return lin.weight is weight, "weight" in lin._parameters
    _same(fn)
    assert _same(lambda T: T.func.functional_call(T.nn.Linear(2, 2), {"sub.weight": T.ones(1)}, (T.ones(1, 2),))
                 )[0][:2] == ("raised", "AttributeError")


def test_new_attribute_added_then_removed():
    def fn(T):
        lin = T.nn.Linear(2, 2)
        T.func.functional_call(lin, {"extra": T.ones(1)}, (T.ones(1, 2),))
        return hasattr(lin, "extra")
    _same(fn)


def test_stateless_functional_call_is_deprecated():
    def fn(T):
        lin = T.nn.Linear(2, 1)
        return _vals(T.nn.utils.stateless.functional_call(lin, {"weight": T.ones(1, 2), "bias": T.zeros(1)},
                                                          T.ones(1, 2)))
    out, warned = _same(fn)
    assert warned and warned[0][0] == "FutureWarning"
