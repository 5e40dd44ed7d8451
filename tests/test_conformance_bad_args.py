"""Conformance: arguments of the wrong kind or out of range get PyTorch's exception type
(and, where marked, its message): tensors given as sizes, negative sizes of random
tensors, index dtypes and ranges, 1-D inputs of the losses, ``None`` where a value is
required, a number where a tensor is required."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

X = np.arange(6.0, dtype=np.float32).reshape(2, 3)

CASES = {
    # tensors as sizes: an integer tensor of one element is an int, anything else TypeError
    "zeros_of_float_tensor": lambda T, x: T.zeros(T.tensor(2.0)),
    "zeros_of_int_tensor": lambda T, x: T.zeros(T.tensor(2)),
    "zeros_of_vector": lambda T, x: T.zeros(T.tensor([2, 3])),
    "zeros_then_vector": lambda T, x: T.zeros(2, T.tensor([2, 3])),
    "view_of_vector": lambda T, x: x.view(T.tensor([3, 2])),
    "reshape_of_vector": lambda T, x: x.reshape(T.tensor([3, 2])),
    "reshape_of_float_tensor": lambda T, x: x.reshape(3, T.tensor(2.0)),
    "view_of_float_tensor": lambda T, x: x.view(3, T.tensor(2.0)),
    "view_of_one_int": lambda T, x: x.view(T.tensor(6)),
    "view_of_itself": lambda T, x: x.view(x),
    "reshape_of_itself": lambda T, x: x.reshape(x),
    "new_zeros_of_itself": lambda T, x: x.new_zeros(x),
    "zeros_of_two_tensors": lambda T, x: T.zeros(x, x),
    "expand_of_tensors": lambda T, x: x.expand(x, x),
    "permute_of_tensors": lambda T, x: x.permute(x, x),
    "repeat_of_tensors": lambda T, x: x.repeat(x, x),
    "randn_of_tensors": lambda T, x: T.randn(x, x),
    "full_of_tensor": lambda T, x: T.full(x, 1.0),
    "full_of_int": lambda T, x: T.full(2, 1.0),
    "full_of_size": lambda T, x: T.full(T.Size([2]), 1.0),
    "split_of_matrix": lambda T, x: x.split(x),
    "split_of_int_tensor": lambda T, x: x.split(T.tensor(1)),
    "split_of_float_tensor": lambda T, x: x.split(T.tensor(1.5)),
    # negative sizes of new tensors, before any other check
    "rand_negative": lambda T, x: T.rand(-1),
    "randn_negative": lambda T, x: T.randn(0, -4),
    "rand_negative_int_dtype": lambda T, x: T.rand(2, -3, dtype=T.int64),
    "randint_negative": lambda T, x: T.randint(3, (0, -4)),
    "randint_negative_bad_bounds": lambda T, x: T.randint(5, 3, (-1,)),
    "normal_negative": lambda T, x: T.normal(0.0, 1.0, (-2, 3)),
    "new_empty_negative": lambda T, x: x.new_empty(-1),
    "new_full_negative": lambda T, x: x.new_full((-1,), 1.0),
    "zeros_negative": lambda T, x: T.zeros(0, -4),
    # index dtypes and ranges
    "index_select_bool": lambda T, x: x.index_select(0, T.tensor([True, False])),
    "index_select_float_matrix": lambda T, x: x.index_select(0, T.ones(2, 2)),
    "index_add_matrix_out_of_range": lambda T, x: x.index_add(0, T.tensor([0, 2]), x),
    "index_add_matrix_negative": lambda T, x: x.index_add(1, T.tensor([0, -1, 1]), x),
    "index_add_vector_out_of_range": lambda T, x: x[0].index_add(0, T.tensor([0, 3]), x[1, :2]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_arguments(name):
    # (the message too, but where PyTorch's parser lists every overload it would accept)
    whole = not any(w in name for w in ("of_tensors", "itself", "view_of_vector"))
    both(CASES[name], X, msg="prefix" if whole else False)
