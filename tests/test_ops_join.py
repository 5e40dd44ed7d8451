"""Differential tests of cat/concat/concatenate/stack (and hstack/vstack) against PyTorch:
shapes, negative dims, dtype promotion, the legacy empty 1-D rule, errors, gradients."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from _compare import ALL_DTYPES, both, check_grads, raises_like, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def arr(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype)


@SET
@given(base=st.lists(st.integers(0, 3), min_size=1, max_size=4).map(tuple), data=st.data())
def test_cat_random(base, data):
    nd = len(base)
    dim = data.draw(st.integers(-nd, nd - 1))
    k = data.draw(st.integers(1, 4))
    arrays = []
    for i in range(k):
        shape = list(base)
        shape[dim] = data.draw(st.integers(0, 3))
        arrays.append(arr(tuple(shape), data.draw(st.sampled_from(["float32", "float64", "int64", "int32"])), i))
    for name in ("cat", "concat", "concatenate"):
        both(lambda T, *xs: getattr(T, name)(list(xs), dim), *arrays)
    both(lambda T, *xs: T.cat(xs, dim=dim), *arrays)


@SET
@given(base=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), data=st.data())
def test_cat_invalid(base, data):
    nd = len(base)
    dim = data.draw(st.integers(-nd - 2, nd + 1))
    other = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    both(lambda T, a, b: T.cat([a, b], dim), arr(base), arr(other, seed=1), msg=True)


@SET
@given(dtypes=st.lists(st.sampled_from(ALL_DTYPES), min_size=1, max_size=3))
def test_cat_and_stack_promotion(dtypes):
    arrays = [arr((2, 2), d, i) for i, d in enumerate(dtypes)]
    both(lambda T, *xs: T.cat(xs), *arrays)
    both(lambda T, *xs: T.cat(xs, 1), *arrays)
    both(lambda T, *xs: T.stack(xs), *arrays)
    both(lambda T, *xs: T.stack(xs, -1), *arrays)


def test_cat_legacy_empty_1d():
    # A 1-D tensor with zero elements is skipped whatever the other shapes.
    both(lambda T, a, e: T.cat([a, e]), arr((2, 3)), arr((0,)))
    both(lambda T, a, e: T.cat([e, a], dim=1), arr((2, 3)), arr((0,)))
    both(lambda T, a, e: T.cat([e, a, e], dim=-1), arr((2, 3)), arr((0,)))
    both(lambda T, e: T.cat([e, e]), arr((0,)))
    both(lambda T, a, e: T.cat([e, a]), arr((2, 3), "int64"), arr((0,), "float64"))  # dtype still promotes
    both(lambda T, a, e: T.cat([a, e]), arr((2, 3)), arr((0, 2)), msg=True)  # (0, 2) is not skipped
    both(lambda T, e: T.cat([e, e], dim=1), arr((0,)), msg=True)
    check_grads(lambda T, a, e: T.cat([e, a, e], dim=1), arr((2, 3)), arr((0,)))


def test_cat_errors():
    raises_like(lambda T: T.cat([]), msg=True)
    raises_like(lambda T, a: T.cat([a, a]), np.float32(1.0), msg=True)
    raises_like(lambda T, a, b: T.cat([a, b]), arr((2, 3)), arr((2, 4)), msg=True)
    raises_like(lambda T, a, b: T.cat([a, b]), arr((2, 3)), arr((2, 3, 1)), msg=True)
    raises_like(lambda T, a, b: T.cat([a, b], 2), arr((2, 3)), arr((2, 3)), msg=True)
    raises_like(lambda T, a, b: T.cat([a, b], -3), arr((2, 3)), arr((2, 3)), msg=True)
    raises_like(lambda T, a: T.cat(a), arr((2, 3)))
    raises_like(lambda T, a: T.cat([a, 1]), arr((2, 3)))


@pytest.mark.parametrize("name", ["cat", "stack"])
def test_tensors_must_be_a_list_or_tuple(name):
    """A list or tuple (subclasses too) is taken; any other container, even an iterable of
    tensors, is PyTorch's TypeError naming its type."""
    import collections
    pair = collections.namedtuple("pair", "x y")
    both(lambda T, a: getattr(T, name)(pair(a, a)), arr((2, 3)))
    both(lambda T, a: getattr(T, name)((a, a), 1), arr((2, 3)))
    for make in (lambda a: (t for t in (a, a)), lambda a: iter([a, a]), lambda a: collections.deque([a, a]),
                 lambda a: {a: 1}, lambda a: a, lambda a: None, lambda a: np.zeros(2)):
        raises_like(lambda T, a: getattr(T, name)(make(a)), arr((2, 3)), msg=True)


