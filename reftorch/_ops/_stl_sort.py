"""GNU libstdc++'s ``std::sort`` of many rows at once, in NumPy passes: the order in which
PyTorch's CPU ``sort(stable=False)`` leaves equal values.

``std::sort`` is an introsort: median-of-three quicksort partitions down to pieces of at
most 16 elements (a piece whose recursion gets too deep is heap-sorted instead), then one
insertion sort over the whole row. The insertion sort is stable, so the answer is the
arrangement the partitions leave, stably sorted. This module runs the partitions of every
piece of every row together, one level of the recursion per round of array passes, instead
of element by element (:mod:`reftorch._ops._stl_select` has the step-by-step version).

One partition (``__unguarded_partition``, pivot value ``v`` in the piece's first slot) in
closed form: list the slots holding ``x >= v`` from the left (``P``, the pivot's own slot
left out) and those holding ``x <= v`` from the right (``Q``, down to the pivot's slot).
The k-th stops of the left and the right scan are ``P[k]`` and ``Q[k]`` as long as
``P[k] < Q[k]``; those ``K`` pairs are swapped, and the cut is where the next left scan
stops: ``P[K]``, or ``Q[K - 1]`` (which now holds a value ``>= v``) if that comes first.

Elements are compared by integer keys (equal values, equal keys), so every comparison is a
plain ``<``. A piece without two elements of one key comes out sorted whatever the
partitions do, so only pieces holding two or more tied elements are followed further; the
pieces still followed are kept packed side by side in working arrays.

The same partition serves ``std::nth_element`` (``topk`` with ``k * 64 > n``:
:func:`nth_element_topk`), and a variant of it ATen's own quick-select for ``kthvalue``
(:func:`quick_select_rows`).
"""
from __future__ import annotations

import numpy as np

from . import _stl_select
from ._stl_select import partial_sort

_THRESHOLD = 16  # libstdc++'s _S_threshold: pieces this small are left to the insertion sort
_TIE_CHECK = 4096  # pieces are checked for tied elements once one is this small


def std_sort_rows(values, order):
    """The indices PyTorch's CPU ``sort(stable=False)`` gives each row of ``values`` (a 2-D
    host array), from ``order``, a stable sort of the same rows in the wanted direction
    (ascending, or descending with NaN first): ``std::sort`` of ``(value, index)`` pairs
    with the comparison that agrees with ``order``, equal values (NaNs among themselves,
    ``-0.0`` and ``0.0``) tied."""
    return sort_order(_ranks(values, order))


def _ranks(values, order):
    """Each element's rank in its row of ``values`` by the stable sort ``order`` (``0``
    first), equal values (NaNs among themselves) of one rank."""
    s = np.take_along_axis(values, order, axis=1)
    step = s[:, 1:] != s[:, :-1]
    if s.dtype.kind in "fc":
        step &= ~(np.isnan(s[:, 1:]) & np.isnan(s[:, :-1]))
    rank_in_order = np.zeros(s.shape, dtype=np.intp)
    np.cumsum(step, axis=1, out=rank_in_order[:, 1:])
    ranks = np.empty_like(rank_in_order)
    np.put_along_axis(ranks, order, rank_in_order, axis=1)
    return ranks


def nth_element_topk(values, k, largest, sorted_):
    """The indices PyTorch's CPU ``topk`` returns for each row of ``values`` (a 2-D host
    array) when it takes ``std::nth_element`` (``k * 64 > n``):
    ``nth_element(first, first + k - 1, last)`` on ``(value, index)`` pairs, best first
    (NaN the largest), then, when ``sorted_``, ``std::sort`` of the first ``k - 1``. The
    introselect runs for all rows at once, one partition round per step."""
    ranks = _ranks(values, np.argsort(values, axis=1, kind="stable"))
    if largest:
        ranks = ranks.max(axis=1, keepdims=True) - ranks
    arranged = _nth_element(ranks, k - 1)
    picked = arranged[:, :k]
    if sorted_ and k > 1:
        head = np.take_along_axis(ranks, picked[:, :k - 1], axis=1)
        head_order = np.argsort(head, axis=1, kind="stable")
        picked[:, :k - 1] = np.take_along_axis(picked[:, :k - 1], sort_order(_ranks(head, head_order)), axis=1)
    return picked


