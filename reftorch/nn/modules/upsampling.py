"""``Upsample`` and its fixed-mode variants: ``F.interpolate`` as a layer. Mirrors
``torch/nn/modules/upsampling.py``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Resize the spatial dims of a batch (``F.interpolate`` with fixed arguments).

    Args:
        size: the output spatial size (an int or a tuple of ints).
        scale_factor: a multiplier of the spatial size (a float or a tuple of floats;
            stored as floats). Give exactly one of ``size`` and ``scale_factor``.
        mode: ``'nearest'`` (default), ``'nearest-exact'``, ``'linear'``, ``'bilinear'``,
            ``'trilinear'`` or ``'area'``.
        align_corners: for the linear modes (``None`` means ``False``).
        recompute_scale_factor: compute the output size from ``scale_factor``, then
            resample as if that size had been given.

    Shape:
        ``(N, C, W)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)`` to the same with the
        resized spatial dims. No parameters or buffers.

    Raises:
        ValueError: in ``forward``, for both or neither of ``size`` and ``scale_factor``
            (the checks of :func:`reftorch.nn.functional.interpolate`).

    Mirrors ``torch.nn.Upsample``.

    Examples:
        >>> import reftorch as torch
        >>> up = torch.nn.Upsample(scale_factor=2, mode='bilinear')
        >>> up
        Upsample(scale_factor=2.0, mode='bilinear')
        >>> up(torch.tensor([[[[1., 2.], [3., 4.]]]]))
        tensor([[[[1.0000, 1.2500, 1.7500, 2.0000],
                  [1.5000, 1.7500, 2.2500, 2.5000],
                  [2.5000, 2.7500, 3.2500, 3.5000],
                  [3.0000, 3.2500, 3.7500, 4.0000]]]])
    """

    __constants__ = ["size", "scale_factor", "mode", "align_corners", "name", "recompute_scale_factor"]

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` for 4D input.

    Mirrors ``torch.nn.UpsamplingNearest2d``.
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` for 4D input.

    Mirrors ``torch.nn.UpsamplingBilinear2d``.
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
