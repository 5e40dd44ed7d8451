"""Pooling kernels over the last two dims (the 1-D forms unsqueeze to 2-D, as PyTorch does).

Fixed windows read the padded input as ``prod(kernel)`` strided slices (:mod:`._windows`):
max pooling keeps a running maximum and which slice gave it, average pooling sums the
slices. Adaptive pooling has windows of varying size: averages are two small matrix
products, maxima a loop over the (few) output cells.
"""
from __future__ import annotations

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
    wins (PyTorch's ``val > max || isnan(val)`` scan). ``box`` receives the indices."""

    name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out, box):
        backend = x._backend
        xp = backend.xp
        a = x._data
        floating = xp.isdtype(a.dtype, "real floating")
        fill = -float("inf") if floating else xp.iinfo(a.dtype).min
        padded = W.pad_const(backend, a, pads, fill)
        keys = W.window_keys(kernel, stride, dilation, out)
        m = padded[keys[0]]
        arg = xp.zeros(m.shape, dtype=xp.int64, **backend._dev_kw())
        for k in range(1, len(keys)):
            v = padded[keys[k]]
            upd = v > m
            if floating:
                upd = upd | xp.isnan(v)
            m = xp.where(upd, v, m)
            arg = xp.where(upd, xp.asarray(k, dtype=xp.int64, **backend._dev_kw()), arg)
        h, w = _grid(backend, out, stride, pads, dilation, kernel, arg)
        box.append(h * a.shape[-1] + w)
        if ctx.needs_input_grad:
            ctx.geom = (a.shape, padded.shape, pads, keys)
            ctx.arg, ctx.backend = arg, backend
        return m

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        in_shape, padded_shape, pads, keys = ctx.geom
        zero = xp.zeros((), dtype=g.dtype, **ctx.backend._dev_kw())
        parts = [xp.where(ctx.arg == k, g, zero) for k in range(len(keys))]
        gpad = W.add_windows(ctx.backend, padded_shape, g.dtype, keys, parts)
        return W.crop(gpad, pads, in_shape[-2:])


class AvgPool2d(OpFunction):
    """Window sums divided by ``div`` (an array over the output grid, or a number)."""

    name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, out, div):
        backend = x._backend
        xp = backend.xp
        a = x._data
        padded = W.pad_const(backend, a, pads, 0)
        keys = W.window_keys(kernel, stride, (1, 1), out)
        s = padded[keys[0]]
        for key in keys[1:]:
            s = s + padded[key]
        if not isinstance(div, (int, float)):
            div = xp.asarray(div, dtype=a.dtype, **backend._dev_kw())
        if ctx.needs_input_grad:
            ctx.geom = (a.shape, padded.shape, pads, keys)
            ctx.div, ctx.backend = div, backend
        return s / div

    @staticmethod
    def backward(ctx, g):
        in_shape, padded_shape, pads, keys = ctx.geom
        part = g / ctx.div
        gpad = W.add_windows(ctx.backend, padded_shape, g.dtype, keys, [part] * len(keys))
        return W.crop(gpad, pads, in_shape[-2:])


def adaptive_bounds(n, o):
    """PyTorch's adaptive windows: ``[floor(i*n/o), ceil((i+1)*n/o))`` for each output ``i``."""
    return [((i * n) // o, -(-((i + 1) * n) // o)) for i in range(o)]


class AdaptiveAvgPool2d(OpFunction):
    """``A_h @ x @ A_w.T`` with averaging matrices ``A`` (one row per output position)."""

    name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out):
        backend = x._backend
        xp = backend.xp
        a = x._data
        mats = []
        for n, o in zip(a.shape[-2:], out):
            rows = [[1.0 / (e - s) if s <= j < e else 0.0 for j in range(n)] for s, e in adaptive_bounds(n, o)]
            mats.append(xp.asarray(rows, dtype=a.dtype, **backend._dev_kw()))
        ah, aw = mats
        ctx.ah, ctx.aw = ah, aw
        return xp.matmul(xp.matmul(ah, a), xp.matrix_transpose(aw))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        return xp.matmul(xp.matmul(xp.matrix_transpose(ctx.ah), g), ctx.aw)


class AdaptiveMaxPool2d(OpFunction):
    """Maxima over PyTorch's adaptive windows, one output cell at a time; ``box`` receives
    the flat input-plane indices."""

    name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out, box):
        backend = x._backend
        xp = backend.xp
        a = x._data
        hh, ww = a.shape[-2:]
        lead = tuple(a.shape[:-2])
        vals, idxs, cells = [], [], []
        for hs, he in adaptive_bounds(hh, out[0]):
            for ws, we in adaptive_bounds(ww, out[1]):
                region = xp.reshape(a[..., hs:he, ws:we], lead + (-1,))
                r = xp.argmax(region, axis=-1, keepdims=True)
                if xp.isdtype(a.dtype, "real floating"):  # the last NaN wins, as in PyTorch's scan
                    nan = xp.astype(xp.isnan(region), xp.int8)
                    last = region.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1, keepdims=True)
                    r = xp.where(xp.any(nan != 0, axis=-1, keepdims=True), last, r)
                vals.append(xp.take_along_axis(region, r, axis=-1)[..., 0])
                r = r[..., 0]
                idxs.append((hs + r // (we - ws)) * ww + ws + r % (we - ws))
                cells.append((hs, he, ws, we, r))
        v = xp.reshape(xp.stack(vals, axis=-1), lead + tuple(out))
        box.append(xp.reshape(xp.stack(idxs, axis=-1), lead + tuple(out)))
        if ctx.needs_input_grad:
            ctx.cells, ctx.shape, ctx.backend = cells, a.shape, backend
        return v

    @staticmethod
    def backward(ctx, g):
        xp, backend = ctx.xp, ctx.backend
        gx = xp.zeros(ctx.shape, dtype=g.dtype, **backend._dev_kw())
        lead = tuple(ctx.shape[:-2])
        ow = g.shape[-1]
        for c, (hs, he, ws, we, r) in enumerate(ctx.cells):
            size = (he - hs) * (we - ws)
            pos = xp.arange(size, dtype=xp.int64, **backend._dev_kw())
            hit = xp.astype(pos == r[..., None], g.dtype) * g[..., c // ow, c % ow][..., None]
            gx[..., hs:he, ws:we] += xp.reshape(hit, lead + (he - hs, we - ws))
        return gx
