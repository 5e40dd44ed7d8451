"""Normalisation kernels: batch, layer and group norm (``NativeBatchNormBackward0``, …).

Each normalises ``x`` with a mean and a (biased) variance taken over some axes, then
applies a per-channel or per-element affine map. All three view the input as
``(A, C, B)`` (A and B may be 1) and reduce over the axes that are not ``C``-like:

* batch norm: ``(N, C, L)``, statistics per ``C`` over ``N`` and ``L``;
* layer norm: ``(rows, 1, normalized)``, statistics per row over the last dims;
* group norm: ``(N * G, 1, C/G * L)``, statistics per (sample, group).

The backward pass is the standard one: with ``xhat = (x - mean) * invstd`` and the
upstream gradient ``gy`` scaled by the affine weight,
``gx = invstd * (gy - mean(gy) - xhat * mean(gy * xhat))`` over the same axes.

Half precision is computed in float32 and rounded at the end, as PyTorch's CPU kernels
(``_compute_dtype``); the backward starts from the statistics rounded as PyTorch saves them,
to the dtype of the parameters (``_stats_dtype``: float16, or float32 ones with a float16
input), in which the parameters' gradients come back too.
"""
from __future__ import annotations

import math

from .._fma import fma, fma_wide
from .._layout import (
    memory_format_layout,
    row_major,
    suggests_channels_last,
    suggests_channels_last_3d,
)
from .._ops._common import by_row_blocks
from .._ops.softmax import _compute_dtype
from .._tensor import Tensor
from ..autograd.function import OpFunction


def _sum(xp, a, axes):
    return xp.sum(a, axis=axes, keepdims=True)


def _normalize(xp, a, axes, eps, rows=False, found=None):
    """``(d, mean, var, invstd, n)``: the centred input, its mean and biased variance over
    ``axes`` (kept as size-1 dims), ``1 / sqrt(var + eps)`` and the count.

    ``rows`` (layer and group norm: ``axes`` is the last axis, a row): a constant row takes
    its value as mean, so that its variance is exactly zero, as PyTorch's Welford-style
    ``RowwiseMoments`` gives (a plain sum rounds: ``0.1`` repeated has a mean a few ulps
    off, and the output would be noise instead of zeros); other rows keep the plain mean
    (which agrees with PyTorch's bits more often than a shifted sum). The variance is one
    ``vecdot`` per row, which pays for the constant-row test. ``found`` (a list, arrays
    only): a True is appended when some row is constant.
    """
    n = math.prod(a.shape[i] for i in axes)
    mean = _sum(xp, a, axes) / n
    if rows and n:
        if isinstance(a, Tensor):  # create_graph: the correction is a constant (the gradient stays the mean's)
            first = a[..., :1]
            const = xp.all(a == first, axis=-1, keepdims=True)
            mean = mean + xp.where(const, first - mean, xp.zeros_like(mean)).detach()
            d = a - mean
            var = _sum(xp, d * d, axes) / n
            # rows whose moments overflow: PyTorch's, as constant corrections (nan stays nan)
            m0, v0 = mean._data, var._data
            m1, _, v1 = _overflow_rows(a._backend.xp, a._data, m0, d._data, v0, n, m0 * m0)
            if m1 is not m0:
                mean = mean + xp.asarray(m1 - m0)
                d = a - mean
                var = var + xp.asarray(v1 - v0)
        else:
            d = a - mean
            var = xp.vecdot(d, d)[..., None] / n
            mean, d, var = _constant_rows(xp, a, mean, d, var, n, found)
        return d, mean, var, 1.0 / xp.sqrt(var + eps), n
    d = a - mean
    var = _sum(xp, d * d, axes) / n
    return d, mean, var, 1.0 / xp.sqrt(var + eps), n


def _constant_rows(xp, a, mean, d, var, n, found=None):
    """``(mean, d, var)`` of :func:`_normalize`'s rows, with the rare rows of ``a`` made
    PyTorch's: each constant row gets its value as mean, a zero centred row and a zero
    variance; each row whose moments overflow gets PyTorch's (:func:`_overflowing_rows`).

    Only a row whose variance is within rounding of zero for its mean can be constant: its
    plain mean is off its value ``c`` by at most about ``n`` float ulps, so its variance is
    at most ``(n * eps * c) ** 2``. Those rows (usually none; padding rows of zeros are
    such) are tested for equality, which saves the test of every element. Likewise only a
    row with ``16 n (mean**2 + n var)`` near the largest float (or not finite) can overflow
    in PyTorch's moments, whose every intermediate is below ``4 n max|x|**2``.
    """
    mm = mean * mean
    suspect = var <= (2.0 * ((n + 2) * xp.finfo(a.dtype).eps) ** 2) * mm
    if bool(xp.any(suspect)):
        first = a[..., :1]
        const = suspect & xp.all(a == first, axis=-1, keepdims=True)
        if bool(xp.any(const)):
            zero = xp.zeros_like(var)
            mean, d, var = xp.where(const, first, mean), xp.where(const, zero, d), xp.where(const, zero, var)
            if found is not None:
                found.append(True)
    # (after: a constant row of large values is PyTorch's nan; a constant row's mean is its
    # value, so ``mm`` still bounds it)
    return _overflow_rows(xp, a, mean, d, var, n, mm)


def _overflow_rows(xp, a, mean, d, var, n, mm):
    """``(mean, d, var)`` with the rows that may overflow (``mm``: ``mean ** 2``) given to
    :func:`_overflowing_rows`; the very arrays given when there are none."""
    small = (mm + n * var) < xp.finfo(a.dtype).max / (16.0 * n)  # (False for nan, inf)
    if bool(xp.all(small)):
        return mean, d, var
    return _overflowing_rows(xp, a, mean, d, var, n, ~small)


#: The width in bytes of the CPU vectors of PyTorch's layer and group norm kernels (AVX2's:
#: these kernels are not built for AVX512, so a machine with it uses them too), which sets
#: how :func:`_rowwise_moments` splits a row into lanes.
_VECTOR_BYTES = 32


