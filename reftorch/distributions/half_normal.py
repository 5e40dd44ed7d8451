"""The half-normal distribution. Mirrors ``torch.distributions.HalfNormal``."""
from __future__ import annotations

import math

from .._ops.creation import zeros_like
from .._ops.pointwise import where
from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ["HalfNormal"]


class HalfNormal(TransformedDistribution):
    """The distribution of ``|X|`` for ``X ~ Normal(0, scale)`` (a
    ``TransformedDistribution`` through ``AbsTransform``); ``log_prob`` is ``-inf`` below 0.

    Args:
        scale (float or Tensor): the scale of the underlying normal (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.HalfNormal``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import HalfNormal
        >>> m = HalfNormal(torch.tensor([1.0, 2.0]))
        >>> m.log_prob(torch.tensor([1.0, 1.0])), m.mean
        (tensor([-0.7258, -1.0439]), tensor([0.7979, 1.5958]))
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfNormal, _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return zeros_like(self.scale)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
