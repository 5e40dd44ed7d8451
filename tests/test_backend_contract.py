"""The backend contract (``reftorch/_backends/base.py``), checked on every backend present.

Each primitive a kernel may call is run on NumPy (cpu), on the array-api-strict stand-in
(strict) and, when CuPy sees a GPU, on CuPy (cuda). Expected values are written by hand or
computed with plain NumPy on host copies, never with the backend under test.

``cupy-code``: the CUDA backend's own code (``CupyBackend``) run over a NumPy imitation of
the few CuPy names it calls (``cupy.array``, ``cupy.lib.stride_tricks.as_strided``,
``cupyx.scatter_add`` …). On a machine without a GPU it still catches a misspelt call or a
primitive that breaks the contract; what CUDA itself does is checked by ``cuda``
(``scripts/gpu-check.sh``). ``data_ptr`` (CuPy's ``arr.data.ptr``) has no NumPy imitation
and is checked on ``cuda`` only.
"""
from __future__ import annotations

import abc
import math
import sys
import types
import warnings

import numpy as np
import pytest

import reftorch as torch
from reftorch import _backends
from reftorch._backends.base import Backend
from reftorch._backends.cupy_backend import cupy_available

BACKENDS = [
    "cpu",
    "strict",
    pytest.param("cuda", marks=[pytest.mark.gpu,
                                pytest.mark.skipif(not cupy_available(), reason="needs CuPy and a CUDA GPU")]),
]


class _FakeCudaDevice(str):
    """``cupy.cuda.Device(i)`` for the imitation: a context manager that NumPy's array-API
    functions accept as ``device=`` (it equals ``"cpu"``)."""

    def __new__(cls, index):
        return str.__new__(cls, "cpu")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _cupy_over_numpy(monkeypatch):
    """A ``CupyBackend`` whose ``cupy``, ``cupyx`` and ``array_api_compat.cupy`` are NumPy."""
    import array_api_compat.numpy as compat_numpy
    from reftorch._backends.cupy_backend import CupyBackend

    def scatter_add(a, slices, value):
        np.add.at(a, slices, value)

    cupy = types.SimpleNamespace(
        __version__="14.0.0", add=np.add,  # CuPy >= 14 scatter-adds with cupy.add.at
        matmul=np.matmul, subtract=np.subtract, tanh=np.tanh,  # the recurrent layers' out= kernels
        array=lambda obj, copy=True: np.array(obj, copy=copy), asnumpy=np.asarray, zeros=np.zeros,
        lib=types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
            as_strided=lambda x, shape=None, strides=None: np.lib.stride_tricks.as_strided(x, shape, strides))),
        cuda=types.SimpleNamespace(Device=_FakeCudaDevice))
    cupyx = types.SimpleNamespace(scatter_add=scatter_add, empty_pinned=np.empty)
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    monkeypatch.setitem(sys.modules, "array_api_compat.cupy", compat_numpy)
    # Where the real CuPy is installed, ``import array_api_compat.cupy`` finds the attribute
    # of the package before sys.modules: replace both.
    import array_api_compat
    monkeypatch.setattr(array_api_compat, "cupy", compat_numpy, raising=False)
    return CupyBackend(0)


@pytest.fixture(params=BACKENDS + ["cupy-code"])
def b(request, monkeypatch):
    if request.param == "cupy-code":
        with np.errstate(all="ignore"):  # CUDA kernels never warn; the NumPy imitation must not either
            yield _cupy_over_numpy(monkeypatch)
        return
    yield _backends.get(torch.device(request.param))


@pytest.fixture(params=BACKENDS)
def real_b(request):
    """Backends over their real array library only."""
    return _backends.get(torch.device(request.param))


def put(b, host):
    """A host (NumPy) array on backend ``b``."""
    return b.from_host(np.asarray(host))


def get(b, arr):
    """Backend array -> a NumPy copy."""
    return np.array(b.to_host(arr), copy=True)


def grid(b, rows=3, cols=4, dtype=np.float32):
    """``arange(rows*cols).reshape(rows, cols)`` on ``b``, and the same on the host."""
    host = np.arange(rows * cols, dtype=dtype).reshape(rows, cols)
    return put(b, host), host


# --------------------------------------------------------------------------- the class
def test_backend_is_abstract():
    assert isinstance(Backend, abc.ABCMeta)
    with pytest.raises(TypeError):
        Backend({})  # primitives are abstract: no backend without them
    expected = {"from_host", "to_host", "strides", "as_strided", "reshape_view", "data_ptr", "copy",
                "setitem", "scatter_add"}
    assert Backend.__abstractmethods__ == expected


def test_backend_serves_its_device(real_b):
    b = real_b
    assert isinstance(b, Backend)
    assert b.device.type in ("cpu", "strict", "cuda")
    assert _backends.get(b.device) is b
    assert b.xp is not None and b.name


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64",
                                  "complex64", "complex128"])
def test_dtype_round_trip(b, name):
    d = getattr(torch, name)
    z = b.zeros((2, 3), d)
    assert b.dtype_of(z) is d
    assert z.dtype == b.dtype(d)
    assert b._from_native[z.dtype] is d
    np.testing.assert_array_equal(get(b, z), np.zeros((2, 3), dtype=name))


def test_unsupported_dtype_is_a_type_error():
    strict = _backends.get(torch.device("strict"))
    with pytest.raises(TypeError, match="does not support torch.float16"):
        strict.dtype(torch.float16)


def test_dev_kw_places_new_arrays(b):
    a = b.xp.arange(3, dtype=b.dtype(torch.int64), **b._dev_kw())
    np.testing.assert_array_equal(get(b, a), [0, 1, 2])
    assert b.dtype_of(a) is torch.int64


# --------------------------------------------------------------------------- host transfers
def test_from_host_to_host(b):
    host = np.array([[1.5, -2.0], [3.25, 4.0]], dtype=np.float64)
    a = b.from_host(host)
    assert b.dtype_of(a) is torch.float64
    back = b.to_host(a)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, host)
    c = b.from_host(host, copy=True)
    host[0, 0] = 99.0  # a copy does not see later host writes
    assert get(b, c)[0, 0] == 1.5


