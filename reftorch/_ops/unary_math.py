"""More element-wise math: rounding, sign, classification (``isnan``…), ``nan_to_num``,
logarithms and exponentials (``log1p``, ``exp2``…), trigonometric and hyperbolic functions.

The same pattern as the unary ops of :mod:`reftorch._ops.pointwise`: one ``Function`` per
differentiable op, its backward beside its forward, kernels written once over the
backend's array namespace (``x._backend.xp``). Integer inputs keep their dtype for the
rounding ops and ``sign``; bool results (``isnan``…) record no graph.
"""
from __future__ import annotations

import math

from .. import _backends
from .. import _dtype as D
from .._layout import relayout_like_operands
from .._tensor import Tensor
from ._common import by_element_blocks, conj_of, tensor_input, with_out
from ._common import with_exact_out as _exact_out
from .pointwise import _Unary, _float_input, pow, scalar_mul


def _zero_grad(ctx, g):
    """The gradient of a piecewise-constant op: zeros like ``g`` (PyTorch's ``zeros_like(grad)``)."""
    return ctx.xp.zeros_like(g)


def _check_real(input, name, kernel):
    """PyTorch's errors of the rounding ops: bool (``"floor_vml_cpu"``…) and complex inputs."""
    if input.dtype is D.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if input.dtype.is_complex:
        if name in ("floor", "ceil", "trunc"):
            raise NotImplementedError(f"{name} is not supported for complex inputs")
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(input.dtype)}'")


class _Rounding(_Unary):
    """``floor``/``ceil``/``round``/``trunc``: the same array-API function on floats, a copy
    of integers; zero gradient."""

    create_graph = True
    kernel = ""

    @classmethod
    def forward(cls, ctx, x):
        a = x._data
        if not x._dtype.is_floating_point:
            return x._backend.copy(a)
        return getattr(x._backend.xp, cls.kernel)(a)

    backward = staticmethod(_zero_grad)


class Floor(_Rounding):
    name, kernel = "FloorBackward0", "floor"


class Ceil(_Rounding):
    name, kernel = "CeilBackward0", "ceil"


class Round(_Rounding):
    name, kernel = "RoundBackward0", "round"  # (the array API's round: half to even, as PyTorch's nearbyint)


class Trunc(_Rounding):
    name, kernel = "TruncBackward0", "trunc"


class RoundDecimals(_Unary):
    """``round(x, decimals=d)``: PyTorch's ``nearbyint(x * 10**d) / 10**d`` (for ``d < 0``:
    ``nearbyint(x / 10**-d) * 10**-d``), float16 and bfloat16 computed in float32."""

    name = "RoundBackward1"
    create_graph = True

    @staticmethod
    def forward(ctx, x, decimals):
        b = x._backend
        xp = b.xp
        a = x._data
        half = x._dtype in D.REDUCED_FLOATS
        if half:
            a = xp.astype(a, b.dtype(D.float32))
        ten = xp.asarray(float(10 ** abs(decimals)), dtype=a.dtype, device=a.device)
        r = xp.round(a / ten) * ten if decimals < 0 else xp.round(a * ten) / ten
        return xp.astype(r, b.dtype(x._dtype)) if half else r

    backward = staticmethod(_zero_grad)


class Frac(_Unary):
    name = "FracBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        return a - x._backend.xp.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


def _sign_array(xp, a):
    """``(0 < a) - (a < 0)`` in ``a``'s dtype: PyTorch's sign (``sign(nan)`` is 0)."""
    return xp.astype(a > 0, a.dtype) - xp.astype(a < 0, a.dtype)


class Sign(_Unary):
    name = "SignBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        if x._dtype is D.bool:
            return x._backend.copy(a)
        return _sign_array(x._backend.xp, a)

    backward = staticmethod(_zero_grad)


