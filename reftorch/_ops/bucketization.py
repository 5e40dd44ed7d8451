"""``searchsorted`` and ``bucketize``: where values would be inserted into sorted sequences.

One vectorised binary search over ``xp`` for all values at once (every row of a batch of
sequences, each value against its own row), with PyTorch's comparisons: the left
insertion point moves right while ``!(mid >= value)``, the right one while
``!(mid > value)``. NaN compares false both ways, so a NaN value lands at the end and
values are never placed before a NaN inside the sequence; NumPy's ``searchsorted`` (which
sorts NaN last) would answer differently.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor
from .._warnings import warn_once
from ._common import tensor_input, with_out
from .creation import tensor as _tensor

_SIDES = ("left", "right")
_SLOW_COPY = ("torch.searchsorted(): {what} tensor is non-contiguous, this will lower the performance due to extra "
              "data copy when converting non-contiguous tensor to contiguous, please use contiguous {what} tensor if "
              "possible. This message will only appear once per program. (Triggered internally at "
              "/__w/pytorch/pytorch/aten/src/ATen/native/BucketizationUtils.h:{line}.)")


def _warn_non_contiguous(values, boundaries, sorter):
    """PyTorch's once-per-program performance warnings for non-contiguous arguments."""
    for what, line, t in (("input value", 32, values), ("boundary", 38, boundaries), ("sorter", 44, sorter)):
        if isinstance(t, Tensor) and not t.is_contiguous():
            warn_once(_SLOW_COPY.format(what=what, line=line), stacklevel=0)


def _search(b, seq, values, right, sorter, nan_last=False):
    """Insertion points of ``values`` (shape ``(rows, m)``) into the sorted rows of ``seq``
    (shape ``(rows, n)``, read through ``sorter`` when given), as an int64 array.
    ``nan_last``: the left insertion point with NaN in ``seq`` above every number (as
    ``sort`` puts it), for ``isin``."""
    xp = b.xp
    kw = b._dev_kw()
    i64 = b.dtype(D.int64)
    rows, n = seq.shape
    lo = xp.zeros(values.shape, dtype=i64, **kw)
    hi = xp.full(values.shape, n, dtype=i64, **kw)
    if n == 0:
        return lo
    for _ in range(max(1, math.ceil(math.log2(n + 1)))):
        active = lo < hi
        mid = (lo + hi) // 2
        at = xp.clip(mid, 0, n - 1)
        if sorter is not None:
            at = xp.take_along_axis(sorter, at, axis=1)
        mid_val = xp.take_along_axis(seq, at, axis=1)
        if nan_last:
            go_right = mid_val < values
        else:
            go_right = ~(mid_val > values) if right else ~(mid_val >= values)
        lo = xp.where(active & go_right, mid + 1, lo)
        hi = xp.where(active & ~go_right, mid, hi)
    return lo


