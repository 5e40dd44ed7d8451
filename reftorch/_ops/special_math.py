"""Special functions: ``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma``, ``erfinv``, the
modified Bessel functions (``i0``; ``i0e``, ``i1``, ``i1e`` for ``torch.special``),
``sinc`` and ``xlogy``.

The same pattern as :mod:`reftorch._ops.unary_math`: one ``Function`` per differentiable
op, its backward (PyTorch's formula, ``derivatives.yaml``) beside its forward. The kernels
are in :mod:`reftorch._ops._special_kernels`, written over the backend's array namespace.
A backward that needs another special function (``lgamma``'s needs ``digamma``) calls the
kernel on arrays, and the public function on tensors when it runs under
``create_graph=True`` (:func:`_of`), so second derivatives are recorded as PyTorch
records them (``MulBackward0`` of ``grad * digamma(self)``…).
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from . import _special_kernels as K
from ._erfcx_kernel import erfcx as _erfcx_kernel
from ._common import conj_of, tensor_input, with_out
from .binary_math import _need_tensors, _refuse
from .pointwise import _Binary, _Unary, _beside_number, _float_input, _number, _operands, _setup, _with_number
from .pointwise import scalar_mul, scalar_sub


def _of(ctx, kernel, fn, a, *params):
    """``fn(*params, a)`` (a public op) when ``a`` is a tensor (a backward run under
    ``create_graph``), else the array kernel ``kernel(backend, *params, a)``."""
    if isinstance(a, Tensor):
        return fn(*params, a)
    return kernel(ctx.backend, *params, a)


def _refuse_complex(input, kernel, half=True):
    """PyTorch's error for complex tensors (and float16/bfloat16 ones where ``half`` is
    False: ``ndtri``, ``log_ndtr``)."""
    if input.dtype.is_complex or (not half and input.dtype in (D.float16, D.bfloat16)):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(input.dtype)}'")


class _Special(_Unary):
    """A special function of one real tensor: ``kernel`` on its floating array (integers
    and bool promoted to the default float dtype)."""

    create_graph = True
    kernel = None
    save_input = True
    save_result = False

    @classmethod
    def forward(cls, ctx, x):
        if ctx.needs_input_grad:
            if cls.save_input:
                ctx.save_for_backward(x)
            if cls.save_result:
                ctx.save_output()
        return cls.kernel(x._backend, _float_input(x))


class Lgamma(_Special):
    name = "LgammaBackward0"
    kernel = staticmethod(K.lgamma)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # PyTorch: grad * digamma(self)
        return g * _of(ctx, K.digamma, digamma, x._data)


class Digamma(_Special):
    name = "DigammaBackward0"
    kernel = staticmethod(K.digamma)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # PyTorch: grad * polygamma(1, self)
        return g * _of(ctx, _polygamma_kernel, polygamma, x._data, 1)


def _polygamma_kernel(b, n, a):
    if n == 0:
        return K.digamma(b, a)
    if n == 1:
        return K.trigamma(b, a)
    return K.polygamma(b, n, a)


class Polygamma(_Unary):
    name = "PolygammaBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, n):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
            ctx.n = n
        return _polygamma_kernel(x._backend, n, _float_input(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # PyTorch: grad * polygamma(n + 1, self)
        return g * _of(ctx, _polygamma_kernel, polygamma, x._data, ctx.n + 1)


class Erfinv(_Special):
    name = "ErfinvBackward0"
    kernel = staticmethod(K.erfinv)
    save_input, save_result = False, True

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors  # PyTorch: 0.5 * sqrt(M_PI) * exp(self.erfinv().pow(2)) * grad
        y = out._data
        return _HALF_SQRT_PI * ctx.xp.exp(y * y) * g


_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


class I0(_Special):
    name = "I0Backward0"
    kernel = staticmethod(K.i0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # PyTorch: grad * special_i1(self)
        return g * _of(ctx, K.i1, special_i1, x._data)


class SpecialI0e(_Special):
    name = "SpecialI0EBackward0"
    kernel = staticmethod(K.i0e)
    save_result = True

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors  # PyTorch: grad * (special_i1e(self) - self.sgn() * result)
        a = x._data
        xp = ctx.xp
        return g * (_of(ctx, K.i1e, special_i1e, a) - xp.sign(a) * out._data)


def _not_tiny(ctx, a):
    """PyTorch's ``i1_backward`` guard: ``|x| > eps`` (the formula is 0/0 at 0), and ``x``
    with ``eps`` where it is not."""
    xp = ctx.xp
    eps = _EPS[(a.dtype if isinstance(a, Tensor) else ctx.backend.dtype_of(a)).name]
    big = xp.abs(a) > eps
    return big, xp.where(big, a, xp.zeros_like(a) + eps)


_EPS = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23, "float64": 2.0 ** -52}


class SpecialI1(_Special):
    name = "SpecialI1Backward0"
    kernel = staticmethod(K.i1)
    save_result = True

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = ctx.xp
        big, safe = _not_tiny(ctx, x._data)
        # PyTorch: (safe * i0(safe) - result) / safe, 0.5 where |x| <= eps
        gx = (safe * _of(ctx, K.i0, i0, safe) - out._data) / safe
        return g * xp.where(big, gx, xp.zeros_like(gx) + 0.5)


class SpecialI1e(_Special):
    name = "SpecialI1EBackward0"
    kernel = staticmethod(K.i1e)
    save_result = True

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = ctx.xp
        big, safe = _not_tiny(ctx, x._data)
        r = out._data
        # PyTorch: (safe * (i0e(safe) - result * safe.sgn()) - result) / safe, 0.5 where |x| <= eps
        gx = (safe * (_of(ctx, K.i0e, special_i0e, safe) - r * xp.sign(safe)) - r) / safe
        return g * xp.where(big, gx, xp.zeros_like(gx) + 0.5)


class Sinc(_Unary):
    name = "SincBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
        b = x._backend
        xp = b.xp
        a0 = _float_input(x)
        a = K.working(b, a0)
        p = a * math.pi  # (PyTorch: pi * a in the op's float type, sin of that, divided by it)
        if a.dtype == xp.float32:  # sinf, correctly rounded: sin in float64 rounded once
            s = xp.astype(xp.sin(xp.astype(p, xp.float64)), xp.float32)
        else:
            s = xp.sin(p)
        one = xp.ones((), dtype=a.dtype, device=a.device)
        return K.back(b, xp.where(a == 0, one, s / xp.where(a == 0, one, p)), a0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        a = x._data
        pa = a * math.pi
        sq = a * a * math.pi
        # PyTorch: grad * (self_pi * self_pi.cos() - self_pi.sin()) / self_squared_pi.conj(), 0 where that is 0
        out = g * (pa * xp.cos(pa) - xp.sin(pa)) / conj_of(xp, sq, x._dtype)
        return xp.where(sq == 0, xp.zeros_like(out), out)


class Mvlgamma(_Unary):
    """``sum(lgamma(x - j/2), j < p) + p (p - 1) / 4 log(pi)``, as PyTorch builds it."""

    name = "MvlgammaBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, p):
        b = x._backend
        xp = b.xp
        a = _float_input(x)
        offsets = xp.asarray([-(p - 1) / 2 + j / 2 for j in range(p)], dtype=a.dtype, device=a.device)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
            ctx.offsets = offsets
        lg = K.lgamma(b, xp.expand_dims(a, axis=-1) + offsets)
        return xp.sum(lg, axis=-1) + p * (p - 1) * _LOG_PI * 0.25

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # PyTorch: grad * digamma(self.unsqueeze(-1) + args).sum(-1)
        xp = ctx.xp
        args = xp.expand_dims(x._data, axis=-1) + ctx.offsets
        return g * xp.sum(_of(ctx, K.digamma, digamma, args), axis=-1)


_LOG_PI = math.log(math.pi)


def _xlogy(xp, a, b, log1p=False):
    """``a * log(b)`` (``log1p``: ``a * log1p(b)``), 0 where ``a == 0`` unless ``b`` is nan."""
    r = a * (xp.log1p(b) if log1p else xp.log(b))
    return xp.where((a == 0) & ~xp.isnan(b), xp.zeros_like(r), r)


@_with_number
class Xlogy(_Binary):
    """``xlogy(self, other)`` of two tensors (``XlogyBackward0``) or of a tensor and a number
    (``Xlogy.Number``, ``XlogyBackward2``). ``log1p`` (:class:`Xlog1py`): ``xlog1py``."""

    name = "XlogyBackward0"
    create_graph = True
    log1p = False
    pole = 0.0  # where ``log`` (``log1p``) of ``other`` has its pole

    @classmethod
    def forward(cls, ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, y if isinstance(y, Tensor) else None)
            ctx.dt = dt
        return _xlogy(x._backend.xp, a, b, cls.log1p)

    @classmethod
    def backward(cls, ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        native = ctx.backend.dtype(ctx.dt)
        a = x._data if x._dtype is ctx.dt else xp.astype(x._data, native)
        b = ctx.number if y is None else (y._data if y._dtype is ctx.dt else xp.astype(y._data, native))
        gx = gy = None
        pole = cls.pole
        if ctx.needs_input_grad[0]:  # PyTorch: xlogy(grad, other).masked_fill((self == 0.) & (other <= 0.), 0.)
            if isinstance(g, Tensor):  # (create_graph: PyTorch's ops, recorded as it records them)
                fn = special_xlog1py if cls.log1p else xlogy
                if y is None:  # a number other: masked only at or beyond the pole
                    other = b.item()
                    gx = fn(g, other)
                    gx = gx if other > pole else gx.masked_fill(a == 0, 0.0)
                else:
                    gx = fn(g, b).masked_fill((a == 0) & (b <= pole), 0.0)
            else:
                gx = _xlogy(xp, g, b, cls.log1p)
                gx = xp.where((a == 0) & (b <= pole), xp.zeros_like(gx), gx)
        if ctx.needs_input_grad[1:2] == (True,):  # PyTorch: grad * self / other (xlog1py: / (other + 1))
            gy = g * a / (b + 1) if cls.log1p else g * a / b
        return _Binary._reduce(ctx, gx, gy)


@_with_number
class Xlog1py(Xlogy):
    name = "SpecialXlog1PyBackward0"
    log1p = True
    pole = -1.0


class XlogyNumberSelf(_Unary):
    """``xlogy(number, other)``: ``XlogyBackward1``, the gradient ``grad * self / other``
    (``log1p``: ``xlog1py``, ``grad * self / (other + 1)``)."""

    name = "XlogyBackward1"
    create_graph = True
    log1p = False

    @classmethod
    def forward(cls, ctx, y, s, dt):
        b = y._backend
        xp = b.xp
        a = y._data if y._dtype is dt else xp.astype(y._data, b.dtype(dt))
        if ctx.needs_input_grad:
            ctx.save_for_backward(y)
            ctx.s, ctx.dt = s, dt
        return _xlogy(xp, s, a, cls.log1p)

    @classmethod
    def backward(cls, ctx, g):
        (y,) = ctx.saved_tensors
        return g * ctx.s / (y._data + 1) if cls.log1p else g * ctx.s / y._data


class Xlog1pyNumberSelf(XlogyNumberSelf):
    name = "SpecialXlog1PyBackward1"
    log1p = True


_ZETA_NO_GRAD = "the derivative for 'zeta' is not implemented."


@_with_number
class SpecialZeta(_Binary):
    """``special.zeta(x, q)`` of two tensors (``SpecialZetaBackward0``) or of a tensor ``x``
    and a number ``q`` (``SpecialZetaBackward2``). PyTorch has no gradient for ``x`` (an
    error when one is needed); for ``q`` it is ``grad * -x * zeta(x + 1, q)``."""

    name = "SpecialZetaBackward0"
    create_graph = True

    @classmethod
    def forward(cls, ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, y if isinstance(y, Tensor) else None)
            ctx.dt = dt
        return K.hurwitz_zeta(x._backend, a, b)

    @classmethod
    def backward(cls, ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(_ZETA_NO_GRAD)
        x, y = ctx.saved_tensors
        xp = ctx.xp
        if isinstance(g, Tensor):
            xs, ys = x.to(ctx.dt), y.to(ctx.dt)
            return _Binary._reduce(ctx, None, g * -xs * special_zeta(xs + 1.0, ys))
        native = ctx.backend.dtype(ctx.dt)
        a = x._data if x._dtype is ctx.dt else xp.astype(x._data, native)
        b = y._data if y._dtype is ctx.dt else xp.astype(y._data, native)
        return _Binary._reduce(ctx, None, g * -a * K.hurwitz_zeta(ctx.backend, a + 1.0, b))


class SpecialZetaNumberSelf(_Unary):
    """``special.zeta(number, q)``: ``SpecialZetaBackward1``, the gradient
    ``grad * -x * zeta(x + 1, q)``."""

    name = "SpecialZetaBackward1"
    create_graph = True

    @classmethod
    def forward(cls, ctx, y, s, dt):
        b = y._backend
        xp = b.xp
        q = y._data if y._dtype is dt else xp.astype(y._data, b.dtype(dt))
        if ctx.needs_input_grad:
            ctx.save_for_backward(y)
            ctx.s, ctx.dt = s, dt
        return K.hurwitz_zeta(b, xp.astype(s, q.dtype), q)

    @classmethod
    def backward(cls, ctx, g):
        (y,) = ctx.saved_tensors
        s = float(ctx.s)
        if isinstance(g, Tensor):
            return g * -s * special_zeta(s + 1.0, y.to(ctx.dt))
        xp = ctx.xp
        q = y._data if y._dtype is ctx.dt else xp.astype(y._data, ctx.backend.dtype(ctx.dt))
        return g * xp.astype(-ctx.s, q.dtype) * K.hurwitz_zeta(ctx.backend, xp.astype(ctx.s + 1.0, q.dtype), q)


class _ValueOnly(_Unary):
    """A special function PyTorch does not differentiate (``spherical_bessel_j0``, the
    Bessel functions): ``kernel`` on the floating array, applied under ``no_grad`` so the
    result never requires grad, as in PyTorch."""

    name = "NotDifferentiable"  # (never recorded)

    @staticmethod
    def forward(ctx, x, kernel):
        return kernel(x._backend, _float_input(x))


def _value_only(name, kernel, input, out, public):
    """``kernel`` of ``input`` as a function without gradient (float16, bfloat16 and
    complex tensors refused with PyTorch's ``"<name>_cpu" not implemented`` error)."""
    if out is not None:
        return with_out("special_" + name, out, public, input)
    _refuse_complex(input, name + "_cpu", half=False)
    with no_grad():
        return _ValueOnly.apply(input, kernel)


class SpecialNdtri(_Special):
    name = "SpecialNdtriBackward0"
    kernel = staticmethod(K.ndtri)
    save_input, save_result = False, True

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors  # PyTorch: grad * sqrt(2 * M_PI) * (result.square() / 2).exp()
        y = out._data
        return g * _SQRT_2PI * ctx.xp.exp(y * y / 2)


_SQRT_2PI = math.sqrt(2 * math.pi)


class SpecialLogNdtr(_Special):
    name = "SpecialLogNdtrBackward0"
    kernel = staticmethod(K.log_ndtr)
    save_result = True

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = ctx.xp
        a = x._data  # PyTorch: grad / std::sqrt(2 * M_PI) * (result + self.pow(2) / 2).neg().exp()
        return g / _SQRT_2PI * xp.exp(-(out._data + a * a / 2))


class SpecialErfcx(_Special):
    name = "SpecialErfcxBackward0"
    kernel = staticmethod(_erfcx_kernel)
    save_result = True

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors  # PyTorch: (2.0 * self * result - 2.0 / sqrt(M_PI)) * grad
        if isinstance(g, Tensor):  # (create_graph: the products with a C++ scalar, MulBackward1/SubBackward1)
            return scalar_sub(scalar_mul(x._data, 2.0) * out._data, _TWO_OVER_SQRT_PI) * g
        return (2.0 * x._data * out._data - _TWO_OVER_SQRT_PI) * g


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class SpecialEntr(_Special):
    name = "SpecialEntrBackward0"
    kernel = staticmethod(K.entr)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # PyTorch: grad * (-(1 + self.log()))
        return g * -(1 + ctx.xp.log(x._data))


# ------------------------------------------------------------------------ public functions
@tensor_input
def lgamma(input, *, out=None):
    """The natural logarithm of the absolute value of the gamma function, element-wise.
    Mirrors ``torch.lgamma`` (``torch.special.gammaln``).

    Integer and bool inputs give the default float dtype; ``inf`` at 0, at the negative
    integers and at ``±inf``. PyTorch calls the C library's ``lgamma``; reftorch computes
    that library's algorithm (fdlibm's) in float64 for positive inputs, within 2 units in
    the last place of PyTorch (most results bit for bit), and the reflection formula
    below 0, within 1e-13 (relative) or 1e-14 (absolute, near the zeros of lgamma);
    float32 results are the float64 ones rounded once (within 2e-6, relative).

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.lgamma(torch.tensor([0.5, 1.0, 10.0]))
        tensor([ 0.5724,  0.0000, 12.8018])
    """
    if out is not None:
        return with_out("lgamma", out, lgamma, input)
    _refuse_complex(input, "lgamma_vml_cpu")
    return Lgamma.apply(input)


@tensor_input
def digamma(input, *, out=None):
    """The digamma function, the derivative of ``lgamma``, element-wise. Mirrors
    ``torch.digamma`` (``torch.special.digamma``, ``torch.special.psi``).

    PyTorch's algorithm (Cephes' ``psi``): ``digamma(+0)`` is ``-inf``, ``digamma(-0)``
    ``inf``, the negative integers give nan. Integer inputs give the default float dtype;
    float16 is computed in float32. The same bits as PyTorch in float64, within a unit in
    the last place in float32.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.digamma(torch.tensor([1.0, 0.5, 10.0]))
        tensor([-0.5772, -1.9635,  2.2518])
    """
    if out is not None:
        return with_out("digamma", out, digamma, input)
    _refuse_complex(input, "digamma")
    return Digamma.apply(input)


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of ``digamma``, element-wise. Mirrors ``torch.polygamma``
    (method ``x.polygamma(n)``).

    ``n = 0`` is ``digamma``, ``n = 1`` PyTorch's ``trigamma`` series, larger ``n``
    ``(-1)**(n+1) * n! * zeta(n + 1, input)`` with Cephes' Hurwitz zeta function in float64,
    as PyTorch computes them; ``grad_fn`` is ``PolygammaBackward0`` for every ``n``.

    Args:
        n: the order, an int ``>= 0``.
        input: a real tensor (integers give the default float dtype).

    Raises:
        RuntimeError: for a negative ``n``.
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.polygamma(1, torch.tensor([1.0, 0.5]))
        tensor([1.6449, 4.9348])
        >>> torch.polygamma(2, torch.tensor([1.0]))
        tensor([-2.4041])
    """
    if out is not None:
        return with_out("polygamma", out, polygamma, n, input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    _refuse_complex(input, {0: "digamma", 1: "trigamma"}.get(n, "polygamma"))
    return Polygamma.apply(input, int(n))


def _polygamma_method(self, n):
    """``polygamma(n, self)``. Mirrors ``torch.Tensor.polygamma``."""
    return polygamma(n, self)


@tensor_input
def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``:
    ``sum(lgamma(input - j / 2) for j < p) + p (p - 1) / 4 * log(pi)``. Mirrors
    ``torch.mvlgamma`` (``torch.special.multigammaln``).

    As in PyTorch, values at or below ``(p - 1) / 2`` are not refused (they give inf or
    a finite value of the formula). Integer inputs give the default float dtype.

    Raises:
        RuntimeError: for a bool tensor, or ``p < 1``.

    Examples:
        >>> import reftorch as torch
        >>> torch.mvlgamma(torch.tensor([2.5, 3.0]), 2)
        tensor([0.8570, 1.5502])
    """
    if out is not None:
        return with_out("mvlgamma", out, mvlgamma, input, p)
    if input.dtype is D.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.dtype.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    return Mvlgamma.apply(input, int(p))


@tensor_input
def erfinv(input, *, out=None):
    """The inverse error function, element-wise: ``erfinv(erf(x)) == x``. Mirrors
    ``torch.erfinv`` (``torch.special.erfinv``).

    PyTorch's algorithm (a rational approximation refined by two Newton steps); nan outside
    ``[-1, 1]``, ``±inf`` at ``±1``. Against PyTorch: a few units in the last place for
    ``|y| <= 0.9`` (most results bit for bit); closer to ±1 the Newton steps magnify the
    last bit of ``erf`` (reftorch's and the C library's may differ there), up to 5e-12
    (float64) or 5e-6 (float32) relative at ``1 - 1e-6``, 1e-4 beyond.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.erfinv(torch.tensor([0.0, 0.5, -1.0]))
        tensor([0.0000, 0.4769,   -inf])
    """
    if out is not None:
        return with_out("erfinv", out, erfinv, input)
    _refuse_complex(input, "erfinv_vml_cpu")
    return Erfinv.apply(input)


@tensor_input
def i0(input, *, out=None):
    """The modified Bessel function of the first kind of order zero, element-wise. Mirrors
    ``torch.i0`` (``torch.special.i0``).

    PyTorch's algorithm (Cephes: Chebyshev series on ``[0, 8]`` and beyond); float32
    overflows to ``inf`` beyond about 88.7. Within 2e-15 (float64) or 1e-6 (float32)
    relative of PyTorch's results (most of them bit for bit).

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.i0(torch.tensor([0.0, 1.0, -2.0]))
        tensor([1.0000, 1.2661, 2.2796])
    """
    if out is not None:
        return with_out("i0", out, i0, input)
    _refuse_complex(input, "i0_vml_cpu")
    return I0.apply(input)


@tensor_input
def special_i0e(input, *, out=None):
    """``exp(-|x|) * i0(x)``, element-wise, without overflow. Mirrors ``torch.special.i0e``.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.i0e(torch.tensor([0.0, 1.0, 100.0]))
        tensor([1.0000, 0.4658, 0.0399])
    """
    if out is not None:
        return with_out("special_i0e", out, special_i0e, input)
    _refuse_complex(input, "i0e_cpu")
    return SpecialI0e.apply(input)


@tensor_input
def special_i1(input, *, out=None):
    """The modified Bessel function of the first kind of order one, element-wise (odd:
    ``i1(-x) == -i1(x)``). Mirrors ``torch.special.i1``.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.i1(torch.tensor([0.0, 1.0, -2.0]))
        tensor([ 0.0000,  0.5652, -1.5906])
    """
    if out is not None:
        return with_out("special_i1", out, special_i1, input)
    _refuse_complex(input, "i1_cpu")
    return SpecialI1.apply(input)


@tensor_input
def special_i1e(input, *, out=None):
    """``exp(-|x|) * i1(x)``, element-wise, without overflow. Mirrors ``torch.special.i1e``.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.i1e(torch.tensor([0.0, 1.0, -100.0]))
        tensor([ 0.0000,  0.2079, -0.0397])
    """
    if out is not None:
        return with_out("special_i1e", out, special_i1e, input)
    _refuse_complex(input, "i1e_cpu")
    return SpecialI1e.apply(input)


@tensor_input
def sinc(input, *, out=None):
    """The normalized sinc function ``sin(pi x) / (pi x)``, 1 at 0, element-wise. Mirrors
    ``torch.sinc`` (``torch.special.sinc``).

    Computed as PyTorch does, ``pi * x`` rounded to the input's float dtype first (so
    ``sinc(1.)`` in float32 is ``-2.7828e-08``, not 0); complex tensors are accepted;
    integers give the default float dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.sinc(torch.tensor([0.0, 0.5, 1.5], dtype=torch.float64))
        tensor([ 1.0000,  0.6366, -0.2122], dtype=torch.float64)
    """
    if out is not None:
        return with_out("sinc", out, sinc, input)
    return Sinc.apply(input)


def xlogy(input, other, *, out=None):
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan),
    element-wise. Mirrors ``torch.xlogy`` (``torch.special.xlogy``).

    Broadcasts and promotes like ``torch.div`` (integers and bool give the default float
    dtype); either operand may be a Python number (not both). ``grad_fn``:
    ``XlogyBackward0`` for two tensors, ``XlogyBackward1`` for a number ``input``,
    ``XlogyBackward2`` for a number ``other``.

    Raises:
        TypeError: when both operands are numbers.
        NotImplementedError: for complex operands.

    Examples:
        >>> import reftorch as torch
        >>> torch.xlogy(torch.tensor([0.0, 2.0, 0.0]), torch.tensor([0.0, 3.0, float("nan")]))
        tensor([0.0000, 2.1972,    nan])
        >>> torch.xlogy(2, torch.tensor([1.0, 4.0]))
        tensor([0.0000, 2.7726])
    """
    if out is not None:
        return with_out("xlogy", out, xlogy, input, other)
    return _binary_special("xlogy", "xlogy_cpu", Xlogy, XlogyNumberSelf, input, other)


def _binary_special(name, kernel, op, number_self, input, other, half=True):
    """``op`` of two tensors (or a tensor and a number, ``op.Number``), ``number_self`` of
    a number and a tensor; the dtype rules of ``div`` (``half`` False: float16 and bfloat16
    refused too)."""
    def check(kernel, dt):
        _refuse(kernel, dt, complex_=False)
        if not half and dt in (D.float16, D.bfloat16):
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(dt)}'")
    scalar = (bool, int, float)
    if not isinstance(input, Tensor):
        if not (isinstance(input, scalar) and isinstance(other, Tensor)):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(other).__name__})")
        dt = _true_div_type(D.number_type(other._dtype, input))
        check(kernel, dt)
        res = number_self.apply(other, _number(input, other, dt), dt)
        return _beside_number(res, other, dt, False, unary=True)
    if isinstance(other, Tensor):
        x, y, dt = _operands(input, other, true_div=True)
        check(kernel, dt)
        return op.apply(x, y, dt)
    if not isinstance(other, scalar):
        _need_tensors(name, input, other, number_ok=True)
    dt = _true_div_type(D.number_type(input._dtype, other))
    check(kernel, dt)
    res = op.Number.apply(input, _number(other, input, dt), dt, _name=op.name[:-1] + "2")
    return _beside_number(res, input, dt, False)


def _true_div_type(dt):
    return dt if dt.is_floating_point or dt.is_complex else D.get_default_dtype()


def special_xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan),
    element-wise. Mirrors ``torch.special.xlog1py``.

    The dtype rules and the number operands of :func:`reftorch.xlogy` (``grad_fn``
    ``SpecialXlog1PyBackward0``, ``1`` for a number ``input``, ``2`` for a number ``other``).

    Raises:
        TypeError: when both operands are numbers.
        NotImplementedError: for complex operands.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.xlog1py(torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 1.0]))
        tensor([0.0000, 1.3863])
    """
    if out is not None:
        return with_out("special_xlog1py", out, special_xlog1py, input, other)
    return _binary_special("special_xlog1py", "xlog1py_cpu", Xlog1py, Xlog1pyNumberSelf, input, other)


