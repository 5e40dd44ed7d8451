"""``torch.optim.swap_in_optimizer_params_and_state`` against PyTorch 2.13."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch

import torch  # the oracle

from tests.test_optim import _err, _np

INITS = [np.array([[1.0, -2.0], [0.5, 3.0]], np.float32), np.array([0.25, -1.0], np.float32)]
GRADS = [np.array([[0.3, -0.1], [0.2, 0.4]], np.float32), np.array([1.0, -0.5], np.float32)]


def _setup(lib):
    """An Adam with two groups after one step, and a state_dict-shaped swap-in state
    (tensors cloned, a different lr for the second group)."""
    ps = [lib.nn.Parameter(lib.from_numpy(a.copy())) for a in INITS]
    opt = lib.optim.Adam([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.1}], lr=0.01)
    for p, g in zip(ps, GRADS):
        p.grad = lib.from_numpy(g.copy())
    opt.step()
    sd = opt.state_dict()
    swap_state = {"state": {k: {n: v.clone() for n, v in s.items()} for k, s in sd["state"].items()},
                  "param_groups": [dict(g) for g in sd["param_groups"]]}
    swap_state["param_groups"][1]["lr"] = 0.5
    others = {name: lib.nn.Parameter(lib.from_numpy(a.copy() * 2)) for name, a in zip("ab", INITS)}
    for p, g in zip(others.values(), GRADS):
        p.grad = lib.from_numpy(g.copy())
    return ps, opt, swap_state, others


def _run(lib):
    ps, opt, swap_state, others = _setup(lib)
    params_list = opt.param_groups[0]["params"]
    seen = []
    with lib.optim.swap_in_optimizer_params_and_state(opt, others, swap_state):
        seen.append([g["lr"] for g in opt.param_groups])
        seen.append([p is q for p, q in zip([g["params"][0] for g in opt.param_groups], others.values())])
        opt.step()
        opt.step()
    assert opt.param_groups[0]["params"] is params_list  # the very same list is restored
    live = opt.state_dict()
    return (seen, [g["lr"] for g in opt.param_groups],
            [_np(p).tolist() for p in others.values()], [_np(p).tolist() for p in ps],
            {k: {n: _np(v).tolist() for n, v in s.items()} for k, s in swap_state["state"].items()},
            {k: {n: _np(v).tolist() for n, v in s.items()} for k, s in live["state"].items()})


def test_steps_the_swapped_in_tensors_and_restores_the_optimizer():
    r, t = _run(reftorch), _run(torch)
    assert r[0] == t[0] == [[0.01, 0.5], [True, True]]
    assert r[1] == t[1] == [0.01, 0.1]
    for a, b in zip(r[2:], t[2:]):  # Adam agrees to float32 rounding (see test_optim.py)
        np.testing.assert_allclose(np.array(_flat(a)), np.array(_flat(b)), rtol=1e-6, atol=1e-7)
        assert _shape(a) == _shape(b)


def _flat(obj):
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _flat(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _flat(v)]
    return [obj]


def _shape(obj):
    if isinstance(obj, dict):
        return {k: _shape(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_shape(v) for v in obj]
    return None


def test_new_state_entries_stay_inside_the_block():
    """A parameter with no swap-in state gets fresh state inside the block, which is dropped."""
    outs = []
    for lib in (reftorch, torch):
        w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        opt = lib.optim.SGD([w], lr=0.5, momentum=0.5)
        w.grad = lib.tensor([1.0, 1.0])
        opt.step()
        other = lib.nn.Parameter(lib.tensor([4.0, 6.0]))
        other.grad = lib.tensor([2.0, -2.0])
        swap_state = {"state": {}, "param_groups": opt.state_dict()["param_groups"]}
        with lib.optim.swap_in_optimizer_params_and_state(opt, {"w": other}, swap_state):
            opt.step()
            inside = list(opt.state[other])
        outs.append((_np(other).tolist(), inside, swap_state["state"], _np(w).tolist(),
                     _np(opt.state[w]["momentum_buffer"]).tolist()))
    assert outs[0] == outs[1]


def _bad_states(lib, opt):
    sd = opt.state_dict()
    groups = sd["param_groups"]
    state = sd["state"]
    return [
        "a string",
        {"state": [], "param_groups": groups},
        {"state": {lib.ones(1): {}}, "param_groups": groups},
        {"state": {0: 1.0}, "param_groups": groups},
        {"state": state, "param_groups": tuple(groups)},
        {"state": state, "param_groups": groups[:1]},
        {"state": state, "param_groups": [groups[0], "x"]},
        {"state": state, "param_groups": [groups[0], groups[1] | {"params": ["1"]}]},
        {"state": state, "param_groups": [groups[0], groups[1] | {"params": [1, 2]}]},
        {"state": state, "param_groups": [groups[0], groups[1] | {"extra": 1}]},
        {"state": state, "param_groups": [groups[0], {k: v for k, v in groups[1].items() if k != "lr"}]},
        {"state": state | {7: {}}, "param_groups": groups},
    ]


@pytest.mark.parametrize("i", range(13))
def test_errors_match_torch(i):
    outs = []
    for lib in (reftorch, torch):
        ps, opt, _, others = _setup(lib)
        if i == 12:  # too few parameters
            args = (opt, {"a": others["a"]}, opt.state_dict())
        else:
            args = (opt, others, _bad_states(lib, opt)[i])

        def enter():
            with lib.optim.swap_in_optimizer_params_and_state(*args):
                pass
        outs.append(_err(enter))
    assert outs[0] is not None and outs[0] == outs[1]


def test_uninitialized_state_raises_like_torch():
    outs = []
    for lib in (reftorch, torch):
        w = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([w], lr=0.1)

        def enter():
            with lib.optim.swap_in_optimizer_params_and_state(opt, {"w": w}, opt.state_dict()):
                pass
        outs.append(_err(enter))
    assert outs[0] is not None and outs[0] == outs[1]


def test_restores_on_error_inside_the_block():
    for lib in (reftorch, torch):
        ps, opt, swap_state, others = _setup(lib)
        state = opt.state
        with pytest.raises(KeyError):
            with lib.optim.swap_in_optimizer_params_and_state(opt, others, swap_state):
                raise KeyError("boom")
        assert opt.state is state and opt.param_groups[1]["params"][0] is ps[1]
        assert [g["lr"] for g in opt.param_groups] == [0.01, 0.1]
