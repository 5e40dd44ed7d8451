"""Hardshrink, Softshrink, Tanhshrink (and their F forms) against PyTorch: values (the sign
of zero included), gradients, first- and second-order grad_fn names, reprs, errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

X = np.array([-1.0, -0.5, -0.2, -0.0, 0.0, 0.3, 0.5, 0.7, 2.0], np.float32)


@pytest.mark.parametrize("fn", ["hardshrink(x)", "hardshrink(x, 0.3)", "hardshrink(x, -1.0)", "softshrink(x)",
                                "softshrink(x, 0.3)", "softshrink(x, 0.0)", "tanhshrink(x)"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shrink(fn, dtype):
    # (bit for bit but tanhshrink: NumPy's tanh and PyTorch's differ in the last bit)
    check_grads(lambda T, x: eval("F." + fn, {"F": T.nn.functional, "x": x}), X.astype(dtype),
                exact=not fn.startswith("tanh"))


@pytest.mark.parametrize("fn", ["hardshrink", "softshrink"])
def test_shrink_signs_and_second_order(fn):
    def go(T):
        x = T.tensor(X, requires_grad=True)
        y = getattr(T.nn.functional, fn)(x)
        (g,) = T.autograd.grad((y * y).sum(), x, create_graph=True)
        g.sum().backward()
        return y.detach().numpy().tobytes(), g, g.grad_fn.name(), x.grad
    both(go)


@pytest.mark.parametrize("expr", [
    "repr(nn.Hardshrink())", "repr(nn.Softshrink(0.3))", "repr(nn.Tanhshrink())", "nn.Softshrink(0.3)(x)",
    "F.softshrink(x, -1.0)", "F.softshrink(x.double(), -0.5)", "F.hardshrink(x.long())", "F.softshrink(x.long())",
    "F.tanhshrink(x.long())", "F.hardshrink(T.tensor([0.5, float('nan')]))",
    "F.softshrink(T.tensor([float('nan'), float('inf'), -float('inf')]))",
])
def test_shrink_cases(expr):
    both(lambda T: eval(expr, {"T": T, "nn": T.nn, "F": T.nn.functional, "x": T.tensor(X)}), msg=True)
