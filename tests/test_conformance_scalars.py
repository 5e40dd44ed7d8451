"""Conformance: Python numbers stored into tensors (fill_, full, masked_fill, x[i] = v,
torch.tensor(data, dtype=...)) fit-checked as PyTorch does, with its exception types;
fill_/zero_/copy_/masked_fill recorded by autograd with PyTorch's grad_fn names."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tests._compare import both, check_grads

DTYPES = ["uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bool"]
VALUES = [0, 1, -1, 127, 128, -128, -129, 255, 256, -255, -256, 300, 70000, 2 ** 31, -2 ** 31 - 1, 2 ** 62,
          -2 ** 63, 2.5, -1.0, -0.5, 255.9, 1e30, -1e30, 1e300, 65504.0, 65520.0, 70000.0,
          float("inf"), -float("inf"), float("nan"), True, False]

FILLS = {
    "fill_": lambda T, d, v: T.zeros(2, dtype=d).fill_(v),
    "full": lambda T, d, v: T.full((2,), v, dtype=d),
    "masked_fill": lambda T, d, v: T.zeros(2, dtype=d).masked_fill(T.tensor([True, False]), v),
    "setitem": lambda T, d, v: _setitem(T.zeros(2, dtype=d), v),
    "tensor_list": lambda T, d, v: T.tensor([v, 0], dtype=d),
    "tensor_scalar": lambda T, d, v: T.tensor(v, dtype=d),
    "fill_tensor": lambda T, d, v: T.zeros(2, dtype=d).fill_(T.tensor(v)),
    "masked_fill_tensor": lambda T, d, v: T.zeros(2, dtype=d).masked_fill(T.tensor([True, False]), T.tensor(v)),
}

def _setitem(x, v):
    x[0] = v
    return x


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(FILLS)), dt=st.sampled_from(DTYPES), v=st.sampled_from(VALUES))
def test_number_fits_dtype(kind, dt, v):
    if kind.endswith("_tensor") and isinstance(v, int) and not -2 ** 63 <= v < 2 ** 63:
        return
    with np.errstate(all="ignore"):
        both(lambda T: FILLS[kind](T, getattr(T, dt), v), msg=True)


@pytest.mark.parametrize("case", [
    lambda T, x: _grad_inplace(T, x, lambda y: y.fill_(3.0)),
    lambda T, x: _grad_inplace(T, x, lambda y: y.fill_(x[0] * 2)),
    lambda T, x: _grad_inplace(T, x, lambda y: y.zero_()),
    lambda T, x: _grad_inplace(T, x, lambda y: y.copy_(x[[2, 0, 1]] * 3)),
    lambda T, x: _grad_inplace(T, x, lambda y: y.copy_(x[:1].double())),
    lambda T, x: _grad_inplace(T, x, lambda y: y[1:].copy_(x[:2] * 2)),
    lambda T, x: x.masked_fill(x > 0, x.sum()),
    lambda T, x: x.masked_fill(T.tensor([True, False, True]), x[1]),
    lambda T, x: T.zeros(3).masked_fill(T.tensor([True, False, True]), x[1] * 2),
])
def test_fills_record_autograd(case):
    check_grads(case, np.array([1.0, -2.0, 3.0], np.float32))


def _grad_inplace(T, x, op):
    y = x * 1
    op(y)
    return y * x
