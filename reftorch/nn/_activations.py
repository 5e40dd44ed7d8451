"""More activations of ``torch.nn.functional``: selu, celu, hardswish, hardsigmoid, softmin,
logsigmoid, softsign, threshold, glu, prelu, hardshrink, softshrink, tanhshrink (the
functions, and the ``Function`` nodes behind the ones PyTorch records as one node:
``HardswishBackward0``, ``HardsigmoidBackward0``, ``LogSigmoidBackward0``,
``ThresholdBackward0``, ``GluBackward0``, ``PreluKernelBackward0``, ``HardshrinkBackward0``,
``SoftshrinkBackward0``)."""
from __future__ import annotations

from .. import _dtype as _D
from .._ops.pointwise import _opmath
from .._ops.softmax import _implicit_dim, softmax_impl
from .._tensor import Tensor, _wrap_dim
from .._tensor_inplace import commit as _commit
from ..autograd.function import OpFunction as Function
from .._ops._common import tensor_input
from . import _functions as _F
from .. import _autocast
from .._autocast import anywhere as _autocasting

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_ONE_SIXTH_F = 0.1666666716337204  # float32(1 / 6): PyTorch's hardsigmoid_backward constant, in every dtype


def _cname(dtype):
    return _D.scalar_name(dtype)


def _float_only(input, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_cname(input.dtype)}\'')


def _maybe_inplace(input, out, inplace):
    return _commit(input, out) if inplace else out


# ---------------------------------------------------------------------- element-wise nodes
class _Pointwise(Function):
    """An element-wise activation ``kernel(xp, a)`` whose gradient is the graph op ``grad_op``
    (an :class:`~reftorch.nn._functions._InputGrad`)."""

    create_graph = True
    elementwise = True
    grad_op = None

    @classmethod
    def forward(cls, ctx, x, **params):
        ctx.save_for_backward(x)
        ctx.params = params
        be = x._backend
        with be.quiet():
            return _opmath(lambda xp, a, _b, **p: cls.kernel(xp, a, **p), be.xp, x._data, x._data, **params)

    @classmethod
    def backward(cls, ctx, g):
        (x,) = ctx.saved_tensors
        return _F._input_grad(cls.grad_op, ctx, g, x._data, **ctx.params)


class HardswishBackward(_F._InputGrad):
    name = "HardswishBackwardBackward0"

    @staticmethod
    def formula(xp, g, x):
        # (where, not _select: its masks are mostly one value, which where predicts)
        return xp.where(x <= -3, xp.zeros_like(g), xp.where(x < 3, g * (x / 3 + 0.5), g))

    @staticmethod
    def grad_x(xp, gg, g, x):
        return xp.where((x > -3) & (x < 3), gg * g / 3, xp.zeros_like(x))


class Hardswish(_Pointwise):
    """``x * min(max(x + 3, 0), 6) / 6``."""

    name = "HardswishBackward0"
    grad_op = HardswishBackward

    @staticmethod
    def kernel(xp, a):
        return a * xp.clip(a + 3, 0, 6) / 6


class HardsigmoidBackward(_F._InputGrad):
    name = "torch::autograd::NotImplemented"

    @staticmethod
    def formula(xp, g, x):
        return xp.where((x > -3) & (x < 3), g * _ONE_SIXTH_F, xp.zeros_like(g))

    @classmethod
    def backward(cls, ctx, gg):
        raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented")


class Hardsigmoid(_Pointwise):
    """``min(max(x + 3, 0), 6) / 6``."""

    name = "HardsigmoidBackward0"
    grad_op = HardsigmoidBackward

    @staticmethod
    def kernel(xp, a):
        return xp.clip(a + 3, 0, 6) / 6


class LogSigmoidBackward(_F._InputGrad):
    name = "LogSigmoidBackwardBackward0"

    @staticmethod
    def formula(xp, g, x):
        neg = x < 0
        z = xp.exp(-xp.abs(x))
        s = z / (1 + z)
        return g * xp.where(neg, 1 - s, s)  # PyTorch: max_deriv - sign * z / (1 + z)

    @staticmethod
    def grad_x(xp, gg, g, x):
        s = 1 / (1 + xp.exp(-x))
        return -gg * g * s * (1 - s)


