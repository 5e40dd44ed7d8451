"""The Kumaraswamy distribution. Mirrors ``torch.distributions.Kumaraswamy``."""
from __future__ import annotations

import math

from .._ops.creation import full_like
from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .uniform import Uniform
from .utils import broadcast_all, euler_constant

__all__ = ["Kumaraswamy"]


def _moments(a, b, n):
    """The ``n``-th raw moment ``b B(1 + n / a, b)`` of a Kumaraswamy(a, b) variable."""
    arg1 = 1 + n / a
    return b * (arg1.lgamma() + b.lgamma() - (arg1 + b).lgamma()).exp()


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution on ``[0, 1]``, a Beta-like law with a closed-form
    CDF: ``(1 - (1 - U) ** (1 / concentration0)) ** (1 / concentration1)`` for ``U``
    uniform (a ``TransformedDistribution`` of ``Uniform``). ``mode`` copies PyTorch 2.13's
    formula, which takes ``log1p(-concentration0)`` and so is NaN for every valid parameter.

    Args:
        concentration1 (float or Tensor): the first shape ``a`` (> 0).
        concentration0 (float or Tensor): the second shape ``b`` (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if a concentration is not positive (when validating).

    Mirrors ``torch.distributions.Kumaraswamy``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Kumaraswamy
        >>> m = Kumaraswamy(torch.tensor([2.0, 0.5]), torch.tensor([3.0, 2.0]))
        >>> m.log_prob(torch.tensor([0.5, 0.5])), m.mean
        (tensor([ 0.5232, -0.8814]), tensor([0.4571, 0.1667]))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base_dist = Uniform(full_like(self.concentration0, 0), full_like(self.concentration0, 1),
                            validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration0.reciprocal()), AffineTransform(loc=1.0, scale=-1.0),
                      PowerTransform(exponent=self.concentration1.reciprocal())]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Kumaraswamy, _instance)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        return _moments(self.concentration1, self.concentration0, 1)

    @property
    def mode(self):
        # in log space for stability
        log_mode = (self.concentration0.reciprocal() * (-self.concentration0).log1p()
                    - (-self.concentration0 * self.concentration1).log1p())
        log_mode[(self.concentration0 < 1) | (self.concentration1 < 1)] = math.nan
        return log_mode.exp()

    @property
    def variance(self):
        return _moments(self.concentration1, self.concentration0, 2) - self.mean.pow(2)

    def entropy(self):
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        h0 = (self.concentration0 + 1).digamma() + euler_constant
        return t0 + t1 * h0 - self.concentration1.log() - self.concentration0.log()