def _overflowing_rows(xp, a, mean, d, var, n, big):
    """``(mean, d, var)`` with the rows flagged ``big`` (rows ``(..., 1)`` of bools), where
    ``x ** 2`` may overflow, given PyTorch's moments when those are not finite (a row whose
    squared deviations overflow: ``inf`` variance, so zeros out; a row with a mean beyond
    ``sqrt(max)``: ``nan`` from a merge of its partial moments, so nans out) or when this
    module's own are not (a sum that overflows). A row whose moments are finite both ways
    keeps its bits. Only the flagged rows are computed again."""
    shape = a.shape
    a2 = xp.reshape(a, (-1, shape[-1]))
    flag = xp.reshape(big, (-1,))
    rows = xp.nonzero(flag)[0]
    m_t, v_t = _rowwise_moments(xp, xp.take(a2, rows, axis=0), _VECTOR_BYTES * 8 // xp.finfo(a.dtype).bits)
    # back to every row: row i of the flagged ones sits at (flags before it)
    at = xp.cumulative_sum(xp.astype(flag, xp.int64)) - 1
    at = xp.where(at < 0, xp.zeros_like(at), at)
    m_t = xp.reshape(xp.take(m_t, at, axis=0), mean.shape)
    v_t = xp.reshape(xp.take(v_t, at, axis=0), var.shape)
    use = big & ~(xp.isfinite(v_t) & xp.isfinite(var) & xp.isfinite(mean))
    if not bool(xp.any(use)):
        return mean, d, var
    mean = xp.where(use, m_t, mean)
    return mean, xp.where(use, a - mean, d), xp.where(use, v_t, var)


def _rowwise_moments(xp, a, lanes):
    """Mean and biased variance of each row of ``a`` (``(R, N)``, float32 or float64),
    shapes ``(R, 1)``, computed as PyTorch's CPU ``RowwiseMoments`` does, operation for
    operation in ``a``'s dtype (its fused multiply-adds through
    :func:`~reftorch._fma.fma_wide`: float32 ones fused, float64 ones left unfused): the
    row's first ``lanes * (N // lanes)`` elements are vectors of ``lanes``, taken in chunks of 16
    vectors, each lane of a chunk a Welford pass; the chunks' moments are merged in a
    binary cascade (``m2 + m2_add + (delta * m0) * (c * delta)``, fused), then the
    remaining elements (a scalar Welford pass) take in each lane's moments in turn. That
    last, scalar merge adds ``delta * delta * c * m0``, which is ``nan`` when ``delta ** 2``
    overflows and ``c`` or ``m0`` is zero (fewer elements than a vector, or none after the
    last vector): this is where a row of large values gets its ``nan``. Used for the rare
    rows only (a Python loop over chunks)."""
    r, size = a.shape
    one = xp.ones_like(a[:, :1])
    zero = xp.zeros_like(one)
    n = size // lanes
    m = -(-n // 16)
    depth = 1 if m <= 2 else (m - 1).bit_length()

    def merge(m0_add, m1_add, m2_add, m0, m1, m2, vector=True):  # AddMomentsVec / AddMoments
        total = m0 + m0_add
        c = zero if total == 0 else (one * m0_add) / (one * total)
        delta = m1_add - m1
        if vector:
            return total, m1 + c * delta, fma_wide(xp, delta * (one * m0), c * delta, m2 + m2_add)
        return total, m1 + c * delta, m2 + (m2_add + delta * delta * c * (one * m0))

    lane0 = xp.broadcast_to(zero, (r, lanes))
    if m:
        # the Welford pass of every chunk at once: (R, m, 16, lanes), the last chunk padded
        v = xp.reshape(a[:, :n * lanes], (r, n, lanes))
        if m * 16 > n:
            v = xp.concat([v, xp.broadcast_to(xp.reshape(zero, (r, 1, 1)), (r, m * 16 - n, lanes))], axis=1)
        v = xp.reshape(v, (r, m, 16, lanes))
        counts = [min(16, n - i * 16) for i in range(m)]
        c1 = xp.reshape(one, (r, 1, 1))
        m1 = m2 = xp.broadcast_to(xp.reshape(zero, (r, 1, 1)), (r, m, lanes))
        for j in range(16):
            x = v[:, :, j, :]
            delta = x - m1
            m1n = fma_wide(xp, xp.broadcast_to(c1 / (c1 * (j + 1)), delta.shape), delta, m1)
            m2n = fma_wide(xp, delta, x - m1n, m2)
            if counts[-1] > j:
                m1, m2 = m1n, m2n
            else:  # the last chunk has no element j
                m1 = xp.concat([m1n[:, :-1, :], m1[:, -1:, :]], axis=1)
                m2 = xp.concat([m2n[:, :-1, :], m2[:, -1:, :]], axis=1)
        stack = [(0, lane0, lane0) for _ in range(depth)]
        for i in range(m):
            stack[0] = merge(counts[i], m1[:, i, :], m2[:, i, :], *stack[0])
            mask = i + 1
            j = 1
            while j < depth and mask & 1 == 0:
                stack[j] = merge(*stack[j - 1], *stack[j])
                stack[j - 1] = (0, lane0, lane0)
                mask >>= 1
                j += 1
        for i in range(1, depth):
            stack[0] = merge(*stack[i], *stack[0])
        lm1, lm2 = stack[0][1], stack[0][2]
    else:
        lm1 = lm2 = lane0
    m0, m1, m2 = 0, zero, zero
    for i in range(n * lanes, size):  # the elements after the last whole vector
        x = a[:, i:i + 1]
        delta = x - m1
        m0 += 1
        m1 = m1 + delta / (one * m0)
        m2 = m2 + delta * (x - m1)
    for i in range(lanes):
        m0, m1, m2 = merge(n, lm1[:, i:i + 1], lm2[:, i:i + 1], m0, m1, m2, vector=False)
    return m1, m2 / (one * size)


def _store(t, arr):
    """Overwrite buffer tensor ``t`` with ``arr`` in place (its version counter moves)."""
    t._backend.setitem(t._data, ..., arr)
    t._bump_version()


def _channel_sums(xp, a3):
    """Per-channel sums of ``a3`` (``(N, C, L)``)."""
    return xp.sum(xp.sum(a3, axis=2), axis=0)


def _channel_dots(xp, a3, b3):
    """Per-channel sums of ``a3 * b3`` (both ``(N, C, L)``) without a full-size temporary:
    the products are (N*C) dot products of length L."""
    n, c, length = a3.shape
    dots = xp.matmul(xp.reshape(a3, (n, c, 1, length)), xp.reshape(b3, (n, c, length, 1)))
    return xp.sum(xp.reshape(dots, (n, c)), axis=0)


def _batch_moments(xp, a3):
    """``(mean, d, var, n)`` per channel of ``a3 (N, C, L)``: the mean, the centred input,
    the biased variance (two passes: no cancellation) and the count."""
    n = a3.shape[0] * a3.shape[2]
    mean = _channel_sums(xp, a3) / n
    d = a3 - xp.reshape(mean, (1, a3.shape[1], 1))
    return mean, d, _channel_dots(xp, d, d) / n, n


def batch_norm_stats(x, eps):
    """``native_batch_norm``'s ``save_mean`` and ``save_invstd`` in training: the batch
    statistics of :class:`NativeBatchNorm` per channel, ``(C,)`` tensors of ``x``'s dtype
    (computed in float32 for half precision)."""
    b = x._backend
    xp = b.xp
    a = x._data
    up = _compute_dtype(xp, a)
    mean, _, var, _ = _batch_moments(xp, _up(xp, xp.reshape(a, (a.shape[0], a.shape[1], -1)), up))
    return tuple(Tensor._wrap(_down(xp, s, up, a.dtype), x.device, b) for s in (mean, 1.0 / xp.sqrt(var + eps)))


class NativeBatchNorm(OpFunction):
    """Batch norm of ``x (N, C, *)``; ``training`` uses (and, given running buffers,
    updates) the batch statistics, otherwise ``running_mean``/``running_var``.

    For speed on large maps the per-channel sums are taken without full-size temporaries
    (sums of products as batched dot products), and the output is built in place in the
    centred input ``x - mean`` (one full-size array): ``(x - mean) * scale + bias`` with
    per-channel ``scale = weight * invstd``. The backward needs only ``x`` and the
    per-channel statistics. Half precision: :func:`_batch_norm_half`.
    """

    name = "NativeBatchNormBackward0"
    create_graph = True  # statistics computed again from the saved x under create_graph
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps, affine):
        xp = x._backend.xp
        a = x._data
        if _compute_dtype(xp, a) is not None:
            return _batch_norm_half(ctx, x, w, b, running_mean, running_var, training, momentum, eps, affine)
        n_, c = a.shape[0], a.shape[1]
        a3 = xp.reshape(a, (n_, c, -1))
        has_w, has_b = affine
        if training:
            mean, d, var, n = _batch_moments(xp, a3)
            if running_mean is not None:
                unbiased = var * (n / (n - 1)) if n > 1 else var
                _store(running_mean, (1 - momentum) * running_mean._data + momentum * mean)
                _store(running_var, (1 - momentum) * running_var._data + momentum * unbiased)
        else:
            n = None
            mean, var = running_mean._data, running_var._data
            d = a3 - xp.reshape(mean, (1, c, 1))
        invstd = 1.0 / xp.sqrt(var + eps)
        scale = invstd * w._data if has_w else invstd
        y = d  # a fresh array: the output is built in it, in place
        y *= xp.reshape(scale, (1, c, 1))
        if has_b:
            y += xp.reshape(b._data, (1, c, 1))
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w if has_w else None, b if has_b else None)
            ctx.stats = (mean, invstd, scale, n)
            ctx.eps, ctx.cast = eps, (None, a.dtype, None)
        return memory_format_layout(x._backend, xp.reshape(y, a.shape), a, exact=True)  # (PyTorch's layout)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: one node, as PyTorch's
            return NativeBatchNormBackward.record(ctx, g)
        if ctx.cast[0] is not None:
            return _batch_norm_half_backward(ctx, g)
        x = ctx.saved_tensors[0]
        xp, b = ctx.xp, ctx.backend
        need = ctx.needs_input_grad
        mean, invstd, scale, n = ctx.stats
        a = x._data
        c = a.shape[1]
        per_channel = (1, c) + (1,) * (a.ndim - 2)  # (a (C,) vector against x's shape)
        # centred again (sums of g * x would cancel), in x's shape and layout: the input
        # gradient is built in this fresh array
        d = a - xp.reshape(mean, per_channel)
        shape3 = (a.shape[0], c, -1)
        g3 = xp.reshape(g, shape3)
        sg, sgd = _channel_sums(xp, g3), _channel_dots(xp, g3, xp.reshape(d, shape3))
        sgxhat = sgd * invstd  # sum of g * xhat per channel
        gx = gw = gb = None
        if need[0]:
            if n is None:  # running statistics are constants
                gx = g * xp.reshape(scale, per_channel)
            else:
                # gx = scale * (g - mean(g) - xhat * mean(g * xhat)), xhat = (x - mean) * invstd
                # gx = g * scale - d * k1 - scale * mean(g), built in d
                k1 = xp.reshape(-(scale * invstd * sgxhat / n), per_channel)
                s1, s0 = xp.reshape(scale, per_channel), xp.reshape(scale * sg / n, per_channel)
                # a block of samples at a time (Backend.row_blocks): its four passes find
                # it in the cache; element-wise, so the same values as one pass each
                for start, stop in b.row_blocks(a.shape[0], a[:1, ...].size * b.dtype_of(a).itemsize):
                    blk = d[start:stop, ...]
                    blk *= k1
                    blk += g[start:stop, ...] * s1
                    blk -= s0
                gx = d
        if need[1]:
            gw = sgxhat
        if need[2]:
            gb = sg
        return gx, gw, gb


