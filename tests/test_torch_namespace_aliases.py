"""Functions of the torch namespace that reftorch builds from its other ops: ``row_stack``,
``fill``, ``unsafe_split``/``unsafe_chunk``/``unsafe_split_with_sizes``, against PyTorch."""
import numpy as np
import pytest
import torch

import reftorch

from _compare import both, check_grads, raises_like

A = np.arange(6, dtype=np.float32)
M = np.arange(12, dtype=np.float32).reshape(3, 4)


@pytest.mark.parametrize("expr", [
    "T.row_stack((a, a))", "T.row_stack([m, m[:1]])", "T.row_stack([T.tensor(1.), T.tensor(2.)])",
])
def test_row_stack(expr):
    both(lambda T, a, m: eval(expr), A, M)
    check_grads(lambda T, a, m: eval(expr), A, M)


@pytest.mark.parametrize("expr", ["T.row_stack(3)", "T.row_stack([])", "T.row_stack([a, m])", "T.row_stack([a, 1])"])
def test_row_stack_errors(expr):
    raises_like(lambda T, a, m: eval(expr), A, M, msg=True)


@pytest.mark.parametrize("value", [3, 2.5, True, -1])
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool", "float16"])
def test_fill_number(value, dtype):
    both(lambda T, x: T.fill(x, value), np.zeros((2, 3), dtype), msg=True)


def test_fill_grads():
    check_grads(lambda T, x: T.fill(x * 1, 2.0), A)
    check_grads(lambda T, x, v: T.fill(x, v), A, np.array(3.0, np.float32))
    both(lambda T, x: T.fill(x, T.tensor(7)), np.zeros(3, np.float32))
    both(lambda T, x: (T.fill(x, 1), x)[1], A)  # the input is left alone


def test_fill_errors():
    raises_like(lambda T, x: T.fill(x, T.ones(2)), A, msg=True)
    raises_like(lambda T, x: T.fill(x, 300), np.zeros(2, np.uint8), msg=True)


@pytest.mark.parametrize("expr", [
    "T.unsafe_split(x, 4)", "T.unsafe_split(x, 2, 1)", "x.unsafe_split(split_size=3, dim=-1)",
    "T.unsafe_chunk(x, 2)", "x.unsafe_chunk(3, dim=1)", "T.unsafe_chunk(x, 5, 1)",
    "T.unsafe_split_with_sizes(x, [1, 2])", "x.unsafe_split_with_sizes([4, 0, 2], 1)",
    "T.unsafe_split(x[:, :0], 0, 1)", "T.unsafe_chunk(x[:, :0], 2, 1)",
])
def test_unsafe_split(expr):
    x = np.arange(18, dtype=np.float32).reshape(3, 6)
    both(lambda T, x: eval(expr), x)
    check_grads(lambda T, x: eval(expr), x)


def test_unsafe_pieces_are_no_views_but_share_memory():
    def go(T, x):
        y = x * 1
        a, b = T.unsafe_split(y, 3)
        a.mul_(2)  # allowed (split's views would refuse it), and it writes into y
        (a.sum() + b.sum()).backward()
        return a._base is None, y.detach(), a, x.grad
    both(go, A, requires_grad=True)


@pytest.mark.parametrize("expr", [
    "T.unsafe_split(x, [1, 2])", "T.unsafe_split_with_sizes(x, 2)", "T.unsafe_chunk(x, 0)",
    "T.unsafe_split(x, 0)", "T.unsafe_split_with_sizes(x, [1, 1])", "T.unsafe_split(T.tensor(1.), 1)",
])
def test_unsafe_split_errors(expr):
    raises_like(lambda T, x: eval(expr), np.arange(3.0), msg=True)


@pytest.mark.parametrize("name", ["is_complex", "is_inference", "get_device"])
def test_tensor_predicates_in_the_namespace(name):
    both(lambda T, x: getattr(T, name)(x), A)
    both(lambda T, x: getattr(T, name)(x.to(T.complex64)), A)
    with reftorch.inference_mode():
        assert reftorch.is_inference(reftorch.ones(1))
    with torch.inference_mode():
        assert torch.is_inference(torch.ones(1))
