"""The von Mises distribution. Mirrors ``torch.distributions.VonMises``."""
from __future__ import annotations

import math

from .. import _dtype as D
from .._size import Size
from .._ops.creation import empty, zeros
from .._ops.pointwise import where
from .._ops.sampling import rand
from ..autograd.grad_mode import no_grad
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property

__all__ = ["VonMises"]


def _eval_poly(y, coef):
    """``coef[0] + y * (coef[1] + y * (...))`` (Horner)."""
    coef = list(coef)
    result = coef.pop()
    while coef:
        result = coef.pop() + y * result
    return result


# Abramowitz and Stegun 9.8.1-9.8.4: polynomial approximations of I0 and I1 below 3.75
# (in (x / 3.75)^2) and of exp(-x) sqrt(x) I0/I1 above (in 3.75 / x), as PyTorch uses them
_I0_COEF_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2]
_I0_COEF_LARGE = [0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2, -0.2057706e-1, 0.2635537e-1,
                  -0.1647633e-1, 0.392377e-2]
_I1_COEF_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3]
_I1_COEF_LARGE = [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1, 0.2282967e-1, -0.2895312e-1,
                  0.1787654e-1, -0.420059e-2]
_COEF_SMALL = [_I0_COEF_SMALL, _I1_COEF_SMALL]
_COEF_LARGE = [_I0_COEF_LARGE, _I1_COEF_LARGE]


def _log_modified_bessel_fn(x, order=0):
    """``log(I_order(x))`` for ``x > 0`` and order 0 or 1, from the polynomial
    approximations above (both evaluated, one picked per element)."""
    if order != 0 and order != 1:
        raise AssertionError(f"order must be 0 or 1, got {order}")
    y = (x / 3.75) * (x / 3.75)
    small = _eval_poly(y, _COEF_SMALL[order])
    if order == 1:
        small = x.abs() * small
    small = small.log()
    large = x - 0.5 * x.log() + _eval_poly(3.75 / x, _COEF_LARGE[order]).log()
    return where(x < 3.75, small, large)


def _rejection_sample(loc, concentration, proposal_r, x):
    """Best and Fisher's (1979) rejection sampler, as PyTorch runs it: rounds of three
    uniforms per element (one ``torch.rand((3,) + shape)`` each round, in ``loc``'s dtype)
    until every element has accepted once; the angle is then wrapped into ``[-pi, pi)``."""
    done = zeros(x.shape, dtype=D.bool, device=loc.device)
    while not done.all():
        u1, u2, u3 = rand((3,) + tuple(x.shape), dtype=loc.dtype, device=loc.device).unbind()
        z = (math.pi * u1).cos()
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
        if accept.any():
            x = where(accept, (u3 - 0.5).sign() * f.acos(), x)
            done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises distribution on the circle (angles in radians), with mean direction
    ``loc`` and concentration ``concentration``: density
    ``exp(kappa cos(x - loc)) / (2 pi I0(kappa))``.

    ``log_prob`` and ``variance`` (``1 - I1(kappa) / I0(kappa)``) use PyTorch's polynomial
    approximations of ``log I0`` and ``log I1``. ``sample`` is PyTorch's rejection
    sampler, run in float64 (the parameters converted) and rounded to ``loc``'s dtype at
    the end: the same numbers after ``manual_seed``, in ``[-pi, pi)`` (float64 samples can
    differ from PyTorch's in the last bits, where NumPy's float64 ``cos`` does). There is
    no ``rsample``.

    Args:
        loc (float or Tensor): the mean direction, in radians.
        concentration (float or Tensor): the concentration (> 0), broadcast with ``loc``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``concentration`` is not positive (when validating).

    Mirrors ``torch.distributions.VonMises`` (whose ``batch_shape`` is always the
    broadcast tensors' shape).

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import VonMises
        >>> m = VonMises(torch.tensor([0.0, 1.0]), torch.tensor([0.5, 4.0]))
        >>> m.log_prob(torch.tensor([0.5, 0.5])), m.variance
        (tensor([-1.4606, -0.7525]), tensor([0.7575, 0.1365]))
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([-0.3667,  0.6954])
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, Size(), validate_args)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * (value - self.loc).cos()
        return log_prob - math.log(2 * math.pi) - _log_modified_bessel_fn(self.concentration, order=0)

    @lazy_property
    def _loc(self):
        return self.loc.to(D.double)

    @lazy_property
    def _concentration(self):
        return self.concentration.to(D.double)

    @lazy_property
    def _proposal_r(self):
        kappa = self._concentration
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        proposal_r = (1 + rho ** 2) / (2 * rho)
        proposal_r_taylor = 1 / kappa + kappa  # second order around 0, for small kappa
        return where(kappa < 1e-5, proposal_r_taylor, proposal_r)

    def sample(self, sample_shape=Size()):
        """Draw ``sample_shape + batch_shape`` angles with the rejection sampler (float64
        inside), outside the autograd graph."""
        with no_grad():
            x = empty(self._extended_shape(sample_shape), dtype=self._loc.dtype, device=self.loc.device)
            return _rejection_sample(self._loc, self._concentration, self._proposal_r, x).to(self.loc.dtype)

    def expand(self, batch_shape, _instance=None):
        # PyTorch builds a new instance (the base class's expand raises NotImplementedError)
        validate_args = self.__dict__.get("_validate_args")
        return type(self)(self.loc.expand(batch_shape), self.concentration.expand(batch_shape),
                          validate_args=validate_args)

    @property
    def mean(self):
        """The circular mean, ``loc``."""
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        """The circular variance, ``1 - I1(kappa) / I0(kappa)``."""
        return 1 - (_log_modified_bessel_fn(self.concentration, order=1)
                    - _log_modified_bessel_fn(self.concentration, order=0)).exp()