@tensor_input
def special_ndtri(input, *, out=None):
    """The quantile function of the standard normal distribution, the inverse of
    :func:`reftorch.special.ndtr`, element-wise. Mirrors ``torch.special.ndtri``.

    PyTorch's algorithm (Cephes' ``ndtri``); ``-inf`` at 0, ``inf`` at 1, nan outside
    ``[0, 1]``. Within a few units in the last place of PyTorch's results.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.ndtri(torch.tensor([0.5, 0.975, 0.0]))
        tensor([0.0000, 1.9600,   -inf])
    """
    if out is not None:
        return with_out("special_ndtri", out, special_ndtri, input)
    _refuse_complex(input, "ndtri_cpu", half=False)
    return SpecialNdtri.apply(input)


@tensor_input
def special_log_ndtr(input, *, out=None):
    """``log(ndtr(input))``, accurate far in both tails, element-wise. Mirrors
    ``torch.special.log_ndtr``.

    Computed in float64 (``log1p(-erfc(x / sqrt 2) / 2)`` from -1 up, ``log(erfc(-x /
    sqrt 2) / 2)`` below, with ``erfc``'s asymptotic series where it underflows); PyTorch
    writes the lower tail with ``erfcx``. Within about 1e-15 (relative) of PyTorch in
    float64, a unit in the last place in float32.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.log_ndtr(torch.tensor([-40.0, 0.0, 5.0]))
        tensor([-8.0461e+02, -6.9315e-01, -2.8665e-07])
    """
    if out is not None:
        return with_out("special_log_ndtr", out, special_log_ndtr, input)
    _refuse_complex(input, "log_ndtr_cpu", half=False)
    return SpecialLogNdtr.apply(input)


