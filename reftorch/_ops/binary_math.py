"""Element-wise math of two tensors: ``atan2``, ``hypot``, ``fmod``, ``logaddexp``, ``fmax``, ``fmin``,
``copysign``.

Built as the binary ops of :mod:`reftorch._ops.pointwise` are: the operands broadcast and
promote (:func:`~reftorch._ops.pointwise._operands`), one ``_Binary`` ``Function`` per op
whose backward sums each gradient back to its operand's shape. Only ``fmod`` takes a
Python number for ``other`` (``Fmod.Number``, PyTorch's ``FmodBackward0``; ``copysign`` too); the others
refuse it with PyTorch's ``TypeError``, as they refuse a number for ``input``.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ._common import with_out
from .pointwise import _Binary, _beside_number, _cast, _number, _operands, _setup, _with_number


def _need_tensors(name, input, other, number_ok=False):
    """PyTorch's argument parser: ``input`` must be a tensor, so must ``other`` unless the
    op has a Number overload."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(other, Tensor) and not (number_ok and isinstance(other, (bool, int, float))):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")


def _refuse(kernel, dt, *, ints=True, complex_=True):
    """PyTorch's ``"<kernel>" not implemented for '<dtype>'`` for the dtypes it lacks."""
    if (dt is D.bool or (not ints and not dt.is_floating_point and not dt.is_complex)
            or (not complex_ and dt.is_complex)):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(dt)}'")


def _saved(ctx, x, y):
    """Save both operands when a gradient needs them (a number operand is ``ctx.number``)."""
    if ctx.needs_input_grad:
        ctx.save_for_backward(x, y if isinstance(y, Tensor) else None)


def _arrays(ctx):
    """The saved operands in the computation dtype (the second may be ``ctx.number``)."""
    x, y = ctx.saved_tensors
    return _cast(x, ctx.dt), (ctx.number if y is None else _cast(y, ctx.dt))


class Atan2(_Binary):
    name = "Atan2Backward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        _saved(ctx, x, y)
        backend = x._backend
        xp = backend.xp
        if dt is D.float32:  # (float64 first, rounded once: PyTorch's bits, as in unary_math._via)
            f64 = backend.dtype(D.float64)
            return xp.astype(xp.atan2(xp.astype(a, f64), xp.astype(b, f64)), a.dtype)
        return xp.atan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _arrays(ctx)
        recip = 1 / (a * a + b * b)  # PyTorch: recip = (self * self + other * other).reciprocal()
        return _Binary._reduce(ctx, g * b * recip, g * -a * recip)


class Hypot(_Binary):
    name = "HypotBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        _saved(ctx, x, y)
        ctx.save_output()
        return x._backend.xp.hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        x, y, out = ctx.saved_tensors
        a, b, r = _cast(x, ctx.dt), _cast(y, ctx.dt), out._data
        return _Binary._reduce(ctx, g * a / r, g * b / r)  # PyTorch: grad * self / result, grad * other / result


@_with_number
class Fmod(_Binary):
    name = "FmodBackward1"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        if ctx.needs_input_grad[1:2] == (True,):
            ctx.save_for_backward(x, y)
        backend = x._backend
        if not dt.is_floating_point:
            if bool(backend.xp.any(b == 0)):
                raise RuntimeError("ZeroDivisionError")
        return backend.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        gy = None
        if ctx.needs_input_grad[1:2] == (True,):
            x, y = ctx.saved_tensors
            a, b = _cast(x, ctx.dt), _cast(y, ctx.dt)
            gy = -g * ctx.xp.trunc(a / b)  # PyTorch: -grad * self.div(other, rounding_mode="trunc")
        return _Binary._reduce(ctx, g, gy)


class Logaddexp(_Binary):
    name = "LogaddexpBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        _saved(ctx, x, y)
        xp = x._backend.xp
        if not dt.is_complex:
            return xp.logaddexp(a, b)
        # complex: the operand of larger real part m, then m + log1p(exp(n - m)) (PyTorch's
        # helper), and a itself where both are the same infinity
        big = xp.real(a) >= xp.real(b)
        m, n = xp.where(big, a, b), xp.where(big, b, a)
        r = m + xp.log1p(xp.exp(n - m))
        return xp.where(xp.isinf(xp.real(a)) & (a == b), a, r)

    @staticmethod
    def backward(ctx, g):
        a, b = _arrays(ctx)
        xp = ctx.xp
        conj = (lambda v: xp.conj(v)) if ctx.dt.is_complex else (lambda v: v)
        # PyTorch: grad / (1 + exp(other - self)).conj(), grad / (1 + exp(self - other)).conj()
        return _Binary._reduce(ctx, g / conj(1 + xp.exp(b - a)), g / conj(1 + xp.exp(a - b)))