class _NormBackward(OpFunction):
    """The gradients of a norm layer as one graph op (``create_graph``), PyTorch's fused
    double-backward node: inputs ``(g, x[, weight][, bias])`` (``g`` the incoming gradient),
    outputs the needed ones of ``(gx, gw, gb)``. ``st`` is the norm's own ``ctx`` and
    ``need`` which gradients it needs; a subclass gives ``_grads(st, g, need)``, the norm's
    first-order gradients of array ``g``, and the ``backward`` of those."""

    multi_output = True
    create_graph = True
    arity = None

    @classmethod
    def record(cls, ctx, g):
        """The norm's gradients of tensor ``g`` (its ``ctx``), recorded as this op."""
        need = tuple(ctx.needs_input_grad)
        x, w, b = ctx.saved_tensors
        ins = [g, x._data] + [t._data for t in (w, b) if t is not None]
        out = iter(cls.apply(*ins, st=getattr(ctx, "_ctx", ctx), need=need))
        return tuple(next(out) if n else None for n in need)

    @classmethod
    def forward(cls, ctx, *inputs, st, need):
        g, x = inputs[0], inputs[1]
        ctx.save_for_backward(g, x, inputs[2] if st.saved_tensors[1] is not None else None)
        ctx.st, ctx.need = st, need
        return tuple(v for v in cls._grads(st, g._data, need) if v is not None)

    @staticmethod
    def unpack(ctx, grads):
        """``(g, x, w, st, need, (u, p, q))``: the saved inputs, the norm's ``ctx`` and
        needs, and the incoming gradients of ``(gx, gw, gb)`` (None where not needed)."""
        g, x, w = ctx.saved_tensors
        it = iter(grads)
        return g, x, w, ctx.st, ctx.need, tuple(next(it) if k else None for k in ctx.need)


