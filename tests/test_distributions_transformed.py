"""The distributions built on transforms (LogisticNormal, RelaxedBernoulli,
LogitRelaxedBernoulli, RelaxedOneHotCategorical, ExpRelaxedCategorical, Weibull, Pareto,
HalfCauchy, Kumaraswamy, InverseGamma, GeneralizedPareto, LKJCholesky) against
torch.distributions: log densities, moments, entropies, supports, shapes, reprs, seeded
samples (equal after ``manual_seed``), gradients and validation errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, raises_like

F32 = np.float32
F64 = np.float64


def _seeded(fn):
    def run(T, *args):
        T.manual_seed(0)
        return fn(T, *args)
    return run


def same_text(fn):
    assert str(fn(reftorch)) == str(fn(torch))


def _D(T):
    return T.distributions


A = np.array([[0.5, 1.0, 2.5], [3.0, 0.8, 1.2]], F32)
B = np.array([1.5, 0.4, 2.0], F32)
PROBS = np.array([[0.2, 0.5, 0.9], [0.05, 0.5, 0.7]], F32)
CAT_PROBS = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], F32)

# name -> (make(T, a, b), parameters, values inside the support)
CASES = {
    "weibull": (lambda T, a, b: _D(T).Weibull(a, b), (A, B), A / 2 + 0.1),
    "pareto": (lambda T, a, b: _D(T).Pareto(a, b), (A, B), A + 0.7),
    "half_cauchy": (lambda T, a: _D(T).HalfCauchy(a), (A,), np.abs(A - 1)),
    "kumaraswamy": (lambda T, a, b: _D(T).Kumaraswamy(a, b), (A, B), PROBS),
    "inverse_gamma": (lambda T, a, b: _D(T).InverseGamma(a, b), (A, B), A / 2 + 0.1),
    "generalized_pareto": (lambda T, a, b: _D(T).GeneralizedPareto(T.tensor(0.5), a, b - 1), (A, B), A + 0.6),
    "generalized_pareto_zero": (lambda T, a, b: _D(T).GeneralizedPareto(b, a, T.tensor([0.0, 0.3, -0.2])), (A, B),
                                A + 2.1),
    "logistic_normal": (lambda T, a, b: _D(T).LogisticNormal(a - 1, b), (A, B),
                        np.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]], F32)),
    "relaxed_bernoulli": (lambda T, p: _D(T).RelaxedBernoulli(T.tensor(0.7), probs=p), (PROBS,), 1 - PROBS),
    "relaxed_bernoulli_logits": (lambda T, a: _D(T).RelaxedBernoulli(T.tensor([0.5, 1.0, 2.0]), logits=a - 1), (A,),
                                 PROBS),
    "logit_relaxed_bernoulli": (lambda T, p: _D(T).relaxed_bernoulli.LogitRelaxedBernoulli(T.tensor(0.7), probs=p),
                                (PROBS,), A - 1),
    "relaxed_one_hot": (lambda T, p: _D(T).RelaxedOneHotCategorical(T.tensor(0.5), probs=p), (CAT_PROBS,),
                        CAT_PROBS[::-1].copy()),
    "relaxed_one_hot_logits": (lambda T, a: _D(T).RelaxedOneHotCategorical(T.tensor([[1.5], [0.3]]), logits=a),
                               (A,), CAT_PROBS),
    "exp_relaxed": (lambda T, p: _D(T).relaxed_categorical.ExpRelaxedCategorical(T.tensor(0.5), probs=p),
                    (CAT_PROBS,), np.log(CAT_PROBS)),
    "lkj": (lambda T, b: _D(T).LKJCholesky(3, b), (B,),
            np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]], F32)),
}

HAS_CDF = ("weibull", "pareto", "half_cauchy", "kumaraswamy", "generalized_pareto",  # (Gamma has no cdf yet)
           "generalized_pareto_zero")
HAS_ENTROPY = ("weibull", "pareto", "half_cauchy", "kumaraswamy", "inverse_gamma", "generalized_pareto",
               "generalized_pareto_zero")
HAS_MOMENTS = HAS_ENTROPY
HAS_RSAMPLE = ("weibull", "pareto", "half_cauchy", "kumaraswamy", "inverse_gamma", "generalized_pareto", "generalized_pareto_zero",
               "logistic_normal", "relaxed_bernoulli", "relaxed_bernoulli_logits", "logit_relaxed_bernoulli",
               "relaxed_one_hot", "relaxed_one_hot_logits", "exp_relaxed")


@pytest.mark.parametrize("name", CASES)
def test_values_shapes_and_samples(name):
    make, params, value = CASES[name]
    both(lambda T, *p: (make(T, *p).batch_shape, make(T, *p).event_shape, make(T, *p).has_rsample), *params)
    both(lambda T, v, *p: make(T, *p).log_prob(v), value, *params)
    check_grads(lambda T, v, *p: make(T, *p).log_prob(v), value, *params)
    both(_seeded(lambda T, *p: make(T, *p).sample()), *params)
    both(_seeded(lambda T, *p: make(T, *p).sample((3,))), *params)
    same_text(lambda T: make(T, *(T.tensor(p) for p in params)).support)
    same_text(lambda T: make(T, *(T.tensor(p) for p in params)))
    both(lambda T, *p: make(T, *p).expand((4,) + tuple(make(T, *p).batch_shape)).batch_shape, *params)
    both(_seeded(lambda T, *p: make(T, *p).expand((2,) + tuple(make(T, *p).batch_shape)).sample()), *params)
    if name in HAS_RSAMPLE:
        both(_seeded(lambda T, *p: make(T, *p).rsample((2,))), *params)
        check_grads(_seeded(lambda T, *p: make(T, *p).rsample((2,))), *params)
    if name in HAS_CDF:
        both(lambda T, v, *p: make(T, *p).cdf(v), value, *params)
    if name in HAS_ENTROPY:
        both(lambda T, *p: make(T, *p).entropy(), *params)
    if name in HAS_MOMENTS:
        both(lambda T, *p: (make(T, *p).mean, make(T, *p).variance, make(T, *p).mode, make(T, *p).stddev), *params)


def test_float64_and_scalar_parameters():
    both(_seeded(lambda T: _D(T).Weibull(2.0, 0.7).rsample((3,))))
    both(lambda T: _D(T).Weibull(2.0, 0.7).batch_shape)
    both(_seeded(lambda T, a, b: _D(T).InverseGamma(a, b).sample((2,))), A.astype(F64), B.astype(F64))
    both(_seeded(lambda T, b: _D(T).LKJCholesky(4, b).sample((2,))), B.astype(F64))
    both(_seeded(lambda T: _D(T).LKJCholesky(2).sample((3,))))
    both(lambda T: _D(T).LogisticNormal(0.0, 1.0).event_shape)
    both(_seeded(lambda T: _D(T).LogisticNormal(0.0, 1.0).sample((2,))))
    both(lambda T: _D(T).GeneralizedPareto(0.0, 1.0, 0.5).batch_shape)
    both(lambda T: _D(T).GeneralizedPareto(0.0, 1.0, 0.5).entropy())
    both(lambda T: _D(T).GeneralizedPareto(0.0, 2.0, T.tensor([-0.5, 0.5])).entropy())
    both(lambda T: _D(T).RelaxedBernoulli(T.tensor(0.5), probs=0.3).batch_shape)
    both(lambda T: _D(T).HalfCauchy(2.0).log_prob(T.tensor([-1.0, 0.0, 1.0])))
    both(lambda T: _D(T).HalfCauchy(T.tensor([1.0, 2.0])).icdf(T.tensor([0.1, 0.9])))
    both(lambda T: _D(T).Pareto(2.0, T.tensor([0.5, 1.5, 3.0])).icdf(T.tensor(0.3)))
    both(lambda T: _D(T).Kumaraswamy(T.tensor([2.0, 0.5]), T.tensor([3.0, 2.0])).icdf(T.tensor(0.3)))
    both(lambda T, v: _D(T).GeneralizedPareto(0.0, 1.0, T.tensor([0.0, 0.5, -0.5])).icdf(v),
         np.array([0.1, 0.5, 0.9], F32))
    both(lambda T, v: _D(T).GeneralizedPareto(0.0, 1.0, T.tensor([0.0, 0.5, -0.5])).log_survival_function(v),
         np.array([0.1, 0.5, 1.9], F32))
    same_text(lambda T: _D(T).GeneralizedPareto(0.0, 1.0, T.tensor([0.0, 0.5, -0.5])).support)
    both(lambda T: _D(T).GeneralizedPareto(0.0, 1.0, T.tensor([0.0, 0.5, -0.5])).support.check(T.tensor(1.5)))
    both(lambda T: _D(T).Pareto(T.tensor([1.0, 2.0]), 1.0).support.check(T.tensor(1.5)))


def test_parameters_and_properties():
    for T in (torch, reftorch):
        D = _D(T)
        w = D.Weibull(T.tensor([1.0, 2.0]), T.tensor([0.5, 4.0]))
        assert w.concentration_reciprocal.tolist() == [2.0, 0.25]
        rb = D.RelaxedBernoulli(T.tensor(0.5), logits=T.tensor([0.0, 1.0]))
        assert abs(rb.probs[1].item() - 0.7310586) < 1e-6 and rb.temperature.item() == 0.5
        assert rb.base_dist.param_shape == (2,)
        rc = D.RelaxedOneHotCategorical(T.tensor(0.5), probs=T.tensor([1.0, 3.0]))
        assert rc.probs.tolist() == [0.25, 0.75] and rc.base_dist.param_shape == (2,)
        ln = D.LogisticNormal(T.tensor([0.0, 1.0]), 2.0)
        assert ln.loc.tolist() == [0.0, 1.0] and ln.scale.tolist() == [2.0, 2.0]
        ig = D.InverseGamma(T.tensor([1.0, 3.0]), 2.0)
        assert ig.concentration.tolist() == [1.0, 3.0] and ig.rate.tolist() == [2.0, 2.0]
        assert D.HalfCauchy(T.tensor([3.0])).scale.tolist() == [3.0]
        lkj = D.LKJCholesky(3, 0.5)
        assert lkj.dim == 3 and lkj.expand((2,)).dim == 3 and not lkj.has_rsample
    both(lambda T: (_D(T).InverseGamma(T.tensor([0.5, 1.5, 3.0]), 2.0).mean,
                    _D(T).InverseGamma(T.tensor([0.5, 1.5, 3.0]), 2.0).variance))
    both(lambda T: (_D(T).GeneralizedPareto(0.0, 1.0, T.tensor([0.2, 0.7, 1.5])).mean,
                    _D(T).GeneralizedPareto(0.0, 1.0, T.tensor([0.2, 0.7, 1.5])).variance,
                    _D(T).GeneralizedPareto(1.0, 1.0, T.tensor([0.2, 0.7, 1.5])).mode))
    both(lambda T: _D(T).HalfCauchy(T.tensor([1.0, 2.0])).expand((3, 2)).mean)


def test_validation_errors():
    D = _D
    for bad in (lambda T: D(T).Weibull(T.tensor([-1.0]), 1.0), lambda T: D(T).Weibull(1.0, 0.0),
                lambda T: D(T).Pareto(1.0, -2.0), lambda T: D(T).HalfCauchy(T.tensor([0.0])),
                lambda T: D(T).Kumaraswamy(-1.0, 1.0), lambda T: D(T).InverseGamma(1.0, T.tensor([-1.0])),
                lambda T: D(T).GeneralizedPareto(0.0, -1.0, 0.5), lambda T: D(T).LogisticNormal(0.0, -1.0),
                lambda T: D(T).RelaxedBernoulli(T.tensor(0.5), probs=T.tensor([1.5])),
                lambda T: D(T).RelaxedBernoulli(T.tensor(0.5)),
                lambda T: D(T).RelaxedBernoulli(T.tensor(0.5), probs=0.5, logits=0.0),
                lambda T: D(T).RelaxedOneHotCategorical(T.tensor(0.5)),
                lambda T: D(T).LKJCholesky(1), lambda T: D(T).LKJCholesky(3, -1.0),
                lambda T: D(T).Weibull(1.0, 1.0).log_prob(T.tensor(-1.0)),
                lambda T: D(T).Pareto(2.0, 1.0).log_prob(T.tensor(1.0)),
                lambda T: D(T).HalfCauchy(1.0).log_prob(T.tensor(-1.0)),
                lambda T: D(T).Kumaraswamy(1.0, 1.0).log_prob(T.tensor(1.5)),
                lambda T: D(T).InverseGamma(1.0, 1.0).log_prob(T.tensor(0.0)),
                lambda T: D(T).LogisticNormal(T.zeros(2), 1.0).log_prob(T.tensor([0.5, 0.6, 0.1])),
                lambda T: D(T).RelaxedBernoulli(T.tensor(0.5), probs=0.5).log_prob(T.tensor(1.5)),
                lambda T: D(T).RelaxedOneHotCategorical(T.tensor(0.5), probs=T.ones(3)).log_prob(T.ones(3)),
                lambda T: D(T).LKJCholesky(2).log_prob(T.tensor([[1.0, 0.0], [0.6, 0.7]])),
                lambda T: D(T).LKJCholesky(2).rsample(),
                lambda T: D(T).LKJCholesky(2).log_prob(T.tensor([1.0, 0.0]))):
        raises_like(bad, msg=True)


# ----------------------------------------------------------------------------- devices
def _on(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)

    def t(v):
        return T.tensor(v, device=device)
    lkj = D.LKJCholesky(3, t([0.5, 2.0]))
    gp = D.GeneralizedPareto(t([0.0, 1.0]), 2.0, t([0.0, 0.3]))
    return [D.Weibull(t([1.0, 2.0]), t([0.5, 3.0])).sample((2,)), D.Pareto(t([1.0]), 2.0).sample(),
            D.HalfCauchy(t([1.0])).log_prob(t([0.5])), D.Kumaraswamy(t([2.0]), t([3.0])).entropy(),
            D.InverseGamma(t([2.0]), t([1.0])).sample(), gp.rsample(), gp.log_prob(t([1.0, 2.0])), gp.cdf(t(2.0)),
            D.LogisticNormal(t([0.0, 1.0]), 1.0).sample(), D.RelaxedBernoulli(t(0.5), probs=t([0.3])).rsample(),
            D.RelaxedOneHotCategorical(t(0.5), logits=t([0.0, 1.0, 2.0])).log_prob(t([0.2, 0.3, 0.5])),
            lkj.sample(), lkj.log_prob(t([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])),
            D.Kumaraswamy(t([2.0, 0.5]), t([3.0, 2.0])).variance]


def test_same_samples_and_values_on_the_stand_in_device():
    for r_dev, r_cpu in zip(_on("strict"), _on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        assert r_dev.cpu().tolist() == r_cpu.tolist()


# ----------------------------------------------------------------------------- InverseGamma cdf
def test_inverse_gamma_cdf_through_gamma_cdf():
    # cdf(y) = 1 - Gamma.cdf(1 / y): TransformedDistribution flips the decreasing PowerTransform(-1)
    both(lambda T, a, b, v: _D(T).InverseGamma(a, b).cdf(v), A, B, A / 2 + 0.1)
    both(lambda T, a, b, v: _D(T).InverseGamma(a, b).cdf(v), A.astype(F64), B.astype(F64), A.astype(F64) * 3)
    both(lambda T: _D(T).InverseGamma(T.tensor([1.0, 3.0]), 2.0).cdf(T.tensor([0.0, float("inf")])))
    both(lambda T: _D(T).InverseGamma(T.tensor([1.0, 3.0]), 2.0, validate_args=False).cdf(T.tensor([-1.0, 0.0])))


def test_inverse_gamma_cdf_gradients():
    # value and rate are differentiable; concentration is not (igamma's input derivative)
    check_grads(lambda T, b, v: _D(T).InverseGamma(T.tensor([1.0, 2.5, 0.7]), b).cdf(v), B, B * 0.9)
    c = reftorch.tensor([1.0, 3.0], requires_grad=True)
    out = reftorch.distributions.InverseGamma(c, 2.0).cdf(reftorch.tensor([0.5, 1.0]))
    with pytest.raises(NotImplementedError):
        out.sum().backward()
    ct = torch.tensor([1.0, 3.0], requires_grad=True)
    with pytest.raises(NotImplementedError):
        torch.distributions.InverseGamma(ct, 2.0).cdf(torch.tensor([0.5, 1.0])).sum().backward()


def test_inverse_gamma_cdf_errors_and_no_icdf():
    raises_like(lambda T: _D(T).InverseGamma(T.tensor([1.0, 3.0]), 2.0).cdf(T.tensor([-1.0, 1.0])), msg=True)
    raises_like(lambda T: _D(T).InverseGamma(T.tensor([1.0, 3.0]), 2.0).icdf(T.tensor([0.5, 0.2])))
