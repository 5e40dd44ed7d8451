"""``torch.cond`` in eager mode against PyTorch: the branch taken, the results' grad_fn,
gradients, nested results, and the argument errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads

X = np.array([0.5, -2.0, 1.5])


@pytest.mark.parametrize("pred", ["tensor", True, 0, 1.0])
def test_branch_and_grads(pred):
    def fn(T, x):
        p = (x.sum() > 0) if pred == "tensor" else pred
        return T.cond(p, lambda a: a * a, lambda a: a.sin(), (x,))
    check_grads(fn, X)
    check_grads(fn, -X)


def test_nested_results_and_operands():
    def fn(T, x, y):
        return T.cond(T.tensor(1), lambda d, ys: (d["a"] + ys[0], [d["a"] * ys[0]]),
                      lambda d, ys: (d["a"] - ys[0], [d["a"] * 2]), ({"a": x}, [y]))
    check_grads(fn, X, X[::-1].copy())


def test_no_grad_and_no_operands():
    both(lambda T, x: T.cond(T.tensor(False), lambda a: a + 1, lambda a: a - 1, (x,)), X)
    both(lambda T: T.cond(T.tensor(True), lambda: T.ones(2), lambda: T.zeros(2)))


def test_keywords():
    check_grads(lambda T, x: T.cond(pred=x[0] > 0, true_fn=lambda a: a.exp(), false_fn=lambda a: a.cos(), operands=[x]), X)


ERRORS = [
    lambda T, x: T.cond(T.tensor([True, False]), lambda a: a + 1, lambda a: a - 1, (x,)),
    lambda T, x: T.cond("a", lambda a: a, lambda a: a, (x,)),
    lambda T, x: T.cond(T.tensor(True), 3, lambda a: a, (x,)),
    lambda T, x: T.cond(T.tensor(True), lambda a, n: a + n, lambda a, n: a - n, (x, 2)),
    lambda T, x: T.cond(True, 3, lambda a: a, (x,)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    both(ERRORS[i], X, msg=True)


def test_returning_an_operand_is_refused():
    """PyTorch refuses a branch that returns an operand itself (aliasing; an
    ``UncapturedHigherOrderOpError``, a RuntimeError); reftorch raises RuntimeError."""
    for T in (torch, reftorch):
        x = T.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            T.cond(T.tensor(True), lambda a: a, lambda a: a + 1, (x,))
