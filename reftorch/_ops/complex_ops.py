"""Complex numbers: building them (``complex``, ``polar``), their ``angle``, the physical
conjugate ``conj_physical`` and the conjugate/negative bits (``is_conj``, ``resolve_conj``,
``is_neg``, ``resolve_neg``).

PyTorch's ``conj()`` is a lazy view that only sets a *conjugate bit*; reftorch's
:func:`~reftorch._ops.pointwise.conj` computes the conjugate at once and marks its result,
so ``is_conj()`` answers as in PyTorch for the tensor ``conj()`` returned (not for views
or detached copies of it). reftorch has no negative bit: ``is_neg()`` is always False.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor
from ._common import with_out
from ._inplace import commit
from .pointwise import _Binary, _Unary, _float_input, _operands
from .shape import clone
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _need_tensor(fn, name, pos, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(value).__name__}")


# --------------------------------------------------------------------- the conjugate bit
def is_conj(input) -> bool:
    """True for a tensor returned by ``conj()`` of a complex tensor (PyTorch's conjugate
    bit). Mirrors ``torch.is_conj`` / ``Tensor.is_conj``.

    reftorch's ``conj()`` is a copy rather than a lazy view; only the tensor it returns is
    marked (in PyTorch views and ``detach()`` of it keep the bit).

    Examples:
        >>> import reftorch as torch
        >>> z = torch.tensor([1 + 2j])
        >>> z.is_conj(), z.conj().is_conj(), torch.is_conj(z.conj().resolve_conj())
        (False, True, False)
    """
    _need_tensor("is_conj", "input", 1, input)
    return input.__dict__.get("_conj_bit", False)


def is_neg(input) -> bool:
    """Whether ``input`` has PyTorch's negative bit. reftorch never sets it (PyTorch sets it
    on a few internal views, such as ``x.conj().imag``), so this is always False. Mirrors
    ``torch.is_neg`` / ``Tensor.is_neg``.

    Examples:
        >>> import reftorch as torch
        >>> torch.is_neg(torch.tensor([1.0]))
        False
    """
    _need_tensor("is_neg", "input", 1, input)
    return False


def resolve_conj(input):
    """``input`` itself unless its conjugate bit is set (:func:`is_conj`); then a copy
    without it, with the same values (``CloneBackward0``). Mirrors ``torch.resolve_conj``.

    Examples:
        >>> import reftorch as torch
        >>> c = torch.tensor([1 + 2j]).conj().resolve_conj()
        >>> c, c.is_conj()
        (tensor([1.-2.j]), False)
    """
    _need_tensor("resolve_conj", "input", 1, input)
    return clone(input) if is_conj(input) else input


def resolve_neg(input):
    """``input`` itself: reftorch never sets the negative bit (:func:`is_neg`). Mirrors
    ``torch.resolve_neg``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0])
        >>> torch.resolve_neg(x) is x
        True
    """
    _need_tensor("resolve_neg", "input", 1, input)
    return input


class ConjPhysical(_Unary):
    name = "ConjPhysicalBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        return x._backend.xp.conj(x._data)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.conj(g)  # PyTorch: grad.conj_physical()


def conj_physical(input, *, out=None):
    """The complex conjugate, computed at once (never a lazy view; ``grad_fn``
    ``ConjPhysicalBackward0``). A non-complex tensor is returned as is. Mirrors
    ``torch.conj_physical``.

    Examples:
        >>> import reftorch as torch
        >>> torch.conj_physical(torch.tensor([1 + 2j, -1j]))
        tensor([1.-2.j, -0.+1.j])
    """
    if out is not None:
        return with_out("conj_physical", out, conj_physical, input)
    _need_tensor("conj_physical", "input", 1, input)
    if not input.dtype.is_complex:
        return input
    return ConjPhysical.apply(input)


def conj_physical_(input):
    """In-place :func:`conj_physical` (``ConjPhysicalBackward1`` when recorded); a
    non-complex tensor is left alone. Mirrors ``torch.conj_physical_``.

    Examples:
        >>> import reftorch as torch
        >>> z = torch.tensor([1 + 2j])
        >>> torch.conj_physical_(z)
        tensor([1.-2.j])
    """
    _need_tensor("conj_physical_", "input", 1, input)
    if not input.dtype.is_complex:
        return input
    return commit(input, ConjPhysical.apply(input, _name="ConjPhysicalBackward1"))


# ------------------------------------------------------------------- complex, polar
def _float_pair(fn, a, b):
    """PyTorch's checks of ``complex``/``polar``: two float tensors of one dtype."""
    _need_tensor(fn, "real" if fn == "complex" else "abs", 1, a)
    _need_tensor(fn, "imag" if fn == "complex" else "angle", 2, b)
    ok = (D.float16, D.float32, D.float64)
    if a.dtype not in ok or b.dtype not in ok:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{D.scalar_name(a.dtype)} and {D.scalar_name(b.dtype)}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {D.scalar_name(a.dtype)} but got scalar type "
                           f"{D.scalar_name(b.dtype)} for second argument")
    if a.dtype is D.float16:
        raise TypeError("reftorch has no complex32 (ComplexHalf) dtype: give float32 or float64 tensors")
    return _operands(a, b)


