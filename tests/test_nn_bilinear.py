"""nn.Bilinear / F.bilinear against PyTorch: seeded weights, repr, values, every gradient,
grad_fn names, batch shapes, no bias, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(4)


@pytest.mark.parametrize("lead", [(5,), (), (2, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bilinear(lead, with_bias, dtype):
    args = [RNG.standard_normal(lead + (3,)).astype(dtype), RNG.standard_normal(lead + (4,)).astype(dtype),
            RNG.standard_normal((2, 3, 4)).astype(dtype)]
    if with_bias:
        args.append(RNG.standard_normal(2).astype(dtype))
    check_grads(lambda T, *a: T.nn.functional.bilinear(*a), *args)


def test_bilinear_module():
    def go(T):
        T.manual_seed(0)
        m = T.nn.Bilinear(3, 4, 2)
        plain = T.nn.Bilinear(3, 4, 2, bias=False)
        x1, x2 = T.ones(5, 3, requires_grad=True), T.arange(20.).reshape(5, 4) / 10
        y = m(x1, x2)
        y.sum().backward()
        return repr(m), repr(plain), list(m.state_dict()), m.weight, m.bias, y, x1.grad, m.weight.grad, plain(x1, x2)
    both(go)


@pytest.mark.parametrize("expr", [
    "F.bilinear(T.ones(5, 3), T.ones(4, 4), w)", "F.bilinear(T.ones(5, 2), T.ones(5, 4), w)",
    "F.bilinear(T.ones(5, 3), T.ones(5, 5), w)", "F.bilinear(T.ones(5, 3), T.ones(5, 4), w, T.zeros(3))",
    "F.bilinear(T.ones(5, 3), T.ones(2, 5, 4), w)", "T.nn.Bilinear(0, 4, 2)",
])
def test_bilinear_errors(expr):
    both(lambda T: eval(expr, {"T": T, "F": T.nn.functional, "w": T.ones(2, 3, 4)}), msg=True)
