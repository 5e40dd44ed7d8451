"""Differential tests of the further optimizers of ``reftorch.optim`` (NAdam, RAdam, Adamax,
Adadelta, Rprop, ASGD, LBFGS) against PyTorch 2.13, with the harness of ``test_optim.py``.

Exactness, measured: each update is written in PyTorch's single-tensor operation order.
The remaining differences come from PyTorch's CPU kernels rounding ``lerp``,
``addcmul(value=…)`` and ``add(alpha=…)`` once (FMA) where NumPy rounds the product and
the sum separately. So wherever those ops cannot round differently (e.g. beta1 = 0.5, whose
``lerp`` is exact, and beta2 = 0, whose ``addcmul`` adds to zero) the parameters and the
whole state agree to the bit after 100 steps (``EXACT_CASES``); elsewhere they agree to
float32 rounding (``CLOSE_CASES``: RTOL/ATOL of ``test_optim``).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reftorch

import torch  # the oracle

from tests.test_optim import (
    ATOL,
    RTOL,
    SHAPES,
    _data,
    _err,
    _make,
    _np,
    _train,
    assert_params,
    assert_state_dicts,
    to_ref,
    to_torch,
)

EXACT_CASES = [
    ("NAdam", dict(betas=(0.5, 0.0))),
    ("NAdam", dict(betas=(0.5, 0.0), lr=0.1, maximize=True, momentum_decay=0.1)),
    ("NAdam", dict(betas=(0.5, 0.0), lr=0.1, weight_decay=0.25, decoupled_weight_decay=True)),
    ("RAdam", dict(betas=(0.5, 0.0))),  # rho_inf = 1: never rectified (no sqrt)
    ("RAdam", dict(betas=(0.5, 0.0), lr=0.1, weight_decay=0.25, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict(betas=(0.5, 0.9))),
    ("Adamax", dict(betas=(0.5, 0.3), lr=0.1, maximize=True, eps=1e-3)),
    ("Adamax", dict(betas=(0.5, 0.9), lr=0.1, weight_decay=0.25)),
    ("Adadelta", dict(rho=1.0)),  # v and u stay 0: delta = g
    ("Rprop", dict()),  # only signs, products by etas and clamps: always exact
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.7), step_sizes=(0.01, 0.5), maximize=True)),
    ("Rprop", dict(lr=0.001, step_sizes=(1e-4, 0.002))),
    ("ASGD", dict(lr=0.125, lambd=0.0, t0=20, maximize=True)),
    ("ASGD", dict(lr=0.125, lambd=0.0)),
]
CLOSE_CASES = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.1, betas=(0.5, 0.75), eps=1e-6, maximize=True, momentum_decay=0.1)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.75), eps=1e-3)),  # rectified from step 8
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("Adamax", dict(lr=0.1, betas=(0.3, 0.5), eps=1e-3, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict(rho=0.0)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=10, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
]
#: The state PyTorch keeps on the CPU whatever the parameter's device (without ``capturable``).
ON_CPU = {"NAdam": {"step", "mu_product"}, "ASGD": set()}
#: One option set per optimizer, for the structural tests.
TYPICAL = [
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.7))),
    ("ASGD", dict(lr=0.1, t0=5, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,kwargs", EXACT_CASES, ids=str)
def test_bit_exact_where_no_fma_rounding_differs(name, kwargs):
    inits, grads = _data(SHAPES, 100, 0)
    rp, ro = _train(reftorch, name, kwargs, inits, grads)
    tp, to = _train(torch, name, kwargs, inits, grads)
    assert_params(rp, tp, exact=True)
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)


@pytest.mark.parametrize("name,kwargs", CLOSE_CASES, ids=str)
def test_100_steps_agree_to_float32_rounding(name, kwargs):
    inits, grads = _data(SHAPES, 100, 1)
    rp, ro = _train(reftorch, name, kwargs, inits, grads)
    tp, to = _train(torch, name, kwargs, inits, grads)
    assert_params(rp, tp, exact=False)
    assert_state_dicts(ro.state_dict(), to.state_dict())


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_float64_parameters(name, kwargs):
    rng = np.random.default_rng(3)
    inits = [rng.standard_normal((6,))]
    grads = [[rng.standard_normal((6,))] for _ in range(50)]
    rp, ro = _train(reftorch, name, kwargs, inits, grads)
    tp, to = _train(torch, name, kwargs, inits, grads)
    np.testing.assert_allclose(_np(rp[0]), _np(tp[0]), rtol=1e-12, atol=1e-13)
    assert rp[0].dtype == reftorch.float64
    assert_state_dicts(ro.state_dict(), to.state_dict())


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_groups_defaults_and_repr(name, kwargs):
    outs = []
    for lib in (reftorch, torch):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([{"params": [a]}, {"params": b, "lr": 0.5}], **kwargs)
        outs.append((repr(opt), opt.defaults, [{k: v for k, v in g.items() if k != "params"}
                                               for g in opt.param_groups],
                     [list(g) for g in opt.param_groups]))
    assert outs[0] == outs[1]


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_state_dict_round_trips_with_torch(name, kwargs):
    """torch's state loads here and the two continue alike; ours loads into torch."""
    inits, grads = _data(SHAPES, 40, 5)
    tp, to = _train(torch, name, kwargs, inits, grads[:20])
    rp = _make(reftorch, [_np(p) for p in tp])
    ro = getattr(reftorch.optim, name)(rp, **kwargs)
    ro.load_state_dict(to_ref(to.state_dict()))
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)
    _train(reftorch, name, kwargs, None, grads[20:], rp, ro)
    _train(torch, name, kwargs, None, grads[20:], tp, to)
    assert_params(rp, tp, exact=False)
    assert_state_dicts(ro.state_dict(), to.state_dict())
    tp2 = [torch.nn.Parameter(torch.from_numpy(_np(p).copy())) for p in rp]
    to2 = getattr(torch.optim, name)(tp2, **kwargs)
    to2.load_state_dict(to_torch(ro.state_dict()))
    assert_state_dicts(ro.state_dict(), to2.state_dict(), exact=True)


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_strict_device_runs_the_same_kernels(name, kwargs):
    """The array-API-strict stand-in device gives the same bits as NumPy; the state lives
    where PyTorch puts it (the 0-d counters on the CPU, unless PyTorch puts them on the
    parameter's device)."""
    inits, grads = _data([(2, 3), ()], 5, 6)
    results = []
    for dev in ("cpu", "strict"):
        ps = [reftorch.nn.Parameter(reftorch.tensor(a.tolist(), device=dev)) for a in inits]
        opt = getattr(reftorch.optim, name)(ps, **kwargs)
        for step_grads in grads:
            for p, g in zip(ps, step_grads):
                p.grad = reftorch.tensor(g.tolist(), device=dev)
            opt.step()
        state = opt.state[ps[0]]
        assert {k: v.device.type for k, v in state.items()} == \
            {k: ("cpu" if k in ON_CPU.get(name, {"step"}) else dev) for k in state}
        results.append([p.to("cpu").tolist() for p in ps])
    assert results[0] == results[1]


