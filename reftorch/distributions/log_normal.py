"""The log-normal distribution. Mirrors ``torch.distributions.LogNormal``."""
from __future__ import annotations

from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    """The distribution of ``exp(X)`` for ``X ~ Normal(loc, scale)`` (a
    ``TransformedDistribution`` of ``Normal`` through ``ExpTransform``).

    Args:
        loc (float or Tensor): the mean of ``log(Y)``.
        scale (float or Tensor): the standard deviation of ``log(Y)`` (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.LogNormal``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import LogNormal
        >>> m = LogNormal(0.0, torch.tensor([0.5, 1.0]))
        >>> m.mean, m.log_prob(torch.tensor([1.0, 2.0]))
        (tensor([1.1331, 1.6487]), tensor([-0.2258, -1.8523]))
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([2.1608, 0.7457])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(LogNormal, _instance))

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self):
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc
