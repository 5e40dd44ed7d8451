"""Conformance: NumPy arrays as operands of tensor operators, and NumPy functions applied
to tensors.

PyTorch's operators answer ``NotImplemented`` for an array, so NumPy computes the result
(with NumPy's type promotion) and ``Tensor.__array_wrap__`` makes it a tensor again (a
bool result as uint8); ``==`` compares as tensors. ``np.asarray`` of a tensor that
requires grad is refused, as ``Tensor.numpy()`` is.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests._compare import both

CASES = {
    "add_matrix": lambda T, x: x + np.eye(3, dtype=np.float64)[:2],
    "add_0d_array": lambda T, x: x + np.array(2.0),
    "mul_float32": lambda T, x: x * np.full((2, 3), 2, dtype=np.float32),
    "sub_reflected_scalar": lambda T, x: np.float64(2) - x,
    "pow_array": lambda T, x: x ** np.ones((2, 3)),
    "int_tensor_plus_int32": lambda T, x: x.long() + np.ones(3, dtype=np.int32),
    "matmul_array": lambda T, x: x @ np.ones((3, 2)),
    "eq_array": lambda T, x: x == np.zeros((2, 3)),
    "array_plus_tensor": lambda T, x: np.eye(2) + x[:, :2],
    "np_sin": lambda T, x: np.sin(x),
    "np_greater": lambda T, x: np.greater(x, 2),
    "np_add_number": lambda T, x: np.add(x, 1),
    "np_exp_0d": lambda T, x: np.exp(x[0, 0]),
    "asarray_requires_grad": lambda T, x: np.asarray(x.detach().requires_grad_()),
    "asarray_dtype": lambda T, x: T.from_numpy(np.asarray(x, dtype=np.int64)),
    "matmul_int": lambda T, x: x @ 2,
    "int_matmul": lambda T, x: 2 @ x,
    "matmul_function_int": lambda T, x: T.matmul(2, x),
    "matmul_method_list": lambda T, x: x.matmul([[1.0], [2.0], [3.0]]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_numpy_operands(name):
    with warnings.catch_warnings():  # (PyTorch's own __array_wrap__ draws a NumPy DeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        both(CASES[name], np.arange(6.0, dtype=np.float32).reshape(2, 3), check_grad_fn=False)
