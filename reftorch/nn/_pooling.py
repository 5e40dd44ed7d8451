"""Pooling kernels over the last two dims (the 1-D forms unsqueeze to 2-D, as PyTorch does).

Fixed windows read the padded input as ``prod(kernel)`` strided slices (:mod:`._windows`):
max pooling keeps a running maximum and which slice gave it, average pooling sums the
slices. Adaptive pooling has windows of varying size: averages are two small matrix
products, maxima a loop over the (few) output cells.
"""
from __future__ import annotations

from .._layout import memory_format_layout
from .._ops.softmax import _compute_dtype
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction
from . import _windows as W


def _grid(backend, out, stride, pads, dilation, kernel, pos):
    """Flat input-plane index (``h * W_in + w``) of kernel position ``pos`` (an int array over
    the output grid) for every window."""
    xp = backend.xp
    kw = kernel[1]
    ki, kj = pos // kw, pos % kw
    ih = xp.reshape(xp.arange(out[0], dtype=xp.int64, **backend._dev_kw()) * stride[0] - pads[0][0], (-1, 1))
    iw = xp.reshape(xp.arange(out[1], dtype=xp.int64, **backend._dev_kw()) * stride[1] - pads[1][0], (1, -1))
    return ih + ki * dilation[0], iw + kj * dilation[1]


class MaxPool2d(OpFunction):
    """Window maxima; ties keep the first position in row-major kernel order and a NaN
    wins (the last NaN: PyTorch's ``val > max || isnan(val)`` scan). When ``box`` is a
    list it receives the flat input-plane indices of the maxima."""

    name = "MaxPool2DWithIndicesBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out_size, box):
        backend = x._backend
        xp = backend.xp
        a = x._data
        floating = backend.dtype_of(a).is_floating_point
        fill = -float("inf") if floating else xp.iinfo(a.dtype).min
        padded = W.pad_const(backend, a, pads, fill)
        keys = W.window_keys(kernel, stride, dilation, out_size)
        parts = [padded[key] for key in keys]
        m = parts[0]
        for v in parts[1:]:
            m = xp.maximum(m, v)  # NaN propagates, as the scan lets a NaN win
        need_grad = bool(ctx.needs_input_grad)
        if box is None and not need_grad:
            return memory_format_layout(backend, m, a)
        arg = _first_argmax(backend, parts, m, floating)
        if box is not None:
            box.append(memory_format_layout(
                backend, _plane_index(backend, a.shape[-2:], out_size, stride, pads, dilation, kernel, arg), a))
        if need_grad:
            ctx.state = (a.shape, padded.shape, pads, keys, arg,
                         _disjoint(kernel, stride, dilation, pads, a.shape[-2:], out_size))
        return memory_format_layout(backend, m, a)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _max_scatter, _max_gather, ctx.state, "MaxPool2DWithIndicesBackwardBackward0",
                           "MaxPool2DWithIndicesBackward0")


def _max_scatter(backend, g, state):
    """The gradient of max pooling: ``g`` sent to the position of each window's maximum."""
    xp = backend.xp
    in_shape, padded_shape, pads, keys, arg, disjoint = state
    # g * mask rather than where(mask, g, 0): much faster in NumPy (a NaN in g would
    # spread to its whole window, where PyTorch keeps it at the maximum's position)
    if disjoint:  # windows tile the input exactly: each element is written once
        gx = xp.empty(padded_shape, dtype=g.dtype, **backend._dev_kw())
        for k, key in enumerate(keys):
            gx[key] = g * xp.astype(arg == k, g.dtype)
        return gx
    parts = [g * xp.astype(arg == k, g.dtype) for k in range(len(keys))]
    gpad = W.add_windows(backend, padded_shape, g.dtype, keys, parts)
    return W.crop(gpad, pads, in_shape[-2:])


def _max_gather(backend, gg, state):
    """The adjoint of :func:`_max_scatter`: each window's value of ``gg`` at its maximum."""
    xp = backend.xp
    _, _, pads, keys, arg, _ = state
    padded = W.pad_const(backend, gg, pads, 0)
    out = None
    for k, key in enumerate(keys):
        part = padded[key] * xp.astype(arg == k, gg.dtype)
        out = part if out is None else out + part
    return out


