"""The Poisson distribution. Mirrors ``torch.distributions.Poisson``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._ops.sampling import poisson
from ..autograd.grad_mode import no_grad
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """The Poisson distribution with rate ``rate``: ``P(k) = rate**k * exp(-rate) / k!``.

    ``sample`` draws with ``torch.poisson`` (floats of the rate's dtype); ``log_prob`` is
    ``value.xlogy(rate) - rate - lgamma(value + 1)``, as PyTorch computes it.

    Args:
        rate (Number or Tensor): the rate (>= 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``rate`` is negative (when validating), or a value is not a
            non-negative integer.

    Mirrors ``torch.distributions.Poisson``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Poisson
        >>> m = Poisson(torch.tensor([2.0]))
        >>> m.log_prob(torch.tensor([0.0, 3.0]))
        tensor([-2.0000, -1.7123])
        >>> _ = torch.manual_seed(0)
        >>> m.sample((4,))
        tensor([[6.],
                [2.],
                [1.],
                [2.]])
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Poisson, batch_shape, ("rate",), _instance)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return poisson(self.rate.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return x.exp()