class LogSigmoid(_Pointwise):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``."""

    name = "LogSigmoidBackward0"
    grad_op = LogSigmoidBackward

    @staticmethod
    def kernel(xp, a):
        return xp.minimum(a, xp.zeros_like(a)) - xp.log1p(xp.exp(-xp.abs(a)))


class ThresholdBackward(_F._InputGrad):
    name = "ThresholdBackwardBackward0"

    @staticmethod
    def formula(xp, g, x, threshold, value):
        return xp.where(x <= threshold, xp.zeros_like(g), g)

    @staticmethod
    def grad_x(xp, gg, g, x, threshold, value):
        return xp.zeros_like(x)


class Threshold(_Pointwise):
    """``x`` where ``x > threshold``, ``value`` elsewhere."""

    name = "ThresholdBackward0"
    grad_op = ThresholdBackward

    @staticmethod
    def kernel(xp, a, threshold, value):
        return xp.where(a <= threshold, xp.full_like(a, value), a)


# ---------------------------------------------------------------------- glu, prelu
def _halves(x, dim):
    """The two halves of ``x`` along ``dim`` (arrays, or tensors under ``create_graph``)."""
    h = x.shape[dim] // 2
    lead = (slice(None),) * dim
    return x[lead + (slice(0, h), Ellipsis)], x[lead + (slice(h, 2 * h), Ellipsis)]


def _glu_grad(xp, g, x, dim):
    """``(g * s, g * a * s * (1 - s))`` joined along ``dim``: the gradient of ``a * s``,
    ``s = sigmoid(b)``."""
    a, b = _halves(x, dim)
    s = 1 / (1 + xp.exp(-b))
    return xp.concat([g * s, g * a * s * (1 - s)], axis=dim)


class Glu(Function):
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``dim``; its gradient is the node
    :class:`GluBackward` (``GluBackwardBackward0``), as in PyTorch."""

    name = "GluBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        xp = x._backend.xp
        a, b = _halves(x._data, dim)
        ctx.save_for_backward(x)
        ctx.dim = dim
        with x._backend.quiet():
            return a * (1 / (1 + xp.exp(-b)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if isinstance(g, Tensor):
            return GluBackward.apply(g, x._data, dim=ctx.dim)
        with x._backend.quiet():
            return _glu_grad(ctx.xp, g, x._data, ctx.dim)


class GluBackward(Function):
    """The gradient of GLU, ``(g, x) -> gx``, as a graph op; its own gradients are computed
    op by op (recorded again under ``create_graph``)."""

    name = "GluBackwardBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, g, x, dim):
        ctx.save_for_backward(g, x)
        ctx.dim = dim
        with x._backend.quiet():
            return _glu_grad(x._backend.xp, g._data, x._data, dim)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        xp, dim = ctx.xp, ctx.dim
        g, x = g._data, x._data
        a, b = _halves(x, dim)
        gga, ggb = _halves(gg, dim)
        s = 1 / (1 + xp.exp(-b))
        ds = s * (1 - s)
        need = ctx.needs_input_grad
        grad_g = gga * s + ggb * a * ds if need[0] else None
        grad_x = None
        if need[1]:
            grad_a = ggb * g * ds
            grad_b = gga * g * ds + ggb * g * a * ds * (1 - 2 * s)
            grad_x = xp.concat([grad_a, grad_b], axis=dim)
        return grad_g, grad_x


def _prelu_weight(xp, wa, ndim):
    """The weight array laid out to broadcast along dim 1 (one slope: as it is)."""
    if wa.shape[0] > 1 and ndim > 1:
        return xp.reshape(wa, (-1,) + (1,) * (ndim - 2))
    return wa


class Prelu(Function):
    """``x`` where positive, ``weight * x`` elsewhere, ``weight`` along dim 1 (one value, or
    one per channel). The gradient comes from the two-output node :class:`PreluBackward`
    (``PreluKernelBackwardBackward0``), the weight's part then summed to the weight's shape,
    as PyTorch does."""

    name = "PreluKernelBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, w):
        xp = x._backend.xp
        a = x._data
        ctx.save_for_backward(x, w)
        return xp.where(a > 0, a, _prelu_weight(xp, w._data, a.ndim) * a)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        if isinstance(g, Tensor):
            gx, gw_full = PreluBackward.apply(g, x._data, w._data)
        else:
            gx, gw_full = _prelu_grads(ctx.xp, g, x._data, w._data)
        need = ctx.needs_input_grad
        gw = _prelu_sum(ctx.xp, gw_full, w._data) if need[1] else None
        return (gx if need[0] else None), gw


def _prelu_grads(xp, g, a, wa):
    pos = a > 0
    zero = xp.zeros_like(g)
    return xp.where(pos, g, _prelu_weight(xp, wa, a.ndim) * g), xp.where(pos, zero, a * g)


def _prelu_sum(xp, full, wa):
    """The weight's gradient: ``full`` summed over every dim but the channel dim."""
    if wa.shape[0] > 1 and full.ndim > 1:
        full = xp.sum(full, axis=tuple(i for i in range(full.ndim) if i != 1))
    else:
        full = xp.sum(full)
    return xp.reshape(full, tuple(wa.shape))  # (a view: PyTorch's ViewBackward0)


class PreluBackward(Function):
    """``(g, x, w) -> (gx, gw_unreduced)``, PyTorch's ``PreluKernelBackwardBackward0``;
    its own gradients are computed op by op."""

    name = "PreluKernelBackwardBackward0"
    multi_output = True
    create_graph = True
    arity = 3

    @staticmethod
    def forward(ctx, g, x, w):
        ctx.save_for_backward(g, x, w)
        return _prelu_grads(x._backend.xp, g._data, x._data, w._data)

    @staticmethod
    def backward(ctx, ggx, ggw):
        g, x, w = ctx.saved_tensors
        xp = ctx.xp
        g, a, wa = g._data, x._data, w._data
        pos = a > 0
        zero = xp.zeros_like(a)
        wb = _prelu_weight(xp, wa, a.ndim)
        need = ctx.needs_input_grad
        grad_g = grad_x = grad_w = None
        if need[0]:
            parts = []
            if ggx is not None:
                parts.append(xp.where(pos, ggx, wb * ggx))
            if ggw is not None:
                parts.append(xp.where(pos, zero, a * ggw))
            grad_g = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        if need[1] and ggw is not None:
            grad_x = xp.where(pos, zero, g * ggw)
        if need[2] and ggx is not None:
            grad_w = _prelu_sum(xp, xp.where(pos, zero, g * ggx), wa)
        return grad_g, grad_x, grad_w


# ---------------------------------------------------------------------- the functions
@tensor_input
def selu(input, inplace=False):
    """Scaled ELU: ``scale * (x if x > 0 else alpha * (exp(x) - 1))`` with PyTorch's
    ``alpha ≈ 1.6733`` and ``scale ≈ 1.0507`` (``grad_fn``: ``EluBackward0``).

    Args:
        input: a floating point tensor.
        inplace: overwrite ``input`` with the result.

    Raises:
        NotImplementedError: integer input.

    Mirrors ``torch.nn.functional.selu``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.selu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-1.1113,  0.0000,  2.1014])
    """
    _float_only(input, "elu_cpu")
    out = _F.Elu.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, _name="EluBackward1" if inplace else "EluBackward0")
    return _maybe_inplace(input, out, inplace)


@tensor_input
def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`` (``grad_fn``: ``CeluBackward0``).

    Args:
        input: a floating point tensor.
        alpha: the negative saturation value is ``-alpha`` (default 1).
        inplace: overwrite ``input`` with the result.

    Raises:
        NotImplementedError: integer input.
        RuntimeError: ``alpha == 0``.

    Mirrors ``torch.nn.functional.celu``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.celu(torch.tensor([-1.0, 2.0]), alpha=0.5)
        tensor([-0.4323,  2.0000])
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _float_only(input, "elu_cpu")
    out = _F.Elu.apply(input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha, _name="CeluBackward1" if inplace else "CeluBackward0")
    return _maybe_inplace(input, out, inplace)


@tensor_input
def hardswish(input, inplace=False):
    """``x * min(max(x + 3, 0), 6) / 6``, a cheap approximation of SiLU.

    Args:
        input: a floating point tensor.
        inplace: overwrite ``input`` with the result.

    Raises:
        NotImplementedError: integer input.

    Mirrors ``torch.nn.functional.hardswish``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.hardswish(torch.tensor([-4.0, 1.0, 4.0]))
        tensor([-0.0000, 0.6667, 4.0000])
    """
    _float_only(input, "hardswish_cpu")
    return _maybe_inplace(input, Hardswish.apply(input), inplace)


@tensor_input
def hardsigmoid(input, inplace=False):
    """``min(max(x + 3, 0), 6) / 6``, a piecewise linear sigmoid.

    Args:
        input: a floating point tensor.
        inplace: overwrite ``input`` with the result.

    Raises:
        NotImplementedError: integer input.

    Mirrors ``torch.nn.functional.hardsigmoid``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.hardsigmoid(torch.tensor([-4.0, 0.0, 1.5]))
        tensor([0.0000, 0.5000, 0.7500])
    """
    _float_only(input, "hardsigmoid_cpu")
    return _maybe_inplace(input, Hardsigmoid.apply(input), inplace)


@tensor_input(name="log_sigmoid")
def logsigmoid(input):
    """``log(sigmoid(x))``, computed without overflow.

    Args:
        input: a floating point tensor.

    Raises:
        NotImplementedError: integer input.

    Mirrors ``torch.nn.functional.logsigmoid``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.logsigmoid(torch.tensor([-100.0, 0.0, 2.0]))
        tensor([-100.0000,   -0.6931,   -0.1269])
    """
    _float_only(input, "log_sigmoid_cpu")
    return LogSigmoid.apply(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input, dim)``: larger inputs get smaller weights (``SoftmaxBackward0``).

    Args:
        input: a tensor.
        dim: the dimension whose entries sum to 1 (``None``: PyTorch's implicit choice,
            with its deprecation warning).
        dtype: cast the input to this dtype first.

    Mirrors ``torch.nn.functional.softmin``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.softmin(torch.tensor([1.0, 2.0, 3.0]), dim=0)
        tensor([0.6652, 0.2447, 0.0900])
    """
    if dim is None:
        dim = _implicit_dim("softmin", input.dim(), _stacklevel + 1)
    return softmax_impl(-input, dim, dtype, "softmax")


def softsign(input):
    """``x / (1 + |x|)`` (recorded op by op: ``DivBackward0``).

    Mirrors ``torch.nn.functional.softsign``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.softsign(torch.tensor([-3.0, 1.0]))
        tensor([-0.7500,  0.5000])
    """
    return input / (input.abs() + 1)


def threshold(input, threshold, value, inplace=False):
    """``input`` where it is greater than ``threshold``, ``value`` elsewhere.

    Args:
        input: a floating point tensor.
        threshold: the value to compare with.
        value: the replacement.
        inplace: overwrite ``input`` with the result.

    Mirrors ``torch.nn.functional.threshold``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.threshold(torch.tensor([0.5, 1.0, 2.0]), 1.0, -1.0)
        tensor([-1., -1.,  2.])
    """
    out = Threshold.apply(input, threshold=threshold, value=value,
                          _name="ThresholdBackward1" if inplace else "ThresholdBackward0")
    return _maybe_inplace(input, out, inplace)


def threshold_(input, threshold, value):
    """In-place :func:`threshold` (``ThresholdBackward1``). Mirrors
    ``torch.nn.functional.threshold_``."""
    return _commit(input, Threshold.apply(input, threshold=threshold, value=value, _name="ThresholdBackward1"))


@tensor_input
def celu_(input, alpha=1.0):
    """In-place :func:`celu` (``CeluBackward1``). Mirrors ``torch.nn.functional.celu_``."""
    return celu(input, alpha, inplace=True)


@tensor_input
def selu_(input):
    """In-place :func:`selu` (``EluBackward1``). Mirrors ``torch.nn.functional.selu_``."""
    return selu(input, inplace=True)


def glu(input, dim=-1):
    """Gated linear unit: ``a * sigmoid(b)`` where ``a`` and ``b`` are the two halves of
    ``input`` along ``dim``.

    Args:
        input: a floating point tensor whose size along ``dim`` is even.
        dim: the dimension to halve (default -1).

    Raises:
        RuntimeError: a 0-dim input, or an odd size along ``dim``.

    Mirrors ``torch.nn.functional.glu``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.glu(torch.tensor([[1.0, 2.0, 0.0, 100.0]]))
        tensor([[0.5000, 2.0000]])
    """
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    _float_only(input, "glu_cpu")
    return Glu.apply(input, dim=d)


def prelu(input, weight):
    """``x`` where positive, ``weight * x`` elsewhere; ``weight`` has one element, or one
    per channel (dim 1 of ``input``).

    Args:
        input: a floating point tensor.
        weight: a 1-element or ``(C,)`` tensor.

    Raises:
        RuntimeError: a 0-dim ``input``, or a ``weight`` with neither 1 nor ``input.size(1)``
            elements.

    Mirrors ``torch.nn.functional.prelu``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.prelu(torch.tensor([-2.0, 3.0]), torch.tensor([0.25]))
        tensor([-0.5000,  3.0000])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("prelu", prelu, locals())
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if input.dim() == 0:
        raise RuntimeError("Not allow zero-dim input tensor.")
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.dim() >= 2 else 1
        if n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{n} and channel size = {channels}.")
    return Prelu.apply(input, weight)



# --------------------------------------------------------------- hardshrink, softshrink
class _ShrinkBackward(_F._InputGrad):
    """``g`` where ``|x| > lambd``, 0 elsewhere: the gradient of both shrinks."""

    @staticmethod
    def formula(xp, g, x, lambd):
        return xp.where((x >= -lambd) & (x <= lambd), xp.zeros_like(g), g)

    @staticmethod
    def grad_x(xp, gg, g, x, lambd):
        return xp.zeros_like(x)


class HardshrinkBackward(_ShrinkBackward):
    name = "HardshrinkBackwardBackward0"


class SoftshrinkBackward(_ShrinkBackward):
    name = "SoftshrinkBackwardBackward0"


class Hardshrink(_Pointwise):
    """``x`` where ``|x| > lambd``, 0 elsewhere (``+0``; nan stays nan)."""

    name = "HardshrinkBackward0"
    grad_op = HardshrinkBackward

    @staticmethod
    def kernel(xp, a, lambd):
        return xp.where((a >= -lambd) & (a <= lambd), xp.zeros_like(a), a)


class Softshrink(_Pointwise):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, ``x * 0`` between (a
    negative input gives -0, as in PyTorch's kernel)."""

    name = "SoftshrinkBackward0"
    grad_op = SoftshrinkBackward

    @staticmethod
    def kernel(xp, a, lambd):
        return xp.where(a > lambd, a - lambd, xp.where(a < -lambd, a + lambd, a * 0))


def _shrink_input(input, kernel_name):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel_name}" not implemented for \'{_D.scalar_name(input.dtype)}\'')


@tensor_input
def hardshrink(input, lambd=0.5):
    """``input`` where ``|input| > lambd``, 0 elsewhere.

    Mirrors ``torch.nn.functional.hardshrink`` (``grad_fn=<HardshrinkBackward0>``; a negative
    ``lambd`` keeps everything).

    Raises:
        NotImplementedError: for an integer or bool input.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.hardshrink(torch.tensor([-1.0, -0.2, 0.3, 0.7]))
        tensor([-1.0000,  0.0000,  0.0000,  0.7000])
    """
    _shrink_input(input, "hardshrink_cpu")
    return Hardshrink.apply(input, lambd=lambd)


@tensor_input
def softshrink(input, lambd=0.5):
    """Shrink towards 0 by ``lambd``: ``input - lambd`` above ``lambd``, ``input + lambd``
    below ``-lambd``, 0 between.

    Mirrors ``torch.nn.functional.softshrink`` (``grad_fn=<SoftshrinkBackward0>``).

    Raises:
        RuntimeError: for a negative ``lambd``.
        NotImplementedError: for an integer or bool input.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.softshrink(torch.tensor([-1.0, 0.3, 0.7]))
        tensor([-0.5000,  0.0000,  0.2000])
    """
    _shrink_input(input, "softshrink_check")
    if not lambd >= 0:
        import numpy as np
        top = np.finfo(input.dtype.name).max
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype {_D.scalar_name(input.dtype)}, "
                           f"but found {lambd:g}")
    return Softshrink.apply(input, lambd=lambd)


def tanhshrink(input):
    """``input - tanh(input)`` (recorded op by op: ``SubBackward0``).

    Mirrors ``torch.nn.functional.tanhshrink``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.tanhshrink(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.2384])
    """
    return input - input.tanh()
