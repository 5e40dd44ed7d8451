"""Element-wise arithmetic with broadcasting and PyTorch's type promotion.

The result dtype is decided by :func:`reftorch.result_type` (tensors with dimensions
outrank 0-dim tensors, which outrank Python numbers, within a category), then both
operands are cast to it and the backend computes. Gradients of broadcast operands are
summed back to the operand's shape.

A Python number after a tensor (``x * 2``, ``x.add(1)``, ``x > 0``, ``x ** 2``) does not
become a Tensor: it is converted once into a 0-d array of the computation dtype
(:func:`_number`, PyTorch's wrapped number) and handed to the op's ``Function`` as a
parameter: ``Op.Number`` is the op with one tensor input (see :func:`_with_number`), the
same forward and backward. A number before a tensor in a functional call
(``torch.sub(1, x)``) is a wrapped 0-d tensor input, as PyTorch's argument parser makes it.
"""
from __future__ import annotations

import math
import numbers

from .. import _backends
from .. import _dtype as D
from .._tensor import Tensor, _C_TYPE
from .._warnings import warn_once
from ..autograd.function import OpFunction as Function
from ._common import tensor_input
from ._common import (by_element_blocks, conj_of, grad_as, grad_checked, sum_to_shape, row_major, with_exact_out,
                      with_out)
from .._fma import fma, fma_wide
from .._layout import (broadcast_shape, contiguous_strides, elementwise_strides, preserve_strides,
                       relayout_like_operands, with_strides)
from .._scalar import _C_NAMES, _overflow, check_scalar_arg, half_value
from .creation import tensor
from .nonzero import nonzero
from .shape import expand


def _operands(a, b, true_div=False):
    """Return (x, y, dtype): both as tensors on a's device, and the computation dtype."""
    if (a.__class__ is Tensor or isinstance(a, Tensor)) and (b.__class__ is Tensor or isinstance(b, Tensor)) \
            and a._dtype is b._dtype and a._device is b._device:
        # Two tensors of one dtype on one device (per-call overhead): nothing to promote or
        # move; the general path below gives the same answer.
        dt = a._dtype
        if true_div and not (dt.is_floating_point or dt.is_complex):
            dt = D.get_default_dtype()
        sa, sb = a._data.shape, b._data.shape
        if sa != sb:
            broadcast_shape(sa, sb)  # PyTorch's error if they do not broadcast
        return a, b, dt
    ta = a if isinstance(a, Tensor) else None
    tb = b if isinstance(b, Tensor) else None
    ref = ta if ta is not None else tb
    dt = D.result_type(a, b)
    if true_div and not (dt.is_floating_point or dt.is_complex):
        dt = D.get_default_dtype()
    if ta is not None and tb is not None:
        if ta._device is not tb._device and ta.device != tb.device and ta.dim() and tb.dim():
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{ta.device} and {tb.device}!")
        if ta._data.shape != tb._data.shape:
            broadcast_shape(ta._data.shape, tb._data.shape)  # PyTorch's error if they do not broadcast
    return _as_operand(a, ref, dt), _as_operand(b, ref, dt), dt


def _as_operand(v, ref, dt):
    b = ref._backend
    if isinstance(v, Tensor):
        if v._device is not ref._device and v.device != ref.device:  # a 0-dim tensor from another device
            v = Tensor._wrap(b.from_host(v._host()), ref.device, b)
        return v
    if not isinstance(v, (bool, int, float, complex)):
        if not isinstance(v, numbers.Number) and not D.is_numpy_bool(v):
            raise TypeError(f"unsupported operand type: {type(v).__name__}")
        v = _python_number(v)
    return Tensor._wrap(_number(v, ref, dt), ref._device, b)


def _python_number(v):
    """Another number type's value (NumPy's ``np.int64(3)``, ``np.float32(0.5)``) as the
    Python number PyTorch reads it as."""
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real) or D.is_numpy_bool(v):  # (PyTorch reads np.True_ as 1.0)
        return float(v)
    return complex(v)


def _number(v, ref, dt):
    """The Python number ``v`` as an operand of dtype ``dt`` beside tensor ``ref``: a 0-d
    array on ``ref``'s backend and device (no Tensor), as PyTorch casts its wrapped number.

    An int out of ``dt``'s range wraps (``uint8`` + -1 adds 255, as in PyTorch); a float
    beyond float16's range becomes inf there without a warning.

    Raises:
        OverflowError: for an int below ``-2**63`` or from ``2**64`` up (PyTorch's argument
            parser takes ints up to uint64's range).
    """
    b = ref._backend
    xp, native, dev = b.xp, b.dtype(dt), ref._data.device  # (device=: cheaper than **b._dev_kw())
    if dt in D.REDUCED_FLOATS:  # rounded through float32 first, as PyTorch builds a c10::Half (BFloat16)
        v = half_value(v)
    if dt.is_floating_point or dt.is_complex or dt is D.int64 or dt is D.bool:  # no int to wrap
        if v.__class__ is not complex and -65504 <= v <= 65504:  # fits every dtype it meets: no warning
            return xp.asarray(v, dtype=native, device=dev)
        if isinstance(v, int) and not -2 ** 63 <= v < 2 ** 64:
            raise OverflowError("can't convert negative int to unsigned" if v < 0 else "int too big to convert")
        with b.quiet():  # 1e30 as a float16 operand: inf, without NumPy's warning
            return xp.asarray(v, dtype=native, device=dev)
    if isinstance(v, bool):
        return xp.asarray(v, dtype=native, device=dev)
    # an int with a narrower integer dtype wraps as in PyTorch (uint8 tensor + -1 adds 255)
    return xp.astype(xp.asarray(v, dtype=b.dtype(D.int64), device=dev), native)


def _cast(t, dt):
    if t._dtype is dt:  # fast path: already the computation dtype
        return t._data
    b = t._backend
    native = b.dtype(dt)
    return t._data if t._data.dtype == native else b.xp.astype(t._data, native)


def _setup(ctx, x, y, dt):
    """The operands' arrays in dtype ``dt``, and ``dt``; records what ``_Binary._reduce``
    needs.

    ``y`` is a tensor, or a Python number as a 0-d array (``Op.Number``), already of the
    computation dtype (float32 for float16's ``mul`` and ``div``): kept as ``ctx.number``
    for the backward (a constant tensor there under ``create_graph``).

    ``dt`` None (``add``, ``sub`` of two tensors): the result dtype is found here, where it
    is needed. Two tensors of one dtype, device and shape have that dtype; any others go
    through :func:`_operands` (PyTorch's promotion, and its errors for other devices or
    shapes that do not broadcast).
    """
    if dt is None:
        dt = x._dtype
        if y._dtype is not dt or y._device is not x._device or x._data.shape != y._data.shape:
            x, y, dt = _operands(x, y)
    # (per-call overhead) no cast call at all when an operand already has dtype dt
    a = x._data if x._dtype is dt else _cast(x, dt)
    if y.__class__ is Tensor or isinstance(y, Tensor):
        if ctx.needs_input_grad:  # what _reduce needs (skipped when no graph is recorded)
            ctx.shapes = (x._data.shape, y._data.shape)
            ctx.natives = (x._data.dtype, y._data.dtype)
        return a, (y._data if y._dtype is dt else _cast(y, dt)), dt
    if ctx.needs_input_grad:
        ctx.shapes, ctx.natives, ctx.number = (x._data.shape,), (x._data.dtype,), y
    return a, y, dt


def _with_number(cls):
    """Give ``cls`` (a ``_Binary``) its variant ``cls.Number`` taking a Python number as a
    parameter: ``Op.Number.apply(x, s, dt, ...)``, ``s`` from :func:`_number`. The same
    forward and backward (``_setup`` tells the forms apart), one tensor input: the number
    needs no ``requires_grad`` check or graph edge of its own. The op function lays the
    result out (``elementwise = False`` here; see :func:`_beside_number`)."""
    cls.Number = type(cls.__name__, (cls,), {
        "arity": 1, "elementwise": False, "__qualname__": cls.__qualname__ + ".Number",
        "__doc__": f"``{cls.__name__}`` with a Python number."})
    return cls


def _number_layout(backend, out, x, dt):
    """``out``, the result of ``x`` and a number (computed in ``dt``), laid out as PyTorch's
    TensorIterator lays it out: the number is a 0-d operand, whose only effect is to rule out
    the fast path for operands of one shape (:func:`~reftorch._layout.elementwise_strides`);
    ``x`` cast to ``dt`` first is laid out densely (``preserve_strides``)."""
    if out.ndim < 2 or out.size == 0:
        return out
    a = x._data
    if backend.is_c_contiguous(a) and (1 not in a.shape or backend.strides(a) == contiguous_strides(a.shape)):
        return out  # (row-major x: a row-major result, NumPy's own)
    shape = tuple(a.shape)
    st = backend.strides(a)
    if x._dtype is not dt:
        st = preserve_strides(shape, st)
    return with_strides(backend, out, elementwise_strides(shape, ((shape, st), ((), ()))))


def _beside_number(res, x, dt, listed=True, unary=False):
    """``res`` of an ``Op.Number``: laid out as PyTorch lays out ``x`` op a number (as a unary
    op of ``x`` for ``unary``: ``pow``) and, where a graph was recorded and PyTorch's node
    gives its wrapped number an entry (``mul``, ``add``, ``sub``, ``div``; not ``rsub`` or
    ``pow``), with ``(None, 0)`` after the tensor's."""
    out = res._data
    if out.ndim > 1 and (1 in out.shape or not res._backend.is_c_contiguous(x._data)):
        b = res._backend  # (else: row-major x, row-major out)
        res._data = relayout_like_operands(b, out, (x,)) if unary else _number_layout(b, out, x, dt)
    if listed:
        node = res._grad_fn
        if node is not None:
            node.next_functions += ((None, 0),)
    return res


def _number_type(input, other, true_div=False):
    """The computation dtype for tensor ``input`` and Python number ``other``."""
    dt = D.number_type(input._dtype, other)
    if true_div and not (dt.is_floating_point or dt.is_complex):
        dt = D.get_default_dtype()
    return dt


class _Binary(Function):
    """``Op.apply(x, y, dt, ...)``: two tensor inputs, then the op's parameters."""

    elementwise = True
    arity = 2
    _setup = staticmethod(_setup)

    @staticmethod
    def _reduce(ctx, gx, gy):
        xp = ctx.xp
        out = []
        for g, shape, native, need in zip((gx, gy), ctx.shapes, ctx.natives, ctx.needs_input_grad):
            if not need or g is None:
                out.append(None)
            else:
                g = sum_to_shape(xp, g, shape)
                out.append(g if g.dtype == native else grad_as(xp, g, native))
        return tuple(out)


def _conj_number(alpha):
    """A complex ``alpha`` conjugated, as PyTorch's gradients of ``add``/``sub`` multiply
    by ``alpha.conj()``; a real one as it is."""
    return alpha.conjugate() if alpha.__class__ is complex else alpha


