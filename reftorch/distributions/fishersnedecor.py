"""The Fisher-Snedecor (F) distribution. Mirrors ``torch.distributions.FisherSnedecor``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._type_info import finfo
from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all

__all__ = ["FisherSnedecor"]

_NAN = float("nan")


class FisherSnedecor(Distribution):
    """The F distribution with ``df1`` and ``df2`` degrees of freedom: the ratio
    ``(X1 / df1) / (X2 / df2)`` of two independent chi-squared variables.

    ``rsample`` draws ``X1 ~ Gamma(df1 / 2, df1)`` and then ``X2 ~ Gamma(df2 / 2, df2)``
    (in that order, as PyTorch: the same numbers after ``manual_seed``) and returns
    ``X1 / X2``, both the denominator and the ratio clamped below at the dtype's
    ``tiny``. ``mean`` is NaN where ``df2 <= 2``, ``mode`` where ``df1 <= 2``,
    ``variance`` where ``df2 <= 4``.

    Args:
        df1 (float or Tensor): the numerator's degrees of freedom (> 0).
        df2 (float or Tensor): the denominator's degrees of freedom (> 0), broadcast with
            ``df1``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if a parameter is not positive (when validating).

    Mirrors ``torch.distributions.FisherSnedecor``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import FisherSnedecor
        >>> m = FisherSnedecor(torch.tensor([3.0, 6.0]), 8.0)
        >>> m.mean, m.log_prob(torch.tensor([0.5, 2.0]))
        (tensor([1.3333, 1.3333]), tensor([-0.4762, -1.7964]))
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([5.1064, 1.8607])
    """

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        scalars = isinstance(df1, numbers.Number) and isinstance(df2, numbers.Number)
        super().__init__(Size() if scalars else self.df1.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(FisherSnedecor, batch_shape, ("df1", "df2"), _instance)
        new._gamma1 = self._gamma1.expand(batch_shape)
        new._gamma2 = self._gamma2.expand(batch_shape)
        return new

    @property
    def mean(self):
        df2 = self.df2.clone()
        df2[df2 <= 2] = _NAN
        return df2 / (df2 - 2)

    @property
    def mode(self):
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        mode[self.df1 <= 2] = _NAN
        return mode

    @property
    def variance(self):
        df2 = self.df2.clone()
        df2[df2 <= 4] = _NAN
        return 2 * df2.pow(2) * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2).pow(2) * (df2 - 4))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        # X1 ~ Gamma(df1 / 2, df1) and X2 ~ Gamma(df2 / 2, df2) are chi2(df) / df: X1 / X2 ~ F(df1, df2)
        X1 = self._gamma1.rsample(sample_shape).view(shape)
        X2 = self._gamma2.rsample(sample_shape).view(shape)
        tiny = finfo(X2.dtype).tiny
        X2.clamp_(min=tiny)
        Y = X1 / X2
        Y.clamp_(min=tiny)
        return Y

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        ct1 = self.df1 * 0.5
        ct2 = self.df2 * 0.5
        ct3 = self.df1 / self.df2
        t1 = (ct1 + ct2).lgamma() - ct1.lgamma() - ct2.lgamma()
        t2 = ct1 * ct3.log() + (ct1 - 1) * value.log()
        t3 = (ct1 + ct2) * (ct3 * value).log1p()
        return t1 + t2 - t3
