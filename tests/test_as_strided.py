"""torch.as_strided / Tensor.as_strided, Tensor.storage_offset and torch.as_strided_scatter
against PyTorch: values, strides, storage offsets of views, memory sharing, gradients
(overlapping windows sum, expanded inputs share), second order, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads

X = np.arange(12, dtype=np.float32) / 7


def _geom(y):
    return y, y.stride(), y.storage_offset(), y.is_contiguous()


@pytest.mark.torch
@pytest.mark.parametrize("args", [((3, 3), (1, 1)), ((2, 3), (1, 2)), ((4,), (3,), 2), ((2, 2, 2), (6, 0, 1)),
                                  ((3,), (0,), 5), ((), (), 4), ((2, 0), (1, 1), 3), ((12,), (1,), 0)])
def test_as_strided_values_and_geometry(args):
    both(lambda T, x: _geom(T.as_strided(x, *args)), X)
    both(lambda T, x: _geom(x.as_strided(*args)), X)


@pytest.mark.torch
def test_storage_offset_of_views():
    def run(T, x):
        m = x.reshape(3, 4)
        views = [x, m, m[1], m[1, 2:], m.t()[1:], m[:, 1::2], m.diagonal(), m[2:].flatten(), m.unfold(1, 2, 1)[1]]
        return [v.storage_offset() for v in views]
    both(run, X)
    both(lambda T: T.zeros(3, 4).storage_offset())


@pytest.mark.torch
def test_offset_is_relative_to_the_storage():
    # the default offset is the input's own; an explicit one counts from the storage start
    both(lambda T, x: (x[2:].as_strided((2,), (1,)), x[2:].as_strided((2,), (1,), 0),
                       x.reshape(3, 4).t().as_strided((2, 2), (1, 1), 1)), X)
    both(lambda T, x: T.as_strided(x, [2], [1], storage_offset=3), X)
    both(lambda T, x: x.as_strided(size=(2,), stride=(2,)), X)


@pytest.mark.torch
def test_as_strided_is_a_view():
    def run(T, x):
        x = x.clone()
        y = x[1:].as_strided((2, 3), (3, 1), 4)
        y[1, 2] = -1.0
        return x, y, y._base is x
    both(run, X)


@pytest.mark.torch
@pytest.mark.parametrize("args", [((3, 3), (1, 1)), ((4, 3), (2, 1), 1), ((2, 2, 2), (6, 0, 1)), ((3,), (0,), 5),
                                  ((2, 3), (1, 3))])
def test_gradient_sums_over_shared_elements(args):
    check_grads(lambda T, x: T.as_strided(x, *args) * 1.5, X)
    check_grads(lambda T, x: (x * 2)[3:].as_strided(*args), X)


@pytest.mark.torch
@pytest.mark.parametrize("view", ["expand", "transpose", "slice", "diagonal"])
def test_gradient_through_strided_inputs(view):
    def run(T, x):
        base = {"expand": lambda: x[:4].expand(3, 4), "transpose": lambda: x.reshape(3, 4).t(),
                "slice": lambda: x.reshape(3, 4)[:, 1::2], "diagonal": lambda: x.reshape(3, 4).diagonal()}[view]()
        return base.as_strided((3, 2), (2, 1), 1) * 2
    check_grads(run, X)


@pytest.mark.torch
def test_second_order():
    def run(T, x):
        x = x.requires_grad_()
        (g,) = T.autograd.grad(T.as_strided(x * x, (4, 3), (2, 1)).pow(2).sum(), x, create_graph=True)
        (gg,) = T.autograd.grad(g.sum(), x)
        return g, gg
    both(run, X)


@pytest.mark.torch
@pytest.mark.parametrize("args", [((3, 3), (1, 1), 8), ((2,), (1,), -1), ((2, 2), (1,)), ((2,), (-1,)),
                                  ((2,), (1,), 11), ((2,), (1,), 2.0), ((2.0,), (1,)), ((-1,), (1,)), (3, (1,))])
def test_errors(args):
    both(lambda T, x: T.as_strided(x, *args), X, msg=True)


@pytest.mark.torch
@pytest.mark.parametrize("args", [((2, 2), (1, 2), 1), ((3,), (4,)), ((2, 3), (6, 1), 0), ((0,), (1,), 3)])
def test_as_strided_scatter(args):
    # (PyTorch 2.13 gives input the gradient at the written positions, zero elsewhere)
    size = args[0]
    src = np.arange(np.prod(size), dtype=np.float32) + 10
    check_grads(lambda T, x, s: T.as_strided_scatter(x * 1, s.reshape(size), *args), X, src)
    both(lambda T, x, s: x.as_strided_scatter(s.reshape(size), *args), X.reshape(3, 4), src)


@pytest.mark.torch
def test_as_strided_scatter_errors():
    both(lambda T, x: T.as_strided_scatter(x, T.ones(3, 2), (2, 2), (1, 2), 1), X, msg=True)
    both(lambda T, x: T.as_strided_scatter(x, T.ones(2, 2), (2, 2), (1, 6), 3), X, msg=True)
    both(lambda T, x: T.as_strided_scatter(x, 1.0, (2, 2), (1, 2), 1), X)