def _scaled_sum(backend, dt, a, b, alpha, minus=False):
    """``a + alpha * b`` (``a - alpha * b`` for ``minus``: ``sub``, ``rsub``, which PyTorch
    computes as ``add`` with ``-alpha``) as PyTorch's CPU ``add`` kernel does for ``alpha != 1``. float32 and float64: one fused multiply-add,
    ``alpha`` in the operands' precision. float16: ``alpha`` rounded to float16, the
    multiply-add in float32 (PyTorch's vectorised loop), then rounded to float16 (PyTorch's
    scalar loop, which takes the last elements of a contiguous run that do not fill a vector,
    rounds the product to float16 first: those few can differ). Integer, bool and complex
    dtypes: ``a + b * alpha`` as it is."""
    xp = backend.xp
    if dt is D.float32 or dt is D.float64:
        scale = xp.asarray(-alpha if minus else alpha, dtype=b.dtype, device=b.device)
        if a.shape == b.shape:  # (cache-sized blocks: the float64 passes of fma stay in the cache)
            return by_element_blocks(backend, lambda b, s, a: fma(xp, b, s, a), [b, scale, a])
        return fma(xp, b, scale, a)
    if dt in D.REDUCED_FLOATS:
        alpha = -alpha if minus else alpha
        f32 = backend.dtype(D.float32)
        half_alpha = xp.asarray(alpha, dtype=a.dtype, device=a.device)  # float16(alpha)
        return xp.astype(fma(xp, xp.astype(b, f32), xp.astype(half_alpha, f32), xp.astype(a, f32)), a.dtype)
    return a - b * alpha if minus else a + b * alpha  # (an unsigned dtype: no negated alpha)


@_with_number
class Add(_Binary):
    name = "AddBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, alpha):
        a, b, dt = _setup(ctx, x, y, dt)
        if alpha.__class__ is not int:
            alpha = _check_alpha(dt, alpha)
        if alpha == 1:
            return a + b
        ctx.alpha = alpha
        if dt is D.bool:  # a bool alpha... or an int one: the sum stays bool, as in PyTorch
            return (a | b) if alpha else a
        return _scaled_sum(x._backend, dt, a, b, alpha)

    @staticmethod
    def backward(ctx, g):
        alpha = getattr(ctx, "alpha", 1)
        return _Binary._reduce(ctx, g, g if alpha == 1 else g * _conj_number(alpha))


@_with_number
class Sub(_Binary):
    name = "SubBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, alpha):
        a, b, dt = _setup(ctx, x, y, dt)
        if alpha.__class__ is not int:
            alpha = _check_alpha(dt, alpha, "sub")
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.alpha = alpha
        return a - b if alpha == 1 else _scaled_sum(x._backend, dt, a, b, alpha, True)

    @staticmethod
    def backward(ctx, g):
        return _Binary._reduce(ctx, g, -g if ctx.alpha == 1 else -g * _conj_number(ctx.alpha))


@_with_number
class Rsub(_Binary):
    """``other - alpha * input`` (``torch.rsub``; ``1 - x`` is ``x.__rsub__(1)``)."""

    name = "RsubBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, alpha):
        a, b, dt = _setup(ctx, x, y, dt)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.alpha = alpha
        return b - a if alpha == 1 else _scaled_sum(x._backend, dt, b, a, alpha, True)

    @staticmethod
    def backward(ctx, g):
        return _Binary._reduce(ctx, -g if ctx.alpha == 1 else -g * _conj_number(ctx.alpha), g)


@_with_number
class Mul(_Binary):
    name = "MulBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, scalars=None, at=1):
        a, b, dt = _setup(ctx, x, y, dt)
        need = ctx.needs_input_grad
        if need:  # (no attribute set at all when no graph is recorded)
            if len(need) == 2:
                ctx.save_for_backward(x if need[1] else None, y if need[0] else None)
            else:
                ctx.save_for_backward(None)  # PyTorch saves the number (a wrapped tensor), freed by backward
            ctx.dt, ctx.scalars = dt, scalars
        if b is y and dt in D.REDUCED_FLOATS:  # times a number (float32): in float32
            return _half_with_scalar(x._backend, a, b, (), "mul")
        if scalars is not None and scalars[at] is not None:  # float16 times one value, in float32
            return _half_with_scalar(x._backend, a if at == 1 else b, scalars[at], (b if at == 1 else a).shape, "mul")
        return a * b

    @staticmethod
    def backward(ctx, g):
        if len(ctx.needs_input_grad) == 1:  # times a Python number (float32 for float16: PyTorch's path)
            n = ctx.number
            if ctx.dt in D.REDUCED_FLOATS and not isinstance(g, Tensor):
                return _Binary._reduce(ctx, _half_with_scalar(ctx.backend, g, n, (), "mul"), None)
            return _Binary._reduce(ctx, g * conj_of(ctx.xp, n, ctx.dt), None)
        x, y = ctx.saved_tensors
        if ctx.scalars is not None and not isinstance(g, Tensor):
            # PyTorch's grad * other (grad * self): its float16 scalar path when that is one value
            sx, sy = ctx.scalars
            gx = gy = None
            if y is not None:
                gx = g * _cast(y, ctx.dt) if sy is None else _half_with_scalar(ctx.backend, g, sy, (), "mul")
            if x is not None:
                gy = g * _cast(x, ctx.dt) if sx is None else _half_with_scalar(ctx.backend, g, sx, (), "mul")
            return _Binary._reduce(ctx, gx, gy)
        xp, dt = ctx.xp, ctx.dt  # PyTorch: grad * other.conj(), grad * self.conj()
        gx = g * conj_of(xp, _cast(y, dt), dt) if y is not None else None
        gy = g * conj_of(xp, _cast(x, dt), dt) if x is not None else None
        return _Binary._reduce(ctx, gx, gy)


@_with_number
class Div(_Binary):
    name = "DivBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, scalar=None):
        a, b, dt = _setup(ctx, x, y, dt)
        need = ctx.needs_input_grad
        if need:  # (no attribute set at all when no graph is recorded)
            if len(need) == 2:
                ctx.save_for_backward(x if need[1] else None, y)
            else:
                ctx.save_for_backward(None)  # PyTorch saves the number (a wrapped tensor), freed by backward
            ctx.dt, ctx.scalar = dt, scalar
        if b is y and dt in D.REDUCED_FLOATS:  # by a number (float32): in float32
            return _half_with_scalar(x._backend, a, b, (), "div")
        if scalar is not None:  # float16 by one value: in float32 (see _half_scalar_divisor)
            return _half_with_scalar(x._backend, a, scalar, b.shape, "div")
        return a / b

    @staticmethod
    def backward(ctx, g):
        if len(ctx.needs_input_grad) == 1:  # by a Python number (float32 for float16: PyTorch's path)
            n = ctx.number
            if ctx.dt in D.REDUCED_FLOATS and not isinstance(g, Tensor):
                return _Binary._reduce(ctx, _half_with_scalar(ctx.backend, g, n, (), "div"), None)
            return _Binary._reduce(ctx, g / conj_of(ctx.xp, n, ctx.dt), None)
        x, y = ctx.saved_tensors
        xp, dt = ctx.xp, ctx.dt
        b = _cast(y, dt)
        if ctx.scalar is not None and not isinstance(g, Tensor):  # PyTorch: grad / other, its scalar path
            gx = _half_with_scalar(ctx.backend, g, ctx.scalar, (), "div")
        else:
            gx = g / conj_of(xp, b, dt)  # PyTorch: grad / other.conj()
        # PyTorch's -grad * ((self / other) / other).conj(), in its order
        gy = -g * conj_of(xp, (_cast(x, dt) / b) / b, dt) if x is not None else None
        return _Binary._reduce(ctx, gx, gy)


@_with_number
class Pow(_Binary):
    name = "PowBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, scalar=None, base=None):
        a, b, dt = _setup(ctx, x, y, dt)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.save_for_backward(x, y if b is not y else None)  # (a number is ctx.number)
            ctx.dt = dt
            ctx.scalar = scalar
            ctx.base = base
            if ctx.needs_input_grad[1:] == (True,):  # the exponent's gradient reads the result
                ctx.save_output()                    # (PyTorch saves it only then)
            if y is None:  # an exponent the forward computes without an array: the backward's
                ctx.number = _number(scalar, x, dt)
        if scalar is not None and (dt is D.float32 or dt is D.float64):  # (_POW_SPECIAL)
            return _float_pow_scalar(x._backend.xp, a, b, scalar)
        if dt is D.bool:  # x ** y on bools: True unless x is False and y is True
            return x._backend.xp.logical_or(a, x._backend.xp.logical_not(b))
        if dt.is_floating_point or dt.is_complex:
            return a ** b
        return _int_pow(x._backend.xp, a, b)

    @staticmethod
    def backward(ctx, g):
        x, y, *out = ctx.saved_tensors  # (the result: saved when the exponent needs a gradient)
        xp = ctx.xp
        a, b = _cast(x, ctx.dt), (ctx.number if y is None else _cast(y, ctx.dt))
        gx = gy = None
        if ctx.needs_input_grad[0]:
            zero = xp.zeros((), dtype=g.dtype, device=g.device)
            if ctx.scalar is not None and ctx.dt.is_floating_point:  # PyTorch: self.pow(e - 1)
                e = ctx.scalar
                p = _float_pow_scalar(xp, a, b - 1, e - 1) if ctx.dt in _POW_SPECIAL else a ** (b - 1)
                gx = xp.zeros_like(g) if e == 0 else g * (b * p)  # (real: no conjugate)
            else:
                # PyTorch: exponent * self.pow(exponent - 1), the "- 1" in the exponent's own dtype
                if y is not None and y._dtype is D.bool:
                    _check_bool_sub(y, 1)
                bm1 = b - 1 if y is None else y._data - 1  # (a number is in the computation dtype)
                bm1 = bm1 if bm1.dtype == b.dtype else xp.astype(bm1, b.dtype)
                gx = xp.where(b == 0, zero, g * conj_of(xp, b * a ** bm1, ctx.dt))
        if ctx.needs_input_grad[1:] == (True,):
            zero = xp.zeros((), dtype=g.dtype, device=g.device)
            br = xp.real(b) if ctx.dt.is_complex else b  # PyTorch: exponent.real() >= 0 for complex
            gy = xp.where((a == 0) & (br >= 0), zero, g * conj_of(xp, _times_log_base(ctx, xp, out[0]._data, a), ctx.dt))
        return _Binary._reduce(ctx, gx, gy)


def _times_log_base(ctx, xp, out, a):
    """PyTorch's ``result * log(self)`` of the exponent's gradient (before ``grad *``). For a
    Python-number base (``2 ** x``) ``log`` is taken in double precision and multiplied
    as a Python number: float16 in float32, rounded once (see ``_half_scalar_divisor``)."""
    base = ctx.base
    if base is None or isinstance(base, complex) or not ctx.dt.is_floating_point:
        return out * xp.log(a)
    lg = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)
    if ctx.dt in D.REDUCED_FLOATS:  # (a Python float times an array keeps the array's dtype)
        return xp.astype(xp.astype(out, xp.float32) * lg, out.dtype)
    return out * lg


#: dtypes whose ``x ** number`` takes PyTorch's special cases (float16 calls ``pow``)
_POW_SPECIAL = (D.float32, D.float64)
#: the exponents of those special cases (:func:`_float_pow_scalar` needs no array of them)
_POW_SPECIAL_EXPONENTS = frozenset((2, 0.5, 3, -0.5, -1, -2))


