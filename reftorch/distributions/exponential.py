"""The exponential distribution. Mirrors ``torch.distributions.Exponential``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._ops.creation import empty, zeros_like
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    """The exponential distribution with rate ``rate`` (mean ``1 / rate``).

    ``rsample`` fills a tensor with ``exponential_()`` and divides by ``rate``, drawing
    the stream as PyTorch does.

    Args:
        rate (float or Tensor): the rate (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``rate`` is not positive (when validating).

    Mirrors ``torch.distributions.Exponential``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Exponential
        >>> m = Exponential(torch.tensor([0.5, 2.0]))
        >>> m.mean, m.log_prob(torch.tensor([1.0, 1.0]))
        (tensor([2.0000, 0.5000]), tensor([-1.1931, -1.3069]))
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Exponential, batch_shape, ("rate",), _instance)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        return empty(shape, dtype=self.rate.dtype, device=self.rate.device).exponential_() / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, x):
        return -(-x).log()
