"""Conformance: every ``grad_fn`` is an instance of a class named after its backward, as
in PyTorch (``type(t.grad_fn).__name__ == "MulBackward0"``), checked against torch."""
from __future__ import annotations

import pytest

import reftorch
from tests._compare import torch

CASES = {
    "mul": lambda T, x: x * 2,
    "mul_t": lambda T, x: x * x,
    "add": lambda T, x: x + 1,
    "sum": lambda T, x: x.sum(),
    "mean": lambda T, x: x.mean(0),
    "view": lambda T, x: x.view(6),
    "reshape": lambda T, x: x.reshape(3, 2),
    "t": lambda T, x: x.t(),
    "getitem": lambda T, x: x[0],
    "index": lambda T, x: x[[0, 1]],
    "cat": lambda T, x: T.cat([x, x]),
    "matmul": lambda T, x: x @ x.t(),
    "exp": lambda T, x: x.exp(),
    "pow": lambda T, x: x ** 2,
    "clone": lambda T, x: x.clone(),
    "masked_fill": lambda T, x: x.masked_fill(x > 0, 0.0),
    "expand": lambda T, x: x[:, :1].expand(2, 4),
    "inplace_view": lambda T, x: _inplace_view(x),
}


def _inplace_view(x):
    y = x.clone()
    y[0].mul_(2)
    return y


@pytest.mark.parametrize("case", sorted(CASES))
def test_grad_fn_class_name(case):
    fn = CASES[case]
    t = fn(torch, torch.ones(2, 3, requires_grad=True))
    r = fn(reftorch, reftorch.ones(2, 3, requires_grad=True))
    assert type(r.grad_fn).__name__ == type(t.grad_fn).__name__
    assert r.grad_fn.name() == t.grad_fn.name()
    for (nr, _), (nt, _) in zip(r.grad_fn.next_functions, t.grad_fn.next_functions):
        assert type(nr).__name__ == type(nt).__name__


def test_one_class_per_name():
    x = reftorch.ones(2, requires_grad=True)
    a, b = x * 2, x * 3
    assert type(a.grad_fn) is type(b.grad_fn)
    assert type(a.grad_fn) is not type(a.sum().grad_fn)
    assert isinstance(a.grad_fn, reftorch.autograd.Node)
    assert type(a.grad_fn).__qualname__ == "MulBackward0"
