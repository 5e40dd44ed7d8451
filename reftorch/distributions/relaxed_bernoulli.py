"""The relaxed (concrete) Bernoulli distributions. Mirrors
``torch.distributions.relaxed_bernoulli``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._ops.sampling import rand
from . import constraints
from .bernoulli import _one_of
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(Distribution):
    """The logit of a relaxed Bernoulli variable: ``(logit(U) + logits) / temperature``
    for ``U`` uniform (drawn by ``torch.rand``, clamped into ``[eps, 1 - eps]``).

    Args:
        temperature (Tensor): the relaxation temperature (> 0).
        probs (Number or Tensor): the probability of 1.
        logits (Number or Tensor): the log-odds of 1 (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) a probability lies outside ``[0, 1]``.

    Mirrors ``torch.distributions.relaxed_bernoulli.LogitRelaxedBernoulli``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
        >>> m = LogitRelaxedBernoulli(torch.tensor(0.5), probs=torch.tensor([0.25, 0.5]))
        >>> m.log_prob(torch.tensor([0.0, 1.0]))
        tensor([-2.3671, -2.1413])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        setattr(self, "probs" if probs is not None else "logits", param)
        self._param = param
        batch_shape = Size() if isinstance(given, numbers.Number) else param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(LogitRelaxedBernoulli, batch_shape, ("probs", "logits"), _instance)
        new.temperature = self.temperature
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(rand(shape, dtype=probs.dtype, device=probs.device))
        return (uniforms.log() - (-uniforms).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value.mul(self.temperature)
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """The relaxed (concrete) Bernoulli distribution on ``(0, 1)``: ``sigmoid`` of a
    ``LogitRelaxedBernoulli`` variable; low temperatures push the samples towards 0 and 1,
    and ``rsample`` lets gradients flow to ``probs``/``logits``.

    Args:
        temperature (Tensor): the relaxation temperature (> 0).
        probs (Number or Tensor): the probability of 1.
        logits (Number or Tensor): the log-odds of 1 (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) a value given to ``log_prob`` lies outside ``[0, 1]``.

    Mirrors ``torch.distributions.RelaxedBernoulli``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import RelaxedBernoulli
        >>> m = RelaxedBernoulli(torch.tensor(0.5), probs=torch.tensor([0.25, 0.5]))
        >>> m.log_prob(torch.tensor([0.1, 0.9]))
        tensor([0.3285, 0.0408])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base_dist, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(RelaxedBernoulli, _instance))

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
