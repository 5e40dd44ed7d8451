"""The inverse gamma distribution. Mirrors ``torch.distributions.InverseGamma``."""
from __future__ import annotations

import math

from .._ops.pointwise import where
from . import constraints
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """The distribution of ``1 / X`` for ``X ~ Gamma(concentration, rate)`` (a
    ``TransformedDistribution`` through ``PowerTransform(-1)``, sampling through PyTorch's
    gamma sampler). ``mean`` is ``inf`` for ``concentration <= 1``, ``variance`` for
    ``concentration <= 2``. ``cdf(y)`` is ``1 - Gamma.cdf(1 / y)`` (differentiable in
    ``value`` and ``rate``, not in ``concentration``); ``icdf`` raises NotImplementedError, as
    in PyTorch (Gamma has no ``icdf``).

    Args:
        concentration (float or Tensor): the shape ``alpha`` (> 0).
        rate (float or Tensor): the rate ``beta`` of the gamma (the scale of this one, > 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if a parameter is not positive (when validating), or a ``cdf`` value is
            negative.

    Mirrors ``torch.distributions.InverseGamma``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import InverseGamma
        >>> m = InverseGamma(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 1.0]))
        >>> m.log_prob(torch.tensor([1.0, 1.0])), m.mean
        (tensor([-1.3069, -1.6931]), tensor([   inf, 0.5000]))
        >>> m.cdf(torch.tensor([0.5, 1.0]))
        tensor([0.0183, 0.9197])
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        neg_one = -base_dist.rate.new_ones(())
        super().__init__(base_dist, PowerTransform(neg_one), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(InverseGamma, _instance))

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        return where(self.concentration > 1, self.rate / (self.concentration - 1), math.inf)

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        result = self.rate.square() / ((self.concentration - 1).square() * (self.concentration - 2))
        return where(self.concentration > 2, result, math.inf)

    def entropy(self):
        return (self.concentration + self.rate.log() + self.concentration.lgamma()
                - (1 + self.concentration) * self.concentration.digamma())