class NativeBatchNormBackward(_NormBackward):
    """The gradients of a batch norm as one graph op (``create_graph``), PyTorch's
    ``NativeBatchNormBackwardBackward0``: inputs ``(g, x[, weight][, bias])``, outputs the
    needed ones of ``(gx, gw, gb)`` (``st``: the batch norm's ``ctx``; ``need``: which).
    Its backward is :func:`_norm_grad_grads` over the batch and spatial axes (training),
    or, with the running statistics (eval), ``dg = u * w * r + p * xhat + q``,
    ``dx = p * g * r``, ``dw = sum(u * g * r)``. The statistics are constants there, as in
    PyTorch's formula (a third derivative sees ``x`` only through ``x - mean``)."""

    name = "NativeBatchNormBackwardBackward0"

    @staticmethod
    def _grads(st, g, need):
        return NativeBatchNorm.backward(st, g)

    @staticmethod
    def backward(ctx, *grads):
        g, x, w, st, need, (u, p, q) = _NormBackward.unpack(ctx, grads)
        xp = ctx.xp
        up, native, stats = st.cast
        mean, invstd, _, n = st.stats
        c = x.shape[1]
        shape3 = (x.shape[0], c, -1)
        col = (1, c, 1)
        r = xp.reshape(xp.asarray(invstd), col)
        xhat = (_up(xp, xp.reshape(x._data, shape3), up) - xp.reshape(xp.asarray(mean), col)) * r
        g3 = _up(xp, xp.reshape(g._data, shape3), up)
        wr = None if w is None else _up(xp, xp.reshape(w._data, col), up)
        p, q = (None if t is None else _up(xp, xp.reshape(t, col), up) for t in (p, q))
        u = None if u is None else _up(xp, xp.reshape(u, tuple(g3.shape)), up)
        want = ctx.needs_input_grad
        want3 = (want[0], want[1], w is not None and want[2])
        if n is not None:
            dg, dx, dw = _norm_grad_grads(xp, u, p, q, g3, xhat, r, wr, n, (0, 2), (0, 2), want3)
        else:  # eval: gx = g * w * r, gw = sum(g * xhat), gb = sum(g); linear in g
            dg = dx = dw = None
            wr_r = r if wr is None else wr * r
            if want3[0]:
                parts = [t for t in (None if u is None else u * wr_r, None if p is None else p * xhat, q)
                         if t is not None]
                if parts:
                    dg = parts[0]
                    for t in parts[1:]:
                        dg = dg + t
                    if tuple(dg.shape) != tuple(g3.shape):
                        dg = dg + xp.zeros_like(g3)
            if want3[1] and p is not None:
                dx = p * g3 * r
            if want3[2] and u is not None:
                dw = _sum(xp, u * g3 * r, (0, 2))
        dg = None if dg is None else _down(xp, xp.reshape(dg, tuple(g.shape)), up, native)
        dx = None if dx is None else _down(xp, xp.reshape(dx, tuple(x.shape)), up, native)
        dw = None if dw is None else _down(xp, xp.reshape(dw, tuple(w.shape)), up, stats)
        return (dg, dx, dw, None)[:len(want)]  # (the bias, when given, last: no gradient)


def _stats_dtype(a, *params):
    """The dtype PyTorch keeps a normalisation's statistics (and its parameters' gradients)
    in: that of its first given parameter (``params`` in PyTorch's order, None where not
    given; float32 ones with a half-precision input: "mixed"), else the input's."""
    for t in params:
        if t is not None:
            return t._data.dtype
    return a.dtype


def _batch_norm_half(ctx, x, w, b, running_mean, running_var, training, momentum, eps, affine):
    """:class:`NativeBatchNorm` of a half-precision ``x``, as PyTorch's CPU kernel: in float32,
    with the statistics saved in the parameters' dtype (``_stats_dtype``: float16, or float32
    parameters kept unrounded), the running averages updated in float32 and stored in their
    own dtype, and the output ``x * alpha + beta`` (per channel ``alpha = invstd * weight``,
    ``beta = bias - mean * alpha``) of PyTorch's fused multiply-adds, rounded at the end."""
    xp = x._backend.xp
    a = x._data
    up = _compute_dtype(xp, a)
    n_, c = a.shape[0], a.shape[1]
    a3 = xp.astype(xp.reshape(a, (n_, c, -1)), up)
    has_w, has_b = affine
    stats = _stats_dtype(a, w if has_w else None, b if has_b else None, running_mean, running_var)
    if training:
        n = n_ * a3.shape[2]
        mean = _channel_sums(xp, a3) / n
        d = a3 - xp.reshape(mean, (1, c, 1))
        var_sum = _channel_dots(xp, d, d)
        if running_mean is not None:  # (the unbiased variance for running_var)
            m = xp.asarray(momentum, dtype=up)
            _store(running_mean, m * mean + (1 - m) * _up(xp, running_mean._data, up))
            _store(running_var, m * (var_sum / (n - 1)) + (1 - m) * _up(xp, running_var._data, up))
        mean = _rounded(xp, mean, stats)
        invstd = _rounded(xp, xp.astype(1.0 / xp.sqrt(xp.astype(var_sum / n, xp.float64) + eps), up), stats)
        invstd_b = invstd
    else:
        n = None
        mean = _up(xp, running_mean._data, up)
        var = _up(xp, running_var._data, up)
        invstd = 1.0 / xp.sqrt(var + eps)
        invstd_b = xp.astype(1.0 / xp.sqrt(xp.astype(var, xp.float64) + eps), up)  # (its backward: in float64)
    alpha = invstd * _up(xp, w._data, up) if has_w else invstd
    bias = _up(xp, b._data, up) if has_b else xp.zeros_like(alpha)
    # beta: fused with float32 parameters; with float16 ones PyTorch rounds mean * alpha first
    beta = fma_wide(xp, -mean, alpha, bias) if stats == up else bias - mean * alpha
    y = fma_wide(xp, a3, xp.reshape(alpha, (1, c, 1)), xp.reshape(beta, (1, c, 1)))
    if ctx.needs_input_grad:
        ctx.save_for_backward(x, w if has_w else None, b if has_b else None)
        ctx.stats = (mean, invstd_b, None, n)
        ctx.eps, ctx.cast = eps, (up, a.dtype, stats)  # (a tuple: not lifted to a tensor under create_graph)
    return memory_format_layout(x._backend, xp.reshape(xp.astype(y, a.dtype), a.shape), a, exact=True)


