"""The CPU backend: plain NumPy (NumPy 2 implements the array API standard)."""
from __future__ import annotations

import math
import operator
import sys

import ml_dtypes
import numpy as np
from numpy.lib.stride_tricks import as_strided as _as_strided

from .._device import device
from ._host_memory import start_at_steady_state
from . import _erf, _numpy_namespace
from .base import Backend, NumpyErrors, numpy_style_dtypes, warn_complex_to_real


_RANKS = 16  # repeats of one index added by fancy indexing; later ones by add.at
_CHUNK = 1 << 15  # elements per piece of take_offsets: its offsets stay in the L2 cache
_BLOCK_BYTES = 1 << 18  # bytes per array in a block of row_blocks (measured: 2**17 to 2**19 alike)
_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}  # an index's bits read as unsigned
_SIGNED = {n: np.dtype(f"i{n}") for n in (1, 2, 4, 8)}  # an element's bits, for select
_SELECT_BLEND = 8192  # elements from which select blends bits (measured: where is faster below)
# sigmoid_'s 1, in the array's own dtype (by dtype character; bfloat16's is "E")
_ONE = {np.dtype(t).char: np.ones((), t) for t in (np.float16, ml_dtypes.bfloat16, np.float32, np.float64,
                                                    np.complex64, np.complex128)}
_FMOD_BLOCK = 1 << 14  # float32 fmod's elements at a time: its float64 temporaries stay in the cache
_LIBM_MAX = 1024  # elements up to which erf/erfc/fmod call the C library per element (erf: crossover ~1-2k)
_max, _min = np.maximum.reduce, np.minimum.reduce
_arange = np.arange
_BF16 = np.dtype(ml_dtypes.bfloat16)
_INTP_IS_INT64 = np.dtype(np.intp) == np.int64  # (what argmax returns)
_add_reduce = np.add.reduce
try:  # ``out=...`` (NumPy >= 2.3): a ufunc returns a 0-d array where it would return a scalar
    _add_reduce(np.zeros(1), out=...)
    _ARRAY_OUT = ...
except TypeError:  # pragma: no cover - an older NumPy: the scalar becomes an array in as_array
    _ARRAY_OUT = None


def _extreme(reduce, arr, axis, keepdims):
    """``reduce`` (``np.maximum.reduce`` or ``np.minimum.reduce``) of ``arr`` along ``axis``
    (an int, a tuple or None), as ``np.max``/``np.min`` without their Python wrappers.

    Along the last axis of a row-major array of many short rows, NumPy calls the reduction's
    inner loop once per row, ~70 ns each (128 rows of 64 float32 values: ~14 us, where the
    same array's sum takes ~5 us). There the rows become the columns of a transposed copy,
    whose extremes come from one element-wise pass per column: the same values (maxima
    and minima are exact; which of -0. and 0. a row holding both gives is the later one
    in both forms for rows of fewer than 8, and depends on SIMD lanes beyond, in NumPy's
    reduction as in PyTorch's), 2x faster for (128, 64), 20x for (100000, 3).
    """
    shape = arr.shape
    nd = len(shape)
    if type(axis) is tuple and len(axis) == 1:
        axis = axis[0]
    if nd >= 2 and type(axis) is int and axis in (-1, nd - 1) and 2 <= shape[-1] <= _SHORT_ROW:
        n = shape[-1]
        rows = arr.size // n
        if rows >= _MANY_ROWS and arr.flags.c_contiguous:
            out = reduce(arr.reshape(rows, n).T.copy(), 0)
            return out.reshape(shape[:-1] + (1,) if keepdims else shape[:-1])
    return reduce(arr, axis, None, out=_ARRAY_OUT, keepdims=keepdims)


_SHORT_ROW, _MANY_ROWS = 64, 24  # (measured crossovers: ~10 rows of 3, ~12 of 10, ~24 of 64)


