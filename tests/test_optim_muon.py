"""Muon against PyTorch 2.13, with the harness of ``test_optim.py``.

PyTorch's Newton–Schulz iteration runs in bfloat16: each CPU bfloat16 op computes in
float32 and rounds its result once. reftorch computes the same float32 values and rounds
them the same way, so the only possible difference is the float32 summation order of the
matrix products (BLAS vs PyTorch's bfloat16 GEMM). For the small matrices below (inner
dimensions of at most 8) the products are exact enough that every rounding agrees, and the
parameters are compared bit for bit. Larger matrices (``test_large_matrices``) round an
occasional element of an intermediate product (about 1 in 10**4) to the neighbouring
bfloat16 value and the iteration spreads it: measured, the orthogonalized update then
differs by up to 2 bfloat16 ulps of its largest elements, so the tolerance is 5 such ulps
times ``lr``.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch

import torch  # the oracle

from tests.test_optim import _data, _err, _make, _np, _train, assert_params, assert_state_dicts, to_ref

SHAPES = [(4, 6), (8, 3), (5, 5)]  # wide, tall (transposed inside), square
CASES = [
    dict(),
    dict(lr=0.02, momentum=0.9, nesterov=False),
    dict(lr=0.05, weight_decay=0.0, adjust_lr_fn="original"),
    dict(lr=0.01, adjust_lr_fn="match_rms_adamw", ns_steps=3),
    dict(lr=0.03, ns_coefficients=(2.0, -1.5, 0.5), eps=1e-3, momentum=0.0),
    dict(lr=reftorch.tensor(0.02)),
]


def _kwargs(lib, kwargs):
    return {k: (lib.tensor(v.item()) if isinstance(v, reftorch.Tensor) else v) for k, v in kwargs.items()}


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_20_steps_bit_exact(kwargs):
    inits, grads = _data(SHAPES, 20, 1)
    rp, ro = _train(reftorch, "Muon", _kwargs(reftorch, kwargs), inits, grads)
    tp, to = _train(torch, "Muon", _kwargs(torch, kwargs), inits, grads)
    assert_params(rp, tp, exact=True)
    if "lr" in kwargs and isinstance(kwargs["lr"], reftorch.Tensor):  # tensors in groups do not compare with ==
        for r, t in zip(rp, tp):
            np.testing.assert_array_equal(_np(ro.state[r]["momentum_buffer"]), _np(to.state[t]["momentum_buffer"]))
        return
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)


def test_large_matrices():
    inits, grads = _data([(96, 128), (128, 64)], 5, 2)
    rp, _ = _train(reftorch, "Muon", dict(lr=0.02), inits, grads)
    tp, _ = _train(torch, "Muon", dict(lr=0.02), inits, grads)
    for r, t in zip(rp, tp):
        # the update's elements are below 0.5 here (bfloat16 ulp 2**-9 in [0.25, 0.5)); 5 such
        # ulps times the adjusted lr (0.02 * sqrt(2) < 0.03)
        np.testing.assert_allclose(_np(r), _np(t), rtol=0, atol=5 * 2 ** -9 * 0.03)


def test_float64_parameters():
    """float64 gradients go to bfloat16 through float32, and the bfloat16 update is added in
    float64. reftorch's float64 ``lerp`` is not PyTorch's fused one (an ulp apart in about 7%
    of the elements), so the momentum buffers agree to float64 rounding; the parameters, which
    see the buffers only through bfloat16, agree exactly."""
    inits, grads = _data([(3, 4)], 10, 3)
    inits = [a.astype(np.float64) for a in inits]
    grads = [[g.astype(np.float64) for g in gs] for gs in grads]
    rp, ro = _train(reftorch, "Muon", dict(lr=0.1), inits, grads)
    tp, to = _train(torch, "Muon", dict(lr=0.1), inits, grads)
    assert_params(rp, tp, exact=True)
    np.testing.assert_allclose(_np(ro.state[rp[0]]["momentum_buffer"]), _np(to.state[tp[0]]["momentum_buffer"]),
                               rtol=1e-14, atol=1e-16)


def _model_steps(lib):
    lib.manual_seed(0)
    rng = np.random.default_rng(4)
    w1, w2 = (rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(6, 4), (3, 6)])
    x, y = rng.standard_normal((10, 4)).astype(np.float32), rng.integers(0, 3, 10)
    model = lib.nn.Sequential(lib.nn.Linear(4, 6, bias=False), lib.nn.Tanh(), lib.nn.Linear(6, 3))
    with lib.no_grad():
        model[0].weight.copy_(lib.from_numpy(w1))
        model[2].weight.copy_(lib.from_numpy(w2))
        model[2].bias.zero_()
    muon = lib.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.05)
    adamw = lib.optim.AdamW([p for p in model.parameters() if p.ndim != 2], lr=0.01)
    losses = []
    for _ in range(8):
        muon.zero_grad()
        adamw.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
        loss.backward()
        muon.step()
        adamw.step()
        losses.append(loss.item())
    return [_np(p) for p in model.parameters()], losses


def test_small_model_with_adamw_for_the_bias():
    """A Linear-Tanh-Linear classifier: Muon on the weights, AdamW on the bias. The gradients
    come from reftorch's and PyTorch's own autograd (float32 sums in different orders), so
    the runs agree to float32 rounding of the gradients, amplified at most by the bfloat16
    roundings they can flip: a few bfloat16 ulps of the update times lr."""
    (rps, rl), (tps, tl) = _model_steps(reftorch), _model_steps(torch)
    for r, t in zip(rps, tps):
        np.testing.assert_allclose(r, t, rtol=0, atol=8 * 2 ** -8 * 0.05)
    np.testing.assert_allclose(rl, tl, rtol=1e-3)
    assert rl[-1] < rl[0]


def test_groups_defaults_repr_and_state_dict_keys():
    outs = []
    for lib in (reftorch, torch):
        a, b = lib.nn.Parameter(lib.ones(2, 3)), lib.nn.Parameter(lib.ones(3, 2))
        opt = lib.optim.Muon([{"params": [a]}, {"params": b, "lr": 0.5, "adjust_lr_fn": "match_rms_adamw"}])
        a.grad = lib.ones(2, 3)
        opt.step()
        sd = opt.state_dict()
        outs.append((repr(opt), opt.defaults, [{k: v for k, v in g.items() if k != "params"}
                                               for g in opt.param_groups],
                     sd["param_groups"], {k: list(v) for k, v in sd["state"].items()}))
    assert outs[0] == outs[1]


def test_state_dict_round_trips_with_torch():
    inits, grads = _data(SHAPES, 12, 5)
    tp, to = _train(torch, "Muon", dict(lr=0.02), inits, grads[:6])
    rp = _make(reftorch, [_np(p) for p in tp])
    ro = reftorch.optim.Muon(rp, lr=0.02)
    ro.load_state_dict(to_ref(to.state_dict()))
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)
    _train(reftorch, "Muon", {}, None, grads[6:], params=rp, opt=ro)
    _train(torch, "Muon", {}, None, grads[6:], params=tp, opt=to)
    assert_params(rp, tp, exact=True)
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)
    # and back: reftorch's own state_dict restores a fresh reftorch optimizer
    rq = _make(reftorch, [_np(p) for p in rp])
    rq_opt = reftorch.optim.Muon(rq)
    rq_opt.load_state_dict(ro.state_dict())
    assert rq_opt.param_groups[0]["lr"] == 0.02
    assert_state_dicts(rq_opt.state_dict(), to.state_dict(), exact=True)


ERROR_CASES = [
    lambda L, p: L.optim.Muon([p], lr=-0.1),
    lambda L, p: L.optim.Muon([p], lr=L.tensor([0.1, 0.2])),
    lambda L, p: L.optim.Muon([p], momentum=-0.5),
    lambda L, p: L.optim.Muon([p], weight_decay=-1.0),
    lambda L, p: L.optim.Muon([p], adjust_lr_fn="sqrt"),
    lambda L, p: L.optim.Muon([p, L.nn.Parameter(L.ones(3))]),
    lambda L, p: L.optim.Muon([p, L.nn.Parameter(L.ones(2, 3, 4))]),
    lambda L, p: L.optim.Muon([p]).add_param_group({"params": [L.nn.Parameter(L.ones(1, 2))], "lr": -1}),
]


@pytest.mark.parametrize("i", range(len(ERROR_CASES)))
def test_constructor_errors_match_torch(i):
    outs = [_err(lambda: ERROR_CASES[i](lib, lib.nn.Parameter(lib.ones(2, 2)))) for lib in (reftorch, torch)]
    assert outs[0] is not None or i == len(ERROR_CASES) - 1  # PyTorch checks the group's lr only at init
    assert outs[0] == outs[1]


STEP_ERRORS = [
    (dict(ns_steps=100), "float"),
    (dict(ns_coefficients=(1.0, 2.0)), "float"),
    ({}, "complex"),
]


@pytest.mark.parametrize("kwargs,kind", STEP_ERRORS, ids=str)
def test_step_errors_match_torch(kwargs, kind):
    outs = []
    for lib in (reftorch, torch):
        dtype = lib.complex64 if kind == "complex" else lib.float32
        p = lib.nn.Parameter(lib.ones(2, 2, dtype=dtype))
        opt = lib.optim.Muon([p], **kwargs)
        p.grad = lib.ones(2, 2, dtype=dtype)
        outs.append(_err(opt.step))
    assert outs[0] is not None and outs[0] == outs[1]


def test_functional_errors_match_torch():
    import torch.optim._muon as torch_muon

    import reftorch.optim._muon as ref_muon
    kw = dict(lr=0.1, weight_decay=0.0, momentum=0.9, nesterov=True, ns_coefficients=(3.4445, -4.775, 2.0315),
              ns_steps=5, eps=1e-7, adjust_lr_fn=None, has_complex=False)
    for extra, shape in [(dict(foreach=True), (2, 2)), ({}, (4,)), (dict(has_complex=True), (2, 2))]:
        outs = []
        for lib, mod in ((reftorch, ref_muon), (torch, torch_muon)):
            p = lib.ones(shape)
            outs.append(_err(lambda: mod.muon([p], [lib.ones(shape)], [lib.zeros(shape)], **(kw | extra))))
        assert outs[0] is not None and outs[0] == outs[1]


def test_skips_parameters_without_grad_and_returns_closure_loss():
    outs = []
    for lib in (reftorch, torch):
        a, b = lib.nn.Parameter(lib.ones(2, 3)), lib.nn.Parameter(lib.ones(3, 3))
        opt = lib.optim.Muon([a, b], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (a * lib.arange(6.0).reshape(2, 3)).sum()
            loss.backward()
            return loss
        loss = opt.step(closure)
        outs.append((loss.item(), _np(a).tolist(), _np(b).tolist(), len(opt.state), a._version))
    assert outs[0] == outs[1]


def test_strict_device_runs_the_same_kernels():
    """The Newton–Schulz emulation and the fused update are written over the array namespace:
    the array-API-strict stand-in device gives the same bits as NumPy, with the momentum
    buffer on the parameter's device."""
    inits, grads = _data([(3, 5), (4, 2)], 4, 6)
    results = []
    for dev in ("cpu", "strict"):
        ps = [reftorch.nn.Parameter(reftorch.tensor(a.tolist(), device=dev)) for a in inits]
        opt = reftorch.optim.Muon(ps, lr=0.05)
        for step_grads in grads:
            for p, g in zip(ps, step_grads):
                p.grad = reftorch.tensor(g.tolist(), device=dev)
            opt.step()
        assert opt.state[ps[0]]["momentum_buffer"].device.type == dev
        results.append([p.to("cpu").tolist() for p in ps])
    assert results[0] == results[1]


def test_float16_parameters():
    """float16 gradients convert to bfloat16 through float32 exactly; the update is added in
    float32 and rounded to float16, as PyTorch's mixed float16/bfloat16 ``add_``."""
    inits, grads = _data([(4, 6), (6, 3)], 10, 7)
    inits = [a.astype(np.float16) for a in inits]
    grads = [[g.astype(np.float16) for g in gs] for gs in grads]
    rp, ro = _train(reftorch, "Muon", dict(lr=0.05), inits, grads)
    tp, to = _train(torch, "Muon", dict(lr=0.05), inits, grads)
    assert_params(rp, tp, exact=True)
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)