class Fmax(_Binary):
    """``fmax``/``fmin`` (``largest=False``): the larger (smaller) operand, a NaN losing to
    a number; the gradient goes to the operand chosen (``self`` on ties)."""

    name = "FmaxBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt, largest):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt, ctx.largest = dt, largest
        _saved(ctx, x, y)
        backend = x._backend
        xp = backend.xp
        r = backend.maximum(a, b) if largest else backend.minimum(a, b)  # (bool: or/and)
        if dt.is_floating_point:  # a NaN loses; a tie (-0. and 0.) gives input, as PyTorch's kernel
            r = xp.where(xp.isnan(b) | (a == b), a, xp.where(xp.isnan(a), b, r))
        return r

    @staticmethod
    def backward(ctx, g):
        a, b = _arrays(ctx)
        xp = ctx.xp
        # PyTorch: self gets grad where (self >= other) | isnan(other) (<= for fmin), other the rest
        keep = (a >= b) if ctx.largest else (a <= b)
        if ctx.dt.is_floating_point:
            keep = keep | xp.isnan(b)
        zero = xp.zeros_like(g)
        return _Binary._reduce(ctx, xp.where(keep, g, zero), xp.where(keep, zero, g))


def atan2(input, other, *, out=None):
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant, in ``[-pi, pi]``. Mirrors ``torch.atan2`` (alias ``torch.arctan2``).

    Broadcasts and promotes like ``torch.add``; integer and bool operands give the default
    float dtype.

    Args:
        input: the y coordinates (a tensor).
        other: the x coordinates (a tensor).
        out: optional tensor to write the result into.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.atan2(torch.tensor([1.0, 1.0, -1.0]), torch.tensor([1.0, -1.0, 0.0]))
        tensor([ 0.7854,  2.3562, -1.5708])
    """
    if out is not None:
        return with_out("atan2", out, atan2, input, other)
    _need_tensors("atan2", input, other)
    x, y, dt = _operands(input, other, true_div=True)
    _refuse("atan2_cpu", dt, complex_=False)
    return Atan2.apply(x, y, dt)


def arctan2(input, other, *, out=None):
    """Alias of :func:`atan2`. Mirrors ``torch.arctan2``.

    Examples:
        >>> import reftorch as torch
        >>> torch.arctan2(torch.tensor([0.0]), torch.tensor([-1.0]))
        tensor([3.1416])
    """
    if out is not None:
        return with_out("arctan2", out, arctan2, input, other)
    _need_tensors("arctan2", input, other)
    return atan2(input, other)


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` element-wise, without overflow for large values.
    Mirrors ``torch.hypot``.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for integer, bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.hypot(torch.tensor([3.0, 1e30]), torch.tensor([4.0, 1e30]))
        tensor([5.0000e+00, 1.4142e+30])
    """
    if out is not None:
        return with_out("hypot", out, hypot, input, other)
    _need_tensors("hypot", input, other)
    x, y, dt = _operands(input, other)
    _refuse("hypot_cpu", dt, ints=False, complex_=False)
    return Hypot.apply(x, y, dt)