class Sgn(_Unary):
    """``x / |x|`` (0 at 0) for complex tensors, ``sign`` for real ones."""

    name = "SgnBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        xp = x._backend.xp
        if x._dtype is D.bool:
            return x._backend.copy(a)
        if not x._dtype.is_complex:
            return _sign_array(xp, a)
        ctx.save_for_backward(x)
        ctx.save_output()
        m = xp.abs(a)
        zero = xp.zeros((), dtype=a.dtype, device=a.device)
        return xp.where(m == 0, zero, a / xp.astype(m, a.dtype))

    @staticmethod
    def backward(ctx, g):
        if not ctx.saved_tensors:  # a real input: piecewise constant
            return ctx.xp.zeros_like(g)
        x, out = ctx.saved_tensors
        xp = ctx.xp
        s = out._data
        m = xp.abs(x._data)
        # PyTorch's sgn_backward: (g - sgn * Re(g * conj(sgn))) / |x|, 0 where x == 0
        r = (g - s * xp.real(g * xp.conj(s))) / m
        return xp.where(m == 0, xp.zeros_like(r), r)


class NanToNum(_Unary):
    name = "NanToNumBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        b = x._backend
        xp = b.xp
        a = x._data
        if not (x._dtype.is_floating_point or x._dtype.is_complex):
            return b.copy(a)
        if x._dtype.is_complex:  # the real and imaginary parts replaced separately
            re, im = (NanToNum._replace(b, x._dtype.to_real(), p, nan, posinf, neginf) for p in (xp.real(a), xp.imag(a)))
            return re + xp.astype(im, a.dtype) * xp.asarray(1j, dtype=a.dtype, device=a.device)
        ctx.save_for_backward(x)
        return NanToNum._replace(b, x._dtype, a, nan, posinf, neginf)

    @staticmethod
    def _replace(b, dt, a, nan, posinf, neginf):
        xp = b.xp
        info = xp.finfo(a.dtype)
        hi = info.max if posinf is None else posinf
        lo = info.min if neginf is None else neginf
        with b.quiet():  # (a replacement beyond the dtype's range: inf, silently)
            vals = [xp.asarray(v, dtype=a.dtype, device=a.device) for v in (nan, hi, lo)]
        r = xp.where(xp.isnan(a), vals[0], a)
        r = xp.where(a == xp.inf, vals[1], r)
        return xp.where(a == -xp.inf, vals[2], r)

    @staticmethod
    def backward(ctx, g):
        if not ctx.saved_tensors:
            raise RuntimeError("nan_to_num does not support automatic differentiation for outputs with complex dtype.")
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        return xp.where(xp.isfinite(x._data), g, xp.zeros_like(g))


@tensor_input
def floor(input, *, out=None):
    """The largest integer not greater than each element. Mirrors ``torch.floor``.

    Integer tensors are returned as a copy; the gradient is zero.

    Raises:
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.floor(torch.tensor([1.5, -1.5]))
        tensor([ 1., -2.])
    """
    if out is not None:
        return _exact_out("floor", out, floor, input)
    _check_real(input, "floor", "floor_vml_cpu")
    return Floor.apply(input)


@tensor_input
def ceil(input, *, out=None):
    """The smallest integer not less than each element. Mirrors ``torch.ceil``.

    Integer tensors are returned as a copy; the gradient is zero.

    Raises:
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.ceil(torch.tensor([1.5, -1.5]))
        tensor([ 2., -1.])
    """
    if out is not None:
        return _exact_out("ceil", out, ceil, input)
    _check_real(input, "ceil", "ceil_vml_cpu")
    return Ceil.apply(input)


class _DefaultDecimals(int):
    """The default ``decimals=0`` of :func:`round`, told apart from an explicit 0: PyTorch's
    ``round(x)`` and ``round(x, decimals=0)`` are two overloads (``RoundBackward0`` and a
    copy of integer tensors; ``RoundBackward1`` and an error for them)."""

    def __repr__(self):
        return "0"


_NO_DECIMALS = _DefaultDecimals(0)


@tensor_input
def round(input, *, decimals=_NO_DECIMALS, out=None):
    """Round each element to the nearest integer, halves to even. Mirrors ``torch.round``.

    With ``decimals`` (an int, negative for tens, hundreds…), rounds to that many decimal
    places as PyTorch does: ``round(x * 10**decimals) / 10**decimals``, so the result is
    the nearest float to that quotient (``grad_fn`` ``RoundBackward1``). The gradient is zero.

    Args:
        input: a real tensor; integer tensors are returned as a copy when ``decimals`` is
            not given.
        decimals: the number of decimal places (default 0).

    Raises:
        NotImplementedError: for bool and complex tensors, and for integer tensors when
            ``decimals`` is given (even 0, as in PyTorch).

    Examples:
        >>> import reftorch as torch
        >>> torch.round(torch.tensor([0.5, 1.5, 2.5]))
        tensor([0., 2., 2.])
        >>> torch.round(torch.tensor([1.2345]), decimals=2)
        tensor([1.2300])
    """
    if out is not None:
        return _exact_out("round", out, round, input, decimals=decimals)
    if decimals is _NO_DECIMALS:
        _check_real(input, "round", "round_vml_cpu")
        return Round.apply(input)
    if not input.dtype.is_floating_point:
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(input.dtype)}'")
    return RoundDecimals.apply(input, int(decimals))


