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

from .._layout import memory_format_layout
from .._ops.softmax import _compute_dtype
from .._ops._common import conj_of
from .._tensor import Tensor
from ..autograd._graph import linear_grad
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


class _Geom:
    """What the three convolution kernels share: the shapes, padding and window slices of
    one ``Convolution`` call."""

    __slots__ = ("in_shape", "w_shape", "padded_shape", "pads", "keys", "groups", "kk", "out", "kernel",
                 "direct", "stride", "dilation")

    def __init__(self, in_shape, w_shape, stride, pads, dilation, groups):
        self.in_shape, self.w_shape = tuple(in_shape), tuple(w_shape)
        self.stride, self.pads, self.dilation, self.groups = stride, pads, dilation, groups
        sp = self.in_shape[2:]
        self.kernel = kernel = self.w_shape[2:]
        self.out = tuple(W.out_size(m, k, s, lo, hi, d)
                         for m, k, s, (lo, hi), d in zip(sp, kernel, stride, pads, dilation))
        self.padded_shape = self.in_shape[:2] + tuple(m + lo + hi for m, (lo, hi) in zip(sp, pads))
        self.keys = W.window_keys(kernel, stride, dilation, self.out)
        self.kk = math.prod(kernel)
        self.direct = self.kk == 1 and all(s == 1 for s in stride) and self.padded_shape[2:] == self.out


