"""nn.RMSNorm / F.rms_norm against PyTorch: values, gradients, grad_fn (the same composite
of ops), float16, default eps, repr, state dict and errors (the dtype warning: in
test_conformance_warn_once.py)."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,norm", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), (5,)), ((2, 0, 3), (3,))])
@pytest.mark.parametrize("with_weight", [False, True])
@pytest.mark.parametrize("eps", [None, 0.1])
def test_rms_norm(dtype, shape, norm, with_weight, eps):
    args = [RNG.standard_normal(shape).astype(dtype)]
    if with_weight:
        args.append(RNG.standard_normal(norm).astype(dtype))
    check_grads(lambda T, x, *w: T.nn.functional.rms_norm(x, norm, *w, eps=eps), *args)


@pytest.mark.parametrize("name", ["float16"])
@pytest.mark.parametrize("with_weight", [False, True])
def test_rms_norm_half_precision(name, with_weight):
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    w = RNG.standard_normal(4).astype(np.float32)

    def fn(T):
        d = getattr(T, name)
        xx = T.tensor(x, dtype=d, requires_grad=True)
        return T.nn.functional.rms_norm(xx, [4], T.tensor(w, dtype=d) if with_weight else None)
    both(fn)


def test_rms_norm_module():
    def fn(T):
        T.manual_seed(0)
        m = T.nn.RMSNorm([3, 4], eps=1e-5)
        plain = T.nn.RMSNorm(4, elementwise_affine=False)
        x = T.arange(24.0).reshape(2, 3, 4) / 7
        return (repr(m), repr(plain), list(m.state_dict()), list(plain.state_dict()), plain.weight, m(x),
                plain(x), T.nn.RMSNorm(4, dtype=T.float64).weight)
    both(fn)


@pytest.mark.parametrize("expr", [
    "F.rms_norm(x, (2, 4))", "F.rms_norm(x, ())", "F.rms_norm(x, (3, 4), T.ones(4))", "F.rms_norm(x, (4,), T.ones(3))",
    "F.rms_norm(x.long(), (4,))", "F.rms_norm(x, 4)",
])
def test_rms_norm_errors(expr):
    both(lambda T: eval(expr, {"T": T, "F": T.nn.functional, "x": T.ones(2, 3, 4)}), msg=True)