def _batch_norm_half_backward(ctx, g):
    """The backward of :func:`_batch_norm_half`, as PyTorch's: in float32 from the saved
    statistics, ``gx = (g - mean(g) - (x - mean) * k) * invstd * weight`` with
    ``k = sum(g * (x - mean)) * invstd**2 / n`` (training), ``g * invstd * weight`` (eval);
    the input's gradient rounded to its dtype, the weight's and bias's to theirs."""
    x, w, b = ctx.saved_tensors
    xp = ctx.xp
    need = ctx.needs_input_grad
    up, native, stats = ctx.cast
    mean, invstd, _, n = ctx.stats
    c = x.shape[1]
    a3 = xp.astype(xp.reshape(x._data, (x.shape[0], c, -1)), up)
    g3 = xp.astype(xp.reshape(g, a3.shape), up)
    d = a3 - xp.reshape(mean, (1, c, 1))
    sg, sgd = _channel_sums(xp, g3), _channel_dots(xp, g3, d)
    gx = gw = gb = None
    if need[0]:
        if n is None:
            gx = g3 * xp.reshape(invstd, (1, c, 1))
        else:
            k = sgd * invstd * invstd / n
            gx = (g3 - xp.reshape(sg / n, (1, c, 1)) - d * xp.reshape(k, (1, c, 1))) * xp.reshape(invstd, (1, c, 1))
        if w is not None:
            gx = gx * xp.reshape(_up(xp, w._data, up), (1, c, 1))
        gx = xp.reshape(xp.astype(gx, native), x.shape)
    if need[1]:
        gw = _down(xp, sgd * invstd, up, stats)
    if need[2]:
        gb = _down(xp, sg, up, stats)
    return gx, gw, gb


def _layer_rows(xp, a, k):
    """``a`` as rows of its last ``k`` dims (the rows layer norm normalises)."""
    return xp.reshape(a, (math.prod(a.shape[:a.ndim - k]), math.prod(a.shape[a.ndim - k:])))  # (not -1: a may be empty)


def layer_norm_stats(x, k, eps):
    """``native_layer_norm``'s ``mean`` and ``rstd``: the statistics of
    :class:`NativeLayerNorm`'s rows (the last ``k`` dims), shaped ``x.shape[:-k] + (1,) * k``,
    of ``x``'s dtype (computed in float32 for half precision)."""
    b = x._backend
    xp = b.xp
    a = x._data
    up = _compute_dtype(xp, a)
    _, mean, _, invstd, _ = _normalize(xp, _up(xp, _layer_rows(xp, a, k), up), (1,), eps, rows=True)
    shape = tuple(a.shape[:a.ndim - k]) + (1,) * k
    return tuple(Tensor._wrap(row_major(b, xp.reshape(_down(xp, s, up, a.dtype), shape)), x.device, b)
                 for s in (mean, invstd))


class NativeLayerNorm(OpFunction):
    """Layer norm over the last ``k`` dims, with an element-wise affine map of that shape.
    Half precision is computed in float32 and rounded at the end, as PyTorch's CPU kernel;
    the output is contiguous."""

    name = "NativeLayerNormBackward0"
    create_graph = True  # xhat is computed again from the saved x under create_graph
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, k, eps, affine):
        xp = x._backend.xp
        a = x._data
        up = _compute_dtype(xp, a)
        tail = tuple(a.shape[a.ndim - k:])
        a2 = _up(xp, _layer_rows(xp, a, k), up)
        xhat, mean, _, invstd, n = _normalize(xp, a2, (1,), eps, rows=True)
        xhat *= invstd  # (the centred input is a new array: scaled in place)
        has_w, has_b = affine
        wr = _up(xp, xp.reshape(w._data, (1, -1)), up) if has_w else None
        keep = bool(ctx.needs_input_grad)  # the backward reads xhat: y is another array
        if has_w:
            if keep:
                y = xhat * wr
            else:
                xhat *= wr  # (no graph: xhat is not kept, so y is written over it)
                y = xhat
        else:
            y = xhat
        if has_b:
            br = _up(xp, xp.reshape(b._data, (1, -1)), up)
            if has_w or not keep:
                y += br  # (y is a new array, or xhat itself when nothing keeps it)
            else:
                y = y + br
        elif keep and not has_w:  # no affine map: the output must not be the saved xhat
            y = xp.asarray(xhat, copy=True)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w if has_w else None, b if has_b else None)
            stats = _stats_dtype(a, w if has_w else None, b if has_b else None)
            if up is not None and stats != up:
                xhat, invstd = _half_stats(xp, a2, mean, invstd, stats)
            ctx.xhat, ctx.invstd, ctx.n, ctx.shape, ctx.tail = xhat, invstd, n, a.shape, tail
            ctx.eps, ctx.cast = eps, (up, a.dtype, stats)  # (a tuple: not lifted to a tensor under create_graph)
            ctx.w = wr
        if up is not None:
            y = xp.astype(y, a.dtype)
        return row_major(x._backend, xp.reshape(y, a.shape))

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: one node, as PyTorch's
            return NativeLayerNormBackward.record(ctx, g)
        return _layer_norm_grads(ctx, g, tuple(ctx.needs_input_grad))


