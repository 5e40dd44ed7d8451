"""``unravel_index``: flat indices to coordinates, as PyTorch's Python function computes them
(floor division by the row-major strides, then the remainder by each size)."""
from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence

from .. import _dtype as D
from .creation import tensor
from .indexing import unbind
from .pointwise import floor_divide, remainder
from .shape import unsqueeze


def unravel_index(indices, shape):
    """The coordinates, in a tensor of ``shape``, of the flat (row-major) ``indices``: a
    tuple of int64 tensors of ``indices``' shape, one per dimension.

    Negative and too large indices wrap around (Python's ``%``), as in PyTorch. Mirrors
    ``torch.unravel_index``.

    Raises:
        TypeError: if ``indices`` is not of an integer dtype or ``shape`` is not an int or
            a sequence of ints.
        ValueError: if ``shape`` has a negative size.

    Examples:
        >>> import reftorch as torch
        >>> torch.unravel_index(torch.tensor([4, 1]), (2, 3))
        (tensor([1, 0]), tensor([1, 1]))
    """
    if indices.is_complex() or indices.is_floating_point() or indices.dtype is D.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if not isinstance(shape, (int, Sequence)):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if isinstance(shape, int):
        shape = (shape,)
    for size in shape:
        if not isinstance(size, int):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(size)}")
    shape = tuple(shape)
    if any(size < 0 for size in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    strides = list(reversed(list(itertools.accumulate(reversed(shape[1:] + (1,)), func=operator.mul))))
    kw = {"dtype": D.int64, "device": indices.device}
    coords = remainder(floor_divide(unsqueeze(indices, -1), tensor(strides, **kw)), tensor(shape, **kw))
    return unbind(coords, -1)
