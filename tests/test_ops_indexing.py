"""Differential tests of indexing against PyTorch: index_select, gather, masked_fill,
``__getitem__`` (ints, slices, None, Ellipsis, bool masks, int tensors, lists),
``__setitem__``, item() and tolist(); values, grad_fn names, gradients and errors."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import ALL_DTYPES, assert_same, both, check_grads, raises_like, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def arr(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype)


def ints(shape, low, high, dtype="int64", seed=0):
    return np.random.default_rng(seed).integers(low, high, size=shape).astype(dtype)


# ------------------------------------------------------------------ index_select
@SET
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple), data=st.data())
def test_index_select(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-max(nd, 1) - 1, max(nd, 1)))
    size = shape[dim] if nd and -nd <= dim < nd else 1
    n = data.draw(st.integers(0, 5))
    hi = data.draw(st.sampled_from([size, size + 2]))  # sometimes out of range
    idx = ints((n,), -1 if data.draw(st.booleans()) else 0, max(hi, 1), data.draw(st.sampled_from(["int64", "int32"])))
    dt = data.draw(st.sampled_from(ALL_DTYPES))
    a = arr(shape, dt)
    both(lambda T, x, i: T.index_select(x, dim, i), a, idx, msg=True)
    both(lambda T, x, i: x.index_select(dim, i), a, idx, msg=True)
    if dt.startswith("float") and dt != "float16":
        in_range = n == 0 or (idx.min() >= 0 and idx.max() < size)
        ok = (nd == 0 and dim in (-1, 0) and n == 1) or (nd and -nd <= dim < nd and (size or not n))
        if ok and in_range:
            check_grads(lambda T, x, i: T.index_select(x, dim, i), a, idx)


def test_index_select_grads_duplicates():
    check_grads(lambda T, x, i: x.index_select(0, i), arr((3, 2)), np.array([2, 0, 2, 2]))
    check_grads(lambda T, x, i: x.index_select(-1, i), arr((3, 4)), np.array([3, 3, 0]))
    check_grads(lambda T, x, i: x.index_select(0, i), arr(()), np.array([0]))
    raises_like(lambda T, x, i: x.index_select(0, i), arr(()), np.array([0, 0]), msg=True)
    check_grads(lambda T, x, i: x.index_select(0, i), arr((4,)), np.array(1))


def test_index_select_errors():
    a = arr((2, 3))
    raises_like(lambda T, x, i: T.index_select(x, 0, i), a, np.array([2]), msg=True)
    raises_like(lambda T, x, i: T.index_select(x, 0, i), a, np.array([-1]), msg=True)
    raises_like(lambda T, x, i: T.index_select(x, 2, i), a, np.array([0]), msg=True)
    raises_like(lambda T, x, i: T.index_select(x, 0, i), a, np.array([[0]]), msg=True)
    raises_like(lambda T, x, i: T.index_select(x, 0, i), a, np.array([0.0]))
    raises_like(lambda T, x, i: T.index_select(x, 0, i), a, np.array([0], dtype=np.int16))
    raises_like(lambda T, x: T.index_select(x, 0, [0]), a)


# ------------------------------------------------------------------ gather
@SET
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), data=st.data())
def test_gather(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    ishape = tuple(data.draw(st.integers(0, s + (1 if i == dim % nd else 0))) for i, s in enumerate(shape))
    oob = data.draw(st.booleans())
    idx = ints(ishape, 0, shape[dim] + (1 if oob else 0), data.draw(st.sampled_from(["int64", "int32"])))
    dt = data.draw(st.sampled_from(ALL_DTYPES))
    a = arr(shape, dt)
    both(lambda T, x, i: T.gather(x, dim, i), a, idx, msg=True)
    both(lambda T, x, i: x.gather(dim, i), a, idx, msg=True)
    if dt in ("float32", "float64") and (idx.size == 0 or idx.max() < shape[dim]):
        check_grads(lambda T, x, i: T.gather(x, dim, i), a, idx)


@SET
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), data=st.data())
def test_gather_bad_index_shape(shape, data):
    ishape = tuple(data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    both(lambda T, x, i: T.gather(x, dim, i), arr(shape), ints(ishape, 0, 1), msg=True)


def test_gather_errors():
    a = arr((2, 3))
    raises_like(lambda T, x, i: T.gather(x, 0, i), a, np.array([[5, 0]]), msg=True)
    raises_like(lambda T, x, i: T.gather(x, 1, i), a, np.array([[-1, 0]]), msg=True)
    raises_like(lambda T, x, i: T.gather(x, 0, i), a, np.array([0, 1]), msg=True)
    raises_like(lambda T, x, i: T.gather(x, 0, i), a, np.array(0), msg=True)
    both(lambda T, x, i: T.gather(x, 0, i), arr((3,)), np.array(2))
    both(lambda T, x, i: T.gather(x, 1, i), a, np.zeros((3, 0), np.int64))
    both(lambda T, x, i: T.gather(x, 1, i), arr((3,)), np.zeros((0, 0), np.int64))
    check_grads(lambda T, x, i: T.gather(x, 0, i), arr(()), np.array([0, 0]))
    check_grads(lambda T, x, i: T.gather(x, 0, i), arr((3,)), np.array(1))
    raises_like(lambda T, x, i: T.gather(x, 1, i), a, np.array([[0], [1], [0]]), msg=True)
    raises_like(lambda T, x, i: T.gather(x, 2, i), a, np.array([[0]]), msg=True)
    raises_like(lambda T, x, i: T.gather(x, 0, i), a, np.array([[0.0]]))
    both(lambda T, x, i: T.gather(x, 0, i), arr(()), np.array(0))
    both(lambda T, x, i: T.gather(x, 0, i), arr(()), np.array([0, 0]), msg=True)


def test_gather_grads():
    check_grads(lambda T, x, i: x.gather(1, i), arr((2, 3)), np.array([[0, 0, 2], [1, 1, 1]]))
    check_grads(lambda T, x, i: x.gather(0, i), arr((2, 3)), np.array([[1, 0], [1, 1]]))
    check_grads(lambda T, x, i: x.gather(-1, i), arr((2, 3, 2)), ints((2, 2, 3), 0, 2))
    check_grads(lambda T, x, i: x.t().gather(0, i), arr((2, 3)), ints((2, 2), 0, 3))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_gather_large_in_pieces(dim, dtype):
    """Indices far past one piece of the CPU kernel (2**15 elements), a transposed index
    and a bad index in a late piece: the values and the error are PyTorch's."""
    a = arr((300, 7, 40))
    shape = (300, 7, 40)
    idx = ints(shape, 0, shape[dim], dtype, seed=3)
    both(lambda T, x, i: T.gather(x, dim, i), a, idx)
    both(lambda T, x, i: T.gather(x, dim, i.transpose(0, 2).contiguous().transpose(0, 2)), a, idx)
    # a transposed (non-contiguous) input
    both(lambda T, x, i: T.gather(x.transpose(0, 2), dim, i), a, ints((40, 7, 300), 0, (40, 7, 300)[dim], dtype))
    bad = idx.copy()
    bad[290, 3, 5] = shape[dim]
    raises_like(lambda T, x, i: T.gather(x, dim, i), a, bad, msg=True)
    bad[290, 3, 5] = -2
    raises_like(lambda T, x, i: T.gather(x, dim, i), a, bad, msg=True)
    check_grads(lambda T, x, i: T.gather(x, dim, i), arr((30, 3, 4), "float64"),
                ints((30, 3, 4), 0, (30, 3, 4)[dim], dtype, seed=4))


