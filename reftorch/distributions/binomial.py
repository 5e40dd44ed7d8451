"""The binomial distribution. Mirrors ``torch.distributions.Binomial``."""
from __future__ import annotations

from .._size import Size
from .._ops.creation import arange
from .._ops.sampling import binomial
from ..autograd.grad_mode import no_grad
from . import constraints
from .bernoulli import _one_of
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Binomial"]


def _clamp_by_zero(x):
    """``clamp(x, min=0)`` whose gradient at 0 is 0.5 (as PyTorch's)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(Distribution):
    """The number of successes in ``total_count`` independent trials that each succeed
    with probability ``probs`` (or log-odds ``logits``).

    ``sample`` draws with ``torch.binomial``; ``log_prob`` takes its ``log(n!)`` terms from
    ``torch.lgamma``, as PyTorch does.

    Args:
        total_count (int or Tensor): the number of trials (>= 0), broadcast with the
            probabilities and converted to their dtype.
        probs (Tensor): the success probability of a trial.
        logits (Tensor): its log-odds (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) an argument or value is out of range.

    Mirrors ``torch.distributions.Binomial``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Binomial
        >>> m = Binomial(4, torch.tensor([0.5]))
        >>> m.log_prob(torch.tensor([0.0, 2.0])), m.mean, m.variance
        (tensor([-2.7726, -0.9808]), tensor([2.]), tensor([1.]))
        >>> _ = torch.manual_seed(0)
        >>> m.sample((3,))
        tensor([[3.],
                [2.],
                [2.]])
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        total_count, param = broadcast_all(total_count, given)
        self.total_count = total_count.type_as(param)
        setattr(self, name, param)
        self._param = param
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Binomial, batch_shape, ("total_count", "probs", "logits"), _instance)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = (self.total_count + 1).lgamma()
        log_factorial_k = (value + 1).lgamma()
        log_factorial_nmk = (self.total_count - value + 1).lgamma()
        # k log p + (n - k) log(1 - p) = k * logit - n * max(logit, 0) - n * log1p(exp(-|logit|))
        normalize_term = (self.total_count * _clamp_by_zero(self.logits)
                          + self.total_count * (-self.logits.abs()).exp().log1p() - log_factorial_n)
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self):
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `enumerate_support`.")
        values = arange(1 + total_count, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