def test_pin_memory_keeps_values(b):
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    pinned = b.pin_memory(host)
    assert isinstance(pinned, np.ndarray)
    np.testing.assert_array_equal(pinned, host)
    assert b.is_pinned(np.zeros(3)) is False


# --------------------------------------------------------------------------- layout
def test_strides_in_elements(b):
    a, _ = grid(b)
    assert b.strides(a) == (4, 1)
    assert b.strides(b.xp.permute_dims(a, (1, 0))) == (1, 4)
    assert b.strides(a[:, ::2]) == (4, 2)
    assert b.strides(b.xp.asarray(5.0, **b._dev_kw())) == ()


def test_as_strided_is_a_view(b):
    a, host = grid(b)
    v = b.as_strided(a, (2, 3), (1, 4))  # a transposed corner
    expected = np.lib.stride_tricks.as_strided(host, (2, 3), (4, 16))
    np.testing.assert_array_equal(get(b, v), expected)
    assert b.strides(v) == (1, 4)
    w = b.as_strided(a, (3,), (5,))  # the diagonal
    np.testing.assert_array_equal(get(b, w), [0, 5, 10])
    w[...] = b.xp.zeros((3,), dtype=w.dtype, **b._dev_kw())  # writes reach the base
    np.testing.assert_array_equal(np.diag(get(b, a)), [0, 0, 0])
    assert get(b, a)[0, 1] == 1
    s = b.as_strided(a, (2, 2), (0, 1))  # a zero stride repeats a row
    np.testing.assert_array_equal(get(b, s), [[0, 1], [0, 1]])
    assert b.strides(s) == (0, 1)


def test_as_strided_from_an_offset_view(b):
    a, host = grid(b)
    v = b.as_strided(a[1:, :], (2,), (4,))  # counted from the view's first element
    np.testing.assert_array_equal(get(b, v), host[1:, 0])


def test_reshape_view(b):
    a, host = grid(b)
    r = b.reshape_view(a, (2, 6))
    np.testing.assert_array_equal(get(b, r), host.reshape(2, 6))
    r[0, 0] = 7.0
    assert get(b, a)[0, 0] == 7.0  # shares memory
    with pytest.raises((ValueError, AttributeError)):
        b.reshape_view(b.xp.permute_dims(a, (1, 0)), (12,))  # needs a copy


def test_squeeze(b):
    a, host = grid(b, 3, 4)
    col = b.as_strided(a, (1, 3, 1, 2), (12, 4, 12, 2))  # every other column: strided, size-1 dims
    want = host[:, ::2]
    r = b.squeeze(col, (0, 2))
    np.testing.assert_array_equal(get(b, r), want)
    assert b.strides(r) == (4, 2)  # the kept dims keep their strides
    assert b.squeeze(col, (2,)).shape == (1, 3, 2)
    r[0, 0] = 9.0
    assert get(b, a)[0, 0] == 9.0  # a view


def test_concat(b):
    a, host = grid(b, 3, 4)
    r = b.concat([a, a], 0)
    np.testing.assert_array_equal(get(b, r), np.concatenate([host, host], 0))
    cols = b.concat([a, b.as_strided(a, (3, 2), (4, 2))], 1)  # a strided input too
    np.testing.assert_array_equal(get(b, cols), np.concatenate([host, host[:, ::2]], 1))
    r[0, 0] = 5.0
    assert get(b, a)[0, 0] != 5.0  # a new array, not a view


def test_data_ptr(real_b):
    b = real_b
    a, _ = grid(b)
    isz = b.dtype_of(a).itemsize
    assert isinstance(b.data_ptr(a), int)
    assert b.data_ptr(a[1:, :]) - b.data_ptr(a) == 4 * isz
    assert b.data_ptr(a[:, 2:]) - b.data_ptr(a) == 2 * isz
    assert b.data_ptr(b.reshape_view(a, (12,))) == b.data_ptr(a)
    assert b.data_ptr(b.copy(a)) != b.data_ptr(a)


def test_is_c_contiguous(b):
    a, _ = grid(b)
    assert b.is_c_contiguous(a) is True or b.is_c_contiguous(a) == True  # noqa: E712 (numpy bool)
    assert not b.is_c_contiguous(b.xp.permute_dims(a, (1, 0)))
    assert not b.is_c_contiguous(a[:, ::2])
    assert b.is_c_contiguous(a[1:, :])


def test_ascontiguousarray(b):
    a, host = grid(b)
    assert b.ascontiguousarray(a) is a  # already row-major: the array itself, no copy
    rows = a[1:, :]
    assert b.ascontiguousarray(rows) is rows
    for t, want in ((b.xp.permute_dims(a, (1, 0)), host.T), (a[:, ::2], host[:, ::2])):
        c = b.ascontiguousarray(t)
        np.testing.assert_array_equal(get(b, c), want)
        assert b.strides(c) == (want.shape[1], 1)  # a row-major copy
        c[0, 0] = -1.0
        assert get(b, a)[0, 0] == 0.0


def test_owns_memory(b):
    a, _ = grid(b)
    assert not b.owns_memory(a[1:, :])  # a view never owns
    assert not b.owns_memory(b.xp.permute_dims(a, (1, 0)))
    assert b.owns_memory(b.copy(a)) in (True, False)  # may be "unknown" (False)


def test_copy_is_row_major_and_independent(b):
    a, host = grid(b)
    t = b.xp.permute_dims(a, (1, 0))
    c = b.copy(t)
    np.testing.assert_array_equal(get(b, c), host.T)
    assert b.strides(c) == (3, 1)
    assert b.is_c_contiguous(c)
    c[0, 0] = -1.0
    assert get(b, a)[0, 0] == 0.0


