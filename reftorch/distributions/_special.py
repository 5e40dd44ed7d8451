"""Special functions that reftorch has no op for yet (``torch.lgamma``, ``torch.erfinv``,
``torch.xlogy``), built from differentiable tensor ops for the distributions: the same
values as PyTorch's to float precision, with gradients (but other ``grad_fn`` names)."""
from __future__ import annotations

import math

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


def _xlogy(x, y):
    """``x * log(y)``, 0 where ``x == y == 0`` (PyTorch's ``xlogy``, gradient ``log(y)`` for
    ``x`` and ``x / y`` for ``y``)."""
    return x * y.masked_fill((x == 0) & (y == 0), 1.0).log()
