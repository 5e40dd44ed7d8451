"""Conformance: in-place ops on 0-d results, and writes through expanded tensors and their
views, compared with torch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import reftorch
from tests._compare import assert_same, both, raises_like, run, assert_same_error, torch

ZERO_D = {
    "sum": lambda T, x: x.sum(),
    "mean": lambda T, x: x.mean(),
    "max": lambda T, x: x.max(),
    "dot": lambda T, x: T.dot(x, x),
    "matmul": lambda T, x: x @ x,
    "item_index": lambda T, x: x[1],
    "scalar_mul": lambda T, x: x[0] * 2,
    "zero_d_add": lambda T, x: T.tensor(1.0) + T.tensor(2.0),
    "exp": lambda T, x: x.sum().exp(),
}

INPLACE = {
    "imul": lambda T, y: y.__imul__(2),
    "iadd": lambda T, y: y.__iadd__(1.5),
    "add_": lambda T, y: y.add_(T.tensor(3.0)),
    "mul_": lambda T, y: y.mul_(-1),
    "fill_": lambda T, y: y.fill_(7),
    "zero_": lambda T, y: y.zero_(),
    "copy_": lambda T, y: y.copy_(T.tensor(4.0)),
    "setitem": lambda T, y: y.__setitem__((), 5.0),
}


@settings(max_examples=30, deadline=None)
@given(op=st.sampled_from(sorted(ZERO_D)), ip=st.sampled_from(sorted(INPLACE)), grad=st.booleans())
def test_inplace_on_zero_d_result(op, ip, grad):
    def fn(T, x):
        y = ZERO_D[op](T, x)
        if grad and y.requires_grad:
            y = y * 1  # not a leaf: in-place allowed
        r = INPLACE[ip](T, y)
        out = y if r is None else r
        if out.requires_grad:
            out.backward()
            return out, x.grad
        return out
    both(fn, np.array([1.0, 2.0, 3.0], np.float32), requires_grad=grad)


def test_numpy_of_zero_d_result_is_an_array():
    assert isinstance(reftorch.ones(3).sum().numpy(), np.ndarray)
    assert type(reftorch.ones(3).sum().numpy()) is type(torch.ones(3).sum().numpy())