# --------------------------------------------------------------------------- reads and writes by key
def _key_cases(b):
    idx = put(b, np.array([2, 0]))
    mask = put(b, np.array([True, False, True]))
    return [
        ((1, 2), 9.0, (1, 2)),
        ((slice(None), 0), 9.0, (slice(None), 0)),
        ((Ellipsis,), 9.0, (Ellipsis,)),
        ((idx,), 9.0, (np.array([2, 0]),)),
        ((mask,), 9.0, (np.array([True, False, True]),)),
        ((idx, slice(1, 3)), 9.0, (np.array([2, 0]), slice(1, 3))),
        ((slice(None), idx), 9.0, (slice(None), np.array([2, 0]))),
        ((idx, idx), 9.0, (np.array([2, 0]), np.array([2, 0]))),
    ]


@pytest.mark.parametrize("case", range(8))
def test_getitem(b, case):
    key, _, host_key = _key_cases(b)[case]
    a, host = grid(b)
    out = b.getitem(a, key)
    np.testing.assert_array_equal(get(b, out), host[host_key])


@pytest.mark.parametrize("case", range(8))
def test_setitem_scalar(b, case):
    key, value, host_key = _key_cases(b)[case]
    a, host = grid(b)
    b.setitem(a, key, value)
    host[host_key] = value
    np.testing.assert_array_equal(get(b, a), host)


def test_setitem_array_values(b):
    a, host = grid(b)
    rows = put(b, np.array([0, 2]))
    new = np.array([[10, 11, 12, 13], [20, 21, 22, 23]], dtype=np.float32)
    b.setitem(a, rows, put(b, new))  # "assign rows"
    host[[0, 2]] = new
    np.testing.assert_array_equal(get(b, a), host)
    b.setitem(a, (slice(None), 1), put(b, np.array([7, 8, 9], dtype=np.float32)))
    host[:, 1] = [7, 8, 9]
    np.testing.assert_array_equal(get(b, a), host)
    b.setitem(a, (put(b, host > 20),), put(b, np.float32(-1)))
    host[host > 20] = -1
    np.testing.assert_array_equal(get(b, a), host)


def test_setitem_writes_through_views(b):
    a, host = grid(b)
    col = a[:, 1]
    b.setitem(col, put(b, np.array([0, 2])), 5.0)
    host[[0, 2], 1] = 5.0
    np.testing.assert_array_equal(get(b, a), host)


def test_scatter_add_accumulates(b):
    idx = put(b, np.array([1, 1, 3, 0, 5], dtype=np.int64))
    vals = put(b, np.array([1.0, 2.0, 4.0, 8.0, 16.0], dtype=np.float32))
    out = b.scatter_add((2, 3), torch.float32, idx, vals)
    assert b.dtype_of(out) is torch.float32
    np.testing.assert_array_equal(get(b, out), [[8.0, 3.0, 0.0], [4.0, 0.0, 16.0]])
    out64 = b.scatter_add((6,), None, idx, put(b, np.array([1.0, 2.0, 4.0, 8.0, 16.0])))
    assert b.dtype_of(out64) is torch.float64  # d=None: the values' dtype
    np.testing.assert_array_equal(get(b, out64), [8.0, 3.0, 0.0, 4.0, 0.0, 16.0])
    empty = b.scatter_add((4,), torch.float32, put(b, np.zeros(0, np.int64)), put(b, np.zeros(0, np.float32)))
    np.testing.assert_array_equal(get(b, empty), np.zeros(4))
    start = put(b, np.array([[0.5, -1.0, 2.0], [0.0, 7.0, 1.0]], dtype=np.float32))
    into = b.scatter_add((2, 3), None, idx, vals, into=start)
    np.testing.assert_array_equal(get(b, into), [[8.5, 2.0, 2.0], [4.0, 7.0, 17.0]])
    np.testing.assert_array_equal(get(b, start), [[0.5, -1.0, 2.0], [0.0, 7.0, 1.0]])  # a copy


def test_scatter_add_into_adds_in_index_order():
    # The CPU backend adds after into's value, one value at a time, each step rounded to
    # float32, as PyTorch's CPU loop (1 + 2**24 + 1 + 1 stays 2**24; a sum of the values
    # first would give 2**24 + 4).
    b = _backends.get(torch.device("cpu"))
    out = b.scatter_add((1,), None, np.zeros(3, dtype=np.int64), np.array([2.0 ** 24, 1.0, 1.0], dtype=np.float32),
                        into=np.array([1.0], dtype=np.float32))
    np.testing.assert_array_equal(out, [2.0 ** 24])


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_index_add(b, axis):
    rng = np.random.default_rng(axis)
    shape = (3, 4, 2)
    index = np.array([1, 0, 1, 1])[: shape[axis] + 1] % shape[axis]  # with repeats
    vshape = list(shape)
    vshape[axis] = len(index)
    values = rng.standard_normal(vshape).astype(np.float32)
    expected = np.zeros(shape, np.float32)
    np.add.at(expected, (slice(None),) * axis + (index,), values)
    out = b.index_add(shape, torch.float32, axis, put(b, index), put(b, values))
    np.testing.assert_allclose(get(b, out), expected, rtol=1e-6)


def test_index_add_rows(b):
    """Scatter-add rows: the backward of an embedding lookup."""
    index = np.array([2, 0, 2, 2])
    rows = np.arange(12, dtype=np.float64).reshape(4, 3)
    out = b.index_add((4, 3), torch.float64, 0, put(b, index), put(b, rows))
    np.testing.assert_array_equal(get(b, out), [[3, 4, 5], [0, 0, 0], [0 + 6 + 9, 1 + 7 + 10, 2 + 8 + 11],
                                                [0, 0, 0]])