@tensor_input
def special_entr(input, *, out=None):
    """The elementwise entropy ``-input * log(input)``: 0 at 0, ``-inf`` below 0.
    Mirrors ``torch.special.entr``.

    Raises:
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.entr(torch.tensor([0.0, 0.5, 1.0, -1.0]))
        tensor([0.0000, 0.3466, -0.0000,   -inf])
    """
    if out is not None:
        return with_out("special_entr", out, special_entr, input)
    _refuse_complex(input, "entr_cpu")
    return SpecialEntr.apply(input)


def special_zeta(input, other, *, out=None):
    r"""The Hurwitz zeta function :math:`\zeta(x, q) = \sum_{k=0}^{\infty} (q + k)^{-x}`,
    element-wise (``other = 1``: the Riemann zeta function). Mirrors ``torch.special.zeta``.

    PyTorch's algorithm (Cephes' ``zeta``, in float64): ``inf`` at ``x = 1`` and where ``q``
    is a non-positive integer; nan for ``x < 1``, and for a negative non-integer ``q`` with a
    non-integer ``x``. Either operand may be a Python number; integers promote to the default
    float dtype.

    Gradients: as in PyTorch, only for ``other`` (``grad * -x * zeta(x + 1, q)``;
    ``grad_fn`` ``SpecialZetaBackward0``, ``1`` for a number ``input``, ``2`` for a number
    ``other``); one for ``input`` raises NotImplementedError in the backward pass.

    Raises:
        TypeError: when both operands are numbers.
        NotImplementedError: for complex, float16 and bfloat16 operands.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.zeta(torch.tensor([2.0, 4.0]), 1.0)
        tensor([1.6449, 1.0823])
    """
    if out is not None:
        return with_out("special_zeta", out, special_zeta, input, other)
    return _binary_special("special_zeta", "zeta_cpu", SpecialZeta, SpecialZetaNumberSelf, input, other,
                           half=False)


