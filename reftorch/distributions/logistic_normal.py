"""The logistic-normal distribution. Mirrors ``torch.distributions.LogisticNormal``."""
from __future__ import annotations

from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    """A distribution on the simplex: ``StickBreakingTransform`` of a vector of
    independent normals ``Normal(loc, scale)``, so the events have one more entry than
    ``loc`` (a scalar ``loc`` and ``scale`` give events of size 2).

    Args:
        loc (float or Tensor): the means of the normals (the last dimension is the event).
        scale (float or Tensor): their standard deviations (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``scale`` is not positive (when validating), or a value given to
            ``log_prob`` is not on the simplex.

    Mirrors ``torch.distributions.LogisticNormal``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import LogisticNormal
        >>> m = LogisticNormal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.5]))
        >>> m.event_shape, m.log_prob(torch.tensor([0.2, 0.5, 0.3]))
        (torch.Size([3]), tensor(1.6430))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(LogisticNormal, _instance))

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale
