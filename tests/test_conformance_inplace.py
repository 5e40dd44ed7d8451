"""Conformance: in-place ops on 0-d results, and writes through expanded tensors and their
views, compared with torch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import reftorch
from tests._compare import both, torch

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


# ----------------------------------------------------------------------------- expanded tensors
WRITES_1D = {
    "setitem_int": lambda T, y: y.__setitem__(0, 1.0),
    "setitem_slice": lambda T, y: y.__setitem__(slice(0, 2), 1.0),
    "setitem_all": lambda T, y: y.__setitem__(slice(None), 1.0),
    "setitem_ellipsis": lambda T, y: y.__setitem__(Ellipsis, 1.0),
    "setitem_int_tensor": lambda T, y: y.__setitem__(0, T.tensor(2.0)),
    "add_": lambda T, y: y.add_(1),
    "mul_": lambda T, y: y.mul_(2),
    "iadd": lambda T, y: y.__iadd__(1),
    "fill_number": lambda T, y: y.fill_(1),
    "fill_tensor": lambda T, y: y.fill_(T.tensor(1.0)),
    "zero_": lambda T, y: y.zero_(),
    "copy_": lambda T, y: y.copy_(T.ones(3)),
    "masked_fill_": lambda T, y: y.masked_fill_(T.tensor([True, False, False]), 2),
}

WRITES_2D = {
    "row_add_": lambda T, y: y[0].add_(1),
    "col_add_": lambda T, y: y[:, 0].add_(1),
    "col_mul_": lambda T, y: y[:, 1].mul_(2),
    "setitem_pair": lambda T, y: y.__setitem__((0, 1), 5.0),
    "row_fill_": lambda T, y: y[0].fill_(3),
    "row_setitem_all": lambda T, y: y[0].__setitem__(slice(None), 3.0),
}


def _expanded_write(T, shape, size, op):
    x = T.zeros(*shape)
    y = x.expand(*size)
    op(T, y)
    return x, y


@pytest.mark.parametrize("name", sorted(WRITES_1D))
def test_write_through_expanded(name):
    both(lambda T: _expanded_write(T, (1,), (3,), WRITES_1D[name]), msg=True)


@pytest.mark.parametrize("name", sorted(WRITES_2D))
def test_write_through_view_of_expanded(name):
    both(lambda T: _expanded_write(T, (2, 1), (2, 3), WRITES_2D[name]), msg=True)


def test_expand_keeps_pytorch_strides_and_writes_reach_the_base():
    for T in (torch, reftorch):
        x = T.zeros(2, 1)
        y = x.expand(2, 3)
        assert y.stride() == (1, 0)
        y[1, 2] = 7.0
        assert x.tolist() == [[0.0], [7.0]]