def _float_pow_scalar(xp, a, b, e):
    """``a ** e`` for a float32/64 array and a Python number ``e`` (``b`` is ``e`` as an
    array; None will do for the special cases), with PyTorch's special cases: 0.5 is
    ``sqrt`` (``-0. ** 0.5`` is ``-0.``), -0.5 ``1 / sqrt``, 2 and 3 products, -1 and -2
    reciprocals."""
    if e == 2:
        return a * a
    if e == 0.5:
        return xp.sqrt(a)
    if e == 3:
        return a * a * a
    if e == -0.5:
        return 1 / xp.sqrt(a)
    if e == -1:
        return 1 / a
    if e == -2:
        return 1 / (a * a)
    return a ** b


def _int_pow(xp, a, b):
    """Integer power as PyTorch computes it: a negative exponent gives 0 except for bases
    1 and -1 (NumPy raises instead)."""
    neg = b < 0
    safe = xp.where(neg, xp.zeros((), dtype=b.dtype, device=b.device), b)
    out = a ** safe
    if not bool(xp.any(neg)):
        return out
    one = xp.ones((), dtype=a.dtype, device=a.device)
    odd = (b % 2) != 0
    special = xp.where(a == one, one, xp.where(odd, a, one))  # a is 1 or -1 here
    special = xp.where((a == one) | (a == -one), special, xp.zeros((), dtype=a.dtype, device=a.device))
    return xp.where(neg, special, out)


def _check_bool_sub(input, other):
    bool_in = input._dtype is D.bool if isinstance(input, Tensor) else input.__class__ is bool
    bool_other = other._dtype is D.bool if isinstance(other, Tensor) else other.__class__ is bool
    if bool_in and bool_other:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if bool_in or bool_other:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion. Mirrors ``torch.add``.

    The ``+`` operator. ``other`` may be a tensor or a Python number; the result dtype
    follows PyTorch's type promotion (a number does not widen a tensor of its own kind).

    Args:
        input: a tensor (or a number when ``other`` is a tensor).
        other: the tensor or number to add.
        alpha: the multiplier of ``other`` (an int for integer results).
        out: optional tensor to write the result into.

    Raises:
        RuntimeError: if the shapes do not broadcast, or ``alpha`` does not fit the result
            dtype (a float ``alpha`` for integer tensors).

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1, 2]) + 1.5
        tensor([2.5000, 3.5000])
        >>> torch.add(torch.tensor([1, 2]), torch.tensor([10, 20]), alpha=2)
        tensor([21, 42])
    """
    if out is not None:
        return with_out("add", out, add, input, other, alpha=alpha)
    # (the forward checks alpha against the result dtype)
    if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
        if input.__class__ is Tensor or isinstance(input, Tensor):  # two tensors: the forward finds
            return Add.apply(input, other, None, alpha)              # their dtype (_setup)
        x, y, dt = _operands(input, other)
        return Add.apply(x, y, dt, alpha)
    dt = D.number_type(input._dtype, other)
    return _beside_number(Add.Number.apply(input, _number(other, input, dt), dt, alpha), input, dt)


def _check_alpha(dt, alpha, fn="add"):
    """PyTorch's ``alpha_check`` for ``add``/``sub`` (``dt`` is the result dtype); returns
    ``alpha`` as a number: a one-element tensor gives its value, as PyTorch's argument
    parser reads a Scalar (``x.add_(y, alpha=lr)`` with a tensor ``lr``).

    Raises:
        TypeError: for a tensor of several elements.
    """
    if isinstance(alpha, Tensor):
        if alpha.numel() != 1:
            raise TypeError(f"{fn}(): argument 'alpha' must be Number, not Tensor")
        alpha = alpha.item()
    if isinstance(alpha, bool) and dt is not D.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if not (dt.is_floating_point or dt.is_complex) and not isinstance(alpha, int):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if not dt.is_complex and isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    return alpha


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other`` with broadcasting and type promotion. Mirrors ``torch.sub``.

    The ``-`` operator; the same arguments as :func:`~reftorch.add`.

    Raises:
        RuntimeError: for a bool operand (PyTorch's advice to use ``^``, ``~`` or the
            logical functions), or as :func:`~reftorch.add` does.

    Examples:
        >>> import reftorch as torch
        >>> torch.sub(torch.tensor([5., 5.]), torch.tensor([1., 2.]), alpha=2)
        tensor([3., 1.])
    """
    if out is not None:
        return with_out("sub", out, sub, input, other, alpha=alpha)
    _check_bool_sub(input, other)
    # (the forward checks alpha against the result dtype)
    if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
        if input.__class__ is Tensor or isinstance(input, Tensor):  # two tensors: the forward finds
            return Sub.apply(input, other, None, alpha)              # their dtype (_setup)
        x, y, dt = _operands(input, other)
        return Sub.apply(x, y, dt, alpha)
    dt = D.number_type(input._dtype, other)
    return _beside_number(Sub.Number.apply(input, _number(other, input, dt), dt, alpha), input, dt)


@tensor_input
def rsub(input, other, *, alpha=1):
    """``other - alpha * input``: subtraction with the operands swapped (``1 - x`` is
    ``x.__rsub__(1)``, recorded as ``RsubBackward1``; with a tensor ``other`` the
    ``grad_fn`` is ``RsubBackward0``). Mirrors ``torch.rsub``.

    Raises:
        RuntimeError: for a bool operand (PyTorch's advice to use ``~`` or ``logical_xor``).

    Examples:
        >>> import reftorch as torch
        >>> 1 - torch.tensor([0.25, 2.0])
        tensor([ 0.7500, -1.0000])
    """
    _check_bool_sub(input, other)
    if isinstance(other, Tensor):
        if tuple(other.shape) != tuple(input.shape):
            broadcast_shape(tuple(other.shape), tuple(input.shape))  # PyTorch's error names other first
        x, y, dt = _operands(input, other)
        if alpha.__class__ is not int:
            alpha = _check_alpha(dt, alpha, "rsub")
        return Rsub.apply(x, y, dt, alpha)
    dt = D.number_type(input._dtype, other)
    if alpha.__class__ is not int:
        alpha = _check_alpha(dt, alpha, "rsub")
    res = Rsub.Number.apply(input, _number(other, input, dt), dt, alpha, _name="RsubBackward1")
    return _beside_number(res, input, dt, False)


def scalar_mul(t, n):
    """``t * n`` for a Python number ``n``, recorded as PyTorch's ``MulBackward1`` (what a
    formula's ``grad * scalar`` records in PyTorch, where ``t * 2`` records ``MulBackward0``)."""
    x, y, dt = _operands(t, n)
    return Mul.apply(x, y, dt=dt, _name="MulBackward1")


def scalar_sub(t, n):
    """``t - n`` for a Python number ``n``, recorded as PyTorch's ``SubBackward1`` (what a
    formula's ``tensor - scalar`` records in PyTorch)."""
    x, y, dt = _operands(t, n)
    return Sub.apply(x, y, dt, 1, _name="SubBackward1")


def scalar_div(t, n):
    """``t / n`` for a Python number ``n``, recorded as PyTorch's ``DivBackward1``."""
    x, y, dt = _operands(t, n, true_div=True)
    return Div.apply(x, y, dt=dt, _name="DivBackward1")


def mul(input, other, *, out=None):
    """Element-wise product (not matrix multiplication). Mirrors ``torch.mul``.

    The ``*`` operator, with broadcasting and type promotion; ``other`` may be a tensor
    or a Python number. For the matrix product see :func:`~reftorch.matmul` (``@``).

    Raises:
        RuntimeError: if the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.mul(torch.tensor([[1], [2]]), torch.tensor([1., 10.]))
        tensor([[ 1., 10.],
                [ 2., 20.]])
    """
    if out is not None:
        return with_out("mul", out, mul, input, other)
    if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
        x, y, dt = _operands(input, other)
        if dt in D.REDUCED_FLOATS:
            # PyTorch's scalar operand is the second one; a Python number comes second there too
            # (``2.5 * x`` is ``x.__rmul__(2.5)``). The backward's products take the same path.
            scalars = (_half_scalar_divisor(input, x, dt), _half_scalar_divisor(other, y, dt))
            if scalars != (None, None):
                return Mul.apply(x, y, dt, scalars=scalars, at=0 if not isinstance(input, Tensor) else 1)
        return Mul.apply(x, y, dt)
    dt = D.number_type(input._dtype, other)
    # float16 times a number: PyTorch multiplies by the number's float32 value (and rounds once)
    res = Mul.Number.apply(input, _number(other, input, D.float32 if dt in D.REDUCED_FLOATS else dt), dt)
    return _beside_number(res, input, dt)


def div(input, other, *, rounding_mode=None, out=None):
    """True division: integer inputs give the default float dtype. Mirrors ``torch.div``.

    The ``/`` operator, with broadcasting and type promotion.

    Args:
        input: the dividend (a tensor, or a number when ``other`` is a tensor).
        other: the divisor, a tensor or a number.
        rounding_mode: ``None`` (true division), ``"trunc"`` or ``"floor"`` (results keep an
            integer dtype for integer inputs; not differentiable).
        out: optional tensor to write the result into.

    Raises:
        RuntimeError: for another ``rounding_mode``, or if the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([7, -7])
        >>> torch.div(x, 2), torch.div(x, 2, rounding_mode="floor"), torch.div(x, 2, rounding_mode="trunc")
        (tensor([ 3.5000, -3.5000]), tensor([ 3, -4]), tensor([ 3, -3]))
    """
    if out is not None:
        return with_out("div", out, div, input, other, rounding_mode=rounding_mode)
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                               f"found '{rounding_mode}'")
        if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
            x, y, dt = _operands(input, other)
            _check_rounding_dtype(f"div_{rounding_mode}_cpu", dt)
            return DivRounding.apply(x, y, dt=dt, mode=rounding_mode, scalar=_half_scalar_divisor(other, y, dt))
        dt = D.number_type(input._dtype, other)
        _check_rounding_dtype(f"div_{rounding_mode}_cpu", dt)
        s = _number(other, input, D.float32 if dt in D.REDUCED_FLOATS else dt)  # (float16: by its float32 value)
        res = DivRounding.Number.apply(input, s, dt, rounding_mode, s if dt in D.REDUCED_FLOATS else None)
        return _beside_number(res, input, dt)
    if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
        x, y, dt = _operands(input, other, true_div=True)
        return Div.apply(x, y, dt=dt, scalar=_half_scalar_divisor(other, y, dt))
    dt = _number_type(input, other, true_div=True)
    # float16 by a number: PyTorch divides by the number's float32 value (and rounds once)
    res = Div.Number.apply(input, _number(other, input, D.float32 if dt in D.REDUCED_FLOATS else dt), dt)
    return _beside_number(res, input, dt)


true_divide = divide = div
multiply = mul
subtract = sub


