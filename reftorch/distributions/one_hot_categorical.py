"""The one-hot categorical distribution. Mirrors ``torch.distributions.OneHotCategorical``."""
from __future__ import annotations

from .._size import Size
from .._ops.creation import eye
from ..nn.functional import one_hot
from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


class OneHotCategorical(Distribution):
    """A ``Categorical`` whose samples are one-hot vectors of length ``K``
    (``event_shape`` is ``(K,)``).

    Samples are floats of the parameter's dtype (one ``torch.multinomial`` draw per event,
    then ``one_hot``); ``log_prob`` reads the index of each vector's largest entry.

    Args:
        probs (Tensor): non-negative weights, normalised along the last dimension.
        logits (Tensor): unnormalised log-probabilities (give ``probs`` or ``logits``).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: as ``Categorical``.

    Mirrors ``torch.distributions.OneHotCategorical``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import OneHotCategorical
        >>> m = OneHotCategorical(torch.tensor([0.25, 0.75]))
        >>> m.log_prob(torch.tensor([0.0, 1.0])), m.enumerate_support()
        (tensor(-0.2877), tensor([[1., 0.],
                [0., 1.]]))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = Size(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        probs = self._categorical.probs
        return one_hot(probs.argmax(dim=-1), num_classes=probs.shape[-1]).to(probs)

    @property
    def variance(self):
        return self._categorical.probs * (1 - self._categorical.probs)

    @property
    def param_shape(self):
        return self._categorical.param_shape

    def sample(self, sample_shape=Size()):
        probs = self._categorical.probs
        indices = self._categorical.sample(Size(sample_shape))
        return one_hot(indices, self._categorical._num_events).to(probs)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = eye(n, dtype=self._param.dtype, device=self._param.device)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + self.batch_shape + (n,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A ``OneHotCategorical`` with an ``rsample`` by the straight-through estimator
    (Bengio et al., 2013): the one-hot sample plus ``probs - probs.detach()``, so the
    values are the sample's and the gradient is that of ``probs``.

    Mirrors ``torch.distributions.OneHotCategoricalStraightThrough``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import OneHotCategoricalStraightThrough
        >>> logits = torch.tensor([0.0, 1.0], requires_grad=True)
        >>> _ = torch.manual_seed(0)
        >>> s = OneHotCategoricalStraightThrough(logits=logits).rsample()
        >>> s
        tensor([0., 1.], grad_fn=<AddBackward0>)
    """

    has_rsample = True

    def rsample(self, sample_shape=Size()):
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())