def _from_parts(b, re, im):
    """The complex array ``re + im * 1j``, exact also for infinite parts (the two floats laid
    side by side and read as one complex number, as ``view_as_complex`` reads them)."""
    xp = b.xp
    re, im = xp.broadcast_arrays(re, im)
    pairs = xp.stack([re, im], axis=-1)
    native = b.dtype(b.dtype_of(re).to_complex())
    return b.reshape_view(b.view_dtype(pairs, native), tuple(re.shape))


class Complex(_Binary):
    name = "ComplexBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, b, _ = _Binary._setup(ctx, x, y, dt)
        return _from_parts(x._backend, a, b)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp  # PyTorch: at::real(grad), at::imag(grad)
        return _Binary._reduce(ctx, xp.real(g), xp.imag(g))


def complex(real, imag, *, out=None):
    """The complex tensor ``real + imag * 1j`` (the two broadcast). Mirrors ``torch.complex``.

    Args:
        real: float32 or float64 tensor.
        imag: tensor of the same dtype.
        out: optional tensor to write the result into.

    Returns:
        complex64 for float32 parts, complex128 for float64 ones (``ComplexBackward0``).

    Raises:
        TypeError: when an argument is not a tensor; for float16 parts (PyTorch gives
            complex32, a dtype reftorch lacks).
        RuntimeError: for non-float parts or parts of two dtypes (PyTorch's messages).

    Examples:
        >>> import reftorch as torch
        >>> torch.complex(torch.tensor([1.0, 2.0]), torch.tensor([3.0, -4.0]))
        tensor([1.+3.j, 2.-4.j])
    """
    if out is not None:
        return with_out("complex", out, complex, real, imag)
    x, y, dt = _float_pair("complex", real, imag)
    return Complex.apply(x, y, dt)


class Polar(_Binary):
    name = "PolarBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, y, dt):
        a, t, _ = _Binary._setup(ctx, x, y, dt)
        xp = x._backend.xp
        if ctx.needs_input_grad:
            ctx.save_output()
        return _from_parts(x._backend, a * xp.cos(t), a * xp.sin(t))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        xp, r = ctx.xp, out._data
        gc = xp.conj(g)  # PyTorch: real(grad.conj() * result.sgn()), real(grad.conj() * result * 1j)
        return _Binary._reduce(ctx, xp.real(gc * xp.sign(r)), xp.real(gc * (r * 1j)))


def polar(abs, angle, *, out=None):
    """The complex tensor ``abs * (cos(angle) + sin(angle) * 1j)`` from polar coordinates
    (the two broadcast). Mirrors ``torch.polar``.

    Args:
        abs: float32 or float64 tensor of magnitudes.
        angle: tensor of the same dtype, the angles in radians.
        out: optional tensor to write the result into.

    Returns:
        complex64 for float32 inputs, complex128 for float64 ones (``PolarBackward0``).

    Raises:
        TypeError: when an argument is not a tensor, or for float16 ones (no complex32 in
            reftorch; PyTorch raises ``NotImplementedError`` there).
        RuntimeError: for non-float inputs or inputs of two dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.polar(torch.tensor([2.0], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64))
        tensor([2.+0.j], dtype=torch.complex128)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("polar", polar, locals())
    if out is not None:
        return with_out("polar", out, polar, abs, angle)
    x, y, dt = _float_pair("polar", abs, angle)
    return Polar.apply(x, y, dt)


# --------------------------------------------------------------------------- angle
class Angle(_Unary):
    name = "AngleBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        xp = x._backend.xp
        a = _float_input(x)
        if x.dtype.is_complex:
            if ctx.needs_input_grad:
                ctx.save_for_backward(x)
            return xp.atan2(xp.imag(a), xp.real(a))
        zero = xp.zeros_like(a)  # PyTorch: nan stays nan, negatives give pi, the rest 0
        return xp.where(xp.isnan(a), a, xp.where(a < zero, zero + math.pi, zero))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if not ctx.saved_tensors:  # real input: a piecewise constant
            return xp.zeros_like(g)
        (x,) = ctx.saved_tensors
        z = x._data  # PyTorch: where(self == 0, 0, grad * self / self.abs().pow(2) * 1j)
        m = xp.abs(z)
        d = g * z / (m * m) * 1j
        return xp.where(z == 0, xp.zeros_like(d), d)


def angle(input, *, out=None):
    """The element-wise angle (argument) in radians: ``atan2(imag, real)`` for complex
    input; for real input ``pi`` for negatives, ``0`` otherwise (NaN stays NaN). Mirrors
    ``torch.angle``.

    Returns:
        A float tensor: the real dtype of a complex input; integers and bool give the
        default float dtype. The gradient is zero for real input.

    Examples:
        >>> import reftorch as torch
        >>> torch.angle(torch.tensor([1j, -1 + 0j]))
        tensor([1.5708, 3.1416])
        >>> torch.angle(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([3.1416, 0.0000, 0.0000])
    """
    if out is not None:
        return with_out("angle", out, angle, input)
    _need_tensor("angle", "input", 1, input)
    return Angle.apply(input)


__all__ = ["is_conj", "is_neg", "resolve_conj", "resolve_neg", "conj_physical", "conj_physical_", "complex",
           "polar", "angle"]
