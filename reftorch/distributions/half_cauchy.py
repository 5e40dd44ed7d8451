"""The half-Cauchy distribution. Mirrors ``torch.distributions.HalfCauchy``."""
from __future__ import annotations

import math

from .._ops.creation import as_tensor, full, zeros_like
from .._ops.pointwise import where
from . import constraints
from .cauchy import Cauchy
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ["HalfCauchy"]


class HalfCauchy(TransformedDistribution):
    """The distribution of ``|X|`` for ``X ~ Cauchy(0, scale)`` (a
    ``TransformedDistribution`` through ``AbsTransform``); ``log_prob`` is ``-inf`` below 0
    and ``mean`` is ``inf``.

    Args:
        scale (float or Tensor): the scale of the underlying Cauchy distribution (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.HalfCauchy``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import HalfCauchy
        >>> m = HalfCauchy(torch.tensor([1.0, 2.0]))
        >>> m.log_prob(torch.tensor([1.0, 1.0])), m.cdf(torch.tensor([1.0, 1.0]))
        (tensor([-1.1447, -1.3679]), tensor([0.5000, 0.2952]))
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfCauchy, _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return full(self._extended_shape(), math.inf, dtype=self.scale.dtype, device=self.scale.device)

    @property
    def mode(self):
        return zeros_like(self.scale)

    @property
    def variance(self):
        return self.base_dist.variance

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value, dtype=self.base_dist.scale.dtype, device=self.base_dist.scale.device)
        return where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
