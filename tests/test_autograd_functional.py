"""torch.autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) against PyTorch.

Each case is written once over the module ``T`` and run on both libraries; results are
compared by structure (tensor or nested tuples), shape, dtype, values, ``requires_grad``
and ``grad_fn`` name, errors by type and message.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch


def _f(T):
    return lambda x: (x ** 3).sum() * x[0]


def _two_in_two_out(T):
    return lambda a, b: (a * b.sin(), (a.exp() * b).sum())


X = [0.5, -1.0, 2.0]
Y = [1.5, 0.25, -0.75]


def _x(T, values=X, dtype="float64", requires_grad=False):
    return T.tensor(values, dtype=getattr(T, dtype), requires_grad=requires_grad)


def _describe(result):
    if isinstance(result, tuple):
        return tuple(_describe(r) for r in result)
    if isinstance(result, (torch.Tensor, reftorch.Tensor)):
        arr = np.asarray(result.detach().tolist(), dtype=np.float64)
        dtype = str(result.dtype).replace("torch.", "")
        node = result.grad_fn
        digits = 6 if dtype == "float32" else 10  # (float32 tanh & co. may differ in the last bit)
        return ("tensor", tuple(result.shape), dtype, result.requires_grad, None if node is None else node.name(),
                np.round(arr, digits).tolist())
    return ("value", result)


def _outcome(T, case):
    F = T.autograd.functional
    try:
        return ("ok", _describe(case(T, F)))
    except Exception as e:  # noqa: BLE001 - type and message are compared
        return ("raise", type(e).__name__, str(e))


CASES = {
    "jacobian, one in one out": lambda T, F: F.jacobian(lambda x: x.sin() * x, _x(T)),
    "jacobian, matrix input": lambda T, F: F.jacobian(lambda m: m @ m, _x(T, [[1.0, 2.0], [3.0, 4.0]])),
    "jacobian, tuples": lambda T, F: F.jacobian(_two_in_two_out(T), (_x(T), _x(T, Y))),
    "jacobian, tuple input, one output": lambda T, F: F.jacobian(lambda a, b: a * b, (_x(T), _x(T, Y))),
    "jacobian, create_graph": lambda T, F: F.jacobian(lambda x: x ** 2, _x(T), create_graph=True),
    "jacobian of a constant": lambda T, F: F.jacobian(lambda x: T.ones(2, dtype=T.float64), _x(T)),
    "jacobian, unused input": lambda T, F: F.jacobian(lambda a, b: a * 2, (_x(T), _x(T, Y))),
    "jacobian, strict, unused input": lambda T, F: F.jacobian(lambda a, b: a * 2, (_x(T), _x(T, Y)), strict=True),
    "jacobian, strict, constant": lambda T, F: F.jacobian(lambda x: T.ones(2), _x(T), strict=True),
    "jacobian, vectorize": lambda T, F: F.jacobian(lambda x: x.exp(), _x(T), vectorize=True),
    "jacobian, bad strategy": lambda T, F: F.jacobian(T.sin, _x(T), strategy="sideways"),
    "jacobian, non-tensor input": lambda T, F: F.jacobian(T.sin, [1.0]),
    "jacobian, tuple with non-tensor": lambda T, F: F.jacobian(lambda a, b: a, (_x(T), 2.0)),
    "jacobian, float32": lambda T, F: F.jacobian(lambda x: x.tanh(), _x(T, dtype="float32")),
    "hessian": lambda T, F: F.hessian(_f(T), _x(T)),
    "hessian, two inputs": lambda T, F: F.hessian(lambda a, b: (a * b.exp()).sum(), (_x(T), _x(T, Y))),
    "hessian, create_graph": lambda T, F: F.hessian(lambda x: (x ** 3).sum(), _x(T), create_graph=True),
    "hessian, strict on a linear function": lambda T, F: F.hessian(lambda x: x.sum() * 2, _x(T), strict=True),
    "hessian of a linear function": lambda T, F: F.hessian(lambda x: x.sum() * 2, _x(T)),
    "hessian, vector output": lambda T, F: F.hessian(lambda x: x * 2, _x(T)),
    "hessian, tuple output": lambda T, F: F.hessian(lambda x: (x.sum(),), _x(T)),
    "vjp": lambda T, F: F.vjp(_two_in_two_out(T), (_x(T), _x(T, Y)), (_x(T, [1.0, 2.0, 3.0]), _x(T, 0.5))),
    "vjp, scalar without v": lambda T, F: F.vjp(_f(T), _x(T)),
    "vjp, missing v": lambda T, F: F.vjp(lambda x: x * 2, _x(T)),
    "vjp, wrong v size": lambda T, F: F.vjp(lambda x: x * 2, _x(T), _x(T, [1.0, 2.0])),
    "vjp, wrong v count": lambda T, F: F.vjp(_two_in_two_out(T), (_x(T), _x(T, Y)), (_x(T),)),
    "vjp, create_graph": lambda T, F: F.vjp(lambda x: x ** 2, _x(T, requires_grad=True), _x(T), create_graph=True),
    "jvp": lambda T, F: F.jvp(_two_in_two_out(T), (_x(T), _x(T, Y)), (_x(T, [1.0, 0.0, 0.0]), _x(T, Y))),
    "jvp, one input": lambda T, F: F.jvp(lambda x: x.sin(), _x(T), _x(T, [1.0, 1.0, 1.0])),
    "jvp, missing v": lambda T, F: F.jvp(lambda x: x.sin(), _x(T)),
    "jvp, strict, linear": lambda T, F: F.jvp(lambda x: x * 2, _x(T), _x(T), strict=True),
    "vhp": lambda T, F: F.vhp(_f(T), _x(T), _x(T, Y)),
    "hvp": lambda T, F: F.hvp(_f(T), _x(T), _x(T, Y)),
    "hvp, two inputs": lambda T, F: F.hvp(lambda a, b: (a * b).sum() ** 2, (_x(T), _x(T, Y)), (_x(T), _x(T, Y))),
    "hvp, vector output": lambda T, F: F.hvp(lambda x: x * 2, _x(T), _x(T)),
    "vhp, tuple output": lambda T, F: F.vhp(lambda x: (x.sum(),), _x(T), _x(T)),
    "hvp, create_graph": lambda T, F: F.hvp(_f(T), _x(T, requires_grad=True), _x(T, Y), create_graph=True),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_functional_as_pytorch(name):
    assert _outcome(reftorch, CASES[name]) == _outcome(torch, CASES[name])


@pytest.mark.torch
def test_hessian_values_by_hand():
    # f(x) = x0 * sum(x**3): H[i][j] = 3 (x_i**2 [j=0] + x_j**2 [i=0]) + 6 x0 x_i [i=j]
    x = np.array(X)
    h = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            h[i, j] = 3 * (x[i] ** 2 * (j == 0) + x[j] ** 2 * (i == 0)) + 6 * x[0] * x[i] * (i == j)
    got = reftorch.autograd.functional.hessian(_f(reftorch), _x(reftorch))
    assert np.allclose(np.array(got.tolist()), h)


def test_inputs_and_their_grads_are_left_alone():
    x = _x(reftorch, requires_grad=True)
    reftorch.autograd.functional.jacobian(lambda t: t ** 2, x)
    assert x.grad is None and x.requires_grad