@tensor_input
def special_spherical_bessel_j0(x, *, out=None):  # (PyTorch names this one's input ``x``)
    """The spherical Bessel function of the first kind of order 0, ``sin(x) / x`` (1 at 0),
    element-wise. Mirrors ``torch.special.spherical_bessel_j0``.

    PyTorch's formula (its Taylor polynomial below ``|x| < 0.5``), in the input's dtype;
    integers promote to the default float dtype. As in PyTorch, not differentiable: the
    result never requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.spherical_bessel_j0(torch.tensor([0.0, 1.0, 3.0]))
        tensor([1.0000, 0.8415, 0.0470])
    """
    return _value_only("spherical_bessel_j0", K.spherical_bessel_j0, x, out, special_spherical_bessel_j0)




@tensor_input
def special_bessel_j0(input, *, out=None):
    r"""The Bessel function of the first kind of order 0, :math:`J_0(x)`,
    element-wise. Mirrors ``torch.special.bessel_j0``.

    PyTorch's algorithm (Cephes' rational approximations up to 5, the Hankel asymptotic
    form beyond), in the input's dtype; integers promote to the default float dtype.
    As in PyTorch, not differentiable: the result never requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.bessel_j0(torch.tensor([0.0, 1.0, 10.0]))
        tensor([ 1.0000,  0.7652, -0.2459])
    """
    return _value_only("bessel_j0", K.bessel_j0, input, out, special_bessel_j0)


