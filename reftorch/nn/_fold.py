"""``F.unfold`` (im2col) and ``F.fold`` (col2im): the column array a convolution
multiplies, and its adjoint.

``unfold`` copies every ``kernel_size`` window of the padded input ``(N, C, H, W)`` into
one column of ``(N, C * kH * kW, L)`` (``L`` windows, row-major), the strided view of
:func:`reftorch.nn._conv._im2col`. ``fold`` adds the columns back into the windows they
describe (overlaps sum up) and crops the padding. Each is the other's gradient
(``Im2ColBackward0`` / ``Col2ImBackward0``), so both are linear maps of
:mod:`reftorch.autograd._graph`.
"""
from __future__ import annotations

import math

from .. import _dtype as _D
from .._tensor import _wrap_dim
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction
from . import _windows as W
from ._conv import _im2col
from .._ops._common import tensor_input as _tensor_input


class _Geom:
    """One unfold/fold: the image ``(N, C, H, W)`` side and the window arguments."""

    __slots__ = ("image", "kernel", "dilation", "pads", "stride", "blocks", "keys")

    def __init__(self, image, kernel, dilation, padding, stride):
        self.image, self.kernel, self.dilation, self.stride = tuple(image), kernel, dilation, stride
        self.pads = tuple((p, p) for p in padding)
        self.blocks = _blocks(image[2:], kernel, dilation, padding, stride)
        self.keys = W.window_keys(kernel, stride, dilation, self.blocks)


def _blocks(size, kernel, dilation, padding, stride):
    """The number of windows along each dim (PyTorch's rounding toward -inf)."""
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, d, p, s in zip(size, kernel, dilation, padding, stride))


def _im2col_array(backend, a, geom):
    xp = backend.xp
    if a.ndim == 3:  # unbatched, handled by the kernel as PyTorch's (one grad_fn, no squeeze)
        return _im2col_array(backend, xp.expand_dims(a, axis=0), geom)[0, ...]
    n, c = a.shape[0], a.shape[1]
    padded = W.pad_const(backend, a, geom.pads)
    cols = _im2col(backend, padded, geom.kernel, geom.stride, geom.dilation, geom.blocks)
    return xp.reshape(cols, (n, c * math.prod(geom.kernel), math.prod(geom.blocks)))


def _col2im_array(backend, cols, geom):
    xp = backend.xp
    if cols.ndim == 2:  # unbatched
        return _col2im_array(backend, xp.expand_dims(cols, axis=0), geom)[0, ...]
    n, c = geom.image[0], geom.image[1]
    kk = math.prod(geom.kernel)
    parts = xp.reshape(cols, (n, c, kk) + geom.blocks)
    padded_shape = (n, c) + tuple(m + lo + hi for m, (lo, hi) in zip(geom.image[2:], geom.pads))
    out = W.add_windows(backend, padded_shape, cols.dtype, geom.keys, [parts[:, :, k, ...] for k in range(kk)])
    return backend.copy(W.crop(out, geom.pads, geom.image[2:]))


def _unfold_map(backend, a, geom):
    return _im2col_array(backend, a, geom)


def _fold_map(backend, a, geom):
    return _col2im_array(backend, a, geom)


class Im2Col(OpFunction):
    """``unfold`` of a 4-d input (``grad_fn`` ``Im2ColBackward0``)."""

    name = "Im2ColBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, geom):
        ctx.geom = geom
        return _im2col_array(x._backend, x._data, geom)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _fold_map, _unfold_map, ctx.geom, "Col2ImBackward0", "Im2ColBackward0")


class Col2Im(OpFunction):
    """``fold`` of a 3-d input (``grad_fn`` ``Col2ImBackward0``)."""

    name = "Col2ImBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, geom):
        ctx.geom = geom
        return _col2im_array(x._backend, x._data, geom)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _unfold_map, _fold_map, ctx.geom, "Im2ColBackward0", "Col2ImBackward0")


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _args(pairs):
    """Each argument as a pair; PyTorch's messages for other lengths and bad values."""
    out = {}
    for what, v in pairs:
        t = _pair(v)
        if len(t) != 2:
            raise RuntimeError(f"It is expected {what} equals to 2, but got size {len(t)}")
        out[what] = t
    k, s, d, p = out["kernel_size"], out["stride"], out["dilation"], out["padding"]
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
                           f"kernel_width: {k[1]}")
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} stride_width: {s[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {d[0]} "
                           f"dilation_width: {d[1]}")
    if min(p) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    return out


def _check_dtype(kernel, input):
    dt = input.dtype
    if not (dt.is_floating_point or dt.is_complex or dt is _D.bool):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_D.scalar_name(dt)}'")


