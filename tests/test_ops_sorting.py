"""Differential tests of sort/argsort/msort/topk and max/min with ``dim`` against PyTorch:
values, indices (stable tie order), named tuples and their repr, dtypes, grads, errors."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import ALL_DTYPES, FLOAT_DTYPES, both, check_grads, raises_like, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def distinct(shape, dtype="float32", seed=0):
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) - n // 2).astype(dtype)


@SET
@given(shape=shapes, data=st.data())
def test_sort_matches_torch_with_ties(shape, data):
    # Few distinct values: many ties, so the stable tie order is exercised.
    dt = data.draw(st.sampled_from(ALL_DTYPES))
    x = random_array(np.random.default_rng(data.draw(st.integers(0, 99))), shape, dt, low=-2, high=2)
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd - 1, nd))
    desc = data.draw(st.booleans())
    stable = data.draw(st.sampled_from([False, True]))
    both(lambda T, a: T.sort(a, dim=dim, descending=desc, stable=stable), x, exact=True)
    both(lambda T, a: a.sort(dim, desc), x, exact=True)
    both(lambda T, a: T.argsort(a, dim=dim, descending=desc), x, exact=True)


@SET
@given(shape=st.lists(st.integers(1, 60), min_size=1, max_size=2).map(tuple), data=st.data())
def test_sort_long_rows_with_ties_match_torch(shape, data):
    # Beyond 16 elements PyTorch's sort(stable=False) is std::sort: not stable.
    dt = data.draw(st.sampled_from(["float32", "float64", "int64", "int16", "uint8", "bool"]))
    x = random_array(np.random.default_rng(data.draw(st.integers(0, 999))), shape, dt, low=0, high=2)
    if dt.startswith("float") and data.draw(st.booleans()):
        x[x == 1] = np.nan
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    desc, stable = data.draw(st.booleans()), data.draw(st.booleans())
    both(lambda T, a: T.sort(a, dim=dim, descending=desc, stable=stable), x, exact=True)
    both(lambda T, a: a.argsort(dim, desc), x, exact=True)
    both(lambda T, a: T.argsort(a, dim=dim, descending=desc, stable=True), x, exact=True)


def test_sort_nan_placement_and_repr():
    x = np.array([1.0, np.nan, 3.0, -np.inf, 2.0, np.nan], np.float32)
    both(lambda T, a: T.sort(a), x)
    both(lambda T, a: T.sort(a, descending=True), x)
    r = reftorch.tensor([3, 1, 3, 2]).sort(descending=True)
    t = torch.tensor([3, 1, 3, 2]).sort(descending=True)
    assert repr(r) == repr(t)
    assert r.values is r[0] and r.indices is r[1]
    assert type(r).__name__ == "sort"
    assert isinstance(r, reftorch.return_types.sort)


@SET
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), data=st.data())
def test_topk_values_and_indices(shape, data):
    dt = data.draw(st.sampled_from(["float32", "float64", "int64", "int32"]))
    x = distinct(shape, dt, seed=data.draw(st.integers(0, 99)))  # no ties: indices are defined
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    largest = data.draw(st.booleans())
    both(lambda T, a: T.topk(a, k, dim=dim, largest=largest), x, exact=True)
    both(lambda T, a: a.topk(k, dim, largest, True), x, exact=True)


@SET
@given(shape=st.lists(st.integers(1, 40), min_size=1, max_size=2).map(tuple), data=st.data())
def test_topk_ties_pick_torchs_indices(shape, data):
    # Few distinct values (and NaN): PyTorch's selection is not stable; the indices must match anyway.
    dt = data.draw(st.sampled_from(["float32", "float64", "int64", "int16"]))
    x = random_array(np.random.default_rng(data.draw(st.integers(0, 999))), shape, dt, low=0, high=3)
    if dt.startswith("float") and data.draw(st.booleans()):
        x[x == 2] = np.nan
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    largest, srt = data.draw(st.booleans()), data.draw(st.booleans())
    both(lambda T, a: T.topk(a, k, dim=dim, largest=largest, sorted=srt), x, exact=True)


def test_topk_long_rows_use_the_partial_sort_path():
    # k * 64 <= n: PyTorch takes std::partial_sort (a heap), with its own order among ties.
    x = np.random.default_rng(5).integers(0, 4, size=(3, 700)).astype(np.float32)
    both(lambda T, a: T.topk(a, 5, dim=1), x, exact=True)
    both(lambda T, a: T.topk(a, 10, dim=1, largest=False, sorted=False), x, exact=True)


def test_topk_errors_and_repr():
    both(lambda T: T.topk(T.tensor([True, False]), 1), msg=True)
    both(lambda T, a: T.topk(a, 5), np.arange(4.0, dtype=np.float32))
    both(lambda T, a: T.topk(a, -1), np.arange(4.0, dtype=np.float32))
    both(lambda T, a: T.topk(a, 1, dim=3), np.arange(4.0, dtype=np.float32))
    r = reftorch.tensor([1.0, 7.0, 3.0, 5.0]).topk(2)
    t = torch.tensor([1.0, 7.0, 3.0, 5.0]).topk(2)
    assert repr(r) == repr(t)


def test_sort_topk_refuse_complex():
    # PyTorch's CPU kernels have no order for complex numbers; dim and k are checked first.
    x = np.array([1 + 2j, 0j, 3 - 1j], dtype=np.complex64)
    for fn in (lambda T, a: T.sort(a), lambda T, a: T.sort(a, stable=True, descending=True),
               lambda T, a: T.argsort(a), lambda T, a: T.msort(a), lambda T, a: T.topk(a, 2),
               lambda T, a: T.sort(a[0]), lambda T, a: T.sort(a[:0]),
               lambda T, a: T.sort(a, 1), lambda T, a: T.topk(a, 4)):
        raises_like(fn, x, msg=True)


@pytest.mark.parametrize("dt", FLOAT_DTYPES[1:])
def test_sort_topk_grads(dt):
    x = distinct((3, 4), dt, seed=1)
    check_grads(lambda T, a: T.sort(a, 1, descending=True)[0], x)
    check_grads(lambda T, a: a.sort(0).values * 2, x)
    check_grads(lambda T, a: T.topk(a, 2).values, x)
    check_grads(lambda T, a: T.topk(a, 2, dim=0, largest=False).values, x)
    check_grads(lambda T, a: T.msort(a), x)


def test_max_min_with_dim_named_tuples():
    x = distinct((3, 4), "float32")
    both(lambda T, a: T.max(a, 1), x)
    both(lambda T, a: T.min(a, 0, keepdim=True), x)
    both(lambda T, a: T.max(a, T.flip(a, [0])), x)  # element-wise form
    check_grads(lambda T, a: T.max(a, dim=1).values, x)
    r = reftorch.tensor([[1, 5], [7, 2]]).max(1)
    t = torch.tensor([[1, 5], [7, 2]]).max(1)
    assert repr(r) == repr(t)
    assert isinstance(r, reftorch.return_types.max)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_topk_3d_some_rows_tied_match_torch(dim):
    """A 3-d input where only some rows along ``dim`` hold equal values: those rows are
    redone on the host and must land back in their own places (a dim other than the last
    two used to scramble them)."""
    rng = np.random.default_rng(dim + 7)
    for _ in range(20):
        x = rng.permutation(20 * 12).reshape(20, 3, 4).astype(np.float32)
        x[:, rng.integers(0, 3), rng.integers(0, 4)] = rng.integers(0, 3, size=20)
        x = np.moveaxis(x, 0, dim).copy()
        both(lambda T, a: a.sort(dim=dim), x, exact=True)
        both(lambda T, a: a.topk(3, dim=dim, largest=False), x, exact=True)


# ---------------------------------------------------------------- out=(values, indices)
@pytest.mark.parametrize("call", [
    "T.sort(x, out=(E(0), E(0, dtype=T.long)))",
    "T.sort(x, 0, True, out=[E(0), E(0, dtype=T.long)])",
    "T.sort(x, stable=True, dim=0, descending=True, out=(E(0), E(0, dtype=T.long)))",
    "T.sort(T.tensor(3.), out=(E(0), E(0, dtype=T.long)))",
    "T.topk(x, 2, out=(E(0), E(0, dtype=T.long)))",
    "T.topk(x.long(), 1, 0, False, True, out=(E(0, dtype=T.long), E(0, dtype=T.long)))",
    "T.topk(x, 2, sorted=False, out=(E(2, 2).t(), E(0, dtype=T.long)))",
])
def test_sort_topk_out_named_tuple_holds_the_given_tensors(call):
    def go(T):
        E = T.empty
        x = T.tensor([[3., 1., 2., 1.], [0., 5., 4., 6.]])
        r = eval(call, {"T": T, "E": E, "x": x})
        return type(r).__name__, repr(r), r.values, r.indices, r.values.stride()
    both(go, exact=True)


def test_sort_topk_out_are_the_given_tensors_resized_with_warning():
    import warnings
    for T in (torch, reftorch):
        x = T.tensor([[3., 1., 2.], [0., 5., 4.]])
        v, i = T.zeros(5), T.empty(0, dtype=T.long)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            r = T.sort(x, out=(v, i))
            s = T.topk(x, 1, out=(T.empty(0), T.zeros(2, 1, dtype=T.long)))  # shapes fit / empty: no warning
        assert r.values is v and r[1] is i and isinstance(r, T.return_types.sort_out)
        assert isinstance(s, T.return_types.topk_out)
        assert [str(w.message).split(" This behavior")[0] for w in seen] == [
            "An output with one or more elements was resized since it had shape [5], which does not match the "
            "required output shape [2, 3]."], T
        assert [w.category for w in seen] == [UserWarning]
        assert v.tolist() == [[1., 2., 3.], [0., 4., 5.]] and i.tolist() == [[1, 2, 0], [0, 2, 1]]


@pytest.mark.parametrize("call", [
    "T.sort(x, out=(E(0, dtype=T.float64), E(0, dtype=T.long)))",
    "T.sort(x, out=(E(0), E(0, dtype=T.int32)))", "T.sort(x, out=(E(0), E(0)))",
    "T.sort(x, out=(E(0, dtype=T.long), E(0, dtype=T.long)))",
    "T.topk(x, 1, out=(E(0, dtype=T.float64), E(0, dtype=T.long)))",
    "T.topk(x, 1, out=(E(0), E(0, dtype=T.int32)))",
    "T.sort(x, out=(E(0),))", "T.sort(x, out=(E(0), E(0, dtype=T.long), E(0)))", "T.topk(x, 1, out=[E(0)])",
    "T.sort(x, out=(1, 2))", "T.sort(x, stable=True, out=(1, 2))", "T.sort(x, out=(E(0), 2))",
    "T.topk(x, 1, out=(E(0), 2))", "T.topk(x, 1, out=[1])",
    "T.topk(x, 1, out=E(0))", "T.sort(x, out=E(0))", "T.sort(x, 0, out=E(0))", "T.sort(x, out=5)",
    # grad before the op's own checks, those before the dtypes
    "T.sort(x.requires_grad_(), out=(E(0, dtype=T.float64), E(0, dtype=T.long)))",
    "T.sort(x.requires_grad_(), dim=5, out=(E(0), E(0, dtype=T.long)))",
    "T.topk(x.requires_grad_(), 7, out=(E(0), E(0, dtype=T.long)))",
    "T.topk(x, 1, out=(E(0).requires_grad_(), E(0, dtype=T.long)))",
    "T.sort(x, dim=5, out=(E(0, dtype=T.float64), E(0, dtype=T.long)))",
    "T.topk(x, 7, out=(E(0, dtype=T.float64), E(0, dtype=T.long)))",
    "x.sort(out=(E(0), E(0, dtype=T.long)))", "x.topk(1, out=(E(0), E(0, dtype=T.long)))",
])
def test_sort_topk_out_errors(call):
    def go(T):
        return eval(call, {"T": T, "E": T.empty, "x": T.tensor([[3., 1., 2.], [0., 5., 4.]])})
    msg = not call.startswith("x.sort")  # (PyTorch's parser lists every overload; reftorch: Python's text)
    both(go, msg=msg)


def test_sort_out_under_no_grad():
    def go(T):
        x = T.tensor([3., 1., 2.], requires_grad=True)
        with T.no_grad():
            r = T.sort(x, out=(T.empty(0), T.empty(0, dtype=T.long)))
        return r.values, r.indices, r.values.requires_grad
    both(go)
