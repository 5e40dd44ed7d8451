"""Data types (mirrors ``torch.dtype`` and the promotion rules of ``c10/core/ScalarType.h``).

A :class:`dtype` is a small immutable object that prints like PyTorch's
(``torch.float32``).  Every backend maps it to its own array dtype by name, so
kernels never compare NumPy dtypes directly.
"""
from __future__ import annotations

import builtins
import numbers

__all__ = [
    "dtype", "float16", "half", "bfloat16", "float32", "float", "float64", "double",
    "complex64", "cfloat", "complex128", "cdouble", "uint8", "int8", "int16", "short",
    "int32", "int", "int64", "long", "bool", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast",
]

# Categories used by PyTorch's type promotion: bool < integer < floating < complex.
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, such as ``torch.float32``.

    Mirrors ``torch.dtype``. Instances are singletons: compare them with ``==`` or ``is``.

    Attributes:
        is_floating_point (bool): True for float16, bfloat16, float32 and float64.
        is_complex (bool): True for complex64 and complex128.
        is_signed (bool): False for uint8 and bool.
        itemsize (int): size of one element in bytes.
    """

    # is_floating_point / is_complex are fields, not properties: ops read them on every call.
    __slots__ = ("name", "itemsize", "_category", "_rank", "is_signed", "is_floating_point", "is_complex")

    def __init__(self, name: str, itemsize: int, category: int, rank: int, is_signed: builtins.bool):
        self.name = name
        self.itemsize = itemsize
        self._category = category
        self._rank = rank
        self.is_signed = is_signed
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX

    def __repr__(self) -> str:
        return "torch." + self.name

    __str__ = __repr__

    def __reduce__(self):
        return self.name  # pickles as the module-level singleton

    def to_complex(self) -> "dtype":
        return {"float16": complex64, "bfloat16": complex64, "float32": complex64,
                "float64": complex128}.get(self.name, self)

    def to_real(self) -> "dtype":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)


bool = dtype("bool", 1, _BOOL, 0, False)
uint8 = dtype("uint8", 1, _INT, 1, False)
int8 = dtype("int8", 1, _INT, 2, True)
int16 = dtype("int16", 2, _INT, 3, True)
int32 = dtype("int32", 4, _INT, 4, True)
int64 = dtype("int64", 8, _INT, 5, True)
float16 = dtype("float16", 2, _FLOAT, 6, True)
bfloat16 = dtype("bfloat16", 2, _FLOAT, 7, True)
float32 = dtype("float32", 4, _FLOAT, 8, True)
float64 = dtype("float64", 8, _FLOAT, 9, True)
complex64 = dtype("complex64", 8, _COMPLEX, 10, True)
complex128 = dtype("complex128", 16, _COMPLEX, 11, True)

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

#: PyTorch's name of each scalar type (``c10::toString(ScalarType)``), as error messages
#: print it ("expected scalar type Float") and as legacy tensor types use it
#: ("torch.FloatTensor").
SCALAR_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def scalar_name(d: dtype) -> str:
    """PyTorch's scalar-type name of ``d``: ``Float`` for ``torch.float32``, ``Long`` for
    ``torch.int64``."""
    return SCALAR_NAMES[d.name]


#: the reduced-precision floating types, which PyTorch's CPU kernels compute in float32 and
#: round once (``at::opmath_type``; ``at::isReducedFloatingType``)
REDUCED_FLOATS = frozenset((float16, bfloat16))

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128)
BY_NAME = {d.name: d for d in ALL}

_default_dtype = float32


def get_default_dtype() -> dtype:
    """Return the default floating point dtype (``torch.float32`` unless changed).

    Mirrors ``torch.get_default_dtype``.

    Examples:
        >>> import reftorch as torch
        >>> torch.get_default_dtype()
        torch.float32
    """
    return _default_dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating point dtype used by ``tensor(1.5)``, ``zeros`` and the like.

    Mirrors ``torch.set_default_dtype``.

    Args:
        d: ``torch.float32`` or ``torch.float64`` (``torch.float16`` and ``torch.bfloat16``
            are accepted too).

    Raises:
        TypeError: if ``d`` is not a floating point dtype.
    """
    global _default_dtype
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_dtype = d


def default_complex_dtype() -> dtype:
    return complex128 if _default_dtype is float64 else complex64


