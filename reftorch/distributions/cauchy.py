"""The Cauchy (Lorentz) distribution. Mirrors ``torch.distributions.Cauchy``."""
from __future__ import annotations

import math
import numbers

from .._size import Size
from .._ops.creation import empty, full
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Cauchy"]


class Cauchy(Distribution):
    """The Cauchy distribution with median ``loc`` and half width ``scale``: the ratio of
    two independent standard normals, shifted and scaled. Its ``mean`` is NaN and its
    ``variance`` infinite.

    ``rsample`` fills a tensor with ``cauchy_()`` (the same numbers as PyTorch after
    ``manual_seed``) and returns ``loc + eps * scale``. ``cdf`` is
    ``atan((x - loc) / scale) / pi + 0.5`` and ``icdf`` ``tan(pi * (q - 0.5)) * scale + loc``.

    Args:
        loc (float or Tensor): the median.
        scale (float or Tensor): the half width at half maximum (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.Cauchy``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Cauchy
        >>> m = Cauchy(0.0, torch.tensor([1.0, 2.0]))
        >>> m.cdf(torch.tensor([1.0, 1.0])), m.icdf(torch.tensor([0.75, 0.5]))
        (tensor([0.7500, 0.6476]), tensor([1., 0.]))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        scalars = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        super().__init__(Size() if scalars else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Cauchy, batch_shape, ("loc", "scale"), _instance)

    @property
    def mean(self):
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype, device=self.loc.device)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype, device=self.loc.device)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = empty(shape, dtype=self.loc.dtype, device=self.loc.device).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
