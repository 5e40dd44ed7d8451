"""state_dict / load_state_dict hooks and extra state, against PyTorch.

Each scenario runs on torch and reftorch (``T``) and returns a log (keys, hook calls,
errors, warnings); the logs must be equal.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import reftorch


def _log(T, scenario):
    log = []
    T.manual_seed(0)
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


def _model(T):
    return T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3))


def _state_dict_hooks(T, log):
    m = _model(T)
    m[0].register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))
    m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(("pre outer", prefix)))

    def post(mod, sd, prefix, meta):
        log.append(("post", prefix, sorted(sd), meta))
        sd[prefix + "added"] = T.zeros(1)

    m[0].register_state_dict_post_hook(post)
    sd = m.state_dict(keep_vars=True)
    log.append(list(sd))
    log.append(list(m.state_dict(prefix="model.")))


def _post_hook_must_return_none(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_state_dict_post_hook(lambda mod, sd, prefix, meta: {})
    lin.state_dict()


def _private_hook_may_replace(T, log):
    lin = T.nn.Linear(2, 2)
    lin._register_state_dict_hook(lambda mod, sd, prefix, meta: {"only": 1})
    log.append(lin.state_dict())


def _same_function_public_then_private(T, log):
    lin = T.nn.Linear(2, 2)

    def hook(mod, sd, prefix, meta):
        return None

    lin.register_state_dict_post_hook(hook)
    lin._register_state_dict_hook(hook)


def _load_hooks(T, log):
    m = _model(T)
    sd = m.state_dict()
    sd["0.w"] = sd.pop("0.weight")

    def pre(mod, state_dict, prefix, meta, strict, missing, unexpected, errors):
        log.append(("pre", type(mod).__name__, prefix, sorted(state_dict), meta, strict))
        if prefix + "w" in state_dict:
            state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")

    def post(mod, keys):
        log.append(("post", type(mod).__name__, list(keys.missing_keys), list(keys.unexpected_keys)))

    m[0].register_load_state_dict_pre_hook(pre)
    m[0].register_load_state_dict_post_hook(post)
    m.register_load_state_dict_post_hook(post)
    log.append(repr(m.load_state_dict(sd)))


def _post_hook_clears_keys(T, log):
    lin = T.nn.Linear(2, 2)

    def forgive(mod, keys):
        log.append(list(keys.missing_keys))
        keys.missing_keys.clear()

    lin.register_load_state_dict_post_hook(forgive)
    log.append(repr(lin.load_state_dict({"weight": T.ones(2, 2)})))


def _load_post_hook_must_return_none(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_load_state_dict_post_hook(lambda mod, keys: keys)
    lin.load_state_dict(lin.state_dict())


def _make_counter(T):
    class Counter(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = T.nn.Linear(1, 1)
            self.calls = 0

        def get_extra_state(self):
            return {"calls": self.calls}

        def set_extra_state(self, state):
            self.calls = state["calls"]

    return Counter()


def _extra_state(T, log):
    c = _make_counter(T)
    c.calls = 5
    outer = T.nn.Sequential(c)
    sd = outer.state_dict()
    log.append((list(sd), sd["0._extra_state"]))
    fresh = T.nn.Sequential(_make_counter(T))
    log.append(repr(fresh.load_state_dict(sd)))
    log.append(fresh[0].calls)
    del sd["0._extra_state"]
    log.append(repr(fresh.load_state_dict(sd, strict=False)))
    fresh.load_state_dict(sd)


def _extra_state_unexpected(T, log):
    lin = T.nn.Linear(1, 1)
    sd = lin.state_dict()
    sd["_extra_state"] = 1
    log.append(repr(lin.load_state_dict(sd, strict=False)))
    lin.load_state_dict(sd)


def _base_extra_state_methods(T, log):
    try:
        T.nn.Linear(1, 1).get_extra_state()
    except RuntimeError as e:
        log.append(str(e))
    T.nn.Linear(1, 1).set_extra_state(None)


def _unexpected_keys(T, log):
    m = T.nn.Sequential(T.nn.Linear(1, 1))
    sd = m.state_dict()
    sd["0"] = T.zeros(1)  # names a submodule, without a dot: unexpected
    sd["0.weight.x"] = T.zeros(1)  # below a parameter: unexpected
    log.append(repr(m.load_state_dict(sd, strict=False)))


def _scalar_from_one_element(T, log):
    m = T.nn.Module()
    m.register_buffer("step", T.tensor(0.0))
    m.load_state_dict({"step": T.tensor([7.0])})
    log.append(m.step.tolist())


def _positional_state_dict(T, log):
    lin = T.nn.Linear(1, 1)
    log.append(list(lin.state_dict(None, "p.")))


SCENARIOS = [_state_dict_hooks, _post_hook_must_return_none, _private_hook_may_replace,
             _same_function_public_then_private, _load_hooks, _post_hook_clears_keys, _load_post_hook_must_return_none,
             _extra_state, _extra_state_unexpected, _base_extra_state_methods, _unexpected_keys,
             _scalar_from_one_element, _positional_state_dict]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.strip("_"))
def test_state_dict_hooks_like_torch(scenario):
    assert _same(scenario)


@pytest.mark.parametrize("scenario, error", [(_post_hook_must_return_none, "RuntimeError"),
                                             (_same_function_public_then_private, "RuntimeError"),
                                             (_load_post_hook_must_return_none, "AssertionError"),
                                             (_base_extra_state_methods, "RuntimeError"),
                                             (_extra_state, "RuntimeError")])
def test_state_dict_hook_errors(scenario, error):
    assert ("raised", error) in [entry[:2] for entry in _same(scenario) if isinstance(entry, tuple)]