ERROR_CASES = [
    lambda L, p: L.optim.NAdam([p], lr=-1),
    lambda L, p: L.optim.NAdam([p], lr=L.tensor([0.1, 0.2])),
    lambda L, p: L.optim.NAdam([p], eps=-1),
    lambda L, p: L.optim.NAdam([p], betas=(1.0, 0.9)),
    lambda L, p: L.optim.NAdam([p], betas=(0.9, -0.1)),
    lambda L, p: L.optim.NAdam([p], weight_decay=-1),
    lambda L, p: L.optim.NAdam([p], momentum_decay=-1),
    lambda L, p: L.optim.RAdam([p], lr=-1),
    lambda L, p: L.optim.RAdam([p], eps=-1),
    lambda L, p: L.optim.RAdam([p], betas=(0.9, 1.0)),
    lambda L, p: L.optim.RAdam([p], weight_decay=-1),
    lambda L, p: L.optim.Adamax([p], lr=-1),
    lambda L, p: L.optim.Adamax([p], eps=-1),
    lambda L, p: L.optim.Adamax([p], betas=(-0.5, 0.9)),
    lambda L, p: L.optim.Adamax([p], weight_decay=-1),
    lambda L, p: L.optim.Adadelta([p], lr=-1),
    lambda L, p: L.optim.Adadelta([p], rho=1.5),
    lambda L, p: L.optim.Adadelta([p], rho=-0.1),
    lambda L, p: L.optim.Adadelta([p], eps=-1),
    lambda L, p: L.optim.Adadelta([p], weight_decay=-1),
    lambda L, p: L.optim.Rprop([p], lr=-1),
    lambda L, p: L.optim.Rprop([p], etas=(1.5, 2.0)),
    lambda L, p: L.optim.Rprop([p], etas=(0.5, 1.0)),
    lambda L, p: L.optim.Rprop([p], etas=(0.0, 1.2)),
    lambda L, p: L.optim.ASGD([p], lr=-1),
    lambda L, p: L.optim.ASGD([p], weight_decay=-1),
    lambda L, p: L.optim.ASGD([p], lr=L.tensor([0.1, 0.2])),
]