def pow(input, exponent, *, out=None):
    """``input ** exponent`` element-wise. Mirrors ``torch.pow``.

    The ``**`` operator, with broadcasting and type promotion; either operand may be a
    Python number (``torch.pow(2, x)``).

    Raises:
        RuntimeError: for an integer tensor to a negative integer power.
        NotImplementedError: for two bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.pow(torch.tensor([1, 2, 3]), 2)
        tensor([1, 4, 9])
        >>> torch.pow(2, torch.tensor([1., 2.]))
        tensor([2., 4.])
    """
    if out is not None:
        return with_out("pow", out, pow, input, exponent)
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        # tensor ** number, a unary op in PyTorch (PowBackward0): the number has no edge and
        # no say in the result's layout
        dt = D.number_type(input._dtype, exponent)
        if not (dt.is_floating_point or dt.is_complex):
            if exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            check_scalar_arg(exponent, dt)  # PyTorch refuses an exponent the dtype cannot hold
        if (dt is D.float32 or dt is D.float64) and exponent in _POW_SPECIAL_EXPONENTS:
            res = Pow.Number.apply(input, None, dt, exponent)  # (x * x: no array of the exponent)
        else:
            res = Pow.Number.apply(input, _number(exponent, input, dt), dt,
                                   None if isinstance(exponent, complex) else exponent)
        return _beside_number(res, input, dt, False, True)
    x, y, dt = _operands(input, exponent)
    if isinstance(input, Tensor):
        if dt is D.bool:
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        return Pow.apply(x, y, dt, _name="PowBackward1")
    # number ** tensor (PowBackward2): the number gets no edge; PyTorch allocates a row-major result
    res = Pow.apply(x, y, dt=dt, base=input, _name="PowBackward2", _skip=(0,))
    res._data = row_major(res._backend, res._data)
    return res


def floor_divide(input, other):
    """Floor division (``//``). Mirrors ``torch.floor_divide``: not differentiable (its
    ``grad_fn`` is PyTorch's ``NotImplemented`` node; ``backward`` through it raises), unlike
    ``div(..., rounding_mode="floor")``, whose gradient is zero."""
    if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
        x, y, dt = _operands(input, other)
        _check_rounding_dtype("div_floor_cpu", dt)
        skip = () if isinstance(input, Tensor) else (0,)  # (a number's wrapped tensor gets no edge)
        return FloorDivide.apply(x, y, dt=dt, mode="floor", scalar=_half_scalar_divisor(other, y, dt), _skip=skip)
    dt = D.number_type(input._dtype, other)
    _check_rounding_dtype("div_floor_cpu", dt)
    s = _number(other, input, D.float32 if dt in D.REDUCED_FLOATS else dt)  # (float16: by its float32 value)
    return _beside_number(FloorDivide.Number.apply(input, s, dt, "floor", s if dt in D.REDUCED_FLOATS else None),
                          input, dt, False)


def _check_rounding_dtype(kernel, dt):
    """PyTorch has no floor/trunc division or remainder of bool or complex numbers."""
    if dt is D.bool or dt.is_complex:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{D.scalar_name(dt)}\'')


def _check_int_zero(xp, a, b, dt):
    """Integer ``//`` and ``%`` by zero raise in PyTorch (NumPy would give 0 with a warning);
    an empty result (an operand with a 0-sized dim) divides nothing, so it does not raise."""
    if (not (dt.is_floating_point or dt.is_complex) and 0 not in a.shape and 0 not in b.shape
            and bool(xp.any(b == 0))):
        raise RuntimeError("ZeroDivisionError")


class Where(Function):
    name = "WhereBackward0"
    create_graph = True
    nondiff = (0,)
    arity = 3

    @staticmethod
    def forward(ctx, cond, x, y, dt):
        ctx.save_for_backward(cond)
        ctx.shapes = (x._data.shape, y._data.shape)
        ctx.natives = (x._data.dtype, y._data.dtype)
        # laid out by TensorIterator over (cond, x, y), x and y cast to dt first
        return relayout_like_operands(cond._backend, cond._backend.select(cond._data, _cast(x, dt), _cast(y, dt)),
                                      (cond, x, y), cast_from=1)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        xp = ctx.xp
        zero = xp.zeros_like(g)
        out = [None]
        for k, (shape, native) in enumerate(zip(ctx.shapes, ctx.natives)):
            if not ctx.needs_input_grad[k + 1]:
                out.append(None)
                continue
            gk = ctx.backend.select(cond._data, g, zero) if k == 0 else ctx.backend.select(cond._data, zero, g)
            gk = sum_to_shape(xp, gk, shape)
            out.append(grad_checked(xp, gk, native))
        return tuple(out)


_UINT8_CONDITION = (
    "where received a uint8 condition tensor. This behavior is deprecated and will be removed in a future "
    "version of PyTorch. Use a boolean condition instead. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/TensorCompare.cpp:621.)")