@tensor_input
def trunc(input, *, out=None):
    """Each element rounded toward zero. Mirrors ``torch.trunc`` (alias ``torch.fix``).

    Integer tensors are returned as a copy; the gradient is zero.

    Raises:
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.trunc(torch.tensor([1.7, -1.7]))
        tensor([ 1., -1.])
    """
    if out is not None:
        return _exact_out("trunc", out, trunc, input)
    _check_real(input, "trunc", "trunc_vml_cpu")
    return Trunc.apply(input)


fix = trunc


@tensor_input
def frac(input, *, out=None):
    """The fractional part ``input - trunc(input)``, with the sign of ``input``.
    Mirrors ``torch.frac``; the gradient is 1.

    Raises:
        NotImplementedError: for integer, bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.frac(torch.tensor([1.25, -1.25]))
        tensor([ 0.2500, -0.2500])
    """
    if out is not None:
        return _exact_out("frac", out, frac, input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    return Frac.apply(input)


@tensor_input
def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element (``sign(nan)`` is 0; bool stays bool).
    Mirrors ``torch.sign``; the gradient is zero.

    Raises:
        NotImplementedError: for complex tensors (use ``sgn``).

    Examples:
        >>> import reftorch as torch
        >>> torch.sign(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    if out is not None:
        return _exact_out("sign", out, sign, input)
    if input.dtype.is_complex:
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                                  "torch.sgn instead.")
    return Sign.apply(input)


@tensor_input
def sgn(input, *, out=None):
    """``input / |input|`` for complex tensors (0 where ``input`` is 0); ``sign`` for
    real ones. Mirrors ``torch.sgn``.

    Examples:
        >>> import reftorch as torch
        >>> torch.sgn(torch.tensor([3 + 4j, 0j]))
        tensor([0.6000+0.8000j, 0.0000+0.0000j])
    """
    if out is not None:
        return _exact_out("sgn", out, sgn, input)
    return Sgn.apply(input)


@tensor_input
def square(input, *, out=None):
    """``input ** 2``, as PyTorch computes it (``pow``: ``grad_fn`` ``PowBackward0``; a bool
    tensor gives int64). Mirrors ``torch.square``.

    Examples:
        >>> import reftorch as torch
        >>> torch.square(torch.tensor([-2, 3]))
        tensor([4, 9])
    """
    if out is not None:
        return with_out("pow", out, square, input)  # (PyTorch reports it as pow)
    return pow(input, 2)


def _classify(input, kernel, ints):
    """A bool tensor of ``kernel`` (``xp.isnan``…) on a float or complex tensor; ``ints``
    (all True or all False) for integer and bool tensors."""
    b = input._backend
    xp = b.xp
    a = input._data
    if input.dtype.is_floating_point or input.dtype.is_complex:
        r = getattr(xp, kernel)(a)
    else:
        r = (xp.ones if ints else xp.zeros)(a.shape, dtype=xp.bool, **b._dev_kw())
    return Tensor._wrap(relayout_like_operands(b, r, (input,)), input.device, b)


@tensor_input
def isnan(input):
    """Whether each element is NaN (for complex: either part), as a bool tensor.
    Mirrors ``torch.isnan``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isnan(torch.tensor([1.0, float("nan")]))
        tensor([False,  True])
    """
    return _classify(input, "isnan", False)


@tensor_input
def isinf(input):
    """Whether each element is positive or negative infinity (for complex: either part),
    as a bool tensor. Mirrors ``torch.isinf``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isinf(torch.tensor([1.0, float("inf"), -float("inf")]))
        tensor([False,  True,  True])
    """
    return _classify(input, "isinf", False)


@tensor_input
def isfinite(input):
    """Whether each element is neither infinite nor NaN, as a bool tensor (all True for
    integer tensors). Mirrors ``torch.isfinite``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isfinite(torch.tensor([1.0, float("inf"), float("nan")]))
        tensor([ True, False, False])
    """
    return _classify(input, "isfinite", True)


@tensor_input
def signbit(input, *, out=None):
    """Whether each element has its sign bit set (``-0.0`` and negative NaNs included), as
    a bool tensor. Mirrors ``torch.signbit``.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.signbit(torch.tensor([-0.0, 0.0, -2.0]))
        tensor([ True, False,  True])
    """
    if out is not None:
        return with_out("signbit", out, signbit, input)
    if input.dtype.is_complex:
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    if input.dtype.is_floating_point:
        return _classify(input, "signbit", False)
    b = input._backend
    r = input._data < 0 if input.dtype is not D.bool else b.xp.zeros(input._data.shape, dtype=b.xp.bool, **b._dev_kw())
    return Tensor._wrap(relayout_like_operands(b, r, (input,)), input.device, b)


@tensor_input
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, positive and negative infinity by finite numbers. Mirrors ``torch.nan_to_num``.

    Args:
        input: a tensor; integer and bool tensors are returned as a copy.
        nan: the value for NaN (default 0).
        posinf: the value for +inf (default: the dtype's largest finite value).
        neginf: the value for -inf (default: the dtype's lowest finite value).

    Returns:
        A tensor of ``input``'s dtype and shape; the gradient is 1 where ``input`` is
        finite, 0 elsewhere.

    Examples:
        >>> import reftorch as torch
        >>> torch.nan_to_num(torch.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
        tensor([0., 9., 1.])
    """
    if out is not None:
        return _exact_out("nan_to_num", out, nan_to_num, input, nan=nan, posinf=posinf, neginf=neginf)
    return NanToNum.apply(input, nan, posinf, neginf)


# ------------------------------------------------------------------ transcendental
# Integer and bool inputs give the default float dtype (``_float_input``); float16 uses
# the backend's float16 kernels (NumPy's compute in float32 and round once, as PyTorch's).
_LN2 = 0.6931471805599453  # PyTorch's M_LN2
_LN10 = 2.302585092994046  # PyTorch's M_LN10
_TWO_OVER_SQRT_PI = 1.1283791670955126  # PyTorch's 2 / sqrt(M_PI)


def _via(x, kernel, wide, narrow=D.float32):
    """``kernel(a)`` of ``x`` promoted (``_float_input``), where ``a`` of dtype ``narrow`` is
    computed in ``wide`` and rounded once: PyTorch's float32 kernels are about correctly
    rounded where NumPy's float32 loops are often 1 ulp off (``log10(100.)`` is
    ``2.0000002``); float64 first matches PyTorch's bits in nearly every case."""
    a = _float_input(x)
    dt = x._dtype if x._dtype.is_floating_point or x._dtype.is_complex else D.get_default_dtype()
    if dt is not narrow:
        return kernel(a)
    b = x._backend
    xp, wide, narrow = b.xp, b.dtype(wide), b.dtype(narrow)
    # (by blocks of elements: the wide temporaries of a block stay in the cache)
    return by_element_blocks(b, lambda a: xp.astype(kernel(xp.astype(a, wide)), narrow), (a,))


def _exp2(xp, a):
    f = getattr(xp, "exp2", None)  # (not in the array API standard)
    return f(a) if f is not None else xp.pow(xp.asarray(2, dtype=a.dtype, device=a.device), a)


class Rsqrt(_Unary):
    name = "RsqrtBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        xp = x._backend.xp  # (float16/bfloat16: in float32, rounded once, as PyTorch)
        return _via(x, lambda a: 1 / xp.sqrt(a), D.float32, x._dtype if x._dtype in D.REDUCED_FLOATS else D.float16)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        y = out._data  # PyTorch: -0.5 * grad * result.pow(3).conj()
        return -0.5 * g * conj_of(ctx.xp, y * y * y, out._dtype)


class Log1p(_Unary):
    name = "Log1PBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.log1p, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / conj_of(ctx.xp, x._data + 1, x._dtype)  # PyTorch: grad / (self + 1).conj()


class Expm1(_Unary):
    name = "Expm1Backward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        return _via(x, x._backend.xp.expm1, D.float64)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (conj_of(ctx.xp, out._data, out._dtype) + 1)  # PyTorch: grad * (result.conj() + 1)


class Log2(_Unary):
    name = "Log2Backward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.log2, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (conj_of(ctx.xp, x._data, x._dtype) * _LN2)  # PyTorch: grad / (self.conj() * M_LN2)


class Log10(_Unary):
    name = "Log10Backward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.log10, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (conj_of(ctx.xp, x._data, x._dtype) * _LN10)  # PyTorch: grad / (self.conj() * M_LN10)


class Exp2(_Unary):
    name = "Exp2Backward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        return _via(x, lambda a: _exp2(x._backend.xp, a), D.float64)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * conj_of(ctx.xp, out._data, out._dtype) * _LN2  # PyTorch: grad * result.conj() * M_LN2


class Tan(_Unary):
    name = "TanBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_output()
        return _via(x, x._backend.xp.tan, D.float64)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        y = out._data  # PyTorch: grad * (1 + result.pow(2)).conj()
        return g * conj_of(ctx.xp, 1 + y * y, out._dtype)


class Asin(_Unary):
    name = "AsinBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.asin, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: grad * (-self * self + 1).rsqrt().conj()
        return g * conj_of(ctx.xp, 1 / ctx.xp.sqrt(-a * a + 1), x._dtype)


class Acos(_Unary):
    name = "AcosBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.acos, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: grad * -((-self * self + 1).rsqrt()).conj()
        return g * conj_of(ctx.xp, -(1 / ctx.xp.sqrt(-a * a + 1)), x._dtype)


class Atan(_Unary):
    name = "AtanBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.atan, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: grad / (self * self + 1).conj()
        return g / conj_of(ctx.xp, a * a + 1, x._dtype)


class Sinh(_Unary):
    name = "SinhBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.sinh, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * conj_of(ctx.xp, ctx.xp.cosh(x._data), x._dtype)  # PyTorch: grad * self.cosh().conj()


class Cosh(_Unary):
    name = "CoshBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return _via(x, x._backend.xp.cosh, D.float64)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * conj_of(ctx.xp, ctx.xp.sinh(x._data), x._dtype)  # PyTorch: grad * self.sinh().conj()


@tensor_input
def rsqrt(input, *, out=None):
    """``1 / sqrt(input)`` element-wise (integer inputs give the default float dtype).
    Mirrors ``torch.rsqrt``.

    Examples:
        >>> import reftorch as torch
        >>> torch.rsqrt(torch.tensor([4.0, 0.25]))
        tensor([0.5000, 2.0000])
    """
    if out is not None:
        return with_out("rsqrt", out, rsqrt, input)
    return Rsqrt.apply(input)


@tensor_input
def log1p(input, *, out=None):
    """``log(1 + input)``, accurate for small ``input``. Mirrors ``torch.log1p``.

    Examples:
        >>> import reftorch as torch
        >>> torch.log1p(torch.tensor([0.0, 1e-10], dtype=torch.float64))
        tensor([0.0000e+00, 1.0000e-10], dtype=torch.float64)
    """
    if out is not None:
        return with_out("log1p", out, log1p, input)
    return Log1p.apply(input)


@tensor_input
def expm1(input, *, out=None):
    """``exp(input) - 1``, accurate for small ``input``. Mirrors ``torch.expm1``.

    Examples:
        >>> import reftorch as torch
        >>> torch.expm1(torch.tensor([0.0, 1e-10], dtype=torch.float64))
        tensor([0.0000e+00, 1.0000e-10], dtype=torch.float64)
    """
    if out is not None:
        return with_out("expm1", out, expm1, input)
    return Expm1.apply(input)


@tensor_input
def log2(input, *, out=None):
    """Base-2 logarithm element-wise. Mirrors ``torch.log2``.

    Examples:
        >>> import reftorch as torch
        >>> torch.log2(torch.tensor([1, 8, 1024]))
        tensor([ 0.,  3., 10.])
    """
    if out is not None:
        return with_out("log2", out, log2, input)
    return Log2.apply(input)


@tensor_input
def log10(input, *, out=None):
    """Base-10 logarithm element-wise. Mirrors ``torch.log10``.

    Examples:
        >>> import reftorch as torch
        >>> torch.log10(torch.tensor([1.0, 100.0]))
        tensor([0., 2.])
    """
    if out is not None:
        return with_out("log10", out, log10, input)
    return Log10.apply(input)


@tensor_input
def exp2(input, *, out=None):
    """``2 ** input`` element-wise (integer inputs give the default float dtype).
    Mirrors ``torch.exp2``.

    Examples:
        >>> import reftorch as torch
        >>> torch.exp2(torch.tensor([0, 3, -1]))
        tensor([1.0000, 8.0000, 0.5000])
    """
    if out is not None:
        return with_out("exp2", out, exp2, input)
    return Exp2.apply(input)


@tensor_input
def tan(input, *, out=None):
    """Tangent element-wise (radians). Mirrors ``torch.tan``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tan(torch.tensor([0.0, 0.5]))
        tensor([0.0000, 0.5463])
    """
    if out is not None:
        return with_out("tan", out, tan, input)
    return Tan.apply(input)


@tensor_input
def asin(input, *, out=None):
    """Arcsine element-wise (nan outside [-1, 1]). Mirrors ``torch.asin`` (alias ``torch.arcsin``).

    Examples:
        >>> import reftorch as torch
        >>> torch.asin(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 1.5708])
    """
    if out is not None:
        return with_out("asin", out, asin, input)
    return Asin.apply(input)


@tensor_input
def acos(input, *, out=None):
    """Arccosine element-wise (nan outside [-1, 1]). Mirrors ``torch.acos`` (alias ``torch.arccos``).

    Examples:
        >>> import reftorch as torch
        >>> torch.acos(torch.tensor([1.0, 0.0]))
        tensor([0.0000, 1.5708])
    """
    if out is not None:
        return with_out("acos", out, acos, input)
    return Acos.apply(input)


@tensor_input
def atan(input, *, out=None):
    """Arctangent element-wise. Mirrors ``torch.atan`` (alias ``torch.arctan``).

    Examples:
        >>> import reftorch as torch
        >>> torch.atan(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7854])
    """
    if out is not None:
        return with_out("atan", out, atan, input)
    return Atan.apply(input)


@tensor_input
def sinh(input, *, out=None):
    """Hyperbolic sine element-wise. Mirrors ``torch.sinh``.

    Examples:
        >>> import reftorch as torch
        >>> torch.sinh(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 1.1752])
    """
    if out is not None:
        return with_out("sinh", out, sinh, input)
    return Sinh.apply(input)


@tensor_input
def cosh(input, *, out=None):
    """Hyperbolic cosine element-wise. Mirrors ``torch.cosh``.

    Examples:
        >>> import reftorch as torch
        >>> torch.cosh(torch.tensor([0.0, 1.0]))
        tensor([1.0000, 1.5431])
    """
    if out is not None:
        return with_out("cosh", out, cosh, input)
    return Cosh.apply(input)


arcsin, arccos, arctan = asin, acos, atan


class Erf(_Unary):
    name = "ErfBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return x._backend.erf(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: 2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad
        return _TWO_OVER_SQRT_PI * ctx.xp.exp(-(a * a)) * g


class Erfc(_Unary):
    name = "ErfcBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        return x._backend.erfc(_float_input(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data  # PyTorch: -2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad
        return -_TWO_OVER_SQRT_PI * ctx.xp.exp(-(a * a)) * g


def _check_not_complex(input, kernel):
    if input.dtype.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(input.dtype)}'")


@tensor_input
def erf(input, *, out=None):
    """The error function ``2/sqrt(pi) * integral(exp(-t**2), 0, x)`` element-wise.
    Mirrors ``torch.erf``.

    Computed in float64 with the C library's algorithm (fdlibm), then rounded to the
    input's dtype; integer inputs give the default float dtype.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.erf(torch.tensor([0.0, 0.5, -3.0]))
        tensor([ 0.0000,  0.5205, -1.0000])
    """
    if out is not None:
        return with_out("erf", out, erf, input)
    _check_not_complex(input, "erf_vml_cpu")
    return Erf.apply(input)


@tensor_input
def erfc(input, *, out=None):
    """The complementary error function ``1 - erf(input)``, accurate where ``erf`` is close
    to 1. Mirrors ``torch.erfc``.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.erfc(torch.tensor([0.0, 3.0], dtype=torch.float64))
        tensor([1.0000e+00, 2.2090e-05], dtype=torch.float64)
    """
    if out is not None:
        return with_out("erfc", out, erfc, input)
    _check_not_complex(input, "erfc_vml_cpu")
    return Erfc.apply(input)


# ------------------------------------------------------------- deg2rad, rad2deg, logit
class _AngleScale(_Unary):
    """``x * factor`` in the input's float dtype (integers: the default float dtype;
    float16/bfloat16: in float32, rounded once, as PyTorch's CPU kernels)."""

    create_graph = True
    factor = 1.0

    @classmethod
    def forward(cls, ctx, x):
        xp = x._backend.xp
        a = _float_input(x)
        native = a.dtype
        if _backends.is_reduced_float(xp, native):
            a = xp.astype(a, xp.float32)
        out = a * xp.asarray(cls.factor, dtype=a.dtype, device=a.device)
        return out if out.dtype == native else xp.astype(out, native)

    @classmethod
    def backward(cls, ctx, g):
        if isinstance(g, Tensor):  # (PyTorch's grad.mul(scalar): MulBackward1)
            return scalar_mul(g, cls.factor)
        return g * cls.factor


class Deg2Rad(_AngleScale):
    name, factor = "Deg2RadBackward0", math.pi / 180


class Rad2Deg(_AngleScale):
    name, factor = "Rad2DegBackward0", 180 / math.pi


def _angles(fn, op, input, out):
    if out is not None:
        return with_out(fn, out, op.apply, input)
    if input.dtype.is_complex:
        raise RuntimeError(f"{fn} is not supported for complex tensors.")
    return op.apply(input)


@tensor_input
def deg2rad(input, *, out=None):
    """Degrees to radians: ``input * pi / 180`` (integers give the default float dtype).
    Mirrors ``torch.deg2rad``.

    Examples:
        >>> import reftorch as torch
        >>> torch.deg2rad(torch.tensor([180, 90]))
        tensor([3.1416, 1.5708])
    """
    return _angles("deg2rad", Deg2Rad, input, out)


@tensor_input
def rad2deg(input, *, out=None):
    """Radians to degrees: ``input * 180 / pi``. Mirrors ``torch.rad2deg``.

    Examples:
        >>> import reftorch as torch
        >>> torch.rad2deg(torch.tensor([1.0]))
        tensor([57.2958])
    """
    return _angles("rad2deg", Rad2Deg, input, out)


class Logit(_Unary):
    """``log(x / (1 - x))``, ``x`` clamped to ``[eps, 1 - eps]`` first when ``eps`` is given."""

    name = "LogitBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, eps):
        xp = x._backend.xp
        a = _float_input(x)
        ctx.save_for_backward(x)
        ctx.eps = eps
        if eps is not None:
            a = xp.clip(a, eps, 1 - eps)
        one = xp.asarray(1, dtype=a.dtype, device=a.device)
        return xp.log(a / (one - a))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        a = x._data
        grad = g / (a * (1 - a))
        if ctx.eps is None:  # outside [0, 1]: nan
            return xp.where((a < 0) | (a > 1), xp.zeros_like(grad) + math.nan, grad)
        outside = (a < ctx.eps) | (a > 1 - ctx.eps)  # (the clamped inputs: no gradient)
        return xp.where(outside, xp.zeros_like(grad), grad)


@tensor_input
def logit(input, eps=None, *, out=None):
    """The log-odds ``log(p / (1 - p))``, the inverse of ``sigmoid``; with ``eps``, ``p`` is
    clamped to ``[eps, 1 - eps]`` first (and gets no gradient where clamped). Mirrors
    ``torch.logit``.

    Examples:
        >>> import reftorch as torch
        >>> torch.logit(torch.tensor([0.5, 0.25, 1.0]))
        tensor([ 0.0000, -1.0986,     inf])
        >>> torch.logit(torch.tensor([0.0, 1.0]), eps=0.25)
        tensor([-1.0986,  1.0986])
    """
    if out is not None:
        return with_out("logit", out, logit, input, eps)
    return Logit.apply(input, eps=eps)
