"""The normal (Gaussian) distribution. Mirrors ``torch.distributions.Normal``."""
from __future__ import annotations

import math
import numbers

from .._size import Size
from .._ops.sampling import normal
from ..autograd.grad_mode import no_grad
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _standard_normal, broadcast_all

__all__ = ["Normal"]


class Normal(ExponentialFamily):
    """The normal distribution with mean ``loc`` and standard deviation ``scale``.

    ``batch_shape`` is the broadcast shape of ``loc`` and ``scale`` (``()`` for two numbers,
    which become tensors of the default dtype). ``sample`` calls ``torch.normal`` and
    ``rsample`` computes ``loc + eps * scale`` from standard normal draws ``eps`` (so
    gradients reach ``loc`` and ``scale``); both consume the random stream as PyTorch does.
    ``icdf`` is ``loc + scale * erfinv(2 * value - 1) * sqrt(2)``, as PyTorch computes it.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the standard deviation (> 0); broadcast with ``loc``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.Normal``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Normal
        >>> m = Normal(0.0, 1.0)
        >>> m
        Normal(loc: 0.0, scale: 1.0)
        >>> m.log_prob(torch.tensor([0.0, 1.0]))
        tensor([-0.9189, -1.4189])
        >>> _ = torch.manual_seed(0)
        >>> m.sample((3,))
        tensor([ 1.5410, -0.2934, -2.1788])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        scalars = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        super().__init__(Size() if scalars else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Normal, batch_shape, ("loc", "scale"), _instance)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value):
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    @property
    def _natural_params(self):
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x, y):
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()
