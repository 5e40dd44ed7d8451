"""lr_scheduler.CyclicLR against PyTorch: the lr and momentum (or beta1) sequences, float
for float, for every mode, custom scale functions, per-group values, resuming from a
state dict, and the errors."""
from __future__ import annotations

import pytest

from tests._compare import both


class Halving:  # a callable object: its __dict__ goes into the state dict
    def __init__(self):
        self.base = 0.5

    def __call__(self, x):
        return self.base ** x


def _run(opt_ctor, sched_kw, steps=14):
    def go(T):
        params = [T.zeros(2, requires_grad=True), T.zeros(1, requires_grad=True)]
        opt = eval(opt_ctor, {"T": T, "p": params})
        kw = {k: (Halving() if v == "Halving" else v) for k, v in sched_kw.items()}
        sched = T.optim.lr_scheduler.CyclicLR(opt, **kw)
        seen = []
        for _ in range(steps):
            opt.step()
            sched.step()
            seen.append((sched.get_last_lr(), [g.get("momentum", g.get("betas")) for g in opt.param_groups]))
        state = sched.state_dict()
        return seen, sorted(k for k in state), state["_scale_fn_custom"], state["last_epoch"]
    return go


SGD = "T.optim.SGD(p, lr=0.1, momentum=0.9)"


@pytest.mark.parametrize("opt_ctor,kw", [
    (SGD, dict(base_lr=0.01, max_lr=0.1, step_size_up=3)),
    (SGD, dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5)),
    (SGD, dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode="triangular2")),
    (SGD, dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range", gamma=0.9)),
    (SGD, dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn="Halving")),
    (SGD, dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn="Halving", scale_mode="iterations")),
    (SGD, dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=4, base_momentum=[0.7, 0.8])),
    ("T.optim.Adam(p, lr=0.1)", dict(base_lr=0.001, max_lr=0.01, step_size_up=3)),
    ("T.optim.SGD(p, lr=0.1)", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, cycle_momentum=False)),
])
def test_cyclic_lr(opt_ctor, kw):
    both(_run(opt_ctor, kw))


def test_cyclic_lr_resume():
    def go(T):
        p = [T.zeros(2, requires_grad=True)]
        opt = T.optim.SGD(p, lr=0.1, momentum=0.9)
        a = T.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3, mode="triangular2")
        for _ in range(4):
            opt.step()
            a.step()
        state = a.state_dict()
        b = T.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3, mode="triangular2")
        b.load_state_dict(state)
        out = []
        for _ in range(5):
            opt.step()
            b.step()
            out.append(b.get_last_lr())
        return out
    both(go)


@pytest.mark.parametrize("expr", [
    "S.CyclicLR(T.optim.SGD(p, lr=0.1, momentum=0.9), 0.01, 0.1, mode='cosine')",
    "S.CyclicLR(T.optim.Adagrad(p, lr=0.1), 0.01, 0.1)",
    "S.CyclicLR(T.optim.SGD(p, lr=0.1, momentum=0.9), [0.01, 0.02], 0.1)",
    "S.CyclicLR(object(), 0.01, 0.1)",
])
def test_cyclic_lr_errors(expr):
    both(lambda T: eval(expr, {"T": T, "S": T.optim.lr_scheduler, "p": [T.zeros(1, requires_grad=True)]}),
         msg=True)