@pytest.mark.parametrize("i", range(len(ERROR_CASES)))
def test_errors_match_torch(i):
    results = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        results.append(_err(lambda: ERROR_CASES[i](lib, p)))
    assert results[0] is not None
    assert results[0] == results[1]


STEP_ERROR_CASES = [
    ("NAdam", dict(capturable=True)), ("NAdam", dict(differentiable=True)),
    ("RAdam", dict(capturable=True)), ("RAdam", dict(differentiable=True)),
    ("Adamax", dict(capturable=True)), ("Adamax", dict(differentiable=True)),
    ("Adadelta", dict(capturable=True)), ("Adadelta", dict(differentiable=True)),
    ("Rprop", dict(capturable=True)), ("Rprop", dict(differentiable=True)),
    ("ASGD", dict(capturable=True)), ("ASGD", dict(differentiable=True)),
]


@pytest.mark.parametrize("name,kw", STEP_ERROR_CASES, ids=str)
def test_step_errors_match_torch(name, kw):
    results = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([p], lr=0.1, **kw)
        p.grad = lib.ones(3)
        results.append(_err(opt.step))
    assert results[0] is not None and results[0] == results[1]


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_flags_accepted_as_on_cpu(name, kwargs):
    """``foreach`` is stored and gives the same update (PyTorch's CPU default is the
    single-tensor loop; its foreach loop rounds alike to float32)."""
    inits, grads = _data([(3,)], 5, 2)
    for foreach in (None, False, True):
        rp, ro = _train(reftorch, name, dict(kwargs, foreach=foreach), inits, grads)
        tp, to = _train(torch, name, dict(kwargs, foreach=foreach), inits, grads)
        assert_params(rp, tp, exact=False)
        assert ro.param_groups[0]["foreach"] is foreach


@pytest.mark.parametrize("name,kwargs", [("NAdam", dict(lr=0.05)), ("Rprop", dict(lr=0.05)),
                                         ("ASGD", dict(lr=0.05, t0=2))], ids=str)
def test_lr_scheduler_drives_new_optimizers(name, kwargs):
    """StepLR halves the group's lr every 2 steps: NAdam uses it at every step, ASGD in its
    eta schedule, Rprop only to set the initial step sizes (later changes have no effect,
    as in PyTorch)."""
    inits, grads = _data(SHAPES, 8, 7)
    outs = []
    for lib in (reftorch, torch):
        ps = _make(lib, inits)
        opt = getattr(lib.optim, name)(ps, **kwargs)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        lrs = []
        for step_grads in grads:
            for p, g in zip(ps, step_grads):
                p.grad = lib.from_numpy(g.copy())
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        outs.append((ps, opt, lrs, sched.state_dict()))
    assert outs[0][2] == outs[1][2] and outs[0][3] == outs[1][3]
    assert_params(outs[0][0], outs[1][0], exact=False)
    assert_state_dicts(outs[0][1].state_dict(), outs[1][1].state_dict())


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD"])
def test_tensor_lr(name):
    inits, grads = _data([(4,)], 5, 8)
    rp, ro = _train(reftorch, name, dict(lr=reftorch.tensor([0.01])), inits, grads)
    tp, to = _train(torch, name, dict(lr=torch.tensor([0.01])), inits, grads)
    assert_params(rp, tp, exact=False)
    assert repr(ro) == repr(to)


