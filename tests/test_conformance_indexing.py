"""Conformance: ``x[key]`` for random keys mixing ints, slices, None, Ellipsis, index
lists/tensors and bool masks, on contiguous and permuted inputs -- values, shapes, strides,
grad_fn (and its next node), gradients and exception types, against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import reftorch
from tests._compare import assert_same, assert_same_error, run, torch


@st.composite
def index_case(draw):
    nd = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd)))
    perm = draw(st.permutations(range(nd)))
    items, dim = [], 0
    n_items = draw(st.integers(1, nd + 1))
    used_ellipsis = False
    for _ in range(n_items):
        kind = draw(st.sampled_from(["int", "slice", "none", "list", "mask", "tensor", "ellipsis", "full"]))
        if kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            items.append(("ellipsis",))
            continue
        if kind == "none":
            items.append(("none",))
            continue
        if dim >= nd:
            break
        size = shape[dim]
        if kind == "int":
            items.append(("int", draw(st.integers(-size, size - 1))))
        elif kind == "slice":
            a = draw(st.integers(-size, size))
            b = draw(st.integers(-size, size))
            items.append(("slice", a, b, draw(st.integers(1, 2))))
        elif kind == "list":
            items.append(("list", draw(st.lists(st.integers(-size, size - 1), min_size=0, max_size=3))))
        elif kind == "tensor":
            items.append(("tensor", draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=3)),
                          draw(st.sampled_from(["int64", "int32", "int16", "uint8"]))))
        elif kind == "mask":
            items.append(("mask", draw(st.lists(st.booleans(), min_size=size, max_size=size))))
        else:
            items.append(("full",))
        dim += 1
    single = len(items) == 1 and draw(st.booleans())
    return shape, perm, items, single


def _key(T, items, single):
    out = []
    for it in items:
        k = it[0]
        if k == "ellipsis":
            out.append(Ellipsis)
        elif k == "none":
            out.append(None)
        elif k == "int":
            out.append(it[1])
        elif k == "slice":
            out.append(slice(it[1], it[2], it[3]))
        elif k == "full":
            out.append(slice(None))
        elif k == "list":
            out.append(list(it[1]))
        elif k == "tensor":
            out.append(T.tensor(it[1], dtype=getattr(T, it[2])))
        else:
            out.append(T.tensor(it[1]))
    return out[0] if single else tuple(out)


def _index(T, shape, perm, items, single):
    leaf = T.arange(float(np.prod(shape)), requires_grad=True)
    x = leaf.reshape(*[shape[p] for p in perm]).permute(*np.argsort(perm).tolist())
    y = x[_key(T, items, single)]
    # (a chain of basic indices is one node in reftorch: the next node is compared for
    # tensor indices, where PyTorch applies the basic part first)
    advanced = any(it[0] in ("list", "tensor", "mask") for it in items)
    nxt = [type(n).__name__ if n is not None else None for n, _ in y.grad_fn.next_functions] if advanced else []
    g = T.arange(float(y.numel())).reshape(y.shape)
    y.backward(g)
    # strides of size-1 dims (and of empty results) carry no layout: PyTorch's are arbitrary there
    strides = tuple(st for st, n in zip(y.stride(), y.shape) if n > 1) if y.numel() else ()
    return y, strides, y.is_contiguous(), type(y.grad_fn).__name__, nxt, leaf.grad


def _same_outcome(kt, vt, kr, vr):
    """Both raised (the same error) or both returned (the same result and grad_fn)."""
    if kt == "err":
        assert kr == "err", f"torch raised {type(vt).__name__}: {vt}; reftorch returned {vr}"
        assert_same_error(vr, vt)
        return
    assert kr == "ok", f"reftorch raised {type(vr).__name__}: {vr}"
    assert_same(vr, vt, check_grad_fn=True)


@settings(max_examples=200, deadline=None)
@given(case=index_case())
def test_getitem(case):
    shape, perm, items, single = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kt, vt = run(torch, lambda T: _index(T, shape, perm, items, single), ())
        kr, vr = run(reftorch, lambda T: _index(T, shape, perm, items, single), ())
    _same_outcome(kt, vt, kr, vr)


@pytest.mark.parametrize("key", [
    lambda T: [],
    lambda T: ([], slice(None)),
    lambda T: (0, slice(None), T.tensor([True, False, True, False])),
    lambda T: (slice(None), 0, [0, 2]),
    lambda T: ([0, 1], slice(None), 0),
    lambda T: T.tensor([1], dtype=T.int16),
    lambda T: T.tensor([1], dtype=T.int8),
    lambda T: (slice(None), T.tensor([[0, 1], [1, 2]])),
])
def test_getitem_cases(key):
    def fn(T):
        x = T.arange(24.0).reshape(2, 3, 4)
        y = x[key(T)]
        return y, y.stride()
    kt, vt = run(torch, fn, ())
    kr, vr = run(reftorch, fn, ())
    assert kt == kr, (vt, vr)
    if kt == "err":
        assert_same_error(vr, vt)
    else:
        assert_same(vr, vt)


def _write(T, shape, perm, items, single, vshape):
    """``x[key] = v`` on a permuted non-leaf ``x``: the written tensor, its grad_fn and the
    gradients of the base and of ``v``."""
    leaf = T.arange(float(np.prod(shape)), requires_grad=True)
    x = leaf.reshape(*[shape[p] for p in perm]).permute(*np.argsort(perm).tolist()) * 1
    v = (T.arange(float(np.prod(vshape))) + 100).reshape(vshape).requires_grad_(True)
    x[_key(T, items, single)] = v * 1
    g = T.arange(float(x.numel())).reshape(x.shape)
    x.backward(g)
    return x, type(x.grad_fn).__name__, leaf.grad, v.grad


@settings(max_examples=150, deadline=None)
@given(case=index_case(), trailing=st.booleans())
def test_setitem(case, trailing):
    """Writes use PyTorch's dimension order too: ``x[0, :, mask] = v`` is ``x[0][:, mask] = v``."""
    shape, perm, items, single = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = torch.zeros(shape)
        try:
            target = tuple(x[_key(torch, items, single)].shape)
        except (IndexError, RuntimeError, ValueError):
            target = (1,)
        vshape = target[-1:] if trailing else target  # a broadcast value, or a full one
        kt, vt = run(torch, lambda T: _write(T, shape, perm, items, single, vshape), ())
        kr, vr = run(reftorch, lambda T: _write(T, shape, perm, items, single, vshape), ())
    _same_outcome(kt, vt, kr, vr)


