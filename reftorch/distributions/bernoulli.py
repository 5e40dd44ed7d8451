"""The Bernoulli distribution. Mirrors ``torch.distributions.Bernoulli``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._ops.creation import arange
from .._ops.sampling import bernoulli
from ..autograd.grad_mode import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


def _one_of(probs, logits):
    """The ``ValueError`` PyTorch raises unless exactly one of ``probs``/``logits`` is given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class Bernoulli(ExponentialFamily):
    """The distribution of a coin flip: 1 with probability ``probs``, else 0.

    The other parameter is computed on first use (``logits`` from clamped ``probs``,
    ``probs = sigmoid(logits)``). Samples are floats of the parameter's dtype, drawn by
    ``torch.bernoulli``; ``mode`` is NaN where ``probs == 0.5``.

    Args:
        probs (Number or Tensor): the probability of 1 (in ``[0, 1]``).
        logits (Number or Tensor): the log-odds of 1 (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) a probability lies outside ``[0, 1]``.

    Mirrors ``torch.distributions.Bernoulli``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Bernoulli
        >>> m = Bernoulli(probs=torch.tensor([0.25, 0.5]))
        >>> m.log_prob(torch.tensor([1.0, 0.0]))
        tensor([-1.3863, -0.6931])
        >>> m.entropy()
        tensor([0.5623, 0.6931])
        >>> _ = torch.manual_seed(0)
        >>> m.sample((2,))
        tensor([[0., 0.],
                [1., 1.]])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        setattr(self, "probs" if probs is not None else "logits", param)
        self._param = param
        batch_shape = Size() if isinstance(given, numbers.Number) else param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Bernoulli, batch_shape, ("probs", "logits"), _instance)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs)
        mode[self.probs == 0.5] = float("nan")
        return mode

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

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
            return bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values

    @property
    def _natural_params(self):
        return (self.probs.logit(),)

    def _log_normalizer(self, x):
        return x.exp().log1p()
