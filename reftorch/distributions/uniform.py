"""The continuous uniform distribution. Mirrors ``torch.distributions.Uniform``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._ops.sampling import rand
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """The uniform distribution on the half-open interval ``[low, high)``.

    ``rsample`` draws ``torch.rand`` and computes ``low + u * (high - low)``. ``mode`` is
    NaN (every point of the interval is a mode).

    Args:
        low (float or Tensor): the lower bound (inclusive).
        high (float or Tensor): the upper bound (exclusive); broadcast with ``low``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``low >= high`` somewhere (when validating).

    Mirrors ``torch.distributions.Uniform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Uniform
        >>> m = Uniform(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 5.0]))
        >>> m.mean, m.entropy()
        (tensor([1., 3.]), tensor([0.6931, 1.3863]))
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([0.9925, 4.0729])
    """

    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        scalars = isinstance(low, numbers.Number) and isinstance(high, numbers.Number)
        super().__init__(Size() if scalars else self.low.size(), validate_args=validate_args)

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Uniform, batch_shape, ("low", "high"), _instance)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return float("nan") * self.high

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.interval(self.low, self.high)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        u = rand(shape, dtype=self.low.dtype, device=self.low.device)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        lb = self.low.le(value).type_as(self.low)
        ub = self.high.gt(value).type_as(self.low)
        return lb.mul(ub).log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()