def _nth_element(ranks, nth):
    """The arrangement (original positions) ``std::nth_element(first, first + nth, last)``
    leaves in each row of ``ranks`` (compared with ``<``)."""
    rows, n = ranks.shape
    itype = np.int32 if rows * n < 2 ** 31 else np.int64
    key = ranks.astype(itype).reshape(-1)
    pos = np.tile(np.arange(n, dtype=itype), rows)
    base = np.arange(rows, dtype=np.intp) * n
    first, last = np.zeros(rows, dtype=np.intp), np.full(rows, n, dtype=np.intp)
    depth = np.full(rows, _depth_limit(n), dtype=np.intp)
    heap_sorted = np.zeros(rows, dtype=bool)
    while True:
        act = (last - first > 3) & ~heap_sorted
        deep = act & (depth == 0)
        for r in np.flatnonzero(deep).tolist():  # too deep: __heap_select then a swap, in Python
            a, b = base[r] + first[r], base[r] + last[r]
            items = list(zip(key[a:b].tolist(), pos[a:b].tolist()))
            _stl_select._heap_select(items, 0, nth - first[r] + 1, b - a, lambda x, y: x < y)
            items[0], items[nth - first[r]] = items[nth - first[r]], items[0]
            key[a:b], pos[a:b] = zip(*items)
        heap_sorted |= deep
        act &= ~deep
        if not act.any():
            break
        depth[act] -= 1
        sizes = (last - first)[act]
        slots, _, starts = _ranges(base[act] + first[act], sizes)
        work_key, work_pos = key[slots], pos[slots]
        cut = _partition(work_key, work_pos, starts, sizes) - starts + first[act]
        key[slots], pos[slots] = work_key, work_pos
        right = cut <= nth  # the piece holding nth: [cut, last) or [first, cut)
        rows_act = np.flatnonzero(act)
        first[rows_act[right]] = cut[right]
        last[rows_act[~right]] = cut[~right]
    # __insertion_sort(first, last) of the last piece (3 elements at most): a stable sort
    done = ~heap_sorted & (last > first)
    slots, piece, _ = _ranges(base[done] + first[done], (last - first)[done])
    by = np.lexsort((key[slots], piece))
    key[slots], pos[slots] = key[slots[by]], pos[slots[by]]
    return pos.reshape(rows, n).astype(np.int64)


def _ranges(starts, sizes):
    """The slots ``starts[i] + j`` for ``j < sizes[i]``, piece after piece; the piece of
    each slot; where each piece starts among them."""
    piece = np.repeat(np.arange(sizes.size), sizes)
    begin = np.cumsum(sizes) - sizes
    return np.arange(int(sizes.sum())) + np.repeat(starts - begin, sizes), piece, begin


def _depth_limit(n):
    """``std::__lg(n) * 2``: partitions a piece may go through before it is heap-sorted."""
    return 2 * (n.bit_length() - 1)


def sort_order(ranks):
    """The permutation ``std::sort`` gives each row of ``ranks``, an ``(rows, n)`` integer
    array of each element's rank in its row (``0`` for the smallest value, equal values of
    equal rank, no gaps needed): int64 indices of the same shape, row ``r`` listing the
    original positions of its elements in sorted order."""
    rows, n = ranks.shape
    itype = np.int32 if rows * n < 2 ** 31 else np.int64
    # keys of different rows never meet, so one flat array of keys, row r's shifted by r * n
    out_key = (ranks.astype(itype) + (np.arange(rows, dtype=itype) * n)[:, None]).reshape(-1)
    out_pos = np.tile(np.arange(n, dtype=itype), rows)
    if n > _THRESHOLD:
        tied = np.bincount(out_key, minlength=rows * n) >= 2  # by key: shared with another element
        # working set: the pieces still followed, packed; `slot` is each element's place in
        # the flat output
        key, pos, slot = out_key.copy(), out_pos.copy(), np.arange(rows * n, dtype=itype)
        sizes = np.full(rows, n, dtype=np.intp)
        depth = np.full(rows, _depth_limit(n), dtype=np.intp)
        while True:
            starts = np.cumsum(sizes) - sizes
            follow = (sizes > _THRESHOLD) & (depth >= 0)
            if sizes.min() <= _TIE_CHECK:  # (bigger pieces are followed without looking)
                follow &= _count(tied[key], starts, sizes)[1] >= 2
            if not follow.all():  # pieces that are done: written out, dropped from the set
                keep = np.repeat(follow, sizes)
                done = ~keep
                out_key[slot[done]], out_pos[slot[done]] = key[done], pos[done]
                key, pos, slot = key[keep], pos[keep], slot[keep]
                sizes, depth = sizes[follow], depth[follow]
                starts = np.cumsum(sizes) - sizes
            if not sizes.size:
                break
            deep = depth == 0
            if deep.any():  # recursion too deep: std::partial_sort (a heap sort) of the piece
                for a, size in zip(starts[deep].tolist(), sizes[deep].tolist()):
                    _heap_sort(key, pos, a, a + size)
                depth[deep] = -1  # done: the next round writes it out
                continue
            cut = _partition(key, pos, starts, sizes)
            left = cut - starts
            sizes = np.stack((left, sizes - left), axis=1).reshape(-1)
            depth = np.repeat(depth - 1, 2)
    # the final insertion sort: stable over the arrangement left by the partitions
    order = np.argsort(out_key.reshape(rows, n), axis=1, kind="stable")
    return np.take_along_axis(out_pos.reshape(rows, n), order, axis=1).astype(np.int64, copy=False)


