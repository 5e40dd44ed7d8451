"""Differential tests of ``reftorch.optim`` against PyTorch 2.13: the same initial weights and
the same gradients go to both libraries' optimizers for 100 steps; parameters, state_dicts,
reprs, warnings and errors are compared.

PyTorch's CPU kernels round ``add(alpha=…)``, ``lerp`` and ``addcmul`` once (FMA). SGD's
steps, all such ``add``s, are fused in reftorch too (``reftorch/optim/_pointwise.py``): its
updates are compared bit for bit, in float32 and float64. The other optimizers' steps round
the product and the sum separately, so they agree to the bit only where the scalar factor
of those ops is a power of two, and elsewhere to float32 rounding (a few ulp after 100
steps); the tests assert exactly that.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

SHAPES = [(7, 5), (4,), ()]
RTOL, ATOL = 2e-5, 1e-6


def _data(shapes, steps, seed):
    rng = np.random.default_rng(seed)
    inits = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(steps)]
    return inits, grads


def _make(lib, inits):
    return [lib.nn.Parameter(lib.from_numpy(a.copy())) for a in inits]


def _train(lib, name, kwargs, inits, grads, params=None, opt=None):
    ps = params if params is not None else _make(lib, inits)
    opt = opt if opt is not None else getattr(lib.optim, name)(ps, **kwargs)
    for step_grads in grads:
        for p, g in zip(ps, step_grads):
            p.grad = lib.from_numpy(g.copy())
        opt.step()
    return ps, opt


def _np(t):
    return t.detach().numpy()


def to_ref(obj):
    """A torch state_dict (or anything nested) with each tensor converted to reftorch."""
    if isinstance(obj, torch.Tensor):
        return reftorch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: to_ref(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_ref(v) for v in obj)
    return obj


def to_torch(obj):
    if isinstance(obj, reftorch.Tensor):
        return torch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(v) for v in obj)
    return obj


def assert_params(rs, ts, exact):
    for r, t in zip(rs, ts):
        a, b = _np(r), _np(t)
        assert a.dtype == b.dtype and a.shape == b.shape
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def assert_state_dicts(r, t, exact=False):
    """Same structure (keys, order, ids, group options, tensor dtypes/shapes), close values."""
    assert list(r) == list(t) == ["state", "param_groups"]
    assert r["param_groups"] == t["param_groups"]
    for rg, tg in zip(r["param_groups"], t["param_groups"]):
        assert list(rg) == list(tg)
    assert list(r["state"]) == list(t["state"])
    for k in t["state"]:
        rs, ts = r["state"][k], t["state"][k]
        assert list(rs) == list(ts)
        for name in ts:
            a, b = rs[name], ts[name]
            assert isinstance(a, reftorch.Tensor) and isinstance(b, torch.Tensor)
            assert a.dtype.__repr__() == repr(b.dtype) and tuple(a.shape) == tuple(b.shape)
            assert a.device.type == b.device.type
            if exact:
                np.testing.assert_array_equal(_np(a), _np(b))
            else:
                np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)


EXACT_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.03, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.03, momentum=0.7, dampening=0.3, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.125)),
    ("SGD", dict(lr=0.125, momentum=0.9)),
    ("SGD", dict(lr=0.125, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.25, momentum=0.5, nesterov=True)),
    ("SGD", dict(lr=0.125, weight_decay=0.25, maximize=True)),
]
CLOSE_CASES = [
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.75), eps=1e-6, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.5)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.5, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1, eps=1e-6)),
]


@pytest.mark.parametrize("name,kwargs", EXACT_CASES, ids=str)
def test_bit_exact_where_no_fma_rounding_differs(name, kwargs):
    inits, grads = _data(SHAPES, 100, 0)
    rp, ro = _train(reftorch, name, kwargs, inits, grads)
    tp, to = _train(torch, name, kwargs, inits, grads)
    assert_params(rp, tp, exact=True)
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", [dict(lr=0.03, momentum=0.9, nesterov=True, weight_decay=0.01),
                                    dict(lr=0.07, momentum=0.7, dampening=0.3, weight_decay=0.03, maximize=True)],
                         ids=str)
def test_sgd_bit_for_bit_in_both_dtypes_and_on_a_large_parameter(kwargs, dtype):
    """SGD's fused ``add(alpha=…)`` steps: PyTorch's bits, on small tensors, one spread over
    vector lanes, and one larger than a cache block (the fused steps run block by block)."""
    inits, grads = _data(SHAPES + [(300,)], 50, 5)
    rng = np.random.default_rng(7)
    inits = [a.astype(dtype) for a in inits] + [rng.standard_normal((400, 400)).astype(dtype)]
    big = [rng.standard_normal((400, 400)).astype(dtype) for _ in range(50)]
    grads = [[g.astype(dtype) for g in step] + [b] for step, b in zip(grads, big)]
    rp, ro = _train(reftorch, "SGD", kwargs, inits, grads)
    tp, to = _train(torch, "SGD", kwargs, inits, grads)
    assert_params(rp, tp, exact=True)
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)


@pytest.mark.parametrize("name,kwargs", CLOSE_CASES, ids=str)
def test_100_steps_agree_to_float32_rounding(name, kwargs):
    inits, grads = _data(SHAPES, 100, 1)
    rp, ro = _train(reftorch, name, kwargs, inits, grads)
    tp, to = _train(torch, name, kwargs, inits, grads)
    assert_params(rp, tp, exact=False)
    assert_state_dicts(ro.state_dict(), to.state_dict())


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"amsgrad": True}),
                                         ("RMSprop", {"centered": True, "momentum": 0.5}), ("Adagrad", {})])
def test_thread_pool_gives_the_same_update(name, kwargs, monkeypatch):
    """Large steps spread the parameters over a thread pool; the result is the same bits."""
    from reftorch.optim import optimizer as opt_module
    inits, grads = _data(SHAPES + [(300,), (2, 50)], 10, 4)
    sequential, _ = _train(reftorch, name, kwargs, inits, grads)
    monkeypatch.setattr(opt_module, "PARALLEL_MIN_NUMEL", 0)
    monkeypatch.setattr(opt_module, "_threads", lambda: 2)
    threaded, _ = _train(reftorch, name, kwargs, inits, grads)
    assert opt_module._pool is not None
    assert_params(threaded, sequential, exact=True)


def test_float64_parameters():
    rng = np.random.default_rng(3)
    inits = [rng.standard_normal((6,))]
    grads = [[rng.standard_normal((6,))] for _ in range(50)]
    for name in ("Adam", "RMSprop", "Adagrad"):  # (SGD: bit for bit, below)
        rp, _ = _train(reftorch, name, dict(lr=0.01), inits, grads)
        tp, _ = _train(torch, name, dict(lr=0.01), inits, grads)
        np.testing.assert_allclose(_np(rp[0]), _np(tp[0]), rtol=1e-12, atol=1e-13)
        assert rp[0].dtype == reftorch.float64


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]), data=st.data())
def test_option_combinations(name, data):
    lr = data.draw(st.sampled_from([0.001, 0.01, 0.1]))
    wd = data.draw(st.sampled_from([0, 0.01, 0.5]))
    maximize = data.draw(st.booleans())
    kw = dict(lr=lr, weight_decay=wd, maximize=maximize)
    if name == "SGD":
        momentum = data.draw(st.sampled_from([0, 0.5, 0.9]))
        nesterov = momentum > 0 and data.draw(st.booleans())
        dampening = 0 if nesterov else data.draw(st.sampled_from([0, 0.1]))
        kw.update(momentum=momentum, nesterov=nesterov, dampening=dampening)
    elif name in ("Adam", "AdamW"):
        kw.update(amsgrad=data.draw(st.booleans()),
                  betas=data.draw(st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])),
                  eps=data.draw(st.sampled_from([1e-8, 1e-3])))
    elif name == "RMSprop":
        kw.update(alpha=data.draw(st.sampled_from([0.99, 0.5])), centered=data.draw(st.booleans()),
                  momentum=data.draw(st.sampled_from([0, 0.9])))
    else:
        kw.update(lr_decay=data.draw(st.sampled_from([0, 0.1])),
                  initial_accumulator_value=data.draw(st.sampled_from([0, 0.5])))
    inits, grads = _data([(3, 2), ()], 30, data.draw(st.integers(0, 100)))
    rp, ro = _train(reftorch, name, kw, inits, grads)
    tp, to = _train(torch, name, kw, inits, grads)
    if name == "RMSprop":
        assert_rmsprop_close(rp, tp, ro, to, kw, inits, grads)
        return
    assert_params(rp, tp, exact=name == "SGD")  # (SGD's steps are fused as PyTorch's)
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=name == "SGD")


def _rmsprop_scales(kw, inits, grads):
    """Per element, the magnitudes RMSprop's parameters and momentum buffers are sums of.

    Replayed in float64 with torch: an update is ``u = g / avg``; the buffer is
    ``b = sum mu**(T-t) u_t`` and the parameter ``x_0 - lr * sum b_t``. Both are sums whose
    terms can cancel (a buffer of alternating-sign updates, a parameter crossing zero), so
    their float32 rounding error is a few float32 epsilons of the sum of the terms'
    magnitudes, not of the result's. For ``centered=True`` the denominator
    ``sqrt(v - a*a)`` is computed from a difference: rounding errors in ``v`` and ``a``
    are amplified by its condition number ``v / (v - a*a)``, which multiplies ``|u|``.
    ``g`` includes the weight decay term ``wd * |x|``.
    """
    ps = [torch.nn.Parameter(torch.from_numpy(a.astype(np.float64))) for a in inits]
    opt = torch.optim.RMSprop(ps, **kw)
    lr, mu = kw["lr"], kw["momentum"]
    sx = [np.abs(a.astype(np.float64)) for a in inits]  # (without momentum, b is the step's update)
    sb = [np.zeros(a.shape) for a in inits]
    for step_grads in grads:
        before = [np.abs(p.detach().numpy().copy()) for p in ps]
        for p, g in zip(ps, step_grads):
            p.grad = torch.from_numpy(g.astype(np.float64))
        opt.step()
        for i, p in enumerate(ps):
            state = opt.state[p]
            v = state["square_avg"].numpy()
            g = np.abs(step_grads[i]) + kw["weight_decay"] * before[i]
            kappa = 1.0
            if kw["centered"]:
                a = state["grad_avg"].numpy()
                v, kappa = v - a * a, v / (v - a * a)
            sb[i] = mu * sb[i] + g / (np.sqrt(v) + kw.get("eps", 1e-8)) * kappa
            sx[i] = sx[i] + lr * sb[i]
    return sx, sb


def assert_rmsprop_close(rp, tp, ro, to, kw, inits, grads):
    """RMSprop: parameters and momentum buffers agree to C float32 epsilons of
    the magnitudes they are sums of (``_rmsprop_scales``); a relative tolerance on the
    result would be arbitrary where the terms cancel. C = 8: each of the 30 steps rounds a
    few times in each library, and errors of one step add up linearly (the sums are linear
    in the updates); over seeds, lrs, alphas, weight decays and both ``centered`` settings
    the largest difference seen was 1.7 epsilons of that scale. The other state (``square_avg``,
    ``grad_avg``: averages of terms of one sign or of ``g``) keeps RTOL/ATOL."""
    eps = float(np.finfo(np.float32).eps)
    sx, sb = _rmsprop_scales(kw, inits, grads)
    rs, ts = ro.state_dict()["state"], to.state_dict()["state"]
    for i, (a, b) in enumerate(zip(rp, tp)):
        np.testing.assert_array_less(np.abs(_np(a).astype(np.float64) - _np(b)), 8 * eps * sx[i] + 1e-30)
        if "momentum_buffer" in ts[i]:
            np.testing.assert_array_less(np.abs(_np(rs[i]["momentum_buffer"]).astype(np.float64)
                                                - _np(ts[i]["momentum_buffer"])), 8 * eps * sb[i] + 1e-30)
        for name in ("square_avg", "grad_avg"):
            if name in ts[i]:
                np.testing.assert_allclose(_np(rs[i][name]), _np(ts[i][name]), rtol=RTOL, atol=ATOL)
        assert list(rs[i]) == list(ts[i])
    assert ro.state_dict()["param_groups"] == to.state_dict()["param_groups"]


# ----------------------------------------------------------------------------- structure
@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(amsgrad=True)),
                                         ("AdamW", {}), ("RMSprop", dict(centered=True, momentum=0.5)),
                                         ("Adagrad", {})])
def test_groups_defaults_and_repr(name, kwargs):
    outs = []
    for lib in (reftorch, torch):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([{"params": [a]}, {"params": b, "lr": 0.5}], **kwargs)
        outs.append((repr(opt), opt.defaults, [{k: v for k, v in g.items() if k != "params"}
                                               for g in opt.param_groups],
                     [list(g) for g in opt.param_groups]))
    assert outs[0] == outs[1]


def test_state_dict_from_torch_loads_and_continues():
    inits, grads = _data(SHAPES, 40, 5)
    for name, kw in [("Adam", dict(lr=0.01, amsgrad=True)), ("SGD", dict(lr=0.1, momentum=0.9)),
                     ("RMSprop", dict(centered=True, momentum=0.9)), ("Adagrad", dict(lr_decay=0.1))]:
        tp, to = _train(torch, name, kw, inits, grads[:20])
        # torch → reftorch: load torch's state into a fresh reftorch optimizer over torch's weights
        rp = _make(reftorch, [_np(p) for p in tp])
        ro = getattr(reftorch.optim, name)(rp, **kw)
        ro.load_state_dict(to_ref(to.state_dict()))
        assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)
        _train(reftorch, name, kw, None, grads[20:], rp, ro)
        _train(torch, name, kw, None, grads[20:], tp, to)
        assert_params(rp, tp, exact=False)
        # reftorch → torch
        tp2 = [torch.nn.Parameter(torch.from_numpy(_np(p).copy())) for p in rp]
        to2 = getattr(torch.optim, name)(tp2, **kw)
        to2.load_state_dict(to_torch(ro.state_dict()))
        assert_state_dicts(ro.state_dict(), to2.state_dict(), exact=True)
        assert to2.state_dict()["state"][0]["step"].dtype == torch.float32 if "step" in \
            to2.state_dict()["state"][0] else True


def test_load_state_dict_casts_to_param_dtype_and_keeps_step():
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3, dtype=lib.float64))
        opt = lib.optim.Adam([p])
        sd = {"state": {0: {"step": lib.tensor(3.0), "exp_avg": lib.ones(3), "exp_avg_sq": lib.ones(3)}},
              "param_groups": [dict(opt.state_dict()["param_groups"][0], lr=0.5)]}
        opt.load_state_dict(sd)
        st_ = opt.state[p]
        assert str(st_["step"].dtype) == "torch.float32"
        assert str(st_["exp_avg"].dtype) == "torch.float64"
        assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"][0] is p


def test_state_dict_is_shared_not_copied_and_named_params():
    for lib in (reftorch, torch):
        lin = lib.nn.Linear(2, 2)
        opt = lib.optim.SGD(lin.named_parameters(), lr=0.1, momentum=0.9)
        lin(lib.ones(1, 2)).sum().backward()
        opt.step()
        sd = opt.state_dict()
        assert sd["param_groups"][0]["param_names"] == ["weight", "bias"]
        assert sd["state"][0]["momentum_buffer"] is opt.state[lin.weight]["momentum_buffer"]


def test_step_bumps_version_and_keeps_leaf():
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.Adam([p])
        p.grad = lib.ones(3)
        version = lambda: p._version
        v0 = version()
        opt.step()
        assert version() == v0 + 1 and p.is_leaf and p.requires_grad and p.grad_fn is None


def test_zero_grad():
    outs = []
    for lib in (reftorch, torch):
        p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p, q], lr=0.1)
        (p * 3).sum().backward()
        g = p.grad
        opt.zero_grad(set_to_none=False)
        kept = (p.grad is g, p.grad.tolist(), q.grad)
        (p * 3).sum().backward()
        acc = p.grad.tolist()
        opt.zero_grad()
        outs.append((kept, acc, p.grad))
    assert outs[0] == outs[1] == ((True, [0.0, 0.0], None), [3.0, 3.0], None)


def test_skips_parameters_without_grad_and_closure():
    outs = []
    for lib in (reftorch, torch):
        p, q = lib.nn.Parameter(lib.tensor([1.0, 2.0])), lib.nn.Parameter(lib.tensor([3.0]))
        opt = lib.optim.Adam([p, q], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        losses = [round(opt.step(closure).item(), 5) for _ in range(3)]
        outs.append((losses, p.tolist(), q.tolist(), len(opt.state), opt.step() is None))
    assert outs[0][0] == outs[1][0] and outs[0][0][0] == 5.0  # the closure's loss, returned by step
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-6)
    assert outs[0][2:] == outs[1][2:] == ([3.0], 1, True)  # q had no grad: untouched, no state


# ----------------------------------------------------------------------------- errors
def _err(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever comes out
        return type(e), str(e)
    return None


ERROR_CASES = [
    lambda L, p, q: L.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
    lambda L, p, q: L.optim.SGD([p * 2], lr=0.1),
    lambda L, p, q: L.optim.SGD([], lr=0.1),
    lambda L, p, q: L.optim.SGD(p, lr=0.1),
    lambda L, p, q: L.optim.SGD([1.0], lr=0.1),
    lambda L, p, q: L.optim.SGD([p], lr=-0.1),
    lambda L, p, q: L.optim.SGD([p], lr=0.1, momentum=-1),
    lambda L, p, q: L.optim.SGD([p], lr=0.1, weight_decay=-1),
    lambda L, p, q: L.optim.SGD([p], lr=0.1, nesterov=True),
    lambda L, p, q: L.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda L, p, q: L.optim.SGD([p], lr=L.tensor([0.1, 0.2])),
    lambda L, p, q: L.optim.SGD([("a", p), q], lr=0.1),
    lambda L, p, q: L.optim.SGD([p], lr=0.1).add_param_group({"params": [p]}),
    lambda L, p, q: L.optim.SGD([p], lr=0.1).add_param_group([q]),
    lambda L, p, q: L.optim.SGD([p], lr=0.1).add_param_group({"params": {q}}),
    lambda L, p, q: L.optim.SGD([("a", p)], lr=0.1).add_param_group({"params": [q]}),
    lambda L, p, q: L.optim.Adam([p], lr=-1),
    lambda L, p, q: L.optim.Adam([p], eps=-1),
    lambda L, p, q: L.optim.Adam([p], betas=(1.0, 0.9)),
    lambda L, p, q: L.optim.Adam([p], betas=(0.9, 1)),
    lambda L, p, q: L.optim.Adam([p], betas=(-0.1, 0.9)),
    lambda L, p, q: L.optim.Adam([p], weight_decay=-1),
    lambda L, p, q: L.optim.Adam([p], betas=(L.tensor(0.9), 0.99)),
    lambda L, p, q: L.optim.Adam([p], lr=L.tensor(0.1), foreach=True),
    lambda L, p, q: L.optim.AdamW([p], weight_decay=-1),
    lambda L, p, q: L.optim.RMSprop([p], alpha=-1),
    lambda L, p, q: L.optim.RMSprop([p], lr=-1),
    lambda L, p, q: L.optim.RMSprop([p], eps=-1),
    lambda L, p, q: L.optim.RMSprop([p], momentum=-1),
    lambda L, p, q: L.optim.RMSprop([p], weight_decay=-1),
    lambda L, p, q: L.optim.Adagrad([p], lr_decay=-1),
    lambda L, p, q: L.optim.Adagrad([p], initial_accumulator_value=-1),
    lambda L, p, q: L.optim.Adagrad([p], eps=-1),
    lambda L, p, q: L.optim.Adagrad([p], weight_decay=-1),
    lambda L, p, q: L.optim.Adagrad([p], lr=-1),
    lambda L, p, q: L.optim.SGD([p], fused=True, foreach=True),
    lambda L, p, q: L.optim.Adam([p], fused=True, differentiable=True),
    lambda L, p, q: L.optim.Adagrad([p], fused=True, foreach=True),
    lambda L, p, q: L.optim.SGD([p], lr=0.1).load_state_dict({"state": {}, "param_groups": []}),
    lambda L, p, q: L.optim.SGD([p], lr=0.1).load_state_dict({"state": {}, "param_groups": [{"params": [0, 1]}]}),
]


@pytest.mark.parametrize("i", range(len(ERROR_CASES)))
def test_errors_match_torch(i):
    results = []
    for lib in (reftorch, torch):
        p, q = lib.nn.Parameter(lib.ones(3)), lib.nn.Parameter(lib.ones(2))
        results.append(_err(lambda: ERROR_CASES[i](lib, p, q)))
    assert results[0] is not None
    assert results[0] == results[1]


@pytest.mark.parametrize("name,kw", [("Adam", dict(capturable=True)), ("AdamW", dict(capturable=True)),
                                     ("RMSprop", dict(capturable=True)), ("SGD", dict(differentiable=True)),
                                     ("Adam", dict(differentiable=True))])
def test_step_errors_match_torch(name, kw):
    results = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([p], lr=0.1, **kw)
        p.grad = lib.ones(3)
        results.append(_err(opt.step))
    assert results[0] is not None and results[0] == results[1]


def test_fused_on_cpu_is_accepted():
    for name in ("SGD", "Adam", "AdamW", "Adagrad"):
        inits, grads = _data([(3,)], 5, 2)
        rp, ro = _train(reftorch, name, dict(lr=0.1, fused=True), inits, grads)
        tp, to = _train(torch, name, dict(lr=0.1, fused=True), inits, grads)
        assert_params(rp, tp, exact=False)
        assert ro.param_groups[0]["fused"] is True


def test_duplicate_parameter_warns_like_torch():
    msgs = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(2))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.optim.SGD([p, p], lr=0.1)
        msgs.append([(x.category, str(x.message)) for x in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


# ----------------------------------------------------------------------------- training loop
def test_training_loop_embedding_linear():
    """A small Embedding → Linear classifier trained with Adam (two groups, the embedding at
    a smaller lr) and clip_grad_norm_: the same losses, to float32 rounding."""
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 10, size=(16, 4))
    target = rng.integers(0, 3, size=(16,))
    losses, finals = [], []
    torch.manual_seed(0)
    init = [p.detach().numpy().copy() for p in [*torch.nn.Embedding(10, 6).parameters(),
                                                 *torch.nn.Linear(6, 3).parameters()]]
    for lib in (torch, reftorch):
        emb, lin = lib.nn.Embedding(10, 6), lib.nn.Linear(6, 3)
        with lib.no_grad():  # the same initial weights in both libraries
            for mine, values in zip([*emb.parameters(), *lin.parameters()], init):
                mine.copy_(lib.from_numpy(values.copy()))
        opt = lib.optim.Adam([{"params": emb.parameters(), "lr": 1e-3}, {"params": lin.parameters()}], lr=1e-2)
        x, y = lib.from_numpy(idx.copy()), lib.from_numpy(target.copy())
        run = []
        for _ in range(30):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(lin(emb(x).mean(1)), y)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(list(emb.parameters()) + list(lin.parameters()), 1.0)
            opt.step()
            run.append(loss.item())
        losses.append(run)
        finals.append([p.detach().numpy().copy() for p in list(emb.parameters()) + list(lin.parameters())])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    for a, b in zip(finals[1], finals[0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert losses[0][-1] < losses[0][0]


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
                                         ("Adam", {"amsgrad": True, "weight_decay": 0.1}), ("AdamW", {}),
                                         ("RMSprop", {"centered": True, "momentum": 0.9}),
                                         ("Adagrad", {"lr_decay": 0.1})])
def test_strict_device_runs_the_same_kernels(name, kwargs):
    """The updates are written over the array namespace: the array-API-strict stand-in device
    gives the same bits as NumPy, and the state lives on the parameter's device (``step``
    stays on the CPU, as in PyTorch)."""
    inits, grads = _data([(2, 3), ()], 5, 6)
    results = []
    for dev in ("cpu", "strict"):
        ps = [reftorch.nn.Parameter(reftorch.tensor(a.tolist(), device=dev)) for a in inits]
        opt = getattr(reftorch.optim, name)(ps, **kwargs)
        for step_grads in grads:
            for p, g in zip(ps, step_grads):
                p.grad = reftorch.tensor(g.tolist(), device=dev)
            opt.step()
        opt.zero_grad(set_to_none=False)
        state = opt.state[ps[0]]
        assert {k: v.device.type for k, v in state.items()} == \
            {k: ("cpu" if k == "step" else dev) for k in state}
        assert ps[0].grad.device.type == dev and ps[0].grad.to("cpu").tolist() == [[0.0] * 3] * 2
        results.append([p.to("cpu").tolist() for p in ps])
    assert results[0] == results[1]


def test_tensor_lr_and_custom_optimizer_subclass():
    """A 1-element tensor lr, and a user-written Optimizer subclass (as in tutorials) stepped
    by an lr scheduler: the same values as PyTorch."""
    outs = []
    for lib in (reftorch, torch):

        class PlainSGD(lib.optim.Optimizer):
            def __init__(self, params, lr):
                super().__init__(params, {"lr": lr})

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p.add_(p.grad, alpha=-group["lr"])

        a = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        b = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        plain = PlainSGD([a], lr=0.5)
        sched = lib.optim.lr_scheduler.ExponentialLR(plain, gamma=0.5)
        sgd = lib.optim.SGD([b], lr=lib.tensor(0.25), momentum=0.5)
        for _ in range(3):
            a.grad, b.grad = lib.tensor([1.0, -1.0]), lib.tensor([1.0, -1.0])
            plain.step()
            sched.step()
            sgd.step()
        outs.append((a.tolist(), b.tolist(), sched.get_last_lr(), repr(plain)))
    assert outs[0] == outs[1]


NONFINITE_GRADS = [[float("inf"), 1.0, -float("inf"), float("nan")], [3e38, -3e38, 1e-45, 0.0],
                   [1e20, 1e-20, 0.0, -1.0]]


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1)), ("Adam", dict(amsgrad=True)), ("AdamW", {}),
    ("RMSprop", dict(momentum=0.5)), ("Adagrad", {}), ("Adadelta", {}), ("Adamax", {}), ("NAdam", {}),
    ("RAdam", {}), ("Rprop", {}), ("ASGD", {}), ("Adafactor", {}),
])
@pytest.mark.parametrize("grad", NONFINITE_GRADS)
def test_nonfinite_and_huge_gradients(name, kwargs, grad):
    """Gradients holding inf or nan, or whose squares overflow float32: the same parameters as
    PyTorch after three steps (Rprop: the sign of nan is 0, as torch.sign's) and no NumPy
    RuntimeWarning (PyTorch's kernels never warn)."""
    outs = []
    for lib in (torch, reftorch):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0, 3.0, 4.0]))
        opt = getattr(lib.optim, name)([p], **kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(3):
                p.grad = lib.tensor(grad)
                opt.step()
        outs.append((p.detach().numpy().copy(), [str(w.message) for w in caught]))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=RTOL, atol=ATOL, equal_nan=True)
    assert outs[1][1] == outs[0][1] == []
