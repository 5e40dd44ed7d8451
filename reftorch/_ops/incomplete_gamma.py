"""The regularized incomplete gamma functions: ``igamma`` (``special.gammainc``) and
``igammac`` (``special.gammaincc``).

One ``Function`` each (``IgammaBackward0``, ``IgammacBackward0``), the kernels in
:mod:`reftorch._ops._igamma_kernels`. As in PyTorch, only ``other`` (``x``) has a
gradient, ``± grad * exp((a - 1) * log(x) - x - lgamma(a))`` (the integrand's density);
one needed for ``input`` (``a``) raises in the backward pass.
"""
from __future__ import annotations

from .._tensor import Tensor
from . import _igamma_kernels as G
from . import _special_kernels as K
from ._common import with_out
from .binary_math import _need_tensors, _refuse
from .pointwise import _Binary, _operands, _setup


class Igamma(_Binary):
    name = "IgammaBackward0"
    create_graph = True
    kernel = staticmethod(G.igamma)
    sign = 1.0
    op = "igamma"

    @classmethod
    def forward(cls, ctx, x, y, dt):
        a, b, dt = _setup(ctx, x, y, dt)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, y)
            ctx.dt = dt
        return cls.kernel(x._backend, a, b)

    @classmethod
    def backward(cls, ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{cls.op}: input' is not implemented.")
        x, y = ctx.saved_tensors
        # PyTorch's formula on the operands in their own dtypes (``lgamma`` of a float32
        # ``a`` in float32 beside a float64 ``x``), promoted where they meet
        if isinstance(g, Tensor):  # (create_graph: PyTorch's ops, recorded as it records them)
            a, t = x._data, y._data  # (the saved tensors themselves)
            g = g if cls.sign > 0 else -g
            return _Binary._reduce(ctx, None, g * ((a - 1) * t.log() - t - a.lgamma()).exp())
        xp = ctx.xp
        native = ctx.backend.dtype(ctx.dt)
        a, t = x._data, y._data
        log_density = _as(xp, (a - 1), native) * _as(xp, xp.log(t), native) - _as(xp, t, native) \
            - _as(xp, K.lgamma(ctx.backend, a), native)
        density = xp.exp(log_density)
        return _Binary._reduce(ctx, None, g * density if cls.sign > 0 else -g * density)


def _as(xp, arr, native):
    return arr if arr.dtype == native else xp.astype(arr, native)


class Igammac(Igamma):
    name = "IgammacBackward0"
    kernel = staticmethod(G.igammac)
    sign = -1.0
    op = "igammac"


def _apply(name, kernel, op, input, other):
    _need_tensors(name, input, other)
    x, y, dt = _operands(input, other)
    _refuse(kernel, dt, ints=False, complex_=False)
    return op.apply(x, y, dt)


def igamma(input, other, *, out=None):
    r"""The regularized lower incomplete gamma function
    :math:`P(a, x) = \frac{1}{\Gamma(a)} \int_0^x t^{a-1} e^{-t}\,dt`, with ``a = input``
    and ``x = other``, element-wise. Mirrors ``torch.igamma`` (``torch.special.gammainc``).

    Broadcasts the two tensors; the result has their promoted dtype, which must be a
    floating one (float16 is computed in float32). PyTorch's algorithm (SciPy's
    ``gammainc``: a power series, a continued fraction through ``1 - Q``, Temme's uniform
    expansion for large ``a`` near ``x``) in the same working dtype, with the fused
    multiply-adds of its compiled loops. Results are mostly the same bits as PyTorch's; the
    others differ where cancellation amplifies a unit's difference between the C library's
    ``lgamma``/``log1p`` and the array library's: up to about 2e-13 (relative) in float64,
    3e-4 in float32 (``a`` in the hundreds).
    Edge values as PyTorch: ``P(0, x) = 1`` for ``x > 0``, ``P(a, 0) = 0``,
    ``P(inf, x) = 0``, ``P(a, inf) = 1``; nan for negative arguments, ``P(0, 0)`` and
    ``P(inf, inf)``.

    Gradients: as in PyTorch, only for ``other`` (``grad * exp((a - 1) * log(x) - x -
    lgamma(a))``, ``grad_fn`` ``IgammaBackward0``); one for ``input`` raises
    NotImplementedError in the backward pass.

    Raises:
        TypeError: when an operand is not a tensor.
        NotImplementedError: for integer, bool and complex results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.igamma(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 4.0]))
        tensor([0.3935, 0.2642, 0.7619])
    """
    if out is not None:
        return with_out("igamma", out, igamma, input, other)
    return _apply("igamma", "igamma_cpu", Igamma, input, other)


def igammac(input, other, *, out=None):
    r"""The regularized upper incomplete gamma function
    :math:`Q(a, x) = 1 - P(a, x) = \frac{1}{\Gamma(a)} \int_x^\infty t^{a-1} e^{-t}\,dt`,
    with ``a = input`` and ``x = other``, element-wise. Mirrors ``torch.igammac``
    (``torch.special.gammaincc``).

    The dtypes, algorithm and accuracy of :func:`reftorch.igamma` (``Q`` computed
    directly where it is small, not as ``1 - P``). Edge values as PyTorch: ``Q(0, x) = 0``
    for ``x > 0``, ``Q(a, 0) = 1``, ``Q(inf, x) = 1``, ``Q(a, inf) = 0``, nan for negative
    arguments, ``Q(0, 0)`` and ``Q(inf, inf)``.

    Gradients: as in PyTorch, only for ``other`` (``-grad * exp((a - 1) * log(x) - x -
    lgamma(a))``, ``grad_fn`` ``IgammacBackward0``); one for ``input`` raises
    NotImplementedError in the backward pass.

    Raises:
        TypeError: when an operand is not a tensor.
        NotImplementedError: for integer, bool and complex results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.igammac(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 4.0]))
        tensor([0.6065, 0.7358, 0.2381])
    """
    if out is not None:
        return with_out("igammac", out, igammac, input, other)
    return _apply("igammac", "igammac_cpu", Igammac, input, other)


def special_gammainc(input, other, *, out=None):
    r"""The regularized lower incomplete gamma function :math:`P(a, x)`, element-wise:
    :func:`reftorch.igamma` under its ``torch.special`` name. Mirrors
    ``torch.special.gammainc``.

    Raises:
        TypeError: when an operand is not a tensor.
        NotImplementedError: for integer, bool and complex results.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.gammainc(torch.tensor([2.0]), torch.tensor([2.0]))
        tensor([0.5940])
    """
    if out is not None:
        return with_out("special_gammainc", out, special_gammainc, input, other)
    return _apply("special_gammainc", "igamma_cpu", Igamma, input, other)


def special_gammaincc(input, other, *, out=None):
    r"""The regularized upper incomplete gamma function :math:`Q(a, x) = 1 - P(a, x)`,
    element-wise: :func:`reftorch.igammac` under its ``torch.special`` name. Mirrors
    ``torch.special.gammaincc``.

    Raises:
        TypeError: when an operand is not a tensor.
        NotImplementedError: for integer, bool and complex results.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.gammaincc(torch.tensor([2.0]), torch.tensor([2.0]))
        tensor([0.4060])
    """
    if out is not None:
        return with_out("special_gammaincc", out, special_gammaincc, input, other)
    return _apply("special_gammaincc", "igammac_cpu", Igammac, input, other)