def test_index_put_add(b):
    i = np.array([0, 2, 0])
    j = np.array([1, 1, 1])
    g = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    out = b.index_put_add((3, 2), put(b, g), (put(b, i), put(b, j)))
    np.testing.assert_array_equal(get(b, out), [[0, 5], [0, 0], [0, 2]])
    g2 = np.ones((2, 2), dtype=np.float32)
    out2 = b.index_put_add((3, 2), put(b, g2), (put(b, np.array([1, 1])), slice(None)))
    np.testing.assert_array_equal(get(b, out2), [[0, 0], [2, 2], [0, 0]])


# --------------------------------------------------------------------------- indices
def test_indices_in_range(b):
    assert b.indices_in_range(put(b, np.array([0, 4, 2])), 5)
    assert not b.indices_in_range(put(b, np.array([0, 5])), 5)
    assert not b.indices_in_range(put(b, np.array([-1, 2])), 5)
    assert b.indices_in_range(put(b, np.array([3], dtype=np.int32)), 4)


def test_take_in_range(b):
    a, host = grid(b)
    idx = np.array([2, 0, 2])
    np.testing.assert_array_equal(get(b, b.take_in_range(a, put(b, idx), axis=0)), host[idx])
    np.testing.assert_array_equal(get(b, b.take_in_range(a, put(b, idx), axis=1)), host[:, idx])


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_take_offsets(b, dtype):
    host = np.arange(5000, dtype=np.float32) * 0.5
    flat = put(b, host)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 50, (100, 50)).astype(dtype)  # gather along dim 1 of a (100, 50)
    base = (np.arange(100, dtype=np.int64) * 50).reshape(100, 1)
    got = b.take_offsets(flat, put(b, idx), put(b, base), 1, 50)
    np.testing.assert_array_equal(get(b, got), host[idx + base])
    idx0 = rng.integers(0, 100, (100, 50)).astype(dtype)  # along dim 0: stride 50
    cols = np.arange(50, dtype=np.int64).reshape(1, 50)
    got = b.take_offsets(flat, put(b, idx0), put(b, cols), 50, 100)
    np.testing.assert_array_equal(get(b, got), host[idx0 * 50 + cols])
    one = rng.integers(0, 5000, (70000,)).astype(dtype)  # 1-D, no base, several pieces
    np.testing.assert_array_equal(get(b, b.take_offsets(flat, put(b, one), None, 1, 5000)), host[one])
    strided = put(b, idx.T.copy())  # a transposed (non-contiguous) index
    got = b.take_offsets(flat, b.xp.permute_dims(strided, (1, 0)), put(b, base), 1, 50)
    np.testing.assert_array_equal(get(b, got), host[idx + base])
    for bad in (50, -1):
        worse = idx.copy()
        worse[99, 49] = bad
        assert b.take_offsets(flat, put(b, worse), put(b, base), 1, 50) is None
    worse = one.copy()
    worse[-1] = 5000
    assert b.take_offsets(flat, put(b, worse), None, 1, 5000) is None


# --------------------------------------------------------------------------- errors
def test_quiet_overflow(b):
    big = put(b, np.array([100.0], dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with b.quiet_overflow():
            out = b.xp.exp(big)
    assert np.isinf(get(b, out)[0])


def test_index_add_default_dtype_is_the_values(b):
    out = b.index_add((3,), None, 0, put(b, np.array([2, 2, 0])), put(b, np.array([1, 2, 4], dtype=np.int64)))
    assert b.dtype_of(out) is torch.int64
    np.testing.assert_array_equal(get(b, out), [4, 0, 3])


def test_cuda_and_cuda0_share_one_backend(monkeypatch):
    """``cuda`` and ``cuda:0`` name one device, so one backend serves both (found on a GPU:
    two backends for one device broke ``_backends.get(b.device) is b``)."""
    from reftorch._backends import cupy_backend
    made = []
    monkeypatch.setattr(cupy_backend, "make_cupy_backend", lambda i: made.append(i) or object())
    monkeypatch.setattr(_backends, "_cache", {})
    assert _backends.get(torch.device("cuda")) is _backends.get(torch.device("cuda", 0))
    assert made == [0]
    assert _backends.get(torch.device("cuda", 1)) is not _backends.get(torch.device("cuda"))
    assert made == [0, 1]


# --------------------------------------------------------------------------- indices and reductions
def test_indices_in_range_reads_every_dimension(b):
    """``indices_in_range`` on a 2-D and a 0-d index (``gather``, ``embedding``): the largest
    value (or a negative one) anywhere decides, whatever its position."""
    assert b.indices_in_range(put(b, np.array([[0, 1], [2, 3]])), 4)
    assert not b.indices_in_range(put(b, np.array([[0, 1], [4, 3]])), 4)
    assert not b.indices_in_range(put(b, np.array([[0, 1], [2, -3]], dtype=np.int32)), 4)
    assert b.indices_in_range(put(b, np.array(3)), 4)
    assert not b.indices_in_range(put(b, np.array(-1)), 4)


@pytest.mark.parametrize("axis, keepdims", [(None, False), ((1,), False), ((0,), True), ((0, 1), True)])
def test_sum(b, axis, keepdims):
    """``sum`` with ``dtype=None`` keeps a float array's dtype; a bool array sums as the
    integer dtype asked for."""
    a, host = grid(b)
    got = b.sum(a, axis, keepdims, None)
    assert got.dtype == a.dtype and got.shape == np.sum(host, axis=axis, keepdims=keepdims).shape
    np.testing.assert_array_equal(get(b, got), np.sum(host, axis=axis, keepdims=keepdims))
    mask = put(b, host % 3 == 0)
    got = b.sum(mask, axis, keepdims, b.dtype(torch.int64))
    assert b.dtype_of(got) is torch.int64
    np.testing.assert_array_equal(get(b, got), np.sum(host % 3 == 0, axis=axis, keepdims=keepdims))


def test_as_array_makes_a_scalar_an_array(b):
    """A full reduction of the array namespace (a scalar on NumPy) as a 0-d array."""
    a, host = grid(b)
    out = b.as_array(b.xp.sum(a))
    assert out.shape == () and float(get(b, out)) == host.sum()
    if b.array_type is not None:
        assert out.__class__ is b.array_type


def test_reshape_rows(b):
    a, host = grid(b)
    r = b.reshape_rows(a, (2, 6))
    np.testing.assert_array_equal(get(b, r), host.reshape(2, 6))
    assert b.strides(r) == (6, 1)
    r[1, 5] = 7.0
    assert get(b, a)[2, 3] == 7.0  # shares memory


def test_permute(b):
    a, host = grid(b, 3, 4)
    a3 = b.reshape_view(b.concat([a, a], 0), (2, 3, 4))
    h3 = np.concatenate([host, host], 0).reshape(2, 3, 4)
    r = b.permute(a3, (2, 0, 1))
    np.testing.assert_array_equal(get(b, r), h3.transpose(2, 0, 1))
    assert b.strides(r) == (1, 12, 4)  # a view: the input's strides, reordered
    r[3, 1, 2] = -1.0
    assert get(b, a3)[1, 2, 3] == -1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.complex64])