# ----------------------------------------------------------------------------- LBFGS
def _lbfgs_problem(lib, dtype, seed=0, n=6):
    """Parameters and a closure: an extended Rosenbrock function plus a quadratic."""
    rng = np.random.default_rng(seed)
    dt = getattr(lib, dtype)
    x = lib.nn.Parameter(lib.tensor(rng.standard_normal(n).tolist(), dtype=dt))
    b = lib.nn.Parameter(lib.tensor([0.5], dtype=dt))
    a = lib.tensor(rng.standard_normal((n, n)).tolist(), dtype=dt)

    def loss_fn():
        z = a @ x
        return (((1 - x[:-1]) ** 2).sum() + 10 * ((x[1:] - x[:-1] ** 2) ** 2).sum() + (z * z).sum() * 0.01
                + ((b - 1) ** 4).sum())
    return [x, b], loss_fn


def _lbfgs_run(lib, kwargs, dtype, steps, opt=None, params=None, loss_fn=None):
    if params is None:
        params, loss_fn = _lbfgs_problem(lib, dtype)
    opt = opt if opt is not None else lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    return params, opt, losses, loss_fn


def _assert_lbfgs_states(r, t, rtol, atol=0.0, scalar_rtol=None):
    """The same keys in the same order, values of the same kinds (int, float, tensor, lists
    of 0-d tensors), close values. The 0-d tensors (``ro``, ``al``, ``H_diag``: ratios of
    dot products of gradient differences, which cancel near the optimum) are compared to
    ``scalar_rtol`` (not at all if None)."""
    assert list(r) == list(t)
    for key in t:
        a, b = r[key], t[key]
        if isinstance(b, list):
            assert len(a) == len(b)
            pairs = list(zip(a, b))
        else:
            pairs = [(a, b)]
        for u, v in pairs:
            if isinstance(v, torch.Tensor):
                assert isinstance(u, reftorch.Tensor) and repr(u.dtype) == repr(v.dtype) and u.shape == v.shape
                if v.dim() == 0:
                    if scalar_rtol is not None:
                        np.testing.assert_allclose(_np(u), _np(v), rtol=scalar_rtol, atol=atol, err_msg=key)
                    continue
                np.testing.assert_allclose(_np(u), _np(v), rtol=rtol, atol=atol, err_msg=key)
            elif v is None:
                assert u is None
            else:
                assert type(u) is type(v)
                assert u == v if isinstance(v, int) else np.isclose(u, v, rtol=rtol, atol=atol)


LBFGS_CASES = [dict(), dict(line_search_fn="strong_wolfe"), dict(history_size=3, max_iter=7, lr=0.5),
               dict(line_search_fn="strong_wolfe", history_size=2, tolerance_change=1e-5, max_eval=12)]


@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=str)
def test_lbfgs_float64_follows_torch(kwargs):
    """In float64 the iterations agree to ~1e-13 (the dot products sum in another order):
    the same numbers of iterations and evaluations, the same losses and state (its
    0-d scalars, ratios of dot products that cancel near the optimum, to 1e-5)."""
    rp, ro, rl, _ = _lbfgs_run(reftorch, kwargs, "float64", 5)
    tp, to, tl, _ = _lbfgs_run(torch, kwargs, "float64", 5)
    np.testing.assert_allclose(rl, tl, rtol=1e-10)
    for a, b in zip(rp, tp):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-10, atol=1e-12)
    _assert_lbfgs_states(ro.state_dict()["state"][0], to.state_dict()["state"][0], 1e-7, 1e-8, 1e-5)
    assert ro.state_dict()["param_groups"] == to.state_dict()["param_groups"]