@tensor_input
def special_bessel_j1(input, *, out=None):
    r"""The Bessel function of the first kind of order 1, :math:`J_1(x)`,
    element-wise. Mirrors ``torch.special.bessel_j1``.

    PyTorch's algorithm (Cephes' rational approximations up to 5, the Hankel asymptotic
    form beyond), in the input's dtype; integers promote to the default float dtype.
    Odd: ``J_1(-x) = -J_1(x)``. As in PyTorch, not differentiable: the result never requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.bessel_j1(torch.tensor([0.0, 1.0, -10.0]))
        tensor([ 0.0000,  0.4401, -0.0435])
    """
    return _value_only("bessel_j1", K.bessel_j1, input, out, special_bessel_j1)


@tensor_input
def special_bessel_y0(input, *, out=None):
    r"""The Bessel function of the second kind of order 0, :math:`Y_0(x)`,
    element-wise. Mirrors ``torch.special.bessel_y0``.

    PyTorch's algorithm (Cephes' rational approximations up to 5, the Hankel asymptotic
    form beyond), in the input's dtype; integers promote to the default float dtype.
    ``-inf`` at 0, nan for ``x < 0``. As in PyTorch, not differentiable: the result never requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.bessel_y0(torch.tensor([0.0, 1.0, 10.0]))
        tensor([  -inf, 0.0883, 0.0557])
    """
    return _value_only("bessel_y0", K.bessel_y0, input, out, special_bessel_y0)