def _plane_index(backend, size, out, stride, pads, dilation, kernel, arg):
    """Flat ``h * W + w`` input index of each window's maximum. A maximum found in the
    padding (a window of ``-inf`` only) reports PyTorch's starting index instead: the
    window's first position with both coordinates non-negative."""
    xp = backend.xp
    kw = backend._dev_kw()
    h, w = _grid(backend, out, stride, pads, dilation, kernel, xp.astype(arg, xp.int64))
    idx = h * size[1] + w
    outside = (h < 0) | (h >= size[0]) | (w < 0) | (w >= size[1])
    if bool(xp.any(outside)):
        first = []
        for o, st, (lo, _), d in zip(out, stride, pads, dilation):
            starts = [i * st - lo for i in range(o)]
            first.append([b + ((-b + d - 1) // d) * d if b < 0 else b for b in starts])
        fh = xp.reshape(xp.asarray(first[0], dtype=xp.int64, **kw), (-1, 1))
        fw = xp.reshape(xp.asarray(first[1], dtype=xp.int64, **kw), (1, -1))
        idx = xp.where(outside, fh * size[1] + fw, idx)
    return idx


def _first_argmax(backend, parts, m, floating):
    """Which slice holds the maximum ``m``: the first equal one, or, where ``m`` is NaN,
    the last NaN (small unsigned integers, one per output element). Built from masks:
    ``xp.where`` is several times slower than boolean arithmetic in NumPy."""
    xp = backend.xp
    dt = xp.uint8 if len(parts) < 256 else xp.int64
    found = parts[0] == m
    arg = xp.zeros(m.shape, dtype=dt, **backend._dev_kw())
    for k in range(1, len(parts)):
        hit = (parts[k] == m) & ~found
        arg = arg + xp.astype(hit, dt) * k
        found = found | hit
    if floating:
        nan = xp.isnan(m)
        if bool(xp.any(nan)):
            for k in range(len(parts)):  # ascending: the last NaN is written last
                arg = xp.where(nan & xp.isnan(parts[k]), xp.asarray(k, dtype=dt, **backend._dev_kw()), arg)
    return arg


def _disjoint(kernel, stride, dilation, pads, size, out):
    """True when the windows cover the input exactly once (no overlap, no padding, no
    leftover): the backward can write instead of accumulate."""
    return all(k == s and d == 1 and lo == 0 and hi == 0 and o * k == n
               for k, s, d, (lo, hi), n, o in zip(kernel, stride, dilation, pads, size, out))


class AvgPool2d(OpFunction):
    """Window sums divided by ``div`` (an array over the output grid, or a number)."""

    name = "AvgPool2DBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, out_size, div):
        backend = x._backend
        xp = backend.xp
        a = x._data
        padded = W.pad_const(backend, a, pads, 0)
        keys = W.window_keys(kernel, stride, (1, 1), out_size)
        s = padded[keys[0]]
        for key in keys[1:]:
            s = s + padded[key]
        if not isinstance(div, (int, float)):
            div = xp.asarray(div, dtype=a.dtype, **backend._dev_kw())
        if ctx.needs_input_grad:
            ctx.state = (a.shape, padded.shape, pads, keys, div)
        return memory_format_layout(backend, s / div, a)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _avg_scatter, _avg_gather, ctx.state, "AvgPool2DBackwardBackward0",
                           "AvgPool2DBackward0")


def _avg_scatter(backend, g, state):
    """The gradient of average pooling: ``g / div`` spread over each window."""
    in_shape, padded_shape, pads, keys, div = state
    part = g / div
    gpad = W.add_windows(backend, padded_shape, g.dtype, keys, [part] * len(keys))
    return W.crop(gpad, pads, in_shape[-2:])


def _avg_gather(backend, gg, state):
    """The adjoint of :func:`_avg_scatter` (average pooling itself)."""
    _, _, pads, keys, div = state
    padded = W.pad_const(backend, gg, pads, 0)
    s = padded[keys[0]]
    for key in keys[1:]:
        s = s + padded[key]
    return s / div


def adaptive_bounds(n, o):
    """PyTorch's adaptive windows: ``[floor(i*n/o), ceil((i+1)*n/o))`` for each output ``i``."""
    return [((i * n) // o, -(-((i + 1) * n) // o)) for i in range(o)]


class AdaptiveAvgPool2d(OpFunction):
    """The sum over each window divided by its size (in float32 for half precision, as
    PyTorch). The gradient is ``A_h.T @ g @ A_w`` with averaging matrices ``A`` (one row per
    output position); the forward does not use them, as ``0 * inf`` would spread a ``nan``."""

    name = "AdaptiveAvgPool2DBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, out_size):
        backend = x._backend
        xp = backend.xp
        a = x._data
        mats = []
        for n, o in zip(a.shape[-2:], out_size):
            rows = [[1.0 / (e - s) if s <= j < e else 0.0 for j in range(n)] for s, e in adaptive_bounds(n, o)]
            mats.append(xp.asarray(rows, dtype=a.dtype, **backend._dev_kw()))
        ctx.state = tuple(mats)
        return memory_format_layout(backend, _window_means(backend, a, out_size), a)

    @staticmethod
    def backward(ctx, g):
        shape = tuple(g.shape)
        for d in range(1, len(shape)):  # PyTorch's check (an input without channels gets here)
            if shape[d] == 0:
                raise RuntimeError(f"adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero size for "
                                   f"non-batch dimensions, but grad_output has sizes {list(shape)} with dimension {d} "
                                   "being empty")
        return linear_grad(ctx, g, _adaptive_avg_grad, _adaptive_avg, ctx.state,
                           "AdaptiveAvgPool2DBackwardBackward0", "AdaptiveAvgPool2DBackward0")


def _window_means(backend, a, out):
    """The mean of ``a`` over each of PyTorch's adaptive windows (last two dims)."""
    xp = backend.xp
    up = _compute_dtype(xp, a)
    s = a if up is None else xp.astype(a, up)
    bh, bw = adaptive_bounds(a.shape[-2], out[0]), adaptive_bounds(a.shape[-1], out[1])
    s = xp.stack([xp.sum(s[..., lo:hi, :], axis=-2) for lo, hi in bh], axis=-2)
    s = xp.stack([xp.sum(s[..., lo:hi], axis=-1) for lo, hi in bw], axis=-1)
    counts = xp.asarray([[(he - hs) * (we - ws) for ws, we in bw] for hs, he in bh], dtype=s.dtype,
                        **backend._dev_kw())
    s = s / counts
    return s if up is None else xp.astype(s, a.dtype)


def _adaptive_avg(backend, a, mats):
    xp = backend.xp
    ah, aw = mats
    return xp.matmul(xp.matmul(ah, a), xp.matrix_transpose(aw))


def _adaptive_avg_grad(backend, g, mats):
    xp = backend.xp
    ah, aw = mats
    return xp.matmul(xp.matmul(xp.matrix_transpose(ah), g), aw)


class AdaptiveMaxPool2d(OpFunction):
    """Maxima over PyTorch's adaptive windows, one output cell at a time; ``box`` receives
    the flat input-plane indices."""

    name = "AdaptiveMaxPool2DBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, out_size, box):
        backend = x._backend
        xp = backend.xp
        a = x._data
        hh, ww = a.shape[-2:]
        lead = tuple(a.shape[:-2])
        vals, idxs, cells = [], [], []
        for hs, he in adaptive_bounds(hh, out_size[0]):
            for ws, we in adaptive_bounds(ww, out_size[1]):
                region = xp.reshape(a[..., hs:he, ws:we], lead + ((he - hs) * (we - ws),))  # (an empty batch: no -1)
                r = xp.argmax(region, axis=-1, keepdims=True)
                if xp.isdtype(a.dtype, "real floating"):  # the last NaN wins, as in PyTorch's scan
                    nan = xp.astype(xp.isnan(region), xp.int8)
                    last = region.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1, keepdims=True)
                    r = xp.where(xp.any(nan != 0, axis=-1, keepdims=True), last, r)
                vals.append(xp.take_along_axis(region, r, axis=-1)[..., 0])
                r = r[..., 0]
                idxs.append((hs + r // (we - ws)) * ww + ws + r % (we - ws))
                cells.append((hs, he, ws, we, r))
        v = memory_format_layout(backend, xp.reshape(xp.stack(vals, axis=-1), lead + tuple(out_size)), a)
        box.append(memory_format_layout(backend, xp.reshape(xp.stack(idxs, axis=-1), lead + tuple(out_size)), a))
        if ctx.needs_input_grad:
            ctx.state = (cells, a.shape, tuple(out_size))
        return v

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _adaptive_max_scatter, _adaptive_max_gather, ctx.state,
                           "AdaptiveMaxPool2DBackwardBackward0", "AdaptiveMaxPool2DBackward0")


def _adaptive_max_scatter(backend, g, state):
    """The gradient of adaptive max pooling: ``g`` sent to each cell's maximum."""
    xp = backend.xp
    cells, shape, _ = state
    gx = xp.zeros(shape, dtype=g.dtype, **backend._dev_kw())
    lead = tuple(shape[:-2])
    ow = g.shape[-1]
    for c, (hs, he, ws, we, r) in enumerate(cells):
        size = (he - hs) * (we - ws)
        pos = xp.arange(size, dtype=xp.int64, **backend._dev_kw())
        hit = xp.astype(pos == r[..., None], g.dtype) * g[..., c // ow, c % ow][..., None]
        gx[..., hs:he, ws:we] += xp.reshape(hit, lead + (he - hs, we - ws))
    return gx


def _adaptive_max_gather(backend, gg, state):
    """The adjoint of :func:`_adaptive_max_scatter`: ``gg`` read at each cell's maximum."""
    xp = backend.xp
    cells, shape, out = state
    lead = tuple(shape[:-2])
    vals = []
    for hs, he, ws, we, r in cells:
        region = xp.reshape(gg[..., hs:he, ws:we], lead + (-1,))
        vals.append(xp.take_along_axis(region, r[..., None], axis=-1)[..., 0])
    return xp.reshape(xp.stack(vals, axis=-1), lead + out)