def _shape_text(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


@tensor_input
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """The indices at which ``input``'s values would be inserted into ``sorted_sequence`` to
    keep it sorted.

    With a 1-D ``sorted_sequence`` every value is searched in it; with an N-D one, the
    first N-1 dimensions of ``sorted_sequence`` and ``input`` must match and each row of
    values is searched in the matching row. ``left`` (default) gives the first index
    ``i`` with ``sorted_sequence[i] >= value``, ``right`` the first with
    ``sorted_sequence[i] > value``. Values are compared in the promoted dtype of the two.
    A non-contiguous argument gives PyTorch's performance ``UserWarning`` (once per
    program). Mirrors ``torch.searchsorted`` (not differentiable).

    Args:
        sorted_sequence: a tensor whose last dimension is sorted ascending (or is sorted by
            ``sorter``).
        input: the values: a tensor, or a Python number (then the result is 0-dim).
        out_int32: return int32 instead of int64 indices (keyword-only, default
            ``False``).
        right: ``True`` for the right insertion point (default ``False``).
        side: ``"left"`` or ``"right"``; when given it decides, and must not contradict
            ``right=True``.
        sorter: an int64 tensor of ``sorted_sequence``'s shape whose rows are the
            permutations sorting the rows of ``sorted_sequence`` (as ``argsort`` returns).
        out: a tensor to write the result into (keyword-only).

    Returns:
        An int64 (or int32) tensor of ``input``'s shape.

    Raises:
        RuntimeError: if ``side`` is not ``"left"``/``"right"`` or contradicts ``right``,
            ``sorted_sequence`` is 0-dim, its leading dimensions do not match ``input``'s,
            or ``sorter`` is not int64, has another shape or holds an out-of-range index.
        NotImplementedError: for bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> seq = torch.tensor([1, 3, 5, 7, 9])
        >>> torch.searchsorted(seq, torch.tensor([3, 6, 9]))
        tensor([1, 3, 4])
        >>> torch.searchsorted(seq, torch.tensor([3, 6, 9]), right=True)
        tensor([2, 3, 5])
        >>> torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]), torch.tensor([[3], [3]]))
        tensor([[1],
                [1]])
    """
    if out is not None:
        return with_out("searchsorted", out, searchsorted, sorted_sequence, input, out_int32=out_int32,
                        right=right, side=side, sorter=sorter)
    if side is not None:
        if side not in _SIDES:
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    _warn_non_contiguous(input, sorted_sequence, sorter)
    scalar = not isinstance(input, Tensor)
    if scalar:
        input = _tensor(input, device=sorted_sequence.device)
    if sorted_sequence.dtype is D.bool or input.dtype is D.bool:
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    if sorted_sequence.dim() == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    seq_shape, val_shape = tuple(sorted_sequence.shape), tuple(input.shape)
    if sorted_sequence.dim() > 1 and seq_shape[:-1] != val_shape[:-1]:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           "of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{_shape_text(seq_shape)} and input value tensor {_shape_text(val_shape)}")
    b = sorted_sequence._backend
    xp = b.xp
    n = seq_shape[-1]
    if sorter is not None:
        if sorter.dtype is not D.int64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                               f"{D.scalar_name(sorter.dtype)}")
        if tuple(sorter.shape) != seq_shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                               f"tensor {_shape_text(seq_shape)}and got sorter tensor {_shape_text(sorter.shape)}")
        if sorter.numel() and not b.indices_in_range(sorter._data, n):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
    common = D.promote_types(sorted_sequence.dtype, input.dtype)
    seq = sorted_sequence._data
    vals = input._data if input.device == sorted_sequence.device else input.to(sorted_sequence.device)._data
    if seq.dtype != b.dtype(common):
        seq = xp.astype(seq, b.dtype(common))
    if vals.dtype != b.dtype(common):
        vals = xp.astype(vals, b.dtype(common))
    count = math.prod(val_shape)
    if sorted_sequence.dim() == 1:
        seq2, vals2 = xp.reshape(seq, (1, n)), xp.reshape(vals, (1, count))
        srt = None if sorter is None else xp.reshape(sorter._data, (1, n))
    else:
        rows = math.prod(seq_shape[:-1])
        seq2, vals2 = xp.reshape(seq, (rows, n)), xp.reshape(vals, (rows, val_shape[-1]))
        srt = None if sorter is None else xp.reshape(sorter._data, (rows, n))
    found = xp.reshape(_search(b, seq2, vals2, right, srt), val_shape)
    if out_int32:
        found = xp.astype(found, b.dtype(D.int32))
    return Tensor._wrap(found, sorted_sequence.device, b)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket of each value of ``input``, the buckets being set by the
    sorted 1-D ``boundaries``.

    ``right=False`` (default) gives the index ``i`` with ``boundaries[i-1] < x <=
    boundaries[i]``, ``right=True`` the one with ``boundaries[i-1] <= x < boundaries[i]``:
    ``searchsorted(boundaries, input, right=right)``. Mirrors ``torch.bucketize`` (not
    differentiable).

    Args:
        input: the values: a tensor, or a Python number (then the result is 0-dim).
        boundaries: a 1-D tensor sorted ascending.
        out_int32: return int32 instead of int64 indices (keyword-only, default
            ``False``).
        right: which side of a boundary equal values go to (default ``False``).
        out: a tensor to write the result into (keyword-only).

    Returns:
        An int64 (or int32) tensor of ``input``'s shape, with values in
        ``[0, len(boundaries)]``.

    Raises:
        RuntimeError: if ``boundaries`` is not 1-D.
        NotImplementedError: for bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> boundaries = torch.tensor([1, 3, 5, 7, 9])
        >>> torch.bucketize(torch.tensor([[3, 6, 9], [0, 10, 5]]), boundaries)
        tensor([[1, 3, 4],
                [0, 5, 2]])
        >>> torch.bucketize(torch.tensor([3, 6, 9]), boundaries, right=True)
        tensor([2, 3, 5])
    """
    if out is not None:
        return with_out("bucketize", out, bucketize, input, boundaries, out_int32=out_int32, right=right)
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    _warn_non_contiguous(input, boundaries, None)
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
