"""Differential tests of ``reftorch.optim.lr_scheduler`` against PyTorch 2.13: the same
schedulers on the same optimizers, stepped many times; every lr (and momentum/beta1 for
OneCycleLR) must be the same float, state_dicts the same, warnings and errors the same."""
from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly


def _opt(lib, name="SGD", groups=(0.1,), **kw):
    params = [lib.nn.Parameter(lib.ones(2)) for _ in groups]
    return getattr(lib.optim, name)([{"params": [p], "lr": lr} for p, lr in zip(params, groups)], **kw)


def _run(lib, make, steps, metric=None, opt_name="SGD", groups=(0.1, 0.02), **opt_kw):
    opt = _opt(lib, opt_name, groups, **opt_kw)
    sched = make(lib.optim.lr_scheduler, opt)
    seq = [(sched.get_last_lr(), [g["lr"] for g in opt.param_groups])]
    mom = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning in the correct order
        for i in range(steps):
            opt.step()
            if metric is None:
                sched.step()
            else:
                sched.step(metric(i))
            seq.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups]))
            mom.append([(g.get("momentum"), g.get("betas")) for g in opt.param_groups])
    return seq, mom, sched


def _strip(sd):
    """A scheduler state_dict without what cannot compare across libraries (nothing, so far)."""
    return {k: (_strip(v) if isinstance(v, dict) else [_strip(x) if isinstance(x, dict) else x for x in v]
                if isinstance(v, list) else v) for k, v in sd.items()}


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.3),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[5, 20, 20, 60], gamma=0.5),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.97),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lr_lambda=lambda e: 1 / (1 + 0.1 * e)),
    "LambdaLR-list": lambda S, o: S.LambdaLR(o, lr_lambda=[lambda e: 0.95 ** e, lambda e: 1 + e % 3]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lr_lambda=lambda e: 0.9 if e % 2 else 1.01),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=17, eta_min=0.001),
    "CosineAnnealingLR-0": lambda S, o: S.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4),
    "CosineAnnealingWarmRestarts-1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=9),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=13),
    "LinearLR-default": lambda S, o: S.LinearLR(o),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=9),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=40, power=2.0),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=150),
    "OneCycleLR-3phase-linear": lambda S, o: S.OneCycleLR(o, max_lr=0.8, epochs=10, steps_per_epoch=15,
                                                          anneal_strategy="linear", three_phase=True,
                                                          pct_start=0.25),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=10),
                                                    S.CosineAnnealingLR(o, T_max=50),
                                                    S.ExponentialLR(o, gamma=0.9)], milestones=[10, 60]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=4),
                                                         S.ExponentialLR(o, gamma=0.95),
                                                         S.MultiStepLR(o, [30, 90])]),
}


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_lr_sequence_is_torchs(name):
    make = SCHEDULERS[name]
    kw = dict(opt_name="SGD", momentum=0.9) if name.startswith("OneCycle") else {}
    r_seq, r_mom, r_s = _run(reftorch, make, 150, **kw)
    t_seq, t_mom, t_s = _run(torch, make, 150, **kw)
    assert r_seq == t_seq  # exact float equality
    assert r_mom == t_mom
    assert _strip(r_s.state_dict()).keys() == _strip(t_s.state_dict()).keys()


def test_one_cycle_with_adam_cycles_beta1():
    make = SCHEDULERS["OneCycleLR"]
    r = _run(reftorch, make, 150, opt_name="Adam")
    t = _run(torch, make, 150, opt_name="Adam")
    assert r[0] == t[0] and r[1] == t[1]


def test_state_dicts_equal():
    for name in ("StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR", "ChainedScheduler",
                 "CosineAnnealingWarmRestarts", "LambdaLR"):
        kw = dict(momentum=0.9) if name == "OneCycleLR" else {}
        r = _run(reftorch, SCHEDULERS[name], 20, **kw)[2].state_dict()
        t = _run(torch, SCHEDULERS[name], 20, **kw)[2].state_dict()
        assert list(r) == list(t), name
        if name not in ("LambdaLR",):
            assert r == t, name


def test_state_dict_resume():
    for lib in (reftorch, torch):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        for _ in range(7):
            opt.step()
            s.step()
        sd, osd = s.state_dict(), opt.state_dict()
        opt2 = _opt(lib)
        opt2.load_state_dict(osd)
        s2 = lib.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=20)
        s2.load_state_dict(sd)
        for _ in range(5):
            opt.step(), s.step(), opt2.step(), s2.step()
        assert s2.get_last_lr() == s.get_last_lr()
        assert opt2.param_groups[0]["initial_lr"] == 0.1


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("min", "abs"), ("max", "rel"), ("max", "abs")])
def test_reduce_lr_on_plateau(mode, threshold_mode):
    metric = (lambda i: 1.0 / (1 + i) if i < 10 else 0.09 + 0.001 * math.sin(i)) if mode == "min" else \
        (lambda i: float(min(i, 12)))
    make = lambda S, o: S.ReduceLROnPlateau(o, mode=mode, factor=0.5, patience=3, threshold=1e-3,
                                            threshold_mode=threshold_mode, cooldown=2, min_lr=[1e-3, 1e-4])
    r_seq, _, r_s = _run(reftorch, make, 80, metric=metric)
    t_seq, _, t_s = _run(torch, make, 80, metric=metric)
    assert r_seq == t_seq
    assert r_s.state_dict() == t_s.state_dict()
    assert r_seq[-1][0] != r_seq[0][0] or mode == "max"


def test_reduce_lr_on_plateau_tensor_metric():
    seqs = []
    for lib in (reftorch, torch):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
        for _ in range(6):
            s.step(lib.tensor(1.0))
        seqs.append(s.get_last_lr())
    assert seqs[0] == seqs[1] == [0.1 * 0.1 * 0.1]  # reduced at the 3rd and 5th step


