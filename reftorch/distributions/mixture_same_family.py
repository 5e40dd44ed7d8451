"""A mixture of distributions of one family. Mirrors
``torch.distributions.MixtureSameFamily``."""
from __future__ import annotations

from .._size import Size
from .._ops.indexing import gather
from ..autograd.grad_mode import no_grad
from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["MixtureSameFamily"]


class MixtureSameFamily(Distribution):
    """A mixture of ``k`` components of one family: the last batch dimension of
    ``component_distribution`` (size ``k``) indexes the components, weighted by
    ``mixture_distribution`` (a ``Categorical`` over ``k``).

    ``batch_shape`` is the components' batch shape without its last dimension and
    ``event_shape`` theirs. ``log_prob`` is the ``logsumexp`` over components of
    ``log_prob + log weight``; ``mean``/``variance`` follow the laws of total expectation
    and variance; ``cdf`` is the weighted sum of the components' (when they have one).
    ``sample`` draws the component indices first, then a sample of every component, and
    gathers (PyTorch's order: the same numbers after ``manual_seed``). There is no
    ``rsample``.

    Args:
        mixture_distribution (Categorical): the weights, batch shape broadcastable to
            the components' batch shape without its last dimension.
        component_distribution (Distribution): the components, batch shape
            ``batch_shape + (k,)``.
        validate_args (bool, optional): check the values given to ``log_prob``
            (default: on).

    Raises:
        ValueError: if ``mixture_distribution`` is not a ``Categorical``,
            ``component_distribution`` not a ``Distribution``, or their batch shapes or
            numbers of components do not match.

    Mirrors ``torch.distributions.MixtureSameFamily``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Categorical, MixtureSameFamily, Normal
        >>> mix = Categorical(torch.tensor([0.3, 0.7]))
        >>> gmm = MixtureSameFamily(mix, Normal(torch.tensor([-1.0, 2.0]), torch.tensor([0.5, 1.0])))
        >>> gmm.mean, gmm.variance, gmm.log_prob(torch.tensor([0.0, 2.0]))
        (tensor(1.1000), tensor(2.6650), tensor([-2.6566, -1.2756]))
        >>> _ = torch.manual_seed(0)
        >>> gmm.sample((4,))
        tensor([0.6014, 2.8380, 1.5967, 2.1820])
    """

    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution needs to be an instance of torch.distributions.Distribution")
        mdbs = mixture_distribution.batch_shape
        cdbs = component_distribution.batch_shape[:-1]
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs)):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mdbs}) is not compatible with "
                                 f"`component_distribution.batch_shape`({cdbs})")
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1]
        if km != kc:
            raise ValueError(f"`mixture_distribution component` ({km}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({kc})")
        self._num_component = km
        event_shape = component_distribution.event_shape
        self._event_ndims = len(event_shape)
        super().__init__(batch_shape=cdbs, event_shape=event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        new = self._get_checked_instance(MixtureSameFamily, _instance)
        new._component_distribution = self._component_distribution.expand(batch_shape + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component = self._num_component
        new._event_ndims = self._event_ndims
        Distribution.__init__(new, batch_shape=batch_shape, event_shape=new._component_distribution.event_shape,
                              validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property
    def support(self):
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self):
        """The ``Categorical`` over the components."""
        return self._mixture_distribution

    @property
    def component_distribution(self):
        """The components (their last batch dimension indexes them)."""
        return self._component_distribution

    @property
    def mean(self):
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        return (probs * self.component_distribution.mean).sum(dim=-1 - self._event_ndims)

    @property
    def variance(self):
        # Var(Y) = E[Var(Y | X)] + Var(E[Y | X])
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        mean_cond_var = (probs * self.component_distribution.variance).sum(dim=-1 - self._event_ndims)
        var_cond_mean = (probs * (self.component_distribution.mean - self._pad(self.mean)).pow(2.0)).sum(
            dim=-1 - self._event_ndims)
        return mean_cond_var + var_cond_mean

    def cdf(self, x):
        cdf_x = self.component_distribution.cdf(self._pad(x))
        return (cdf_x * self.mixture_distribution.probs).sum(dim=-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        log_prob_x = self.component_distribution.log_prob(self._pad(x))  # [S, B, k]
        log_mix_prob = self.mixture_distribution.logits.log_softmax(dim=-1)  # [B, k]
        return (log_prob_x + log_mix_prob).logsumexp(dim=-1)  # [S, B]

    def sample(self, sample_shape=Size()):
        with no_grad():
            gather_dim = len(sample_shape) + len(self.batch_shape)
            es = self.event_shape
            mix_sample = self.mixture_distribution.sample(sample_shape)  # [n, B]
            mix_shape = mix_sample.shape
            comp_samples = self.component_distribution.sample(sample_shape)  # [n, B, k, E]
            index = mix_sample.reshape(mix_shape + Size([1] * (len(es) + 1)))
            index = index.repeat(Size([1] * len(mix_shape)) + Size([1]) + es)
            return gather(comp_samples, gather_dim, index).squeeze(gather_dim)

    def _pad(self, x):
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x):
        dist_batch_ndims = len(self.batch_shape)
        cat_batch_ndims = len(self.mixture_distribution.batch_shape)
        pad_ndims = 0 if cat_batch_ndims == 1 else dist_batch_ndims - cat_batch_ndims
        xs = x.shape
        return x.reshape(xs[:-1] + Size(pad_ndims * [1]) + xs[-1:] + Size(self._event_ndims * [1]))

    def __repr__(self):
        return f"MixtureSameFamily(\n  {self.mixture_distribution},\n  {self.component_distribution})"
