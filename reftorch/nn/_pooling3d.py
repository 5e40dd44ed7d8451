"""``F.max_pool3d``, ``F.avg_pool3d``, ``F.adaptive_avg_pool3d`` and
``F.adaptive_max_pool3d``: PyTorch's argument checks (in its order, with its messages) in
front of the n-d pooling kernels of :mod:`._pooling`."""
from __future__ import annotations

from .._tensor import Tensor
from . import _pooling as _Pool
from .. import _dtype as _D
from ._pool_shapes import (adaptive_size, avg_divisors, check_avg_dtype, check_floating, check_not_empty, pool_out,
                           window_divisors)
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _triple(name, what, v, allow_empty, must):
    """``v`` as a triple; PyTorch's message when it has another length (``must``: its
    wording, which varies between the functions and arguments)."""
    t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(t) not in ((0, 1, 3) if allow_empty else (1, 3)):
        omitted = "omitted, " if allow_empty else ""
        raise RuntimeError(f"{name}: {what} {must} {omitted}a single int, or a tuple of three ints")
    return t * 3 if len(t) == 1 else t


def _check_rank(input):
    if input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")


def _geometry(name, prefix, input, kernel, stride, padding, dilation, ceil_mode, check_input_size):
    """Output size and ``(lo, hi)`` pads of a 3-d pooling: PyTorch's ``pooling_output_shape``
    and ``pool3d_shape_check``."""
    _check_rank(input)
    sp = tuple(input.shape[-3:])
    for k, s, p, d in zip(kernel, stride, padding, dilation):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    out = tuple(pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(sp, kernel, stride, padding, dilation))
    for what, v in (("kernel size", kernel), ("stride", stride)):
        if any(x <= 0 for x in v):
            letter = "k" if what == "kernel size" else "d"
            raise RuntimeError(f"{what} should be greater than zero, but got {letter}T: {v[0]} {letter}H: {v[1]} "
                               f"{letter}W: {v[2]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {dilation[0]} "
                           f"dilationH: {dilation[1]} dilationW: {dilation[2]}")
    shape = list(input.shape)
    if 0 in (shape if input.dim() == 4 else shape[1:]):
        raise RuntimeError(f"{prefix}Expected input's non-batch dimensions to have positive length, but input has a "
                           f"shape of {shape} and non-batch dimension 0 has length zero!")  # (PyTorch prints 0)
    if check_input_size and any(n < k for n, k in zip(sp, kernel)):
        raise RuntimeError(f"input image (T: {sp[0]} H: {sp[1]} W: {sp[2]}) smaller than kernel size "
                           f"(kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    if any(p > k // 2 for k, p in zip(kernel, padding)):  # (this check ignores the dilation)
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got kT: {kernel[0]} "
                           f"kW: {kernel[2]} kH: {kernel[1]} padT: {padding[0]} padW: {padding[2]} "
                           f"padH: {padding[1]}")
    if any(o < 1 for o in out):
        c = input.shape[-4]
        raise RuntimeError(f"Given input size: ({c}x{sp[0]}x{sp[1]}x{sp[2]}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}x{out[2]}). Output size is too small")
    # right padding: as much as the last window needs (ceil_mode may reach past `padding`)
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, k, s, p, d, o in zip(sp, kernel, stride, padding, dilation, out))
    return out, pads


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each ``kernel_size`` window of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Args:
        input: ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        kernel_size: window size (int or triple).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on each side (at most half the window).
        dilation: spacing between window elements.
        ceil_mode: round the output size up (a last, partial window).
        return_indices: also return where each maximum came from, as flat indices into
            each ``D * H * W`` volume (what ``MaxUnpool3d`` takes).

    Returns:
        ``(N, C, D_out, H_out, W_out)``, each size
        ``(size + 2*padding - dilation*(k-1) - 1) // stride + 1`` (rounded up with
        ``ceil_mode``), or ``(values, indices)``; ties and NaNs as :func:`max_pool2d`.
        ``grad_fn``: ``MaxPool3DWithIndicesBackward0``.

    Raises:
        RuntimeError: for bad argument lengths, ranks, non-positive sizes, too much
            padding, empty dims or an empty output (PyTorch's messages).

    Mirrors ``torch.nn.functional.max_pool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.arange(8.).view(1, 1, 2, 2, 2)
        >>> F.max_pool3d(x, 2, return_indices=True)
        (tensor([[[[[7.]]]]]), tensor([[[[[7]]]]]))
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("max_pool3d", max_pool3d, locals())
    kernel = _triple("max_pool3d", "kernel_size", kernel_size, False, "must either be")
    stride = kernel if stride is None else _triple("max_pool3d", "stride", stride, True, "must either be")
    stride = kernel if stride == () else stride
    padding = _triple("max_pool3d", "padding", padding, False, "must either be")
    dilation = _triple("max_pool3d", "dilation", dilation, False, "must be either")
    out, pads = _geometry("max_pool3d", "max_pool3d_with_indices_out_cpu_template(): ", input, kernel, stride,
                          padding, dilation, ceil_mode, False)
    if input.dtype is _D.bool:
        raise NotImplementedError("\"max_pool3d\" not implemented for 'Bool'")
    box = [] if return_indices else None
    values = _Pool.MaxPool.apply(input, kernel=kernel, stride=stride, pads=pads, dilation=dilation, out_size=out,
                                 box=box, _name="MaxPool3DWithIndicesBackward0")
    if return_indices:
        return values, Tensor._wrap(box[0], input.device, input._backend)
    return values


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each ``kernel_size`` window of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Args:
        input: ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        kernel_size: window size (int or triple).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit zero padding on each side (at most half the window).
        ceil_mode: round the output size up.
        count_include_pad: count the zero padding in the divisor (default ``True``);
            windows sticking out past the padding (``ceil_mode``) never count that part.
        divisor_override: divide every window sum by this number instead.

    Returns:
        ``(N, C, D_out, H_out, W_out)`` (sizes as :func:`max_pool3d` with dilation 1),
        row-major. ``grad_fn``: ``AvgPool3DBackward0``.

    Raises:
        RuntimeError: as :func:`max_pool3d`, for an input smaller than the window
            ("input image ... smaller than kernel size"), and "divisor must be not zero".

    Mirrors ``torch.nn.functional.avg_pool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.avg_pool3d(torch.arange(8.).view(1, 1, 2, 2, 2), 2)
        tensor([[[[[3.5000]]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("avg_pool3d", avg_pool3d, locals())
    kernel = _triple("avg_pool3d", "kernel_size", kernel_size, False, "must be")
    stride = kernel if stride is None else _triple("avg_pool3d", "stride", stride, True, "must be")
    stride = kernel if stride == () else stride
    padding = _triple("avg_pool3d", "padding", padding, False, "must be")
    _check_rank(input)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out, pads = _geometry("avg_pool3d", "avg_pool3d(): ", input, kernel, stride, padding, (1, 1, 1), ceil_mode,
                          True)
    check_avg_dtype("avg_pool3d_out_frame", input)
    if divisor_override is not None:
        div = divisor_override
    else:
        div = window_divisors(avg_divisors(input.shape[-3:], kernel, stride, padding, out, count_include_pad))
    return _Pool.AvgPool.apply(input, kernel=kernel, stride=stride, pads=pads, out_size=out, div=div,
                               _name="AvgPool3DBackward0")


def adaptive_avg_pool3d(input, output_size):
    """Average pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed
    ``output_size`` (windows as :func:`adaptive_avg_pool2d`; ``None`` keeps a dim's size).

    Raises:
        RuntimeError: for inputs that are not 4-D or 5-D, a wrong ``output_size`` or an
            empty ``D``, ``H`` or ``W`` (unless ``output_size`` is 1, a mean).
        NotImplementedError: for integer inputs.

    Mirrors ``torch.nn.functional.adaptive_avg_pool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.adaptive_avg_pool3d(torch.arange(8.).view(1, 2, 2, 2), (1, 2, 1))
        tensor([[[[2.5000],
                  [4.5000]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("adaptive_avg_pool3d", adaptive_avg_pool3d, locals())
    out = adaptive_size("adaptive_avg_pool3d", input, output_size, 3)
    if 0 in out:  # nothing to pool into: an empty result
        return input.new_zeros(tuple(input.shape[:-3]) + out)
    if out == (1, 1, 1):
        return _Pool.adaptive_mean(input, (-1, -2, -3))  # what PyTorch does (a mean)
    check_not_empty("adaptive_avg_pool3d", input, range(1, input.dim()))
    check_floating("adaptive_avg_pool3d_cpu", input)
    return _Pool.AdaptiveAvgPool.apply(input, out_size=out, _name="AdaptiveAvgPool3DBackward0")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed ``output_size``
    (windows as :func:`adaptive_avg_pool2d`).

    Returns:
        the maxima, or ``(values, indices)`` with flat indices into each ``D * H * W``
        volume. ``grad_fn``: ``AdaptiveMaxPool3DBackward0``.

    Raises:
        RuntimeError: as :func:`adaptive_avg_pool3d`.
        NotImplementedError: for integer inputs.

    Mirrors ``torch.nn.functional.adaptive_max_pool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.adaptive_max_pool3d(torch.arange(8.).view(1, 2, 2, 2), 1, return_indices=True)
        (tensor([[[[7.]]]]), tensor([[[[7]]]]))
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("adaptive_max_pool3d", adaptive_max_pool3d, locals())
    out = adaptive_size("adaptive_max_pool3d", input, output_size, 3)
    if 0 in out:  # nothing to pool into: empty results
        values = input.new_zeros(tuple(input.shape[:-3]) + out)
        return (values, values.long()) if return_indices else values
    check_not_empty("adaptive_max_pool3d", input, range(1, input.dim()))
    check_floating("adaptive_max_pool3d_cpu", input)
    box = []
    values = _Pool.AdaptiveMaxPool.apply(input, out_size=out, box=box, _name="AdaptiveMaxPool3DBackward0")
    if return_indices:
        return values, Tensor._wrap(box[0], input.device, input._backend)
    return values