def test_mm(b, dtype):
    a, ha = grid(b, 3, 4, dtype)
    w, hw = grid(b, 5, 4, dtype)
    wt = b.permute(w, (1, 0))  # a transposed operand, as Linear passes its weight
    r = b.mm(a, wt)
    np.testing.assert_array_equal(get(b, r), ha @ hw.T)  # small integers: exact in every dtype
    assert r.shape == (3, 5)


def test_where_into(b):
    a, host = grid(b)
    dst = b.copy(a) * 0
    mask_host = host % 3 == 0
    r = b.where_into(put(b, mask_host), a, dst)
    np.testing.assert_array_equal(get(b, r), np.where(mask_host, host, 0))
    one = put(b, np.float32(2.0))  # 0-d arrays (NumPy may hand back a scalar)
    r0 = b.where_into(put(b, np.bool_(True)), one, b.copy(one) * 0)
    assert float(get(b, b.as_array(r0))) == 2.0


@pytest.mark.parametrize("axis, keepdims", [(None, False), ((1,), False), ((0,), True), ((0, 1), True)])
def test_mean(b, axis, keepdims):
    a, host = grid(b, 3, 4, np.float64)  # float64: the means of small integers are exact
    count = 12 if axis is None else int(np.prod([host.shape[i] for i in axis]))
    r = b.as_array(b.mean(a, axis, keepdims, count))
    np.testing.assert_array_equal(get(b, r), np.mean(host, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, True), ((0,), True), ((0, 1), False)])
def test_amax(b, axis, keepdims):
    a, host = grid(b, 3, 4)
    r = b.as_array(b.amax(a, axis, keepdims))
    np.testing.assert_array_equal(get(b, r), np.max(host, axis=axis, keepdims=keepdims))
    nan = host.copy()
    nan[1, 2] = np.nan  # NaN propagates, as PyTorch's max does
    np.testing.assert_array_equal(get(b, b.as_array(b.amax(put(b, nan), 1, True))), np.max(nan, axis=1, keepdims=True))


@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, True), ((0,), True), ((0, 1), False), (0, False)])
def test_amax_amin_of_bool(b, axis, keepdims):
    # (the array API's max/min take real numbers only: any/all); by hand with NumPy on the host
    host = np.array([[True, False, True], [False, False, True]])
    for fn, want in ((b.amax, np.max), (b.amin, np.min)):
        got = get(b, b.as_array(fn(put(b, host), axis, keepdims)))
        expect = want(host, axis=axis, keepdims=keepdims)
        assert got.dtype == np.bool_ and got.shape == expect.shape
        np.testing.assert_array_equal(got, expect)


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.float32])
def test_maximum_minimum(b, dtype):
    x = np.array([[True, False, True, False]]).astype(dtype)
    y = np.array([[True], [False]]).astype(dtype)
    for fn, want in ((b.maximum, np.maximum), (b.minimum, np.minimum)):
        got = get(b, fn(put(b, x), put(b, y)))
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want(x, y))
    nan = np.array([1.0, np.nan, 3.0], np.float32)  # NaN propagates
    np.testing.assert_array_equal(get(b, b.maximum(put(b, nan), put(b, nan[::-1].copy()))), [3.0, np.nan, 3.0])


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.float64])
@pytest.mark.parametrize("axis", [0, 1])
def test_argsort_is_stable(b, dtype, axis):
    host = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 0, 0]]).astype(dtype)
    got = get(b, b.argsort(put(b, host), axis))
    np.testing.assert_array_equal(got, np.argsort(host, axis=axis, kind="stable"))


@pytest.mark.parametrize("shape", [(30, 3), (5, 8, 64), (24, 2), (100, 65), (3, 4)])
@pytest.mark.parametrize("axis", [-1, "last", ("last",), 0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8])
def test_amax_amin_along_many_short_rows(b, shape, axis, dtype):
    """``amax``/``amin`` of many short rows (the NumPy backend reduces a transposed copy
    there): ``np.max``/``np.min``'s values, NaN propagating, on row-major and strided
    inputs. Which zero a row holding both -0. and 0. gives: the later one, as NumPy's for
    rows of fewer than 8 (longer rows: it depends on SIMD lanes, in NumPy as in PyTorch)."""
    rng = np.random.default_rng(3)
    host = rng.integers(0, 200, shape).astype(dtype)
    if dtype in (np.float32, np.float64):
        host = (host - 100) / 7
        host.reshape(-1, shape[-1])[::5, 1] = np.nan
        host.reshape(-1, shape[-1])[1::7, :2] = [-0.0, 0.0]  # a tie, and the row's maximum when the rest is < 0
        host.reshape(-1, shape[-1])[2::7, :2] = [0.0, -0.0]
        host.reshape(-1, shape[-1])[1::7, 2:] = -1
        host.reshape(-1, shape[-1])[2::7, 2:] = -1
    ax = {"last": len(shape) - 1, ("last",): (len(shape) - 1,)}.get(axis, axis)
    for src in (host, host[..., ::-1], np.swapaxes(host, 0, -1).copy().swapaxes(0, -1)):  # strided ones too
        for keepdims in (False, True):
            for fn, want in ((b.amax, np.max), (b.amin, np.min)):
                got = get(b, b.as_array(fn(put(b, src), ax, keepdims)))
                expect = want(src, axis=ax, keepdims=keepdims)
                assert got.dtype == expect.dtype and got.shape == expect.shape
                np.testing.assert_array_equal(got, expect)
                if src.shape[-1] < 8:
                    np.testing.assert_array_equal(np.signbit(got), np.signbit(expect))