# ---------------------------------------------------------------- promotion
# PyTorch's promoteTypes table for the real types, written as a rule:
#   * same type -> itself; bool with anything -> the other type;
#   * uint8 with a signed int -> the next signed int wide enough (int16 for int8);
#   * ints with floats -> the float; float16 with bfloat16 -> float32;
#   * otherwise the higher rank.
def promote_types(type1: dtype, type2: dtype) -> dtype:
    """Return the smallest dtype to which both ``type1`` and ``type2`` can be cast.

    Mirrors ``torch.promote_types``.

    Examples:
        >>> import reftorch as torch
        >>> torch.promote_types(torch.int32, torch.float32)
        torch.float32
        >>> torch.promote_types(torch.uint8, torch.int8)
        torch.int16
    """
    a, b = type1, type2
    if a is b:
        return a
    if a is bool:
        return b
    if b is bool:
        return a
    if a._category == _COMPLEX or b._category == _COMPLEX:
        # complex with a float: the complex type wide enough for both.
        real = promote_types(a.to_real(), b.to_real())
        if real is float16 or real is bfloat16:
            return complex64
        return real.to_complex() if real.is_floating_point else (a if a.is_complex else b)
    if {a.name, b.name} == {"float16", "bfloat16"}:
        return float32
    if {a, b} == {uint8, int8}:
        return int16
    return a if a._rank > b._rank else b


def category(d: dtype) -> builtins.int:
    return d._category


def is_numpy_bool(value) -> builtins.bool:
    """Whether ``value`` is NumPy's bool scalar (``np.True_``)."""
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def python_scalar_dtype(value) -> dtype:
    """The dtype PyTorch gives a wrapped Python number in type promotion."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.float):
        return _default_dtype
    if isinstance(value, builtins.complex):
        return default_complex_dtype()
    # other number types (NumPy's scalars: np.int64, np.float32 …) count as Python's; PyTorch
    # reads a NumPy bool as a float
    if is_numpy_bool(value):
        return _default_dtype
    if isinstance(value, numbers.Integral):
        return int64
    if isinstance(value, numbers.Real):
        return _default_dtype
    if isinstance(value, numbers.Complex):
        return default_complex_dtype()
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def number_type(d: dtype, value) -> dtype:
    """The computation dtype of an element-wise op on a tensor of dtype ``d`` and a Python
    number ``value``: :func:`result_type` for that pair, by a direct rule (it runs on every
    ``x * 2``). The tensor's dtype wins unless the number is of a higher category (bool <
    integer < floating < complex): an int makes a bool tensor int64, a float makes an integer
    or bool tensor the default dtype, a complex number makes a real tensor complex.
    """
    c = value.__class__
    if c is builtins.float:
        return d if d._category >= _FLOAT else _default_dtype
    if c is builtins.int:
        return int64 if d is bool else d
    if c is builtins.bool:
        return d
    return _combine_categories(d, python_scalar_dtype(value))  # complex, or a subclass of a number type


def _combine_categories(higher, lower):
    # c10 combine_categories: a higher category wins; within categories promote.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


_PY_NUMBERS = frozenset((builtins.bool, builtins.int, builtins.float, builtins.complex))


def result_type(*operands) -> dtype:
    """The dtype PyTorch computes for an operation over ``operands``.

    Tensors with at least one dimension take precedence over zero-dimensional tensors,
    which take precedence over Python numbers, unless a lower-priority operand belongs to a
    higher category (bool < integer < floating < complex).

    Mirrors ``torch.result_type`` (extended to any number of operands).

    Examples:
        >>> import reftorch as torch
        >>> torch.result_type(torch.tensor([1, 2]), 1.5)
        torch.float32
        >>> torch.result_type(torch.tensor([1, 2], dtype=torch.int32), torch.tensor(5))
        torch.int32
    """
    dim_r = zero_r = wrapped_r = None
    for op in operands:
        # (a Python number first: getattr's failing look-up on it costs ~0.2 us)
        d = None if op.__class__ in _PY_NUMBERS else getattr(op, "dtype", None)
        if d.__class__ is dtype:
            if op.dim() > 0:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
        else:
            d = python_scalar_dtype(op)
            wrapped_r = d if wrapped_r is None else promote_types(wrapped_r, d)
    return _combine_categories(dim_r, _combine_categories(zero_r, wrapped_r))


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether PyTorch's same-kind casting allows ``from_`` to ``to``.

    Mirrors ``torch.can_cast``.
    """
    if from_._category > to._category:
        return False
    if to is bool and from_ is not bool:
        return False
    return True