def _heap_sort(key, pos, a, b):
    """``std::partial_sort(first, last, last)`` of the piece ``[a, b)``, in place."""
    items = list(zip(key[a:b].tolist(), pos[a:b].tolist()))
    partial_sort(items, 0, b - a, b - a, lambda x, y: x < y)
    key[a:b], pos[a:b] = zip(*items)


def _count(flags, starts, sizes):
    """The slots where ``flags`` is set (ascending, so piece by piece) and how many there
    are in each piece."""
    where = np.flatnonzero(flags)
    return where, np.searchsorted(where, starts + sizes) - np.searchsorted(where, starts)


def _swap(arrays, i, j):
    for arr in arrays:
        x, y = arr[i], arr[j]
        arr[i], arr[j] = y, x


def _swap_stops(arrays, p_slots, n_p, q_slots, n_q):
    """Swap, in every piece, the k-th stop of the left scan with the k-th stop of the right
    scan while the left one comes first. ``p_slots`` lists each piece's left stops ``P`` in
    order (``n_p`` per piece), ``q_slots`` its right stops in ascending order (``n_q``; the
    right scan meets them from the top). Returns ``(K, base_p, top_q)``: the swaps per
    piece, where each piece's ``P`` starts in ``p_slots``, and where its ``Q`` starts from
    the top in ``q_slots`` (``Q[k]`` is ``q_slots[top_q - k]``)."""
    base_p = np.cumsum(n_p) - n_p
    top_q = np.cumsum(n_q) - 1
    # K: P[k] < Q[k] holds for k < K only (P rises, Q falls): a binary search in every piece
    low, high = np.zeros_like(n_p), np.minimum(n_p, n_q)
    while True:
        open_ = low < high
        if not open_.any():
            break
        mid = (low + high) // 2
        ahead = open_ & (p_slots[base_p + np.minimum(mid, n_p - 1)] < q_slots[top_q - np.minimum(mid, n_q - 1)])
        low = np.where(ahead, mid + 1, low)
        high = np.where(open_ & ~ahead, mid, high)
    done_before = np.cumsum(low) - low
    k = np.arange(int(low.sum()))
    _swap(arrays, p_slots[k + np.repeat(base_p - done_before, low)], q_slots[np.repeat(top_q + done_before, low) - k])
    return low, base_p, top_q


def _partition(key, pos, starts, sizes):
    """One round: ``__unguarded_partition_pivot`` on every packed piece (``starts``,
    ``sizes``) of the working arrays, in place; returns the cuts."""
    arrays = (key, pos)
    lo, hi = starts, starts + sizes
    # __move_median_to_first(first, first + 1, mid, last - 1)
    a, b, c = lo + 1, lo + sizes // 2, hi - 1
    ka, kb, kc = key[a], key[b], key[c]
    pick = np.where(ka < kb,
                    np.where(kb < kc, b, np.where(ka < kc, c, a)),
                    np.where(ka < kc, a, np.where(kb < kc, c, b)))
    _swap(arrays, lo, pick)
    pivot = np.repeat(key[lo], sizes)
    ge = key >= pivot  # left stops: not less than the pivot
    ge[lo] = False  # (the left scan starts after the pivot's slot)
    le = key <= pivot  # right stops: not greater; the pivot's own slot ends the scan
    (p_slots, n_p), (q_slots, n_q) = _count(ge, lo, sizes), _count(le, lo, sizes)
    n_swaps, base_p, top_q = _swap_stops(arrays, p_slots, n_p, q_slots, n_q)
    # where the next left scan stops: P[K], or Q[K - 1] if that comes first
    nxt = np.where(n_swaps < n_p, p_slots[base_p + np.minimum(n_swaps, n_p - 1)], hi)
    prev_q = q_slots[top_q - np.maximum(n_swaps - 1, 0)]
    return np.where(n_swaps > 0, np.minimum(nxt, prev_q), nxt)


