"""``torch.frombuffer``: a tensor over the memory of a Python buffer (``bytearray``,
``array.array``, ``memoryview``, a NumPy array ...).

Mirrors ``tensor_frombuffer`` of ``torch/csrc/utils/tensor_new.cpp`` (its checks and
messages); the memory is read on the host with NumPy, as ``from_numpy`` does.
"""
from __future__ import annotations

import numpy as _np  # host memory of a Python buffer: read with NumPy, then shared as from_numpy does

from .._warnings import warn_once
from ._numpy_names import NOT_GIVEN
from .creation import from_numpy

_NOT_WRITABLE = ("The given buffer is not writable, and PyTorch does not support non-writable tensors. This means "
                 "you can write to the underlying (supposedly non-writable) buffer using the tensor. You may want to "
                 "copy the buffer to protect its data or make it writable before converting it to a tensor. This "
                 "type of warning will be suppressed for the rest of this program. (Triggered internally at "
                 "/__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:1556.)")


def frombuffer(buffer, *, dtype=NOT_GIVEN, count=-1, offset=0, requires_grad=False):
    """A 1-d CPU tensor of ``dtype`` over the bytes of ``buffer`` from byte ``offset`` on:
    ``count`` elements (a negative count: all that fit). It **shares** the buffer's memory:
    writing to one changes the other. Mirrors ``torch.frombuffer``.

    A read-only buffer (``bytes``) gives PyTorch's once-per-process warning; unlike in
    PyTorch (where writes then change the immutable object), reftorch's tensor is a copy.

    Raises:
        ValueError: if ``buffer`` is no buffer, is empty or ``count`` is 0, ``offset`` is
            outside it, the bytes after ``offset`` are not a whole number of elements (with
            no ``count``), or ``count`` elements do not fit.
        TypeError: without ``dtype``.

    Examples:
        >>> import reftorch as torch
        >>> data = bytearray([1, 2, 3, 4])
        >>> t = torch.frombuffer(data, dtype=torch.uint8)
        >>> t[0] = 9
        >>> data
        bytearray(b'\\t\\x02\\x03\\x04')
        >>> torch.frombuffer(data, dtype=torch.int16, offset=2)
        tensor([1027], dtype=torch.int16)
    """
    if dtype is NOT_GIVEN:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    length, size = view.nbytes, dtype.itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({size})")
        count = (length - offset) // size
    if offset + count * size > length:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({length} bytes)")
    arr = _np.frombuffer(view.cast("B") if view.ndim != 1 or view.format != "B" else view, dtype=_np.uint8,
                         count=count * size, offset=offset).view(dtype.name)
    if view.readonly:
        warn_once(_NOT_WRITABLE, 0)
        arr = arr.copy()
    out = from_numpy(arr)
    if requires_grad:
        out.requires_grad_(True)
    return out
