"""torch.utils.checkpoint against PyTorch: both variants give PyTorch's outputs, grad_fn
names and gradients (inputs and parameters), dropout inside reproduces its mask on the
reentrant recomputation and the global random stream is left as PyTorch leaves it;
checkpoint_sequential; the use_reentrant warnings and the errors. The non-reentrant variant
keeps no activation (saved-tensor hooks) and recomputes the function in backward, as
PyTorch does: tests/test_checkpoint_non_reentrant.py."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch
from tests._nn_compare import raises_same, same

LIBS = (reftorch, torch)
X = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)


def _model(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(4, 5), T.nn.Tanh(), T.nn.Dropout(0.5), T.nn.Linear(5, 3), T.nn.ReLU(),
                           T.nn.Linear(3, 2))


def _grads(T, run, **kw):
    """``run(T, model, x)`` -> output; returns output, grad_fn name, the input's and the
    parameters' gradients and the next numbers of the global stream."""
    model = _model(T)
    x = T.tensor(X, requires_grad=True)
    T.manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = run(T, model, x)
    name = out.grad_fn.name()
    out.pow(2).sum().backward()
    return out, name, x.grad, [p.grad for p in model.parameters()], T.rand(3)


@pytest.mark.parametrize("reentrant,preserve", [(True, True), (True, False), (None, True), (None, False),
                                                (False, True), (False, False)])
def test_checkpoint_matches_torch(reentrant, preserve):
    """Also with ``preserve_rng_state=False``: the recomputation draws another dropout mask
    (so the gradients are not those of the forward pass) and advances the global stream."""
    def run(T, model, x):
        return T.utils.checkpoint.checkpoint(model, x, use_reentrant=reentrant, preserve_rng_state=preserve)
    r, t = _grads(reftorch, run), _grads(torch, run)
    assert r[1] == t[1] == ("AddmmBackward0" if reentrant is False else "CheckpointFunctionBackward")
    same(r, t)


@pytest.mark.parametrize("reentrant", [True, False])
def test_dropout_mask_is_reproduced(reentrant):
    """With the random state preserved, the gradients are those of the uncheckpointed model."""
    for T in LIBS:
        plain = _grads(T, lambda T, m, x: m(x))
        ck = _grads(T, lambda T, m, x: T.utils.checkpoint.checkpoint(m, x, use_reentrant=reentrant))
        for a, b in zip([ck[0], ck[2]] + ck[3], [plain[0], plain[2]] + plain[3]):
            assert T.equal(a, b)
        assert T.equal(ck[4], plain[4])


@pytest.mark.parametrize("segments", [1, 2, 3, 6])
@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("as_list", [False, True])
def test_checkpoint_sequential_matches_torch(segments, reentrant, as_list):
    def run(T, model, x):
        fns = list(model) if as_list else model
        return T.utils.checkpoint.checkpoint_sequential(fns, segments, x, use_reentrant=reentrant)
    r, t = _grads(reftorch, run), _grads(torch, run)
    assert r[1] == t[1]
    same(r, t)


def test_tuple_outputs_and_non_tensor_arguments():
    def go(T):
        x = T.tensor(X, requires_grad=True)
        w = T.tensor(X[:, :2].copy(), requires_grad=True)

        def f(a, scale, b):
            return a.sin() * scale, "tag", b.exp()
        out = T.utils.checkpoint.checkpoint(f, x, 3.0, w, use_reentrant=True)
        (out[0].sum() + out[2].sum()).backward()
        return out[0], out[1], out[2], x.grad, w.grad, out[0].grad_fn.name()
    same(go(reftorch), go(torch))


def test_non_reentrant_kwargs_and_autograd_grad():
    def go(T):
        x = T.tensor(X, requires_grad=True)
        y = T.utils.checkpoint.checkpoint(lambda a, *, power: a ** power, x, power=3, use_reentrant=False)
        return y, T.autograd.grad(y.sum(), x)
    same(go(reftorch), go(torch))


@pytest.mark.parametrize("call,sequential", [("T.utils.checkpoint.checkpoint(f, x)", False),
                                             ("T.utils.checkpoint.checkpoint_sequential([f, f], 2, x)", True)])
