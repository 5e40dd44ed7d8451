"""PyTorch's CPU ``topk`` and unstable ``sort``, step for step, so that equal values come
out at the same indices as in PyTorch.

ATen's kernel (``topk_impl_loop``) puts ``(value, index)`` pairs of one row in a vector
and calls the C++ standard library: ``std::partial_sort`` when ``k * 64 <= n``, else
``std::nth_element`` followed (when ``sorted``) by ``std::sort`` of the first ``k - 1``.
Neither is stable, so among equal values the chosen indices depend on the exact steps of
GNU libstdc++'s introselect, introsort and heap routines, which this module reproduces.
The comparison looks at the values only (NaN counts as the largest).

``sort(stable=False)`` is ``std::sort`` on the pairs, with the same comparison.

Plain Python over lists: it runs only for rows whose answer depends on it (see
:mod:`reftorch._ops.sorting`). ``sort`` itself runs vectorised over many rows in
:mod:`reftorch._ops._stl_sort`; :func:`sort_row` here is its step-by-step reference.
"""
from __future__ import annotations

import math

import numpy as np


def _less(largest):
    """The comparison ATen passes: "goes first" for the wanted end (NaN at the top)."""
    if largest:
        def comp(x, y):
            return (math.isnan(x) and not math.isnan(y)) or x > y
    else:
        def comp(x, y):
            return (not math.isnan(x) and math.isnan(y)) or x < y
    return comp


def _lg(n):
    return n.bit_length() - 1


# ---------------------------------------------------------------- heap routines
def _push_heap(a, first, hole, top, value, comp):
    parent = (hole - 1) // 2
    while hole > top and comp(a[first + parent][0], value[0]):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def _adjust_heap(a, first, hole, length, value, comp):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(a[first + child][0], a[first + child - 1][0]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    _push_heap(a, first, hole, top, value, comp)


def _make_heap(a, first, last, comp):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(a, first, parent, length, a[first + parent], comp)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(a, first, last, result, comp):
    value = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, value, comp)


def _heap_select(a, first, middle, last, comp):
    _make_heap(a, first, middle, comp)
    for i in range(middle, last):
        if comp(a[i][0], a[first][0]):
            _pop_heap(a, first, middle, i, comp)


def _sort_heap(a, first, last, comp):
    while last - first > 1:
        last -= 1
        _pop_heap(a, first, last, last, comp)


def partial_sort(a, first, middle, last, comp):
    """``std::partial_sort``."""
    _heap_select(a, first, middle, last, comp)
    _sort_heap(a, first, middle, comp)


# ---------------------------------------------------------------- partitioning
def _move_median_to_first(a, result, x, y, z, comp):
    if comp(a[x][0], a[y][0]):
        if comp(a[y][0], a[z][0]):
            pick = y
        elif comp(a[x][0], a[z][0]):
            pick = z
        else:
            pick = x
    elif comp(a[x][0], a[z][0]):
        pick = x
    elif comp(a[y][0], a[z][0]):
        pick = z
    else:
        pick = y
    a[result], a[pick] = a[pick], a[result]


def _unguarded_partition(a, first, last, pivot, comp):
    pv = a[pivot][0]
    while True:
        while comp(a[first][0], pv):
            first += 1
        last -= 1
        while comp(pv, a[last][0]):
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _unguarded_partition_pivot(a, first, last, comp):
    mid = first + (last - first) // 2
    _move_median_to_first(a, first, first + 1, mid, last - 1, comp)
    return _unguarded_partition(a, first + 1, last, first, comp)


def _unguarded_linear_insert(a, last, comp):
    value = a[last]
    nxt = last - 1
    while comp(value[0], a[nxt][0]):
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = value


def _insertion_sort(a, first, last, comp):
    if first == last:
        return
    for i in range(first + 1, last):
        if comp(a[i][0], a[first][0]):
            value = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = value
        else:
            _unguarded_linear_insert(a, i, comp)


