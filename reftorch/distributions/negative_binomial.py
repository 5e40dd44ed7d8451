"""The negative binomial distribution. Mirrors ``torch.distributions.NegativeBinomial``."""
from __future__ import annotations

from .._size import Size
from .._ops.sampling import poisson
from .._ops.special_math import lgamma
from ..autograd.grad_mode import no_grad
from ..nn.functional import logsigmoid
from . import constraints
from .bernoulli import _one_of
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Distribution):
    """The number of successes of independent trials, each succeeding with probability
    ``probs``, before ``total_count`` failures (``total_count`` may be any non-negative
    real number).

    ``sample`` draws, as PyTorch, a rate from ``Gamma(total_count, exp(-logits))`` and then
    ``torch.poisson(rate)`` (the gamma-Poisson mixture): the same numbers after
    ``manual_seed``.

    Args:
        total_count (float or Tensor): the number of failures (>= 0), broadcast with the
            probabilities and converted to their dtype.
        probs (Tensor): the success probability of a trial, in ``[0, 1)``.
        logits (Tensor): its log-odds (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) an argument or value is out of range.

    Mirrors ``torch.distributions.NegativeBinomial``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import NegativeBinomial
        >>> m = NegativeBinomial(3.0, torch.tensor([0.2, 0.7]))
        >>> m.mean, m.log_prob(torch.tensor([1.0, 4.0]))
        (tensor([0.7500, 7.0000]), tensor([-1.1803, -2.3306]))
        >>> _ = torch.manual_seed(0)
        >>> m.sample((2,))
        tensor([[1., 5.],
                [0., 3.]])
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        total_count, param = broadcast_all(total_count, given)
        self.total_count = total_count.type_as(param)
        setattr(self, name, param)
        self._param = param
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(NegativeBinomial, batch_shape, ("total_count", "probs", "logits"), _instance)

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / (-self.logits).sigmoid()

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=(-self.logits).exp(), validate_args=False)

    def sample(self, sample_shape=Size()):
        with no_grad():
            return poisson(self._gamma.sample(sample_shape=sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_unnormalized_prob = self.total_count * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        log_normalization = -lgamma(self.total_count + value) + lgamma(1.0 + value) + lgamma(self.total_count)
        # the mass at 0 of a zero-failure distribution is 1
        log_normalization = log_normalization.masked_fill(self.total_count + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization
