"""Pooling layers. Mirrors ``torch/nn/modules/pooling.py``.

Each layer stores its arguments and calls the function of the same name in
``reftorch.nn.functional``; pooling layers have no parameters.
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"]


def _single(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over the last dim of ``(N, C, L)`` or ``(C, L)``: see
    :func:`reftorch.nn.functional.max_pool1d`.

    Args:
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on both sides.
        dilation: spacing between window elements.
        return_indices: also return the positions of the maxima.
        ceil_mode: round the output length up.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.MaxPool1d(2)(torch.tensor([[1., 3., 2., 2.]]))
        tensor([[3., 2.]])
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """Max pooling over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)``: see
    :func:`reftorch.nn.functional.max_pool2d`.

    Args:
        kernel_size: window size (int or pair).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on each side.
        dilation: spacing between window elements.
        return_indices: also return the positions of the maxima.
        ceil_mode: round the output size up.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.MaxPool2d(2)
        >>> pool
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
        >>> pool(torch.zeros(1, 6, 28, 28)).shape
        torch.Size([1, 6, 14, 14])
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """Max pooling over the last three dims of ``(N, C, D, H, W)`` or ``(C, D, H, W)``: see
    :func:`reftorch.nn.functional.max_pool3d` (arguments as :class:`MaxPool2d`, ints or
    triples).

    Mirrors ``torch.nn.MaxPool3d``.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.MaxPool3d((1, 2, 2))
        >>> pool
        MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=0, dilation=1, ceil_mode=False)
        >>> pool(torch.zeros(2, 3, 8, 16, 16)).shape
        torch.Size([2, 3, 8, 8, 8])
    """

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class _AvgPoolNd(Module):
    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Average pooling over the last dim of ``(N, C, L)`` or ``(C, L)``: see
    :func:`reftorch.nn.functional.avg_pool1d`.

    Args:
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        padding: implicit zero padding on both sides.
        ceil_mode: round the output length up.
        count_include_pad: count the padding in the divisor.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AvgPool1d(3)
        AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """Average pooling over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)``: see
    :func:`reftorch.nn.functional.avg_pool2d`.

    Args:
        kernel_size: window size (int or pair).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit zero padding on each side.
        ceil_mode: round the output size up.
        count_include_pad: count the padding in the divisor.
        divisor_override: divide every window sum by this instead.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AvgPool2d(2)(torch.ones(1, 4, 4)).shape
        torch.Size([1, 2, 2])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool3d(AvgPool2d):
    """Average pooling over the last three dims of ``(N, C, D, H, W)`` or ``(C, D, H, W)``:
    see :func:`reftorch.nn.functional.avg_pool3d` (arguments as :class:`AvgPool2d`, ints or
    triples).

    Mirrors ``torch.nn.AvgPool3d``.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.AvgPool3d(2, stride=(1, 2, 2))
        >>> pool
        AvgPool3d(kernel_size=2, stride=(1, 2, 2), padding=0)
        >>> pool(torch.ones(1, 4, 4, 4)).shape
        torch.Size([1, 3, 2, 2])
    """

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptivePoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed output length.

    Window ``i`` covers positions ``floor(i * L / L_out)`` to ``ceil((i + 1) * L / L_out)``
    (exclusive), so the windows may overlap and differ in size; the result has the
    input's dtype. Mirrors ``torch.nn.AdaptiveAvgPool1d``; see
    :func:`reftorch.nn.functional.adaptive_avg_pool1d`.

    Args:
        output_size: the output length ``L_out`` (int).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveAvgPool1d(2)(torch.ones(3, 7)).shape
        torch.Size([3, 2])
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, H, W)`` or ``(C, H, W)`` to a fixed output size.

    The windows are chosen per dimension as in :class:`AdaptiveAvgPool1d`.
    Mirrors ``torch.nn.AdaptiveAvgPool2d``; see
    :func:`reftorch.nn.functional.adaptive_avg_pool2d`.

    Args:
        output_size: ``(H_out, W_out)``, or an int for a square output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveAvgPool2d((1, 1))(torch.ones(2, 8, 5, 7)).shape
        torch.Size([2, 8, 1, 1])
    """

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size
    (windows per dimension as in :class:`AdaptiveAvgPool1d`; ``None`` keeps a size).
    Mirrors ``torch.nn.AdaptiveAvgPool3d``; see
    :func:`reftorch.nn.functional.adaptive_avg_pool3d`.

    Args:
        output_size: ``(D_out, H_out, W_out)``, or an int for a cube.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.AdaptiveAvgPool3d((1, None, 2))
        >>> pool
        AdaptiveAvgPool3d(output_size=(1, None, 2))
        >>> pool(torch.ones(2, 8, 4, 5, 7)).shape
        torch.Size([2, 8, 1, 5, 2])
    """

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed output length.

    The windows are those of :class:`AdaptiveAvgPool1d`. Mirrors
    ``torch.nn.AdaptiveMaxPool1d``; see :func:`reftorch.nn.functional.adaptive_max_pool1d`.

    Args:
        output_size: the output length ``L_out`` (int).
        return_indices: also return the positions of the maxima (int64), as
            ``(output, indices)`` (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveMaxPool1d(1)(torch.tensor([[1., 4., 2.]]))
        tensor([[4.]])
    """

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, H, W)`` or ``(C, H, W)`` to a fixed output size.

    The windows are chosen per dimension as in :class:`AdaptiveAvgPool1d`. Mirrors
    ``torch.nn.AdaptiveMaxPool2d``; see :func:`reftorch.nn.functional.adaptive_max_pool2d`.

    Args:
        output_size: ``(H_out, W_out)``, or an int for a square output.
        return_indices: also return the flat positions of the maxima in each
            ``H * W`` plane (int64), as ``(output, indices)`` (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveMaxPool2d(2)
        AdaptiveMaxPool2d(output_size=2)
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size
    (windows per dimension as in :class:`AdaptiveAvgPool1d`). Mirrors
    ``torch.nn.AdaptiveMaxPool3d``; see :func:`reftorch.nn.functional.adaptive_max_pool3d`.

    Args:
        output_size: ``(D_out, H_out, W_out)``, or an int for a cube.
        return_indices: also return the flat positions of the maxima in each
            ``D * H * W`` volume (int64), as ``(output, indices)`` (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveMaxPool3d(1)(torch.arange(8.).view(1, 2, 2, 2))
        tensor([[[[7.]]]])
    """

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)
