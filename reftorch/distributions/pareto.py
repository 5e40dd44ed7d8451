"""The Pareto distribution. Mirrors ``torch.distributions.Pareto``."""
from __future__ import annotations

from . import constraints
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .utils import broadcast_all

__all__ = ["Pareto"]


class Pareto(TransformedDistribution):
    """The Pareto type-I distribution: ``scale * exp(E)`` for ``E ~ Exponential(alpha)``;
    its support ``[scale, inf)`` depends on the parameter. ``mean`` is ``inf`` for
    ``alpha <= 1`` and ``variance`` for ``alpha <= 2`` (through clamping, as in PyTorch).

    Args:
        scale (float or Tensor): the minimum value (> 0).
        alpha (float or Tensor): the tail index (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if a parameter is not positive (when validating).

    Mirrors ``torch.distributions.Pareto``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Pareto
        >>> m = Pareto(torch.tensor([1.0, 2.0]), torch.tensor([0.5, 3.0]))
        >>> m.log_prob(torch.tensor([2.0, 3.0])), m.mean
        (tensor([-1.7329, -1.2164]), tensor([inf, 3.]))
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base_dist = Exponential(self.alpha, validate_args=validate_args)
        transforms = [ExpTransform(), AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Pareto, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.alpha = self.alpha.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())