class NumpyBackend(Backend):
    xp = _numpy_namespace.namespace  # NumPy, some Python wrappers replaced by the arrays' methods
    device = device("cpu")
    name = "numpy"

    array_type = np.ndarray

    def __init__(self):
        super().__init__(numpy_style_dtypes(np, ml_dtypes.bfloat16))
        start_at_steady_state()  # glibc keeps freed array memory for the next array (see _host_memory)
        errors = NumpyErrors(np)
        self.quiet_enter, self.quiet_exit = errors.enter, errors.exit
        # Methods that run on every call of an op, bound to C callables (no Python frame):
        # ``concat``: the C function behind np.concatenate, without its __array_function__
        # dispatch (~0.13 us); ``is_c_contiguous``: ``arr.flags.c_contiguous``; ``ascontiguousarray``.
        self.concat = getattr(np.concatenate, "_implementation", np.concatenate)
        self.is_c_contiguous = operator.attrgetter("flags.c_contiguous")
        self.ascontiguousarray = np.ascontiguousarray
        # ``as_array``: a NumPy scalar (what a full reduction or a 0-d ufunc call returns)
        # as a 0-d array.
        self.as_array = np.asarray
        # The C methods themselves: no Python frame (np.permute_dims's wrapper costs ~0.3 us).
        self.reshape_rows = np.ndarray.reshape
        self.permute = np.ndarray.transpose

    def concat_as(self, arrays, axis, native):
        # np.concatenate casts as it copies (``astype``'s casts: ``casting="unsafe"``).
        token = self.quiet_enter()
        try:
            return self.concat(arrays, axis, dtype=native, casting="unsafe")
        finally:
            self.quiet_exit(token)

    def astype(self, arr, native, copy=True):
        # The array's method: np.astype's Python wrapper and dispatch cost ~0.5 us a call.
        if arr.dtype.kind == "c" and native.kind not in "cb":
            warn_complex_to_real()
            arr = arr.real
        if native is self._half or native is self._bfloat16:
            via = self._via.get(arr.dtype)
            if via is not None:
                arr = arr.astype(via)
        return arr.astype(native, copy=copy)

    # host <-> backend
    def from_host(self, host, copy=False):
        return np.array(host, copy=True) if copy else np.asarray(host)

    def to_host(self, arr):
        return arr

    def is_pinned(self, arr):
        # CuPy's pinned arrays (cupyx.empty_pinned) are NumPy arrays over a
        # PinnedMemoryPointer; views of them reach it through ``.base``.
        cupy = sys.modules.get("cupy")
        if cupy is None:  # nothing can be pinned before CuPy is imported
            return False
        base = arr
        while base is not None:
            if isinstance(base, cupy.cuda.PinnedMemoryPointer):
                return True
            base = base.obj if isinstance(base, memoryview) else getattr(base, "base", None)
        return False

    # memory layout
    def strides(self, arr):
        isz = arr.itemsize
        return tuple([s // isz for s in arr.strides])

    def as_strided(self, arr, shape, strides):
        isz = arr.itemsize
        bstrides = tuple([s * isz for s in strides])
        if arr.flags.c_contiguous:
            # A view over arr's own buffer (about 10x faster than as_strided); NumPy checks
            # that it stays inside the buffer, and it is writeable when arr is.
            try:
                return np.ndarray(tuple(shape), arr.dtype, arr, 0, bstrides)
            except (TypeError, ValueError):
                pass
        return _as_strided(arr, shape=tuple(shape), strides=bstrides, writeable=arr.flags.writeable)

    def reshape_view(self, arr, shape):
        # A row-major array always reshapes to a view; ``copy=False`` (a keyword: ~0.2 us a
        # call) is there only to make NumPy raise where a strided one cannot.
        if arr.flags.c_contiguous:
            return arr.reshape(shape)
        return arr.reshape(shape, copy=False)  # the method: np.reshape(copy=) costs ~1 us more

    def squeeze(self, arr, axes):
        return arr.squeeze(axes)  # the method: np.squeeze's Python wrapper costs more than the view

    def data_ptr(self, arr):
        return arr.__array_interface__["data"][0]

    def owns_memory(self, arr):
        flags = arr.flags
        return arr.base is None and flags.owndata and flags.c_contiguous and flags.writeable

    def copy(self, arr):
        return arr.copy()

    # writes
    def setitem(self, arr, key, value):
        arr[key] = value

    def select(self, mask, a, b):
        if (a.__class__ is not np.ndarray or b.__class__ is not np.ndarray or a.size < _SELECT_BLEND
                or a.dtype != b.dtype or a.shape != b.shape or a.shape != mask.shape or mask.dtype != np.bool_):
            return np.where(mask, a, b)
        it = _SIGNED.get(a.dtype.itemsize)
        if it is None:  # (complex128)
            return np.where(mask, a, b)
        # b ^ ((a ^ b) & m), m all ones where mask holds: five passes without branches,
        # ~2 ns an element against where's ~5 on a random mask (on a short array, or a
        # mask in long runs, where is faster)
        m = mask.view(np.int8).astype(it)
        np.negative(m, out=m)
        bits = b.view(it)
        r = np.bitwise_xor(a.view(it), bits)
        r &= m
        r ^= bits
        return r.view(a.dtype)

    def where_into(self, mask, src, dst):
        if dst.__class__ is not np.ndarray:  # a 0-d result came back as a NumPy scalar
            return np.where(mask, src, dst)
        np.copyto(dst, src, where=mask)
        return dst

    def scatter_add(self, shape, d, flat_index, values, into=None):
        dt = values.dtype if d is None else self.dtype(d)
        out = np.zeros(int(np.prod(shape)), dtype=dt) if into is None else into.astype(dt).reshape(-1)
        np.add.at(out, flat_index, values)  # a 1-D add.at: NumPy's fast case, in index order
        return out.reshape(shape)

    def index_add(self, shape, d, axis, index, values):
        # ``np.add.at`` is slow, ``bincount`` sums in float64 and ``add.reduceat`` adds a
        # pairwise sum of a segment's tail to its head, so neither gives PyTorch's bits.
        # PyTorch adds the slices of one destination in index order, starting from zero:
        # rank each index among its repeats (0 for its first occurrence, 1 for the second
        # ...) and add rank by rank; within one rank the destinations are distinct, so a
        # fancy-index ``+=`` is exact. Ranks past _RANKS go to one ``add.at`` in order.
        dt = values.dtype if d is None else self.dtype(d)
        if dt == np.bool_ or values.dtype != dt:
            return super().index_add(shape, d, axis, index, values)
        outer = math.prod(shape[:axis])
        out = np.zeros(shape, dtype=dt)  # returned itself (owns its memory: autograd may keep it)
        k = index.shape[0]
        if k and out.size:  # (an empty destination takes nothing; reshape(-1) would fail)
            o, vals = out.reshape(outer, shape[axis], -1), values.reshape(outer, k, -1)
            lead = (slice(None),)
            if outer == 1:  # the usual case (axis 0): index 2-D arrays
                o, vals, lead = o[0], vals[0], ()
            idx = index.astype(np.int64, copy=False)
            order = np.argsort(idx, kind="stable")
            first = np.empty(k, dtype=bool)  # the sorted run of each destination starts here
            first[0] = True
            np.not_equal(idx[order[1:]], idx[order[:-1]], out=first[1:])
            starts = np.flatnonzero(first)
            rank = np.empty(k, dtype=np.int64)
            rank[order] = np.arange(k) - starts[np.cumsum(first) - 1]
            for r in range(min(int(rank.max()) + 1, _RANKS)):
                sel = np.flatnonzero(rank == r)
                o[lead + (idx[sel],)] += vals[lead + (sel,)]
            rest = np.flatnonzero(rank >= _RANKS)
            if rest.size:
                np.add.at(o, lead + (idx[rest],), vals[lead + (rest,)])
        return out

    def index_put_add(self, shape, g, key):
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, key, g)
        return out

    # indices
    def indices_in_range(self, idx, size):
        # One pass: negative values become huge once read as unsigned. ``argmax`` (a method
        # with no reduction machinery to set up) costs ~0.45 us less than maximum.reduce on a
        # few indices, and as much on many.
        unsigned = idx.view(_UNSIGNED[idx.itemsize])
        return unsigned.item(unsigned.argmax()) < size

    def take_in_range(self, arr, idx, axis=None):
        # mode="clip" skips NumPy's check of each index (the caller checked them): ~3% of a
        # large take, more than this method's frame costs on a small one.
        return arr.take(idx, axis, None, "clip")  # the method, positional: np.take's wrapper costs

    def take_offsets(self, flat, index, base, scale, size):
        # A piece of ``index`` at a time (along its first axis): write its offsets into one
        # small reused buffer, check its range and take straight into the result. The
        # offsets never reach main memory, and the range check finds the indices that the
        # offset pass has just read in the cache.
        out = np.empty(index.shape, dtype=flat.dtype)
        rows = index.shape[0]
        step = max(1, _CHUNK * rows // index.size)
        unsigned = _UNSIGNED[index.itemsize]  # negative indices read as huge
        direct = scale == 1 and base is None and index.dtype == np.intp
        buf = None if direct else np.empty((min(step, rows),) + index.shape[1:], dtype=np.intp)
        by_row = base is not None and base.ndim == index.ndim and base.shape[0] != 1
        take = flat.take  # (methods and ufunc methods themselves: no Python wrapper per piece)
        for a in range(0, rows, step):
            b = a + step
            piece = index[a:b]
            if direct:
                off = piece
            else:
                off = buf[:rows - a] if b > rows else buf
                if base is None:
                    np.multiply(piece, scale, out=off)
                elif scale == 1:
                    np.add(piece, base[a:b] if by_row else base, out=off)
                else:
                    np.multiply(piece, scale, out=off)
                    off += base[a:b] if by_row else base
            # the range check after the offsets: the piece is in the cache by now (checked
            # before, it was read from memory twice); nothing is written until it passes
            if _max(piece.view(unsigned), None) >= size:
                return None
            take(off, out=out[a:b], mode="clip")  # in range: "clip" skips NumPy's own check
        return out

    # reductions
    def sum(self, arr, axis, keepdims, dtype):
        # What np.sum calls, without its Python wrapper (about 1 us a call); it sums a bool
        # array as ``dtype`` itself. ``out=...``: a 0-d array rather than a NumPy scalar.
        return _add_reduce(arr, axis, dtype, out=_ARRAY_OUT, keepdims=keepdims)

    def matmul_into(self, a, b, out):
        if out.dtype == _BF16:  # (in float32, rounded once, as the namespace's matmul)
            out[...] = self.xp.matmul(a, b)
            return out
        return np.matmul(a, b, out=out)

    def subtract_into(self, a, b, out):
        return np.subtract(a, b, out=out)

    def tanh_(self, arr):
        return np.tanh(arr, out=arr)

    def fmod(self, a, b):
        # NumPy's float32 fmod calls the C library per element (~60 ns each); see _fmod_float32
        if a.dtype.char != "f" or b.dtype.char != "f" or max(a.size, b.size) <= _LIBM_MAX:
            return np.fmod(a, b)  # (few elements: one call is cheaper than ten)
        shape = a.shape
        if not (a.flags.c_contiguous and (b.size == 1 or b.shape == shape and b.flags.c_contiguous)
                and np.broadcast_shapes(shape, b.shape) == shape and a.size > _FMOD_BLOCK):
            return _fmod_float32(a, b)
        # a row-major result _FMOD_BLOCK elements at a time, so that the float64 temporaries stay in the cache
        out = np.empty(shape, np.float32)
        af, of = a.reshape(-1), out.reshape(-1)
        bf = b.reshape(()) if b.size == 1 else b.reshape(-1)
        for start in range(0, of.size, _FMOD_BLOCK):
            block = slice(start, start + _FMOD_BLOCK)
            of[block] = _fmod_float32(af[block], bf if b.size == 1 else bf[block])
        return out

    def sigmoid_(self, arr, out=None):
        # the same operations in one array, without a temporary per step
        out = np.negative(arr, out=arr if out is None else out)
        np.exp(out, out=out)
        np.add(out, _ONE[out.dtype.char], out=out)
        return np.divide(_ONE[out.dtype.char], out, out=out)

    def mm(self, a, b):
        # For real dtypes ``dot`` of 2-D arrays makes matmul's BLAS call (the same bits, checked
        # for every layout and dtype) without the ufunc set-up, ~0.3 us less; complex products
        # round differently there, so they keep matmul.
        if a.dtype.kind in "cV" or b.dtype.kind in "cV":  # (V: bfloat16, see the namespace's matmul)
            return self.xp.matmul(a, b)
        return a.dot(b)

    def amax(self, arr, axis, keepdims):
        return _extreme(_max, arr, axis, keepdims)

    def amin(self, arr, axis, keepdims):
        return _extreme(_min, arr, axis, keepdims)

    def full(self, shape, native, value):
        arr = np.empty(shape, native)  # np.full and np.ones: this, in Python, through a dispatch
        arr.fill(value)
        return arr

    def best_position(self, arr, axis, keepdims, largest):
        # the array's methods (np.argmax's Python wrapper costs ~1 us a call)
        r = arr.argmax(axis, keepdims=keepdims) if largest else arr.argmin(axis, keepdims=keepdims)
        return r if _INTP_IS_INT64 else r.astype(np.int64)

    def take_along_axis(self, arr, idx, axis):
        # np.take_along_axis's one fancy index (``idx`` along ``axis``, a broadcast arange
        # along each other dim), built without its Python helper (~2 us a call)
        shape = arr.shape
        n = len(shape)
        key = []
        for d in range(n):
            if d == axis:
                key.append(idx)
            else:
                key.append(_arange(shape[d]).reshape((-1,) + (1,) * (n - 1 - d)))
        return arr[tuple(key)]

    def erf(self, a):
        if a.size <= _LIBM_MAX:  # a few ufunc calls per regime cost more than the C library's loop
            return _by_element(math.erf, a)
        return _erf.erf_by_regime(self, a)  # each regime's formula on its own elements only

    def erfc(self, a):
        if a.size <= _LIBM_MAX:
            return _by_element(math.erfc, a)
        return _erf.erfc_by_regime(self, a)

    def best_positions(self, arr, m, axis, largest):
        n = arr.shape[axis]
        if m == n:
            return super().best_positions(arr, m, axis, largest)
        kth = n - m if largest else m - 1  # argpartition puts NaN last, as the largest
        order = arr.argpartition(kth, axis=axis)
        keep = slice(n - m, n) if largest else slice(0, m)
        return order[tuple(keep if i == axis else slice(None) for i in range(arr.ndim))]

    one_block_bytes = 2 * _BLOCK_BYTES

    def row_blocks(self, rows, row_bytes):
        # blocks of about _BLOCK_BYTES per array: the few arrays a pass reads and writes
        # stay in the L2 cache from one pass to the next (one block: no loop at all)
        if rows * row_bytes <= self.one_block_bytes or rows < 2:
            return ((0, rows),)
        step = _BLOCK_BYTES // row_bytes or 1
        return tuple((start, min(start + step, rows)) for start in range(0, rows, step))

    def mean(self, arr, axis, keepdims, count):
        if arr.dtype == _BF16:  # in float32, rounded once (as NumPy's float16 mean, and PyTorch)
            return np.mean(arr.astype(np.float32), axis=axis, keepdims=keepdims).astype(_BF16)
        if arr.dtype.kind != "f" or arr.dtype.itemsize < 4:  # float16 (summed in float32), complex
            return np.mean(arr, axis=axis, keepdims=keepdims)
        # The sum divided by the count in arr's dtype (one rounding, as PyTorch divides),
        # without np.mean's Python wrapper and its float64 step (about 2.5 us a call).
        total = _add_reduce(arr, axis, None, out=_ARRAY_OUT, keepdims=keepdims)
        return np.true_divide(total, count, out=total) if total.__class__ is np.ndarray else total / count


def _by_element(fn, a):
    """``fn`` (a C library function of :mod:`math`, which takes and returns a double) on each
    element of the real floating array ``a``, returned in ``a``'s shape and dtype (rounded
    once from the double, as PyTorch's scalar loops round ``std::erf`` and the like)."""
    flat = a.reshape(-1).tolist()
    r = np.fromiter(map(fn, flat), np.float64, len(flat)).reshape(a.shape)
    return r if a.dtype == np.float64 else r.astype(a.dtype)


_FMOD_QUOTIENT = np.array(2.0 ** 27)  # |a / b| below this: trunc(a / b) * b is exact in float64


def _fmod_float32(a, b):
    """C's ``fmod`` of float32 arrays, bit for bit, in a few float64 passes: ``r = a - q * b``
    with ``q = trunc(a / b)``. For float32 ``a``, ``b`` with ``|a / b| < 2**27`` every step
    is exact: a non-integer ``a / b`` lies at least ``2**-25`` from an integer (``a - m b``
    is a multiple of the smaller ulp of the two), more than the float64 division's error,
    so ``q`` is the true truncated quotient; ``q * b`` has at most 51 bits; ``a - q * b`` is
    the exact remainder, a float32 value. A zero takes ``a``'s sign (``copysign``). Other
    elements (larger quotients, a zero or infinite ``b``, an infinite ``a``, NaNs) are left
    to ``np.fmod``. The caller runs it in the quiet state (``a / 0``)."""
    x, y = a.astype(np.float64), b.astype(np.float64)
    q = np.divide(x, y)
    np.trunc(q, out=q)
    others = np.abs(q) >= _FMOD_QUOTIENT  # (not for nan: caught below)
    np.multiply(q, y, out=q)
    np.subtract(x, q, out=q)
    r = q.astype(np.float32)
    np.copysign(r, a, out=r)
    others |= np.isnan(r)  # NaNs in, a / 0, inf / b, and b = +-inf (a - 0 * inf)
    if others.any():
        at = np.nonzero(others)
        r[at] = np.fmod(np.broadcast_to(a, r.shape)[at], np.broadcast_to(b, r.shape)[at])
    return r
