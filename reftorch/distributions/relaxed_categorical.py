"""The relaxed (concrete, Gumbel-softmax) one-hot categorical distributions. Mirrors
``torch.distributions.relaxed_categorical``."""
from __future__ import annotations

from .._size import Size
from .._ops.creation import full_like
from .._ops.sampling import rand
from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform
from .utils import broadcast_all, clamp_probs

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


class ExpRelaxedCategorical(Distribution):
    """The logarithm of a relaxed one-hot categorical variable: the log-softmax of
    ``(logits + G) / temperature`` for Gumbel noise ``G`` (from ``torch.rand``, clamped
    into ``[eps, 1 - eps]``). Its ``support`` is ``real_vector`` (the true one is a
    submanifold of it).

    Args:
        temperature (Tensor): the relaxation temperature (> 0).
        probs (Tensor): event probabilities (the last dimension; normalised to sum to 1).
        logits (Tensor): unnormalised log-probabilities (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given.

    Mirrors ``torch.distributions.relaxed_categorical.ExpRelaxedCategorical``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.relaxed_categorical import ExpRelaxedCategorical
        >>> m = ExpRelaxedCategorical(torch.tensor(0.5), probs=torch.tensor([0.2, 0.3, 0.5]))
        >>> m.log_prob(torch.tensor([-2.0, -1.0, -0.5]))
        tensor(-4.0066)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        self.temperature = temperature
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(ExpRelaxedCategorical, _instance)
        batch_shape = Size(batch_shape)
        new.temperature = self.temperature
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        uniforms = clamp_probs(rand(shape, dtype=self.logits.dtype, device=self.logits.device))
        gumbels = -((-(uniforms.log())).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value):
        k = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_scale = full_like(self.temperature, float(k)).lgamma() - self.temperature.log().mul(-(k - 1))
        score = logits - value.mul(self.temperature)
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
    """The relaxed one-hot categorical (concrete, Gumbel-softmax) distribution on the
    simplex: ``exp`` of an ``ExpRelaxedCategorical`` variable; low temperatures push the
    samples towards one-hot vectors, and ``rsample`` lets gradients flow to
    ``probs``/``logits``.

    Args:
        temperature (Tensor): the relaxation temperature (> 0).
        probs (Tensor): event probabilities (the last dimension; normalised to sum to 1).
        logits (Tensor): unnormalised log-probabilities (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) a value given to ``log_prob`` is not on the simplex.

    Mirrors ``torch.distributions.RelaxedOneHotCategorical``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import RelaxedOneHotCategorical
        >>> m = RelaxedOneHotCategorical(torch.tensor(0.5), probs=torch.tensor([0.2, 0.3, 0.5]))
        >>> m.log_prob(torch.tensor([0.1, 0.3, 0.6]))
        tensor(0.0205)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(RelaxedOneHotCategorical, _instance))

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
