"""In-place element-wise methods (relu_, sigmoid_, clamp_min_ ...), the in-place view ops
(squeeze_, unsqueeze_, transpose_/swapaxes_/swapdims_) and PyTorch's alternative method
names (greater, multiply ...), against PyTorch: values, dtypes, grad_fn names, gradients,
and the errors (a leaf that requires grad, a bad dim, arguments to self-only methods)."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads

A = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]], dtype=np.float32)
POS = np.abs(A) + 0.5

UNARY = ["abs_", "sin_", "cos_", "sqrt_", "tanh_", "sigmoid_", "relu_", "log_", "reciprocal_", "negative_"]
WITH_ARG = [("remainder_", 1.25), ("floor_divide_", 2.0), ("true_divide_", 4.0), ("clamp_min_", 0.3),
            ("clamp_max_", 0.3), ("multiply_", 3.0), ("divide_", 8.0), ("subtract_", 0.5)]


@pytest.mark.torch
@pytest.mark.parametrize("name", UNARY)
def test_unary_in_place(name):
    both(lambda T, a: getattr(a.clone(), name)(), POS)
    check_grads(lambda T, a: getattr(a * 1, name)(), POS)


@pytest.mark.torch
@pytest.mark.parametrize("name, arg", WITH_ARG)
def test_binary_in_place(name, arg):
    both(lambda T, a: getattr(a.clone(), name)(arg), A)
    if name != "floor_divide_":  # (PyTorch: no derivative, grad_fn NotImplemented)
        check_grads(lambda T, a: getattr(a * 1, name)(arg), A)


@pytest.mark.torch
def test_in_place_returns_self_and_refuses_leaves():
    both(lambda T, a: (lambda x: x.relu_() is x)(a.clone()), A)
    both(lambda T, a: a.requires_grad_().relu_(), A, msg=True)
    both(lambda T, a: a.requires_grad_().squeeze_(), A, msg=True)
    both(lambda T, a: a.sqrt_(1), A, msg=True)  # self-only: no argument
    both(lambda T, a: a.relu_(inplace=True), A, msg=True)
    both(lambda T: T.arange(3).sqrt_(), msg=True)  # an integer result cannot take a float


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda x: x.squeeze_(), lambda x: x.squeeze_(1), lambda x: x.squeeze_(0), lambda x: x.squeeze_((1, 3)),
    lambda x: x.unsqueeze_(0), lambda x: x.unsqueeze_(-1), lambda x: x.transpose_(0, 2),
    lambda x: x.swapaxes_(1, -1), lambda x: x.swapdims_(0, 1),
])
def test_in_place_views(call):
    def run(T, a):
        x = a.reshape(2, 1, 3, 1) * 1
        y = call(x)
        return y is x, tuple(x.shape), x.stride(), x
    both(run, A)
    check_grads(lambda T, a: call(a.reshape(2, 1, 3, 1) * 1).exp(), A)


@pytest.mark.torch
def test_in_place_view_errors():
    both(lambda T, a: (a * 1).squeeze_(5), A, msg=True)
    both(lambda T, a: (a * 1).unsqueeze_(4), A, msg=True)
    both(lambda T, a: (a * 1).transpose_(0, 3), A, msg=True)


@pytest.mark.torch
@pytest.mark.parametrize("alias, args", [
    ("greater", (0.5,)), ("greater_equal", (0.5,)), ("less", (0.5,)), ("less_equal", (0.5,)),
    ("not_equal", (0.5,)), ("multiply", (2.0,)), ("divide", (4.0,)), ("subtract", (1.0,)), ("negative", ()),
])
def test_method_aliases(alias, args):
    both(lambda T, a: getattr(a, alias)(*args), A)
    if alias in ("multiply", "divide", "subtract", "negative"):
        check_grads(lambda T, a: getattr(a, alias)(*args), A)


@pytest.mark.torch
def test_alias_keywords():
    both(lambda T, a: a.divide(2.0, rounding_mode="floor"), A)
    both(lambda T, a: a.subtract(1.0, alpha=2), A)
    both(lambda T, a: (a * 1).divide_(2.0, rounding_mode="trunc"), A)


@pytest.mark.torch
@pytest.mark.parametrize("shape, wrap", [((3, 3), False), ((5, 3), True), ((5, 3), False), ((7, 2), True),
                                         ((4, 3), True), ((2, 4), True), ((3, 3, 3), False), ((3, 3, 3), True)])
def test_fill_diagonal_(shape, wrap):
    data = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    both(lambda T, a: (lambda x: (x.fill_diagonal_(-2.5, wrap=wrap) is x, x))(a.clone()), data)
    check_grads(lambda T, a: (a * 1).fill_diagonal_(0.5, wrap=wrap), data)


@pytest.mark.torch
def test_fill_diagonal_errors():
    both(lambda T: T.zeros(3).fill_diagonal_(1), msg=True)
    both(lambda T: T.zeros(2, 3, 2).fill_diagonal_(1), msg=True)
    both(lambda T: T.zeros(2, 2, requires_grad=True).fill_diagonal_(1), msg=True)


@pytest.mark.torch
@pytest.mark.parametrize("size", [(1, 3), (2, 1, 3), (3,), (1,), (1, 1), (2, 1, 1), ((2, 1, 3),)])
def test_sum_to_size(size):
    data = np.arange(6, dtype=np.float32).reshape(2, 1, 3)
    both(lambda T, a: a.sum_to_size(*size), data)
    check_grads(lambda T, a: a.sum_to_size(*size) * 1, data)


@pytest.mark.torch
@pytest.mark.parametrize("size", [(2, 2), (4, 1, 3), (3, 3), (2, 3)])
def test_sum_to_size_errors(size):
    both(lambda T, a: a.sum_to_size(*size), np.ones((2, 1, 3), np.float32), msg=True)


@pytest.mark.torch
def test_split_with_sizes_and_predicates():
    both(lambda T, a: a.split_with_sizes([1, 1]), A)
    both(lambda T, a: T.split_with_sizes(a, (2, 1), dim=1), A)
    check_grads(lambda T, a: a.split_with_sizes([2, 1], 1), A)
    both(lambda T, a: a.split_with_sizes([1, 2]), A, msg=True)
    both(lambda T, a: a.split_with_sizes(1), A, msg=True)
    for dtype in ("float32", "int8", "uint8", "bool", "int64"):
        both(lambda T: (T.ones(2, dtype=getattr(T, dtype)).is_signed(), T.is_signed(T.ones(1, dtype=getattr(T, dtype)))))
    both(lambda T: (T.tensor([0.0]).is_nonzero(), T.tensor(3).is_nonzero(), T.is_nonzero(T.tensor([True]))))
    both(lambda T: T.tensor([]).is_nonzero(), msg=True)
    both(lambda T: T.ones(2).is_nonzero(), msg=True)
    both(lambda T, a: (a.is_same_size(a.t()), a.is_same_size(a * 2), T.is_same_size(a, a[:1])), A)


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda T, a: a.add(a, alpha=T.tensor(2.0)), lambda T, a: T.add(a, 1.0, alpha=T.tensor(3)),
    lambda T, a: (a * 1).add_(a, alpha=T.tensor(-0.5)), lambda T, a: a.sub(a * 2, alpha=T.tensor(0.25)),
    lambda T, a: T.rsub(a, 2.0, alpha=T.tensor(2.0)),
])
def test_alpha_as_a_one_element_tensor(call):
    both(call, A)
    check_grads(call, A)


@pytest.mark.torch
def test_alpha_tensor_errors():
    both(lambda T, a: a.add(a, alpha=T.ones(2)), A, msg=True)
    both(lambda T, a: a.long().add(a.long(), alpha=T.tensor(1.5)), A, msg=True)
