"""The convolution kernel (``ConvolutionBackward0``) and the non-zero padding modes.

Convolution is im2col plus one batched matrix product: the windows of the padded input
are one strided view (``backend.as_strided``), copied once into a column array ``cols`` of
shape ``(N, groups, C/groups * prod(kernel), L)`` (``L`` output positions),
and ``weight`` viewed as ``(groups, O/groups, C/groups * prod(kernel))`` multiplies it.
The backward pass multiplies by the transposes and adds the column gradients back into
the windows they came from.
"""
from __future__ import annotations

import math

from ..autograd.function import OpFunction
from . import _windows as W


def _im2col(backend, padded, kernel, stride, dilation, out):
    """The windows of ``padded`` (``(N, C, *S)``) as ``(N, C, *kernel, *out)``: one strided
    view (element ``[.., i, j, p, q]`` at ``[.., p*stride + i*dilation, q*stride + j*dilation]``)
    copied once by the reshape that follows."""
    if not backend.is_c_contiguous(padded):
        padded = backend.copy(padded)
    st = backend.strides(padded)
    strides = tuple(st[:2]) + tuple(s * d for s, d in zip(st[2:], dilation)) + \
        tuple(s * k for s, k in zip(st[2:], stride))
    return backend.as_strided(padded, tuple(padded.shape[:2]) + tuple(kernel) + tuple(out), strides)


class Convolution(OpFunction):
    """``conv{1,2}d`` of ``x (N, C, *S)`` with ``w (O, C/groups, *K)`` and optional bias."""

    name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, has_bias):
        backend = x._backend
        xp = backend.xp
        a, wa = x._data, w._data
        n, c = a.shape[0], a.shape[1]
        sp = tuple(a.shape[2:])
        o = wa.shape[0]
        kernel = tuple(wa.shape[2:])
        out = tuple(W.out_size(m, k, s, lo, hi, d)
                    for m, k, s, (lo, hi), d in zip(sp, kernel, stride, pads, dilation))
        padded = W.pad_const(backend, a, pads)
        keys = W.window_keys(kernel, stride, dilation, out)
        kk, length = math.prod(kernel), math.prod(out)
        direct = kk == 1 and all(s == 1 for s in stride) and tuple(padded.shape[2:]) == out
        if direct:
            cols = padded  # a 1x1 kernel over every position: the input is its own column array
        else:
            cols = _im2col(backend, padded, kernel, stride, dilation, out)  # (N, C, *kernel, *out)
        cols = xp.reshape(cols, (n, groups, (c // groups) * kk, length))
        wm = xp.reshape(wa, (groups, o // groups, (c // groups) * kk))
        y = xp.matmul(wm, cols)  # (N, G, O/G, L)
        y = xp.reshape(y, (n, o) + out)
        if has_bias:
            y += xp.reshape(b._data, (o,) + (1,) * len(out))  # y is a fresh array
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
            ctx.cols = cols if need[1] else None
            ctx.wm = wm
            ctx.geom = (a.shape, tuple(padded.shape), pads, keys, groups, kk, out, kernel, direct)
            ctx.backend = backend
        return y

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - raises if freed
        xp, backend = ctx.xp, ctx.backend
        in_shape, padded_shape, pads, keys, groups, kk, out, kernel, direct = ctx.geom
        need = ctx.needs_input_grad
        n, c = in_shape[0], in_shape[1]
        o = g.shape[1]
        gm = xp.reshape(g, (n, groups, o // groups, math.prod(out)))
        gx = gw = gb = None
        if need[2]:
            gb = xp.sum(xp.sum(xp.reshape(g, (n, o, -1)), axis=2), axis=0)  # contiguous sums first
        if need[1]:
            cols = ctx.cols
            # the sum over the batch of gm[n] @ cols[n].T (BLAS reads the transpose in place)
            gw = xp.sum(xp.matmul(gm, xp.matrix_transpose(cols)), axis=0)
            gw = xp.reshape(gw, (o, c // groups) + kernel)
        if need[0]:
            gcols = xp.matmul(xp.matrix_transpose(ctx.wm), gm)  # (N, G, KgC, L)
            gcols = xp.reshape(gcols, (n, c, kk) + out)
            if direct:
                gpad = xp.reshape(gcols, padded_shape)
            else:
                gpad = W.add_windows(backend, padded_shape, g.dtype, keys,
                                     [gcols[:, :, k, ...] for k in range(kk)])
            gx = W.crop(gpad, pads, in_shape[2:])
        return gx, gw, gb



def _source_index(mode, n, lo, hi):
    """For each position of a dim of length ``n`` padded by ``lo``/``hi``: which input
    element it copies under ``mode`` (``reflect``, ``replicate`` or ``circular``)."""
    idx = []
    for i in range(-lo, n + hi):
        if mode == "reflect":
            j = -i if i < 0 else (2 * (n - 1) - i if i >= n else i)
        elif mode == "replicate":
            j = min(max(i, 0), n - 1)
        else:
            j = i % n
        idx.append(j)
    return idx


class ModePad(OpFunction):
    """``F.pad(x, pad, mode)`` for the copying modes (reflect, replicate, circular) over the
    last ``len(pads)`` dims: a gather along each dim; the backward sums the copies back."""

    name = "ReflectionPad2DBackward0"

    @staticmethod
    def forward(ctx, x, pads, mode):
        backend = x._backend
        xp = backend.xp
        a = x._data
        nd = a.ndim
        steps = []
        for k, (lo, hi) in enumerate(pads):
            axis = nd - len(pads) + k
            idx = xp.asarray(_source_index(mode, a.shape[axis], lo, hi), dtype=xp.int64,
                             **backend._dev_kw())
            steps.append((axis, a.shape, idx))
            a = xp.take(a, idx, axis=axis)
        ctx.steps, ctx.backend, ctx.dtype = steps, backend, x.dtype
        return a

    @staticmethod
    def backward(ctx, g):
        for axis, shape, idx in reversed(ctx.steps):
            g = ctx.backend.index_add(tuple(shape), ctx.dtype, axis, idx, g)
        return g


class ConstantPad(OpFunction):
    """Zero padding by ``(lo, hi)`` pairs over the last ``len(pads)`` dims (what PyTorch
    adds before a ``padding='same'`` convolution whose padding is not symmetric)."""

    name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pads):
        ctx.pads, ctx.sizes = pads, tuple(x.shape[x.dim() - len(pads):])
        return W.pad_const(x._backend, x._data, pads)

    @staticmethod
    def backward(ctx, g):
        return W.crop(g, ctx.pads, ctx.sizes)