def _layer_norm_grads(ctx, g, need):
    """The gradients of :class:`NativeLayerNorm` (arrays; ``None`` where ``need`` is
    False) from the upstream gradient ``g`` and what its forward kept on ``ctx``."""
    xp = ctx.xp
    shape2 = tuple(ctx.xhat.shape)
    up, native, stats = ctx.cast
    xhat, invstd, wr = ctx.xhat, ctx.invstd, ctx.w
    g2 = _up(xp, xp.reshape(g, shape2), up)
    gx = gw = gb = None
    if need[0]:
        b = ctx.backend
        blocks = b.row_blocks(shape2[0], shape2[1] * b.dtype_of(g2).itemsize)
        gx = by_row_blocks(b, lambda g, xhat, invstd: _layer_norm_grad(xp, g, xhat, wr, invstd, ctx.n),
                           (g2, xhat, invstd), blocks)
        gx = _down(xp, xp.reshape(gx, ctx.shape), up, native)
    if need[1]:
        gw = _down(xp, xp.reshape(xp.sum(g2 * xhat, axis=0), ctx.tail), up, stats)
    if need[2]:
        gb = _down(xp, xp.reshape(xp.sum(g2, axis=0), ctx.tail), up, stats)
    return gx, gw, gb


class NativeLayerNormBackward(_NormBackward):
    """The gradients of a layer norm as one graph op (``create_graph``), PyTorch's
    ``NativeLayerNormBackwardBackward0``: inputs ``(g, x[, weight][, bias])``, outputs the
    needed ones of ``(gx, gw, gb)`` (``st``: the layer norm's ``ctx``; ``need``: which).

    Its backward, per row of ``n`` with ``xhat = (x - mean) * r``, ``gy = g * w``,
    ``A = mean(gy)``, ``B = mean(gy * xhat)`` and ``P(z) = z - mean(z) - xhat *
    mean(xhat * z)`` (the projection in ``gx = r * P(gy)``), for the incoming ``u`` (of
    ``gx``), ``p`` (of ``gw``) and ``q`` (of ``gb``), with ``C = mean(u * xhat)``,
    ``v = r * P(u)`` and ``S = sum(u * gx) / r``:

    * ``g``: ``v * w + p * xhat + q``;
    * ``x``: ``-(r**2 / n) * S * xhat - r**2 * P(B * u + C * gy) + r * P(p * g)``;
    * ``w``: ``v * g`` summed over rows; the bias: none (the gradients do not depend on it).

    Written over ``ctx.xp``: under ``create_graph`` again it runs on tensors."""

    name = "NativeLayerNormBackwardBackward0"
    _grads = staticmethod(_layer_norm_grads)

    @staticmethod
    def backward(ctx, *grads):
        g, x, w, st, need, (u, p, q) = _NormBackward.unpack(ctx, grads)
        xp = ctx.xp
        up, native, stats = st.cast
        shape2 = tuple(st.xhat.shape)
        n = st.n
        a2 = _up(xp, xp.reshape(x._data, shape2), up)
        d, mean, _, r, _ = _normalize(xp, a2, (1,), st.eps, rows=True)
        if isinstance(r, Tensor):  # (again under create_graph: PyTorch's formula takes the
            # saved mean and 1 / std as constants, x - mean stays in the graph)
            mean, r = mean.detach(), r.detach()
            d = a2 - mean
        xhat = d * r
        if up is not None and stats != up:
            xhat, r = _half_stats(xp, a2, mean, r, stats)
        g2 = _up(xp, xp.reshape(g._data, shape2), up)
        wr = None if w is None else _up(xp, xp.reshape(w._data, (1, -1)), up)
        p, q = (None if t is None else _up(xp, xp.reshape(t, (1, -1)), up) for t in (p, q))
        u = None if u is None else _up(xp, xp.reshape(u, shape2), up)
        want = ctx.needs_input_grad
        dg, dx, dw = _norm_grad_grads(xp, u, p, q, g2, xhat, r, wr, n, (1,), (0,),
                                      (want[0], want[1], w is not None and want[2]))
        dg = None if dg is None else _down(xp, xp.reshape(dg, tuple(g.shape)), up, native)
        dx = None if dx is None else _down(xp, xp.reshape(dx, tuple(x.shape)), up, native)
        dw = None if dw is None else _down(xp, xp.reshape(dw, tuple(w.shape)), up, stats)
        return (dg, dx, dw, None)[:len(want)]  # (the bias, when given, last: no gradient)


def _norm_grad_grads(xp, u, p, q, g, xhat, r, w, n, red, wsum, want):
    """The double backward of a normalisation (training statistics) over the axes ``red``
    (``n`` elements; ``w``, ``p``, ``q`` broadcast against ``g``, their own axes summed by
    ``wsum``): ``(dg, dx, dw)`` from the incoming ``u`` (of ``gx``), ``p`` (of ``gw``) and
    ``q`` (of ``gb``), each None where absent or not ``want``-ed; ``dw`` keeps its dims.
    See :class:`NativeLayerNormBackward` for the formulas."""
    gy = g * w if w is not None else g

    def mean_r(z):
        return _sum(xp, z, red) / n

    def proj(z):
        return z - mean_r(z) - xhat * mean_r(xhat * z)

    dg = dx = dw = None
    v = None if u is None else r * proj(u)
    if want[0]:
        parts = [t for t in (None if v is None else (v * w if w is not None else v),
                             None if p is None else p * xhat, q) if t is not None]
        if parts:
            dg = parts[0]
            for t in parts[1:]:
                dg = dg + t
            if tuple(dg.shape) != tuple(g.shape):  # (q alone)
                dg = dg + xp.zeros_like(g)
    if want[1] and (u is not None or p is not None):
        parts = []
        if u is not None:
            big_a, big_b = mean_r(gy), mean_r(gy * xhat)
            c = mean_r(u * xhat)
            s = _sum(xp, u * (gy - big_a - xhat * big_b), red)
            parts.append(-(r * r / n) * s * xhat - r * r * proj(big_b * u + c * gy))
        if p is not None:
            parts.append(r * proj(p * g))
        dx = parts[0] if len(parts) == 1 else parts[0] + parts[1]
    if want[2] and v is not None:
        dw = _sum(xp, g * v, wsum)
    return dg, dx, dw


