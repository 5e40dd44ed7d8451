"""Student's t-distribution. Mirrors ``torch.distributions.StudentT``."""
from __future__ import annotations

import math

from .._size import Size
from .._ops.special_math import digamma, lgamma
from . import constraints
from .chi2 import Chi2
from .distribution import Distribution
from .utils import _standard_normal, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Student's t-distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``.

    ``rsample`` draws standard normals ``X`` and then ``Z`` from ``Chi2(df)``, in PyTorch's
    order, and returns ``loc + scale * X / sqrt(Z / df)`` (the same numbers after
    ``manual_seed``). ``mean`` is NaN where ``df <= 1``; ``variance`` is infinite where
    ``1 < df <= 2`` and NaN where ``df <= 1``.

    Args:
        df (float or Tensor): the degrees of freedom (> 0).
        loc (float or Tensor): the location (default 0).
        scale (float or Tensor): the scale (> 0, default 1).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``df`` or ``scale`` is not positive (when validating).

    Mirrors ``torch.distributions.StudentT``. ``batch_shape`` is always the broadcast
    tensors' shape (``torch.Size([])`` for three numbers), as in PyTorch.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import StudentT
        >>> m = StudentT(torch.tensor([1.0, 5.0]))
        >>> m.log_prob(torch.tensor([0.0, 2.0])), m.variance
        (tensor([-1.1447, -2.7320]), tensor([   nan, 1.6667]))
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(StudentT, batch_shape, ("df", "loc", "scale"), _instance)
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        m = self.loc.clone()
        m[self.df <= 1] = math.nan
        return m

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        m = self.df.clone()
        big = self.df > 2
        m[big] = self.scale[big].pow(2) * self.df[big] / (self.df[big] - 2)
        m[(self.df <= 2) & (self.df > 1)] = math.inf
        m[self.df <= 1] = math.nan
        return m

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        X = _standard_normal(shape, dtype=self.df.dtype, device=self.df.device)
        Z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (X * (Z / self.df).rsqrt())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        Z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi) + lgamma(0.5 * self.df)
             - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * (y ** 2.0 / self.df).log1p() - Z

    def entropy(self):
        lbeta = lgamma(0.5 * self.df) + math.lgamma(0.5) - lgamma(0.5 * (self.df + 1))
        return (self.scale.log() + 0.5 * (self.df + 1) * (digamma(0.5 * (self.df + 1)) - digamma(0.5 * self.df))
                + 0.5 * self.df.log() + lbeta)
