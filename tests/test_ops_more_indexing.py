"""Differential tests (against torch) for masked_select, unique, unique_consecutive,
bincount and index_add: values, dtypes, strides, grad_fn names, gradients and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from _compare import both, check_grads, forget_warning, raises_like

A = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
NAN = float("nan")


# ----------------------------------------------------------------------------- masked_select


@pytest.mark.parametrize("mask", [
    A > 0,                                   # same shape
    np.array([True, False, True, True]),     # broadcast over rows
    np.array([[True], [False], [True]]),     # broadcast over columns
    np.zeros((3, 4), bool),                  # nothing selected
    np.ones((2, 3, 4), bool),                # mask larger than the input: input repeats
])
def test_masked_select_values_and_grads(mask):
    check_grads(lambda T, x, m: T.masked_select(x, m), A, mask)
    check_grads(lambda T, x, m: x.masked_select(m), A, mask)
    r = reftorch.masked_select(reftorch.tensor(A), reftorch.tensor(mask))
    t = torch.masked_select(torch.tensor(A), torch.tensor(mask))
    assert r.stride() == t.stride()


def test_masked_select_input_broadcast_to_mask():
    mask = np.array([[True, False], [True, True]])
    check_grads(lambda T, x, m: T.masked_select(x, m), np.array([1.5, -2.0], np.float32), mask)
    check_grads(lambda T, x, m: T.masked_select(x, m), np.array(3.0, np.float32), np.array(True))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16", "float64"])
def test_masked_select_dtypes(dtype):
    both(lambda T, x, m: T.masked_select(x, m), A.astype(dtype), A > -2)


def test_masked_select_out_and_empty():
    both(lambda T, x, m: T.masked_select(x, m, out=T.zeros(2)), A, A > 3)
    both(lambda T, x, m: T.masked_select(x, m), np.zeros((0, 3), np.float32), np.ones(3, bool))


def test_masked_select_errors():
    raises_like(lambda T, x, m: T.masked_select(x, m), A, (A > 0).astype(np.uint8), msg=True)
    raises_like(lambda T, x, m: T.masked_select(x, m), A, np.array([1, 0, 1, 1]), msg=True)
    raises_like(lambda T, x, m: T.masked_select(x, m), A, np.ones((4, 4), bool), msg=True)
    raises_like(lambda T, x: T.masked_select(x, [True]), A, msg=True)


# ----------------------------------------------------------------------------- unique

V = np.array([3, 1, 2, 3, 1, 5, 2, 2])
F = np.array([2.0, NAN, 1.0, NAN, 2.0, -0.0, 0.0], np.float32)
ROWS = np.array([[1, 2], [3, 4], [1, 2], [0, 9], [3, 4]])
CUBE = np.array([[[1, 2], [1, 2]], [[0, 0], [1, 2]], [[1, 2], [1, 2]]], np.float64)
FLAGS = [dict(), dict(return_inverse=True), dict(return_counts=True),
         dict(return_inverse=True, return_counts=True), dict(sorted=False, return_inverse=True)]


@pytest.mark.parametrize("kw", FLAGS)
@pytest.mark.parametrize("data", [V, F, ROWS, V.astype(bool), np.array(5), np.zeros(0, np.float32),
                                  V.astype(np.uint8)], ids=["int", "nan", "2d", "bool", "0d", "empty", "u8"])
def test_unique_flat(data, kw):
    both(lambda T, x: T.unique(x, **kw), data)
    both(lambda T, x: x.unique(**kw), data)


@pytest.mark.parametrize("kw", FLAGS)
@pytest.mark.parametrize("data,dim", [(ROWS, 0), (ROWS, 1), (ROWS, -2), (CUBE, 0), (CUBE, 1), (CUBE, 2),
                                      (np.zeros((0, 3)), 0)])
def test_unique_dim(data, dim, kw):
    both(lambda T, x: T.unique(x, dim=dim, **kw), data)
    kw.pop("sorted", None)
    both(lambda T, x: T.unique_consecutive(x, dim=dim, **kw), data)


@pytest.mark.parametrize("kw", FLAGS[:4])
@pytest.mark.parametrize("data", [np.array([1, 1, 2, 2, 3, 1, 1, 2]), F, ROWS, np.array(7), np.zeros(0)])
def test_unique_consecutive_flat(data, kw):
    both(lambda T, x: T.unique_consecutive(x, **kw), data)
    both(lambda T, x: x.unique_consecutive(**kw), data)


@pytest.mark.parametrize("fn", [
    lambda T, x: T.unique(x), lambda T, x: T.unique(x, dim=1), lambda T, x: T.unique_consecutive(x),
    lambda T, x: T.unique_consecutive(x, dim=0), lambda T, x: T.unique(x, return_counts=True)[0]])
def test_unique_grad_fn_refuses_backward(fn):
    x = np.array([[2.0, 1.0], [2.0, 1.0]], np.float32)
    both(fn, x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    xr = reftorch.tensor(x, requires_grad=True)
    with pytest.raises(NotImplementedError) as et:
        fn(torch, xt).sum().backward()
    with pytest.raises(NotImplementedError) as er:
        fn(reftorch, xr).sum().backward()
    assert str(er.value) == str(et.value)


def test_unique_errors():
    raises_like(lambda T, x: T.unique(x, dim=2), ROWS, msg=True)
    raises_like(lambda T, x: T.unique(x, dim=1), np.zeros((0, 3)), msg=True)
    raises_like(lambda T, x: T.unique(x, dim=0, return_inverse=True), np.zeros((2, 0, 3)), msg=True)
    raises_like(lambda T, x: T.unique_consecutive(x, dim=1), np.zeros((0, 3)), msg=True)


# ----------------------------------------------------------------------------- bincount

X = np.array([1, 3, 1, 0, 5])


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
def test_bincount_counts(dtype):
    both(lambda T, x: T.bincount(x), X.astype(dtype))
    both(lambda T, x: x.bincount(minlength=9), X.astype(dtype))
    both(lambda T, x: T.bincount(x, minlength=2), X.astype(dtype))


@pytest.mark.parametrize("wdtype", ["float32", "float64", "float16", "bool", "int32", "int64", "uint8"])
def test_bincount_weights_dtypes(wdtype):
    w = np.array([0.5, 1, 2, 3, 4]).astype(wdtype)
    both(lambda T, x, w: T.bincount(x, w), X, w)
    both(lambda T, x, w: x.bincount(weights=w, minlength=7), X, w)


def test_bincount_empty_and_grad_fn():
    both(lambda T, x: T.bincount(x), np.zeros(0, np.int64))
    both(lambda T, x: T.bincount(x, minlength=3), np.zeros(0, np.int64))
    both(lambda T, x, w: T.bincount(x, w), X, np.array([0.5, 1, 2, 3, 4], np.float32), requires_grad=True)
    for T in (torch, reftorch):
        r = T.bincount(T.tensor(X), T.tensor([0.5, 1, 2, 3, 4], requires_grad=True))
        with pytest.raises(RuntimeError, match="derivative for aten::bincount is not implemented"):
            r.sum().backward()


def test_bincount_sums_like_torch():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 7, 2000)
    w = rng.standard_normal(2000).astype(np.float32)
    both(lambda T, x, w: T.bincount(x, w), x, w, exact=True)


def test_bincount_errors():
    raises_like(lambda T, x: T.bincount(x), np.array([-1, 2]), msg=True)
    raises_like(lambda T, x: T.bincount(x), np.array([1.0, 2.0]), msg=True)
    raises_like(lambda T, x: T.bincount(x), np.array([True, False]), msg=True)
    raises_like(lambda T, x: T.bincount(x), np.array([[1, 2]]), msg=True)
    raises_like(lambda T, x: T.bincount(x), np.array(3), msg=True)
    raises_like(lambda T, x, w: T.bincount(x, w), X, np.ones(3, np.float32), msg=True)
    raises_like(lambda T, x, w: T.bincount(x, w), X, np.ones((5, 1), np.float32), msg=True)
    raises_like(lambda T, x: T.bincount(x, minlength=-1), X, msg=True)


# ----------------------------------------------------------------------------- index_add

B = np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1


@pytest.mark.parametrize("dim,index,sshape", [(0, [2, 0], (2, 4)), (1, [1, 1, 3], (3, 3)), (-1, [0], (3, 1)),
                                               (0, [], (0, 4)), (1, [3, 0, 3, 3, 1], (3, 5))])
@pytest.mark.parametrize("alpha", [1, 2, -0.5])
def test_index_add_values_and_grads(dim, index, sshape, alpha):
    src = (np.arange(np.prod(sshape), dtype=np.float32).reshape(sshape) - 3) / 3
    idx = np.array(index, np.int64)
    check_grads(lambda T, x, i, s: T.index_add(x, dim, i, s, alpha=alpha), B, idx, src)
    check_grads(lambda T, x, i, s: x.index_add(dim, i, s, alpha=alpha), B, idx, src)
    check_grads(lambda T, x, i, s: (x * 1).index_add_(dim, i, s, alpha=alpha), B, idx, src)
    both(lambda T, x, i, s: T.index_add(x, dim, i.int(), s), B, idx, src)


@pytest.mark.parametrize("dtype", ["float16", "float64", "int32", "int64", "uint8", "bool"])
def test_index_add_dtypes(dtype):
    src = np.array([[1, 0, 3, 2], [5, 1, 1, 0]]).astype(dtype)
    both(lambda T, x, i, s: x.index_add(0, i, s), B.astype(dtype), np.array([1, 1]), src)
    if dtype != "bool":
        both(lambda T, x, i, s: x.index_add(0, i, s, alpha=3), B.astype(dtype), np.array([1, 1]), src)


def test_index_add_integer_alpha_truncates():
    both(lambda T, x: x.index_add(0, T.tensor([0, 0]), T.tensor([5, 6]), alpha=1.5), np.zeros(3, np.int64))


def test_index_add_repeated_indices_sum_in_order():
    rng = np.random.default_rng(1)
    src = rng.standard_normal((500, 3)).astype(np.float32)
    idx = rng.integers(0, 4, 500)
    both(lambda T, x, i, s: x.index_add(0, i, s), rng.standard_normal((4, 3)).astype(np.float32), idx, src,
         exact=True)


def test_index_add_0d_and_inplace():
    both(lambda T, x: x.index_add(0, T.tensor(0), T.tensor(2.0)), np.array(1.0, np.float32))
    for T in (torch, reftorch):
        x = T.zeros(2, 3)
        r = x.index_add_(1, T.tensor([2]), T.ones(2, 1))
        assert r is x and x[:, 2].tolist() == [1.0, 1.0]
    for T in (torch, reftorch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            T.zeros(3, requires_grad=True).index_add_(0, T.tensor([0]), T.ones(1))


@pytest.mark.parametrize("fn", [
    lambda T, x: x.index_add(0, T.tensor([0.0]), T.ones(1)),
    lambda T, x: x.index_add(0, T.tensor([[1]]), T.ones(2)),
    lambda T, x: x.index_add(0, T.tensor([1]), T.ones(1, dtype=T.float64)),
    lambda T, x: x.index_add(0, T.tensor([3]), T.ones(1)),
    lambda T, x: x.index_add(0, T.tensor([-1]), T.ones(1)),
    lambda T, x: x.index_add(1, T.tensor([0]), T.ones(1)),
    lambda T, x: x.index_add(0, T.tensor([0, 1]), T.ones(1)),
    lambda T, x: x.index_add(0, T.tensor(1), T.tensor(2.0)),
    lambda T, x: x.index_add(0, [0], T.ones(1)),
    lambda T, x: x.index_add(0, T.tensor([0]), 1.0),
    lambda T, x: T.zeros(3, 2).index_add(0, T.tensor([1]), T.ones(1, 3)),
    lambda T, x: T.zeros(3, 2).index_add(0, T.tensor([1, 2]), T.ones(1, 3)),
    lambda T, x: T.tensor(1.0).index_add(0, T.tensor([0]), T.tensor([2.0])),
])
def test_index_add_errors(fn):
    raises_like(fn, np.zeros(3, np.float32), msg=True)


# ----------------------------------------------------------------------------- take, take_along_dim

C = np.array([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]], np.float32)


@pytest.mark.parametrize("index", [[0, 5, -1, 2], [[1], [3]], 4, [[-6, 0], [5, 5]], []])
def test_take_values_and_grads(index):
    idx = np.array(index, np.int64)
    check_grads(lambda T, x, i: T.take(x, i), C, idx)
    check_grads(lambda T, x, i: x.t().take(i), C, idx)
    check_grads(lambda T, x, i: x.take(i), np.array(7.0, np.float32), np.array(index, np.int64) % 1)


@pytest.mark.parametrize("fn", [
    lambda T, x: T.take(x, T.tensor([6])),
    lambda T, x: T.take(x, T.tensor([-7])),
    lambda T, x: T.take(x, T.tensor([0], dtype=T.int32)),
    lambda T, x: T.take(x, T.tensor([0.0])),
    lambda T, x: T.take(x, [0]),
    lambda T, x: T.take(T.zeros(0), T.tensor([0])),
])
def test_take_errors(fn):
    raises_like(fn, C, msg=True)


@pytest.mark.parametrize("index,dim", [
    ([[0, 2], [1, 0]], 1), ([[1], [0]], -1), ([[0, 1, 0]], 0), ([[1]], 1), ([[2, 0, 1, 1]], 1),
    ([[7, 100, -100, 5], [4, -5, -6, 300]], 1),  # taken modulo the size, as PyTorch 2.13
    ([[-1, 0, -2]], 0), ([5, 0, 3], None), ([[5, 0], [1, 1]], None)])
def test_take_along_dim_values_and_grads(index, dim):
    idx = np.array(index, np.int64)
    check_grads(lambda T, x, i: T.take_along_dim(x, i, dim), C, idx)
    check_grads(lambda T, x, i: x.take_along_dim(i, dim=dim), C, idx)


def test_take_along_dim_with_argsort_and_broadcast():
    x = np.random.default_rng(2).standard_normal((3, 4, 5)).astype(np.float32)
    check_grads(lambda T, x: T.take_along_dim(x, x.argsort(dim=2), dim=2), x)
    check_grads(lambda T, x: T.take_along_dim(x, x.argmax(dim=1, keepdim=True), dim=1), x)
    check_grads(lambda T, x: T.take_along_dim(x[:1], x.detach().argsort(dim=2)[:, :1, :3], dim=2), x)
    both(lambda T, x: T.take_along_dim(x, T.tensor(0)), np.array(5.0, np.float32))
    both(lambda T, x: T.take_along_dim(x, T.tensor([[1]]), None, out=T.zeros(1)), C)


@pytest.mark.parametrize("fn", [
    lambda T, x: T.take_along_dim(x, T.tensor([[0.0]]), 1),
    lambda T, x: T.take_along_dim(x, T.tensor([[0]], dtype=T.int32), 1),
    lambda T, x: T.take_along_dim(x, T.tensor([0, 1]), 1),
    lambda T, x: T.take_along_dim(x, T.tensor([6])),
    lambda T, x: T.take_along_dim(x, T.tensor([[0, 1], [1, 0], [0, 0]]), 1),
    lambda T, x: T.take_along_dim(x, T.tensor([[0]]), 2),
    lambda T, x: T.take_along_dim(x.t(), T.tensor([0])),
    lambda T, x: T.take_along_dim(T.zeros(2, 0), T.tensor([[1], [2]]), 1),
    lambda T, x: T.take_along_dim(T.tensor(5.0), T.tensor(0), 0),
])
def test_take_along_dim_errors(fn):
    raises_like(fn, C, msg=True)


# ----------------------------------------------------------------------------- meshgrid

M1, M2, M3 = np.array([1.0, 2.0, 3.0], np.float32), np.array([4.0, 5.0], np.float32), np.arange(4, dtype=np.float32)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_values_grads_and_layout(indexing):
    check_grads(lambda T, a, b: T.meshgrid(a, b, indexing=indexing), M1, M2)
    check_grads(lambda T, a, b, c: T.meshgrid([a, b, c], indexing=indexing), M1, M2, M3)
    check_grads(lambda T, a: T.meshgrid(a, indexing=indexing), M1)
    both(lambda T, a, b: T.meshgrid(a, b, indexing=indexing), np.array(3), np.array([1, 2]))
    both(lambda T, a, b: T.meshgrid(a, b, indexing=indexing), np.zeros(0, np.float32), M1)
    for args in ((M1, M2), (M1, M2, M3)):
        gr = reftorch.meshgrid(*map(reftorch.tensor, args), indexing=indexing)
        gt = torch.meshgrid(*map(torch.tensor, args), indexing=indexing)
        assert [g.stride() for g in gr] == [g.stride() for g in gt]
        assert [g._base is None for g in gr] == [g._base is None for g in gt]


def test_meshgrid_warns_once_without_indexing():
    import subprocess
    import sys
    import warnings

    code = ("import torch, warnings; warnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always'); torch.meshgrid(torch.ones(1), torch.ones(1))\n"
            "    torch.meshgrid(torch.ones(1), torch.ones(1))\n"
            "print(len(w)); print(w[0].category.__name__); print(w[0].message)")
    torch_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    forget_warning("torch.meshgrid: in an upcoming release")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        reftorch.meshgrid(reftorch.ones(1), reftorch.ones(1))
        reftorch.meshgrid(reftorch.ones(1), reftorch.ones(1), indexing=None)
    assert f"{len(w)}\n{w[0].category.__name__}\n{w[0].message}\n" == torch_out
    assert w[0].filename == __file__


@pytest.mark.parametrize("fn", [
    lambda T, a: T.meshgrid(a, a, indexing="foo"),
    lambda T, a: T.meshgrid(),
    lambda T, a: T.meshgrid([], indexing="ij"),
    lambda T, a: T.meshgrid(a, T.tensor([1, 2]), indexing="ij"),
    lambda T, a: T.meshgrid(a, [1, 2], indexing="ij"),
    lambda T, a: T.meshgrid((a, a), a, indexing="ij"),
    lambda T, a: T.meshgrid(a, 3, indexing="ij"),
])
def test_meshgrid_errors(fn):
    raises_like(fn, M1, msg=True)
    raises_like(lambda T, a: T.meshgrid(T.zeros(2, 2), a, indexing="ij"), M1)  # (PyTorch prints the tensor)


# ----------------------------------------------------------------------------- searchsorted, bucketize

SEQ = np.array([1, 3, 5, 7, 9])
VALS = np.array([[3, 6, 9], [0, 10, 5]])
SEQ2 = np.array([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])


@pytest.mark.parametrize("kw", [dict(), dict(right=True), dict(side="right"), dict(side="left"),
                                dict(right=False, side="right"), dict(out_int32=True)])
def test_searchsorted_options(kw):
    both(lambda T, s, v: T.searchsorted(s, v, **kw), SEQ, VALS)
    both(lambda T, s, v: T.searchsorted(s, v, **kw), SEQ2, VALS)
    both(lambda T, s: T.searchsorted(s, 6, **kw), SEQ)
    both(lambda T, s, v: T.searchsorted(s, v, **kw), SEQ.astype(np.float64), np.array([2.5, 3.0, -1.0]))
    both(lambda T, s, v: T.searchsorted(s, v, **kw), SEQ, np.array([2.5, 3.0, 1e9], np.float32))  # promoted
    both(lambda T, s, v: T.searchsorted(s, v, sorter=T.tensor([1, 2, 0, 4, 3]), **kw),
         np.array([3, 5, 1, 9, 7]), VALS)


@pytest.mark.parametrize("seed", range(4))
def test_searchsorted_random_with_ties_and_nan(seed):
    rng = np.random.default_rng(seed)
    seq = np.sort(rng.integers(0, 8, (3, 17)).astype(np.float32), axis=1)
    seq[0, -2:] = np.nan  # NaN sorted last, as sort() puts it
    vals = rng.integers(-1, 10, (3, 6)).astype(np.float32)
    vals[1, 0] = np.nan
    for right in (False, True):
        both(lambda T, s, v: T.searchsorted(s, v, right=right), seq, vals)
        both(lambda T, s, v: T.searchsorted(s, v, right=right), seq[0], vals)
        both(lambda T, v, s: T.bucketize(v, s, right=right), vals, seq[1])


def test_searchsorted_edges():
    both(lambda T, s, v: T.searchsorted(s, v), np.zeros(0, np.float32), np.array([1.0], np.float32))
    both(lambda T, s, v: T.searchsorted(s, v), SEQ, np.zeros(0, np.int64))
    both(lambda T, s, v: T.searchsorted(s, v), np.zeros((2, 0)), np.ones((2, 3)))
    both(lambda T, s, v: T.searchsorted(s, v), SEQ, np.array(4))
    both(lambda T, s, v: T.searchsorted(s, v, out=T.zeros(3, dtype=T.long)), SEQ, np.array([4]))
    both(lambda T, s, v: T.bucketize(v, s, out=T.zeros(1, dtype=T.long)), SEQ, np.array([4]))
    both(lambda T, s: T.bucketize(4.5, s, out_int32=True), SEQ)
    both(lambda T, v, s: T.bucketize(v, s), np.array([1.5, 2.5], np.float32), np.array([1.0, 2.0], np.float32),
         requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda T, s: T.searchsorted(s, T.tensor([1]), right=True, side="left"),
    lambda T, s: T.searchsorted(s, T.tensor([1]), side="foo"),
    lambda T, s: T.searchsorted(s, T.tensor([1]), sorter=T.tensor([0, 1, 2, 3, 4], dtype=T.int32)),
    lambda T, s: T.searchsorted(s, T.tensor([1]), sorter=T.tensor([0, 1, 2, 3, 7])),
    lambda T, s: T.searchsorted(s, T.tensor([1]), sorter=T.tensor([0, 1])),
    lambda T, s: T.searchsorted(T.tensor([True, False]), T.tensor([True])),
    lambda T, s: T.searchsorted(T.tensor(1), T.tensor([1])),
    lambda T, s: T.searchsorted(T.stack([s, s]), T.tensor([1, 2])),
    lambda T, s: T.searchsorted(T.stack([s, s]), T.tensor([[1], [2], [3]])),
    lambda T, s: T.bucketize(T.tensor([1]), T.stack([s, s])),
    lambda T, s: T.bucketize(T.tensor([1]), T.tensor(3)),
])
def test_searchsorted_errors(fn):
    raises_like(fn, SEQ, msg=True)


# ----------------------------------------------------------------------------- isin

X2 = np.array([[1, 2], [3, 4]])
T3 = np.array([2, 3, 7])


@pytest.mark.parametrize("kw", [dict(), dict(invert=True), dict(assume_unique=True)])
def test_isin_values(kw):
    both(lambda T, x, t: T.isin(x, t, **kw), X2, T3)
    both(lambda T, x, t: T.isin(x, t, **kw), X2, np.array([[2], [4]]))
    both(lambda T, x: T.isin(x, 3, **kw), X2)
    both(lambda T, t: T.isin(3, t, **kw), T3)
    both(lambda T, x, t: T.isin(x, t, **kw), np.zeros((0, 2)), T3)
    both(lambda T, x, t: T.isin(x, t, **kw), X2, np.zeros(0, np.int64))


@pytest.mark.parametrize("seed", range(3))
def test_isin_random_floats_with_nan_and_signed_zero(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-4, 5, (4, 7)).astype(np.float32)
    t = rng.integers(-4, 5, 6).astype(np.float32)
    x[0, :3] = [np.nan, -0.0, 0.0]
    t[:2] = [np.nan, -0.0]
    both(lambda T, x, t: T.isin(x, t), x, t)
    both(lambda T, x, t: T.isin(x, t), t, x)


@pytest.mark.parametrize("fn", [
    lambda T: T.isin(T.tensor([1.5, 2.0]), T.tensor([1, 2])),
    lambda T: T.isin(T.tensor([1, 300]), T.tensor([44], dtype=T.uint8)),
    lambda T: T.isin(T.tensor([1, 300]), 300.5),
    lambda T: T.isin(T.tensor([44], dtype=T.uint8), 300),           # the number wraps to uint8
    lambda T: T.isin(T.tensor([44], dtype=T.uint8), T.tensor(300)),  # a 0-dim tensor as well
    lambda T: T.isin(T.tensor([-1], dtype=T.int8), 255),
    lambda T: T.isin(T.tensor([0.1], dtype=T.float64), 0.1),
    lambda T: T.isin(T.tensor([0.1]), T.tensor(0.1, dtype=T.float64)),
    lambda T: T.isin(2.0, T.tensor([2, 3])),
    lambda T: T.isin(T.tensor([1.0], requires_grad=True), T.tensor([1.0])),
    lambda T: T.isin(T.tensor([1, 2]), T.tensor([2]), out=T.empty(2, dtype=T.bool)),
])
def test_isin_promotion(fn):
    both(fn)


@pytest.mark.parametrize("fn", [
    lambda T: T.isin(1, 2),
    lambda T: T.isin(T.tensor([1]), [1, 2]),
    lambda T: T.isin(T.tensor([1 + 1j]), T.tensor([1 + 1j])),
    lambda T: T.isin(T.tensor([True]), 1),
    lambda T: T.isin(T.tensor([1]), T.tensor([True])),
])
def test_isin_errors(fn):
    raises_like(fn, msg=True)


# ----------------------------------------------------------------------------- cdist

_R = np.random.default_rng(5)
CA = _R.standard_normal((3, 2)).astype(np.float32)
CB = _R.standard_normal((4, 2)).astype(np.float32)
CA[1] = CB[2]        # a zero distance
CB[0, 0] = CA[0, 0]  # a zero coordinate difference


@pytest.mark.parametrize("p", [2.0, 1.0, float("inf"), 0.0, 3.0, 0.5, 1.5, 2])
def test_cdist_values_and_grads(p):
    check_grads(lambda T, a, b: T.cdist(a, b, p=p), CA, CB)
    check_grads(lambda T, a, b: T.cdist(a, b, p), CA.astype(np.float64), CB.astype(np.float64))
    check_grads(lambda T, a, b: T.cdist(a, b, p=p), CA, CA)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                                  "donot_use_mm_for_euclid_dist"])
@pytest.mark.parametrize("rows", [4, 26])
def test_cdist_compute_modes(mode, rows):
    big = _R.standard_normal((rows, 3))
    check_grads(lambda T, a, b: T.cdist(a, b, compute_mode=mode), big, big[:5] + 0.5)
    check_grads(lambda T, a, b: T.cdist(a, b, p=1, compute_mode=mode), big, big[:5] + 0.5)


@pytest.mark.parametrize("shapes", [((2, 3, 2), (1, 4, 2)), ((2, 3, 2), (4, 2)), ((2, 3, 2), (2, 1, 4, 2)),
                                    ((0, 2), (3, 2)), ((3, 0), (2, 0)), ((2, 3, 2), (2, 30, 2))])
def test_cdist_batches_and_empty(shapes):
    a, b = (_R.standard_normal(s) for s in shapes)
    check_grads(lambda T, a, b: T.cdist(a, b), a, b)
    check_grads(lambda T, a, b: T.cdist(a, b, p=float("inf")), a, b)


@pytest.mark.parametrize("fn", [
    lambda T, a: T.cdist(a, T.ones(4, 3)),
    lambda T, a: T.cdist(a, a, p=-1),
    lambda T, a: T.cdist(a[0], a),
    lambda T, a: T.cdist(a, a[0]),
    lambda T, a: T.cdist(a.int(), a.int()),
    lambda T, a: T.cdist(a, a.int()),
    lambda T, a: T.cdist(a, a.double()),
    lambda T, a: T.cdist(a, a, compute_mode="foo"),
    lambda T, a: T.cdist(a, a, compute_mode=None),
    lambda T, a: T.cdist(T.ones(2, 3, 2), T.ones(3, 4, 2)),
])
def test_cdist_errors(fn):
    raises_like(fn, CA, msg=True)


# ----------------------------------------------------------------------------- shape helpers

X23 = np.arange(6, dtype=np.float32).reshape(2, 3) / 3 - 1
Y234 = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7 - 1
V2 = np.array([1.5, -2.0], np.float32)
S0 = np.array(1.5, np.float32)


def _same_layout(fn, *args):
    r = fn(reftorch, *(reftorch.tensor(a) for a in args))
    t = fn(torch, *(torch.tensor(a) for a in args))
    for a, b in zip(r if isinstance(r, tuple) else (r,), t if isinstance(t, tuple) else (t,)):
        assert (a.stride(), a._base is None) == (b.stride(), b._base is None)


@pytest.mark.parametrize("fn", [
    lambda T, x: T.moveaxis(x, 0, 1), lambda T, x: x.moveaxis(0, -1),
    lambda T, x: T.fliplr(x), lambda T, x: T.flipud(x), lambda T, x: x.fliplr(), lambda T, x: x.flipud(),
    lambda T, x: T.rot90(x), lambda T, x: T.rot90(x, 2), lambda T, x: T.rot90(x, 3, [1, 0]),
    lambda T, x: T.rot90(x, -1), lambda T, x: x.rot90(5, (0, -1)), lambda T, x: T.rot90(x, 0),
    lambda T, x: T.atleast_1d(x), lambda T, x: T.atleast_2d(x[0]), lambda T, x: T.atleast_3d(x),
    lambda T, x: T.atleast_3d(x[0]), lambda T, x: T.atleast_3d(x[0, 0]), lambda T, x: T.atleast_2d(x[0, 0]),
    lambda T, x: T.atleast_1d(x[0, 0], x), lambda T, x: T.atleast_2d([x[0], x[1, 1]]),
    lambda T, x: T.column_stack([x[0], x[1]]), lambda T, x: T.column_stack([x, x[:, :1]]),
    lambda T, x: T.column_stack((x[0, 0], x[1, 1])), lambda T, x: T.dstack([x, x * 2]),
    lambda T, x: T.dstack([x[0], x[1]]), lambda T, x: T.dstack([x]),
    lambda T, x: T.kron(x, x[:, :2]), lambda T, x: x.kron(x[0]), lambda T, x: T.kron(x[0, 0], x),
    lambda T, x: T.tensordot(x, x, dims=([1], [1])), lambda T, x: T.tensordot(x, x.t(), 1),
    lambda T, x: T.tensordot(x, x, 2), lambda T, x: T.tensordot(x, x, 0),
    lambda T, x: T.tensordot(x, x, dims=[[0, 1], [0, 1]]), lambda T, x: T.tensordot(x[:, :1], x, dims=([1], [0])),
    lambda T, x: T.diag_embed(x), lambda T, x: T.diag_embed(x, 1), lambda T, x: T.diag_embed(x, -1, 0, 2),
    lambda T, x: x.diag_embed(2, 2, 0), lambda T, x: T.diag_embed(x[0]),
    lambda T, x: T.cartesian_prod(x[0], x[1]), lambda T, x: T.cartesian_prod(x[0]),
    lambda T, x: T.cartesian_prod(x[0], x[1, :2], x[1]),
])
def test_shape_helpers_values_grads_layout(fn):
    check_grads(fn, X23)
    _same_layout(fn, X23)


@pytest.mark.parametrize("fn", [
    lambda T, y: T.rot90(y, 1, (2, 0)), lambda T, y: y.rot90(3, [-1, 0]), lambda T, y: T.atleast_3d(y),
    lambda T, y: T.dstack([y, y[..., :1]]), lambda T, y: T.kron(y[0, 0], y),
    lambda T, y: T.tensordot(y, y, dims=([1, 0], [1, 0])), lambda T, y: T.tensordot(y, y[:, :, 0], ([0, 1], [0, 1])),
    lambda T, y: T.diag_embed(y, -2, 1, 3),
])
def test_shape_helpers_3d(fn):
    check_grads(fn, Y234)
    _same_layout(fn, Y234)


def test_shape_helpers_dtypes_and_empty_lists():
    both(lambda T, x: T.column_stack([x, T.ones(2, dtype=T.long)]), X23)
    both(lambda T, x: T.kron(x.long(), x), X23)
    both(lambda T: T.atleast_2d())
    assert reftorch.atleast_1d(reftorch.tensor(X23)) is not None
    x = reftorch.tensor(Y234)
    assert reftorch.atleast_3d(x) is x and reftorch.atleast_1d(x, x)[1] is x


@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (3, 2, -1), (0, 0), (2, 5, 10), (3, 3, -10), (4, 3, -1)])
@pytest.mark.parametrize("dtype", [None, "int32"])
def test_tri_indices(args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    for name in ("tril_indices", "triu_indices"):
        both(lambda T: getattr(T, name)(*args, **{k: getattr(T, v) for k, v in kw.items()}))
        _same_layout(lambda T: getattr(T, name)(*args))


@pytest.mark.parametrize("fn", [
    lambda T, x: T.fliplr(T.ones(3)), lambda T, x: T.flipud(T.tensor(1.0)), lambda T, x: T.rot90(T.ones(3)),
    lambda T, x: T.rot90(x, 1, [0, 0]), lambda T, x: T.rot90(x, 1, [0, 2]), lambda T, x: T.rot90(x, 1, [0]),
    lambda T, x: T.rot90(x, 1, [0, -2]), lambda T, x: T.rot90(x, 1, [1, -1]), lambda T, x: T.rot90(x, k=True),
    lambda T, x: T.tril_indices(-1, 3), lambda T, x: T.triu_indices(3, -2),
    lambda T, x: T.tril_indices(3, 3, dtype=T.float32), lambda T, x: T.triu_indices(3, 3, dtype=T.int16),
    lambda T, x: T.column_stack([]), lambda T, x: T.column_stack(x), lambda T, x: T.dstack([]),
    lambda T, x: T.atleast_1d(1), lambda T, x: T.atleast_1d([x, 1]), lambda T, x: T.column_stack([x, 1]),
    lambda T, x: T.kron(x, 1), lambda T, x: T.tensordot(x, x, dims=([1], [0])),
    lambda T, x: T.tensordot(x, x, dims=-1), lambda T, x: T.tensordot(x, x, 3),
    lambda T, x: T.tensordot(x, x.long(), 1), lambda T, x: T.tensordot(x, x.t(), dims=([1, 0], [0])),
    lambda T, x: T.tensordot(x, x.t(), 1.5), lambda T, x: T.diag_embed(x, 0, 0, 0),
    lambda T, x: T.diag_embed(x, 0, 0, 3), lambda T, x: T.diag_embed(T.tensor(1.0)),
    lambda T, x: T.diag_embed(x, 0, 0, -3), lambda T, x: T.cartesian_prod(), lambda T, x: T.cartesian_prod(x),
    lambda T, x: T.cartesian_prod(x[0], x[0].long()), lambda T, x: T.cartesian_prod(T.tensor(1.0), x[0]),
])
def test_shape_helpers_errors(fn):
    raises_like(fn, X23, msg=True)


_SLOW_CALLS = """
s = T.tensor([[1, 3, 5, 7], [2, 4, 6, 8]])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    T.searchsorted(s, T.tensor([[3, 4, 5], [1, 2, 3]]))                    # contiguous: nothing
    T.bucketize(T.tensor([[1, 2, 3], [4, 5, 6]]).t(), s[0, ::2])           # input value, boundary
    T.searchsorted(s.t().contiguous().t(), T.tensor([[3], [3]]))           # (once per program)
    T.searchsorted(s[:, ::2], T.tensor([[3], [4]]), sorter=T.tensor([[0, 1], [0, 1]]).t().contiguous().t())
print("|".join(str(x.message) for x in w))
"""


def test_searchsorted_non_contiguous_warnings_once():
    import subprocess
    import sys

    code = "import torch as T, warnings\n" + _SLOW_CALLS
    torch_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    forget_warning("torch.searchsorted(): ")
    namespace = {"T": reftorch, "warnings": __import__("warnings")}
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(_SLOW_CALLS, namespace)
    assert buf.getvalue() == torch_out
    assert torch_out.count("tensor is non-contiguous") == 3