def test_warning_when_use_reentrant_is_not_passed(call, sequential):
    messages = []
    for T in LIBS:
        env = {"T": T, "f": T.nn.Tanh(), "x": T.ones(2, requires_grad=True)}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            eval(call, env)
            eval(call.replace("x)", "x, use_reentrant=False)"), env)
            eval(call.replace("x)", "x, use_reentrant=True)"), env)
        messages.append([(w.category, str(w.message)) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1
    assert messages[0][0][0] is UserWarning and "use_reentrant parameter should be passed" in messages[0][0][1]


def test_no_input_requires_grad():
    outs = []
    for T in LIBS:
        lin = T.nn.Linear(2, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = T.utils.checkpoint.checkpoint(lin, T.ones(1, 2), use_reentrant=True)
        outs.append(([str(w.message) for w in caught], y.requires_grad, y.grad_fn))
    assert outs[0] == outs[1] == (["None of the inputs have requires_grad=True. Gradients will be None"], False, None)


@pytest.mark.parametrize("make", [
    lambda T, x: T.utils.checkpoint.checkpoint(lambda a, b: a * b, x, b=2, use_reentrant=True),
    lambda T, x: T.utils.checkpoint.checkpoint(T.sin, x, use_reentrant=True,
                                               context_fn=T.utils.checkpoint.noop_context_fn.__call__),
    lambda T, x: T.utils.checkpoint.checkpoint(T.sin, x, use_reentrant=True, debug=True),
    lambda T, x: T.utils.checkpoint.checkpoint(T.sin, x, use_reentrant=False, determinism_check="all"),
    lambda T, x: T.utils.checkpoint.checkpoint_sequential([T.sin], 1, x, use_reentrant=True, foo=1),
    lambda T, x: T.autograd.grad(T.utils.checkpoint.checkpoint(T.sin, x, use_reentrant=True).sum(), x),
    lambda T, x: T.utils.checkpoint.checkpoint(T.sin, x, use_reentrant=True).sum().backward(inputs=[x]),
    lambda T, x: T.utils.checkpoint.checkpoint(lambda a: a.detach() * 2, x, use_reentrant=True).sum().backward(),
    lambda T, x: T.utils.checkpoint.detach_variable([x]),
])
def test_errors_match_torch(make):
    raises_same(lambda T: make(T, T.ones(2, requires_grad=True)))


def test_detach_variable_and_public_names():
    for T in LIBS:
        x = T.ones(2, requires_grad=True)
        a, b, c = T.utils.checkpoint.detach_variable((x, 3, T.zeros(1)))
        assert a.requires_grad and a.is_leaf and a is not x and b == 3 and not c.requires_grad
    assert set(reftorch.utils.checkpoint.__all__) <= set(torch.utils.checkpoint.__all__)


@pytest.mark.parametrize("reentrant", [True, False])
def test_strict_device_gives_the_cpu_gradients(reentrant):
    out = []
    for dev in ("cpu", "strict"):
        model = _model(reftorch).to(dev)
        x = reftorch.tensor(X, device=dev, requires_grad=True)
        reftorch.manual_seed(1)
        y = reftorch.utils.checkpoint.checkpoint(model, x, use_reentrant=reentrant)
        y.sum().backward()
        out.append([t.to("cpu").numpy() for t in [y.detach(), x.grad] + [p.grad for p in model.parameters()]])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_reentrant_checkpoint_refused_inside_a_backward_with_inputs():
    """PyTorch's validity is per backward pass and inherited: a backward pass started by a
    hook of ``autograd.grad`` cannot run the reentrant checkpoint either; one started inside a
    plain backward can."""
    def go(T):
        res = []
        valid = reftorch.autograd.engine._is_checkpoint_valid if T is reftorch else T.autograd._is_checkpoint_valid

        def hook(g):
            res.append(valid())
            with T.enable_grad():
                y = T.utils.checkpoint.checkpoint(T.sin, T.ones(2, requires_grad=True), use_reentrant=True)
                try:
                    y.sum().backward()
                    res.append("ran")
                except RuntimeError as e:
                    res.append(str(e))
            return g
        x, z = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
        for backward in (lambda s: T.autograd.grad(s, z), lambda s: s.backward()):
            p = x * z
            p.register_hook(hook)
            backward(p.sum())
        return res + [valid()]
    r, t = go(reftorch), go(torch)
    assert r == t and r[0] is False and r[2:] == [True, "ran", True]