@tensor_input
def special_bessel_y1(input, *, out=None):
    r"""The Bessel function of the second kind of order 1, :math:`Y_1(x)`,
    element-wise. Mirrors ``torch.special.bessel_y1``.

    PyTorch's algorithm (Cephes' rational approximations up to 5, the Hankel asymptotic
    form beyond), in the input's dtype; integers promote to the default float dtype.
    ``-inf`` at 0, nan for ``x < 0``. As in PyTorch, not differentiable: the result never requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.bessel_y1(torch.tensor([0.0, 1.0, 10.0]))
        tensor([   -inf, -0.7812,  0.2490])
    """
    return _value_only("bessel_y1", K.bessel_y1, input, out, special_bessel_y1)


@tensor_input
def special_modified_bessel_i0(input, *, out=None):
    r"""The modified Bessel function of the first kind of order 0, :math:`I_0(x)`,
    element-wise. Mirrors ``torch.special.modified_bessel_i0``.

    PyTorch's algorithm (Cephes' Chebyshev series on ``[0, 8]`` and beyond), in the input's dtype; integers promote to the
    default float dtype. Even. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.modified_bessel_i0(torch.tensor([0.0, 1.0, -2.0]))
        tensor([1.0000, 1.2661, 2.2796])
    """
    return _value_only("modified_bessel_i0", K.modified_bessel_i0, input, out, special_modified_bessel_i0)


