"""``Fold`` and ``Unfold``. Mirrors ``torch/nn/modules/fold.py``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """Combine columns ``(N, C * kH * kW, L)`` into an ``(N, C) + output_size`` image,
    summing where windows overlap (col2im; see :func:`reftorch.nn.functional.fold`).

    Args:
        output_size: the image's ``(H, W)`` (int or pair).
        kernel_size: window size (int or pair).
        dilation: spacing between window elements (default 1).
        padding: padding cropped from each side (default 0).
        stride: step between windows (default 1).

    Mirrors ``torch.nn.Fold``.

    Examples:
        >>> import reftorch as torch
        >>> fold = torch.nn.Fold((4, 5), 2, stride=(2, 1))
        >>> fold
        Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=(2, 1))
        >>> fold(torch.ones(1, 12, 8)).shape
        torch.Size([1, 3, 4, 5])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """The sliding windows of ``(N, C, H, W)`` as columns ``(N, C * kH * kW, L)`` (im2col;
    see :func:`reftorch.nn.functional.unfold`).

    Args:
        kernel_size: window size (int or pair).
        dilation: spacing between window elements (default 1).
        padding: zeros added on each side (default 0).
        stride: step between windows (default 1).

    Mirrors ``torch.nn.Unfold``.

    Examples:
        >>> import reftorch as torch
        >>> unfold = torch.nn.Unfold(3, padding=1)
        >>> unfold
        Unfold(kernel_size=3, dilation=1, padding=1, stride=1)
        >>> unfold(torch.zeros(2, 4, 5, 6)).shape
        torch.Size([2, 36, 30])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")
