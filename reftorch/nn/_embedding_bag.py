"""``F.embedding_bag``: the sum, mean or max of the embedding rows of each bag of indices.

The bags are consecutive runs of the flat ``input`` (starting at ``offsets``). The one op
(``EmbeddingBagBackward0``) lays the bags out as a padded ``(B, L)`` matrix of positions
(``L`` the longest bag), so the lookup and the reduction are a few whole-array passes; the
backward scatter-adds the gradient rows back into the weight (``Backend.index_add``).
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype as D
from .._tensor import tensor_string, tensor_type_name
from ..autograd.function import OpFunction as Function

_MODES = {"sum": 0, "mean": 1, "max": 2}


def _bag_layout(xp, b, offsets, n, include_last_offset):
    """``(pos, valid)``: the ``(B, L)`` positions in ``input`` of each bag's entries (0 where
    a bag is shorter than ``L``) and where they are real."""
    starts = offsets[:-1] if include_last_offset else offsets
    ends = offsets[1:] if include_last_offset else xp.concat(
        [offsets[1:], xp.full((1,), n, dtype=offsets.dtype, **b._dev_kw())])
    lens = ends - starts
    longest = int(xp.max(lens)) if lens.shape[0] else 0
    k = xp.arange(max(longest, 1), dtype=xp.int64, **b._dev_kw())
    valid = k[None, :] < lens[:, None]
    pos = xp.where(valid, starts[:, None] + k[None, :], xp.zeros((), dtype=xp.int64, **b._dev_kw()))
    return pos, valid


def _bags(weight, indices, offsets, padding_idx, include_last_offset):
    """``(pos, rows_idx, kept, rows)``: the ``(B, L)`` positions of each bag's entries in
    ``indices``, their indices, where they are real and not ``padding_idx``, and the
    ``(B, L, D)`` weight rows."""
    b = weight._backend
    xp = b.xp
    wa, idx = weight._data, xp.astype(indices._data, xp.int64)
    pos, valid = _bag_layout(xp, b, xp.astype(offsets._data, xp.int64), idx.shape[0], include_last_offset)
    rows_idx = xp.take(idx, xp.reshape(pos, (-1,)), axis=0) if idx.shape[0] else xp.zeros(
        pos.shape[0] * pos.shape[1], dtype=xp.int64, **b._dev_kw())
    rows_idx = xp.reshape(rows_idx, pos.shape)
    kept = valid if padding_idx is None else valid & (rows_idx != padding_idx)
    rows = xp.reshape(xp.take(wa, xp.reshape(rows_idx, (-1,)), axis=0), pos.shape + (wa.shape[1],))
    return pos, rows_idx, kept, rows


def _max_entries(b, rows, kept):
    """``(masked, arg)``: ``rows`` with -inf where not kept, and the ``(B, D)`` entry of
    each bag's maximum."""
    xp = b.xp
    masked = xp.where(kept[:, :, None], rows, xp.asarray(-math.inf, dtype=rows.dtype, **b._dev_kw()))
    return masked, xp.argmax(masked, axis=1)


def bag_extras(weight, indices, offsets, mode, padding_idx, include_last_offset, recorded):
    """The other outputs of ``torch.embedding_bag`` (PyTorch's CPU kernel), in ``indices``'
    dtype: ``offset2bag`` (the bag of each entry; empty for ``sum`` on float32/float16 weights
    without ``padding_idx``, the kernel's fast path), ``bag_size`` (the entries kept per bag;
    zeros for ``sum``: one per bag when autograd records the call, else one per offset, as
    PyTorch's two kernels give) and ``max_indices`` (the row of each maximum for ``max``,
    ``bag_size`` for ``mean``, zeros for ``sum``)."""
    b = weight._backend
    xp, kw = b.xp, b._dev_kw()
    itype = indices._data.dtype
    n = indices._data.shape[0]
    pos, rows_idx, kept, rows = _bags(weight, indices, offsets, padding_idx, include_last_offset)
    fast = mode == 0 and weight.dtype in (D.float32, D.float16) and padding_idx is None
    if fast or not n:
        offset2bag = xp.zeros((0,), dtype=itype, **kw)
    else:  # each entry's bag: the last bag starting at or before it
        starts = offsets._data[:-1] if include_last_offset else offsets._data
        offset2bag = xp.astype(xp.searchsorted(xp.astype(starts, xp.int64), xp.arange(n, dtype=xp.int64, **kw),
                                               side="right") - 1, itype)
    if mode == 0:
        bags = offsets._data.shape[0] - (1 if include_last_offset and recorded else 0)
        bag_size = xp.zeros((bags,), dtype=itype, **kw)
        return offset2bag, bag_size, bag_size
    bag_size = xp.astype(xp.sum(xp.astype(kept, xp.int64), axis=1), itype)
    if mode == 1:
        return offset2bag, bag_size, bag_size
    _, arg = _max_entries(b, rows, kept)
    max_rows = xp.take_along_axis(rows_idx, arg, axis=1)
    return offset2bag, bag_size, xp.astype(xp.where((bag_size > 0)[:, None], max_rows, xp.zeros_like(max_rows)),
                                           itype)


