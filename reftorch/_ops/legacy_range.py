"""``torch.range``: the deprecated, end-inclusive sibling of ``torch.arange``.

Mirrors ``range_out`` of ``aten/src/ATen/native/RangeFactories.cpp``: the bounds and step
are converted to the kernel's accumulate type (float64 for float32/float64, float32 for
float16/bfloat16, int64 for the integer dtypes: a fractional bound or step is truncated),
the length is ``int((end - start) / step + 1)`` in that type and element ``i`` is
``start + i * step`` in that type, then stored in the dtype (integers wrap).
"""
from __future__ import annotations

import math
import warnings

import numpy as _np  # host-side values of a few numbers; the tensor is built by _from_host

from .. import _dtype as D
from .._tensor import Tensor, _type_name
from .._warnings import user_stacklevel
from ._common import check_dtype, with_out
from ._numpy_names import NOT_GIVEN
from .creation import _from_host, _is_number

_DEPRECATED = ("torch.range is deprecated and will be removed in a future release because its behavior is "
               "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
               "[start, end).")


def range(start=NOT_GIVEN, end=NOT_GIVEN, step=1, *extra, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Values from ``start`` to ``end`` **inclusive** in steps of ``step``, in the default
    float dtype unless ``dtype`` is given (even for integer arguments). Deprecated: warns
    (a ``UserWarning``, every call) to use ``torch.arange``, whose ``end`` is exclusive.

    The result has ``floor((end - start) / step) + 1`` elements. Mirrors ``torch.range``.

    Raises:
        TypeError: if ``start`` or ``end`` is missing or not a number.
        RuntimeError: if ``step`` is zero (also once truncated for an integer dtype; PyTorch
            crashes there), has the wrong sign, or a bound is not finite.
        NotImplementedError: for bool and complex dtypes.

    Examples:
        >>> import warnings
        >>> import reftorch as torch
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     torch.range(1, 4)
        tensor([1., 2., 3., 4.])
        >>> torch.arange(1, 5)
        tensor([1, 2, 3, 4])
    """
    if extra:
        raise TypeError(f"range() takes from 2 to 3 positional arguments but {3 + len(extra)} were given")
    if start is NOT_GIVEN:  # (PyTorch's parser names both then, even with ``end=`` given)
        raise TypeError('range() missing 2 required positional argument: "start", "end"')
    if end is NOT_GIVEN:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    for pos, (name, v) in enumerate((("start", start), ("end", end), ("step", step)), 1):
        if not _is_number(v):
            raise TypeError(f"range(): argument '{name}' (position {pos}) must be Number, not {_type_name(v)}")
    warnings.warn(_DEPRECATED, UserWarning, stacklevel=user_stacklevel())
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::range", out, _range, start, end, step,
                        out.dtype if dtype is None else dtype, out.device, False)
    return _range(start, end, step, D.get_default_dtype() if dtype is None else dtype, device, requires_grad)


def _range(start, end, step, dtype, device, requires_grad):
    check_dtype(dtype)
    if dtype is D.bool or dtype.is_complex:
        raise NotImplementedError(f'"range_cpu" not implemented for \'{D.scalar_name(dtype)}\'')
    s, e, st = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if any(isinstance(v, complex) for v in (s, e, st)):
        raise RuntimeError("value cannot be converted to type double without overflow")
    if dtype.is_floating_point:
        acc = _np.float64 if dtype in (D.float32, D.float64) else _np.float32
        s, e, st = acc(s), acc(e), acc(st)
    else:
        s, e, st = int(s), int(e), int(st)  # (C++'s conversion: towards zero)
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(s) and math.isfinite(e)):
        raise RuntimeError(f"unsupported range: {_show(s)} -> {_show(e)}")
    if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype.is_floating_point:
        with _np.errstate(all="ignore"):
            n = int((e - s) / st + acc(1))
            values = _np.arange(n, dtype=acc) * st + s
    else:
        n = abs(e - s) // abs(st) + 1  # (C++'s integer division: e - s and st have one sign)
        values = (s + _np.arange(n, dtype=_np.int64) * st).astype(dtype.name)  # (wraps, as C++)
    return _from_host(values, dtype, device, requires_grad, owned=True)


def _show(v):
    """A bound as C++'s ``<<`` prints it (``inf``, ``nan``, ``0``, ``1.5``)."""
    v = float(v)
    return f"{v:g}"