@settings(max_examples=20, deadline=None)
@given(step_size=st.integers(1, 9), gamma=st.floats(0.05, 0.99), t_max=st.integers(1, 30),
       eta_min=st.sampled_from([0.0, 1e-3]), total=st.integers(1, 20), start=st.floats(0.05, 1.0))
def test_random_parameters(step_size, gamma, t_max, eta_min, total, start):
    makes = [lambda S, o: S.StepLR(o, step_size, gamma), lambda S, o: S.CosineAnnealingLR(o, t_max, eta_min),
             lambda S, o: S.LinearLR(o, start_factor=start, total_iters=total),
             lambda S, o: S.ExponentialLR(o, gamma)]
    for make in makes:
        assert _run(reftorch, make, 60)[0] == _run(torch, make, 60)[0]


def test_step_with_epoch_uses_closed_form_and_warns():
    out = []
    for lib in (reftorch, torch):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 3, 0.5)
        opt.step()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            s.step(10)
        out.append((s.get_last_lr(), [(x.category, str(x.message)) for x in w]))
    assert out[0] == out[1]
    assert len(out[0][1]) == 1


# ----------------------------------------------------------------------------- the step-order warning
def _warnings_of(lib, body):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        body(lib)
    return [(x.category, str(x.message)) for x in w]


ORDER_CASES = {
    "scheduler first": lambda L: (lambda o: (L.optim.lr_scheduler.StepLR(o, 1).step(), o.step()))(_opt(L)),
    "right order": lambda L: (lambda o, s: (o.step(), s.step(), o.step(), s.step()))(
        *(lambda o: (o, L.optim.lr_scheduler.StepLR(o, 1)))(_opt(L))),
    "twice before": lambda L: (lambda o, s: (s.step(), s.step(), o.step(), s.step()))(
        *(lambda o: (o, L.optim.lr_scheduler.ExponentialLR(o, 0.9)))(_opt(L))),
    "step overridden": lambda L: (lambda o, s: (setattr(o, "step", lambda: None), s.step()))(
        *(lambda o: (o, L.optim.lr_scheduler.StepLR(o, 1)))(_opt(L))),
    "two schedulers": lambda L: (lambda o: (L.optim.lr_scheduler.StepLR(o, 1), L.optim.lr_scheduler.StepLR(o, 2),
                                            o.step()))(_opt(L)),
    "get_lr outside step": lambda L: L.optim.lr_scheduler.StepLR(_opt(L), 1).get_lr(),
}


@pytest.mark.parametrize("case", sorted(ORDER_CASES))
def test_warnings_match_torch(case):
    r = _warnings_of(reftorch, ORDER_CASES[case])
    t = _warnings_of(torch, ORDER_CASES[case])
    assert r == t
    if case in ("scheduler first", "twice before", "step overridden", "get_lr outside step"):
        assert len(r) == 1 and r[0][0] is UserWarning


# ----------------------------------------------------------------------------- errors
def _err(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


ERRORS = [
    lambda S, o, L: S.StepLR(object(), 1),
    lambda S, o, L: S.StepLR(o, 1, last_epoch=3),
    lambda S, o, L: S.LambdaLR(o, [lambda e: 1.0] * 3),
    lambda S, o, L: S.MultiplicativeLR(o, [1.0, 2.0]),
    lambda S, o, L: S.ConstantLR(o, factor=1.5),
    lambda S, o, L: S.LinearLR(o, start_factor=0),
    lambda S, o, L: S.LinearLR(o, end_factor=2),
    lambda S, o, L: S.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda S, o, L: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda S, o, L: S.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="x"),
    lambda S, o, L: S.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    lambda S, o, L: S.OneCycleLR(o, 1.0),
    lambda S, o, L: S.OneCycleLR(o, 1.0, total_steps=0),
    lambda S, o, L: S.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=2),
    lambda S, o, L: S.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=0),
    lambda S, o, L: S.OneCycleLR(o, 1.0, total_steps=10, pct_start=2.0),
    lambda S, o, L: S.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="x"),
    lambda S, o, L: S.OneCycleLR(o, [1.0, 2.0], total_steps=10),
    lambda S, o, L: S.OneCycleLR(L.optim.Adagrad(o.param_groups[0]["params"]), 1.0, total_steps=10),
    lambda S, o, L: [(o.step(), s.step()) for s in [S.OneCycleLR(o, 1.0, total_steps=3)] for _ in range(4)],
    lambda S, o, L: S.SequentialLR(o, [], []),
    lambda S, o, L: S.SequentialLR(o, [S.StepLR(o, 1)], [3]),
    lambda S, o, L: S.SequentialLR(o, [S.StepLR(o, 1), S.ReduceLROnPlateau(o)], [3]),
    lambda S, o, L: S.SequentialLR(o, [1, 2], [3]),
    lambda S, o, L: S.ChainedScheduler([]),
    lambda S, o, L: S.ChainedScheduler([S.StepLR(o, 1), S.ReduceLROnPlateau(o)]),
    lambda S, o, L: S.ReduceLROnPlateau(o, factor=1.0),
    lambda S, o, L: S.ReduceLROnPlateau(o, mode="up"),
    lambda S, o, L: S.ReduceLROnPlateau(o, threshold_mode="x"),
    lambda S, o, L: S.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]),
    lambda S, o, L: S.ReduceLROnPlateau(object()),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    results = []
    for lib in (reftorch, torch):
        opt = _opt(lib, momentum=0.9)
        results.append(_err(lambda: ERRORS[i](lib.optim.lr_scheduler, opt, lib)))
    assert results[0] is not None
    assert results[0] == results[1]
