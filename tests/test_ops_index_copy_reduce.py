"""torch.index_copy / index_reduce (and their in-place forms), renorm, select_scatter,
slice_scatter and diagonal_scatter against PyTorch: values (repeated indices, include_self,
integer mean), gradients and grad_fn, dtype casts of src, methods, out=, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import both, check_grads, forget_warning

RNG = np.random.default_rng(9)
X = RNG.standard_normal((4, 3, 5)).astype(np.float32)
TIES = RNG.integers(-2, 3, (4, 3, 5)).astype(np.float32)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_copy_grads(dim):
    n = X.shape[dim]
    idx = [n - 1, 0, n - 1]  # (repeated: the last write wins)
    src_shape = list(X.shape)
    src_shape[dim] = 3
    src = RNG.standard_normal(src_shape).astype(np.float32)
    check_grads(lambda T, x, s: T.index_copy(x, dim, T.tensor(idx), s), X, src)
    check_grads(lambda T, x, s: (x * 1).index_copy_(dim, T.tensor(idx), s), X, src)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 2])
def test_index_reduce_grads(reduce, include_self, dim):
    idx = [1, 0, 1, 3] if dim == 0 else [4, 4, 0, 2, 4]
    src_shape = list(TIES.shape)
    src_shape[dim] = len(idx)
    src = RNG.integers(-2, 3, src_shape).astype(np.float32)  # (ties and zeros)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(lambda T, x, s: T.index_reduce(x, dim, T.tensor(idx), s, reduce, include_self=include_self),
                    TIES, src)
        # (an int32 index: PyTorch's backward with include_self=False fails, in its index_fill)
        itype = "int32" if include_self else "int64"
        check_grads(lambda T, x, s: (x * 1).index_reduce_(dim, T.tensor(idx, dtype=getattr(T, itype)), s, reduce,
                                                          include_self=include_self), TIES, src)


@pytest.mark.parametrize("p", [1, 2, 3.5, float("inf")])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("maxnorm", [0.5, 3.0, 100.0])
def test_renorm_grads(p, dim, maxnorm):
    check_grads(lambda T, x: T.renorm(x, p, dim, maxnorm), X)


def test_view_scatter_grads():
    check_grads(lambda T, x, s: T.select_scatter(x, s, 1, -1), X, X[:, 0] * 2)
    check_grads(lambda T, x, s: x.select_scatter(s.double(), 0, 2), X, X[0] * 2)
    check_grads(lambda T, x, s: T.slice_scatter(x, s, 2, 1, 5, 2), X, X[:, :, :2] * 2)
    check_grads(lambda T, x, s: x.slice_scatter(s, start=-3, end=-1), X, X[:2] * 2)
    check_grads(lambda T, x, s: T.diagonal_scatter(x, s), X, RNG.standard_normal((5, 3)).astype(np.float32))
    check_grads(lambda T, x, s: x.diagonal_scatter(s, 1, 1, 2), X, RNG.standard_normal((4, 3)).astype(np.float32))
    check_grads(lambda T, x, s: T.diagonal_scatter(x, s, -2, -1, 0), X, RNG.standard_normal((3, 3)).astype(np.float32))


@pytest.mark.parametrize("expr", [
    "T.index_copy(x, 0, T.tensor([3, 0]), s)", "T.index_copy(x, 0, T.tensor([2., 0]), s)",
    "T.index_copy(x, 0, T.tensor([[2, 0]]), s)", "T.index_copy(x, 0, T.tensor([2, 0], dtype=T.int32), s)",
    "T.index_copy(x, 0, T.tensor([2, 0]), s.double())", "T.index_copy(x, 0, T.tensor([2, 0]), s[:, :3])",
    "T.index_copy(x, 0, T.tensor([2]), s)", "T.index_copy(T.zeros(3), 0, T.tensor(1), T.tensor(5.))",
    "T.index_copy(x, 0, T.tensor([2, 0]), s, out=T.empty(0))", "T.index_copy(x, 0, T.tensor([1, 0]), T.ones(2, 4, 1))",
    "T.index_copy(T.zeros(3, 4, 5), 0, T.tensor([1, 0]), T.ones(2, 3, 2))",
    "T.index_copy(x, 0, T.tensor([1, 0]), T.tensor(1.))", "T.index_copy(T.zeros(3), 0, T.tensor([-1]), T.ones(1))",
    "T.index_copy(x, 0, T.tensor(1), s[0])", "T.index_copy(T.tensor(2.), 0, T.tensor([0]), T.tensor(3.))",
    "T.index_copy(x, 1, T.tensor([3, 1]), s.t()[:3])", "T.index_copy(x.int(), 0, T.tensor([2, 2]), s.int())",
    "T.index_reduce(x, 0, T.tensor([2, 2]), s, 'sum')", "T.index_reduce(x, 0, T.tensor([3, 0]), s, 'prod')",
    "T.index_reduce(T.zeros(3), 0, T.tensor([-1, 0]), T.ones(2), 'amax')",
    "T.index_reduce(x, 0, T.tensor([1., 0]), s, 'prod')", "T.index_reduce(x, 0, T.tensor([1]), s, 'prod')",
    "T.index_reduce(x, 0, T.tensor([1, 0]), s[:, :3], 'prod')", "T.index_reduce(x, 0, T.tensor([1, 0]), s.double(), 'prod')",
    "T.index_reduce(x, 0, T.tensor([[1, 0]]), s, 'prod')",
    "T.index_reduce(T.ones(3, 2, dtype=T.int64), 0, T.tensor([2, 2, 0]), T.tensor([[1, 2], [3, 4], [5, 6]]), 'mean')",
    "T.index_reduce(T.ones(3, 2, dtype=T.int64), 0, T.tensor([2, 2, 0]), T.tensor([[1, 2], [3, 4], [5, 6]]), 'mean', include_self=False)",
    "T.index_reduce(T.tensor(2.), 0, T.tensor([0]), T.tensor(3.), 'prod')",
    "T.renorm(x, -1, 0, 3)", "T.renorm(x, 2, 0, -3)", "T.renorm(T.tensor([1., 2]), 2, 0, 3)",
    "T.renorm(T.tensor(3.), 2, 0, 1)", "T.renorm(x, 2, 2, 1)", "T.renorm(T.ones(2, 2, dtype=T.int64), 2, 0, 1)",
    "T.renorm(T.ones(2, 2).half(), 2, 0, 1)", "T.renorm(T.ones(2, 2), 1j, 0, 1)", "T.renorm(T.ones(2, 0), 2, 0, 1)",
    "T.renorm(x, 2, 1, 3, out=T.empty(0))", "x.clone().renorm_(2, 0, 3)",
    "T.select_scatter(x, s[:, 0], 1, -1)", "T.select_scatter(x, s[0, :3], 0, 1)", "T.select_scatter(x, s[0], 0, 5)",
    "T.slice_scatter(x, s[:, :2], 1, 0, 4, 2)", "T.slice_scatter(x, s, 0)", "T.slice_scatter(x, s, 0, 1)",
    "T.slice_scatter(x, s[:, :2], 1, start=-3, end=-1)", "T.slice_scatter(x, s[:1], 0, 5, 9)",
    "T.diagonal_scatter(x, s[0, :2], 0)", "T.diagonal_scatter(x, s[0, :2], -1)", "T.diagonal_scatter(x, s[0, :3], 0, 1, 1)",
    "T.diagonal_scatter(x, s[0, :0], 5)", "T.select_scatter(x.int(), s[0], 0, 1)",
])
def test_index_cases(expr):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    s = np.array([[1., 2., 3., 4.], [5., 6., 7., 8.]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T, x, s: eval(expr, {"T": T, "x": x, "s": s}), x, s, msg=True)


def test_index_reduce_out():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T: T.index_reduce(T.ones(3, 2), 0, T.tensor([0, 0]), T.full((2, 2), 3.), "prod",
                                      out=T.empty(0)))


def test_index_reduce_warns_once_per_process():
    forget_warning("index_reduce() is in beta")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        for _ in range(2):
            reftorch.ones(2).index_reduce(0, reftorch.tensor([0]), reftorch.ones(1), "prod")
    assert [str(w.message) for w in rec] == [
        "index_reduce() is in beta and the API may change at any time. (Triggered internally at "
        "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:1523.)"]
