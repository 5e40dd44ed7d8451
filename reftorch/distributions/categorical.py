"""The categorical distribution. Mirrors ``torch.distributions.Categorical``."""
from __future__ import annotations

from .. import _dtype as D
from .._size import Size
from .._type_info import finfo
from .._ops.creation import arange, full
from .._ops.multinomial import multinomial
from .._ops.shape import broadcast_tensors
from . import constraints
from .bernoulli import _one_of
from .distribution import Distribution
from .utils import _as_size, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """A distribution over the category indices ``0 … K-1`` (``K = probs.size(-1)``), the
    one ``torch.multinomial`` samples from.

    ``batch_shape`` is the parameter's shape without its last dimension. Samples are int64
    indices drawn by ``torch.multinomial`` (with replacement); ``mean`` and ``variance``
    are NaN.

    Args:
        probs (Tensor): non-negative weights (at least 1-D), normalised to sum to 1 along
            the last dimension (``probs`` returns the normalised values).
        logits (Tensor): unnormalised log-probabilities, normalised by subtracting their
            ``logsumexp`` (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, if the
            parameter is 0-dimensional, or (when validating) the normalised ``probs`` are
            not a simplex.

    Mirrors ``torch.distributions.Categorical``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Categorical
        >>> m = Categorical(probs=torch.tensor([1.0, 2.0, 1.0]))
        >>> m.probs
        tensor([0.2500, 0.5000, 0.2500])
        >>> m.log_prob(torch.tensor([0, 1]))
        tensor([-1.3863, -0.6931])
        >>> m.enumerate_support()
        tensor([0, 1, 2])
        >>> _ = torch.manual_seed(0)
        >>> m.sample((5,))
        tensor([2, 1, 1, 2, 1])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.ndimension() > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(Categorical, batch_shape, ("probs", "logits"), _instance,
                                  event_shape=(self._num_events,))
        new._num_events = self._num_events
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype, device=self.probs.device)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype, device=self.probs.device)

    def sample(self, sample_shape=Size()):
        sample_shape = _as_size(sample_shape)
        probs_2d = self.probs.reshape(-1, self._num_events)
        samples_2d = multinomial(probs_2d, sample_shape.numel(), True).T
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = arange(self._num_events, dtype=D.long, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
