"""``torch.memory_format`` and its four values, and the strides each one asks for.

A memory format names an order of a tensor's dims in memory: ``contiguous_format``
(row-major), ``channels_last`` (4-d, N H W C in memory), ``channels_last_3d`` (5-d, N D H W
C) and ``preserve_format`` (the order of the tensor a new one is made from). The stride
rules themselves live in ``_layout``; this module maps the formats onto them.
"""
from __future__ import annotations

from ._layout import (_channels_last_3d_strides, _channels_last_strides, _is_channels_last, contiguous_strides,
                      preserve_strides, suggests_channels_last, suggests_channels_last_3d, with_strides)


class memory_format:
    """A memory layout for a new tensor, such as ``torch.channels_last``.

    Mirrors ``torch.memory_format``. The four values are singletons (compare them with
    ``==`` or ``is``); new ones cannot be made.

    Raises:
        TypeError: on ``torch.memory_format()`` ("cannot create 'torch.memory_format'
            instances").

    Examples:
        >>> import reftorch as torch
        >>> torch.channels_last
        torch.channels_last
        >>> isinstance(torch.preserve_format, torch.memory_format)
        True
    """

    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.memory_format' instances")

    @classmethod
    def _make(cls, name):
        obj = object.__new__(cls)
        obj._name = name
        return obj

    def __repr__(self) -> str:
        return "torch." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return self._name  # pickles as the module-level singleton


contiguous_format = memory_format._make("contiguous_format")
channels_last = memory_format._make("channels_last")
channels_last_3d = memory_format._make("channels_last_3d")
preserve_format = memory_format._make("preserve_format")


def check_memory_format(value, fn, default=None):
    """``value`` if it is a memory format; ``default`` for ``None`` where ``default`` is
    given (PyTorch's optional argument), else PyTorch's TypeError."""
    if value.__class__ is memory_format:
        return value
    if value is None and default is not None:
        return default
    raise TypeError(f"{fn}(): argument 'memory_format' must be torch.memory_format, not {type(value).__name__}")


def format_strides(shape, fmt):
    """The strides of a new tensor of ``shape`` in the memory format ``fmt`` (not
    ``preserve_format``): row-major, or channels-last(-3d), which needs a 4-d (5-d) shape.

    Raises:
        RuntimeError: "required rank 4 tensor to use channels_last format" (5,
            channels_last_3d) for another rank.
    """
    if fmt is channels_last:
        if len(shape) != 4:
            raise RuntimeError("required rank 4 tensor to use channels_last format")
        return _channels_last_strides(tuple(shape))
    if fmt is channels_last_3d:
        if len(shape) != 5:
            raise RuntimeError("required rank 5 tensor to use channels_last_3d format")
        return _channels_last_3d_strides(tuple(shape))
    return contiguous_strides(shape)


def like_strides(shape, strides, fmt):
    """The strides PyTorch's ``empty_like`` gives a new tensor made like one of ``shape``
    and ``strides`` in the memory format ``fmt`` (``preserve_format``: see
    ``_layout.preserve_strides``)."""
    if fmt is preserve_format:
        return preserve_strides(tuple(shape), tuple(strides))
    return format_strides(shape, fmt)


def is_contiguous_as(shape, strides, fmt):
    """``Tensor.is_contiguous(memory_format=fmt)`` for the channels-last formats: a 4-d (5-d)
    tensor whose strides are channels-last contiguous, size-1 dims ignored."""
    nd = 4 if fmt is channels_last else 5
    return len(shape) == nd and _is_channels_last(tuple(shape), tuple(strides))


def suggest_memory_format(shape, strides):
    """PyTorch's ``suggest_memory_format()``: the format whose order the strides follow
    (channels-last ones only for 4-d and 5-d tensors; ambiguous cases are row-major)."""
    if suggests_channels_last(shape, strides):
        return channels_last
    if suggests_channels_last_3d(shape, strides):
        return channels_last_3d
    return contiguous_format


def keep_empty_strides(t, strides):
    """``t`` (a new tensor laid out with ``strides``), given those strides also when it is
    empty: ``Function.apply`` and the creation functions give an empty result row-major
    strides, PyTorch a memory format's
    (``torch.empty(2, 3, 0, 5, memory_format=torch.channels_last).stride() == (0, 1, 15, 3)``)."""
    arr = t._data
    if 0 in arr.shape:
        t._data = t._backend.as_strided(arr, arr.shape, tuple(strides))
    return t


def lay_out_like(t, *likes):
    """``t`` (a new tensor) laid out channels-last(-3d) when one of ``likes`` (tensors of
    ``t``'s rank) suggests that format (:func:`suggest_memory_format`), as PyTorch lays out
    the results of its transposed convolutions and of ``max_unpool2d``; else ``t`` as it
    is."""
    for like in likes:
        fmt = suggest_memory_format(tuple(like._data.shape), like._backend.strides(like._data))
        if fmt is not contiguous_format and like._data.ndim == t._data.ndim:
            t._data = with_strides(t._backend, t._data, format_strides(t._data.shape, fmt))
            break
    return t
