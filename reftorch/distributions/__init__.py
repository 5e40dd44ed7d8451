"""``reftorch.distributions``: parameterisable probability distributions, their log
densities, entropies and KL divergences, with sampling (``sample``) and reparameterised
sampling (``rsample``, through which gradients flow). Mirrors ``torch.distributions``.

After ``torch.manual_seed`` the samples equal PyTorch's: each distribution draws with the
same tensor functions, in the same order, as PyTorch's (``torch.normal``, ``torch.rand``,
``torch.bernoulli``, ``torch.multinomial`` …).
"""
from __future__ import annotations

from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Normal", "Uniform", "constraints"]
