"""The chi-squared distribution. Mirrors ``torch.distributions.Chi2``."""
from __future__ import annotations

from . import constraints
from .gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: exactly
    ``Gamma(0.5 * df, 0.5)`` (so its samples are that gamma's).

    Args:
        df (float or Tensor): the degrees of freedom (> 0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``df`` is not positive (when validating).

    Mirrors ``torch.distributions.Chi2``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Chi2
        >>> m = Chi2(torch.tensor([1.0, 4.0]))
        >>> m.mean, m.variance, m.log_prob(torch.tensor([2.0, 2.0]))
        (tensor([1., 4.]), tensor([2., 8.]), tensor([-2.2655, -1.6931]))
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, self._get_checked_instance(Chi2, _instance))

    @property
    def df(self):
        return self.concentration * 2
