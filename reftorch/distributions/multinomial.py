"""The multinomial distribution. Mirrors ``torch.distributions.Multinomial``."""
from __future__ import annotations

from .._size import Size
from .._ops.creation import ones_like, tensor, zeros
from .._ops.special_math import lgamma
from . import constraints
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution
from .utils import _as_size, broadcast_all

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """The counts of each of ``K`` categories in ``total_count`` independent draws from
    ``Categorical(probs)`` (``K = probs.size(-1)``).

    ``batch_shape`` is the parameter's shape without its last dimension and
    ``event_shape`` is ``(K,)``. ``sample`` draws ``total_count`` category indices with
    ``Categorical.sample`` (``torch.multinomial``) and counts them with ``scatter_add_``,
    as PyTorch does (the same counts after ``manual_seed``). ``log_prob`` takes the
    total count from the value (so ``total_count`` may be left at 1 when only
    ``log_prob`` is needed); ``entropy`` sums over a ``Binomial``'s support.

    Args:
        total_count (int): the number of draws (one for all batch entries).
        probs (Tensor): non-negative weights, normalised along the last dimension.
        logits (Tensor): unnormalised log-probabilities (give ``probs`` or ``logits``,
            not both).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        NotImplementedError: if ``total_count`` is not a Python ``int``.
        ValueError: if both or neither of ``probs`` and ``logits`` are given, or (when
            validating) an argument or value is out of range.

    Mirrors ``torch.distributions.Multinomial``; as there, ``entropy`` of an expanded
    instance raises ``AttributeError`` (``expand`` keeps no ``Binomial``).

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Multinomial
        >>> m = Multinomial(5, torch.tensor([1.0, 2.0, 1.0]))
        >>> m.mean, m.log_prob(torch.tensor([1.0, 3.0, 1.0]))
        (tensor([1.2500, 2.5000, 1.2500]), tensor(-1.8563))
        >>> _ = torch.manual_seed(0)
        >>> m.sample((2,))
        tensor([[1., 3., 1.],
                [0., 3., 2.]])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = Size(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        sample_shape = _as_size(sample_shape)
        samples = self._categorical.sample(Size((self.total_count,)) + sample_shape)
        samples = samples.permute(*range(1, samples.dim()), 0)  # the draws last
        counts = zeros(self._extended_shape(sample_shape), dtype=samples.dtype, device=samples.device)
        counts.scatter_add_(-1, samples, ones_like(samples))
        return counts.type_as(self.probs)

    def entropy(self):
        n = tensor(self.total_count, device=self.probs.device)
        term1 = n * self._categorical.entropy() - lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(support).exp()
        term2 = (binomial_probs * lgamma(support + 1)).sum([0, -1])
        return term1 + term2

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        logits = logits.clone()
        log_factorial_n = lgamma(value.sum(-1) + 1)
        log_factorial_xs = lgamma(value + 1).sum(-1)
        logits[(value == 0) & (logits == -float("inf"))] = 0  # 0 * log(0) counts as 0
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)