def fmod(input, other, *, out=None):
    """C's ``fmod``: the remainder of ``input / other`` with the sign of ``input`` (compare
    ``torch.remainder``, whose result has the sign of ``other``). Mirrors ``torch.fmod``.

    ``other`` may be a Python number (``grad_fn`` ``FmodBackward0``; ``FmodBackward1`` for a
    tensor). A floating ``other`` of 0 gives NaN; an integer one raises.

    Raises:
        TypeError: when ``input`` is not a tensor.
        RuntimeError: "ZeroDivisionError" for integer division by zero.
        NotImplementedError: for bool and complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.fmod(torch.tensor([5.0, -5.0]), 3)
        tensor([ 2., -2.])
        >>> torch.tensor([5, -5]) % 3
        tensor([2, 1])
    """
    if out is not None:
        return with_out("fmod", out, fmod, input, other)
    _need_tensors("fmod", input, other, number_ok=True)
    if isinstance(other, Tensor):
        x, y, dt = _operands(input, other)
        _refuse("fmod_cpu", dt, complex_=False)
        return Fmod.apply(x, y, dt)
    dt = D.number_type(input._dtype, other)
    _refuse("fmod_cpu", dt, complex_=False)
    res = Fmod.Number.apply(input, _number(other, input, dt), dt, _name="FmodBackward0")
    return _beside_number(res, input, dt, False)


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` element-wise, without overflow. Mirrors ``torch.logaddexp``.

    Raises:
        TypeError: when either argument is not a tensor.
        NotImplementedError: for integer and bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.logaddexp(torch.tensor([0.0, 1000.0]), torch.tensor([0.0, 1000.0]))
        tensor([6.9315e-01, 1.0007e+03])
    """
    if out is not None:
        return with_out("logaddexp", out, logaddexp, input, other)
    _need_tensors("logaddexp", input, other)
    x, y, dt = _operands(input, other)
    _refuse("logaddexp_cpu", dt, ints=False)
    return Logaddexp.apply(x, y, dt)


def _fmax(name, input, other, largest):
    _need_tensors(name, input, other)
    x, y, dt = _operands(input, other)
    if dt.is_complex:
        raise RuntimeError(f"{name} not implemented for complex tensors.")
    return Fmax.apply(x, y, dt, largest, **({} if largest else {"_name": "FminBackward0"}))


def fmax(input, other, *, out=None):
    """The element-wise maximum, where a NaN loses to a number (``torch.maximum`` propagates
    NaN). Mirrors ``torch.fmax``.

    Raises:
        TypeError: when either argument is not a tensor.
        RuntimeError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.fmax(torch.tensor([1.0, float("nan")]), torch.tensor([float("nan"), 2.0]))
        tensor([1., 2.])
    """
    if out is not None:
        return with_out("fmax", out, fmax, input, other)
    return _fmax("fmax", input, other, True)


def fmin(input, other, *, out=None):
    """The element-wise minimum, where a NaN loses to a number. Mirrors ``torch.fmin``.

    Raises:
        TypeError: when either argument is not a tensor.
        RuntimeError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.fmin(torch.tensor([1.0, float("nan")]), torch.tensor([float("nan"), 2.0]))
        tensor([1., 2.])
    """
    if out is not None:
        return with_out("fmin", out, fmin, input, other)
    return _fmax("fmin", input, other, False)


@_with_number
class Copysign(_Binary):
    name = "CopysignBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        ctx.dt = dt
        out = x._backend.xp.copysign(a, b)
        if ctx.needs_input_grad[:1] == (True,):
            ctx.save_for_backward(x)
            ctx.save_output()
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        gx = None
        if ctx.needs_input_grad[0]:
            x, out = ctx.saved_tensors
            a = _cast(x, ctx.dt)
            ratio = out._data / a  # PyTorch: grad * (result / self), 0 where self is 0
            gx = g * xp.where(a == 0, xp.zeros_like(ratio), ratio)
        return _Binary._reduce(ctx, gx, xp.zeros_like(g))  # (other: a zero gradient, as PyTorch)


def copysign(input, other, *, out=None):
    """``input``'s magnitudes with ``other``'s signs, element-wise (the sign of ``-0.0`` and
    of NaNs counts). Mirrors ``torch.copysign``.

    ``other`` may be a Python number (``grad_fn`` ``CopysignBackward1``; ``CopysignBackward0``
    for a tensor). Integer and bool operands give the default float dtype. The gradient of
    ``input`` is ``±1`` (0 where ``input`` is 0), that of ``other`` zero.

    Raises:
        TypeError: when ``input`` is not a tensor.
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.copysign(torch.tensor([1.0, -2.0, 3.0]), torch.tensor([-1.0, 1.0, -0.0]))
        tensor([-1.,  2., -3.])
        >>> torch.copysign(torch.tensor([1, 2]), -1)
        tensor([-1., -2.])
    """
    if out is not None:
        return with_out("copysign", out, copysign, input, other)
    _need_tensors("copysign", input, other, number_ok=True)
    if isinstance(other, Tensor):
        x, y, dt = _operands(input, other, true_div=True)
        _refuse("copysign_cpu", dt, complex_=False)
        return Copysign.apply(x, y, dt)
    dt = D.number_type(input._dtype, other)
    if not (dt.is_floating_point or dt.is_complex):
        dt = D.get_default_dtype()
    _refuse("copysign_cpu", dt, complex_=False)
    res = Copysign.Number.apply(input, _number(other, input, dt), dt, _name="CopysignBackward1")
    return _beside_number(res, input, dt, False)
