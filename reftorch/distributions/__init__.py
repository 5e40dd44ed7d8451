"""``reftorch.distributions``: parameterisable probability distributions, their log
densities, entropies and KL divergences, with sampling (``sample``) and reparameterised
sampling (``rsample``, through which gradients flow). Mirrors ``torch.distributions``.

After ``torch.manual_seed`` the samples equal PyTorch's: each distribution draws with the
same tensor functions, in the same order, as PyTorch's (``torch.normal``, ``torch.rand``,
``torch.bernoulli``, ``torch.multinomial``, ``Tensor.exponential_`` …).
"""
from __future__ import annotations

from . import constraints
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .geometric import Geometric
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Binomial", "Categorical", "Distribution", "Exponential", "ExponentialFamily",
           "Geometric", "Independent", "Laplace", "Normal", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Poisson", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
