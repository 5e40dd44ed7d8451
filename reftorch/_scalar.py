"""Python numbers stored into a tensor of a given dtype: PyTorch's overflow check.

PyTorch refuses a number that does not fit the destination dtype when it fills a tensor
(``fill_``, ``full``, ``masked_fill``, ``x[i] = v``) or builds one from Python data
(``torch.tensor([300], dtype=torch.uint8)``), with a ``RuntimeError`` ("value cannot be
converted to type uint8_t without overflow"); NumPy would raise ``OverflowError`` or wrap
silently. Arithmetic with a number (``uint8_tensor + 300``) is not checked: it wraps.

The rules (c10's ``overflows``, as PyTorch 2.13 applies them):

* integer dtypes: a float must be finite and within the dtype's range (``nan`` and ``inf``
  overflow); an int must be within the range, except that an unsigned dtype also takes
  negative ints down to ``-max`` (``-1`` fills a uint8 tensor with 255);
* float32: a finite float beyond its largest value overflows; float16 (and bfloat16): any
  finite number beyond the largest value (``70000`` or ``1e30``) -- except when ``fill_``
  or ``full`` writes a single element, and for ``x[i] = v``, which store inf;
* float64, bool and complex dtypes take anything;
* ``x[i] = v`` takes ints in the int64 range only (``ValueError`` otherwise); ``fill_``
  refuses ints below ``-2**63`` with ``OverflowError``.
"""
from __future__ import annotations

import math
import numbers

import numpy as _np

#: the C++ type names PyTorch's fill kernels print
_C_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
            "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double"}

_INT_RANGES = {"uint8": (0, 255), "int8": (-128, 127), "int16": (-2 ** 15, 2 ** 15 - 1),
               "int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}

_FLOAT_MAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38}
_HALF = ("float16", "bfloat16")
_F32_MAX = 3.4028234663852886e38
_HALF_VIA = {"float64": _np.float32, "complex128": _np.complex64, "int64": _np.float32, "int32": _np.float32}


def _overflow(name):
    return RuntimeError(f"value cannot be converted to type {name} without overflow")


def fits(value, dtype) -> bool:
    """True when the Python number ``value`` can be stored into ``dtype`` (rules above)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    name = dtype.name
    rng = _INT_RANGES.get(name)
    if rng is not None:
        lo, hi = rng
        if isinstance(value, float):
            return math.isfinite(value) and lo <= value <= hi
        if lo == 0:
            return value <= hi and (value >= 0 or -value <= hi)
        return lo <= value <= hi
    top = _FLOAT_MAX.get(name)
    if top is None or (isinstance(value, int) and name not in _HALF):  # float64, complex; ints for float32
        return True
    return not math.isfinite(value) or abs(value) <= top


_NUMBERS = frozenset((int, float, bool, complex))  # (no ABC check for these)


def check_fill_value(value, dtype, *, numel=None, setitem=False):
    """Raise PyTorch's error when a fill value does not fit ``dtype`` (``fill_`` and ``full``
    pass the element count ``numel``; ``x[i] = v`` passes ``setitem=True``).

    Raises:
        TypeError: for a value that is no number (``None``, a string: PyTorch's argument
            parser refuses it).
        OverflowError: for an int below ``-2**63`` ("can't convert negative int to unsigned").
        ValueError: for ``x[i] = v`` with an int outside the int64 range.
        RuntimeError: when ``value`` does not fit ``dtype``.
    """
    if value.__class__ not in _NUMBERS and not isinstance(value, (numbers.Number, _np.generic)):
        raise TypeError(f"a fill value must be a Number, not {type(value).__name__}")
    if isinstance(value, complex) and value.imag and not (dtype.is_complex or dtype.name == "bool"):
        raise _overflow(_C_NAMES.get(dtype.name, dtype.name))  # (a real dtype takes a complex only with imag 0)
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if setitem:
        if is_int and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        if dtype.name in _HALF:
            return
    if is_int and value < -2 ** 63:
        raise OverflowError("can't convert negative int to unsigned")
    if numel == 1 and dtype.name in _HALF:
        return
    if not fits(value, dtype):
        raise _overflow(_C_NAMES.get(dtype.name, dtype.name))


def check_scalar_arg(value, dtype):
    """Raise PyTorch's error when a number argument of ``where`` does not fit the result
    ``dtype``: the fill rules, except that float16/bfloat16 take any number (rounding to inf).

    Raises:
        RuntimeError: when ``value`` does not fit ``dtype``.
    """
    if dtype.name in _HALF or fits(value, dtype):
        return
    raise _overflow(_C_NAMES.get(dtype.name, dtype.name))


def check_data_fits(arr, dtype):
    """Raise PyTorch's error when the host array ``arr`` (built from Python numbers by
    ``torch.tensor``) holds a value that does not fit the integer ``dtype``."""
    if arr.dtype.kind == "c" and not (dtype.is_complex or dtype.name == "bool"):
        raise TypeError("must be real number, not complex" if dtype.is_floating_point
                        else "'complex' object cannot be interpreted as an integer")
    rng = _INT_RANGES.get(dtype.name)
    if rng is None or arr.size == 0 or arr.dtype.kind not in "iuf":
        return
    lo, hi = rng
    if arr.dtype.kind == "f":
        with _np.errstate(invalid="ignore"):
            ok = bool(_np.isfinite(arr).all()) and arr.min() >= lo and arr.max() <= hi
    else:
        low = -hi if lo == 0 else lo
        ok = int(arr.min()) >= low and int(arr.max()) <= hi
    if not ok:
        raise _overflow(dtype.name)


def store_value(value, dtype):
    """``value`` as the number NumPy should store for ``dtype``, once it fits: a negative int
    for an unsigned dtype wraps (-1 -> 255), as in PyTorch; a float for an integer dtype is
    truncated toward zero."""
    if isinstance(value, complex) and not (dtype.is_complex or dtype.name == "bool"):
        value = value.real  # (its imaginary part is 0: check_fill_value refused the others)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    rng = _INT_RANGES.get(dtype.name)
    if rng is None:
        return half_value(value) if dtype.name in _HALF else value
    if isinstance(value, float):
        value = int(value)
    if rng[0] == 0 and value < 0:
        return value % (rng[1] + 1)
    return value


def half_value(value):
    """The Python float ``value`` rounded to float32, as PyTorch rounds a number bound for
    float16 or bfloat16 (``c10::Half`` and ``c10::BFloat16`` are built from a float: two
    roundings, so ``13700.000000000002`` becomes 13696 in float16 where one rounding gives
    13704; ``2**24 + 2**16 + 1`` becomes 2**24 in bfloat16). Numbers beyond float32's range
    come back as they are (NumPy then rounds them to float16/bfloat16 exactly as PyTorch does)."""
    if isinstance(value, (int, float)) and -_F32_MAX <= value <= _F32_MAX:
        return float(_np.float32(value))
    return value


def half_source(arr):
    """The host array ``arr`` (NumPy) ready for a cast to float16 or bfloat16 with PyTorch's rounding:
    float64, int64, int32 and complex128 values rounded to float32 (complex64) first."""
    via = _HALF_VIA.get(arr.dtype.name)
    if via is None:
        return arr
    with _np.errstate(over="ignore"):  # beyond float32: inf, as in PyTorch
        return arr.astype(via)
