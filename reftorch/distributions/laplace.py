"""The Laplace distribution. Mirrors ``torch.distributions.Laplace``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._type_info import finfo
from .._ops.creation import empty
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Laplace"]


class Laplace(Distribution):
    """The Laplace (double exponential) distribution with location ``loc`` and scale
    ``scale``: density ``exp(-|x - loc| / scale) / (2 * scale)``.

    ``rsample`` draws ``u`` uniform in ``[eps - 1, 1)`` (``uniform_``) and returns
    ``loc - scale * sign(u) * log1p(-|u|)``, as PyTorch does.

    Args:
        loc (float or Tensor): the location (mean, median and mode).
        scale (float or Tensor): the scale (> 0); broadcast with ``loc``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.Laplace``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Laplace
        >>> m = Laplace(0.0, 2.0)
        >>> m.log_prob(torch.tensor([0.0, 2.0])), m.variance
        (tensor([-1.3863, -2.3863]), tensor(8.))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        scalars = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        super().__init__(Size() if scalars else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Laplace, batch_shape, ("loc", "scale"), _instance)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2 ** 0.5) * self.scale

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = finfo(self.loc.dtype).eps
        u = empty(shape, dtype=self.loc.dtype, device=self.loc.device).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * (-(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