def test_cat_grads():
    check_grads(lambda T, a, b: T.cat([a, b]), arr((2, 3)), arr((1, 3), seed=1))
    check_grads(lambda T, a, b: T.cat([a, b], -1), arr((2, 3)), arr((2, 1), seed=1))
    check_grads(lambda T, a, b: T.cat([a, b, a], 1), arr((2, 3)), arr((2, 0), seed=1))
    check_grads(lambda T, a, b: T.cat([a, b], 0), arr((2, 3), "float64"), arr((1, 3), "float32", 1))
    check_grads(lambda T, a, b: T.cat([a, b]), arr((2, 3)), arr((1, 3), "int64"))


@SET
@given(shape=st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple), data=st.data())
def test_stack_random(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd - 2, nd + 1))
    k = data.draw(st.integers(1, 3))
    arrays = [arr(shape, seed=i) for i in range(k)]
    both(lambda T, *xs: T.stack(xs, dim), *arrays, msg=True)
    if -nd - 1 <= dim <= nd:
        check_grads(lambda T, *xs: T.stack(xs, dim), *arrays)


def test_stack_errors():
    raises_like(lambda T: T.stack([]), msg=True)
    raises_like(lambda T, a, b: T.stack([a, b]), arr((2, 3)), arr((3, 2)), msg=True)
    raises_like(lambda T, a, b: T.stack([a, b], 3), arr((2, 3)), arr((2, 3)), msg=True)
    both(lambda T, a: T.stack([a, a]), np.float32(2.0))


def test_hstack_vstack():
    both(lambda T, a, b: T.hstack([a, b]), arr((3,)), arr((2,)))
    both(lambda T, a, b: T.hstack([a, b]), arr((2, 3)), arr((2, 1)))
    both(lambda T, a, b: T.vstack([a, b]), arr((3,)), arr((3,)))
    both(lambda T, a, b: T.vstack([a, b]), arr((2, 3)), arr((3,)))


def test_stack_last_dim_layout_like_pytorch():
    # PyTorch stacks 3-d tensors along a new last dim as cat of 4-d unsqueezed views, laid
    # out channels-last when all suggest it (size-1 dims with odd strides included).
    import itertools

    import reftorch
    strides = {}
    for T in (reftorch, torch):
        got = []
        for shape in [(1, 1, 2), (2, 3, 4), (1, 3, 1), (2, 1, 3)]:
            arr = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
            for perm in itertools.permutations(range(3)):
                x = T.tensor(np.transpose(arr, perm).copy()).permute(*np.argsort(perm).tolist())
                for d in (-1, 0, 2):
                    got += [T.stack([x, x], d).stride(), T.stack([x, x.contiguous()], d).stride()]
        strides[T.__name__] = got
    assert strides["reftorch"] == strides["torch"]


# ------------------------------------------------------------------ layouts and argument order
def _strided_pair(shape, perm, step):
    """The same strided tensor in reftorch and in torch: an array laid out in the order
    ``perm`` (then viewed back to ``shape``), every ``step``-th element of its first dim."""
    import reftorch
    full = (shape[0] * step,) + tuple(shape[1:])
    a = np.arange(int(np.prod(full)), dtype=np.float32).reshape(full)
    host = np.transpose(a, perm).copy()
    back = np.argsort(perm).tolist()
    return tuple(T.tensor(host).permute(*back)[::step] for T in (reftorch, torch))


