"""torch.func.grad and grad_and_value, against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch


def _plain(x):
    """Tensors as (values, shape, dtype, has grad_fn); nests as nests."""
    if isinstance(x, (reftorch.Tensor, torch.Tensor)):
        return (np.round(x.detach().numpy().astype(np.float64), 5).tolist(), tuple(x.shape), str(x.dtype),
                x.grad_fn is not None)
    if isinstance(x, (tuple, list)):
        return type(x)(_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _outcome(T, fn):
    try:
        return _plain(fn(T))
    except Exception as e:  # the error is part of the behaviour compared
        return ("raised", type(e).__name__, str(e))


def _same(fn):
    expected = _outcome(torch, fn)
    assert _outcome(reftorch, fn) == expected
    return expected


X = [0.5, -1.0, 2.0]

CASES = {
    "sum_of_squares": lambda T: T.func.grad(lambda x: (x ** 2).sum())(T.tensor(X)),
    "value": lambda T: T.func.grad_and_value(lambda x: (x.exp() * x).sum())(T.tensor(X)),
    "argnums_tuple": lambda T: T.func.grad(lambda x, y: (x * y.sin()).sum(), argnums=(0, 1))(T.tensor(X), T.tensor(X)),
    "argnums_second": lambda T: T.func.grad(lambda x, y: (x * y).sum(), argnums=1)(T.tensor(X), T.tensor(X) + 1),
    "negative_argnum": lambda T: T.func.grad(lambda x, y: (x * y).sum(), argnums=-1)(T.tensor(X), T.tensor(X) + 1),
    "dict_and_list": lambda T: T.func.grad(lambda d: (d["a"] * d["b"][0]).sum())(
        {"a": T.tensor(X), "b": [T.tensor(X) * 2]}),
    "has_aux": lambda T: T.func.grad(lambda x: ((x ** 2).sum(), {"mean": x.mean()}), has_aux=True)(T.tensor(X)),
    "value_and_aux": lambda T: T.func.grad_and_value(lambda x: (x.sum(), x * 2), has_aux=True)(T.tensor(X)),
    "second_derivative": lambda T: T.func.grad(T.func.grad(T.sin))(T.tensor(0.5)),
    "third_derivative": lambda T: T.func.grad(T.func.grad(T.func.grad(lambda x: x ** 4)))(T.tensor(1.5)),
    "unused_input": lambda T: T.func.grad(lambda x: T.tensor(3.0))(T.tensor(X)),
    "kwargs_not_differentiated": lambda T: T.func.grad(lambda x, y: (x * y).sum())(T.tensor(X), y=T.tensor(X)),
    "under_no_grad": lambda T: _under_no_grad(T),
    "module_parameters": lambda T: _module_params(T),
}


def _under_no_grad(T):
    with T.no_grad():
        return T.func.grad(lambda x: (x ** 3).sum())(T.tensor(X))


def _module_params(T):
    T.manual_seed(0)
    lin = T.nn.Linear(3, 1)
    params = {k: v.detach() for k, v in lin.named_parameters()}
    x = T.tensor([X])
    return T.func.grad(lambda p: T.func.functional_call(lin, p, (x,)).sum())(params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_grad_like_torch(name):
    _same(CASES[name])


ERRORS = {
    "not_scalar": lambda T: T.func.grad(lambda x: x ** 2)(T.tensor(X)),
    "not_tensor": lambda T: T.func.grad(lambda x: 3.0)(T.tensor(X)),
    "argument_not_tensor": lambda T: T.func.grad(lambda x: x)(3.0),
    "no_arguments": lambda T: T.func.grad(lambda: T.tensor(1.0))(),
    "argnum_out_of_range": lambda T: T.func.grad(lambda x: x.sum(), argnums=1)(T.tensor(X)),
    "repeated_argnums": lambda T: T.func.grad(lambda x: x.sum(), argnums=(0, 0))(T.tensor(X)),
    "float_argnums": lambda T: T.func.grad(lambda x: x.sum(), argnums=1.0)(T.tensor(X)),
    "empty_argnums": lambda T: T.func.grad(lambda x: x.sum(), argnums=())(T.tensor(X)),
    "aux_not_a_pair": lambda T: T.func.grad(lambda x: x.sum(), has_aux=True)(T.tensor(X)),
    "integer_input": lambda T: T.func.grad(lambda x: (x * 2).sum())(T.tensor([1, 2])),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_grad_errors_like_torch(name):
    assert _same(ERRORS[name])[0] == "raised"


def test_outer_backward_reaches_through_grad():
    def fn(T):
        x = T.tensor(X, requires_grad=True)
        g = T.func.grad(lambda x: (x ** 3).sum())(x)
        g.sum().backward()
        return g.detach(), g.requires_grad, x.grad
    _same(fn)
