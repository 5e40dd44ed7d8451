"""Memory-layout and broadcasting rules shared by the backends, autograd and the ops.

Everything here works on backend arrays (and, for :func:`relayout_like_operands`, on
objects with a ``_data`` array), so it sits below ``Tensor``, ``autograd`` and ``_ops``
and imports none of them.
"""
from __future__ import annotations


def contiguous_strides(shape):
    """PyTorch's row-major strides for ``shape``, in elements: each stride is the product of
    the sizes after it, with empty dims counted as size 1 (``(0, 3)`` -> ``(3, 1)``)."""
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def broadcast_shape(a, b):
    """The broadcast shape of ``a`` and ``b``; PyTorch's error (naming the last mismatching
    dimension) when they do not broadcast."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = [0] * n
    for i in range(n - 1, -1, -1):
        x, y = a[i], b[i]
        if x == y or y == 1:
            out[i] = x
        elif x == 1:
            out[i] = y
        else:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
    return tuple(out)


def sum_to_shape(xp, g, shape):
    """Sum a broadcast gradient ``g`` back to ``shape`` (the input's shape)."""
    if tuple(g.shape) == tuple(shape):
        return g
    extra = len(g.shape) - len(shape)
    if extra > 0:
        g = xp.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, (gs, s) in enumerate(zip(g.shape, shape)) if s == 1 and gs != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    return g


def fix_empty_strides(backend, arr):
    """NumPy gives new arrays with no elements all-zero strides; PyTorch reports the
    row-major ones (``torch.zeros(0, 3).stride() == (3, 1)``). Return ``arr`` with those."""
    if arr.ndim and 0 in arr.shape:
        want = contiguous_strides(arr.shape)
        if backend.strides(arr) != want:
            return backend.as_strided(arr, arr.shape, want)
    return arr


def row_major(backend, arr):
    """``arr`` laid out row-major with PyTorch's strides (size-1 dims included): ``arr``
    itself, a restrided view of it, or a row-major copy.

    NumPy keeps the layout of its inputs in ``concat``/``where``/``sum``; PyTorch's ``cat``,
    ``stack``, ``masked_fill`` and reductions return contiguous tensors.
    """
    if arr.ndim == 0:
        return arr
    shape = arr.shape
    if backend.is_c_contiguous(arr) and 1 not in shape and 0 not in shape:
        return arr  # fast path: no size-1 or empty dim, so row-major strides are PyTorch's
    want = contiguous_strides(shape)
    have = backend.strides(arr)
    if have == want:
        return arr
    if all(h == w for h, w, n in zip(have, want, arr.shape) if n != 1):
        return backend.as_strided(arr, arr.shape, want)  # only size-1 dims differ: no copy
    return backend.copy(arr)


def dense_order(shape, strides, others=()):
    """The dims from outermost to innermost for a dense result laid out like its operands.

    A transcription of the permutation of ATen's ``TensorIterator::reorder_dimensions`` (and
    ``infer_dense_strides``, its one-operand case): an insertion sort where, for each pair of
    dims, the first operand with a strict stride order decides (broadcast, stride-0, dims
    are skipped; equal strides put the larger dim outside), else the pair stays as it is.
    ``others`` are further operands' strides.
    """
    operands = (strides,) + tuple(others)

    def should_swap(d0, d1):
        for st in operands:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:  # equal strides: the smaller dim goes inside
                return 1
        return 0

    n = len(shape)
    perm = list(range(n - 1, -1, -1))  # innermost first
    for i in range(1, n):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm[::-1]


def relayout_like_operands(backend, out, inputs):
    """Lay an elementwise result out as PyTorch's TensorIterator would for ``inputs``.

    NumPy's ufuncs keep the layout of a single strided operand but fall back to row-major
    when operands disagree (PyTorch follows the first operand) and order broadcast dims
    differently. Returns ``out`` or a relaid-out copy.
    """
    if out.ndim < 2:
        return out
    is_c_contiguous = backend.is_c_contiguous
    for t in inputs:  # fast path: row-major inputs give a row-major result (on every backend)
        if not is_c_contiguous(t._data):
            break
    else:
        return out
    arrays = [t._data for t in inputs]
    shape = tuple(out.shape)
    nd = len(shape)
    op_strides = []
    for a in arrays:
        st = backend.strides(a)
        lead = nd - a.ndim
        op_strides.append(tuple(0 if (i < lead or (a.shape[i - lead] == 1 and shape[i] != 1)) else st[i - lead]
                                for i in range(nd)))
    if all(all(s == c for s, c, n in zip(st, contiguous_strides(shape), shape) if n != 1) for st in op_strides):
        order = list(range(nd))
    else:
        order = dense_order(shape, op_strides[0], op_strides[1:])
    return lay_out(backend, out, order)


def lay_out(backend, out, order):
    """``out`` with its dims laid out in memory in ``order`` (outermost first): ``out``
    itself when it already is (size-1 dims ignored), else a copy laid out so."""
    shape = tuple(out.shape)
    want = [0] * len(shape)
    acc = 1
    for d in reversed(order):
        want[d] = acc
        acc *= max(shape[d], 1)
    have = backend.strides(out)
    if all(h == w for h, w, n in zip(have, want, shape) if n != 1):
        return out
    inverse = sorted(range(len(shape)), key=order.__getitem__)
    moved = backend.xp.permute_dims(out, tuple(order))
    return backend.xp.permute_dims(backend.copy(moved), tuple(inverse))
