"""More element-wise math: rounding, sign, classification (``isnan``…), ``nan_to_num``.

The same pattern as the unary ops of :mod:`reftorch._ops.pointwise`: one ``Function`` per
differentiable op, its backward beside its forward, kernels written once over the
backend's array namespace (``x._backend.xp``). Integer inputs keep their dtype for the
rounding ops and ``sign``; bool results (``isnan``…) record no graph.
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import relayout_like_operands
from .._tensor import Tensor
from ._common import conj_of
from .pointwise import _Unary, pow


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
    ``nearbyint(x / 10**-d) * 10**-d``), float16 computed in float32."""

    name = "RoundBackward1"
    create_graph = True

    @staticmethod
    def forward(ctx, x, decimals):
        b = x._backend
        xp = b.xp
        a = x._data
        half = x._dtype is D.float16
        if half:
            a = xp.astype(a, b.dtype(D.float32))
        ten = xp.asarray(float(10 ** abs(decimals)), dtype=a.dtype, device=a.device)
        r = xp.round(a / ten) * ten if decimals < 0 else xp.round(a * ten) / ten
        return xp.astype(r, b.dtype(D.float16)) if half else r

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


def floor(input):
    """The largest integer not greater than each element. Mirrors ``torch.floor``.

    Integer tensors are returned as a copy; the gradient is zero.

    Raises:
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.floor(torch.tensor([1.5, -1.5]))
        tensor([ 1., -2.])
    """
    _check_real(input, "floor", "floor_vml_cpu")
    return Floor.apply(input)


def ceil(input):
    """The smallest integer not less than each element. Mirrors ``torch.ceil``.

    Integer tensors are returned as a copy; the gradient is zero.

    Raises:
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.ceil(torch.tensor([1.5, -1.5]))
        tensor([ 2., -1.])
    """
    _check_real(input, "ceil", "ceil_vml_cpu")
    return Ceil.apply(input)


def round(input, *, decimals=0):
    """Round each element to the nearest integer, halves to even. Mirrors ``torch.round``.

    With ``decimals`` (an int, negative for tens, hundreds…), rounds to that many decimal
    places as PyTorch does: ``round(x * 10**decimals) / 10**decimals``, so the result is
    the nearest float to that quotient (``grad_fn`` ``RoundBackward1``). The gradient is zero.

    Args:
        input: a real tensor; integer tensors are returned as a copy (``decimals=0`` only).
        decimals: the number of decimal places (default 0).

    Raises:
        NotImplementedError: for bool and complex tensors, and for integer tensors with
            ``decimals`` other than 0.

    Examples:
        >>> import reftorch as torch
        >>> torch.round(torch.tensor([0.5, 1.5, 2.5]))
        tensor([0., 2., 2.])
        >>> torch.round(torch.tensor([1.2345]), decimals=2)
        tensor([1.2300])
    """
    if decimals == 0:
        _check_real(input, "round", "round_vml_cpu")
        return Round.apply(input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    return RoundDecimals.apply(input, int(decimals))


def trunc(input):
    """Each element rounded toward zero. Mirrors ``torch.trunc`` (alias ``torch.fix``).

    Integer tensors are returned as a copy; the gradient is zero.

    Raises:
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.trunc(torch.tensor([1.7, -1.7]))
        tensor([ 1., -1.])
    """
    _check_real(input, "trunc", "trunc_vml_cpu")
    return Trunc.apply(input)


fix = trunc


def frac(input):
    """The fractional part ``input - trunc(input)``, with the sign of ``input``.
    Mirrors ``torch.frac``; the gradient is 1.

    Raises:
        NotImplementedError: for integer, bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.frac(torch.tensor([1.25, -1.25]))
        tensor([ 0.2500, -0.2500])
    """
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    return Frac.apply(input)


def sign(input):
    """-1, 0 or 1 by the sign of each element (``sign(nan)`` is 0; bool stays bool).
    Mirrors ``torch.sign``; the gradient is zero.

    Raises:
        NotImplementedError: for complex tensors (use ``sgn``).

    Examples:
        >>> import reftorch as torch
        >>> torch.sign(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    if input.dtype.is_complex:
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                                  "torch.sgn instead.")
    return Sign.apply(input)


def sgn(input):
    """``input / |input|`` for complex tensors (0 where ``input`` is 0); ``sign`` for
    real ones. Mirrors ``torch.sgn``.

    Examples:
        >>> import reftorch as torch
        >>> torch.sgn(torch.tensor([3 + 4j, 0j]))
        tensor([0.6000+0.8000j, 0.0000+0.0000j])
    """
    return Sgn.apply(input)


def square(input):
    """``input ** 2``, as PyTorch computes it (``pow``: ``grad_fn`` ``PowBackward0``; a bool
    tensor gives int64). Mirrors ``torch.square``.

    Examples:
        >>> import reftorch as torch
        >>> torch.square(torch.tensor([-2, 3]))
        tensor([4, 9])
    """
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


def isnan(input):
    """Whether each element is NaN (for complex: either part), as a bool tensor.
    Mirrors ``torch.isnan``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isnan(torch.tensor([1.0, float("nan")]))
        tensor([False,  True])
    """
    return _classify(input, "isnan", False)


def isinf(input):
    """Whether each element is positive or negative infinity (for complex: either part),
    as a bool tensor. Mirrors ``torch.isinf``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isinf(torch.tensor([1.0, float("inf"), -float("inf")]))
        tensor([False,  True,  True])
    """
    return _classify(input, "isinf", False)


def isfinite(input):
    """Whether each element is neither infinite nor NaN, as a bool tensor (all True for
    integer tensors). Mirrors ``torch.isfinite``.

    Examples:
        >>> import reftorch as torch
        >>> torch.isfinite(torch.tensor([1.0, float("inf"), float("nan")]))
        tensor([ True, False, False])
    """
    return _classify(input, "isfinite", True)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
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
    return NanToNum.apply(input, nan, posinf, neginf)