@pytest.mark.parametrize("kwargs", [dict(max_iter=5), dict(line_search_fn="strong_wolfe", max_iter=4)], ids=str)
def test_lbfgs_float32_close(kwargs):
    """In float32, away from convergence (where rounding decides when to stop), to float32
    rounding."""
    rp, ro, rl, _ = _lbfgs_run(reftorch, kwargs, "float32", 2)
    tp, to, tl, _ = _lbfgs_run(torch, kwargs, "float32", 2)
    np.testing.assert_allclose(rl, tl, rtol=1e-5)
    for a, b in zip(rp, tp):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-4, atol=1e-5)
    _assert_lbfgs_states(ro.state_dict()["state"][0], to.state_dict()["state"][0], 1e-3, 1e-5)


def test_lbfgs_state_dict_round_trips_with_torch():
    kwargs = dict(history_size=4, max_iter=5, line_search_fn="strong_wolfe")
    tp, to, _, tloss = _lbfgs_run(torch, kwargs, "float64", 2)
    rp, rloss = _lbfgs_problem(reftorch, "float64")
    with reftorch.no_grad():
        for r, t in zip(rp, tp):
            r.copy_(reftorch.from_numpy(_np(t).copy()))
    ro = reftorch.optim.LBFGS(rp, **kwargs)
    ro.load_state_dict(to_ref(to.state_dict()))
    _assert_lbfgs_states(ro.state_dict()["state"][0], to.state_dict()["state"][0], 0, 0, 0)
    _, _, rl, _ = _lbfgs_run(reftorch, kwargs, "float64", 2, ro, rp, rloss)
    _, _, tl, _ = _lbfgs_run(torch, kwargs, "float64", 2, to, tp, tloss)
    np.testing.assert_allclose(rl, tl, rtol=1e-10)
    _assert_lbfgs_states(ro.state_dict()["state"][0], to.state_dict()["state"][0], 1e-7, 1e-8, 1e-5)
    to2 = torch.optim.LBFGS([torch.nn.Parameter(torch.from_numpy(_np(p).copy())) for p in rp], **kwargs)
    to2.load_state_dict(to_torch(ro.state_dict()))
    _assert_lbfgs_states(ro.state_dict()["state"][0], to2.state_dict()["state"][0], 0, 0, 0)


def test_lbfgs_structure_hooks_and_stop_at_optimum():
    outs = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.LBFGS([p], max_iter=3)
        seen = []
        opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", len(args), sorted(kwargs))))
        opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", len(args), sorted(kwargs))))

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()  # already at the minimum: step returns after one evaluation
            loss.backward()
            return loss

        loss = opt.step(closure)
        opt.step(closure=closure)
        outs.append((repr(opt), opt.defaults, seen, loss.item(), dict(opt.state[p])))
    assert outs[0] == outs[1]
    assert outs[0][4] == {"func_evals": 2, "n_iter": 0}


LBFGS_ERRORS = [
    lambda L, p: L.optim.LBFGS([p], lr=-1),
    lambda L, p: L.optim.LBFGS([p], lr=L.tensor([1.0, 2.0])),
    lambda L, p: L.optim.LBFGS([{"params": [p]}, {"params": [L.nn.Parameter(L.ones(1))]}]),
    lambda L, p: L.optim.LBFGS([p]).step(),
    lambda L, p: L.optim.LBFGS([p], line_search_fn="backtracking").step(lambda: (p * p).sum().backward() or
                                                                                (p * p).sum()),
]


@pytest.mark.parametrize("i", range(len(LBFGS_ERRORS)))
def test_lbfgs_errors_match_torch(i):
    results = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        results.append(_err(lambda: LBFGS_ERRORS[i](lib, p)))
    assert results[0] is not None
    assert results[0] == results[1]


@pytest.mark.parametrize("name,kwargs", [("Adam", {}), ("Adam", dict(fused=True)), ("Adagrad", {}),
                                         ("RMSprop", {}), ("NAdam", {}), ("RAdam", {}), ("Adamax", {}),
                                         ("Adadelta", {}), ("Rprop", {}), ("ASGD", dict(t0=1))], ids=str)
