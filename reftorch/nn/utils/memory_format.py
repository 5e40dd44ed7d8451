"""``torch.nn.utils.convert_conv2d_weight_memory_format`` and its 3-d twin: lay the weights
of a model's convolutions out in a memory format (such as ``torch.channels_last``)."""
from __future__ import annotations

from ..modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d


def _convert(module, memory_format, kinds):
    if isinstance(module, kinds):
        weight = module.weight.detach().clone(memory_format=memory_format)
        module.weight.data = weight.resize_(weight.size(), memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Lay the weight of every ``nn.Conv2d`` and ``nn.ConvTranspose2d`` in ``module`` (itself
    or a submodule, at any depth) out in ``memory_format``, in place. Mirrors
    ``torch.nn.utils.convert_conv2d_weight_memory_format``.

    The weights stay the same ``Parameter`` objects (their ``.data`` is replaced), with
    the same values; other modules are left as they are.

    Args:
        module: an ``nn.Module``.
        memory_format: ``torch.channels_last``, ``torch.contiguous_format`` (or
            ``torch.channels_last_3d``, which a 4-d weight refuses).

    Returns:
        ``module`` itself.

    Raises:
        RuntimeError: for a format that does not fit a 4-d weight, or
            ``torch.preserve_format`` ("Unsupported memory formatPreserve").
        TypeError: if ``memory_format`` is not a ``torch.memory_format``.

    Examples:
        >>> import reftorch as torch
        >>> model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
        >>> model = torch.nn.utils.convert_conv2d_weight_memory_format(model, torch.channels_last)
        >>> model[0].weight.stride()
        (27, 1, 9, 3)
    """
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """As :func:`convert_conv2d_weight_memory_format`, for the weights of ``nn.Conv3d`` and
    ``nn.ConvTranspose3d`` (5-d: ``torch.channels_last_3d``). Mirrors
    ``torch.nn.utils.convert_conv3d_weight_memory_format``.

    Examples:
        >>> import reftorch as torch
        >>> conv = torch.nn.Conv3d(2, 4, 3)
        >>> conv = torch.nn.utils.convert_conv3d_weight_memory_format(conv, torch.channels_last_3d)
        >>> conv.weight.stride()
        (54, 1, 18, 6, 2)
    """
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
