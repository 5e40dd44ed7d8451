"""``torch.testing.make_tensor``: a random tensor of a given shape and dtype for tests,
drawn as PyTorch draws it (``randint`` for bool and integers, ``uniform_`` for floats and
the parts of complex numbers), so a seeded call gives PyTorch's values."""
from __future__ import annotations

import collections.abc
import math
import warnings

from .. import _dtype as D
from .._ops.creation import empty
from .._ops.sampling import randint, uniform_
from .._ops.shape import view_as_real
from .._type_info import finfo, iinfo

_INTEGRAL = (D.uint8, D.int8, D.int16, D.int32, D.int64)
_FLOATING = (D.float16, D.bfloat16, D.float32, D.float64)
_COMPLEX = (D.complex64, D.complex128)


def _low_high(dtype, low, high, lowest, highest, default_low, default_high):
    """``low``/``high`` defaulted, checked and clamped to ``[lowest, highest)`` (integers:
    rounded up), as PyTorch does."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low!r} and high={high!r}")
    if low == high and dtype in _FLOATING + _COMPLEX:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=4)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} only "
                         f"supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if dtype is D.bool or dtype in _INTEGRAL:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` filled with values drawn uniformly from ``[low, high)``.
    Mirrors ``torch.testing.make_tensor``.

    The defaults of ``low``/``high``: bool ``0``/``2``, unsigned integers ``0``/``10``, signed
    integers ``-9``/``10``, floating and complex types ``-9``/``9`` (for each part of a
    complex number); bounds outside the dtype's finite range are clamped to it.

    Args:
        *shape: the sizes, as integers or one sequence.
        dtype: the dtype (bool, an integer, floating or complex dtype).
        device: the device.
        low: inclusive lower bound.
        high: exclusive upper bound.
        requires_grad: whether autograd records operations on the result (floating and
            complex dtypes only).
        noncontiguous: whether the result is a non-contiguous view (every other element
            of a tensor twice as wide in the last dimension); ignored under two elements.
        exclude_zero: replace zeros by 1 (bool, integers) or the dtype's ``finfo.tiny``.
        memory_format: a memory format for the result (not with ``noncontiguous``).

    Raises:
        ValueError: for ``requires_grad`` with a bool or integer dtype, ``low >= high``, a NaN
            bound, a range outside the dtype's, or ``noncontiguous`` with ``memory_format``.
        TypeError: for a dtype it does not support.

    Examples:
        >>> import reftorch as torch
        >>> t = torch.testing.make_tensor(2, 3, dtype=torch.int64, device="cpu", low=0, high=5)
        >>> t.shape, t.dtype, bool(((t >= 0) & (t < 5)).all())
        (torch.Size([2, 3]), torch.int64, True)
    """
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous!r} and memory_format={memory_format!r}")
    if requires_grad and (dtype is D.bool or dtype in _INTEGRAL):
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is D.bool:
        low, high = _low_high(dtype, low, high, 0, 2, 0, 2)
        result = randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _INTEGRAL:
        info = iinfo(dtype)
        low, high = _low_high(dtype, low, high, info.min, info.max + (dtype is not D.int64), -9, 10)
        result = randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _FLOATING + _COMPLEX:
        info = finfo(dtype)
        low, high = _low_high(dtype, low, high, info.min, info.max, -9, 9)
        result = empty(shape, device=device, dtype=dtype)
        target = view_as_real(result) if dtype in _COMPLEX else result
        if high - low >= finfo(dtype).max:  # (the width would overflow: draw half of it, doubled)
            uniform_(target, low / 2, high / 2).mul_(2)
        else:
            uniform_(target, low, high)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor(). To request "
                        f"support, file an issue at: https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if (dtype is D.bool or dtype in _INTEGRAL) else finfo(dtype).tiny
    if dtype in _FLOATING + _COMPLEX:
        result.requires_grad = requires_grad
    return result