# ------------------------------------------------------------------ masked_fill
@SET
@given(shape=st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple), data=st.data())
def test_masked_fill(shape, data):
    mshape = tuple(data.draw(st.sampled_from([s, 1])) for s in shape)[data.draw(st.integers(0, len(shape))):]
    dt = data.draw(st.sampled_from(ALL_DTYPES))
    value = data.draw(st.sampled_from([0, 1, -2.5, 7, True, 0.5]))
    if dt == "uint8" and value == -2.5:
        value = 3
    a = arr(shape, dt)
    m = arr(mshape, "bool", 1)
    both(lambda T, x, mk: x.masked_fill(mk, value), a, m, msg=True)
    both(lambda T, x, mk: T.masked_fill(x, mk, value), a, m, msg=True)
    if dt in ("float32", "float64"):
        check_grads(lambda T, x, mk: x.masked_fill(mk, value), a, m)


def test_masked_fill_tensor_value_and_errors():
    a, m = arr((2, 3)), arr((2, 3), "bool", 1)
    both(lambda T, x, mk: x.masked_fill(mk, T.tensor(5.0)), a, m)
    raises_like(lambda T, x, mk: x.masked_fill(mk, T.tensor([5.0])), a, m, msg=True)
    raises_like(lambda T, x, mk: x.masked_fill(mk, 1.0), a, m.astype(np.int64), msg=True)
    raises_like(lambda T, x, mk: x.masked_fill(mk, 1.0), a, arr((2,), "bool"), msg=True)
    both(lambda T, x, mk: x.masked_fill(mk, 1.0), a, arr((3,), "bool"))
    both(lambda T, x, mk: x.masked_fill(mk, 1.0), arr((3,)), arr((2, 3), "bool"), msg=True)
    both(lambda T, x, mk: x.clone().masked_fill_(mk, -1.0), a, m)


