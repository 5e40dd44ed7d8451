"""The gamma distribution. Mirrors ``torch.distributions.Gamma``."""
from __future__ import annotations

import numbers

from .._size import Size
from .._type_info import finfo
from .._ops.creation import as_tensor
from .._ops.gamma_sampling import _standard_gamma
from .._ops.incomplete_gamma import special_gammainc
from .._ops.special_math import digamma, lgamma, xlogy
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    """The gamma distribution with shape ``concentration`` (alpha) and ``rate`` (beta,
    ``1 / scale``): density ``rate^alpha x^(alpha - 1) exp(-rate x) / Gamma(alpha)``.

    ``rsample`` divides ``torch._standard_gamma(concentration)`` draws by ``rate`` (PyTorch's
    CPU sampler, ported: the same numbers after ``manual_seed``); gradients reach
    ``concentration`` through PyTorch's approximation of the reparameterised gradient
    (``StandardGammaBackward0``) and ``rate`` through the division.

    ``cdf`` is PyTorch's ``torch.special.gammainc(concentration, rate * value)``: gradients
    reach ``rate`` and ``value``; one for ``concentration`` raises NotImplementedError in
    the backward pass, as in PyTorch.

    Args:
        concentration (float or Tensor): the shape (> 0).
        rate (float or Tensor): the rate (> 0); broadcast with ``concentration``.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if a parameter is not positive (when validating).

    Mirrors ``torch.distributions.Gamma``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Gamma
        >>> m = Gamma(torch.tensor([0.5, 2.0]), 2.0)
        >>> m.mean, m.log_prob(torch.tensor([1.0, 1.0]))
        (tensor([0.2500, 1.0000]), tensor([-2.2258, -0.6137]))
        >>> m.cdf(torch.tensor([1.0, 1.0]))
        tensor([0.9545, 0.5940])
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([0.0004, 0.3158])
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalars = isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number)
        super().__init__(Size() if scalars else self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, ("concentration", "rate"), _instance)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        value.detach().clamp_(min=finfo(value.dtype).tiny)  # (outside the graph)
        return value

    def log_prob(self, value):
        value = as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value) - self.rate * value
                - lgamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return special_gammainc(self.concentration, self.rate * value)

    def entropy(self):
        return (self.concentration - self.rate.log() + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()
