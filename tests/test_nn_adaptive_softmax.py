"""nn.AdaptiveLogSoftmaxWithLoss against PyTorch: seeded init, forward's named tuple,
gradients, log_prob, predict, repr, state_dict keys and errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _nn_compare import raises_same, same, tonp


def _pair(*args, **kw):
    mods = []
    for T in (reftorch, torch):
        T.manual_seed(0)
        mods.append(T.nn.AdaptiveLogSoftmaxWithLoss(*args, **kw))
    return mods


def _inputs(shape, target, seed=1):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return [(T.tensor(x, requires_grad=True), T.tensor(target)) for T in (reftorch, torch)]


@pytest.mark.parametrize("kw", [{}, {"div_value": 2.0}, {"head_bias": True, "div_value": 1.5}])
def test_init_forward_and_grads(kw):
    r, t = _pair(16, 20, [5, 10, 15], **kw)
    assert repr(r) == repr(t)
    assert list(r.state_dict()) == list(t.state_dict())
    for (k, a), b in zip(r.state_dict().items(), t.state_dict().values()):
        np.testing.assert_array_equal(tonp(a), tonp(b), err_msg=k)
    target = [0, 7, 19, 12, 4, 16, 11]
    (xr, yr), (xt, yt) = _inputs((7, 16), target)
    out_r, out_t = r(xr, yr), t(xt, yt)
    assert type(out_r).__name__ == type(out_t).__name__ == "_ASMoutput"
    assert out_r._fields == out_t._fields
    same(out_r.output, out_t.output)
    same(out_r.loss, out_t.loss)
    out_r.loss.backward()
    out_t.loss.backward()
    same(xr.grad, xt.grad)
    for (k, a), b in zip(r.named_parameters(), t.parameters()):
        same(a.grad, b.grad)


def test_unbatched_and_partial_clusters():
    r, t = _pair(8, 10, [3, 6])
    (xr, yr), (xt, yt) = _inputs((8,), 7)
    same(r(xr, yr), t(xt, yt))
    (xr, yr), (xt, yt) = _inputs((3, 8), [1, 2, 0])  # the shortlist only
    same(r(xr, yr), t(xt, yt))
    (xr, yr), (xt, yt) = _inputs((1, 8), [9])  # one row in the last cluster
    same(r(xr, yr), t(xt, yt))


def test_log_prob_and_predict():
    r, t = _pair(6, 12, [2, 7], div_value=2.0, head_bias=True)
    for seed, scale in ((2, 1.0), (3, 4.0), (4, 9.0)):
        x = np.random.default_rng(seed).standard_normal((9, 6)).astype(np.float32) * scale
        same(r.log_prob(reftorch.tensor(x)), t.log_prob(torch.tensor(x)))
        same(r.predict(reftorch.tensor(x)), t.predict(torch.tensor(x)), exact=True)
    with torch.no_grad():  # every row outside the shortlist, then every row in it
        t.head.bias.copy_(torch.tensor([-9.0, -9.0, 9.0, 0.0]))
    with reftorch.no_grad():
        r.head.bias.copy_(reftorch.tensor([-9.0, -9.0, 9.0, 0.0]))
    x = np.zeros((4, 6), np.float32)
    same(r.predict(reftorch.tensor(x)), t.predict(torch.tensor(x)), exact=True)
    with torch.no_grad():
        t.head.bias.copy_(torch.tensor([9.0, -9.0, -9.0, 0.0]))
    with reftorch.no_grad():
        r.head.bias.copy_(reftorch.tensor([9.0, -9.0, -9.0, 0.0]))
    same(r.predict(reftorch.tensor(x)), t.predict(torch.tensor(x)), exact=True)


@pytest.mark.parametrize("cutoffs", [[], [3, 2], [0, 4], [4, 10], [3, 3], [2.5]])
def test_bad_cutoffs(cutoffs):
    raises_same(lambda T: T.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs))


def test_forward_errors():
    for x, y in (((3, 8), [0, 1]), ((2, 2, 8), [0, 1]), ((2, 8), 1), ((8,), [[1]]), ((2, 8), [0, 10]),
                 ((2, 8), [-1, 3])):
        def fn(T, x=x, y=y):
            T.manual_seed(0)
            return T.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6])(T.zeros(x), T.tensor(y))
        raises_same(fn)