def _layouts(shapes, fn):
    """``fn(T, x, y)`` on every pair of layouts (permutations, every other row) of the two
    shapes, in both libraries: values, dtypes and strides must be torch's."""
    import itertools
    got = {}
    for px in itertools.permutations(range(len(shapes[0]))):
        for py in [tuple(range(len(shapes[1]))), tuple(reversed(range(len(shapes[1])))), px]:
            for sx, sy in [(1, 1), (2, 1), (1, 2)]:
                xr, xt = _strided_pair(shapes[0], px, sx)
                yr, yt = _strided_pair(shapes[1], py, sy)
                r, t = fn(reftorch_mod(), xr, yr), fn(torch, xt, yt)
                assert r.stride() == t.stride(), (shapes, px, py, sx, sy, r.stride(), t.stride())
                np.testing.assert_array_equal(r.numpy(), t.numpy())
                got[(px, py, sx, sy)] = t.stride()
    return got


def reftorch_mod():
    import reftorch
    return reftorch


@pytest.mark.parametrize("shapes", [((2, 3, 4, 5), (2, 3, 4, 5)), ((1, 3, 1, 2), (1, 3, 1, 2)),
                                    ((2, 1, 3), (2, 1, 3)), ((2, 3), (2, 3)), ((1, 3), (1, 3)), ((3, 1), (3, 1)),
                                    ((2, 2, 1, 3), (2, 2, 1, 3))])
def test_stack_layouts_like_pytorch(shapes):
    """stack is cat along ``dim`` viewed (dim before the last) or cat of the inputs with a
    new last dim: 4-d channels-last inputs give 5-d results that are not row-major."""
    nd = len(shapes[0])
    for d in range(-nd - 1, nd + 1):
        _layouts(shapes, lambda T, x, y: T.stack([x, y], d))


@pytest.mark.parametrize("shapes", [((2, 3, 4, 5), (2, 3, 4, 5)), ((1, 3, 1, 2), (1, 3, 1, 2)),
                                    ((2, 1, 3), (2, 1, 3)), ((2, 3), (2, 3)), ((1, 3), (1, 3))])
def test_cat_layouts_like_pytorch(shapes):
    nd = len(shapes[0])
    for d in range(-nd, nd):
        _layouts(shapes, lambda T, x, y: T.cat([x, y], d))
    _layouts(shapes, lambda T, x, y: T.cat([x, T.zeros(0), y], -1))


@pytest.mark.parametrize("shapes, d", [(((2, 3), (1, 3)), 0), (((2, 3), (2, 1)), 1), (((2, 3), (2, 2)), -1),
                                      (((3, 2, 4), (1, 2, 4)), 0), (((2, 3, 4), (2, 3, 2)), -1),
                                      (((2, 0, 3), (2, 1, 3)), 1), (((2, 2, 3, 3), (2, 1, 3, 3)), 1)])
def test_cat_uneven_layouts_like_pytorch(shapes, d):
    """Inputs of different sizes along ``dim``: values, dtypes and strides are torch's."""
    _layouts(shapes, lambda T, x, y: T.cat([x, y], d))
    _layouts(shapes, lambda T, x, y: T.cat([y, x, y], d))


def test_cat_errors_when_a_later_shape_does_not_fit():
    """Only the first shape is read before the join: the errors of a later tensor are
    PyTorch's, in its order (a 0-d tensor before ``dim``'s range, the numbers of dims
    before the sizes), and a legacy empty tensor among others is still skipped."""
    a, s = arr((2, 3)), np.float32(1.0)
    for d in (0, 1, -1, 2, 5, -3):
        raises_like(lambda T, x, y: T.cat([x, y], d), a, s, msg=True)
        raises_like(lambda T, x, y: T.cat([x, x, y], d), a, arr((2, 3, 1)), msg=True)
        raises_like(lambda T, x, y: T.cat([x, y], d), a, arr((3, 4)), msg=True)
    both(lambda T, x, e: T.cat([x, e, x], 1), a, arr((0,)))
    both(lambda T, x, e, y: T.cat([x, e, y], 0), a, arr((0,)), arr((1, 3), seed=1))
    raises_like(lambda T, x, e, y: T.cat([x, e, y], 0), a, arr((0,)), arr((1, 4)), msg=True)