@tensor_input
def special_modified_bessel_i1(input, *, out=None):
    r"""The modified Bessel function of the first kind of order 1, :math:`I_1(x)`,
    element-wise. Mirrors ``torch.special.modified_bessel_i1``.

    PyTorch's algorithm (Cephes' Chebyshev series on ``[0, 8]`` and beyond), in the input's dtype; integers promote to the
    default float dtype. Odd. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.modified_bessel_i1(torch.tensor([0.0, 1.0, -2.0]))
        tensor([ 0.0000,  0.5652, -1.5906])
    """
    return _value_only("modified_bessel_i1", K.modified_bessel_i1, input, out, special_modified_bessel_i1)


@tensor_input
def special_modified_bessel_k0(input, *, out=None):
    r"""The modified Bessel function of the second kind of order 0, :math:`K_0(x)`,
    element-wise. Mirrors ``torch.special.modified_bessel_k0``.

    PyTorch's algorithm (Cephes' Chebyshev series on ``[0, 2]`` and beyond), in the input's dtype; integers promote to the
    default float dtype. ``inf`` at 0, nan for ``x < 0``. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.modified_bessel_k0(torch.tensor([0.0, 1.0, 2.0]))
        tensor([   inf, 0.4210, 0.1139])
    """
    return _value_only("modified_bessel_k0", K.modified_bessel_k0, input, out, special_modified_bessel_k0)