def _warn_uint8_condition():
    warn_once(_UINT8_CONDITION, stacklevel=4)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` is True, else ``other``, with broadcasting and type
    promotion. Mirrors ``torch.where(condition, input, other)`` (and
    ``Tensor.where(condition, other)``).

    A uint8 ``condition`` is accepted (nonzero is True) with PyTorch's once-per-process
    deprecation ``UserWarning``.

    A Python int from ``2**63`` to ``2**64 - 1`` is a uint64 number, as in PyTorch: it
    goes with a floating tensor or a float number (converted to float) and nothing else.

    Raises:
        RuntimeError: if ``condition`` is neither a bool nor a uint8 tensor, or a Python
            number does not fit the result dtype ("value cannot be converted to type
            uint8_t without overflow"), or a uint64 number meets a bool tensor or an int
            or bool number ("Promotion for uint16, uint32, uint64 types is not supported").
        OverflowError: for a Python int below ``-2**63`` or from ``2**64`` up.
        NotImplementedError: for two uint64 numbers (reftorch has no uint64 dtype).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([-1.0, 2.0, -3.0])
        >>> x.where(x > 0, torch.tensor(0.0))
        tensor([0., 2., 0.])
    """
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not {type(condition).__name__}")
    if input is None and other is None:  # torch.where(condition): nonzero(as_tuple=True)
        return nonzero(condition, as_tuple=True)
    if out is not None:
        return with_out("where", out, where, condition, input, other)
    if _outside_int64(input) or _outside_int64(other):
        input, other = _where_big_ints(input, other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # Two Python numbers: 0-dim tensors of their own dtypes on condition's device
        # (so where(c, 1, 0.5) is float32 and where(c, 1, 0) int64, as in PyTorch).
        input = tensor(input, device=condition.device)
    if condition.dtype is D.uint8:
        _warn_uint8_condition()
        condition = condition.to(D.bool)
    elif condition.dtype is not D.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{D.scalar_name(condition.dtype)}")
    x, y, dt = _operands(input, other)
    for v in (input, other):
        if not isinstance(v, Tensor):
            check_scalar_arg(v, dt)  # PyTorch refuses a number that does not fit the result dtype
    cshape = condition._data.shape
    shape = broadcast_shape(broadcast_shape(cshape, x._data.shape), y._data.shape)
    cond = condition if cshape == shape else expand(condition, shape)
    return Where.apply(cond, x, y, dt)


def _outside_int64(v):
    return isinstance(v, int) and not isinstance(v, bool) and not -2 ** 63 <= v < 2 ** 63


def _where_big_ints(input, other):
    """``where``'s Python ints outside the int64 range, as PyTorch's argument parser and
    type promotion take them: below ``-2**63`` or from ``2**64`` up they do not parse; in
    between they are uint64 numbers, which only a floating operand can take (converted to
    float). Returns ``(input, other)`` with such ints as floats.

    Raises:
        OverflowError: for an int that does not parse.
        RuntimeError: for a uint64 number with an integer or bool tensor (overflow, or
            PyTorch's "Promotion for uint16, uint32, uint64 types is not supported"), or with
            a Python int or bool.
        NotImplementedError: for two uint64 numbers (a uint64 result; reftorch has no uint64).
    """
    for v in (input, other):
        if _outside_int64(v):
            if v < 0:
                raise OverflowError("can't convert negative int to unsigned")
            if v >= 2 ** 64:
                raise OverflowError("int too big to convert")

    def name(v):
        if isinstance(v, Tensor):
            return D.scalar_name(v.dtype)
        return {bool: "Bool", float: "Double", complex: "ComplexDouble"}.get(
            type(v), "UInt64" if _outside_int64(v) else "Long")

    promo = "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote {} and {}"
    t = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    if t is not None:
        if t.dtype is D.bool:
            raise RuntimeError(promo.format("Bool", "UInt64"))
        if not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise _overflow(_C_NAMES.get(t.dtype.name, t.dtype.name))
    elif all(_outside_int64(v) for v in (input, other)):
        raise NotImplementedError("torch.where with two Python ints from 2**63 up gives a uint64 tensor in "
                                  "PyTorch; reftorch has no uint64 dtype")
    elif not any(isinstance(v, (float, complex)) for v in (input, other)):
        raise RuntimeError(promo.format(name(input), name(other)))
    return tuple(float(v) if _outside_int64(v) else v for v in (input, other))


@_with_number
class DivRounding(_Binary):
    """``div`` with ``rounding_mode``: piecewise constant, so its gradients are zero."""

    name = "DivBackward2"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, mode, scalar=None):
        a, b, dt = _setup(ctx, x, y, dt)
        xp = x._backend.xp
        _check_int_zero(xp, a, b, dt)
        if scalar is not None:
            return _div_rounding_half(x._backend, a, mode, scalar, b.shape)
        if dt.is_floating_point:
            if mode == "trunc":
                return xp.trunc(a / b)
            return _floor_divide_float(x._backend, a, b)
        if mode == "floor":
            return a // b
        q = a // b
        return xp.where((q < 0) & (q * b != a), q + 1, q)

    @staticmethod
    def backward(ctx, g):
        zero = ctx.xp.zeros_like(g)
        return _Binary._reduce(ctx, zero, zero)


def _half_scalar_divisor(other, y, dt):
    """The divisor's value for PyTorch's float16 ``div`` (and ``mul``: the factor's) CPU
    kernels, or None where they do not use it.

    Where the divisor is one value for the whole result (TensorIterator's ``is_scalar``: a
    0-d or one-element tensor, a Python number, or a tensor expanded from one element), those
    kernels divide in float32 by the divisor's value in its own dtype (a Python float or a
    float32/float64 0-d tensor not rounded to float16), then round or truncate, then round the
    result to float16. Returns that value as a 0-d float32 array, else None.
    """
    if dt not in D.REDUCED_FLOATS or y._data.size == 0:
        return None
    if any(s != 0 for n, s in zip(y._data.shape, y._backend.strides(y._data)) if n > 1):
        return None
    b = y._backend
    xp, f32 = b.xp, b.dtype(D.float32)
    if isinstance(other, Tensor) and other._dtype is not dt:
        return xp.astype(xp.reshape(other._data, (-1,))[0], f32)
    if not isinstance(other, Tensor):
        with b.quiet():  # a float beyond float32's range: inf, as C++'s cast gives
            return xp.asarray(other, dtype=f32, **b._dev_kw())
    return xp.astype(xp.reshape(y._data, (-1,))[0], f32)


def _half_with_scalar(backend, a, scalar, b_shape, op):
    """``a * scalar`` or ``a / scalar`` for float16 ``a`` and a divisor or factor that is
    one value (``scalar``, float32, see ``_half_scalar_divisor``), as PyTorch's CPU
    ``mul``/``div`` kernels compute it: in float32, rounded once to float16 (``x * 0.1``
    multiplies by float32 0.1, not by float16 0.1 = 0.0999756)."""
    xp = backend.xp
    a32 = xp.astype(a, backend.dtype(D.float32))
    b32 = xp.broadcast_to(scalar, b_shape) if b_shape else scalar  # (the result's shape, if b's is larger)
    # (overflow to inf and 0 / 0 silently, as in PyTorch: ``Function.apply`` and the backward
    # pass run in the backend's quiet error state)
    return xp.astype(a32 * b32 if op == "mul" else a32 / b32, a.dtype)


def _div_rounding_half(backend, a, mode, scalar, b_shape):
    """float16 ``div`` with a rounding mode and a divisor that is one value, as PyTorch's CPU
    kernels compute it: in float32 by ``scalar`` (see ``_half_scalar_divisor``), rounded or
    truncated there and rounded once to float16 at the end (``1 // 0.01`` in float16 is 99:
    1 / 0.010002 is 99.98, where the float16 quotient would be 100). With a divisor of many
    values PyTorch computes each step in float16, as NumPy does for float16 arrays."""
    xp = backend.xp
    f16 = a.dtype
    a32 = xp.astype(a, backend.dtype(D.float32))
    b32 = xp.broadcast_to(scalar, b_shape)
    q = _floor_divide_float(backend, a32, b32) if mode == "floor" else xp.trunc(a32 / b32)
    with backend.quiet():  # a float32 quotient beyond float16's range: inf, as in PyTorch
        return xp.astype(q, f16)


def _floor_divide_float(backend, a, b):
    """PyTorch's ``div_floor_floating``: ``(a - fmod(a, b)) / b``, less 1 when the remainder's
    sign differs from ``b``'s, then floored and rounded to the nearest integer; a zero quotient
    takes the sign of ``a / b``; ``b == 0`` gives IEEE ``a / b``. (``floor(a / b)`` differs for
    ``1 // 0.1`` (9, not 10) and for ``-1 // inf`` (-1, not -0).) By blocks of elements."""
    return by_element_blocks(backend, lambda a, b: _floor_divide_block(backend, a, b), (a, b))


def _floor_divide_block(backend, a, b):
    xp, select = backend.xp, backend.select
    mod = backend.fmod(a, b)
    div = (a - mod) / b
    one = xp.ones((), dtype=a.dtype, device=a.device)
    div = select((mod != 0) & ((b < 0) != (mod < 0)), div - one, div)
    fl = xp.floor(div)
    fl = select(div - fl > one / 2, fl + one, fl)
    q = a / b
    fl = select(div != 0, fl, xp.copysign(xp.zeros_like(q), q))  # a zero quotient: a / b's sign
    return select(b == 0, q, fl)


def _remainder_float(backend, a, b):
    """PyTorch's float ``remainder``: ``fmod(a, b)``, plus ``b`` when its sign differs from
    ``b``'s (a zero keeps ``a``'s sign: ``0. % -2.`` is ``0.``, NumPy gives ``-0.``). By
    blocks of elements."""
    def block(a, b):
        mod = backend.fmod(a, b)
        return backend.select((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)
    return by_element_blocks(backend, block, (a, b))


@_with_number
class FloorDivide(DivRounding):
    """``floor_divide`` (``//``): PyTorch records a node that refuses the backward pass."""

    name = "torch::autograd::NotImplemented"
    create_graph = True  # (its backward raises PyTorch's error either way)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


@_with_number
class Remainder(_Binary):
    name = "RemainderBackward1"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        if ctx.needs_input_grad[1:2] == (True,):  # (only the divisor's gradient reads them)
            ctx.save_for_backward(x, y)
        _check_int_zero(x._backend.xp, a, b, dt)
        if dt.is_floating_point:
            return _remainder_float(x._backend, a, b)
        return x._backend.xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        gy = None
        if ctx.needs_input_grad[1:2] == (True,):
            x, y = ctx.saved_tensors
            if isinstance(g, Tensor):  # create_graph: floor(x / y) is piecewise constant, a constant here
                x, y = x._data, y._data
            q = _floor_divide_float(y._backend, _cast(x, ctx.dt), _cast(y, ctx.dt))
            gy = -g * (Tensor._wrap(q, g.device, y._backend) if isinstance(g, Tensor) else q)
        return _Binary._reduce(ctx, g, gy)


def remainder(input, other):
    """Python-style modulus (``%``): the result has the sign of the divisor.

    Mirrors ``torch.remainder``; the gradient is 1 for ``input`` and
    ``-floor(input / other)`` for ``other``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([5, -5]) % 3
        tensor([2, 1])
    """
    if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
        x, y, dt = _operands(input, other)
        _check_rounding_dtype("remainder_cpu", dt)
        if isinstance(other, Tensor):
            return Remainder.apply(x, y, dt=dt)
        return Remainder.apply(x, y, dt=dt, _name="RemainderBackward0", _skip=(1,))
    dt = D.number_type(input._dtype, other)
    _check_rounding_dtype("remainder_cpu", dt)
    res = Remainder.Number.apply(input, _number(other, input, dt), dt, _name="RemainderBackward0")
    return _beside_number(res, input, dt, False)


# ------------------------------------------------------------------ comparisons
def _compare(op):
    def f(input, other):
        if other.__class__ is Tensor or isinstance(other, Tensor) or not isinstance(input, Tensor):
            x, y, dt = _operands(input, other)
            a, b = _cast(x, dt), _cast(y, dt)
            operands = (x, y)
        else:  # a Python number: a 0-d array of the computation dtype
            x, dt = input, D.number_type(input._dtype, other)
            a, b = _cast(x, dt), _number(other, x, dt)
            operands = None
        if dt.is_complex and op not in ("eq", "ne"):
            raise NotImplementedError(f'"{op}_cpu" not implemented for \'{D.scalar_name(dt)}\'')
        if op == "eq":
            r = a == b
        elif op == "ne":
            r = a != b
        elif op == "lt":
            r = a < b
        elif op == "le":
            r = a <= b
        elif op == "gt":
            r = a > b
        else:
            r = a >= b
        b = x._backend
        r = _number_layout(b, r, x, dt) if operands is None else relayout_like_operands(b, r, operands)
        return Tensor._wrap(r, x._device, b)
    f.__name__ = op
    f.__doc__ = f"Element-wise ``{op}`` comparison with broadcasting; returns a bool tensor. Mirrors ``torch.{op}``."
    return f


eq, ne, lt, le, gt, ge = (tensor_input(_compare(o)) for o in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(op):
    def f(input, other=None, *, out=None):
        _need_tensor("logical_" + op, "input", 1, input)
        if op != "not":  # (PyTorch's logical_and/or/xor take tensors only)
            _need_tensor("logical_" + op, "other", 2, other)
        if out is not None:  # the bool result is cast to out's dtype, as in PyTorch
            args = (input,) if op == "not" else (input, other)
            return with_out("logical_" + op, out, f, *args)
        xp = input._backend.xp
        a = xp.astype(input._data, xp.bool) if input._data.dtype != xp.bool else input._data
        if op == "not":
            r = relayout_like_operands(input._backend, xp.logical_not(a), (input,))
        else:
            bb = other._data if isinstance(other, Tensor) else xp.asarray(other)
            if bb.shape != a.shape:
                broadcast_shape(a.shape, bb.shape)  # PyTorch's error if they do not broadcast
            bb = xp.astype(bb, xp.bool) if bb.dtype != xp.bool else bb
            r = {"and": xp.logical_and, "or": xp.logical_or, "xor": xp.logical_xor}[op](a, bb)
            if isinstance(other, Tensor):
                    r = relayout_like_operands(input._backend, r, (input, other))
        return Tensor._wrap(r, input.device, input._backend)
    f.__name__ = "logical_" + op
    return f


logical_and, logical_or, logical_xor, logical_not = (_logical(o) for o in ("and", "or", "xor", "not"))


def invert(input):
    """``~input``: logical not for bool tensors, bitwise not for integers. Mirrors
    ``torch.bitwise_not``.

    Raises:
        TypeError: for floating point tensors.
    """
    if input.dtype is D.bool:
        return logical_not(input)
    if input.dtype.is_floating_point or input.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    b = input._backend
    return Tensor._wrap(relayout_like_operands(b, b.xp.bitwise_invert(input._data), (input,)), input.device, b)


def bitwise(op, input, other):
    """``input & other`` (``op`` ``"and"``), ``|`` (``"or"``), ``^`` (``"xor"``), ``<<``
    (``"lshift"``), ``>>`` (``"rshift"``) on bool and integer tensors (a number on either
    side), with PyTorch's type promotion. Shifts by a negative amount or by the dtype's width
    or more give 0 (``>>`` of a negative signed value: -1), as PyTorch's CPU kernels."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        _need_tensor(f"bitwise_{_SHIFT_NAMES.get(op, op)}", "input", 1, input)
    x, y, dt = _operands(input, other)
    kernel = op if op in _SHIFT_NAMES else f"bitwise_{op}"
    if dt.is_floating_point or dt.is_complex or (dt is D.bool and op in _SHIFT_NAMES):
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{D.scalar_name(dt)}\'')
    a, b = _cast(x, dt), _cast(y, dt)
    if op in _SHIFT_NAMES:
        r = _shift(x._backend.xp, op, a, b, dt.itemsize * 8)
    else:
        r = {"and": a & b, "or": a | b, "xor": a ^ b}[op]  # on bools: logical and/or/xor
    return Tensor._wrap(relayout_like_operands(x._backend, r, (x, y)), x.device, x._backend)


_SHIFT_NAMES = {"lshift": "left_shift", "rshift": "right_shift"}


def _shift(xp, op, a, b, bits):
    out_of_range = (b < 0) | (b >= bits) if b.dtype.kind == "i" else b >= bits
    amount = xp.where(out_of_range, xp.zeros_like(b), b)
    if op == "lshift":
        return xp.where(out_of_range, xp.zeros_like(a), xp.bitwise_left_shift(a, amount))
    full = xp.bitwise_right_shift(a, xp.full_like(b, bits - 1)) if a.dtype.kind == "i" else xp.zeros_like(a)
    return xp.where(out_of_range, full, xp.bitwise_right_shift(a, amount))


def _bitwise_function(op, name):
    def fn(input, other, *, out=None):
        if out is not None:
            return with_out(name, out, fn, input, other)
        return bitwise(op, input, other)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Element-wise ``{name}`` of bool and integer tensors. Mirrors ``torch.{name}``."
    return fn


bitwise_and = _bitwise_function("and", "bitwise_and")
bitwise_or = _bitwise_function("or", "bitwise_or")
bitwise_xor = _bitwise_function("xor", "bitwise_xor")
bitwise_left_shift = _bitwise_function("lshift", "bitwise_left_shift")
bitwise_right_shift = _bitwise_function("rshift", "bitwise_right_shift")


def bitwise_not(input, *, out=None):
    """Logical not of a bool tensor, bitwise not of an integer one. Mirrors ``torch.bitwise_not``.

    Raises:
        NotImplementedError: for floating point and complex tensors.
    """
    if out is not None:
        return with_out("bitwise_not", out, bitwise_not, input)
    if input.dtype.is_floating_point or input.dtype.is_complex:
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{D.scalar_name(input.dtype)}\'')
    return invert(input)


# ------------------------------------------------------------------ unary
class _Unary(Function):
    elementwise = True
    arity = 1  # one tensor input; parameters follow it


def _float_input(x):
    """Unary float functions promote integer inputs to the default float dtype."""
    if x.dtype.is_floating_point or x.dtype.is_complex:
        return x._data
    b = x._backend
    return b.xp.astype(x._data, b.dtype(D.get_default_dtype()))


class Neg(_Unary):
    name = "NegBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        return -x._data

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(_Unary):
    name = "ExpBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        return x._backend.xp.exp(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * conj_of(ctx.xp, out._data, out._dtype)  # PyTorch: grad * result.conj()


class Log(_Unary):
    name = "LogBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return x._backend.xp.log(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / conj_of(ctx.xp, x._data, x._dtype)  # PyTorch: grad / self.conj()


class Sqrt(_Unary):
    name = "SqrtBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        return x._backend.xp.sqrt(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * conj_of(ctx.xp, out._data, out._dtype))  # PyTorch: grad / (2 * result.conj())


class Abs(_Unary):
    name = "AbsBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return ctx_xp(x).abs(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        sign = xp.sign(x._data)
        if x._dtype.is_floating_point:  # PyTorch's sgn(nan) is 0
            sign = xp.where(xp.isnan(x._data), xp.zeros((), dtype=sign.dtype, device=sign.device), sign)
        return g * sign


class Tanh(_Unary):
    name = "TanhBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        return x._backend.xp.tanh(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        y = conj_of(ctx.xp, out._data, out._dtype)  # PyTorch: grad * (1 - result * result).conj()
        if isinstance(g, Tensor):  # create_graph: PyTorch's fused node
            return TanhBackward.apply(g, y)
        return _opmath(TanhBackward.formula, ctx.xp, g, y)


class Sigmoid(_Unary):
    name = "SigmoidBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        xp = b.xp
        a = _float_input(x)
        if ctx.needs_input_grad:
            ctx.save_output()
        # exp(-a) overflows to inf below about -88 (float32), giving PyTorch's exact 0;
        # NumPy would warn about it, PyTorch does not (apply runs this in the quiet error state).
        half = x._dtype in D.REDUCED_FLOATS
        if half:  # PyTorch's float16/bfloat16 kernel computes in float32 and rounds once
            a = xp.astype(a, b.dtype(D.float32))
        y = b.sigmoid_(a, xp.empty_like(a) if a is x._data else None)  # (in place in a fresh array)
        return xp.astype(y, b.dtype(x._dtype)) if half else y

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        y = conj_of(ctx.xp, out._data, out._dtype)  # PyTorch: grad * ((1 - result) * result).conj()
        if isinstance(g, Tensor):  # create_graph: PyTorch's fused node
            return SigmoidBackward.apply(g, y)
        return _opmath(SigmoidBackward.formula, ctx.xp, g, y, opmath=SigmoidBackward.opmath)


_SAME_SIZE_INT = {D.float16: D.int16, D.bfloat16: D.int16, D.float32: D.int32, D.float64: D.int64}


class Relu(_Unary):
    name = "ReluBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        xp = b.xp
        a = x._data
        if ctx.needs_input_grad:
            ctx.save_output()
        zero = xp.zeros((), dtype=a.dtype, **b._dev_kw())
        # x < 0 -> 0, NaN stays NaN: one branch-free pass (``where(x < 0, 0, x)`` mispredicts
        # a branch per element on NumPy, ~10x slower). Which zero ``maximum`` returns for
        # x = -0.0 is unspecified (NumPy's vector loop gives +0.0, its scalar loop -0.0);
        # PyTorch keeps -0.0, so the zeros of x are copied back (a predictable mask: as fast
        # as checking for zeros first, and cheaper on small tensors).
        out = xp.maximum(a, zero)
        if x._dtype.is_floating_point:
            out = b.where_into(a == zero, a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph: PyTorch's fused node
            return ThresholdBackward.apply(g, out._data)
        y = out._data
        b = ctx.backend
        bits = _SAME_SIZE_INT.get(out.dtype)
        if bits is None:
            return ThresholdBackward.formula(ctx.xp, g, y)
        # ThresholdBackward.formula, branch-free: the result is never negative, so "<= 0"
        # is "== 0"; g's bits and-ed with all ones (keep) or all zeros (+0.0). where()
        # mispredicts a branch per element on NumPy (about 6x slower).
        it = b.dtype(bits)
        mask = -ctx.xp.astype(y != 0, it)
        return b.view_dtype(b.view_dtype(g, it) & mask, g.dtype)


def _opmath(formula, xp, g, y, *, opmath=True, **params):
    """``formula(xp, g, y, **params)``, an element-wise formula, on arrays; half precision
    computed in float32 and rounded once at the end, as most of PyTorch's CPU kernels do
    (``opmath=False``: each step rounded to float16, as its ``sigmoid_backward`` kernel
    does; bfloat16 still in float32, as that kernel's bfloat16 branch). Row-major arrays of
    one shape go by blocks of elements (``by_element_blocks``)."""
    if _backends.is_reduced_float(xp, g.dtype) and (opmath or g.dtype != getattr(xp, "float16", None)):
        half = g.dtype

        def fn(g, y):
            return xp.astype(formula(xp, xp.astype(g, xp.float32), xp.astype(y, xp.float32), **params), half)
    else:
        def fn(g, y):
            return formula(xp, g, y, **params)
    backend = _backends.of_namespace(xp)
    if backend is None or params and any(hasattr(v, "shape") for v in params.values()):  # (an array one: whole)
        return fn(g, y)
    return by_element_blocks(backend, fn, (g, y))


class _OutputGrad(_Unary):
    """The gradient ``g * f'(y)`` of a unary op whose derivative is a function of its
    output ``y``, as the graph op PyTorch records under ``create_graph``
    (``TanhBackwardBackward0`` …). ``formula`` is the op's first-order backward on arrays;
    ``formula_y`` (over ``xp``, arrays or tensors) the derivative of
    ``g * f'(y)`` in ``y``, times ``gg``. The gradient for ``g`` is this op again."""

    create_graph = True
    arity = 2  # two tensor inputs, g and y
    opmath = True  # float16 computed in float32 (False: each step rounded to float16)

    @classmethod
    def forward(cls, ctx, g, y):
        ctx.save_for_backward(g, y)
        return _opmath(cls.formula, g._backend.xp, g._data, y._data, opmath=cls.opmath)

    @classmethod
    def backward(cls, ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp, dt = ctx.xp, y._dtype
        yc = conj_of(xp, y._data, dt)  # complex: each derivative conjugated (gg appears once)
        dg = dy = None
        if need[0]:
            dg = cls.apply(gg, yc) if isinstance(gg, Tensor) else _opmath(cls.formula, xp, gg, yc, opmath=cls.opmath)
        if need[1]:
            dy = cls.formula_y(xp, gg, conj_of(xp, g._data, dt), yc)
        return dg, dy


class TanhBackward(_OutputGrad):
    name = "TanhBackwardBackward0"

    @staticmethod
    def formula(xp, g, y):
        return g * (1 - y * y)

    @staticmethod
    def formula_y(xp, gg, g, y):
        return -2 * y * g * gg


class SigmoidBackward(_OutputGrad):
    name = "SigmoidBackwardBackward0"
    opmath = False  # PyTorch's float16 kernel rounds each step to float16 (its bfloat16 one: float32)

    @staticmethod
    def formula(xp, g, y):
        return g * (1 - y) * y  # PyTorch's order: (g * (1 - y)) * y

    @staticmethod
    def formula_y(xp, gg, g, y):
        return gg * g * (1 - 2 * y)


class ThresholdBackward(_OutputGrad):
    name = "ThresholdBackwardBackward0"

    @staticmethod
    def formula(xp, g, y):
        # threshold_backward: zero where the result is <= 0 (a nan result keeps its gradient)
        return xp.where(y <= 0, xp.zeros((), dtype=g.dtype, device=g.device), g)

    @staticmethod
    def formula_y(xp, gg, g, y):
        return xp.zeros_like(y)  # piecewise constant in y: zero, but in the graph as in PyTorch


class Sin(_Unary):
    name = "SinBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return x._backend.xp.sin(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * conj_of(ctx.xp, ctx.xp.cos(x._data), x._dtype)  # PyTorch: grad * self.cos().conj()


class Cos(_Unary):
    name = "CosBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return x._backend.xp.cos(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * conj_of(ctx.xp, ctx.xp.sin(x._data), x._dtype)  # PyTorch: grad * -self.sin().conj()


#: PyTorch's scalar-type names (an alias of the one table, kept for the modules importing it here).
_SCALAR_NAMES = D.SCALAR_NAMES


class Reciprocal(_Unary):
    name = "ReciprocalBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        a = _float_input(x)
        return 1 / a

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # PyTorch: -grad * (result * result).conj(), in its order (float16 rounds each step)
        return -g * conj_of(ctx.xp, out._data * out._data, out._dtype)


@tensor_input
def reciprocal(input, *, out=None):
    """``1 / input`` element-wise (integer inputs give the default float dtype).
    Mirrors ``torch.reciprocal``."""
    if out is not None:
        return with_out("reciprocal", out, reciprocal, input)
    return Reciprocal.apply(input)


def rtruediv(input, other):
    """``other / input`` for a Python number ``other``: PyTorch computes it as
    ``input.reciprocal() * other`` (so the grad_fn is ``MulBackward0``)."""
    if isinstance(other, Tensor):
        return div(other, input)
    return mul(reciprocal(input), other)


def ctx_xp(x):
    return x._backend.xp


@tensor_input
def neg(input, *, out=None):
    """``-input``. Mirrors ``torch.neg``.

    Raises:
        RuntimeError: for bool tensors.
    """
    if input.dtype is D.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    if out is not None:
        return with_exact_out("neg", out, neg, input)
    return Neg.apply(input)


negative = neg


@tensor_input
def exp(input, *, out=None):
    """``e ** input`` element-wise (integer inputs give the default float dtype). Mirrors ``torch.exp``.

    Examples:
        >>> import reftorch as torch
        >>> torch.exp(torch.tensor([0, 1]))
        tensor([1.0000, 2.7183])
    """
    if out is not None:
        return with_out("exp", out, exp, input)
    return Exp.apply(input)


@tensor_input
def log(input, *, out=None):
    """Natural logarithm element-wise (``log(0) = -inf``, negative → nan). Mirrors ``torch.log``.

    Integer inputs give the default float dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.log(torch.tensor([1., 0., -1.]))
        tensor([0., -inf, nan])
    """
    if out is not None:
        return with_out("log", out, log, input)
    return Log.apply(input)


@tensor_input
def sqrt(input, *, out=None):
    """Square root element-wise (negative → nan). Mirrors ``torch.sqrt``.

    Integer inputs give the default float dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.sqrt(torch.tensor([4, 2]))
        tensor([2.0000, 1.4142])
    """
    if out is not None:
        return with_out("sqrt", out, sqrt, input)
    return Sqrt.apply(input)


@tensor_input
def abs(input, *, out=None):
    """Absolute value element-wise. Mirrors ``torch.abs``.

    The result keeps ``input``'s dtype (complex inputs give their real dtype).

    Raises:
        NotImplementedError: for bool tensors, as in PyTorch.

    Examples:
        >>> import reftorch as torch
        >>> torch.abs(torch.tensor([-1, 2]))
        tensor([1, 2])
    """
    if out is not None:
        return with_exact_out("abs", out, abs, input)
    if input.dtype is D.bool:
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return Abs.apply(input)


@tensor_input
def tanh(input, *, out=None):
    """Hyperbolic tangent element-wise, in ``(-1, 1)``. Mirrors ``torch.tanh``.

    Integer inputs give the default float dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.tanh(torch.tensor([0, 1]))
        tensor([0.0000, 0.7616])
    """
    if out is not None:
        return with_out("tanh", out, tanh, input)
    return Tanh.apply(input)


@tensor_input
def sigmoid(input, *, out=None):
    """Logistic sigmoid ``1 / (1 + exp(-x))`` element-wise, in ``(0, 1)``. Mirrors ``torch.sigmoid``.

    Integer inputs give the default float dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.sigmoid(torch.tensor([0., 2.]))
        tensor([0.5000, 0.8808])
    """
    if out is not None:
        return with_out("sigmoid", out, sigmoid, input)
    return Sigmoid.apply(input)


@tensor_input
def relu(input):
    """``max(x, 0)`` element-wise. Mirrors ``torch.relu``.

    Raises:
        RuntimeError: for bool tensors.
        NotImplementedError: for complex tensors.
    """
    if input.dtype is D.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    if input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    return Relu.apply(input)


@tensor_input
def sin(input, *, out=None):
    """Sine element-wise. Mirrors ``torch.sin``."""
    if out is not None:
        return with_out("sin", out, sin, input)
    return Sin.apply(input)


@tensor_input
def cos(input, *, out=None):
    """Cosine element-wise. Mirrors ``torch.cos``."""
    if out is not None:
        return with_out("cos", out, cos, input)
    return Cos.apply(input)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Element-wise ``|input - other| <= atol + rtol * |other|`` (or exactly equal), broadcast.

    Infinities are close only to themselves; ``nan`` is close to ``nan`` only with
    ``equal_nan=True``. Integer and bool inputs are compared in the default float dtype. The result is
    a bool tensor outside the autograd graph. Mirrors ``torch.isclose``.

    Args:
        input: a tensor.
        other: a tensor of the same dtype (broadcastable with ``input``).
        rtol: relative tolerance (>= 0).
        atol: absolute tolerance (>= 0).
        equal_nan: whether two ``nan`` compare close.

    Raises:
        TypeError: if ``input`` or ``other`` is not a tensor.
        RuntimeError: if the dtypes differ ("Float did not match Long") or a tolerance is
            negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.isclose(torch.tensor([1., 2., float("nan")]), torch.tensor([1.000001, 2.1, float("nan")]))
        tensor([ True, False, False])
        >>> torch.isclose(torch.tensor([float("nan")]), torch.tensor([float("nan")]), equal_nan=True)
        tensor([True])
    """
    for pos, (name, v) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(v, Tensor):
            raise TypeError(f"isclose(): argument '{name}' (position {pos}) must be Tensor, not {type(v).__name__}")
    dt = input.dtype
    if other.dtype is not dt:
        raise RuntimeError(f"{D.scalar_name(dt)} did not match {D.scalar_name(other.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    if input.device != other.device and input.dim() and other.dim():
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{input.device} and {other.device}!")
    if input._data.shape != other._data.shape:
        broadcast_shape(input._data.shape, other._data.shape)  # PyTorch's error if they do not broadcast
    b = input._backend
    xp = b.xp
    a, o = input._data, _as_operand(other, input, dt)._data
    # PyTorch's at::isclose, step by step, with its dtypes.
    close = a == o
    if equal_nan and (dt.is_floating_point or dt.is_complex):  # a complex nan: either part nan
        close = close | (xp.isnan(a) & xp.isnan(o))
    if rtol != 0 or atol != 0:
        if not (dt.is_floating_point or dt.is_complex):  # integers and bools: compared in the default float dtype
            fnative = b.dtype(D.get_default_dtype())
            a, o = xp.astype(a, fnative), xp.astype(o, fnative)
        with b.quiet():  # inf - inf: nan, silently
            allowed = atol + xp.abs(rtol * o)
            actual = xp.abs(a - o)
            close = close | (xp.isfinite(actual) & (actual <= allowed))
    return Tensor._wrap(relayout_like_operands(b, close, (input, other)), input.device, b)


class Conj(Function):
    name = "ConjBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x):
        return x._backend.xp.conj(x._data)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.conj(g)


class Real(Function):
    """The real part of a complex tensor, for backward formulas under ``create_graph``
    (:func:`~reftorch._ops._common.grad_as`: a real input's share of a complex gradient)."""

    name = "RealBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.native = x._data.dtype
        return x._backend.xp.real(x._data)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.astype(g, ctx.native)


@tensor_input
def conj(input):
    """The complex conjugate; a non-complex tensor is returned as is (the same object).

    Mirrors ``torch.conj``. PyTorch returns a lazy view with the conjugate bit set
    (``is_conj()``); reftorch returns a conjugated copy with the same values and
    ``grad_fn`` (``ConjBackward0``), so writes to it do not reach ``input``. The copy is
    marked, so its ``is_conj()`` is True as in PyTorch (its views and ``detach()`` are
    not marked; in PyTorch they keep the bit).

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1 + 2j, 3 - 1j]).conj()
        tensor([1.-2.j, 3.+1.j])
        >>> x = torch.tensor([1., 2.])
        >>> x.conj() is x
        True
    """
    if not input.dtype.is_complex:
        return input
    out = Conj.apply(input)
    if not input.__dict__.get("_conj_bit", False):  # (the conj of a conj has no bit)
        out._conj_bit = True  # PyTorch's conjugate bit: Tensor.is_conj
    return out


# ----------------------------------------------------------------- addcmul, addcdiv, lerp


def _need_tensor(fn, name, pos, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(value).__name__}")


def _scalar_value(value, dt):
    """The number argument ``value`` (``addcmul``'s ``value``, ``lerp``'s ``weight``) as a
    Python number of ``dt``'s kind, as PyTorch converts its ``Scalar`` (2.5 becomes 2 for an
    integer ``dt``). Raises PyTorch's RuntimeError when it does not fit."""
    if isinstance(value, Tensor):
        value = value.item()
    cname = _C_NAMES.get(dt.name, dt.name)
    if isinstance(value, complex) and not dt.is_complex:
        raise _overflow(cname)
    if not (dt.is_floating_point or dt.is_complex):
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _overflow(cname)
            value = int(value)
        if not isinstance(value, bool):
            check_scalar_arg(value, dt)
    return value


def _kernel_dtypes(backend, dt):
    """(native dtype, the dtype a kernel computes in): float16/float32 work in float64, so that
    one rounding at the end gives what PyTorch's fused multiply-add gives; others as they are."""
    native = backend.dtype(dt)
    if dt in (D.float16, D.bfloat16, D.float32):
        return native, backend.dtype(D.float64)
    return native, native


def _fma_operands(backend, dt, arrays):
    """``arrays`` cast to the kernel dtype of :func:`_kernel_dtypes`; float16's through float32 (its
    opmath), whose products PyTorch rounds to float32 before the fused add."""
    xp = backend.xp
    native, work = _kernel_dtypes(backend, dt)
    out = []
    for a in arrays:
        if a.dtype != native:
            a = xp.astype(a, native)
        out.append(a)
    return native, work, out


def _value_array(backend, value, dt, like):
    """A number (already converted by :func:`_scalar_value`) as a 0-d array of ``dt`` on the
    device of array ``like``; an int wraps into a narrower integer dtype as in PyTorch (uint8
    with -1 is 255)."""
    xp, native, dev = backend.xp, backend.dtype(dt), like.device
    if dt.is_floating_point or dt.is_complex or dt is D.int64 or isinstance(value, bool):
        return xp.asarray(value, dtype=native, device=dev)
    return xp.astype(xp.asarray(value, dtype=backend.dtype(D.int64), device=dev), native)


def _round_from_work(backend, r, dt, native):
    """A float64 (or float32) kernel result back to ``dt``: float16 through float32, PyTorch's
    opmath."""
    xp = backend.xp
    f32 = backend.dtype(D.float32)
    if (dt is D.float16 or dt is D.bfloat16) and r.dtype != f32:
        r = xp.astype(r, f32)
    return r if r.dtype == native else xp.astype(r, native)


def _c_type(d):
    """The C++ type name PyTorch's messages give a dtype (``float``, ``long int`` …)."""
    return _C_TYPE.get(d.name) or ("c10::complex<float>" if d is D.complex64 else "c10::complex<double>")


def _same(a):
    return a


def _conj_of(xp):
    """The complex conjugate in a backward formula: ``xp.conj`` on arrays, ``Tensor.conj``
    (recorded) on the tensors of ``create_graph``."""
    return lambda a: a.conj() if isinstance(a, Tensor) else xp.conj(a)


class _Addc(Function):
    """``input + value * tensor1 * tensor2`` (``addcmul``) or ``input + value * tensor1 /
    tensor2`` (``addcdiv``), in one node (``AddcmulBackward0`` / ``AddcdivBackward0``)."""

    elementwise = True
    arity = 3
    create_graph = True
    divide = False

    @classmethod
    def _kernel(cls, backend, a, b, c, dt, value):
        xp = backend.xp
        native, work, (a, b, c) = _fma_operands(backend, dt, (a, b, c))
        if work == native:
            v = _value_array(backend, value, dt, a)
            if cls.divide:
                return a + v * b / c
            return fma(xp, v * b, c, a) if dt is D.float64 else a + v * b * c  # (float64: fused, as PyTorch's)
        f32 = backend.dtype(D.float32)
        b32, c32 = xp.astype(b, f32), xp.astype(c, f32)
        vb = xp.asarray(value, dtype=f32, device=b.device) * b32  # rounded to float32, as PyTorch's opmath does
        if cls.divide:
            r = xp.astype(vb / c32, work) + xp.astype(a, work)
        else:  # (float32, rounded once)
            r = fma_wide(xp, vb, c32, a)
        return _round_from_work(backend, r, dt, native)

    @classmethod
    def forward(cls, ctx, x, t1, t2, dt, value):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(t1 if need[2] or (cls.divide and need[1]) else None,
                                  t2 if need[1] or cls.divide else None)
            ctx.shapes = (x._data.shape, t1._data.shape, t2._data.shape)
            ctx.natives = (x._data.dtype, t1._data.dtype, t2._data.dtype)
            ctx.dt, ctx.value = dt, value
        return cls._kernel(x._backend, x._data, t1._data, t2._data, dt, value)

    @staticmethod
    def _factor(t, dt):
        """A saved factor as PyTorch's formula uses it: in its own dtype (an integer one in
        ``dt``, as its true division would give a float)."""
        return t._data if t._dtype.is_floating_point or t._dtype.is_complex else _cast(t, dt)

    @classmethod
    def backward(cls, ctx, g):
        xp = ctx.xp
        t1, t2 = ctx.saved_tensors
        v, dt = ctx.value, ctx.dt
        need = ctx.needs_input_grad
        conj = _conj_of(xp) if dt.is_complex else _same
        b = cls._factor(t1, dt) if t1 is not None else None
        c = cls._factor(t2, dt) if t2 is not None else None
        grads = [g if need[0] else None, None, None]
        if cls.divide:
            if need[1]:
                grads[1] = g * conj(v / c)
            if need[2]:
                grads[2] = -g * conj(b * v / (c * c))
        else:
            if need[1]:
                grads[1] = g * conj(c * v)
            if need[2]:
                grads[2] = g * conj(b * v)
        out = []
        for gk, shape, native in zip(grads, ctx.shapes, ctx.natives):
            if gk is not None:
                gk = sum_to_shape(xp, gk, shape)
                if gk.dtype != native:
                    gk = xp.astype(gk, native)
            out.append(gk)
        return tuple(out)


class Addcmul(_Addc):
    name = "AddcmulBackward0"


class Addcdiv(_Addc):
    name = "AddcdivBackward0"
    divide = True


def _addc(fn, cls, input, tensor1, tensor2, value):
    _need_tensor(fn, "input", 1, input)
    _need_tensor(fn, "tensor1", 2, tensor1)
    _need_tensor(fn, "tensor2", 3, tensor2)
    if cls.divide and not (tensor1.dtype.is_floating_point or tensor1.dtype.is_complex) and not (
            tensor2.dtype.is_floating_point or tensor2.dtype.is_complex):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
            "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
            "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
            "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    broadcast_shape(broadcast_shape(input._data.shape, tensor1._data.shape), tensor2._data.shape)  # (its error)
    dt = D.result_type(input, tensor1, tensor2)
    if dt is D.bool:
        raise NotImplementedError(f"\"{fn}_cpu_out\" not implemented for 'Bool'")
    value = _scalar_value(value, dt)
    for t in (tensor1, tensor2):
        if t._device is not input._device and t.device != input.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{input.device} and {t.device}!")
    return cls.apply(input, tensor1, tensor2, dt, value)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``, element-wise with broadcasting.

    Mirrors ``torch.addcmul`` / ``torch.Tensor.addcmul`` (``grad_fn`` ``AddcmulBackward0``;
    ``addcmul_`` is the in-place form).

    Args:
        input: the tensor added to.
        tensor1: the first factor.
        tensor2: the second factor.
        value: a number multiplying the product (converted to the result's dtype: 2.5
            becomes 2 for integer tensors). Keyword-only.
        out: an optional tensor to write the result into.

    Returns:
        A tensor of the broadcast shape of the three inputs, with their promoted dtype.

    Raises:
        TypeError: if one of the three is not a tensor.
        RuntimeError: if the shapes do not broadcast, or ``value`` does not fit the dtype.
        NotImplementedError: for bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.addcmul(torch.tensor([1., 2.]), torch.tensor([3., 4.]), torch.tensor([2., 2.]), value=0.5)
        tensor([4., 6.])
    """
    if out is not None:
        return with_out("addcmul", out, _addc, "addcmul", Addcmul, input, tensor1, tensor2, value)
    return _addc("addcmul", Addcmul, input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``, element-wise with broadcasting.

    Mirrors ``torch.addcdiv`` / ``torch.Tensor.addcdiv`` (``grad_fn`` ``AddcdivBackward0``;
    ``addcdiv_`` is the in-place form).

    Args:
        input: the tensor added to.
        tensor1: the numerator.
        tensor2: the denominator.
        value: a number multiplying the quotient. Keyword-only.
        out: an optional tensor to write the result into.

    Returns:
        A tensor of the broadcast shape of the three inputs, with their promoted dtype.

    Raises:
        TypeError: if one of the three is not a tensor.
        RuntimeError: if ``tensor1`` and ``tensor2`` are both integer (or bool) tensors
            (PyTorch no longer divides integers here), if the shapes do not broadcast, or if
            ``value`` does not fit the dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.addcdiv(torch.tensor([1., 2.]), torch.tensor([3., 4.]), torch.tensor([2., 8.]))
        tensor([2.5000, 2.5000])
    """
    if out is not None:
        return with_out("addcdiv", out, _addc, "addcdiv", Addcdiv, input, tensor1, tensor2, value)
    return _addc("addcdiv", Addcdiv, input, tensor1, tensor2, value)


def _lerp_kernel(backend, dt, a, b, w):
    """PyTorch's ``lerp``: ``a + w * (b - a)`` where ``|w| < 0.5``, else
    ``b - (b - a) * (1 - w)`` (the exact end point at ``w = 1``), each one fused multiply-add.
    ``w`` is a Python number or an array."""
    xp = backend.xp
    native, work, (a, b) = _fma_operands(backend, dt, (a, b))
    scalar = not hasattr(w, "shape")
    w0 = w  # (a number: |w| < 0.5 decides the formula)
    if work == native:
        w = _value_array(backend, w, dt, a) if scalar else (w if w.dtype == native else xp.astype(w, native))
        d = b - a
        if dt is D.float64:  # (the fused multiply-adds of float32 and float16 are below)
            small, big = (lambda: fma(xp, w, d, a)), (lambda: fma(xp, -d, 1 - w, b))
        else:
            small, big = (lambda: w * d + a), (lambda: b - d * (1 - w))
    else:
        f32 = backend.dtype(D.float32)
        a32, b32 = xp.astype(a, f32), xp.astype(b, f32)
        w32 = xp.asarray(w, dtype=f32, device=a.device) if scalar else xp.astype(w, f32)
        d = b32 - a32
        # (float32, rounded once; d * (w - 1) keeps the sign of a nan d, as PyTorch's b - d * (1 - w))
        small, big = (lambda: fma_wide(xp, w32, d, a32)), (lambda: fma_wide(xp, d, w32 - 1, b32))
    if scalar:  # (only the formula taken is computed)
        out = small() if (w0.real * w0.real + w0.imag * w0.imag if isinstance(w0, complex) else w0 * w0) < 0.25 else big()
    else:
        out = xp.where(xp.abs(xp.astype(w, work) if work != native else w) < 0.5, small(), big())
    return out if out.dtype == native else _round_from_work(backend, out, dt, native)


class Lerp(Function):
    """``lerp`` with a number ``weight`` (``LerpBackward0``)."""

    name = "LerpBackward0"
    elementwise = True
    arity = 2
    create_graph = True

    @staticmethod
    def forward(ctx, x, end, dt, weight):
        if ctx.needs_input_grad:
            ctx.shapes = (x._data.shape, end._data.shape)
            ctx.weight = weight
        return _lerp_kernel(x._backend, dt, x._data, end._data, weight)

    @staticmethod
    def backward(ctx, g):
        w = ctx.weight
        need = ctx.needs_input_grad
        xp = ctx.xp
        if isinstance(w, complex):  # PyTorch's formulas take the conjugate weight
            w = w.conjugate()
        return (sum_to_shape(xp, g * (1 - w), ctx.shapes[0]) if need[0] else None,
                sum_to_shape(xp, g * w, ctx.shapes[1]) if need[1] else None)


class LerpTensor(Function):
    """``lerp`` with a tensor ``weight`` (``LerpBackward1``)."""

    name = "LerpBackward1"
    elementwise = True
    arity = 3
    create_graph = True

    @staticmethod
    def forward(ctx, x, end, weight, dt):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(x if need[2] else None, end if need[2] else None,
                                  weight if need[0] or need[1] else None)
            ctx.shapes = (x._data.shape, end._data.shape, weight._data.shape)
            ctx.natives = (x._data.dtype, end._data.dtype, weight._data.dtype)
            ctx.dt = dt
        native = x._backend.dtype(dt)
        w = weight._data if weight._data.dtype == native else x._backend.xp.astype(weight._data, native)
        return _lerp_kernel(x._backend, dt, x._data, end._data, w)

    @staticmethod
    def backward(ctx, g):
        x, end, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp, dt = ctx.xp, ctx.dt
        conj = _conj_of(xp) if dt.is_complex else _same  # PyTorch's formulas: conjugates
        grads = [None, None, None]
        if w is not None:
            wa = conj(_cast(w, dt))
            if need[0]:
                grads[0] = g * (1 - wa)
            if need[1]:
                grads[1] = g * wa
        if need[2]:
            grads[2] = g * conj(_cast(end, dt) - _cast(x, dt))
        out = []
        for gk, shape, native in zip(grads, ctx.shapes, ctx.natives):
            if gk is not None:
                gk = sum_to_shape(xp, gk, shape)
                if gk.dtype != native:
                    gk = xp.astype(gk, native)
            out.append(gk)
        return tuple(out)


def _lerp(input, end, weight):
    _need_tensor("lerp", "input", 1, input)
    _need_tensor("lerp", "end", 2, end)
    if end.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {_c_type(input.dtype)} for `end` but got dtype {_c_type(end.dtype)}")
    if isinstance(weight, Tensor):
        if weight.dim() and weight.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {_c_type(input.dtype)} for `weight` but got dtype "
                               f"{_c_type(weight.dtype)}")
        broadcast_shape(broadcast_shape(input._data.shape, end._data.shape), weight._data.shape)
        dt = D.result_type(input, end, weight)
        if not (dt.is_floating_point or dt.is_complex):
            raise NotImplementedError(f"\"lerp_kernel_tensor\" not implemented for '{D.scalar_name(dt)}'")
        return LerpTensor.apply(input, end, weight, dt)
    if not isinstance(weight, (int, float, complex)):
        raise TypeError(f"lerp(): argument 'weight' (position 3) must be Number or Tensor, not "
                        f"{type(weight).__name__}")
    broadcast_shape(input._data.shape, end._data.shape)
    dt = input.dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{D.scalar_name(dt)}'")
    return Lerp.apply(input, end, dt, _scalar_value(weight, dt))


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``, element-wise.

    Mirrors ``torch.lerp`` / ``torch.Tensor.lerp`` (``lerp_`` in place). Like PyTorch it
    computes ``end - (end - input) * (1 - weight)`` where ``|weight| >= 0.5``, so that
    ``weight = 1`` gives ``end`` exactly. The ``grad_fn`` is ``LerpBackward0`` for a number
    ``weight`` and ``LerpBackward1`` for a tensor.

    Args:
        input: the start points, a floating-point (or complex) tensor.
        end: the end points, a tensor of the same dtype.
        weight: a number, or a tensor of the same dtype (a 0-dim tensor may have another
            dtype; it takes part in type promotion).
        out: an optional tensor to write the result into.

    Returns:
        A tensor of the broadcast shape of the inputs and ``input``'s dtype.

    Raises:
        RuntimeError: if ``end`` (or a ``weight`` with dimensions) has another dtype than
            ``input``, or the shapes do not broadcast.
        NotImplementedError: for integer inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.lerp(torch.tensor([0., 10.]), torch.tensor([10., 20.]), 0.25)
        tensor([ 2.5000, 12.5000])
    """
    if out is not None:
        return with_out("lerp", out, _lerp, input, end, weight)
    return _lerp(input, end, weight)