def test_masked_fill_inplace():
    for T in (torch, reftorch):
        x = T.zeros(2, 2)
        y = x.masked_fill_(T.tensor([[True, False], [False, True]]), 3.0)
        assert y is x
        assert x.tolist() == [[3.0, 0.0], [0.0, 3.0]]


# ------------------------------------------------------------------ __getitem__
BASIC_KEYS = [
    0, -1, 1, slice(None), slice(1, None), slice(None, None, 2), slice(-2, None), slice(5, 10),
    (0, 1), (slice(None), 0), (Ellipsis, 0), (None,), (None, 0), (0, None, slice(None)),
    (Ellipsis,), (Ellipsis, None), (slice(None), None, Ellipsis), (1, Ellipsis, -1), (),
    (slice(None, None, 3), slice(1, 2)), (True,), (False,), (None, None), (0, 0, 0),
    (Ellipsis, 0, Ellipsis),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_getitem_basic(key):
    a = arr((3, 4, 2))
    both(lambda T, x: x[key], a, msg=True)
    both(lambda T, x: (x[key].stride(), x[key].is_contiguous()), a, msg=True)
    try:
        torch.tensor(a)[key]
    except Exception:
        return
    check_grads(lambda T, x: x[key], a)


def test_getitem_errors():
    a = arr((3, 4))
    raises_like(lambda T, x: x[3], a, msg=True)
    raises_like(lambda T, x: x[0, -5], a, msg=True)
    raises_like(lambda T, x: x[0, 0, 0], a, msg=True)
    raises_like(lambda T, x: x[::-1], a, msg=True)
    raises_like(lambda T, x: x[1.5], a)
    raises_like(lambda T, x: x["a"], a)
    both(lambda T, x: x[..., ...], a)  # PyTorch accepts a second Ellipsis
    both(lambda T, x: x[..., 0, ...], arr((3, 4, 2)))
    raises_like(lambda T, x, i: x[i], a, np.array([0.0]))
    raises_like(lambda T, x, i: x[i], a, np.array([3]), msg=True)
    raises_like(lambda T, x, m: x[m], a, arr((4,), "bool"), msg=True)
    raises_like(lambda T, x: x[0], np.float32(1.0), msg=True)


ADV_KEYS = [
    lambda T: T.tensor([0, 2]),
    lambda T: T.tensor([[0, 1], [2, 2]]),
    lambda T: T.tensor([-1, 0, -1]),
    lambda T: [0, 2, 2],
    lambda T: [[0, 1]],
    lambda T: (T.tensor([0, 1]), T.tensor([1, 3])),
    lambda T: (slice(None), T.tensor([3, 0])),
    lambda T: (T.tensor([0, 2]), slice(1, 3)),
    lambda T: (Ellipsis, T.tensor([1])),
    lambda T: (T.tensor([0, 2]), None),
    lambda T: (None, T.tensor([0, 2])),
    lambda T: (0, T.tensor([1, 2])),
    lambda T: (T.tensor([1, 2]), 0),
    lambda T: (slice(None), T.tensor([[0], [1]]), T.tensor([0, 1])),
    lambda T: T.tensor([True, False, True]),
    lambda T: T.tensor([[True, False, True, False]] * 3),
    lambda T: (T.tensor([True, False, True]), slice(1, 3)),
    lambda T: (slice(None), T.tensor([True, False, False, True])),
    lambda T: T.tensor(True),
    lambda T: T.tensor(False),
    lambda T: T.tensor(1),
    lambda T: (T.tensor(1), T.tensor(2)),
    lambda T: T.tensor([], dtype=T.int64),
    lambda T: T.tensor([0, 1], dtype=T.int32),
    lambda T: (T.tensor([0, 1]), slice(None), T.tensor([1, 0])),
    lambda T: [True, False, True],
]


@pytest.mark.parametrize("k", range(len(ADV_KEYS)))
def test_getitem_advanced(k):
    make_key = ADV_KEYS[k]
    a = arr((3, 4, 2))
    both(lambda T, x: x[make_key(T)], a, msg=True)
    check_grads(lambda T, x: x[make_key(T)], a)


@SET
@given(data=st.data())
def test_getitem_random_basic(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    key = []
    for s in shape:
        kind = data.draw(st.sampled_from(["int", "slice", "none", "full"]))
        if kind == "int":
            key.append(data.draw(st.integers(-s, s - 1)))
        elif kind == "slice":
            key.append(slice(data.draw(st.integers(-s - 1, s + 1)), data.draw(st.integers(-s - 1, s + 1)),
                             data.draw(st.integers(1, 3))))
        elif kind == "none":  # a new dim, then this dim kept whole
            key += [None, slice(None)]
        else:
            key.append(slice(None))
    key = tuple(key)
    both(lambda T, x: x[key], arr(shape))
    both(lambda T, x: x[key].stride() if x[key].dim() else (), arr(shape))
    check_grads(lambda T, x: x[key], arr(shape))

    def write(T, a, w):  # an in-place write through the same view of a non-leaf
        x = a * 1
        x[key].mul_(w[key])
        return x
    check_grads(write, arr(shape), arr(shape, seed=1))


def test_getitem_views_share_memory():
    for T in (torch, reftorch):
        x = T.zeros(3, 4)
        x[1][2] = 5
        x[:, 0][1] = 7
        x[0, ...][3] = 2
        assert x.tolist()[1][2] == 5 and x.tolist()[1][0] == 7 and x.tolist()[0][3] == 2
        y = x[T.tensor([0])]
        y[0, 0] = 99
        assert x[0, 0].item() == 0


def test_getitem_dtypes():
    for dt in ALL_DTYPES:
        a = arr((3, 2), dt)
        both(lambda T, x: (x[0], x[:, 1], x[[0, 0]], x[0, 1]), a)


# ------------------------------------------------------------------ __setitem__
SET_CASES = [
    (0, 1.0), ((0, 1), -2.0), (slice(None), 3.0), (slice(1, None), lambda T: T.tensor([1.0, 2.0, 3.0, 4.0])),
    (Ellipsis, 0.0), ((slice(None), 0), lambda T: T.tensor([7.0, 8.0, 9.0])),
    (lambda T: T.tensor([0, 2]), 5.0), (lambda T: T.tensor([True, False, True]), -1.0),
    (lambda T: T.zeros(3, 4, dtype=T.bool), 9.0), ((None, 0), 4.0),
    (lambda T: (T.tensor([0, 1]), T.tensor([1, 2])), lambda T: T.tensor([10.0, 20.0])),
    (1, lambda T: T.tensor(6)), (0, True), ([0, 1], 2), ((0, slice(None, None, 2)), lambda T: T.tensor([1.5, 2.5])),
]


@pytest.mark.parametrize("k", range(len(SET_CASES)))
def test_setitem(k):
    key, value = SET_CASES[k]

    def fn(T, x):
        kk = key(T) if callable(key) else key
        vv = value(T) if callable(value) else value
        y = x.clone()
        y[kk] = vv
        return y

    for dt in ("float32", "int64", "bool", "float64"):
        both(fn, arr((3, 4), dt), msg=True)


def test_setitem_errors():
    def put(key, value):
        def fn(T, x):
            x[key(T) if callable(key) else key] = value(T) if callable(value) else value
        return fn
    a = arr((3, 4))
    raises_like(put(3, 1.0), a, msg=True)
    raises_like(put(slice(None), lambda T: T.ones(2)), a, msg=True)
    raises_like(put(0, lambda T: T.ones(3, 4)), a, msg=True)
    raises_like(put(0, lambda T: T.ones(2, 1, 4)), a, msg=True)
    raises_like(put(0, lambda T: T.ones(3)), a, msg=True)
    raises_like(put(lambda T: T.tensor([0, 1]), lambda T: T.ones(3)), a, msg=True)
    raises_like(put(lambda T: T.tensor([0, 1]), lambda T: T.ones(4, dtype=T.float64)), a, msg=True)
    raises_like(put(lambda T: T.tensor([0, 1]), lambda T: T.tensor(2)), a, msg=True)
    raises_like(put(lambda T: T.tensor([0, 1]), lambda T: T.ones(2, 2)), a, msg=True)
    both(lambda T, x: x.__setitem__(0, T.ones(1, 4)) or x, a)


def test_setitem_autograd():
    def fn(T, w, v):
        x = w * 1
        x[0] = v
        return x
    check_grads(fn, arr((3, 2)), arr((2,), seed=1))

    def fn2(T, w, v):
        x = w * 1
        x[:, 1] = v.sum()
        return x * w
    check_grads(fn2, arr((3, 2)), arr((2,), seed=1))

    def fn3(T, w):
        x = T.zeros(3, 2)
        x[1] = w
        return x
    check_grads(fn3, arr((2,)))


def test_setitem_leaf_errors():
    for T in (torch, reftorch):
        w = T.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            w[0] = 2.0
        with T.no_grad():
            w[0] = 2.0
        assert w.tolist() == [2.0, 1.0, 1.0]


# ------------------------------------------------------------------ item / tolist
@pytest.mark.parametrize("dt", ALL_DTYPES)
def test_item_tolist(dt):
    a = arr((2, 3), dt)
    both(lambda T, x: (x.tolist(), x[0].tolist(), x[0, 1].tolist(), x[0, 1].item(), x[:1, :1].item()), a)
    both(lambda T, x: x.item(), a, msg=True)
    both(lambda T, x: (x[0, 0].__float__(), x[0, 0].__int__(), x[0, 0].__bool__()), a)
    both(lambda T, x: x.tolist(), arr((0, 2), dt))
    both(lambda T, x: x.tolist(), arr((), dt))


def test_item_errors():
    raises_like(lambda T, x: x.item(), arr((2,)), msg=True)
    raises_like(lambda T, x: x.item(), arr((0,)), msg=True)
    raises_like(lambda T, x: bool(x), arr((2,)), msg=True)
    raises_like(lambda T, x: float(x), arr((2,)), msg=True)
    raises_like(lambda T, x: len(x), arr(()), msg=True)
    raises_like(lambda T, x: iter(x), arr(()), msg=True)


def test_item_float_values():
    # a float32 element's item() is the Python float of its exact float32 value
    items = [[v.item() for v in T.tensor([0.1, 1e-8], dtype=T.float32)] for T in (reftorch, torch)]
    assert items[0] == items[1]
    assert all(type(v) is float for v in items[0])
    assert_same(reftorch.tensor([0.1]).item(), torch.tensor([0.1]).item())
    assert reftorch.tensor([0.1]).item() == torch.tensor([0.1]).item()
    assert reftorch.tensor(3, dtype=reftorch.int32).item() == 3
    assert type(reftorch.tensor(True).item()) is bool


def test_unbind_and_iteration():
    a = arr((2, 3))
    both(lambda T, x: x.unbind(1), a)
    both(lambda T, x: x.unbind(-2), a)
    both(lambda T, x: list(x), a)
    both(lambda T, x: [(y.stride(), y.shape) for y in x.unbind(1)], a)
    raises_like(lambda T, x: x.unbind(2), a, msg=True)
    raises_like(lambda T, x: x.unbind(0), np.float32(1.0), msg=True)
    check_grads(lambda T, x: list(x)[1] * 2, a)
    check_grads(lambda T, x: x.unbind(1)[2], a)


def test_fuzz_regressions():
    """Cases a random differential search found."""
    raises_like(lambda T, x: x.size(-2), np.float32(1), msg=True)
    raises_like(lambda T, x: x.stride(0), np.float32(1), msg=True)
    raises_like(lambda T, x: x[0, 1:], np.float32(1), msg=True)
    raises_like(lambda T, x: x[T.tensor([1])], np.zeros((0,), np.float32), msg=True)
    raises_like(lambda T, x: x[T.tensor([0, 1, 2, 1])], np.zeros((1, 1), np.float32), msg=True)
    both(lambda T, x: x[T.tensor([3, 0, -3])], np.zeros((2, 0, 2), np.float32))  # no bounds check when empty
    raises_like(lambda T, x: x.gather(1, T.tensor([[0, 1]])), np.zeros((2, 0), np.int64), msg=True)
    raises_like(lambda T, x: x.gather(1, T.tensor([[0, 5, 1, 7]])), np.zeros((2, 3), np.int64), msg=True)
    for shapes in [((2, 2), (2, 2)), ((2,), (2,)), ((2, 2), (2,)), ((2, 2, 2), (2, 2, 2)), ((2, 2, 2), (2, 2))]:
        raises_like(lambda T, x, y: x @ y, np.ones(shapes[0], bool), np.ones(shapes[1], bool), msg=True)
    both(lambda T, x: x @ x, np.ones((0, 0), bool))
    raises_like(lambda T, x: x.expand(3), np.ones((2, 2), bool), msg=True)
    raises_like(lambda T, x: x.expand(0, 1), np.ones((3, 2), np.float32), msg=True)