def test_cat_stack_argument_errors_in_pytorchs_order():
    """The argument parser's errors (each element a tensor, then ``dim`` an int) come before
    the op's own (an empty list, a 0-d tensor, ``dim`` out of range, the shapes)."""
    a, z, m = arr((2, 3)), np.float32(1.0), arr((3, 2))
    raises_like(lambda T: T.cat([], 1.0), msg=True)
    raises_like(lambda T, a, z: T.cat([a, z], 1.0), a, z, msg=True)
    raises_like(lambda T, z: T.cat([z, 3]), z, msg=True)
    raises_like(lambda T, a, z: T.cat([a, z], 5), a, z, msg=True)
    raises_like(lambda T, a, m: T.cat([a, m], 5), a, m, msg=True)
    raises_like(lambda T, a, m: T.cat([a, m], True), a, m, msg=True)
    raises_like(lambda T, z: T.cat([T.zeros(0), z]), z, msg=True)
    both(lambda T: T.cat([T.zeros(0), T.zeros(0)], 5))  # only legacy empty ones: dim is not checked
    raises_like(lambda T, a: T.cat([T.zeros(0), a], 5), a, msg=True)
    both(lambda T, a: T.cat([a, a], T.tensor(-1)), a)
    both(lambda T, a: T.cat([a, a], np.int64(-1)), a)
    raises_like(lambda T: T.stack([], 1.5), msg=True)
    raises_like(lambda T: T.stack([], 5), msg=True)
    raises_like(lambda T, a: T.stack([a, 1], 5), a, msg=True)
    raises_like(lambda T, a, m: T.stack([a, m], 5), a, m, msg=True)
    raises_like(lambda T, a, m: T.stack([a, m], 1.0), a, m, msg=True)
    raises_like(lambda T, a, m: T.stack([a, m], None), a, m, msg=True)
    raises_like(lambda T, z: T.stack([z, z], 1), z, msg=True)
    raises_like(lambda T, z, a: T.stack([z, a]), z, a, msg=True)
    both(lambda T, a: T.stack([a, a], T.tensor(-1)), a)
    both(lambda T, z: T.stack([z, z.to(T.int32)], -1), z)
    both(lambda T, a: T.stack((a,), 2), a)


def test_stack_grads_and_promotion():
    check_grads(lambda T, a, b: T.stack([a, b], -1), arr((2, 3)), arr((2, 3), "float64", 1))
    check_grads(lambda T, a, b: T.stack([a, b], 1), arr((2, 3)), arr((2, 3), "int64", 1))
    check_grads(lambda T, a, b: T.stack([a, b, a]), arr((2, 3)), arr((2, 3), seed=1))
    check_grads(lambda T, a, b: T.stack([a.t(), b.t()], 2), arr((2, 3)), arr((2, 3), seed=1))
    check_grads(lambda T, a, b: T.stack([a, b]), np.float32(1.0), np.float32(2.0))