@pytest.mark.parametrize("shape, items, vshape", [
    ((1, 1, 1, 1), [("slice", 0, 1, 1), ("int", 0), ("list", []), ("ellipsis",), ("list", [])], (1, 0)),
    ((2, 3, 4, 5), [("slice", 0, 1, 1), ("int", 0), ("list", [0]), ("ellipsis",), ("list", [1])], (1, 1)),
    ((2, 3), [("list", [0]), ("ellipsis",), ("list", [1])], (1,)),
])
def test_setitem_ellipsis_for_no_dims(shape, items, vshape):
    """An Ellipsis that stands for no dimension leaves the index lists around it adjacent
    in a write too, as in a read (the key PyTorch's fuzz case found: NumPy's rule moved
    their dims to the front and refused the value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kt, vt = run(torch, lambda T: _write(T, shape, tuple(range(len(shape))), items, False, vshape), ())
        kr, vr = run(reftorch, lambda T: _write(T, shape, tuple(range(len(shape))), items, False, vshape), ())
    _same_outcome(kt, vt, kr, vr)


@pytest.mark.parametrize("shape, perm", [((2, 3), (0, 1)), ((2, 3), (1, 0)), ((4,), (0,)), ((1, 3, 2), (2, 0, 1)),
                                         ((0, 2), (0, 1))])
def test_getitem_none_alone(shape, perm):
    """``x[None]`` (getitem's direct route to the unsqueeze): values, strides, grad_fn and
    gradient as PyTorch's, on row-major and permuted inputs."""
    kt, vt = run(torch, lambda T: _index(T, shape, perm, [("none",)], True), ())
    kr, vr = run(reftorch, lambda T: _index(T, shape, perm, [("none",)], True), ())
    _same_outcome(kt, vt, kr, vr)


@pytest.mark.parametrize("key", [lambda T: [0, 0], lambda T: T.tensor([0]), lambda T: T.tensor([True])])
def test_index_array_on_size1_dims_with_other_strides(key):
    """A lone index on a source whose size-1 dims have strides other than row-major's
    (a transposed (2, 1, 1)): PyTorch's result order reads those strides; the strides of
    the result's size-1 dims too (found by the fuzz test)."""
    got = {}
    for T in (torch, reftorch):
        t = T.tensor(np.ones((2, 1, 1), np.float32)).transpose(0, -1)
        got[T.__name__] = tuple(t[key(T)].stride())
    assert got["reftorch"] == got["torch"]