def _layer_norm_grad(xp, g, xhat, w, invstd, n):
    """The input gradient of a layer norm, rows ``(R, n)``: ``(gy - mean(gy) - xhat *
    mean(gy * xhat)) * invstd`` with ``gy = g * w`` (``w`` None: no affine weight)."""
    gy = g * w if w is not None else g
    mg = _sum(xp, gy, (1,)) / n
    mgx = _sum(xp, gy * xhat, (1,)) / n
    return (gy - mg - xhat * mgx) * invstd


def _half_stats(xp, a2, mean, invstd, stats):
    """``(xhat, invstd)`` for the backward of a half-precision normalisation: PyTorch saves
    the mean and ``1 / std`` rounded to ``stats`` (:func:`_stats_dtype`) and computes from
    those."""
    mean, invstd = _rounded(xp, mean, stats), _rounded(xp, invstd, stats)
    return (a2 - mean) * invstd, invstd


def _rounded(xp, a, dtype):
    """``a`` rounded to ``dtype`` and back: a statistic PyTorch keeps in ``dtype``, used at
    ``a``'s precision (float32 for half-precision inputs)."""
    return xp.astype(xp.astype(a, dtype), a.dtype)


def _up(xp, a, up):
    return a if up is None else xp.astype(a, up)


def _down(xp, a, up, native):
    return a if up is None else xp.astype(a, native)


def _channels_last(backend, a):
    """Whether PyTorch's group norm takes its channels-last kernel for ``a``
    (``suggest_memory_format()`` channels-last, 4-d or 5-d)."""
    if a.ndim < 4:
        return False
    shape, strides = tuple(a.shape), backend.strides(a)
    return suggests_channels_last(shape, strides) or suggests_channels_last_3d(shape, strides)


def _constant_groups(xp, y, const, mean, wr, b, eps, up, groups, cl):
    """``y`` (``(N, C, L)``) of a group norm, with the constant groups (``const``:
    ``(N, G, 1)``; ``mean``: their value) given PyTorch's values. Its CPU kernels write
    ``scale * x + bias`` with per channel ``scale = rstd * weight`` and ``bias = -scale *
    mean + beta``, both fused multiply-adds, so that a constant group with an affine map
    leaves ``weight``'s rounding noise (``rstd`` is about 316) instead of zeros; the
    ``1 / sqrt(var + eps)`` is taken in float64 (the kernel's ``eps`` is a double).

    Contiguous input: a constant group's moments are exact (mean its value, variance
    zero). Channels-last input (``cl``: the kernel for fewer than 1024 positions; more
    split the sums by thread): the moments are plain sums (:func:`_channels_last_moments`),
    so even without an affine map the output is noise."""
    n_, c, rest = y.shape
    dt = y.dtype
    d = c // groups
    m = xp.reshape(mean, (n_, groups, 1, 1))
    if cl:
        m, var = _channels_last_moments(xp, m, d, rest)
        rstd = xp.astype(1.0 / xp.sqrt(xp.astype(xp.where(var > 0, var, xp.zeros_like(var)), xp.float64) + eps), dt)
    else:
        rstd = xp.full_like(m, 1.0 / math.sqrt(eps))
    g = xp.ones_like(m) if wr is None else xp.reshape(wr, (1, groups, d, 1))
    scale = rstd * g
    beta = (xp.zeros_like(scale) if b is None
            else xp.reshape(_up(xp, xp.reshape(b._data, (1, c, 1)), up), (1, groups, d, 1)))
    shape = (n_, groups, d, 1)
    scale, beta = xp.broadcast_to(scale, shape), xp.broadcast_to(beta, shape)
    m = xp.broadcast_to(m, shape)
    x = xp.broadcast_to(xp.reshape(mean, (n_, groups, 1, 1)), shape)
    yc = fma(xp, x, scale, fma(xp, -scale, m, beta))
    y4 = xp.where(xp.reshape(const, (n_, groups, 1, 1)), yc, xp.reshape(y, (n_, groups, d, rest)))
    return xp.reshape(y4, (n_, c, rest))


