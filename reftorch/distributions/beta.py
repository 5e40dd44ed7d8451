"""The beta distribution. Mirrors ``torch.distributions.Beta``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._ops.creation import tensor
from .._ops.join import stack
from .._ops.special_math import lgamma
from . import constraints
from .dirichlet import Dirichlet
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Beta"]


class Beta(ExponentialFamily):
    """The beta distribution on ``[0, 1]`` with concentrations ``concentration1`` (alpha)
    and ``concentration0`` (beta): a two-category ``Dirichlet`` of
    ``[concentration1, concentration0]``, whose first coordinate it samples (so the draws
    are PyTorch's after ``manual_seed``, with the same reparameterised gradient).

    Args:
        concentration1 (float or Tensor): alpha (> 0).
        concentration0 (float or Tensor): beta (> 0); broadcast with ``concentration1``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if a concentration is not positive (when validating).

    Mirrors ``torch.distributions.Beta``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Beta
        >>> m = Beta(torch.tensor([0.5, 2.0]), torch.tensor([0.5, 3.0]))
        >>> m.mean, m.log_prob(torch.tensor([0.1, 0.5]))
        (tensor([0.5000, 0.4000]), tensor([0.0592, 0.4055]))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0, numbers.Number):
            both = tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        ExponentialFamily.__init__(new, Size(batch_shape), validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def _natural_params(self):
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x, y):
        return lgamma(x) + lgamma(y) - lgamma(x + y)
