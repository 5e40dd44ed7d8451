"""``F.pixel_shuffle`` and ``F.pixel_unshuffle``: trade channels for spatial resolution;
``F.channel_shuffle``: interleave channel groups.

``pixel_shuffle(x, r)`` turns ``(*, C * r * r, H, W)`` into ``(*, C, H * r, W * r)``: each
group of ``r * r`` channels fills the ``r x r`` block of one output pixel (the sub-pixel
convolution of super-resolution networks); ``pixel_unshuffle`` is its inverse. Each is
one op whose gradient is the other (``PixelShuffleBackward0``, ``PixelUnshuffleBackward0``).
"""
from __future__ import annotations

from .._layout import memory_format_layout, row_major
from .._tensor import Tensor
from ..autograd.function import OpFunction as Function
from .._ops._common import tensor_input


def _shuffle(b, a, r):
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    x = b.xp.reshape(a, lead + (c // (r * r), r, r, h, w))
    x = b.xp.permute_dims(x, tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))  # (*, C, H, r, W, r)
    return memory_format_layout(b, b.xp.reshape(b.copy(x), lead + (c // (r * r), h * r, w * r)), a)  # (channels-last stays so)


def _unshuffle(b, a, r):
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    x = b.xp.reshape(a, lead + (c, h // r, r, w // r, r))
    x = b.xp.permute_dims(x, tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))  # (*, C, r, r, H, W)
    return memory_format_layout(b, b.xp.reshape(b.copy(x), lead + (c * r * r, h // r, w // r)), a)  # (channels-last stays so)


class _Rearrange(Function):
    """One of the pair: ``kernel`` forward, the other op of the pair (``inverse``) backward."""

    create_graph = True
    arity = 1
    kernel = inverse = None

    @classmethod
    def forward(cls, ctx, x, factor):
        ctx.factor = factor
        return cls.kernel(x._backend, x._data, factor)

    @classmethod
    def backward(cls, ctx, g):
        if isinstance(g, Tensor):  # (recorded as PyTorch records it: the other op)
            return cls.inverse.apply(g, ctx.factor)
        return cls.inverse.kernel(ctx.backend, g, ctx.factor)


class PixelShuffle(_Rearrange):
    name, kernel = "PixelShuffleBackward0", staticmethod(_shuffle)


class PixelUnshuffle(_Rearrange):
    name, kernel = "PixelUnshuffleBackward0", staticmethod(_unshuffle)


PixelShuffle.inverse, PixelUnshuffle.inverse = PixelUnshuffle, PixelShuffle


def _check(fn, input, factor, what):
    if input.dim() < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with {input.dim()} "
                           "dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{fn} expects a positive {what}, but got {factor}")


@tensor_input
def pixel_shuffle(input, upscale_factor):
    """``(*, C * r * r, H, W)`` → ``(*, C, H * r, W * r)`` with ``r = upscale_factor``.

    Output pixel ``(h * r + i, w * r + j)`` of channel ``c`` is input channel
    ``c * r * r + i * r + j`` at ``(h, w)``. Mirrors ``torch.nn.functional.pixel_shuffle``.

    Raises:
        RuntimeError: for fewer than 3 dims, a factor that is not positive, or channels
            not divisible by ``r * r``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.pixel_shuffle(torch.arange(4.).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    _check("pixel_shuffle", input, upscale_factor, "upscale_factor")
    r2 = upscale_factor * upscale_factor
    if input.shape[-3] % r2:
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={input.shape[-3]} is not divisible by {r2}")
    return PixelShuffle.apply(input, upscale_factor)


@tensor_input
def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H * r, W * r)`` → ``(*, C * r * r, H, W)`` with ``r = downscale_factor``: the
    inverse of :func:`pixel_shuffle`. Mirrors ``torch.nn.functional.pixel_unshuffle``.

    Raises:
        RuntimeError: for fewer than 3 dims, a factor that is not positive, or a height or
            width not divisible by ``r``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.pixel_unshuffle(torch.arange(4.).reshape(1, 1, 2, 2), 2).flatten()
        tensor([0., 1., 2., 3.])
    """
    _check("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    for name, k in (("height", -2), ("width", -1)):
        if input.shape[k] % downscale_factor:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({k})={input.shape[k]} is not divisible by {downscale_factor}")
    return PixelUnshuffle.apply(input, downscale_factor)


def _channel_shuffle(b, a, groups):
    """``(N, C, *)`` viewed as ``(N, groups, C / groups, *)``, the two channel dims swapped."""
    xp = b.xp
    n, c, rest = a.shape[0], a.shape[1], tuple(a.shape[2:])
    if c == 0:  # (no channels to shuffle)
        return row_major(b, b.copy(a))
    x = xp.reshape(a, (n, groups, c // groups) + rest)
    x = xp.permute_dims(x, (0, 2, 1) + tuple(range(3, x.ndim)))
    return memory_format_layout(b, xp.reshape(b.copy(x), a.shape), a)


class ChannelShuffle(Function):
    """Channel shuffle; its gradient is the shuffle with ``C / groups`` groups, the
    inverse (``ChannelShuffleBackward0`` at every order, as PyTorch)."""

    name = "ChannelShuffleBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, groups):
        ctx.inverse = x.shape[1] // groups
        return _channel_shuffle(x._backend, x._data, groups)

    @staticmethod
    def backward(ctx, g):
        if ctx.inverse <= 0:  # no channels: PyTorch's backward calls the shuffle with 0 groups
            raise RuntimeError("Number of groups to divide channels in must be positive. Value of groups:0")
        if isinstance(g, Tensor):
            return ChannelShuffle.apply(g, ctx.inverse)
        return _channel_shuffle(ctx.backend, g, ctx.inverse)


@tensor_input
def channel_shuffle(input, groups):
    """Split the ``C`` channels of ``(N, C, *)`` into ``groups`` groups and interleave
    them: output channel ``j * groups + i`` is input channel ``i * (C / groups) + j`` (the
    shuffle of ShuffleNet, so that grouped convolutions see every group).

    Raises:
        RuntimeError: for fewer than 3 dims, ``groups`` not positive, or ``C`` not
            divisible by ``groups`` (PyTorch's messages).

    Mirrors ``torch.nn.functional.channel_shuffle``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.channel_shuffle(torch.arange(6.).view(1, 6, 1), 2).flatten()
        tensor([0., 3., 1., 4., 2., 5.])
    """
    check_channel_shuffle(input, groups)
    return ChannelShuffle.apply(input, groups)


def check_channel_shuffle(input, groups):
    """PyTorch's checks of the channel shuffle's arguments (its messages)."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
