"""reftorch.distributions.LowRankMultivariateNormal (with its KL pairs) and
MixtureSameFamily against torch.distributions: values, shapes, reprs, seeded samples
(equal after ``manual_seed``), errors and gradients."""
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


# ----------------------------------------------------------------------------- LowRankMultivariateNormal
MU = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]], F64)  # (2, 3)
W = np.array([[[1.0, 0.2], [0.5, -0.3], [-0.4, 0.8]], [[0.3, 0.0], [0.1, 1.2], [2.0, -0.5]]], F64)  # (2, 3, 2)
DIAG = np.array([[1.0, 0.5, 2.0], [0.3, 1.5, 0.7]], F64)
V = np.array([[[1.0, 0.0, -1.0], [0.3, 0.2, 0.1]], [[0.0, 2.0, 1.0], [-1.0, -1.0, -1.0]]], F64)  # (2, 2, 3)


def _lr(T, m, w, d):
    return T.distributions.LowRankMultivariateNormal(m, w, d)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_lowrank_multivariate_normal(dtype):
    m, w, d, v = (a.astype(dtype) for a in (MU, W, DIAG, V))
    both(lambda T, m, w, d, v: _lr(T, m, w, d).log_prob(v), m, w, d, v)
    both(lambda T, m, w, d: _lr(T, m, w, d).entropy(), m, w, d)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape", "event_shape", "scale_tril",
                 "covariance_matrix", "precision_matrix", "loc", "cov_factor", "cov_diag"):
        both(lambda T, m, w, d: getattr(_lr(T, m, w, d), attr), m, w, d, check_grad_fn=False)
    both(_seeded(lambda T, m, w, d: _lr(T, m, w, d).sample((4,))), m, w, d)
    both(_seeded(lambda T, m, w, d: _lr(T, m, w, d).rsample()), m, w, d)
    both(_seeded(lambda T, m, w, d: _lr(T, m, w, d).expand((3, 2)).sample()), m, w, d)
    both(lambda T, m, w, d, v: _lr(T, m, w, d).expand((2, 2)).log_prob(v), m, w, d, v)
    check_grads(lambda T, m, w, d, v: _lr(T, m, w, d).log_prob(v), m, w, d, v)
    check_grads(_seeded(lambda T, m, w, d: _lr(T, m, w, d).rsample((2,))), m, w, d)
    check_grads(lambda T, m, w, d: _lr(T, m, w, d).entropy(), m, w, d)
    for attr in ("scale_tril", "covariance_matrix", "precision_matrix", "variance"):
        check_grads(lambda T, m, w, d: getattr(_lr(T, m, w, d), attr), m, w, d, check_grad_fn=False)


def test_lowrank_multivariate_normal_broadcasting():
    # one factor for a batch of means, and a single distribution
    both(lambda T, m, w, d, v: _lr(T, m, w[0], d[0]).log_prob(v), MU, W, DIAG, V)
    both(lambda T, m, w, d: _lr(T, m[0], w, d[0]).batch_shape, MU, W, DIAG)
    both(lambda T, m, w, d, v: _lr(T, m[0], w[0], d[0]).log_prob(v), MU, W, DIAG, V)
    both(lambda T, m, w, d: _lr(T, m[0], w[0], d[0]).entropy(), MU, W, DIAG)
    both(_seeded(lambda T, m, w, d: _lr(T, m[0], w, d[0]).rsample((2,))), MU, W, DIAG)
    same_text(lambda T: _lr(T, T.zeros(3), T.ones(3, 1), T.ones(3)))


