"""Tensor.unfold (sliding windows along one dimension) against PyTorch: values, shapes,
strides, the view's memory sharing, gradients at first and second order, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7


@pytest.mark.torch
@pytest.mark.parametrize("dim, size, step", [(0, 1, 1), (1, 2, 1), (2, 2, 2), (2, 3, 1), (-1, 4, 3), (1, 0, 1),
                                             (2, 1, 5), (-3, 2, 1)])
def test_unfold_values_strides_and_gradients(dim, size, step):
    both(lambda T, x: (lambda y: (y, y.stride(), y.is_contiguous()))(x.unfold(dim, size, step)), X)
    check_grads(lambda T, x: x.unfold(dim, size, step) * 1.5, X)


@pytest.mark.torch
def test_unfold_is_a_view():
    def run(T, x):
        y = x.unfold(2, 2, 1)
        y[0, 0, 1, 1] = -1.0  # element (0, 0, 2) of x, shared by two windows
        return x, y, y._base is x
    both(run, X)


@pytest.mark.torch
def test_unfold_second_order():
    def run(T, x):
        x = x.requires_grad_()
        (g,) = T.autograd.grad(x.unfold(2, 3, 1).pow(2).sum(), x, create_graph=True)
        (gg,) = T.autograd.grad(g.sum(), x)
        return g, gg
    both(run, X)


@pytest.mark.torch
@pytest.mark.parametrize("args", [(3, 1, 1), (2, 5, 1), (2, -1, 1), (2, 2, 0), (2, 2, -2), (2, 2.0, 1), (True, 1, 1)])
def test_unfold_errors(args):
    both(lambda T, x: x.unfold(*args), X, msg=True)


@pytest.mark.torch
def test_unfold_of_a_scalar_and_of_empty_tensors():
    both(lambda T: T.tensor(3.0).unfold(0, 1, 1))
    both(lambda T: T.tensor(3.0).unfold(0, 2, 1), msg=True)
    both(lambda T: T.zeros(0, 3).unfold(0, 0, 2))
    both(lambda T: T.zeros(2, 0).unfold(0, 2, 1))