def test_scalar_state_is_float64_under_a_float64_default(name, kwargs):
    """PyTorch's ``_get_scalar_dtype``: ``step`` (and ``mu_product``, ``eta``, ``mu``) are
    float64 while the default dtype is float64 (float32 for ``fused``)."""
    inits, grads = _data([(3,)], 3, 9)
    outs = []
    for lib in (reftorch, torch):
        lib.set_default_dtype(lib.float64)
        try:
            ps, opt = _train(lib, name, kwargs, inits, grads)
        finally:
            lib.set_default_dtype(lib.float32)
        outs.append(({k: str(v.dtype) for k, v in opt.state[ps[0]].items()}, _np(ps[0])))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=RTOL, atol=ATOL)


def test_lbfgs_on_the_strict_device_gives_the_same_bits():
    """LBFGS is written with tensor operations: on the array-API-strict stand-in device it
    takes the same steps (and a parameter without gradient counts as zeros)."""
    results = []
    for dev in ("cpu", "strict"):
        xy = reftorch.nn.Parameter(reftorch.tensor([-1.5, 2.0], device=dev))
        unused = reftorch.nn.Parameter(reftorch.ones(2, device=dev))
        opt = reftorch.optim.LBFGS([xy, unused], line_search_fn="strong_wolfe", history_size=5)

        def closure():
            opt.zero_grad()
            loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        state = opt.state[xy]
        assert state["d"].device.type == dev and unused.tolist() == [1.0, 1.0]
        results.append((losses, xy.to("cpu").tolist(), state["func_evals"], state["n_iter"]))
    assert results[0] == results[1]


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD"]), data=st.data())
def test_option_combinations(name, data):
    kw = dict(lr=data.draw(st.sampled_from([0.001, 0.01, 0.1])), maximize=data.draw(st.booleans()))
    if name != "Rprop":
        kw["weight_decay"] = data.draw(st.sampled_from([0, 0.01, 0.5]))
    if name in ("NAdam", "RAdam", "Adamax"):
        kw.update(betas=data.draw(st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])),
                  eps=data.draw(st.sampled_from([1e-8, 1e-3])))
    if name in ("NAdam", "RAdam"):
        kw["decoupled_weight_decay"] = data.draw(st.booleans())
    if name == "NAdam":
        kw["momentum_decay"] = data.draw(st.sampled_from([0.0, 4e-3, 0.5]))
    elif name == "Adadelta":
        kw.update(rho=data.draw(st.sampled_from([0.0, 0.5, 0.9, 1.0])), eps=data.draw(st.sampled_from([1e-6, 1e-3])))
    elif name == "Rprop":
        kw.update(etas=data.draw(st.sampled_from([(0.5, 1.2), (0.1, 3.0)])),
                  step_sizes=data.draw(st.sampled_from([(1e-6, 50), (0.01, 0.02)])))
    elif name == "ASGD":
        kw.update(lambd=data.draw(st.sampled_from([0.0, 1e-4, 0.1])), alpha=data.draw(st.sampled_from([0.75, 1.5])),
                  t0=data.draw(st.sampled_from([0, 5, 1e6])))
    inits, grads = _data([(3, 2), ()], 30, data.draw(st.integers(0, 100)))
    rp, ro = _train(reftorch, name, kw, inits, grads)
    tp, to = _train(torch, name, kw, inits, grads)
    assert_params(rp, tp, exact=name == "Rprop")
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=name == "Rprop")


@pytest.mark.parametrize("name,kwargs", [("NAdam", dict(lr=0.01, weight_decay=0.1)),
                                         ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
                                         ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
                                         ("Adadelta", dict(weight_decay=0.1)), ("Rprop", dict(lr=0.01)),
                                         ("ASGD", dict(lr=0.01, t0=3, weight_decay=0.1)),
                                         ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
                                         ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, centered=True)),
                                         ("RMSprop", dict(lr=0.001, momentum=0.5)),
                                         ("Adagrad", dict(weight_decay=0.1)),
                                         ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True))], ids=str)