def _channels_last_moments(xp, v, d, hw):
    """The mean and variance PyTorch's channels-last group norm kernel (fewer than 1024
    positions) takes of groups of ``d`` channels at ``hw`` positions all equal to ``v``
    (``(N, G, 1, 1)``): per group, vector lanes (32 bytes) over its channels, each
    position adding each chunk of ``d`` (the last one padded with zeros) to a lane sum of
    ``x`` and of ``x * x`` (rounded, then added); the lanes summed in halves; ``mean =
    sum * s`` and ``var = sumsq * s - mean * mean`` (one fused multiply-add), with ``s =
    1 / (d * hw)`` rounded."""
    if hw >= 1024:
        return _channels_last_moments_threads(xp, v, d, hw)
    dt = v.dtype
    lanes = _VECTOR_BYTES * 8 // xp.finfo(dt).bits
    counts = [hw * -(-(d - i) // lanes) if i < d else 0 for i in range(lanes)]
    shape = tuple(v.shape[:-1]) + (lanes,)
    s1 = xp.zeros_like(xp.broadcast_to(v, shape))
    s2 = xp.zeros_like(s1)
    vv = v * v
    for j in range(max(counts)):  # (counts fall with the lane: the first k lanes take a step)
        k = sum(1 for n in counts if n > j)
        if k == lanes:
            s1, s2 = s1 + v, s2 + vv
        else:
            s1 = xp.concat([s1[..., :k] + v, s1[..., k:]], axis=-1)
            s2 = xp.concat([s2[..., :k] + vv, s2[..., k:]], axis=-1)
    while s1.shape[-1] > 1:
        h = s1.shape[-1] // 2
        s1, s2 = s1[..., :h] + s1[..., h:], s2[..., :h] + s2[..., h:]
    one = xp.ones_like(v)
    s = one / (one * (d * hw))
    mean = s1 * s
    return mean, fma(xp, s2, s, -(mean * mean))


def _channels_last_moments_threads(xp, v, d, hw):
    """:func:`_channels_last_moments` for 1024 positions or more, where PyTorch's kernel
    splits the ``N * hw`` positions into ``get_num_threads()`` even ranges, each thread
    summing ``x`` and ``x * x`` per channel over its positions; the group's sums then add,
    channel by channel, each thread's partial sum in turn."""
    from .._parallel import get_num_threads
    n_ = v.shape[0]
    total = n_ * hw
    threads = get_num_threads()
    used = min(threads, total)
    chunk = -(-total // used)
    counts = [[max(0, min((t + 1) * chunk, total, (i + 1) * hw) - max(t * chunk, i * hw)) for i in range(n_)]
              for t in range(used)]
    k = xp.reshape(xp.asarray(counts, dtype=xp.int64, device=v.device), (used, n_, 1, 1, 1))
    p1 = xp.zeros_like(xp.broadcast_to(v, (used,) + tuple(v.shape)))
    p2 = xp.zeros_like(p1)
    vv = v * v
    for j in range(max(max(r) for r in counts)):
        step = j < k
        p1 = xp.where(step, p1 + v, p1)
        p2 = xp.where(step, p2 + vv, p2)
    s1 = xp.zeros_like(v)
    s2 = xp.zeros_like(v)
    for _ in range(d):
        for t in range(used):  # (the threads left without positions add zeros)
            s1, s2 = s1 + p1[t, ...], s2 + p2[t, ...]
    one = xp.ones_like(v)
    s = one / (one * (d * hw))
    mean = s1 * s
    return mean, fma(xp, s2, s, -(mean * mean))


class NativeGroupNorm(OpFunction):
    """Group norm of ``x (N, C, *)``: statistics per sample and group of ``C / G``
    channels, affine map per channel."""

    name = "NativeGroupNormBackward0"
    create_graph = True  # xhat is computed again from the saved x under create_graph
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, groups, eps, affine):
        xp = x._backend.xp
        a = x._data
        up = _compute_dtype(xp, a)  # half precision: in float32, as PyTorch's CPU kernel
        n_, c = a.shape[0], a.shape[1]
        rest = math.prod(a.shape[2:])  # (explicit sizes, not -1: the input may be empty)
        a3 = _up(xp, xp.reshape(a, (n_, groups, c // groups * rest)), up)
        found = []
        d, mean, var, invstd, n = _normalize(xp, a3, (2,), eps, rows=True, found=found)
        xhat = xp.reshape(d * invstd, (n_, c, rest))
        has_w, has_b = affine
        wr = _up(xp, xp.reshape(w._data, (1, c, 1)), up) if has_w else None
        y = xhat * wr if has_w else xhat
        if has_b:
            y = y + _up(xp, xp.reshape(b._data, (1, c, 1)), up)
        elif not has_w and ctx.needs_input_grad:  # no affine map: the output must not be the saved xhat
            y = xp.asarray(xhat, copy=True)
        if found:
            cl = _channels_last(x._backend, a)
            if (has_w or has_b or cl) and (up is None or not cl):
                # (only a constant group centres to zeros, so only it has a zero variance)
                y = _constant_groups(xp, y, var == 0, mean, wr, b if has_b else None, eps, up, groups, cl)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w if has_w else None, b if has_b else None)
            stats = _stats_dtype(a, w if has_w else None, b if has_b else None)
            if up is not None and stats != up:
                xh, invstd = _half_stats(xp, a3, mean, invstd, stats)
                xhat = xp.reshape(xh, (n_, c, rest))
            ctx.xhat, ctx.invstd, ctx.n, ctx.shape, ctx.groups = xhat, invstd, n, a.shape, groups
            ctx.eps, ctx.cast = eps, (up, a.dtype, stats)  # (a tuple: not lifted to a tensor under create_graph)
            ctx.w = wr
        return memory_format_layout(x._backend, _down(xp, xp.reshape(y, a.shape), up, a.dtype), a)  # (PyTorch's)

    @staticmethod
    def backward(ctx, g):
        x, w, _ = ctx.saved_tensors
        xp = ctx.xp
        need = ctx.needs_input_grad
        n_, c = ctx.shape[0], ctx.shape[1]
        rest = math.prod(ctx.shape[2:])
        up, native, stats = ctx.cast
        if isinstance(g, Tensor):
            a3 = _up(xp, xp.reshape(x._data, (n_, ctx.groups, c // ctx.groups * rest)), up)
            d, mean, _, invstd, _ = _normalize(xp, a3, (2,), ctx.eps, rows=True)
            xh = d * invstd
            if up is not None and stats != up:
                xh, invstd = _half_stats(xp, a3, mean, invstd, stats)
            xhat = xp.reshape(xh, (n_, c, rest))
            wr = None if w is None else _up(xp, xp.reshape(w._data, (1, c, 1)), up)
        else:
            xhat, invstd, wr = ctx.xhat, ctx.invstd, ctx.w
        g3 = _up(xp, xp.reshape(g, (n_, c, rest)), up)
        gx = gw = gb = None
        if need[0]:
            gy = g3 * wr if wr is not None else g3
            gy = xp.reshape(gy, (n_, ctx.groups, c // ctx.groups * rest))
            xh = xp.reshape(xhat, (n_, ctx.groups, c // ctx.groups * rest))
            n = ctx.n
            mg = _sum(xp, gy, (2,)) / n
            mgx = _sum(xp, gy * xh, (2,)) / n
            gx = _down(xp, xp.reshape((gy - mg - xh * mgx) * invstd, ctx.shape), up, native)
        # (sums kept (1, C, 1), then viewed as (C,): PyTorch's ViewBackward0 under create_graph)
        if need[1]:
            gw = _down(xp, xp.reshape(xp.sum(g3 * xhat, axis=(0, 2), keepdims=True), (c,)), up, stats)
        if need[2]:
            gb = _down(xp, xp.reshape(xp.sum(g3, axis=(0, 2), keepdims=True), (c,)), up, stats)
        return gx, gw, gb
