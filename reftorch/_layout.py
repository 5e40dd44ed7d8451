"""Memory-layout and broadcasting rules shared by the backends, autograd and the ops.

Everything here works on backend arrays (and, for :func:`relayout_like_operands`, on
objects with a ``_data`` array), so it sits below ``Tensor``, ``autograd`` and ``_ops``
and imports none of them.
"""
from __future__ import annotations

from . import _dtype as D


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
    if a == b:
        return tuple(a)
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
    """Sum a broadcast gradient ``g`` back to ``shape`` (the input's shape), as PyTorch's
    ``sum_to`` does: one sum keeping the reduced dims, then a view without the leading ones."""
    if tuple(g.shape) == tuple(shape):
        return g
    extra = len(g.shape) - len(shape)
    axes = tuple(range(extra)) + tuple(i for i in range(extra, len(g.shape)) if shape[i - extra] == 1
                                       and g.shape[i] != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    return xp.reshape(g, tuple(shape)) if extra > 0 else g


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
    shape = arr.shape
    if 1 not in shape and 0 not in shape:  # no size-1 or empty dim: row-major strides are PyTorch's
        return backend.ascontiguousarray(arr) if shape else arr  # (arr itself, or a row-major copy)
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


def is_non_overlapping_and_dense(shape, strides):
    """PyTorch's ``is_non_overlapping_and_dense``: the elements fill a block of memory with
    no gaps and no element twice, in some order of the dims (size-1 dims may have any
    stride). An empty tensor is contiguous, hence dense, whatever its strides."""
    if 0 in shape:
        return True
    acc = 1
    for d in sorted((d for d in range(len(shape)) if shape[d] != 1), key=lambda d: (strides[d], shape[d])):
        if strides[d] != acc:
            return False
        acc *= shape[d]
    return True


def strides_from_order(shape, order):
    """The strides of a dense tensor of ``shape`` whose dims lie in memory in ``order``
    (outermost first); an empty dim counts as size 1."""
    want = [0] * len(shape)
    acc = 1
    for d in reversed(order):
        want[d] = acc
        acc *= max(shape[d], 1)
    return tuple(want)


def preserve_strides(shape, strides):
    """The strides PyTorch gives a new tensor made "like" one of ``shape`` and ``strides``
    (``empty_like`` with ``preserve_format``, used by ``clone``, ``sort``, ``flip``, ``.to``):
    the same strides when that tensor is non-overlapping and dense (size-1 dims included),
    else dense strides in the same memory order of the dims (``infer_dense_strides``)."""
    if is_non_overlapping_and_dense(shape, strides):
        return tuple(strides)
    return strides_from_order(shape, dense_order(shape, strides))


def _channels_last_strides(shape):
    n, c, h, w = shape
    return (h * w * c, 1, w * c, c)


def _channels_last_3d_strides(shape):
    n, c, d, h, w = shape
    return (d * h * w * c, 1, h * w * c, w * c, c)


def suggests_channels_last(shape, strides):
    """PyTorch's ``suggest_memory_format() == channels_last`` for a tensor of ``shape`` and
    ``strides`` (only 4-d tensors; ambiguous cases, such as several size-1 dims with equal
    strides, count as row-major). ``cat`` (and ``roll``, made of ``cat``) lay their result
    out channels-last when every input suggests it."""
    return len(shape) == 4 and _suggests(shape, strides, (1, 3, 2, 0))


def suggests_channels_last_3d(shape, strides):
    """PyTorch's ``suggest_memory_format() == channels_last_3d`` (5-d tensors): as
    :func:`suggests_channels_last`, with the dims in the order C, W, H, D, N."""
    return len(shape) == 5 and _suggests(shape, strides, (1, 4, 3, 2, 0))


def _suggests(shape, strides, order):
    """ATen's ``is_channels_last_strides_{2d,3d}``: the strides grow along ``order``
    (channels first, batch last), ambiguous cases left to row-major."""
    if strides[1] == 0:
        return False
    low = 0
    for d in order:
        if shape[d] == 0 or strides[d] < low:
            return False
        if d == 0 and low == strides[1]:
            return False
        low = strides[d] * (shape[d] if shape[d] > 1 else 1)
    return True


def cat_layout(backend, out, arrays):
    """``out`` laid out as PyTorch's ``cat`` lays out its result for inputs ``arrays``:
    channels-last (4-d) or channels-last-3d (5-d) when all of them suggest it, else
    row-major."""
    nd = out.ndim
    if nd == 4 and all(a.ndim == 4 and suggests_channels_last(a.shape, backend.strides(a)) for a in arrays):
        return with_strides(backend, out, _channels_last_strides(tuple(out.shape)))
    if nd == 5 and all(a.ndim == 5 and suggests_channels_last_3d(a.shape, backend.strides(a)) for a in arrays):
        return with_strides(backend, out, _channels_last_3d_strides(tuple(out.shape)))
    return row_major(backend, out)


def memory_format_layout(backend, out, like, exact=False):
    """``out`` laid out in the memory format ``like`` suggests, as PyTorch lays out the
    results of its pooling kernels: channels-last when ``like`` (4-d) suggests it,
    channels-last-3d likewise for 5-d, else row-major. ``exact``: channels-last only when
    ``like`` is channels-last contiguous and not row-major contiguous (size-1 dims
    ignored), as ``batch_norm``'s kernel decides."""
    nd = like.ndim
    if out.ndim == nd and nd in (4, 5):
        shape, strides = tuple(like.shape), backend.strides(like)
        if exact:
            rows = contiguous_strides(shape)
            cl = (not all(s == r for s, r, n in zip(strides, rows, shape) if n != 1)
                  and _is_channels_last(shape, strides))
        else:
            cl = (suggests_channels_last if nd == 4 else suggests_channels_last_3d)(shape, strides)
        if cl:
            make = _channels_last_strides if nd == 4 else _channels_last_3d_strides
            return with_strides(backend, out, make(tuple(out.shape)))
    return row_major(backend, out)


def _is_channels_last(shape, strides):
    """Whether ``strides`` are channels-last(-3d) contiguous for ``shape`` (size-1 dims ignored)."""
    acc = 1
    for d in (1,) + tuple(range(len(shape) - 1, 1, -1)) + (0,):
        if shape[d] != 1:
            if strides[d] != acc:
                return False
            acc *= shape[d]
    return True


def elementwise_strides(shape, operands):
    """The strides of an elementwise result of ``shape`` computed by PyTorch's
    TensorIterator from ``operands`` (``(shape, strides)`` pairs, in order; a number operand
    is a 0-d one).

    When every operand has the result's shape (no broadcasting, no number), TensorIterator
    takes a fast path: all contiguous gives row-major strides, all channels-last (4-d) the
    channels-last ones, all non-overlapping and dense with the same strides those strides.
    Otherwise the dims are ordered by :func:`dense_order` over the broadcast operands.
    """
    nd = len(shape)
    if all(tuple(s) == shape for s, _ in operands):
        rows = contiguous_strides(shape)
        if 1 not in shape:  # (the stride of a size-1 dim says nothing: compared only without them)
            row_major = [tuple(st) == rows for _, st in operands]
        else:
            row_major = [all(a == b for a, b, n in zip(st, rows, shape) if n != 1) for _, st in operands]
        if all(row_major):
            return rows
        if row_major[0] and 1 not in shape and 0 not in shape:
            # the first operand's strides strictly decrease: it decides every pair of dims
            # in dense_order (below), which so gives the row-major order
            return rows
        if nd == 4 and all(_is_channels_last(shape, st) for _, st in operands):
            return _channels_last_strides(shape)
        first = tuple(operands[0][1])
        if all(tuple(st) == first for _, st in operands) and is_non_overlapping_and_dense(shape, first):
            return first
    op_strides = []
    for s, st in operands:
        lead = nd - len(s)
        op_strides.append(tuple(0 if (i < lead or (s[i - lead] == 1 and shape[i] != 1)) else st[i - lead]
                                for i in range(nd)))
    return strides_from_order(shape, dense_order(shape, op_strides[0], op_strides[1:]))


def relayout_like_operands(backend, out, inputs, cast_from=0):
    """Lay an elementwise result out as PyTorch's TensorIterator would for ``inputs``
    (tensors, numbers as 0-d ones; see :func:`elementwise_strides`).

    NumPy's ufuncs keep the layout of a single strided operand but fall back to row-major
    when operands disagree (PyTorch follows the first operand), order broadcast dims
    differently and give size-1 dims row-major strides. Returns ``out``, a restrided view
    of it or a relaid-out copy; a 0-d or 1-D ``out`` (a fresh array: one stride, as
    PyTorch's) as it is.
    """
    if out.ndim < 2:
        return out
    is_c_contiguous = backend.is_c_contiguous
    strides = backend.strides
    for t in inputs:  # fast path: row-major inputs (size-1 dims included) give a row-major result
        a = t._data
        if not is_c_contiguous(a) or (1 in a.shape and strides(a) != contiguous_strides(a.shape)):
            break
    else:
        return out
    shape = tuple(out.shape)
    operands = [(tuple(t._data.shape), strides(t._data)) for t in inputs]
    if len(inputs) - cast_from > 1:
        # PyTorch first casts the operands of another dtype than the common one with
        # ``.to()``, which lays a non-dense operand out densely (``preserve_strides``).
        common = backend.dtype_of(out)  # the computation's dtype, but for comparisons (bool)
        if common is D.bool:
            common = D.result_type(*inputs[cast_from:])
        operands = operands[:cast_from] + [
            (s, preserve_strides(s, st) if t.dtype is not common and len(s) else st)
            for (s, st), t in zip(operands[cast_from:], inputs[cast_from:])]
    return with_strides(backend, out, elementwise_strides(shape, operands))


def like_input(backend, out, arr):
    """``out`` (of ``arr``'s shape) laid out as PyTorch lays out a new tensor made like
    ``arr`` (:func:`preserve_strides`)."""
    if out.ndim == 0:
        return out
    if 1 not in arr.shape and backend.is_c_contiguous(arr) and backend.is_c_contiguous(out):
        return out  # (row-major, without size-1 dims whose strides could differ: as wanted)
    return with_strides(backend, out, preserve_strides(tuple(arr.shape), backend.strides(arr)))


def with_strides(backend, out, want):
    """``out`` with the dense strides ``want``: ``out`` itself when it has them, a restrided
    view when only size-1 dims differ, else a copy laid out so."""
    shape = tuple(out.shape)
    have = backend.strides(out)
    if have == tuple(want) or 0 in shape:
        return out
    if all(h == w for h, w, n in zip(have, want, shape) if n != 1):
        return backend.as_strided(out, shape, tuple(want))
    return copy_with_strides(backend, out, want)


def copy_with_strides(backend, arr, want):
    """A copy of ``arr`` with the dense strides ``want``."""
    shape = tuple(arr.shape)
    order = sorted(range(len(shape)), key=lambda d: -want[d])
    inverse = sorted(range(len(shape)), key=order.__getitem__)
    xp = backend.xp
    out = xp.permute_dims(backend.copy(xp.permute_dims(arr, tuple(order))), tuple(inverse))
    if 0 in shape or backend.strides(out) == tuple(want):
        return out
    return backend.as_strided(out, shape, tuple(want))


def lay_out(backend, out, order):
    """``out`` with its dims laid out in memory in ``order`` (outermost first): ``out``
    itself when it already is, else a restrided view or a copy laid out so."""
    return with_strides(backend, out, strides_from_order(tuple(out.shape), order))


def reduction_loop_dims(shape, strides, axes):
    """The dims of ATen's CPU reduction loop over an input of ``shape`` and ``strides``
    reduced over ``axes``, innermost first, as ``(size, reduced)`` pairs.

    A transcription of ``TensorIterator::reorder_dimensions`` for a reduction (the
    output, contiguous over the kept dims and stride 0 on the reduced ones, is the first
    operand: reduced dims go inside, then strides decide) followed by
    ``coalesce_dimensions`` (neighbours merge where every operand steps evenly across
    them, or one of them has size 1).
    """
    n = len(shape)
    kept = [d for d in range(n) if d not in axes]
    kept_st = contiguous_strides([shape[d] for d in kept])
    out = [0] * n
    for d, st in zip(kept, kept_st):
        out[d] = st
    operands = (out, tuple(strides))

    def should_swap(d0, d1):
        for k, st in enumerate(operands):
            s0, s1 = st[d0], st[d1]
            if k == 0 and (s0 == 0) != (s1 == 0):
                return 1 if s1 == 0 else -1  # reduced dims go inside
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    perm = list(range(n - 1, -1, -1))
    for i in range(1, n):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    sizes = [shape[d] for d in perm]
    sts = [[st[d] for d in perm] for st in operands]
    if n <= 1:
        return [(s, o[0] == 0) for s, o in zip(sizes, zip(*sts))]
    prev = 0
    for d in range(1, n):
        s0, s1 = sizes[prev], sizes[d]
        if s0 == 1 or s1 == 1 or all(s0 * st[prev] == st[d] for st in sts):
            if s0 == 1:
                for st in sts:
                    st[prev] = st[d]
            sizes[prev] *= s1
        else:
            prev += 1
            if prev != d:
                for st in sts:
                    st[prev] = st[d]
                sizes[prev] = s1
    return [(sizes[i], sts[0][i] == 0) for i in range(prev + 1)]
