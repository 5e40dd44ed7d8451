"""The geometric distribution. Mirrors ``torch.distributions.Geometric``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._type_info import finfo
from .._ops.creation import empty, zeros_like
from ..autograd.grad_mode import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .bernoulli import _one_of
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Geometric"]


class Geometric(Distribution):
    """The number of failures before the first success in independent trials that each
    succeed with probability ``probs``: ``P(k) = (1 - p)**k * p`` for ``k = 0, 1, …``.

    ``sample`` draws ``u`` uniform in ``[tiny, 1)`` (``uniform_``) and returns
    ``floor(log(u) / log1p(-p))``, as PyTorch does.

    Args:
        probs (Number or Tensor): the success probability of a trial (in ``(0, 1]``).
        logits (Number or Tensor): its log-odds (give ``probs`` or ``logits``, not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) a probability lies outside ``(0, 1]``.

    Mirrors ``torch.distributions.Geometric``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Geometric
        >>> m = Geometric(torch.tensor([0.25, 0.5]))
        >>> m.mean, m.log_prob(torch.tensor([2.0, 0.0]))
        (tensor([3., 1.]), tensor([-1.9617, -0.6931]))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        setattr(self, "probs" if probs is not None else "logits", param)
        batch_shape = Size() if isinstance(given, numbers.Number) else given.size()
        super().__init__(batch_shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):
                raise ValueError(f"Expected parameter probs ({type(value).__name__} of shape {tuple(value.shape)}) "
                                 f"of distribution {self!r} to be positive but found invalid values:\n"
                                 f"{value.detach()[~valid]}")

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Geometric, batch_shape, ("probs", "logits"), _instance)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        tiny = finfo(self.probs.dtype).tiny
        with no_grad():
            u = empty(shape, dtype=self.probs.dtype, device=self.probs.device).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.clone()
        probs[(probs == 1) & (value == 0)] = 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
