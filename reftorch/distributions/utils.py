"""Helpers shared by the distributions. Mirrors ``torch.distributions.utils``."""
from __future__ import annotations

import functools
import math
import numbers

from .. import _dtype as D
from .._size import Size
from .._tensor import Tensor
from .._type_info import finfo
from .._ops.creation import empty, tensor
from .._ops.shape import broadcast_tensors
from ..autograd.grad_mode import enable_grad

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]

euler_constant = 0.57721566490153286060  # Euler–Mascheroni constant


def broadcast_all(*values):
    """Broadcast tensors and numbers together. Numbers become tensors of the first tensor's
    dtype and device (the default dtype if there is none). Mirrors
    ``torch.distributions.utils.broadcast_all``.

    Raises:
        ValueError: if a value is neither a number nor a tensor.
    """
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    first = next((v for v in values if isinstance(v, Tensor)), None)
    options = (dict(dtype=D.get_default_dtype()) if first is None
               else dict(dtype=first.dtype, device=first.device))
    return broadcast_tensors(*(v if isinstance(v, Tensor) else tensor(v, **options) for v in values))


def _standard_normal(shape, dtype, device):
    """Standard normal draws of ``shape``, filled in place as PyTorch does
    (``empty(shape).normal_()``), so the random stream matches."""
    return empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: ``sigmoid`` for binary log-odds, else ``softmax`` over the
    last dimension. Mirrors ``torch.distributions.utils.logits_to_probs``."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def clamp_probs(probs):
    """Clamp probabilities into ``[eps, 1 - eps]`` (``eps`` of their dtype). Mirrors
    ``torch.distributions.utils.clamp_probs``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.utils import clamp_probs
        >>> clamp_probs(torch.tensor([0.0, 0.5, 1.0]))
        tensor([1.1921e-07, 5.0000e-01, 1.0000e+00])
    """
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (clamped first): log-odds ``log(p) - log1p(-p)`` for the
    binary case, else ``log(p)``. Mirrors ``torch.distributions.utils.probs_to_logits``."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


class lazy_property:
    """A property computed (with grad enabled) on first access and then stored on the
    instance, so ``probs`` of a distribution given by ``logits`` is computed once.
    Mirrors ``torch.distributions.utils.lazy_property``."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _as_size(shape):
    return shape if isinstance(shape, Size) else Size(shape)


_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680)  # 1/z, 1/z^3, 1/z^5, 1/z^7 terms


def _lgamma(x):
    """``log(Gamma(x))`` for ``x > 0`` from differentiable tensor ops (reftorch has no
    ``torch.lgamma`` yet): ``lgamma(x) = lgamma(x + 8) - sum(log(x + k), k < 8)`` and
    Stirling's series at ``x + 8``, in float64 (error below 1e-11), cast back to ``x``'s
    dtype. Gradients flow through it (PyTorch's node would be ``LgammaBackward0``)."""
    z = x.double()
    shifted = z + 8
    inv = shifted.reciprocal()
    inv2 = inv * inv
    series = inv * (_STIRLING[0] + inv2 * (_STIRLING[1] + inv2 * (_STIRLING[2] + inv2 * _STIRLING[3])))
    result = (shifted - 0.5) * shifted.log() - shifted + 0.5 * math.log(2 * math.pi) + series
    for k in range(8):
        result = result - (z + k).log()
    # lgamma(1) = lgamma(2) = 0 exactly (log 0! = log 1! = 0), keeping the gradient
    exact = (z == 1) | (z == 2)
    result = result.where(~exact, result - result.detach())
    return result.to(x.dtype)


# Giles' single-precision erfinv ("Approximating the erfinv function", 2010): polynomials in
# w - 2.5 (central region, w < 5) and sqrt(w) - 3 (tails), w = -log(1 - y**2)
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                   -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _horner(coefficients, w):
    p = w * 0 + coefficients[0]
    for c in coefficients[1:]:
        p = c + p * w
    return p


_NEWTON_STEPS = 3


def _erfinv(y):
    """The inverse error function from differentiable tensor ops (reftorch has no
    ``torch.erfinv`` yet): Giles' approximation refined by two Newton steps on ``erf``, in
    float64, cast back to ``y``'s dtype; ``±inf`` at ``±1`` and NaN outside ``[-1, 1]``.
    Gradients flow through it (PyTorch's node would be ``ErfinvBackward0``)."""
    z = y.double()
    inside = z.abs() < 1
    zs = z.where(inside, 0.0)  # (no inf/nan in the branch that is computed for the gradient)
    w = -((1 - zs) * (1 + zs)).log()
    central = w < 5
    p = _horner(_ERFINV_CENTRAL, w - 2.5).where(central, _horner(_ERFINV_TAIL, w.where(~central, 9.0).sqrt() - 3))
    x = p * zs
    # Newton steps: on erf(x) = zs in the middle; on log(erfc(|x|)) = log(1 - |zs|) for
    # |zs| > 0.5, which has no cancellation and converges fast from a start far off in the
    # float64 tails (where erf is flat)
    far = zs.abs() > 0.5
    slope = 2 / math.sqrt(math.pi)
    for _ in range(_NEWTON_STEPS):
        u = x.abs()
        middle = (x.erf() - zs) / (slope * (-x * x).exp())
        tail = zs.sign() * (u.erfc().log() - (1 - zs.abs()).log()) * u.erfc() / (-slope * (-u * u).exp())
        x = x - middle.where(~far, tail)
    edge = z.detach() * float("inf")  # ±inf at ±1 (kept only where |z| == 1; NaN beyond)
    edge = edge.where(z.abs() == 1, float("nan"))
    return x.where(inside, edge).to(y.dtype)