@pytest.mark.parametrize("shape", [(2, 3, 4, 5, 6), (1, 1, 2, 3, 2), (2, 1, 1, 3, 2), (1, 3, 1, 1, 2), (2, 0, 3, 1, 2)])
def test_cat_stack_channels_last_3d_like_pytorch(shape):
    """5-d inputs that suggest channels_last_3d give cat such a result, and stack (of 4-d
    inputs along the last dim too, as a cat of 5-d views) its view; size-1 dims included."""
    import reftorch
    perms = [(0, 2, 3, 4, 1), (0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (0, 2, 1, 4, 3)]
    for perm in perms:
        for step in (1, 2):
            xr, xt = _strided_pair(shape, perm, step)
            for d in range(-5, 5):
                for fn in (lambda T, x: T.cat([x, x], d), lambda T, x: T.cat([x, x.contiguous()], d),
                           lambda T, x: T.stack([x, x], d), lambda T, x: T.stack([x[:, :, 0], x[:, :, -1]], -1)):
                    r, t = fn(reftorch, xr), fn(torch, xt)
                    assert r.stride() == t.stride(), (shape, perm, step, d, r.stride(), t.stride())
                    np.testing.assert_array_equal(r.numpy(), t.numpy())


def test_hstack_vstack_errors_and_grads():
    a, b = arr((2, 3)), arr((3, 2), seed=1)
    for name in ("hstack", "vstack"):
        raises_like(lambda T: getattr(T, name)([]), msg=True)
        raises_like(lambda T, a: getattr(T, name)(a), a, msg=True)  # a tensor is not a list of them
        raises_like(lambda T, a: getattr(T, name)([a, 1]), a, msg=True)
        raises_like(lambda T, a, b: getattr(T, name)((a, b)), a, b, msg=True)
        both(lambda T: getattr(T, name)([T.tensor(1.0), T.tensor([2.0])]))
        both(lambda T, a: getattr(T, name)([T.zeros(0), a]), arr((2,)), msg=True)
        check_grads(lambda T, a, b: getattr(T, name)([a, b]), np.float32(1.0), arr((1,)))
        check_grads(lambda T, a, b: getattr(T, name)([a, b]), arr((3,)), arr((3,), "float64", 1))
        check_grads(lambda T, a, b: getattr(T, name)((a, b.t())), arr((2, 2)), arr((2, 2), seed=1))


def test_split_chunk_arguments_like_pytorch():
    x = arr((6, 4))
    raises_like(lambda T, a: a.chunk(2.0), x, msg=True)
    raises_like(lambda T, a: a.chunk(True), x, msg=True)
    # the argument's type first (the message names the method's position, as elsewhere: the
    # function torch.chunk says position 2)
    raises_like(lambda T, a: T.chunk(a, 2.5, 1), np.float32(1.0))
    raises_like(lambda T, a: a.chunk(2.5, 1), np.float32(1.0), msg=True)
    raises_like(lambda T, a: T.chunk(a, 0), x, msg=True)
    raises_like(lambda T, a: T.chunk(a, 2, -3), x, msg=True)
    raises_like(lambda T, a: T.split(a, 2, 5), x, msg=True)
    raises_like(lambda T, a: T.split(a, 2.0), x, msg=True)
    for sizes in ([2, 2.0], [2.0, 4], [2, 2, "a"], [2, None]):
        raises_like(lambda T, a: T.split(a, sizes), x, msg=True)
    raises_like(lambda T, a: a.split([1, T.tensor(5.0)]), x, msg=True)
    both(lambda T, a: a.split([2, True, 3]), x)  # (a bool is an int there)
    both(lambda T, a: a.split([T.tensor(2), np.int64(4)]), x)
    both(lambda T, a: a.split(T.tensor(4), -1), x)
    both(lambda T, a: a.chunk(np.int64(3), T.tensor(1)), x)
    both(lambda T, a: T.chunk(a[:, :0], 3, 1), x)  # an empty dim: SplitWithSizesBackward0 pieces
    both(lambda T, a: T.split(a[:0], 0), x)
    check_grads(lambda T, a: T.cat(a.split([1, 0, 3], 1)[::-1], 1), x)
    check_grads(lambda T, a: T.stack(a.split(2), 0), x)
    check_grads(lambda T, a: T.cat(a.chunk(3, -1)[::-1], 1), x)


def test_split_pieces_are_views_with_torchs_strides():
    import reftorch

    def pieces(T):
        root = T.arange(24.0)
        base = root.view(2, 3, 4).permute(2, 0, 1)
        out = base.split([1, 3], 0) + base.chunk(2, -1) + base.split(1, 1)
        out[1][0, 0, 0] = -1.0  # a view: the write reaches the base
        return [(tuple(p.shape), p.stride(), p._base is root, p.tolist()) for p in out], root.tolist()

    assert pieces(reftorch) == pieces(torch)