_MM_DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.int64]
_CUDA_MARKS = BACKENDS[2].marks


@pytest.mark.parametrize("device, dtype", [(d, t) for d in ("cpu", "strict") for t in _MM_DTYPES]
                         + [("cpu", np.float16)]  # (the array-API stand-in has no float16)
                         + [pytest.param("cuda", t, marks=_CUDA_MARKS) for t in _MM_DTYPES + [np.float16]])
def test_mm_has_matmuls_bits(device, dtype):
    """``mm`` gives ``matmul``'s bits (the NumPy backend calls another kernel for it)."""
    b = _backends.get(torch.device(device))
    rng = np.random.default_rng(0)
    for m, k, n in [(1, 4, 3), (3, 17, 5), (33, 130, 8), (3, 1, 3), (7, 1, 1)]:  # (k = 1: complex dot differs)
        ha = rng.standard_normal((m, k)) + (1j * rng.standard_normal((m, k)) if np.dtype(dtype).kind == "c" else 0)
        hb = rng.standard_normal((n, k)) + (1j * rng.standard_normal((n, k)) if np.dtype(dtype).kind == "c" else 0)
        a, w = put(b, (ha * 3).astype(dtype)), put(b, (hb * 3).astype(dtype))
        wt = b.permute(w, (1, 0))
        np.testing.assert_array_equal(get(b, b.mm(a, wt)), get(b, b.xp.matmul(a, wt)))


def test_concat_as(b):
    """``concat_as`` joins arrays of several dtypes cast to one as ``astype`` casts (C
    conversions: float to int truncates), quietly, into a new array."""
    host_f = np.array([[1.5, -2.7], [3.25, 1e10]], dtype=np.float64)
    host_i = np.array([[7, -8]], dtype=np.int64)
    f, i = put(b, host_f), put(b, host_i)
    for native_of, host_dtype in [(torch.float32, np.float32), (torch.int32, np.int32), (torch.float64, np.float64)]:
        native = b.dtype(native_of)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no NumPy RuntimeWarning (1e10 overflows int32)
            r = b.concat_as([f, i], 0, native)
        assert r.dtype == native
        with np.errstate(all="ignore"):
            want = np.concatenate([host_f.astype(host_dtype), host_i.astype(host_dtype)], 0)
        if host_dtype is np.int32:  # (1e10 as int32 is implementation-defined: compare the rest)
            np.testing.assert_array_equal(get(b, r).ravel()[[0, 1, 2, 4, 5]], want.ravel()[[0, 1, 2, 4, 5]])
        else:
            np.testing.assert_array_equal(get(b, r), want)
    cols = b.concat_as([i, b.as_strided(f, (1, 2), (1, 2))], 1, b.dtype(torch.float64))  # a strided input too
    np.testing.assert_array_equal(get(b, cols), np.array([[7.0, -8.0, 1.5, 3.25]]))
    same = b.concat_as([f, f], 1, b.dtype(torch.float64))  # nothing to cast: a new array all the same
    same[0, 0] = 0.0
    assert get(b, f)[0, 0] == 1.5
    try:
        half = b.dtype(torch.float16)
    except TypeError:  # (the array-API stand-in has no float16)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = b.concat_as([put(b, np.array([70000, 1], dtype=np.int64)), put(b, np.array([2.5], np.float16))], 0, half)
    np.testing.assert_array_equal(get(b, r), np.array([np.inf, 1.0, 2.5], dtype=np.float16))


def _half_by_hand(host):
    """PyTorch's float64 -> float16 conversion, by hand: through float32 (c10::Half is built
    from a float)."""
    return host.astype(np.float32).astype(np.float16)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=_CUDA_MARKS)])  # (strict: no float16)
def test_astype_to_float16_rounds_through_float32(device):
    b = _backends.get(torch.device(device))
    # values just past a float16 halfway point: one rounding goes up, two go down (or to 0 / inf)
    host = np.array([13700.000000000002, -13700.000000000002, 2.9802322387695315e-08, 65519.99999999999,
                     1.0009765625000002, 0.1, np.inf, -np.inf], dtype=np.float64)
    with np.errstate(over="ignore"):
        want = _half_by_hand(host)
        assert not np.array_equal(want, host.astype(np.float16))  # the cases do tell the two apart
    with b.quiet():
        got = get(b, b.astype(put(b, host), b.dtype(torch.float16)))
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, want)
    with b.quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's ComplexWarning (the imaginary part is dropped)
        got = get(b, b.astype(put(b, host + 0j), b.dtype(torch.float16)))
    np.testing.assert_array_equal(got, want)
    assert np.isnan(get(b, b.astype(put(b, np.array([np.nan])), b.dtype(torch.float16)))).all()


@pytest.mark.parametrize("src, dst", [(np.float64, np.float32), (np.float32, np.float64), (np.int64, np.float64),
                                      (np.float64, np.int32), (np.bool_, np.float32), (np.complex128, np.complex64)])
def test_astype_other_casts_are_plain(b, src, dst):
    host = np.array([[0, 1.5, -2.25], [3, 7.75, 1e5]]).astype(src)
    arr = put(b, host)
    with b.quiet():
        out = b.astype(arr, b.dtype(torch.from_numpy(np.zeros(0, dst)).dtype))
    np.testing.assert_array_equal(get(b, out), host.astype(dst))
    assert get(b, arr).dtype == src  # a new array, the source untouched


