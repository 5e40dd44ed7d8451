"""Element-wise math on the floating-point representation and a few more: ``logaddexp2``,
``float_power``, ``heaviside``, ``isposinf``/``isneginf``/``isreal``, ``absolute``,
``positive``, ``gcd``/``lcm``, ``ldexp``, ``frexp``, ``nextafter`` and the inverse
hyperbolic functions ``acosh``/``asinh``/``atanh``.

The same patterns as :mod:`reftorch._ops.binary_math` and :mod:`reftorch._ops.unary_math`
(operands broadcast and promote through ``_operands``; one ``Function`` per differentiable
op). ``frexp`` and ``nextafter`` read the bits of the floats (``backend.view_dtype``), as
the array API standard has neither.
"""
from __future__ import annotations

from collections import namedtuple

from .. import _backends
from .. import _dtype as D
from .._layout import relayout_like_operands
from .._tensor import Tensor
from ._common import conj_of, tensor_input, with_out
from .binary_math import _need_tensors, _refuse
from .pointwise import _Binary, _Unary, _cast, _operands, _setup, abs as _abs, pow
from .unary_math import _LN2, _via


# ------------------------------------------------------------------------- logaddexp2
class Logaddexp2(_Binary):
    name = "Logaddexp2Backward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, y)
        backend = x._backend
        xp = backend.xp

        def kernel(a, b):  # PyTorch: m + log1p(exp2(-|a - b|)) / ln 2, a itself where both are one infinity
            m = xp.maximum(a, b)
            r = m + xp.log1p(xp.pow(xp.asarray(2.0, dtype=a.dtype, device=a.device), -xp.abs(a - b))) / _LN2
            return xp.where(xp.isinf(a) & (a == b), a, r)
        if dt is D.float32 or dt in D.REDUCED_FLOATS:  # (float64 first, rounded once, as unary_math._via)
            f64 = backend.dtype(D.float64)
            return xp.astype(kernel(xp.astype(a, f64), xp.astype(b, f64)), a.dtype)
        return kernel(a, b)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        a, b = _cast(x, ctx.dt), _cast(y, ctx.dt)
        # PyTorch: grad / (1 + pow(2, other - self)), grad / (1 + pow(2, self - other))
        return _Binary._reduce(ctx, g / (1 + 2.0 ** (b - a)), g / (1 + 2.0 ** (a - b)))


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)`` element-wise, without overflow. Mirrors ``torch.logaddexp2``.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for integer, bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.logaddexp2(torch.tensor([0.0, 1000.0]), torch.tensor([0.0, 1000.0]))
        tensor([1.0000e+00, 1.0010e+03])
    """
    if out is not None:
        return with_out("logaddexp2", out, logaddexp2, input, other)
    _need_tensors("logaddexp2", input, other)
    x, y, dt = _operands(input, other)
    _refuse("logaddexp2_cpu", dt, ints=False, complex_=False)
    return Logaddexp2.apply(x, y, dt)


# ------------------------------------------------------------------------- float_power
def _power_dtype(*operands):
    cplx = any((v.dtype.is_complex if isinstance(v, Tensor) else isinstance(v, complex)) for v in operands)
    return D.complex128 if cplx else D.float64


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision: float64 (complex128 when either
    operand is complex), whatever the operands' dtypes. Mirrors ``torch.float_power``.

    Either operand may be a Python number (not both): ``PowBackward0`` (number exponent),
    ``PowBackward1`` (two tensors), ``PowBackward2`` (number base), the casts recorded as
    ``ToCopyBackward0`` as in PyTorch.

    Raises:
        TypeError: when both operands are numbers.
        RuntimeError: when ``out`` (or ``self`` of ``float_power_``) is not of that dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.float_power(torch.tensor([2, 3]), 2)
        tensor([4., 9.], dtype=torch.float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError(f"float_power() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__})")
    dt = _power_dtype(input, exponent)
    if out is not None:
        if out.dtype is not dt:
            raise RuntimeError(f"the output given to float_power has dtype {D.scalar_name(out.dtype)} but the "
                               f"operation's result requires dtype {D.scalar_name(dt)}")
        return with_out("float_power", out, float_power, input, exponent)
    base = input.to(dt) if isinstance(input, Tensor) else input
    exp = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    return pow(base, exp)


def float_power_(self, exponent):
    """In-place :func:`float_power`: ``self`` must already have the result's dtype."""
    dt = _power_dtype(self, exponent)
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {D.scalar_name(self.dtype)} but the "
                           f"operation's result requires dtype {D.scalar_name(dt)}")
    return self.pow_(exponent.to(dt) if isinstance(exponent, Tensor) else exponent)


