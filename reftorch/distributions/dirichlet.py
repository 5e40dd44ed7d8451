"""The Dirichlet distribution. Mirrors ``torch.distributions.Dirichlet``."""
from __future__ import annotations

from .._ops.gamma_sampling import _dirichlet_grad, _sample_dirichlet
from .._ops.special_math import digamma, lgamma, xlogy
from ..autograd import Function, once_differentiable
from ..nn.functional import one_hot
from . import constraints
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class _Dirichlet(Function):
    """Dirichlet draws with PyTorch's reparameterised gradient (``torch._dirichlet_grad``)."""

    @staticmethod
    def forward(ctx, concentration):
        x = _sample_dirichlet(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        x, concentration = ctx.saved_tensors
        total = concentration.sum(-1, True).expand_as(concentration)
        grad = _dirichlet_grad(x, concentration, total)
        return grad * (grad_output - (x * grad_output).sum(-1, True))


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over the probability simplex, with concentration
    ``concentration`` (its last dimension is the event).

    ``rsample`` is ``torch._sample_dirichlet`` (PyTorch's CPU sampler, ported: the same
    numbers after ``manual_seed``), differentiable through PyTorch's approximation of the
    reparameterised gradient (a ``_DirichletBackward`` node).

    Args:
        concentration (Tensor): the concentrations (> 0), at least one-dimensional.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``concentration`` is a scalar, or (when validating) not positive.

    Mirrors ``torch.distributions.Dirichlet``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Dirichlet
        >>> m = Dirichlet(torch.tensor([0.5, 1.0, 2.0]))
        >>> m.mean, m.log_prob(torch.tensor([0.2, 0.3, 0.5]))
        (tensor([0.1429, 0.2857, 0.5714]), tensor(0.7402))
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([3.9425e-04, 5.9427e-02, 9.4018e-01])
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Dirichlet, batch_shape, ("concentration",), _instance, event_shape=self.event_shape)

    def rsample(self, sample_shape=()):
        return _Dirichlet.apply(self.concentration.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration - 1.0, value).sum(-1) + lgamma(self.concentration.sum(-1))
                - lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = one_hot(mode[mask].argmax(dim=-1), concentrationm1.shape[-1]).to(mode)
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (lgamma(self.concentration).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0)
                - ((self.concentration - 1.0) * digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - lgamma(x.sum(-1))