# --------------------------------------------------------------------------- erf / erfc
@pytest.mark.parametrize("step", [1, 50])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_erfc_match_the_c_library(b, dtype, step):
    """``erf``/``erfc`` (absent from the array API and NumPy): within 3 ulps of Python's
    ``math.erf``/``math.erfc`` (the C library's) in float64 (erf within 1; erfc's far tail
    calls the array library's ``exp``, not the C library's: up to 3 in these 40001
    values), correctly rounded in float32, nan/inf/-0. kept, the
    input's dtype, no warning. (The NumPy backend works in blocks of 16384 values, and
    calls the C library per element up to 1024 values: ``step`` 50 keeps 816.)"""
    xs = np.concatenate([np.linspace(-30, 30, 40001)[::step], [0.0, -0.0, 1e-30, -1e-300, 0.84375, 1.25, 1 / 0.35,
                                                               6.0, -6.0, 28.0, -28.0, 0.25, np.inf, -np.inf, np.nan]])
    host = xs.astype(dtype)
    with b.quiet():
        e, c = b.erf(put(b, host)), b.erfc(put(b, host))
    e, c = get(b, e), get(b, c)
    assert e.dtype == dtype and c.dtype == dtype
    want_e = np.array([math.erf(v) if not math.isnan(v) else math.nan for v in host.astype(np.float64)])
    want_c = np.array([math.erfc(v) if not math.isnan(v) else math.nan for v in host.astype(np.float64)])
    for got, want in ((e, want_e), (c, want_c)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        if dtype is np.float32:
            np.testing.assert_array_equal(got, want.astype(np.float32))
        else:
            ok = np.isfinite(want) & (want != 0)
            ulps = np.abs(got[ok] - want[ok]) / np.spacing(np.abs(want[ok]))
            assert ulps.max() <= (1 if got is e else 3)
            np.testing.assert_array_equal(got[~ok & ~np.isnan(want)], want[~ok & ~np.isnan(want)])
    assert math.copysign(1, e[np.flatnonzero((xs == 0) & np.signbit(xs))[0]]) == -1  # erf(-0.) is -0.


@pytest.mark.parametrize("n", [7, 40000])  # (NumPy, float32: blocks of 16384 from 16385 elements)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fmod_is_the_c_library_s(b, dtype, n):
    """``fmod``: C's remainder (the sign of ``a``, exact), bit for bit as the host's
    ``np.fmod`` (the C library's) for every element: quotients small and huge, zeros of both signs, infinities, NaNs, subnormals; a scalar divisor and a strided
    dividend too."""
    rng = np.random.default_rng(5)
    bits = np.dtype(dtype).itemsize * 8
    udt = np.dtype(f"u{bits // 8}")
    a = rng.integers(0, 1 << bits, n, dtype=np.uint64).astype(udt).view(dtype)  # any bit pattern
    near = (rng.standard_normal(n) * 100).astype(dtype)  # quotients of a few thousand at most
    d = (rng.standard_normal(n) * 3).astype(dtype)
    wild = d.copy()
    wild[::3] = rng.integers(0, 1 << bits, len(d[::3]), dtype=np.uint64).astype(udt).view(dtype)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -4.0, 4.0, 3.0, -3.0], dtype)
    a[:7], near[:7], d[:7], wild[:7] = special[:7], special[3:], special[[1, 0, 8, 9, 2, 3, 6]], special[[1, 0, 8, 9, 2, 3, 6]]
    cases = [(near, d, False), (near, np.array(0.75, dtype), False), (near, d[::2], True), (a, wild, False),
             (near, wild, False)]
    with np.errstate(all="ignore"):
        for x, y, strided in cases:
            src = put(b, x)[::2] if strided else put(b, x)  # (a view with a stride of 2 elements)
            with b.quiet():
                got = get(b, b.fmod(src, put(b, y)))
            want = np.fmod(x[::2] if strided else x, y)
            assert got.dtype == dtype and got.shape == want.shape
            same = (got.view(udt) == want.view(udt)) | (np.isnan(got) & np.isnan(want))
            assert same.all(), (x[~same][:3], y[~same] if y.ndim else y, got[~same][:3], want[~same][:3])


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("axis, m", [(0, 1), (0, 3), (1, 2), (1, 4)])
def test_best_positions(b, axis, m, largest):
    host = np.array([[3.0, -1.0, 7.0, 2.0], [np.nan, 5.0, 0.5, 4.0], [1.0, 9.0, -2.0, 6.0]])
    got = get(b, b.best_positions(put(b, host), m, axis, largest))
    assert got.shape == tuple(m if i == axis else s for i, s in enumerate(host.shape))
    picked = np.take_along_axis(host, got, axis=axis)
    # no element outside the picks beats one inside (NaN above every number)
    key = np.where(np.isnan(host), np.inf, host) * (1 if largest else -1)
    worst_in = np.take_along_axis(key, got, axis=axis).min(axis=axis)
    best_out = np.sort(key, axis=axis).take(-m - 1 if host.shape[axis] > m else 0, axis=axis)
    assert (worst_in >= best_out).all() and picked.size == host.size // host.shape[axis] * m


@pytest.mark.parametrize("n", [5, 10000])  # (NumPy: np.where below 8192 elements, bits blended above)
def test_select_takes_the_bits(b, n):
    dtypes = [np.float32, np.float64, np.int64, np.complex64]
    if b.name != "array_api_strict":  # (the array-API stand-in has no float16)
        dtypes.append(np.float16)
    rng = np.random.default_rng(3)
    for dtype in dtypes:
        x = rng.normal(0, 1, n).astype(dtype)
        y = rng.normal(0, 1, n).astype(dtype)
        if np.dtype(dtype).kind == "f":  # signed zeros and a nan with a payload keep their bits
            x[:3] = [-0.0, np.nan, 0.0]
            y[:3] = [0.0, -0.0, -np.nan]
        mask = rng.random(n) < 0.5
        mask[:3] = [True, True, False]
        got = get(b, b.select(put(b, mask), put(b, x), put(b, y)))
        want = np.where(mask, x, y)  # (host NumPy)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes(), dtype