@_tensor_input(name="im2col")
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding windows of ``(N, C, H, W)`` (or unbatched ``(C, H, W)``) as columns:
    ``(N, C * kH * kW, L)``, ``L`` the number of windows (im2col). Column ``l`` holds window
    ``l`` (row-major over the output grid) with its rows ordered channel, then kernel row,
    then kernel column, so a convolution is ``weight.view(C_out, -1) @ unfold(x)``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: window size (int or pair).
        dilation: spacing between window elements (default 1).
        padding: zeros added on each side (default 0).
        stride: step between windows (default 1).

    Returns:
        ``(N, C * kH * kW, L)`` with ``L = prod((size + 2*padding - dilation*(k-1) - 1) //
        stride + 1)``; ``grad_fn``: ``Im2ColBackward0`` (its gradient is :func:`fold`).

    Raises:
        RuntimeError: for arguments that are not pairs, non-positive sizes, negative
            padding, an input that is not 3-D/4-D or has an empty non-batch dim, or no
            window at all (PyTorch's messages).
        NotImplementedError: for integer inputs.

    Mirrors ``torch.nn.functional.unfold``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.unfold(torch.arange(9.).view(1, 1, 3, 3), 2)
        tensor([[[0., 1., 3., 4.],
                 [1., 2., 4., 5.],
                 [3., 4., 6., 7.],
                 [4., 5., 7., 8.]]])
    """
    a = _args((("kernel_size", kernel_size), ("dilation", dilation), ("padding", padding), ("stride", stride)))
    nd = input.dim()
    shape = list(input.shape)
    if nd < 3:  # (PyTorch reads input.size(1) and input.size(2) first)
        _wrap_dim(1, nd)
        _wrap_dim(2, nd)
    if not ((nd == 3 and shape[0] and shape[1] and shape[2]) or (nd == 4 and shape[1] and shape[2] and shape[3])):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {shape}")
    blocks = _blocks(shape[-2:], a["kernel_size"], a["dilation"], a["padding"], a["stride"])
    if min(blocks) < 1:
        k, d, p = a["kernel_size"], a["dilation"], a["padding"]
        raise RuntimeError(f"Given input with spatial size ({shape[-2]}, {shape[-1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array of "
                           f"sliding blocks as ({blocks[0]}, {blocks[1]}), but its components must be at least one.")
    _check_dtype("im2col_out_cpu", input)
    geom = _Geom(([1] + shape) if nd == 3 else shape, a["kernel_size"], a["dilation"], a["padding"], a["stride"])
    return Im2Col.apply(input, geom=geom)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns ``(N, C * kH * kW, L)`` (or unbatched ``(C * kH * kW, L)``) added back into
    the windows of an ``(N, C) + output_size`` image (col2im): where windows overlap the
    values sum, and the padding is cropped. ``fold(unfold(x))`` multiplies each element by
    the number of windows that cover it.

    Args:
        input: ``(N, C * kH * kW, L)`` or ``(C * kH * kW, L)``.
        output_size: the image's ``(H, W)`` (int or pair).
        kernel_size: window size (int or pair).
        dilation: spacing between window elements (default 1).
        padding: padding cropped from each side (default 0).
        stride: step between windows (default 1).

    Returns:
        ``(N, C, H, W)``; ``grad_fn``: ``Col2ImBackward0`` (its gradient is :func:`unfold`).

    Raises:
        RuntimeError: for arguments that are not pairs, non-positive sizes, an input that
            is not 2-D/3-D or has an empty non-batch dim, a channel count not divisible by
            ``kH * kW``, or an ``L`` that is not the number of windows (PyTorch's messages).
        NotImplementedError: for integer inputs.

    Mirrors ``torch.nn.functional.fold``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.fold(torch.ones(1, 4, 4), (3, 3), 2)
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    a = _args((("output_size", output_size), ("kernel_size", kernel_size), ("dilation", dilation),
               ("padding", padding), ("stride", stride)))
    nd = input.dim()
    shape = list(input.shape)
    if not ((nd == 2 and shape[0] and shape[1]) or (nd == 3 and shape[1] and shape[2])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {shape}")
    k, o, d, p, s = (a[n] for n in ("kernel_size", "output_size", "dilation", "padding", "stride"))
    planes, length = shape[-2], shape[-1]
    if planes % (k[0] * k[1]):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={planes} and kernel_size=({k[0]}, {k[1]}).")
    blocks = _blocks(o, k, d, p, s)
    where = (f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
             f"padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), ")
    if length != blocks[0] * blocks[1]:
        raise RuntimeError(where + "expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={length}.")
    if min(blocks) < 1:
        raise RuntimeError(where + f"calculated shape of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), "
                           "which is too small (non-positive)")
    _check_dtype("col2im_out_cpu", input)
    c = planes // (k[0] * k[1])
    geom = _Geom((shape[0] if nd == 3 else 1, c) + o, k, d, p, s)
    return Col2Im.apply(input, geom=geom)