def quick_select_rows(ranks, k):
    """The position ATen's CPU ``kthvalue`` returns for the ``k``-th smallest (0-based) of each
    row of ``ranks`` (an ``(rows, n)`` integer array, equal values of equal rank; NaN the
    largest): ``quick_select_template`` (Sedgewick's partition with a median-of-three pivot)
    for all rows at once, one partition round per step. Returns int64 positions ``(rows,)``.

    One partition of ``[lo, hi]`` (pivot ``v`` in ``lo``, ``a[lo + 1] <= v <= a[hi]`` after the
    median-of-three) in closed form: the left scan stops at ``P``, the slots of ``[lo + 2, hi]``
    holding ``x >= v`` in order, the right scan at ``Q``, the slots of ``[lo + 1, hi - 1]``
    holding ``x <= v`` from the right; the pairs ``P[m] < Q[m]`` are swapped (``K`` of them), a
    slot where both scans stop together (``P[K] == Q[K]``, a value equal to ``v``) is passed
    over once, and the scans end at ``i = min(P[K'], Q[K - 1])``, ``j = max(Q[K'], P[K - 1])``.
    """
    rows, n = ranks.shape
    key = np.ascontiguousarray(ranks, dtype=np.int64).reshape(-1).copy()
    pos = np.tile(np.arange(n, dtype=np.int64), rows)
    base = np.arange(rows, dtype=np.int64) * n
    lo, hi = base.copy(), base + n - 1
    target = base + k
    arrays = (key, pos)
    while True:
        open_ = hi > lo
        if not open_.any():
            break
        pair = open_ & (hi == lo + 1)  # two left: put them in order, done
        if pair.any():
            a, b = lo[pair], hi[pair]
            out_of_order = key[a] > key[b]
            _swap(arrays, a[out_of_order], b[out_of_order])
            hi[pair] = lo[pair]
        act = open_ & ~pair
        if not act.any():
            continue
        rows_act = np.flatnonzero(act)
        l, h = lo[act], hi[act]
        _swap(arrays, (l + h) >> 1, l + 1)
        for x, y in ((l + 1, h), (l, h), (l + 1, l)):  # the median of three into lo
            later = key[x] > key[y]
            _swap(arrays, x[later], y[later])
        i, j = _select_partition(arrays, l, h)
        _swap(arrays, l, j)
        t = target[act]
        lo[rows_act[j <= t]] = i[j <= t]
        hi[rows_act[j >= t]] = j[j >= t] - 1
    return pos[target]


def _select_partition(arrays, lo, hi):
    """The partition loop of ``quick_select_template`` on every piece ``[lo, hi]`` of the
    flat arrays (keys first; pivot in ``lo``), in place; returns where the scans stopped
    last, ``(i, j)`` (see :func:`quick_select_rows`)."""
    key = arrays[0]
    size = hi - lo  # the slots lo + 1 .. hi
    slots, _, begin = _ranges(lo + 1, size)
    kv = key[slots]
    pivot = np.repeat(key[lo], size)
    ge = kv >= pivot
    ge[begin] = False  # P: from lo + 2
    le = kv <= pivot
    le[begin + size - 1] = False  # Q: up to hi - 1
    (p_at, n_p), (q_at, n_q) = _count(ge, begin, size), _count(le, begin, size)
    p_slots, q_slots = slots[p_at], slots[q_at]
    n_swaps, base_p, top_q = _swap_stops(arrays, p_slots, n_p, q_slots, n_q)
    # both scans stopping on one slot (a value equal to the pivot) pass it once more
    both = n_swaps < np.minimum(n_p, n_q)
    both[both] = (p_slots[(base_p + n_swaps)[both]] == q_slots[(top_q - n_swaps)[both]])
    nxt = n_swaps + both
    big = np.iinfo(np.int64).max
    i = np.where(nxt < n_p, p_slots[base_p + np.minimum(nxt, n_p - 1)], big)
    i = np.where(n_swaps > 0, np.minimum(i, q_slots[top_q - np.maximum(n_swaps - 1, 0)]), i)
    j = np.where(nxt < n_q, q_slots[top_q - np.minimum(nxt, n_q - 1)], -1)
    j = np.where(n_swaps > 0, np.maximum(j, p_slots[base_p + np.maximum(n_swaps - 1, 0)]), j)
    return i, j