def nth_element(a, first, nth, last, comp):
    """``std::nth_element`` (introselect)."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last, comp)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, comp)


def _introsort_loop(a, first, last, depth, comp):
    while last - first > 16:
        if depth == 0:
            partial_sort(a, first, last, last, comp)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, comp)
        _introsort_loop(a, cut, last, depth, comp)
        last = cut


def sort(a, first, last, comp):
    """``std::sort`` (introsort, then a final insertion sort)."""
    if first == last:
        return
    _introsort_loop(a, first, last, _lg(last - first) * 2, comp)
    if last - first > 16:
        _insertion_sort(a, first, first + 16, comp)
        for i in range(first + 16, last):
            _unguarded_linear_insert(a, i, comp)
    else:
        _insertion_sort(a, first, last, comp)


def sort_row(values, descending):
    """The indices ATen's CPU ``sort(stable=False)`` gives one row (``std::sort`` of
    ``(value, index)`` pairs by value; NaN last ascending, first descending)."""
    a = [(v, j) for j, v in enumerate(values)]
    sort(a, 0, len(a), _less(descending))
    return [j for _, j in a]


def topk_row(values, k, largest, sorted_):
    """The indices ATen's CPU ``topk`` returns for one row of Python numbers."""
    n = len(values)
    if k == 0:
        return []
    a = [(v, j) for j, v in enumerate(values)]
    comp = _less(largest)
    if k * 64 <= n:
        partial_sort(a, 0, k, n, comp)
    else:
        nth_element(a, 0, k - 1, n, comp)
        if sorted_:
            sort(a, 0, k - 1, comp)
    return [j for _, j in a[:k]]


def topk_rows(values, k, largest, sorted_):
    """:func:`topk_row` for each row of the 2-D host array ``values``: a list of index lists.

    ``partial_sort``'s heap selection (``k * 64 <= n``) only acts on an element that beats
    the top of the heap, which holds the ``k`` best elements seen so far; so an element
    that does not beat the ``k``-th best of some earlier prefix never acts. Those
    thresholds, for the prefixes ``k, 2k, 4k, ...`` of every row at once, leave a few
    candidates per row (about ``k`` per prefix doubling), and only they are visited.
    """
    rows, n = values.shape
    if k == 0:
        return [[] for _ in range(rows)]
    if k * 64 > n:
        raise ValueError("topk_rows: k * 64 > n takes nth_element (see _stl_sort.nth_element_topk)")
    comp = _less(largest)
    key = values.astype(np.float64)  # larger is better; NaN best when largest, worst when not
    if not largest:
        np.negative(key, out=key)
    key[np.isnan(key)] = math.inf if largest else -math.inf
    # An element acts only if it beats the top strictly, so one equal to a threshold never
    # does, unless its key is not its own: NaN shares inf's key, and an int64 beyond 2**53
    # may share its float64 with a neighbour
    exact = values.dtype.kind in "fb" or values.dtype.itemsize < 8 or not values.size or \
        -2 ** 53 <= int(values.min()) and int(values.max()) <= 2 ** 53  # (abs(-2**63) wraps)
    maybe = np.zeros(key.shape, dtype=bool)
    start = k
    while start < n:  # elements of [start, 2 * start) that beat the k-th best of [0, start)
        stop = min(2 * start, n)
        kth = np.partition(key[:, :start], start - k, axis=1)[:, start - k:start - k + 1]
        part = key[:, start:stop]
        maybe[:, start:stop] = (part > kth) | ((part == kth) & (np.isinf(kth) | (not exact)))
        start = stop
    out = []
    for row, cand in zip(values, maybe):
        heap = [(v, j) for j, v in enumerate(row[:k].tolist())]
        _make_heap(heap, 0, k, comp)
        at = np.flatnonzero(cand)
        for i, v in zip(at.tolist(), row[at].tolist()):  # (only the candidates become Python numbers)
            if comp(v, heap[0][0]):  # _pop_heap(a, first, middle, i): i's value replaces the top
                _adjust_heap(heap, 0, 0, k, (v, i), comp)
        _sort_heap(heap, 0, k, comp)
        out.append([j for _, j in heap])
    return out


# ---------------------------------------------------------------- kthvalue
def _gt_or_nan(x, y):
    return (x != x and y == y) or x > y


def quick_select_index(values, k):
    """The index ATen's ``kthvalue`` kernel returns for the ``k``-th smallest (0-based) of
    ``values`` (a list): its ``quick_select_template`` step for step, swapping values and
    indices together (nan counts as the largest)."""
    a, idx = list(values), list(range(len(values)))

    def swap(i, j):
        a[i], a[j] = a[j], a[i]
        idx[i], idx[j] = idx[j], idx[i]

    lo, hi = 0, len(a) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt_or_nan(a[lo], a[hi]):
                swap(lo, hi)
            break
        swap((lo + hi) >> 1, lo + 1)  # median of three: a[lo + 1] <= a[lo] <= a[hi]
        if _gt_or_nan(a[lo + 1], a[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(a[lo], a[hi]):
            swap(lo, hi)
        if _gt_or_nan(a[lo + 1], a[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, a[lo]
        while True:
            i += 1
            while _gt_or_nan(piv, a[i]):
                i += 1
            j -= 1
            while _gt_or_nan(a[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]
