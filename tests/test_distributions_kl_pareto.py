"""PyTorch's KL divergences involving ``Pareto`` (closed forms and the infinite pairs)
against torch.distributions, and the whole KL registry compared with PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads

F32 = np.float32


def _kl_pairs(T):
    D, t = T.distributions, T.tensor
    # alpha <= 1 (no mean), in (1, 2] (no variance) and > 2
    pareto = D.Pareto(t([1.0, 2.0, 0.5, 1.5]), t([0.8, 1.5, 3.0, 2.5]))
    unit = t([0.2, 0.5, 0.9, 0.4])
    return {
        "pareto-pareto": (pareto, D.Pareto(t([0.5, 2.5, 0.5, 1.0]), t([2.0, 1.0, 3.0, 0.5]))),
        "pareto-pareto-scalar": (D.Pareto(2.0, 3.0), D.Pareto(1.0, t([0.5, 2.0]))),
        "pareto-exponential": (pareto, D.Exponential(t([1.0, 2.0, 0.5, 0.1]))),
        "pareto-gamma": (pareto, D.Gamma(t([1.0, 2.0, 0.5, 3.0]), 1.5)),
        "pareto-normal": (pareto, D.Normal(t([0.0, 1.0, 0.5, -1.0]), 2.0)),
        "uniform-pareto": (D.Uniform(t([1.0, 0.5, 2.0, 1.5]), t([2.0, 3.0, 4.0, 1.6])), pareto),
        "pareto-beta": (pareto, D.Beta(t([1.0, 2.0, 0.5, 3.0]), 2.0)),
        "pareto-cb": (pareto, D.ContinuousBernoulli(unit)),
        "pareto-uniform": (pareto, D.Uniform(0.0, t([2.0, 3.0, 4.0, 100.0]))),
        "beta-pareto": (D.Beta(t([1.0, 2.0, 0.5, 3.0]), 2.0), pareto),
        "cb-pareto": (D.ContinuousBernoulli(unit), pareto),
        "exponential-pareto": (D.Exponential(t([1.0, 2.0, 0.5, 0.1])), pareto),
        "gamma-pareto": (D.Gamma(t([1.0, 2.0, 0.5, 3.0]), 1.5), pareto),
        "gumbel-pareto": (D.Gumbel(t([1.0, 2.0, 0.5, 3.0]), 1.5), pareto),
        "laplace-pareto": (D.Laplace(t([1.0, 2.0, 0.5, 3.0]), 1.5), pareto),
        "normal-pareto": (D.Normal(t([1.0, 2.0, 0.5, 3.0]), 1.5), pareto),
    }


@pytest.mark.parametrize("name", list(_kl_pairs(torch)))
def test_kl_divergence(name):
    both(lambda T: T.distributions.kl_divergence(*_kl_pairs(T)[name]))


def test_kl_float64_and_gradients():
    scale = np.array([1.0, 2.0, 0.5], F32)
    alpha = np.array([2.5, 3.5, 4.0], F32)

    def kl(T, s, a):
        D = T.distributions
        p = D.Pareto(s, a)
        return [D.kl_divergence(p, D.Pareto(s / 2, a + 1)), D.kl_divergence(p, D.Exponential(a)),
                D.kl_divergence(p, D.Gamma(a, s)), D.kl_divergence(p, D.Normal(s, a)),
                D.kl_divergence(D.Uniform(s + 1, s + a), p)]
    both(kl, scale, alpha)
    both(kl, scale.astype(np.float64), alpha.astype(np.float64))
    check_grads(kl, scale, alpha)


def test_registry_has_every_pytorch_pair_of_the_classes_here():
    def names(registry):
        return {(p.__name__, q.__name__) for p, q in registry}
    have = {name for name in dir(reftorch.distributions) if isinstance(getattr(reftorch.distributions, name), type)}
    wanted = {(p, q) for p, q in names(torch.distributions.kl._KL_REGISTRY) if p in have and q in have}
    assert wanted == names(reftorch.distributions.kl._KL_REGISTRY)


def test_same_values_on_the_stand_in_device():
    def on(device):
        D = reftorch.distributions

        def t(v):
            return reftorch.tensor(v, device=device)
        p = D.Pareto(t([1.0, 2.0, 0.5]), t([0.8, 1.5, 3.0]))
        return [D.kl_divergence(p, D.Pareto(t([0.5, 2.5, 0.5]), t([2.0, 1.0, 3.0]))),
                D.kl_divergence(p, D.Normal(t([0.0, 1.0, 0.5]), 2.0)),
                D.kl_divergence(D.Uniform(t([1.0, 0.5, 2.0]), t([2.0, 3.0, 4.0])), p),
                D.kl_divergence(D.Normal(t([0.0, 1.0, 0.5]), 2.0), p)]
    for r_dev, r_cpu in zip(on("strict"), on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        np.testing.assert_equal(r_dev.cpu().tolist(), r_cpu.tolist())
