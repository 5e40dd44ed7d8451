"""``reftorch.distributions``: parameterisable probability distributions, their log
densities, entropies and KL divergences, with sampling (``sample``) and reparameterised
sampling (``rsample``, through which gradients flow). Mirrors ``torch.distributions``.

After ``torch.manual_seed`` the samples equal PyTorch's: each distribution draws with the
same tensor functions, in the same order, as PyTorch's (``torch.normal``, ``torch.rand``,
``torch.bernoulli``, ``torch.multinomial``, ``Tensor.exponential_``, ``Tensor.cauchy_`` …, and
the ports of PyTorch's CPU gamma and Dirichlet samplers ``torch._standard_gamma``,
``torch._sample_dirichlet``, and of ``VonMises``'s float64 rejection sampler). ``transforms`` holds the invertible maps from which
``TransformedDistribution`` (``LogNormal``, ``HalfNormal``, ``Gumbel``) is built.
"""
from __future__ import annotations

from . import constraint_registry, constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .constraint_registry import biject_to, transform_to
from .chi2 import Chi2
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .fishersnedecor import FisherSnedecor
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .studentT import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform, Transform,
                         identity_transform)
from .transforms import (CatTransform, CorrCholeskyTransform, CumulativeDistributionTransform, IndependentTransform,
                         LowerCholeskyTransform, PositiveDefiniteTransform, PowerTransform, ReshapeTransform,
                         SoftmaxTransform, SoftplusTransform, StackTransform, StickBreakingTransform, TanhTransform)
from .uniform import Uniform
from .generalized_pareto import GeneralizedPareto
from .half_cauchy import HalfCauchy
from .inverse_gamma import InverseGamma
from .kumaraswamy import Kumaraswamy
from .lkj_cholesky import LKJCholesky
from .logistic_normal import LogisticNormal
from .pareto import Pareto
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .weibull import Weibull
from .von_mises import VonMises
from .wishart import Wishart

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
           "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential", "ExponentialFamily",
           "Gamma", "Geometric", "Gumbel", "HalfNormal", "Independent", "Laplace", "LogNormal", "MultivariateNormal",
           "Multinomial", "NegativeBinomial", "FisherSnedecor", "ContinuousBernoulli",
           "VonMises", "LowRankMultivariateNormal", "MixtureSameFamily",
           "Wishart",
           "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "Poisson", "SigmoidTransform",
           "StudentT", "Transform", "TransformedDistribution", "Uniform", "constraints", "identity_transform",
           "kl_divergence", "register_kl", "transforms"]
__all__ += ["CatTransform", "CorrCholeskyTransform", "CumulativeDistributionTransform", "IndependentTransform",
            "LowerCholeskyTransform", "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform",
            "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
            "biject_to", "constraint_registry", "transform_to"]
__all__ += ["GeneralizedPareto", "HalfCauchy", "InverseGamma", "Kumaraswamy", "LKJCholesky", "LogisticNormal", "Pareto",
            "RelaxedBernoulli", "RelaxedOneHotCategorical", "Weibull"]
