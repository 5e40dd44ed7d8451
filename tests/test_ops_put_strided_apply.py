"""torch.put / Tensor.put(_) (accumulate, gradients), empty_strided / new_empty_strided,
Tensor.resize_as_, Tensor.apply_ / map_ against PyTorch: values, layouts, grad_fn names,
errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads

X = np.arange(6, dtype=np.float32).reshape(2, 3)
S = np.array([10.0, 20.0, 30.0], np.float32)


@pytest.mark.parametrize("expr", [
    "x.put(T.tensor([0, 4, -1]), s)", "T.put(x, T.tensor([0, 0, 1]), s, accumulate=True)",
    "x.put(T.tensor([[5], [0], [2]]), s)", "x.t().put(T.tensor([1, 2, 3]), s)",
    "x.put(T.tensor([0, 0, 0]), s, True) * 2",
])
def test_put_values_and_grads(expr):
    check_grads(lambda T, x, s: eval(expr, {"T": T, "x": x, "s": s}), X, S)


@pytest.mark.parametrize("expr", [
    "T.zeros(3).put(T.tensor([1]), T.tensor([7.]))", "T.zeros(2, 2, dtype=T.int64).put_(T.tensor([3]), T.tensor([4]))",
    "T.arange(3).put(T.tensor([1, 1]), T.tensor([5, 6]), accumulate=True)",
    "T.zeros(0).put(T.tensor([], dtype=T.int64), T.tensor([]))",
    "(T.zeros(3, requires_grad=True) * 1).put_(T.tensor([1]), T.tensor([2.]))",
])
def test_put_cases(expr):
    assert not isinstance(both(lambda T: eval(expr, {"T": T})), Exception)


@pytest.mark.parametrize("expr", [
    "T.zeros(3).put(T.tensor([5]), T.tensor([1.]))", "T.zeros(3).put(T.tensor([-4]), T.tensor([1.]))",
    "T.zeros(3).put(T.tensor([1.]), T.tensor([1.]))", "T.zeros(3).put(T.tensor([1, 2]), T.tensor([1.]))",
    "T.zeros(3).put(T.tensor([1]), T.tensor([1]))", "T.zeros(3).put(T.tensor([1]), 1.0)",
])
def test_put_errors(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", [
    "T.empty_strided((2, 3), (1, 2))", "T.empty_strided((2, 3), (3, 1), dtype=T.int64)",
    "T.empty_strided((2, 2), (0, 1))", "T.empty_strided((0, 2), (2, 1))", "T.empty_strided((), ())",
    "T.empty_strided([4], [2], dtype=T.float64, requires_grad=True)",
    "T.ones(2, dtype=T.float64).new_empty_strided((2, 2), (1, 2))",
    "T.ones(2).new_empty_strided((3,), (2,), dtype=T.int32)",
])
def test_empty_strided(expr):
    def go(T):
        e = eval(expr, {"T": T})
        return e.shape, e.stride(), e.dtype, e.is_contiguous(), e.requires_grad, e.is_leaf, e._base is None
    both(go)


def test_empty_strided_errors():
    both(lambda T: T.empty_strided((2, 3), (1,)), msg=True)


@pytest.mark.parametrize("expr", [
    "T.zeros(2, 2).resize_as_(T.ones(3))", "T.zeros(2, 2).resize_as_(T.ones(3, 1, dtype=T.int64))",
    "T.zeros(2, 2, requires_grad=True).resize_as_(T.ones(3))", "T.zeros(2).resize_as_(5)",
])
def test_resize_as_(expr):
    def go(T):
        r = eval(expr, {"T": T})
        return r.shape, r.stride(), r.dtype
    both(go, msg=True)


@pytest.mark.parametrize("expr", [
    "T.arange(4.).apply_(lambda v: v * 2)", "T.arange(3).apply_(lambda v: v + 0.7)",
    "T.arange(3).apply_(lambda v: v * 1.9)", "T.tensor([True, False]).apply_(lambda v: not v)",
    "T.tensor([1 + 1j]).apply_(lambda z: z * 1j)", "T.arange(6.).reshape(2, 3).t().apply_(lambda v: v * 10)",
    "T.arange(3.).map_(T.tensor([10., 20., 30.]), lambda p, q: p + q)",
    "T.arange(3.).map_(T.tensor(1.), lambda p, q: p + q)",
    "T.arange(6).reshape(2, 3).map_(T.tensor([1, 2, 3]), lambda p, q: p * q)",
    "T.arange(3., requires_grad=True).apply_(lambda v: v)",
    "T.arange(3., requires_grad=True).map_(T.ones(3), lambda a, b: a)",
    "T.arange(3.).map_(T.ones(2), lambda a, b: a)", "T.arange(3.).apply_(lambda a: 'x')",
    "T.arange(3).map_(T.tensor([1.5, 1.5, 1.5]), lambda p, q: p + q)",
])
def test_apply_and_map(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


def test_apply_writes_through_views_without_version_bump():
    def go(T):
        c = T.arange(4.)
        c[1:].apply_(lambda v: -v)
        return c, c._version
    both(go)


def test_apply_returns_self():
    for T in (torch, reftorch):
        x = T.arange(3.)
        assert x.apply_(lambda v: v) is x and x.map_(x, lambda a, b: a) is x