class EmbeddingBag(Function):
    """``(weight, indices, per_sample_weights?)`` → ``(B, D)`` bag reductions
    (``grad_fn`` ``EmbeddingBagBackward0``)."""

    name = "EmbeddingBagBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, weight, indices, psw, offsets, mode, padding_idx, scale_grad_by_freq, include_last_offset,
                weighted):
        b = weight._backend
        xp = b.xp
        wa = weight._data
        pos, rows_idx, kept, rows = _bags(weight, indices, offsets, padding_idx, include_last_offset)
        count = xp.sum(xp.astype(kept, wa.dtype), axis=1)  # (B,)
        factor = xp.astype(kept, wa.dtype)
        if weighted and psw._data.shape[0]:
            factor = factor * xp.reshape(xp.take(psw._data, xp.reshape(pos, (-1,)), axis=0), pos.shape)
        zero = xp.zeros((), dtype=wa.dtype, **b._dev_kw())
        if mode == 2:  # max over the kept entries; an empty bag gives zeros
            masked, arg = _max_entries(b, rows, kept)
            out = xp.take_along_axis(masked, arg[:, None, :], axis=1)[:, 0, :]
            out = xp.where((count > 0)[:, None], out, zero)
        else:
            out = xp.sum(rows * factor[:, :, None], axis=1)
            if mode == 1:  # mean: over the kept entries (an empty bag stays 0)
                out = out / xp.where(count > 0, count, xp.ones((), dtype=wa.dtype, **b._dev_kw()))[:, None]
        need = ctx.needs_input_grad
        if need and (need[0] or need[2]):
            ctx.save_for_backward(weight, psw)
            ctx.mode, ctx.layout, ctx.positions, ctx.weighted = mode, (rows_idx, kept, count, factor), pos, weighted
            ctx.arg = arg if mode == 2 else None
            ctx.freq = scale_grad_by_freq
        return out

    @staticmethod
    def backward(ctx, g):
        weight, psw = ctx.saved_tensors
        b = weight._backend
        xp = b.xp
        rows_idx, kept, count, factor = ctx.layout
        wa = weight._data
        n_rows, dim = wa.shape
        need = ctx.needs_input_grad
        one = xp.ones((), dtype=wa.dtype, **b._dev_kw())
        flat_rows = xp.reshape(rows_idx, (-1,))
        gw = gpsw = None
        if need[0]:
            if ctx.mode == 2:  # each maximum's gradient goes to its own (row, column)
                rows = xp.take_along_axis(rows_idx, ctx.arg, axis=1)  # (B, D)
                cols = xp.arange(dim, dtype=xp.int64, **b._dev_kw())[None, :]
                vals = xp.where((count > 0)[:, None], g, xp.zeros((), dtype=g.dtype, **b._dev_kw()))
                gw = xp.reshape(b.index_add((n_rows * dim,), None, 0, xp.reshape(rows * dim + cols, (-1,)),
                                            xp.reshape(vals, (-1,))), (n_rows, dim))
            else:
                scale = factor if ctx.mode == 0 else factor / xp.where(count > 0, count, one)[:, None]
                if ctx.freq:  # divided by how often each index occurs among the bags' entries
                    counts = b.index_add((n_rows,), None, 0, flat_rows,
                                         xp.reshape(xp.astype(kept, wa.dtype), (-1,)))
                    scale = scale / xp.where(kept, xp.reshape(xp.take(counts, flat_rows, axis=0), kept.shape), one)
                vals = g[:, None, :] * scale[:, :, None]  # (B, L, D)
                gw = b.index_add((n_rows, dim), None, 0, flat_rows, xp.reshape(vals, (-1, dim)))
        if ctx.weighted and need[2]:  # g . (each entry's row), back at the entry's position
            rows = xp.reshape(xp.take(wa, flat_rows, axis=0), rows_idx.shape + (dim,))
            per = xp.sum(rows * g[:, None, :], axis=2) * xp.astype(kept, wa.dtype)  # (B, L)
            gpsw = b.index_add((psw._data.shape[0],), None, 0, xp.reshape(ctx.positions, (-1,)),
                               xp.reshape(per, (-1,)))
        return gw, None, gpsw


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Reduce the embedding rows of each bag of indices to one row: their ``sum``, ``mean``
    (the default) or ``max``, without building the ``(n, D)`` lookup first.

    A 2-D ``input`` ``(B, N)`` is ``B`` bags of ``N`` indices; a 1-D ``input`` is cut into bags
    starting at ``offsets`` (``offsets[0]`` must be 0; with ``include_last_offset`` the last
    offset ends the last bag). An empty bag gives zeros. Entries equal to ``padding_idx``
    are left out (not counted by ``mean``). ``per_sample_weights`` (``mode="sum"`` only)
    weighs each entry. Mirrors ``torch.nn.functional.embedding_bag``
    (``grad_fn=<EmbeddingBagBackward0>``).

    Args:
        input: int64/int32 indices, 1-D with ``offsets`` or 2-D.
        weight: the ``(num_embeddings, D)`` table.
        offsets: 1-D start of each bag in a 1-D ``input``.
        max_norm: renormalise the rows looked up, in ``weight`` itself (see :func:`embedding`).
        norm_type: the p of ``max_norm``'s norm.
        scale_grad_by_freq: divide each row's gradient by its index's count (PyTorch 2.13's
            CPU kernel divides some rows by another index's count, pytorch/pytorch#190063;
            reftorch does what its CUDA kernel and ``embedding`` do).
        mode: ``"sum"``, ``"mean"`` or ``"max"``.
        sparse: not implemented (``True`` raises NotImplementedError when a gradient is needed).
        per_sample_weights: one weight per entry of ``input`` (``mode="sum"``).
        include_last_offset: ``offsets`` has one more entry, the end of the last bag
            (normally ``len(input)``).
        padding_idx: an index whose entries are left out.

    Returns:
        Tensor: ``(B, D)``.

    Raises:
        ValueError: for the argument combinations PyTorch refuses (a 2-D input with
            offsets, a 1-D one without, an unknown mode, max with ``scale_grad_by_freq``,
            per-sample weights of another shape).
        NotImplementedError: for per-sample weights outside ``mode="sum"``.
        RuntimeError: for indices or offsets that are not integers, a ``weight`` that is
            not floating point, ``per_sample_weights`` of another dtype, an index out of range,
            ``offsets[0] != 0``, or an offset past the end of ``input``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> w = torch.tensor([[1., 10.], [2., 20.], [3., 30.], [4., 40.]])
        >>> F.embedding_bag(torch.tensor([0, 1, 2, 3, 3]), w, torch.tensor([0, 2]), mode="sum")
        tensor([[  3.,  30.],
                [ 11., 110.]])
    """
    from .functional import _embedding_renorm_
    if weight.dtype is D.int64 and input.dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      UserWarning, stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences. However, found offsets of type <class 'torch.Tensor'>")
        from .._ops.creation import arange
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype, device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    for t in (input, offsets):
        if t.dtype not in (D.int64, D.int32):
            raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                               f"Long, Int; but got {tensor_type_name(t)} instead (while checking arguments for "
                               "embedding_bag)")
    if max_norm is not None:
        from ..autograd.grad_mode import no_grad
        with no_grad():
            _embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    n, rows = input.numel(), weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, "
                               f"but got {padding_idx}")
        padding_idx %= rows
    if not weight.dtype.is_floating_point:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following scalar types: "
                           f"Half, BFloat16, Float, Double; but got {tensor_string(weight)} instead (while checking "
                           "arguments for embedding_bag)")
    if per_sample_weights is not None and per_sample_weights.dtype is not weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                           f"'per_sample_weights'; but type {tensor_string(weight)} does not equal "
                           f"{tensor_string(per_sample_weights)} (while checking arguments for embedding_bag)")
    starts = [int(v) for v in offsets._host().reshape(-1)]
    if starts and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}")
    if starts and starts[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
                           f"{starts[-1]}")
    if any(a > c for a, c in zip(starts, starts[1:])):
        raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this error message be "
                           "improved?  If so, please report an enhancement request to PyTorch.)")
    if n and not input._backend.indices_in_range(input._data, rows):
        bad = next((i, int(v)) for i, v in enumerate(input._host().reshape(-1)) if not 0 <= v < rows)
        raise RuntimeError(f"Index {bad[0]} of input takes value {bad[1]} which is not in the valid range [0, {rows})")
    if sparse and weight.requires_grad:
        raise NotImplementedError("reftorch does not implement sparse gradients (sparse=True)")
    weighted = per_sample_weights is not None
    if not weighted:  # (a placeholder input: PyTorch's node shows (None, 0) for it)
        from .functional import _no_tensor
        per_sample_weights = _no_tensor(weight)
    return EmbeddingBag.apply(weight, input, per_sample_weights, offsets=offsets, mode=_MODES[mode],
                              padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq,
                              include_last_offset=include_last_offset, weighted=weighted)
