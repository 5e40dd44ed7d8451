"""``torch.finfo`` and ``torch.iinfo``: the numeric limits of a dtype.

Mirrors ``torch/csrc/TypeInfo.cpp``. The values follow from each format (bits of the
significand and of the exponent for floats, width and sign for integers), so bfloat16,
which NumPy lacks, has its limits too.
"""
from __future__ import annotations

import builtins
import math

from . import _dtype as D
from ._ops._numpy_names import NOT_GIVEN

#: Python's number types as PyTorch reads them where a dtype is expected.
_PYTHON_TYPES = {builtins.float: D.float64, builtins.int: D.int64, builtins.bool: D.bool,
                 builtins.complex: D.complex128}
#: Stored significand bits and exponent bits of each floating point format.
_FLOAT_FORMATS = {D.float16: (10, 5), D.bfloat16: (7, 8), D.float32: (23, 8), D.float64: (52, 11)}


def _dtype_arg(fn, type):
    if type in _PYTHON_TYPES:
        return _PYTHON_TYPES[type]
    if not isinstance(type, D.dtype):
        raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not {builtins.type(type).__name__}")
    return type


class _Info:
    """What ``finfo`` and ``iinfo`` share: read-only attributes, equality by dtype, the repr."""

    __slots__ = ()
    _FIELDS: tuple = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.{type(self).__name__}' objects is not writable")

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return other.dtype == self.dtype

    __hash__ = None  # (unhashable, as PyTorch's)

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name):g}" for name in self._FIELDS)
        return f"{type(self).__name__}({fields}, dtype={self.dtype})"


class finfo(_Info):
    """The limits of a floating point dtype. Mirrors ``torch.finfo``.

    A complex dtype gives the limits of its real and imaginary parts (``complex64``:
    those of ``float32``). Python's ``float`` and ``complex`` stand for ``float64`` and
    ``complex128``; with no argument, the default dtype (:func:`get_default_dtype`).

    Attributes:
        bits (int): the width in bits.
        eps (float): the gap between 1.0 and the next larger number.
        max (float): the largest finite number; ``min`` is ``-max``.
        tiny (float): the smallest positive normal number (also ``smallest_normal``).
        resolution (float): ``10 ** -p``, where ``p = floor(-log10(eps))`` is the number of
            decimal digits the format keeps.
        dtype (str): the dtype's name (``'float32'``).

    Raises:
        TypeError: for a dtype that is not floating point or complex, or an argument
            that is not a dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.finfo(torch.float32).eps
        1.1920928955078125e-07
        >>> torch.finfo(torch.float16).max
        65504.0
        >>> torch.finfo()
        finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")
    _FIELDS = ("resolution", "min", "max", "eps", "smallest_normal", "tiny")

    def __init__(self, type=NOT_GIVEN):
        d = D.get_default_dtype() if type is NOT_GIVEN else _dtype_arg("finfo", type)
        if d.is_complex:
            d = d.to_real()
        if d not in _FLOAT_FORMATS:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        significand, exponent = _FLOAT_FORMATS[d]
        eps = 2.0 ** -significand
        bias = 2 ** (exponent - 1) - 1
        largest = (2.0 - eps) * 2.0 ** bias
        tiny = 2.0 ** (1 - bias)
        values = dict(bits=d.itemsize * 8, eps=eps, max=largest, min=-largest, tiny=tiny, smallest_normal=tiny,
                      resolution=float(f"1e-{math.floor(-math.log10(eps))}"), dtype=d.name)
        for name, value in values.items():
            object.__setattr__(self, name, value)


class iinfo(_Info):
    """The limits of an integer dtype. Mirrors ``torch.iinfo``.

    Python's ``int`` stands for ``int64``.

    Attributes:
        bits (int): the width in bits.
        min (int): the smallest value.
        max (int): the largest value.
        dtype (str): the dtype's name (``'int32'``).

    Raises:
        TypeError: for ``torch.bool``, a floating point or complex dtype, or an argument
            that is not a dtype (the argument is required).

    Examples:
        >>> import reftorch as torch
        >>> torch.iinfo(torch.uint8).max
        255
        >>> torch.iinfo(torch.int16)
        iinfo(min=-32768, max=32767, dtype=int16)
    """

    __slots__ = ("bits", "max", "min", "dtype")
    _FIELDS = ("min", "max")

    def __init__(self, type=NOT_GIVEN):
        if type is NOT_GIVEN:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        d = _dtype_arg("iinfo", type)
        if d is D.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point or d.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        bits = d.itemsize * 8
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if d.is_signed else (0, 2 ** bits - 1)
        for name, value in (("bits", bits), ("min", low), ("max", high), ("dtype", d.name)):
            object.__setattr__(self, name, value)
