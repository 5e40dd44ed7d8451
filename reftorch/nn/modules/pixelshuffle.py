"""``PixelShuffle``, ``PixelUnshuffle`` and ``ChannelShuffle``. Mirrors ``torch/nn/modules/pixelshuffle.py``
(and ``channelshuffle.py``)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """``(*, C * r * r, H, W)`` → ``(*, C, H * r, W * r)``: :func:`~reftorch.nn.functional.pixel_shuffle`
    with ``r = upscale_factor``. Mirrors ``torch.nn.PixelShuffle``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.PixelShuffle(3)(torch.zeros(1, 9, 4, 4)).shape
        torch.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``(*, C, H * r, W * r)`` → ``(*, C * r * r, H, W)``: the inverse of :class:`PixelShuffle`,
    with ``r = downscale_factor``. Mirrors ``torch.nn.PixelUnshuffle``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.PixelUnshuffle(3)(torch.zeros(1, 1, 12, 12)).shape
        torch.Size([1, 9, 4, 4])
    """

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave ``groups`` channel groups of ``(N, C, *)``:
    :func:`~reftorch.nn.functional.channel_shuffle`. Mirrors ``torch.nn.ChannelShuffle``.

    Args:
        groups: the number of groups (dividing ``C``).

    Examples:
        >>> import reftorch as torch
        >>> shuffle = torch.nn.ChannelShuffle(2)
        >>> shuffle
        ChannelShuffle(groups=2)
        >>> shuffle(torch.arange(4.).view(1, 4, 1, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