def test_complex_parameters_are_pairs_of_reals(name, kwargs):
    """As PyTorch's ``view_as_real``: the real and imaginary parts are updated as two
    independent real numbers (Rprop's step sizes start at ``lr + lr*1j``)."""
    rng = np.random.default_rng(10)
    init = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(np.complex64)
    grads = [[(rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(np.complex64)] for _ in range(30)]
    rp, ro = _train(reftorch, name, kwargs, [init], grads)
    tp, to = _train(torch, name, kwargs, [init], grads)
    assert rp[0].dtype == reftorch.complex64
    assert_params(rp, tp, exact=name == "Rprop")
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=name == "Rprop")


def test_lbfgs_complex_parameters_as_pairs_of_reals():
    """A complex parameter enters the flat vectors as its real and imaginary parts side by
    side (PyTorch's view_as_real), next to a real 0-d one."""
    out = []
    for lib in (reftorch, torch):
        z = lib.nn.Parameter(lib.tensor([1 + 2j, -0.5 + 1j], dtype=lib.complex128))
        r = lib.nn.Parameter(lib.tensor(0.3, dtype=lib.float64))
        c = lib.tensor([0.5 - 1j, 2 + 0.25j], dtype=lib.complex128)
        opt = lib.optim.LBFGS([z, r], line_search_fn="strong_wolfe", max_iter=5)

        def closure():
            opt.zero_grad()
            d = z - c
            loss = (d.real ** 4 + d.imag ** 2).sum() + (r - 1) ** 2 * 3 + (z.real * r).sum()
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        out.append((losses, _np(z), r.item(), opt.state[z]["func_evals"], opt.state[z]["d"].shape))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)
    assert np.isclose(out[0][2], out[1][2], rtol=1e-12) and out[0][3:] == out[1][3:]


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_state_saved_by_an_older_version_loads_like_torch(name, kwargs):
    """``__setstate__`` as PyTorch's: groups saved without the newer flags get their
    defaults, and scalars saved as numbers (``step``, NAdam's ``mu_product``, ASGD's
    ``eta``/``mu``) become 0-d tensors."""
    inits, grads = _data(SHAPES, 6, 11)
    tp, to = _train(torch, name, kwargs, inits, grads[:3])
    old = to.state_dict()
    flags = {"foreach", "maximize", "differentiable", "capturable", "decoupled_weight_decay"}
    old = {"state": {k: {n: (v.item() if n in ("step", "mu_product", "eta", "mu") else v) for n, v in s.items()}
                     for k, s in old["state"].items()},
           "param_groups": [{k: v for k, v in g.items() if k not in flags} for g in old["param_groups"]]}
    loaded = []
    for lib, convert in ((reftorch, to_ref), (torch, lambda x: x)):
        ps = _make(lib, [_np(p) for p in tp])
        opt = getattr(lib.optim, name)(ps, **kwargs)
        opt.load_state_dict(convert(old))
        _train(lib, name, kwargs, None, grads[3:], ps, opt)
        loaded.append((ps, opt))
    assert_params(loaded[0][0], loaded[1][0], exact=False)
    assert_state_dicts(loaded[0][1].state_dict(), loaded[1][1].state_dict())


@pytest.mark.parametrize("name,kwargs", TYPICAL, ids=str)
def test_thread_pool_gives_the_same_update(name, kwargs, monkeypatch):
    """Large steps spread the parameters over a thread pool: the same bits."""
    from reftorch.optim import optimizer as opt_module
    inits, grads = _data(SHAPES + [(300,), (2, 50)], 10, 4)
    sequential, _ = _train(reftorch, name, kwargs, inits, grads)
    monkeypatch.setattr(opt_module, "PARALLEL_MIN_NUMEL", 0)
    monkeypatch.setattr(opt_module, "_threads", lambda: 2)
    threaded, _ = _train(reftorch, name, kwargs, inits, grads)
    assert_params(threaded, sequential, exact=True)