def test_lowrank_multivariate_normal_errors():
    L = "LowRankMultivariateNormal"
    raises_like(lambda T: getattr(T.distributions, L)(T.tensor(0.0), T.ones(1, 1), T.ones(1)), msg=True)
    raises_like(lambda T: getattr(T.distributions, L)(T.zeros(2), T.ones(2), T.ones(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, L)(T.zeros(2), T.ones(3, 1), T.ones(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, L)(T.zeros(2), T.ones(2, 1), T.ones(3)), msg=True)
    raises_like(lambda T: getattr(T.distributions, L)(T.zeros(4, 2), T.ones(3, 2, 1), T.ones(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, L)(T.zeros(2), T.ones(2, 1), -T.ones(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, L)(T.zeros(2), T.ones(2, 1), T.ones(2)).log_prob(T.zeros(3)),
                msg=True)


def _kl_pairs(T, m, w, d, a):
    D = T.distributions
    lr_p = D.LowRankMultivariateNormal(m, w, d)
    lr_q = D.LowRankMultivariateNormal(m.flip(0) * 0.5, w[0] * 0.7, d[1])
    mvn = D.MultivariateNormal(m[1], a)
    return {"lr-lr": (lr_p, lr_q), "mvn-lr": (mvn, lr_p), "lr-mvn": (lr_p, mvn), "lr-mvn-batched": (lr_q, mvn)}


A = np.array([[2.0, 0.3, -0.4], [0.3, 1.0, 0.2], [-0.4, 0.2, 1.5]], F64)


@pytest.mark.parametrize("name", ["lr-lr", "mvn-lr", "lr-mvn", "lr-mvn-batched"])
def test_lowrank_kl(name):
    def kl(T, m, w, d, a):
        return T.distributions.kl_divergence(*_kl_pairs(T, m, w, d, a)[name])
    both(kl, MU, W, DIAG, A)
    check_grads(kl, MU, W, DIAG, A)


def test_lowrank_kl_errors():
    def pair(T, kind):
        D = T.distributions
        lr2 = D.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), T.ones(2))
        other = (D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)) if kind == "lr"
                 else D.MultivariateNormal(T.zeros(3), T.eye(3)))
        return lr2, other
    raises_like(lambda T: T.distributions.kl_divergence(*pair(T, "lr")), msg=True)
    raises_like(lambda T: T.distributions.kl_divergence(*pair(T, "mvn")), msg=True)
    raises_like(lambda T: T.distributions.kl_divergence(*pair(T, "mvn")[::-1]), msg=True)


# ----------------------------------------------------------------------------- MixtureSameFamily
WEIGHTS = np.array([[0.3, 0.7, 1.0], [2.0, 0.1, 0.5]], F32)
LOCS = np.array([[-1.0, 2.0, 0.5], [0.0, 3.0, -2.0]], F32)
SCALES = np.array([[0.5, 1.0, 2.0], [1.5, 0.2, 0.7]], F32)
XS = np.array([[0.0, 2.0], [1.0, -1.0], [0.3, 5.0]], F32)  # (3, 2): samples x batch


def _gmm(T, w, l, s):
    D = T.distributions
    return D.MixtureSameFamily(D.Categorical(w), D.Normal(l, s))


def test_mixture_same_family_univariate():
    for method in ("log_prob", "cdf"):
        both(lambda T, w, l, s, x: getattr(_gmm(T, w, l, s), method)(x), WEIGHTS, LOCS, SCALES, XS)
        check_grads(lambda T, w, l, s, x: getattr(_gmm(T, w, l, s), method)(x), WEIGHTS, LOCS, SCALES, XS)
    for attr in ("mean", "variance", "stddev", "batch_shape", "event_shape", "has_rsample"):
        both(lambda T, w, l, s: getattr(_gmm(T, w, l, s), attr), WEIGHTS, LOCS, SCALES)
    check_grads(lambda T, w, l, s: _gmm(T, w, l, s).variance, WEIGHTS, LOCS, SCALES)
    both(_seeded(lambda T, w, l, s: _gmm(T, w, l, s).sample()), WEIGHTS, LOCS, SCALES)
    both(_seeded(lambda T, w, l, s: _gmm(T, w, l, s).sample((5, 2))), WEIGHTS, LOCS, SCALES)
    both(_seeded(lambda T, w, l, s: _gmm(T, w[0], l, s).sample((3,))), WEIGHTS, LOCS, SCALES)  # shared weights
    both(lambda T, w, l, s, x: _gmm(T, w[0], l, s).log_prob(x), WEIGHTS, LOCS, SCALES, XS)
    both(lambda T, w, l, s: _gmm(T, w[0], l, s).mean, WEIGHTS, LOCS, SCALES)
    both(_seeded(lambda T, w, l, s: _gmm(T, w[0], l[0], s[0]).expand((4, 2)).sample()), WEIGHTS, LOCS, SCALES)
    both(lambda T, w, l, s: _gmm(T, w[0], l[0], s[0]).expand((4, 2)).batch_shape, WEIGHTS, LOCS, SCALES)
    same_text(lambda T: _gmm(T, T.ones(2), T.zeros(2), T.ones(2)))
    same_text(lambda T: (_gmm(T, T.ones(2), T.zeros(2), T.ones(2)).support,
                         _gmm(T, T.ones(2), T.zeros(2), T.ones(2)).support.event_dim))


