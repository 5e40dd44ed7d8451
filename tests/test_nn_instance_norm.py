"""InstanceNorm1d/2d/3d and F.instance_norm against PyTorch: outputs, gradients of the input
and of weight/bias, grad_fn, running statistics (training and eval), unbatched inputs,
reprs, state dicts, the channel-count warning and the errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests._compare import both

R = np.random.default_rng(13)


def _run(ctor, shape, train=True, steps=2):
    x0 = R.standard_normal(shape).astype(np.float32)
    g0 = R.standard_normal(shape).astype(np.float32)

    def go(T):
        T.manual_seed(0)
        m = eval(ctor, {"nn": T.nn, "T": T})
        m.train(train)
        out = []
        for _ in range(steps):
            x = T.tensor(x0, requires_grad=True)
            y = m(x)
            (y * T.tensor(g0)).sum().backward()
            out += [y, x.grad]
        params = [p.grad for p in m.parameters()]
        return [repr(m), list(m.state_dict())] + out + params + [m.running_mean, m.running_var,
                                                                  m.num_batches_tracked]
    return go


@pytest.mark.parametrize("ctor,shape", [
    ("nn.InstanceNorm1d(3)", (2, 3, 5)), ("nn.InstanceNorm1d(3)", (3, 5)),
    ("nn.InstanceNorm1d(3, affine=True)", (2, 3, 5)), ("nn.InstanceNorm1d(3, affine=True, bias=False)", (2, 3, 5)),
    ("nn.InstanceNorm1d(3, track_running_stats=True)", (2, 3, 5)),
    ("nn.InstanceNorm2d(4, affine=True, track_running_stats=True, momentum=None)", (2, 4, 3, 3)),
    ("nn.InstanceNorm2d(4)", (4, 3, 2)), ("nn.InstanceNorm3d(2, affine=True)", (1, 2, 2, 3, 2)),
])
@pytest.mark.parametrize("train", [True, False])
def test_instance_norm(ctor, shape, train):
    both(_run(ctor, shape, train))


def test_functional_with_running_stats():
    x0 = R.standard_normal((3, 2, 4)).astype(np.float32)

    def go(T):
        rm, rv = T.zeros(2), T.ones(2)
        x = T.tensor(x0, requires_grad=True)
        y = T.nn.functional.instance_norm(x, rm, rv, T.tensor([1.0, 2.0]), T.tensor([0.5, 0.0]), momentum=0.3)
        y.sum().backward()
        ev = T.nn.functional.instance_norm(x, rm, rv, use_input_stats=False)
        return y, x.grad, rm, rv, ev, y.grad_fn.name()
    both(go)


def test_channel_mismatch_warns_without_affine():
    def go(T):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            y = T.nn.InstanceNorm1d(4)(T.arange(12.0).reshape(1, 3, 4))
        return [str(w.message) for w in seen], y
    both(go)


@pytest.mark.parametrize("expr", [
    "nn.InstanceNorm1d(3)(T.ones(2, 3, 4, 5))", "nn.InstanceNorm2d(3)(T.ones(3, 4))",
    "nn.InstanceNorm1d(4, affine=True)(T.ones(2, 3, 5))", "nn.InstanceNorm1d(3)(T.ones(2, 3, 1))",
    "F.instance_norm(T.ones(2, 3, 1))", "F.instance_norm(T.ones(2, 3, 1), T.zeros(3), T.ones(3), use_input_stats=False)",
])
def test_instance_norm_errors(expr):
    both(lambda T: eval(expr, {"nn": T.nn, "T": T, "F": T.nn.functional}), msg=True)
