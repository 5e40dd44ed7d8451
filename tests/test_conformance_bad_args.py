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
    # the losses' shape checks come before the target's dtype
    "cross_entropy_batch_before_dtype": lambda T, x: T.nn.functional.cross_entropy(x, x[0]),
    "nll_loss_batch_before_dtype": lambda T, x: T.nn.functional.nll_loss(x, x[0]),
    "cross_entropy_1d_input_long_target": lambda T, x: T.nn.functional.cross_entropy(x[0], T.tensor([0, 2])),
    "nll_loss_1d_input_long_target": lambda T, x: T.nn.functional.nll_loss(x[0], T.tensor([0, 2])),
    "cross_entropy_1d_input_one_target": lambda T, x: T.nn.functional.cross_entropy(x[0], T.tensor([2])),
    "cross_entropy_empty_1d_input": lambda T, x: T.nn.functional.cross_entropy(T.ones(0), T.tensor([0, 2])),
    "cross_entropy_no_classes": lambda T, x: T.nn.functional.cross_entropy(T.ones(0), T.ones(0)),
    "cross_entropy_no_rows": lambda T, x: T.nn.functional.cross_entropy(T.ones(0, 3), T.ones(0, 3)),
    # linspace and arange: numbers (0-dim tensors included) only
    "linspace_matrix_ends": lambda T, x: T.linspace(x, x, 0),
    "linspace_vector_end": lambda T, x: T.linspace(0, T.ones(0), 0),
    "linspace_vector_start": lambda T, x: T.linspace(T.tensor([1.0]), 2, 3),
    "linspace_0d_tensors": lambda T, x: T.linspace(T.tensor(0.0), T.tensor(1.0), T.tensor(3)),
    "linspace_none_end": lambda T, x: T.linspace(0, None, 3),
    "linspace_none_steps": lambda T, x: T.linspace(0, 1, None),
    "linspace_float_steps": lambda T, x: T.linspace(0, 1, 2.0),
    "linspace_str_end": lambda T, x: T.linspace(0, "a", 2),
    "arange_none": lambda T, x: T.arange(None),
    "arange_str": lambda T, x: T.arange("a"),
    "arange_none_start": lambda T, x: T.arange(None, 3),
    "arange_none_step": lambda T, x: T.arange(0, 3, None),
    "arange_vector_end": lambda T, x: T.arange(0, T.tensor([3])),
    "arange_0d_tensors": lambda T, x: T.arange(T.tensor(0), T.tensor(4), T.tensor(2)),
    # an int device is the accelerator's (none here: PyTorch's RuntimeError)
    "device_int": lambda T, x: str(T.device(0)),
    "device_negative_int": lambda T, x: str(T.device(-1)),
    "to_int_device": lambda T, x: x.to(0),
    "ones_on_int_device": lambda T, x: T.ones(2, device=0),
    # a number where a tensor belongs, None or a string where a number belongs
    "exp_of_int": lambda T, x: T.exp(2),
    "sigmoid_of_int": lambda T, x: T.sigmoid(3),
    "one_hot_of_int": lambda T, x: T.nn.functional.one_hot(3, 4),
    "cross_entropy_int_target": lambda T, x: T.nn.functional.cross_entropy(x, 1),
    "nll_loss_int_input": lambda T, x: T.nn.functional.nll_loss(1, T.tensor([0])),
    "where_int_condition": lambda T, x: T.where(1, x, x),
    "scatter_int_index": lambda T, x: x.scatter(0, 1, 1.0),
    "masked_fill_none": lambda T, x: x.masked_fill(x > 2, None),
    "masked_fill_str": lambda T, x: x.masked_fill(x > 2, "a"),
    "fill_none": lambda T, x: x.clone().fill_(None),
    "fill_str": lambda T, x: x.clone().fill_("a"),
    "full_none": lambda T, x: T.full((2,), None),
    "full_like_none": lambda T, x: T.full_like(x, None),
    "new_full_none": lambda T, x: x.new_full((2,), None),
    "index_fill_none": lambda T, x: x.index_fill(0, T.tensor([0]), None),
    "fill_numpy_bool": lambda T, x: x.clone().fill_(np.bool_(True)),
    "full_numpy_float": lambda T, x: T.full((2,), np.float32(2.5)),
    "setitem_none": lambda T, x: x.clone().__setitem__(0, None),
    # the order of the checks: dims before dtypes; an empty index is not checked at all
    "gather_empty_float_index": lambda T, x: x.gather(0, T.ones(0)),
    "gather_empty_bool_index_2d": lambda T, x: x.gather(0, T.ones(0, 3, dtype=T.bool)),
    "gather_bad_dim_float_index": lambda T, x: x.gather(5, T.ones(2, 3)),
    "gather_int32_index": lambda T, x: x.gather(1, T.zeros(2, 3, dtype=T.int32)),
    "scatter_empty_float_index": lambda T, x: x.scatter(0, T.ones(0), 1.0),
    "scatter_empty_index_src": lambda T, x: x.scatter(0, T.ones(0), x),
    "scatter_add_empty_index": lambda T, x: x.scatter_add(0, T.ones(0), x),
    "scatter_float_index": lambda T, x: x.scatter(0, T.ones(2, 3), x),
    "scatter_int32_index": lambda T, x: x.scatter(1, T.zeros(2, 3, dtype=T.int32), 1.0),
    "index_select_bad_dim_float_index": lambda T, x: x.index_select(-4, T.ones(3)),
    "index_add_matrix_float_index": lambda T, x: x.index_add(0, x, x),
    "cross_entropy_1d_float_targets": lambda T, x: T.nn.functional.cross_entropy(x[0], T.ones(2)),
    # dtypes of the losses' and convolutions' other tensors
    "bce_long_target": lambda T, x: T.nn.functional.binary_cross_entropy(x / 10, T.ones(2, 3, dtype=T.long)),
    "bce_double_target": lambda T, x: T.nn.functional.binary_cross_entropy(x / 10, T.ones(2, 3).double()),
    "bce_double_input": lambda T, x: T.nn.functional.binary_cross_entropy(x.double() / 10, T.ones(2, 3)),
    "bce_double_weight": lambda T, x: T.nn.functional.binary_cross_entropy(x / 10, T.ones(2, 3),
                                                                             weight=T.ones(3).double()),
    "bce_logits_long_target": lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(
        x, T.ones(2, 3, dtype=T.long)),
    "bce_logits_bool_target": lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(
        x, T.ones(2, 3, dtype=T.bool)),
    "bce_logits_double_input": lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(
        x.double(), T.ones(2, 3)),
    "bce_logits_double_pos_weight": lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(
        x, T.ones(2, 3), pos_weight=T.ones(3).double()),
    "nll_loss_float_weight_double_input": lambda T, x: T.nn.functional.nll_loss(
        x.double(), T.tensor([0, 1]), weight=T.ones(3)),
    "cross_entropy_double_weight": lambda T, x: T.nn.functional.cross_entropy(x, T.tensor([0, 1]),
                                                                              weight=T.ones(3).double()),
    "conv2d_float_bias_double_input": lambda T, x: T.nn.functional.conv2d(
        T.ones(1, 3, 5, 5).double(), T.ones(2, 3, 3, 3).double(), T.ones(2)),
    "conv2d_long_bias": lambda T, x: T.nn.functional.conv2d(T.ones(1, 3, 5, 5), T.ones(2, 3, 3, 3),
                                                            T.ones(2).long()),
    "conv1d_half_input_float_bias": lambda T, x: T.nn.functional.conv1d(T.ones(1, 3, 5).half(), T.ones(2, 3, 3),
                                                                        T.ones(2)),
    "conv2d_double_weight_and_bias": lambda T, x: T.nn.functional.conv2d(
        T.ones(1, 3, 5, 5).double(), T.ones(2, 3, 3, 3), T.ones(2).double()),
    "conv_transpose2d_double_bias": lambda T, x: T.nn.functional.conv_transpose2d(
        T.ones(1, 3, 5, 5), T.ones(3, 2, 3, 3), T.ones(2).double()),
    # writing into a leaf that requires grad: through a view of it (int, None, 0-dim int
    # tensor in the key) or into it (slices, tensor indices)
    "setitem_leaf_int": lambda T, x: _leaf(T).__setitem__(0, 5.0),
    "setitem_leaf_tuple_int": lambda T, x: _leaf(T).__setitem__((0,), 5.0),
    "setitem_leaf_none": lambda T, x: _leaf(T).__setitem__(None, 5.0),
    "setitem_leaf_0d_tensor": lambda T, x: _leaf(T).__setitem__(T.tensor(0), 5.0),
    "setitem_leaf_slice": lambda T, x: _leaf(T).__setitem__(slice(None), 5.0),
    "setitem_leaf_ellipsis": lambda T, x: _leaf(T).__setitem__(Ellipsis, 5.0),
    "setitem_leaf_index_tensor": lambda T, x: _leaf(T).__setitem__(T.tensor([0]), 5.0),
    "setitem_leaf_mask": lambda T, x: _leaf(T).__setitem__(T.tensor([True, False]), 5.0),
    "data_of_list": lambda T, x: setattr(_leaf(T), "data", [1.0]),
    "masked_fill_int_mask": lambda T, x: x.masked_fill(0, x),
    "embedding_int_weight": lambda T, x: T.nn.functional.embedding(x, 3),
    "pad_of_int": lambda T, x: T.nn.functional.pad(3, [1, 1]),
    # not errors: an empty dim list reduces nothing in any/all (sum's reduces everything)
    "any_of_no_dims": lambda T, x: (x > 2).any(()),
    "all_of_no_dims_keepdim": lambda T, x: x.all([], keepdim=True),
    "all_uint8_no_dims": lambda T, x: x.byte().all(dim=()),
    "sum_of_no_dims": lambda T, x: x.sum(()),
    # NumPy values PyTorch does not take: its messages name NumPy's scalar types
    "from_numpy_of_scalar": lambda T, x: T.from_numpy(np.float64(1.0)),
    "from_numpy_of_strings": lambda T, x: T.from_numpy(np.array(["a"])),
    "from_numpy_of_objects": lambda T, x: T.from_numpy(np.ones(2, dtype=object)),
    "tensor_of_datetime": lambda T, x: T.tensor(np.datetime64("2020")),
    # torch.save where no file can be written
    "save_into_missing_folder": lambda T, x: T.save(x, "/nonexistent-reftorch-dir/x.pt"),
    "save_to_a_folder": lambda T, x: T.save(x, "/"),
    "save_to_empty_name": lambda T, x: T.save(x, ""),
    "adaptive_avg_pool_to_nothing": lambda T, x: T.nn.functional.adaptive_avg_pool2d(T.ones(1, 2, 4, 4), 0),
    "adaptive_avg_pool_to_none_and_zero": lambda T, x: T.nn.functional.adaptive_avg_pool2d(T.ones(1, 2, 4, 4),
                                                                                          (0, None)),
    "adaptive_avg_pool_negative": lambda T, x: T.nn.functional.adaptive_avg_pool2d(T.ones(1, 2, 4, 4), (2, -1)),
    "adaptive_avg_pool1d_negative": lambda T, x: T.nn.functional.adaptive_avg_pool1d(T.ones(1, 2, 4), -1),
    "adaptive_max_pool_to_nothing": lambda T, x: T.nn.functional.adaptive_max_pool2d(T.ones(1, 2, 4, 4), 0,
                                                                                     return_indices=True),
    "adaptive_max_pool_negative": lambda T, x: T.nn.functional.adaptive_max_pool2d(T.ones(1, 2, 4, 4), (2, -1)),
    # membership, reversal, torch.Size's items
    "number_in_tensor": lambda T, x: (2.0 in x, 7 in x, True in x),
    "tensor_in_tensor": lambda T, x: (T.tensor([0.0, 1.0, 2.0]) in x, T.tensor(9.0) in x),
    "mismatched_tensor_in_tensor": lambda T, x: T.tensor([1.0, 2.0]) in x,
    "string_in_tensor": lambda T, x: "a" in x,
    "none_in_tensor": lambda T, x: None in x,
    "reversed_tensor": lambda T, x: reversed(x),
    "reversed_0d_tensor": lambda T, x: reversed(x[0, 0]),
    "size_of_floats": lambda T, x: T.Size([2.5]),
    "size_of_string": lambda T, x: T.Size("ab"),
    "size_of_float_tensor": lambda T, x: T.Size([T.tensor(2.0)]),
    "size_of_int_likes": lambda T, x: T.Size([np.int64(2), T.tensor(3), True]),
    "clip_grad_norm_bad_norm_type": lambda T, x: T.nn.utils.clip_grad_norm_(T.nn.Linear(2, 2).parameters(), 1.0,
                                                                            norm_type="x"),
}


def _leaf(T):
    return T.ones(2, requires_grad=True)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_arguments(name):
    # (the message too, but where PyTorch's parser lists every overload it would accept)
    whole = not any(w in name for w in ("of_tensors", "itself", "view_of_vector", "arange_none_", "arange_vector",
                                        "of_int", "_none", "_str", "_int_", "where_int", "int_mask"))
    both(CASES[name], X, msg="prefix" if whole else False)