@tensor_input
def special_modified_bessel_k1(input, *, out=None):
    r"""The modified Bessel function of the second kind of order 1, :math:`K_1(x)`,
    element-wise. Mirrors ``torch.special.modified_bessel_k1``.

    PyTorch's algorithm (Cephes' Chebyshev series on ``[0, 2]`` and beyond), in the input's dtype; integers promote to the
    default float dtype. ``inf`` at 0, nan for ``x < 0``. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.modified_bessel_k1(torch.tensor([0.0, 1.0, 2.0]))
        tensor([   inf, 0.6019, 0.1399])
    """
    return _value_only("modified_bessel_k1", K.modified_bessel_k1, input, out, special_modified_bessel_k1)


@tensor_input
def special_scaled_modified_bessel_k0(x, *, out=None):  # (PyTorch names this one's input ``x``)
    r""":math:`K_0(x) e^x`, the exponentially scaled :func:`modified_bessel_k0`,
    element-wise. Mirrors ``torch.special.scaled_modified_bessel_k0``.

    PyTorch's algorithm (Cephes' Chebyshev series on ``[0, 2]`` and beyond), in the input's dtype; integers promote to the
    default float dtype. ``inf`` at 0, nan for ``x < 0``. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.scaled_modified_bessel_k0(torch.tensor([0.0, 1.0, 100.0]))
        tensor([   inf, 1.1445, 0.1252])
    """
    return _value_only("scaled_modified_bessel_k0", K.scaled_modified_bessel_k0, x, out, special_scaled_modified_bessel_k0)


@tensor_input
def special_scaled_modified_bessel_k1(x, *, out=None):  # (PyTorch names this one's input ``x``)
    r""":math:`K_1(x) e^x`, the exponentially scaled :func:`modified_bessel_k1`,
    element-wise. Mirrors ``torch.special.scaled_modified_bessel_k1``.

    PyTorch's algorithm (Cephes' Chebyshev series on ``[0, 2]`` and beyond), in the input's dtype; integers promote to the
    default float dtype. ``inf`` at 0, nan for ``x < 0``. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.scaled_modified_bessel_k1(torch.tensor([0.0, 1.0, 100.0]))
        tensor([   inf, 1.6362, 0.1258])
    """
    return _value_only("scaled_modified_bessel_k1", K.scaled_modified_bessel_k1, x, out, special_scaled_modified_bessel_k1)


@tensor_input
def special_airy_ai(x, *, out=None):  # (PyTorch names this one's input ``x``)
    r"""The Airy function :math:`\operatorname{Ai}(x)`, the solution of :math:`y'' = x y`
    that decays as :math:`x \to \infty`, element-wise. Mirrors ``torch.special.airy_ai``.

    PyTorch's algorithm (Cephes' asymptotic forms below -2.09 and from 2.09, the Maclaurin
    series between), in the input's dtype; integers promote to the default float dtype. 0
    beyond 103.892, nan at ``±inf``. As in PyTorch, not differentiable: the result never
    requires grad.

    Raises:
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.airy_ai(torch.tensor([-3.0, 0.0, 1.0]))
        tensor([-0.3788,  0.3550,  0.1353])
    """
    return _value_only("airy_ai", K.airy_ai, x, out, special_airy_ai)


@tensor_input
def special_erfcx(input, *, out=None):
    r"""The scaled complementary error function :math:`\operatorname{erfcx}(x) = e^{x^2}
    \operatorname{erfc}(x)`, element-wise: finite where ``erfc`` underflows (about
    :math:`1 / (x \sqrt{\pi})` for large ``x``). Mirrors ``torch.special.erfcx``.

    PyTorch's algorithm (Steven G. Johnson's: 100 piecewise polynomials in ``4 / (4 + |x|)``
    up to 50, a continued fraction beyond, ``2 exp(x^2) - erfcx(-x)`` below 0, ``inf``
    below -26.7), in the input's dtype; integers and bool promote to the default float
    dtype. Gradient ``(2 x erfcx(x) - 2 / sqrt(pi)) * grad`` (``grad_fn``
    ``SpecialErfcxBackward0``), to any order.

    Raises:
        TypeError: when ``input`` is not a tensor.
        NotImplementedError: for complex, float16 and bfloat16 tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.erfcx(torch.tensor([-1.0, 0.0, 1.0, 100.0]))
        tensor([5.0090, 1.0000, 0.4276, 0.0056])
    """
    if out is not None:
        return with_out("special_erfcx", out, special_erfcx, input)
    _refuse_complex(input, "erfcx_cpu", half=False)
    return SpecialErfcx.apply(input)
