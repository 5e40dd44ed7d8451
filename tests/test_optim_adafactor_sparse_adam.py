"""Adafactor and SparseAdam against PyTorch 2.13, with the harness of ``test_optim.py``.

Adafactor is written with PyTorch's tensor operations in its order; its parameter and
update norms are reductions whose float32 summation order differs from PyTorch's
vectorized kernels, so parameters and state agree to float32 rounding (not to the bit).
reftorch has no sparse tensors: SparseAdam's constructor, checks, repr and state_dict are
PyTorch's, and ``step`` with a (dense) gradient raises PyTorch's RuntimeError.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch

import torch  # the oracle

from tests.test_optim import _data, _err, _make, _np, _train, assert_params, assert_state_dicts, to_ref

SHAPES = [(7, 5), (4,), (), (2, 3, 4)]  # matrices and a 3-d tensor are factored
CASES = [
    dict(),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, maximize=True, d=2.0),
    dict(beta2_decay=-0.5, eps=(1e-20, 1e-2)),
    dict(lr=0.0),
]


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_adafactor_100_steps_agree_to_float32_rounding(kwargs):
    inits, grads = _data(SHAPES, 100, 1)
    rp, ro = _train(reftorch, "Adafactor", kwargs, inits, grads)
    tp, to = _train(torch, "Adafactor", kwargs, inits, grads)
    assert_params(rp, tp, exact=False)
    assert_state_dicts(ro.state_dict(), to.state_dict())


def test_adafactor_float64_and_eps1_of_the_first_dtype():
    """``eps1=None`` becomes the epsilon of the first parameter's dtype, as in PyTorch's loop."""
    rng = np.random.default_rng(3)
    inits = [rng.standard_normal((3, 4)), rng.standard_normal((5,)).astype(np.float32)]
    grads = [[rng.standard_normal((3, 4)) * 1e-9, (rng.standard_normal((5,)) * 1e-5).astype(np.float32)]
             for _ in range(30)]
    rp, ro = _train(reftorch, "Adafactor", {}, inits, grads)
    tp, to = _train(torch, "Adafactor", {}, inits, grads)
    np.testing.assert_allclose(_np(rp[0]), _np(tp[0]), rtol=1e-12, atol=1e-13)
    assert rp[0].dtype == reftorch.float64
    assert_params(rp[1:], tp[1:], exact=False)
    assert_state_dicts(ro.state_dict(), to.state_dict())


@pytest.mark.parametrize("name,kwargs", [("Adafactor", dict(lr=0.1, d=2.0)), ("SparseAdam", dict(lr=0.1)),
                                         ("SparseAdam", dict(betas=(0.5, 0.9), eps=1e-6, maximize=True))],
                         ids=str)
def test_groups_defaults_and_repr(name, kwargs):
    outs = []
    for lib in (reftorch, torch):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([{"params": [a]}, {"params": b, "lr": 0.5}], **kwargs)
        outs.append((repr(opt), opt.defaults, [{k: v for k, v in g.items() if k != "params"}
                                               for g in opt.param_groups], opt.state_dict()))
    assert outs[0] == outs[1]


def test_adafactor_state_dict_round_trips_with_torch():
    inits, grads = _data(SHAPES, 40, 5)
    tp, to = _train(torch, "Adafactor", {}, inits, grads[:20])
    rp = _make(reftorch, [_np(p) for p in tp])
    ro = reftorch.optim.Adafactor(rp)
    ro.load_state_dict(to_ref(to.state_dict()))
    assert_state_dicts(ro.state_dict(), to.state_dict(), exact=True)
    _train(reftorch, "Adafactor", {}, None, grads[20:], params=rp, opt=ro)
    _train(torch, "Adafactor", {}, None, grads[20:], params=tp, opt=to)
    assert_params(rp, tp, exact=False)
    assert_state_dicts(ro.state_dict(), to.state_dict())


def test_adafactor_old_state_with_a_number_step_loads_as_a_tensor():
    outs = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.Adafactor([p])
        state = {"state": {0: {"step": 4, "variance": lib.ones(3)}},
                 "param_groups": [{k: v for k, v in opt.param_groups[0].items() if k not in ("params", "foreach")}
                                  | {"params": [0]}]}
        opt.load_state_dict(state)
        step = opt.state[p]["step"]
        outs.append((repr(step), opt.param_groups[0]["foreach"]))
    assert outs[0] == outs[1]


ERROR_CASES = [
    lambda L, p: L.optim.Adafactor([p], lr=-1),
    lambda L, p: L.optim.Adafactor([p], lr=L.tensor([0.1, 0.2])),
    lambda L, p: L.optim.Adafactor([p], beta2_decay=0.5),
    lambda L, p: L.optim.Adafactor([p], eps=(-1.0, 1e-3)),
    lambda L, p: L.optim.Adafactor([p], eps=(None, -1e-3)),
    lambda L, p: L.optim.Adafactor([p], d=0.5),
    lambda L, p: L.optim.Adafactor([p], weight_decay=-0.1),
    lambda L, p: L.optim.SparseAdam([p], lr=0.0),
    lambda L, p: L.optim.SparseAdam([p], lr=L.tensor([0.1, 0.2])),
    lambda L, p: L.optim.SparseAdam([p], eps=0.0),
    lambda L, p: L.optim.SparseAdam([p], betas=(1.0, 0.9)),
    lambda L, p: L.optim.SparseAdam([p], betas=(0.9, -0.1)),
    lambda L, p: L.optim.SparseAdam([p, L.zeros(2, dtype=L.complex64, requires_grad=True)]),
]


@pytest.mark.parametrize("i", range(len(ERROR_CASES)))
def test_errors_match_torch(i):
    results = []
    for lib in (reftorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        results.append(_err(lambda: ERROR_CASES[i](lib, p)))
    assert results[0] is not None
    assert results[0] == results[1]


@pytest.mark.parametrize("make", [
    lambda L: (L.optim.Adafactor, L.zeros(2, dtype=L.complex64, requires_grad=True)),
    lambda L: (L.optim.SparseAdam, L.zeros(2, requires_grad=True)),  # a dense gradient
])
def test_step_errors_match_torch(make):
    results = []
    for lib in (reftorch, torch):
        cls, p = make(lib)
        opt = cls([p])
        p.grad = lib.ones_like(p)
        results.append(_err(opt.step))
    assert results[0] is not None and results[0] == results[1]


def test_sparse_adam_without_gradients_and_embedding_dense_grad():
    """A step without gradients does nothing; a dense gradient (reftorch's embedding, torch's
    ``sparse=False`` embedding) raises the same error."""
    for lib in (reftorch, torch):
        emb = lib.nn.Embedding(4, 2)
        opt = lib.optim.SparseAdam(emb.parameters())
        before = emb.weight.detach().clone()
        assert opt.step() is None and not opt.state
        assert lib.equal(emb.weight, before)
        emb(lib.tensor([1, 2])).sum().backward()
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
            opt.step()


def test_adafactor_on_the_strict_device_gives_the_same_values():
    """The array-API-strict stand-in device runs the same tensor operations as the CPU; the
    ``step`` counter stays on the CPU as in PyTorch."""
    inits, grads = _data([(2, 3), (3,), ()], 5, 6)
    results = []
    for dev in ("cpu", "strict"):
        ps = [reftorch.nn.Parameter(reftorch.tensor(a.tolist(), device=dev)) for a in inits]
        opt = reftorch.optim.Adafactor(ps, lr=0.05, weight_decay=0.1)
        for step_grads in grads:
            for p, g in zip(ps, step_grads):
                p.grad = reftorch.tensor(g.tolist(), device=dev)
            opt.step()
        assert {k: v.device.type for k, v in opt.state[ps[0]].items()} == \
            {"step": "cpu", "row_var": dev, "col_var": dev}
        results.append([p.to("cpu").tolist() for p in ps])
    np.testing.assert_allclose(np.concatenate([np.ravel(r) for r in results[0]]),
                               np.concatenate([np.ravel(r) for r in results[1]]), rtol=1e-6, atol=1e-7)