# --------------------------------------------------------------------------- heaviside
class Heaviside(_Binary):
    """No derivative, as in PyTorch: the node (``NotImplemented``) raises when reached."""

    name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        xp = x._backend.xp
        return xp.where(a == 0, b, xp.astype(a > 0, a.dtype))

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def heaviside(input, values, *, out=None):
    """The Heaviside step function: 0 where ``input < 0``, ``values`` where ``input == 0``,
    1 where ``input > 0`` (nan gives 0). Mirrors ``torch.heaviside``.

    Raises:
        RuntimeError: when the two tensors' dtypes differ, or for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.heaviside(torch.tensor([-1.5, 0.0, 2.0]), torch.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    if out is not None:
        return with_out("heaviside", out, heaviside, input, values)
    _need_tensors("heaviside", input, values)
    if input.dtype.is_complex or values.dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, y, dt = _operands(input, values)
    return Heaviside.apply(x, y, dt)


# ------------------------------------------------------------------- classification
def _bool_like(input, r):
    b = input._backend
    return Tensor._wrap(relayout_like_operands(b, r, (input,)), input.device, b)


def _isinf_signed(name, input, out, positive):
    if out is not None:
        return with_out(name, out, _isinf_signed, name, input, None, positive)
    if input.dtype.is_complex:
        raise RuntimeError(f"{name} does not support complex inputs.")
    xp = input._backend.xp
    a = input._data
    if input.dtype.is_floating_point:
        return _bool_like(input, a == (xp.inf if positive else -xp.inf))
    return _bool_like(input, xp.zeros(a.shape, dtype=xp.bool, device=a.device))


@tensor_input
def isposinf(input, *, out=None):
    """Whether each element is positive infinity, as a bool tensor. Mirrors ``torch.isposinf``.

    Raises:
        RuntimeError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.isposinf(torch.tensor([-float("inf"), 1.0, float("inf")]))
        tensor([False, False,  True])
    """
    return _isinf_signed("isposinf", input, out, True)


@tensor_input
def isneginf(input, *, out=None):
    """Whether each element is negative infinity, as a bool tensor. Mirrors ``torch.isneginf``.

    Raises:
        RuntimeError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.isneginf(torch.tensor([-float("inf"), 1.0, float("inf")]))
        tensor([ True, False, False])
    """
    return _isinf_signed("isneginf", input, out, False)


@tensor_input
def isreal(input):
    """Whether each element has a zero imaginary part (all True for real tensors), as a
    bool tensor. Mirrors ``torch.isreal``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isreal(torch.tensor([1 + 0j, 2j]))
        tensor([ True, False])
    """
    xp = input._backend.xp
    a = input._data
    if input.dtype.is_complex:
        return _bool_like(input, xp.imag(a) == 0)
    return _bool_like(input, xp.ones(a.shape, dtype=xp.bool, device=a.device))


@tensor_input
def absolute(input, *, out=None):
    """Alias of :func:`reftorch.abs` (``AbsBackward0``). Mirrors ``torch.absolute``.

    Examples:
        >>> import reftorch as torch
        >>> torch.absolute(torch.tensor([-1, 2]))
        tensor([1, 2])
    """
    return _abs(input, out=out)


@tensor_input
def positive(input):
    """``input`` itself (the unary ``+``). Mirrors ``torch.positive``.

    Raises:
        RuntimeError: for bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([-1.0, 2.0])
        >>> torch.positive(x) is x
        True
    """
    if input.dtype is D.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ----------------------------------------------------------------------------- gcd, lcm
def _gcd_arrays(xp, a, b):
    """PyTorch's ``calc_gcd``, Euclid's algorithm on all elements at once (a step while any
    element still has a non-zero ``a``)."""
    a, b = xp.abs(a), xp.abs(b)
    zero = xp.zeros_like(a)
    while bool(xp.any(a != 0)):
        nz = a != 0
        c = a
        a = xp.where(nz, xp.remainder(b, xp.where(nz, a, xp.ones_like(a))), zero)
        b = xp.where(nz, c, b)
    return b


def _gcd_op(name, input, other, out, lcm):
    if out is not None:
        return with_out(name, out, _gcd_op, name, input, other, None, lcm)
    _need_tensors(name, input, other)
    x, y, dt = _operands(input, other)
    if dt is D.bool or dt.is_floating_point or dt.is_complex:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{D.scalar_name(dt)}'")
    b = x._backend
    xp = b.xp
    a, c = _cast(x, dt), _cast(y, dt)
    a, c = xp.broadcast_arrays(a, c)
    g = _gcd_arrays(xp, a, c)
    if lcm:  # PyTorch: g == 0 ? 0 : abs(a / g * b)
        safe = xp.where(g == 0, xp.ones_like(g), g)
        g = xp.where(g == 0, xp.zeros_like(g), xp.abs(a // safe * c))
    return Tensor._wrap(relayout_like_operands(b, g, (x, y)), x.device, b)


def gcd(input, other, *, out=None):
    """The greatest common divisor of each pair of elements (non-negative; ``gcd(0, 0)`` is
    0). Mirrors ``torch.gcd``; integer tensors only, broadcast and promoted.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for bool, floating and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.gcd(torch.tensor([12, -18, 0]), torch.tensor([8, 12, 5]))
        tensor([4, 6, 5])
    """
    return _gcd_op("gcd", input, other, out, False)


def lcm(input, other, *, out=None):
    """The least common multiple of each pair of elements (non-negative; 0 when either is
    0). Mirrors ``torch.lcm``; integer tensors only.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for bool, floating and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.lcm(torch.tensor([12, -18, 0]), torch.tensor([8, 12, 5]))
        tensor([24, 36,  0])
    """
    return _gcd_op("lcm", input, other, out, True)


# ------------------------------------------------------------------------------ ldexp
class Ldexp(_Binary):
    name = "LdexpBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, e, dt = _setup(ctx, x, y, dt)
        xp = x._backend.xp
        p = xp.pow(xp.asarray(2.0, dtype=a.dtype, device=a.device), e)  # PyTorch: self * pow(2.0, other)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
            ctx.p = p
            # PyTorch's gradient for self is grad * pow(2, other): an integer power for an
            # integer other, so 0 where other < 0 (copied)
            ctx.p_self = xp.where(y._data < 0, xp.zeros_like(p), p) if not (
                y.dtype.is_floating_point or y.dtype.is_complex) else p
        return a * p

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor) and ctx.needs_input_grad[1]:
            raise NotImplementedError("reftorch: the second derivative of ldexp through its exponent")
        (x,) = ctx.saved_tensors
        gy = g * x._data * ctx.p * _LN2 if ctx.needs_input_grad[1] else None
        return _Binary._reduce(ctx, g * ctx.p_self, gy)


def ldexp(input, other, *, out=None):
    """``input * 2**other`` element-wise. Mirrors ``torch.ldexp``.

    The operands promote as for ``torch.div`` (integers give the default float dtype).
    As in PyTorch, the gradient for ``input`` is ``grad * pow(2, other)`` in ``other``'s
    dtype: 0 where an integer ``other`` is negative. Both operands are differentiable (``other``: ``grad * result * ln 2``).

    Raises:
        TypeError: when either argument is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.ldexp(torch.tensor([1.0, 3.0]), torch.tensor([3, -1]))
        tensor([8.0000, 1.5000])
    """
    if out is not None:
        return with_out("ldexp", out, ldexp, input, other)
    _need_tensors("ldexp", input, other)
    x, y, dt = _operands(input, other, true_div=True)
    return Ldexp.apply(x, y, dt)


# ------------------------------------------------------------------------------ frexp
class _FrexpResult(namedtuple("frexp", ["mantissa", "exponent"])):
    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.frexp(\nmantissa={self.mantissa!r},\nexponent={self.exponent!r})"


_FrexpResult.__name__ = _FrexpResult.__qualname__ = "frexp"


class _FrexpOutResult(namedtuple("frexp_out", ["mantissa", "exponent"])):
    """What ``frexp(..., out=(m, e))`` returns (PyTorch's ``torch.return_types.frexp_out``)."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.frexp_out(\nmantissa={self.mantissa!r},\nexponent={self.exponent!r})"


def _frexp_arrays(b, a):
    """``(m, e)`` with ``a = m * 2**e``, ``0.5 <= |m| < 1`` (``m = a``, ``e = 0`` at 0,
    inf and nan), ``e`` int32; float16 through float32 (exact)."""
    xp = b.xp
    x = xp.astype(a, xp.float32) if _backends.is_reduced_float(xp, a.dtype) else a
    finite = xp.isfinite(x) & (x != 0)
    safe = xp.where(finite, xp.abs(x), xp.ones_like(x))
    two = xp.asarray(2.0, dtype=x.dtype, device=x.device)

    def scaled(v, e):  # v * 2**-e in two exact steps (2**-e alone may not be representable)
        h = xp.floor(e / 2)
        return v * xp.pow(two, -h) * xp.pow(two, -(e - h))
    e = xp.floor(xp.log2(safe)) + 1
    for _ in range(2):  # log2's rounding: at most one off each way
        e = xp.where(scaled(safe, e) >= 1, e + 1, e)
        e = xp.where(scaled(safe, e) < 0.5, e - 1, e)
    m = scaled(x, e)
    m = xp.where(finite, m, x)
    e = xp.astype(xp.where(finite, e, xp.zeros_like(e)), xp.int32)
    return (m if m.dtype == a.dtype else xp.astype(m, a.dtype)), e


class Frexp(_Unary):
    name = "FrexpBackward0"
    create_graph = True
    multi_output = True

    @staticmethod
    def forward(ctx, x):
        m, e = _frexp_arrays(x._backend, x._data)
        if ctx.needs_input_grad:
            xp = x._backend.xp
            ctx.pow2 = xp.pow(xp.asarray(2.0, dtype=m.dtype, device=m.device), xp.astype(e, m.dtype))
        return m, e

    @staticmethod
    def backward(ctx, gm, ge):
        return gm / ctx.pow2  # PyTorch: grad / exponent.exp2()


@tensor_input
def frexp(input, *, out=None):
    """Split each element into a mantissa in ``(-1, -0.5] ∪ [0.5, 1)`` and an int32
    exponent, ``input == mantissa * 2**exponent`` (0, inf and nan keep themselves with
    exponent 0). Mirrors ``torch.frexp``; returns ``torch.return_types.frexp(mantissa,
    exponent)``.

    Raises:
        RuntimeError: for non-floating tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.frexp(torch.tensor([8.0, 0.3, -5.0]))
        torch.return_types.frexp(
        mantissa=tensor([ 0.5000,  0.6000, -0.6250]),
        exponent=tensor([ 4, -1,  3], dtype=torch.int32))
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if out is not None:
        m, e = frexp(input)
        out[0].copy_(m)
        out[1].copy_(e)
        return _FrexpOutResult(out[0], out[1])
    m, e = Frexp.apply(input)
    e._requires_grad = False
    e._grad_fn = None
    return _FrexpResult(m, e)


# --------------------------------------------------------------------------- nextafter
_INT_OF = {"float64": "int64", "float32": "int32", "float16": "int16"}


class Nextafter(_Binary):
    name = "NextafterBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, c, dt = _setup(ctx, x, y, dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, y)
            ctx.dt = dt
        backend = x._backend
        xp = backend.xp
        a, c = xp.broadcast_arrays(a, c)
        ints = backend.dtype(getattr(D, _INT_OF[dt.name]))
        bits = backend.view_dtype(a, ints)
        one = xp.ones((), dtype=ints, device=a.device)
        step = xp.where((c > a) == (a > 0), one, -one)  # away from zero, or toward it
        r = backend.view_dtype(bits + step, a.dtype)
        tiny = backend.view_dtype(one, a.dtype)  # the smallest subnormal
        r = xp.where(a == 0, xp.where(c > 0, tiny, -tiny), r)
        r = xp.where(a == c, c, r)
        return xp.where(xp.isnan(a) | xp.isnan(c), a + c, r)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors  # PyTorch: grad (0 where self == other), zeros
        xp = ctx.xp
        zero = xp.zeros_like(g)
        return _Binary._reduce(ctx, xp.where(_cast(x, ctx.dt) == _cast(y, ctx.dt), zero, g), zero)


def nextafter(input, other, *, out=None):
    """The next floating-point value after ``input`` in the direction of ``other``,
    element-wise (``other`` where they are equal). Mirrors ``torch.nextafter``.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for integer, bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.nextafter(torch.tensor([1.0, 0.0], dtype=torch.float64), torch.tensor([2.0, -1.0], dtype=torch.float64))
        tensor([ 1.0000e+00, -4.9407e-324], dtype=torch.float64)
    """
    if out is not None:
        return with_out("nextafter", out, nextafter, input, other)
    _need_tensors("nextafter", input, other)
    x, y, dt = _operands(input, other)
    _refuse("nextafter_cpu", dt, ints=False, complex_=False)
    if dt.name not in _INT_OF:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{D.scalar_name(dt)}'")
    return Nextafter.apply(x, y, dt)


# ------------------------------------------------------------------ inverse hyperbolic
class Acosh(_Unary):
    name = "AcoshBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.acosh, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: grad * (self.pow(2) - 1).rsqrt().conj()
        return g * conj_of(ctx.xp, 1 / ctx.xp.sqrt(a * a - 1), x._dtype)


class Asinh(_Unary):
    name = "AsinhBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.asinh, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: grad * (self.pow(2) + 1).rsqrt().conj()
        return g * conj_of(ctx.xp, 1 / ctx.xp.sqrt(a * a + 1), x._dtype)


class Atanh(_Unary):
    name = "AtanhBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.atanh, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: grad * 1 / (1 - self.pow(2)).conj()
        return g / conj_of(ctx.xp, 1 - a * a, x._dtype)


@tensor_input
def acosh(input, *, out=None):
    """The inverse hyperbolic cosine element-wise (nan below 1). Mirrors ``torch.acosh``
    (alias ``torch.arccosh``).

    Examples:
        >>> import reftorch as torch
        >>> torch.acosh(torch.tensor([1.0, 2.0]))
        tensor([0.0000, 1.3170])
    """
    if out is not None:
        return with_out("acosh", out, acosh, input)
    return Acosh.apply(input)


@tensor_input
def asinh(input, *, out=None):
    """The inverse hyperbolic sine element-wise. Mirrors ``torch.asinh`` (alias ``torch.arcsinh``).

    Examples:
        >>> import reftorch as torch
        >>> torch.asinh(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8814])
    """
    if out is not None:
        return with_out("asinh", out, asinh, input)
    return Asinh.apply(input)


@tensor_input
def atanh(input, *, out=None):
    """The inverse hyperbolic tangent element-wise (``±inf`` at ``±1``, nan beyond).
    Mirrors ``torch.atanh`` (alias ``torch.arctanh``).

    Examples:
        >>> import reftorch as torch
        >>> torch.atanh(torch.tensor([0.0, 0.5]))
        tensor([0.0000, 0.5493])
    """
    if out is not None:
        return with_out("atanh", out, atanh, input)
    return Atanh.apply(input)


arccosh, arcsinh, arctanh = acosh, asinh, atanh