def _columns(backend, a, geom):
    """The column array ``(N, groups, C/groups * prod(kernel), L)`` of input array ``a``."""
    padded = W.pad_const(backend, a, geom.pads)
    if geom.direct:
        cols = padded  # a 1x1 kernel over every position: the input is its own column array
    else:
        cols = _im2col(backend, padded, geom.kernel, geom.stride, geom.dilation, geom.out)  # (N, C, *kernel, *out)
    n, c = a.shape[0], a.shape[1]
    return backend.xp.reshape(cols, (n, geom.groups, (c // geom.groups) * geom.kk, math.prod(geom.out)))


def _conv_array(backend, a, wa, geom, cols=None):
    """The convolution of arrays ``a`` and ``wa`` (no bias): ``(N, O, *out)``."""
    xp = backend.xp
    if cols is None:
        cols = _columns(backend, a, geom)
    o, g = wa.shape[0], geom.groups
    wm = xp.reshape(wa, (g, o // g, (geom.in_shape[1] // g) * geom.kk))
    return xp.reshape(xp.matmul(wm, cols), (a.shape[0], o) + geom.out)  # (N, G, O/G, L) -> (N, O, *out)


def _input_grad_array(backend, g, wa, geom):
    """The gradient of the input from the output gradient ``g`` and weight array ``wa``
    (a transposed convolution): the column gradients added back into their windows."""
    xp = backend.xp
    n, c = geom.in_shape[0], geom.in_shape[1]
    o, grp = wa.shape[0], geom.groups
    wm = xp.reshape(wa, (grp, o // grp, (c // grp) * geom.kk))
    gm = xp.reshape(g, (n, grp, o // grp, math.prod(geom.out)))
    gcols = xp.reshape(xp.matmul(xp.matrix_transpose(wm), gm), (n, c, geom.kk) + geom.out)  # (N, G, KgC, L)
    if geom.direct:
        gpad = xp.reshape(gcols, geom.padded_shape)
    else:
        gpad = W.add_windows(backend, geom.padded_shape, g.dtype, geom.keys,
                             [gcols[:, :, k, ...] for k in range(geom.kk)])
    return W.crop(gpad, geom.pads, geom.in_shape[2:])


def _weight_grad_array(backend, g, cols, geom):
    """The gradient of the weight from the output gradient ``g`` and the input's columns:
    the sum over the batch of ``gm[n] @ cols[n].T`` (BLAS reads the transpose in place)."""
    xp = backend.xp
    n, c = geom.in_shape[0], geom.in_shape[1]
    o, grp = geom.w_shape[0], geom.groups
    gm = xp.reshape(g, (n, grp, o // grp, math.prod(geom.out)))
    gw = xp.sum(xp.matmul(gm, xp.matrix_transpose(cols)), axis=0)
    return xp.reshape(gw, (o, c // grp) + geom.kernel)


# The three kernels as graph ops, so that each backward is differentiable again: the
# gradients of a convolution are bilinear in (g, w) and (g, x), and the derivatives of
# those are once more convolutions and the two gradient kernels.
# ``backend`` is the ctx's (used on arrays); on tensors (``create_graph``) the ops record.
def _conv(backend, x, w, geom):
    if isinstance(x, Tensor):
        return Convolution.apply(x, w, _no_bias(x), stride=geom.stride, pads=geom.pads, dilation=geom.dilation,
                                 groups=geom.groups, has_bias=False)
    return _conv_array(backend, x, w, geom)


def _input_grad(backend, g, w, geom):
    if isinstance(g, Tensor):
        return ConvolutionInputGrad.apply(g, w, geom=geom)
    return _input_grad_array(backend, g, w, geom)


def _weight_grad(backend, g, x, geom):
    if isinstance(g, Tensor):
        return ConvolutionWeightGrad.apply(g, x, geom=geom)
    return _weight_grad_array(backend, g, _columns(backend, x, geom), geom)


def _no_bias(x):
    """The stand-in bias of a convolution without one (an empty array that never requires grad)."""
    b = x._backend
    return Tensor._wrap(b.xp.zeros((0,), dtype=x._data.dtype, **b._dev_kw()), x._device, b)


def _bias_grad(backend, g, shape):
    """The gradient of the bias: ``g`` summed over the batch and the positions."""
    xp = backend.xp
    flat = (shape[0], shape[1], math.prod(shape[2:]))  # (not -1: an empty batch leaves it undetermined)
    return xp.sum(xp.sum(xp.reshape(g, flat), axis=2), axis=0)  # contiguous sums first


def _bias_spread(backend, gb, shape):
    """The adjoint of :func:`_bias_grad`: ``gb`` broadcast over the batch and the positions."""
    xp = backend.xp
    return xp.asarray(xp.broadcast_to(xp.reshape(gb, (1, shape[1]) + (1,) * (len(shape) - 2)), shape), copy=True)


class Convolution(OpFunction):
    """``conv{1,2}d`` of ``x (N, C, *S)`` with ``w (O, C/groups, *K)`` and optional bias."""

    name = "ConvolutionBackward0"
    create_graph = True  # the gradients are ConvolutionInputGrad / ConvolutionWeightGrad ops
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, has_bias):
        backend = x._backend
        xp = backend.xp
        a, wa = x._data, w._data
        geom = _Geom(a.shape, wa.shape, stride, pads, dilation, groups)
        cols = _columns(backend, a, geom)
        up = _compute_dtype(xp, a)  # float16/bfloat16: in float32, bias included, rounded once
        if up is None:
            y = _conv_array(backend, a, wa, geom, cols)
        else:
            y = _conv_array(backend, a, xp.astype(wa, up), geom, xp.astype(cols, up))
        if has_bias:
            bias = b._data if up is None else xp.astype(b._data, up)
            y += xp.reshape(bias, (wa.shape[0],) + (1,) * len(geom.out))  # y is a fresh array
        if up is not None:
            y = xp.astype(y, a.dtype)
        if a.shape[1] == 0:  # as PyTorch: an input without channels gives an output without channels
            y = y[:, :0]
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
            ctx.cols = cols if need[1] else None
            ctx.geom = geom
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        xp, geom = ctx.xp, ctx.geom
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if geom.in_shape[1] == 0:  # the forward dropped every output channel: their gradient is zero
            full = (geom.in_shape[0], geom.w_shape[0]) + geom.out
            g = g.new_zeros(full) if isinstance(g, Tensor) else xp.zeros(full, dtype=g.dtype,
                                                                          **ctx.backend._dev_kw())
        if need[2]:
            # (under create_graph one node, PyTorch's ConvolutionBackwardBackward0)
            gb = linear_grad(ctx, g, _bias_grad, _bias_spread, tuple(g.shape), "ConvolutionBackwardBackward0",
                             "ConvolutionBackward0")
        # complex: the conjugates of the weight and of the input (PyTorch's convention)
        if need[1]:
            if isinstance(g, Tensor):
                gw = _weight_grad(ctx.backend, g, conj_of(xp, x._data, x._dtype), geom)
            else:  # the columns kept by the forward
                gw = _weight_grad_array(ctx.backend, g, conj_of(xp, ctx.cols, x._dtype), geom)
        if need[0]:
            gx = _input_grad(ctx.backend, g, conj_of(xp, w._data, w._dtype), geom)
        return gx, gw, gb


class ConvolutionInputGrad(OpFunction):
    """The input gradient of a convolution, ``(g, w) -> gx``, as a graph op (PyTorch's
    ``ConvolutionBackwardBackward0``): bilinear, so its own gradients are a convolution of
    the incoming gradient (for ``g``) and a weight gradient (for ``w``)."""

    name = "ConvolutionBackwardBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, g, w, geom):
        ctx.save_for_backward(g, w)
        ctx.geom = geom
        return _input_grad_array(g._backend, g._data, w._data, geom)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        b, xp = ctx.backend, ctx.xp
        # complex: each factor's partner conjugated (PyTorch's convention, as for ``mul``)
        return (_conv(b, gg, conj_of(xp, w._data, w._dtype), ctx.geom) if need[0] else None,
                _weight_grad(b, conj_of(xp, g._data, g._dtype), gg, ctx.geom) if need[1] else None)


class ConvolutionWeightGrad(OpFunction):
    """The weight gradient of a convolution, ``(g, x) -> gw``, as a graph op (PyTorch's
    ``ConvolutionBackwardBackward0``): its gradients are a convolution of ``x`` (for ``g``)
    and an input gradient (for ``x``)."""

    name = "ConvolutionBackwardBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, g, x, geom):
        ctx.save_for_backward(g, x)
        ctx.geom = geom
        return _weight_grad_array(g._backend, g._data, _columns(x._backend, x._data, geom), geom)

    @staticmethod
    def backward(ctx, ggw):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        b, xp = ctx.backend, ctx.xp
        return (_conv(b, conj_of(xp, x._data, x._dtype), ggw, ctx.geom) if need[0] else None,
                _input_grad(b, conj_of(xp, g._data, g._dtype), ggw, ctx.geom) if need[1] else None)


#: The ``grad_fn`` of ``F.pad`` by mode (``{}``: the number of padded dims).
PAD_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
             "circular": "torch::autograd::CopySlices"}


def _source_index(mode, n, lo, hi):
    """For each position of a dim of length ``n`` padded by ``lo``/``hi``: which input
    element it copies under ``mode`` (``reflect``, ``replicate`` or ``circular``).

    A negative pad crops. Reflection and replication index the full input (PyTorch's
    kernels); circular padding first crops, then wraps around what is left (PyTorch builds
    it from slices of the cropped input)."""
    if mode == "circular":
        start = max(0, -lo)
        m = n - start - max(0, -hi)
        return [start + i % m for i in range(-max(lo, 0), m + max(hi, 0))]
    idx = []
    for i in range(-lo, n + hi):
        if mode == "reflect":
            j = -i if i < 0 else (2 * (n - 1) - i if i >= n else i)
        else:
            j = min(max(i, 0), n - 1)
        idx.append(j)
    return idx


class ModePad(OpFunction):
    """``F.pad(x, pad, mode)`` for the copying modes (reflect, replicate, circular) over the
    last ``len(pads)`` dims: a gather along each dim; the backward sums the copies back."""

    name = "ReflectionPad2DBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

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
        ctx.state = (steps, x.dtype)
        if ctx.needs_input_grad:
            name = PAD_NAMES[mode].format(len(pads))
            ctx.names = (_pad_grad_name(name), name)
        if mode == "circular":  # (made of slices and cat in PyTorch: row-major)
            return a
        return memory_format_layout(backend, a, x._data)  # (PyTorch's: channels-last stays so)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _mode_pad_grad, _mode_pad, ctx.state, *ctx.names)


def _pad_grad_name(name):
    """PyTorch's name for the gradient of a padding node (``ReflectionPad2DBackwardBackward0``;
    circular padding is built from slices, whose gradient's node is ``SliceBackwardBackward0``)."""
    return name[:-len("Backward0")] + "BackwardBackward0" if name.endswith("Backward0") else "SliceBackwardBackward0"


def _mode_pad(backend, a, state):
    """Padding by copies (the forward map of :class:`ModePad`)."""
    xp = backend.xp
    for axis, _, idx in state[0]:
        a = xp.take(a, idx, axis=axis)
    return a


def _mode_pad_grad(backend, g, state):
    """Its adjoint: the copies summed back into the elements they came from."""
    for axis, shape, idx in reversed(state[0]):
        g = backend.index_add(tuple(shape), state[1], axis, idx, g)
    return g


class ConstantPad(OpFunction):
    """``F.pad(x, pads, value=value)``: the last ``len(pads)`` dims padded by ``(lo, hi)``
    pairs filled with ``value``; a negative pad crops (also what PyTorch adds before a
    ``padding='same'`` convolution whose padding is not symmetric). The gradient is the
    same map with the pads negated (a crop), as PyTorch's ``constant_pad_nd`` backward."""

    name = "ConstantPadNdBackward0"
    create_graph = True  # the gradient (a crop) is ConstantPadNd again, as in PyTorch
    arity = 1

    @staticmethod
    def forward(ctx, x, pads, value=0):
        ctx.state = (tuple(pads),)
        out = pad_nd(x._backend, x._data, pads, value)
        if all(lo <= 0 and hi <= 0 for lo, hi in pads):
            out = x._backend.copy(out)
        return memory_format_layout(x._backend, out, x._data)  # (PyTorch's: channels-last stays so)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _crop, _pad, ctx.state, "ConstantPadNdBackward0", "ConstantPadNdBackward0")


def pad_nd(backend, a, pads, value=0):
    """``a`` with its last ``len(pads)`` dims cropped by the negative pads, then padded by
    the positive ones with ``value`` (PyTorch's ``constant_pad_nd`` order)."""
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        nsp = len(pads)
        sizes = a.shape[a.ndim - nsp:]
        a = a[(...,) + tuple(slice(max(0, -lo), n - max(0, -hi)) for n, (lo, hi) in zip(sizes, pads))]
    return W.pad_const(backend, a, tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads), value)


def _pad(backend, a, state):
    return pad_nd(backend, a, state[0])


def _crop(backend, g, state):
    return pad_nd(backend, g, tuple((-lo, -hi) for lo, hi in state[0]))


class ConvolutionTranspose(OpFunction):
    """``conv_transpose{1,2}d`` of ``x (N, C_in, *S)`` with ``w (C_in, C_out/groups, *K)``:
    the input gradient of the convolution ``geom`` (whose input is the ``(N, C_out, *out)``
    result), so the forward is :func:`_input_grad_array` and the gradients are a
    convolution (for ``x``) and a weight gradient (for ``w``). ``grad_fn``:
    ``ConvolutionBackward0``, as PyTorch."""

    name = "ConvolutionBackward0"
    create_graph = True
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, geom, has_bias):
        backend = x._backend
        xp = backend.xp
        y = _input_grad_array(backend, x._data, w._data, geom)
        if has_bias:
            y = y + xp.reshape(b._data, (geom.in_shape[1],) + (1,) * len(geom.out))
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.geom = geom
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        b, geom = ctx.backend, ctx.geom
        # (x._data, w._data: arrays, or tensors under create_graph)
        gx = None
        if need[0] and isinstance(g, Tensor):  # a convolution, under PyTorch's name for this gradient
            gx = Convolution.apply(g, w._data, _no_bias(g), stride=geom.stride, pads=geom.pads,
                                   dilation=geom.dilation, groups=geom.groups, has_bias=False,
                                   _name="ConvolutionBackwardBackward0")
        elif need[0]:
            gx = _conv(b, g, w._data, geom)
        gw = _weight_grad(b, x._data, g, geom) if need[1] else None
        gb = None
        if need[2]:
            gb = linear_grad(ctx, g, _bias_grad, _bias_spread, tuple(g.shape), "ConvolutionBackwardBackward0",
                             "ConvolutionBackward0")
        return gx, gw, gb