def test_mixture_same_family_multivariate():
    """Components with an event dimension: a mixture of diagonal normals (Independent)."""
    def gmm(T, w, l, s):
        D = T.distributions
        return D.MixtureSameFamily(D.Categorical(w), D.Independent(D.Normal(l.unsqueeze(0).expand(4, 2, 3),
                                                                             s.unsqueeze(0).expand(4, 2, 3)), 1))
    x = np.array([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5], [3.0, 0.0, 0.0], [0.2, 0.2, 0.2]], F32)  # (4, 3)
    W4 = np.array([[0.3, 0.7], [2.0, 0.1], [1.0, 1.0], [0.5, 4.0]], F32)  # (4, 2): batch 4, two components
    both(lambda T, w, l, s, x: gmm(T, w, l, s).log_prob(x), W4, LOCS, SCALES, x)
    check_grads(lambda T, w, l, s, x: gmm(T, w, l, s).log_prob(x), W4, LOCS, SCALES, x)
    for attr in ("mean", "variance", "batch_shape", "event_shape"):
        both(lambda T, w, l, s: getattr(gmm(T, w, l, s), attr), W4, LOCS, SCALES)
    both(lambda T, w, l, s: gmm(T, w[0], l, s).mean, W4, LOCS, SCALES)  # a Categorical without batch
    both(_seeded(lambda T, w, l, s: gmm(T, w, l, s).sample((3,))), W4, LOCS, SCALES)
    both(lambda T, w, l, s: gmm(T, w[0], l, s).support.check(T.zeros(4, 3)), W4, LOCS, SCALES)


def test_mixture_same_family_errors():
    def make(T, mix, comp):
        return T.distributions.MixtureSameFamily(mix, comp)
    D = "distributions"
    raises_like(lambda T: make(T, getattr(T, D).Normal(0.0, 1.0), getattr(T, D).Normal(T.zeros(2), 1.0)), msg=True)
    raises_like(lambda T: make(T, getattr(T, D).Categorical(T.ones(2)), T.zeros(2)), msg=True)
    raises_like(lambda T: make(T, getattr(T, D).Categorical(T.ones(3)), getattr(T, D).Normal(T.zeros(2), 1.0)),
                msg=True)
    raises_like(lambda T: make(T, getattr(T, D).Categorical(T.ones(3, 2)), getattr(T, D).Normal(T.zeros(4, 2), 1.0)),
                msg=True)
    raises_like(lambda T: make(T, getattr(T, D).Categorical(T.ones(2)),
                               getattr(T, D).Normal(T.zeros(2), 1.0)).rsample())
    raises_like(lambda T: make(T, getattr(T, D).Categorical(T.ones(2)),
                               getattr(T, D).Exponential(T.ones(2))).log_prob(T.tensor(-1.0)), msg=True)
    raises_like(lambda T: T.distributions.constraints.MixtureSameFamilyConstraint(3), msg=True)


# ----------------------------------------------------------------------------- devices
def _on(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)
    t = lambda v: T.tensor(v, device=device)  # noqa: E731
    lr = D.LowRankMultivariateNormal(t([0.0, 1.0, -1.0]), t([[1.0], [0.5], [-0.3]]), t([1.0, 0.5, 2.0]))
    mvn = D.MultivariateNormal(t([0.0, 0.0, 1.0]), t([[2.0, 0.3, 0.0], [0.3, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    gmm = D.MixtureSameFamily(D.Categorical(t([0.3, 0.7])), D.Normal(t([-1.0, 2.0]), t([0.5, 1.0])))
    return [lr.sample((2,)), lr.log_prob(t([0.5, 0.5, 0.5])), lr.entropy(), lr.precision_matrix, lr.scale_tril,
            D.kl_divergence(lr, mvn), D.kl_divergence(mvn, lr), D.kl_divergence(lr, lr), gmm.sample((3,)),
            gmm.log_prob(t([0.0, 1.0])), gmm.cdf(t([0.0, 1.0])), gmm.variance]


def test_same_samples_and_values_on_the_stand_in_device():
    for r_dev, r_cpu in zip(_on("strict"), _on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        np.testing.assert_allclose(r_dev.cpu().tolist(), r_cpu.tolist(), rtol=1e-6)