@pytest.mark.parametrize("native, value, want", [
    (np.float32, 0.5, 0.5), (np.int64, -7, -7), (np.bool_, 1, True), (np.complex64, 1, 1 + 0j)])
def test_full(b, native, value, want):
    got = get(b, b.full((2, 3), b.from_host(np.zeros(0, native)).dtype, value))
    assert got.shape == (2, 3) and got.dtype == native
    assert got.tolist() == [[want] * 3] * 2


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), (1, False)])
def test_best_position(b, axis, keepdims, largest):
    # ties: the first; a NaN is picked before any number, by argmin too (PyTorch's rule:
    # checked against it); by hand
    host = np.array([[3.0, -1.0, 7.0, 7.0], [np.nan, 5.0, -1.0, 4.0], [1.0, 9.0, -2.0, 9.0]])
    got = get(b, b.as_array(b.best_position(put(b, host), axis, keepdims, largest)))
    want = {(None, True): 4, (None, False): 4,
            (0, True): [1, 2, 0, 2], (0, False): [1, 0, 2, 1],
            (1, True): [2, 0, 1], (1, False): [1, 0, 2]}[axis, largest]
    want = np.array(want)
    if keepdims:
        want = want.reshape(3, 1)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_take_along_axis(b, axis):
    host = np.arange(24.0).reshape(2, 3, 4)
    idx = np.zeros(tuple(2 if d == axis else s for d, s in enumerate(host.shape)), np.int64)
    idx[...] = host.shape[axis] - 1  # the last, then the first along ``axis``
    idx[(slice(None),) * axis + (1,)] = 0
    got = get(b, b.take_along_axis(put(b, host), put(b, idx), axis))
    last = host[(slice(None),) * axis + (slice(-1, None),)]
    first = host[(slice(None),) * axis + (slice(0, 1),)]
    np.testing.assert_array_equal(got, np.concatenate([last, first], axis=axis))
    column = put(b, np.array([[2], [0]], np.int64))  # (2, 1): one pick per row of a (2, 3)
    np.testing.assert_array_equal(get(b, b.take_along_axis(put(b, host[:, :, 0]), column, 1)), [[8.0], [12.0]])


def test_scatter_add_keeps_a_nan_to_its_own_position(b):
    idx = put(b, np.array([1, 3], dtype=np.int64))
    vals = put(b, np.array([np.nan, 2.0], dtype=np.float32))
    out = get(b, b.scatter_add((4,), torch.float32, idx, vals))
    assert np.isnan(out[1]) and out.tolist()[2:] == [0.0, 2.0] and out[0] == 0.0


def test_matmul_into_and_subtract_into_write_a_strided_destination(b):
    """The recurrent layers' in-place kernels: the result lands in ``out`` (here a strided
    view of a larger buffer), which is returned; the rest of the buffer is untouched."""
    ha = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    hw = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 12) / 8  # a stack: (2, 3) @ (2, 3, 4)
    buf = b.copy(put(b, np.full((2, 2, 8), 7.0, dtype=np.float32)))
    out = buf[:, :, :4]
    r = b.matmul_into(put(b, ha), put(b, hw), out)
    want = np.full((2, 2, 8), 7.0, dtype=np.float32)
    want[:, :, :4] = ha @ hw  # multiples of 1/32, small: exact
    np.testing.assert_array_equal(get(b, r), want[:, :, :4])
    np.testing.assert_array_equal(get(b, buf), want)
    r = b.subtract_into(put(b, ha), put(b, ha[::-1]), buf[0, :, 5:])
    want[0, :, 5:] = ha - ha[::-1]
    np.testing.assert_array_equal(get(b, r), want[0, :, 5:])
    np.testing.assert_array_equal(get(b, buf), want)


def test_tanh_and_sigmoid_in_place(b):
    host = np.array([[-100.0, -3.5, -0.25, 0.0], [0.125, 2.0, 17.0, 100.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning at +-100
        t = b.copy(put(b, host))
        r = b.tanh_(t)
        np.testing.assert_allclose(get(b, t), np.tanh(host.astype(np.float64)), rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(get(b, r), get(b, t))
        buf = b.copy(put(b, np.concatenate([host, host], axis=1)))
        s = buf[:, :4]  # a strided view: the other half stays
        with b.quiet():  # (exp(100) overflows: the caller's quiet state, as for every kernel)
            b.sigmoid_(s)
        got = get(b, buf)
    np.testing.assert_allclose(got[:, :4], 1 / (1 + np.exp(-host.astype(np.float64))), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(got[:, 4:], host)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_small_values(b, dtype):
    """``sigmoid_`` is accurate in the left tail, where ``0.5 * tanh(x / 2) + 0.5`` would
    cancel to 0 (float32, from about -17); ``out`` leaves the input as it was."""
    host = np.array([-80.0, -40.0, -20.0, -9.0, -1.0, 3.0], dtype=dtype)
    src = put(b, host)
    with b.quiet():
        got = get(b, b.sigmoid_(src, b.copy(src)))
    want = 1 / (1 + np.exp(-host.astype(np.float64)))  # (host NumPy, float64: no underflow here)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=0)
    np.testing.assert_array_equal(get(b, src), host)


@pytest.mark.parametrize("rows, row_bytes", [(0, 64), (1, 1 << 30), (5, 4), (10000, 2048), (777, 4096), (3, 0)])
def test_row_blocks_cover_the_rows_in_order(b, rows, row_bytes):
    blocks = b.row_blocks(rows, row_bytes)
    assert len(blocks) >= 1
    starts = [s for s, _ in blocks]
    stops = [e for _, e in blocks]
    assert starts[0] == 0 and stops[-1] == rows and starts[1:] == stops[:-1]  # contiguous, in order
    assert all(e > s for s, e in blocks) or rows == 0
