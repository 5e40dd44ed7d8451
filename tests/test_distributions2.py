"""reftorch.distributions (transforms, TransformedDistribution, LogNormal,
MultivariateNormal, and the gamma family …) against torch.distributions: values, shapes,
reprs, seeded samples (equal after ``manual_seed``), errors and gradients."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, raises_like

F32 = np.float32
F64 = np.float64


def _seeded(fn):
    """``fn(T)`` after ``T.manual_seed(0)``."""
    def run(T, *args):
        T.manual_seed(0)
        return fn(T, *args)
    return run


def same_text(fn):
    assert str(fn(reftorch)) == str(fn(torch))


def _tr(T):
    return T.distributions.transforms


# ----------------------------------------------------------------------------- transforms
X = np.array([[0.3, -1.0, 2.0], [0.0, 1.5, -0.25]], F32)
Y = np.array([[0.3, 1.0, 2.0], [0.1, 1.5, 0.25]], F32)


@pytest.mark.parametrize("make", [
    lambda T: _tr(T).ExpTransform(),
    lambda T: _tr(T).SigmoidTransform(),
    lambda T: _tr(T).AffineTransform(1.0, -2.0),
    lambda T: _tr(T).AffineTransform(T.tensor([0.5, 1.0, -1.0]), T.tensor([2.0, -0.5, 3.0])),
    lambda T: _tr(T).AffineTransform(0.5, T.tensor([2.0, 0.5, 3.0]), event_dim=1),
    lambda T: _tr(T).ComposeTransform([_tr(T).AffineTransform(1.0, 2.0), _tr(T).ExpTransform()]),
    lambda T: _tr(T).ComposeTransform([_tr(T).SigmoidTransform(), _tr(T).AffineTransform(0.0, 3.0, event_dim=1)]),
    lambda T: _tr(T).ExpTransform().inv,
    lambda T: _tr(T).identity_transform,
])
def test_transform_values(make):
    both(lambda T, x: make(T)(x), X)
    both(lambda T, y: make(T).inv(y / 3), Y)
    both(lambda T, x: make(T).log_abs_det_jacobian(x, make(T)(x)), X)
    check_grads(lambda T, x: make(T).log_abs_det_jacobian(x, make(T)(x)), X)
    check_grads(lambda T, x: make(T)(x), X)
    for attr in ("bijective", "domain", "codomain", "event_dim"):
        same_text(lambda T: getattr(make(T), attr))
    same_text(lambda T: make(T))
    same_text(lambda T: make(T).forward_shape((4, 3)))


def test_transform_attributes_and_cache():
    same_text(lambda T: (_tr(T).ExpTransform().sign, _tr(T).AffineTransform(0.0, -2.0).sign,
                         _tr(T).ComposeTransform([_tr(T).ExpTransform(), _tr(T).AffineTransform(0.0, -2.0)]).sign))
    both(lambda T: _tr(T).AffineTransform(0.0, T.tensor([-2.0, 3.0])).sign)
    for T in (torch, reftorch):
        tr = _tr(T)
        e = tr.ExpTransform()
        assert e.inv.inv is e and e == tr.ExpTransform() and e != tr.SigmoidTransform()
        assert tr.AffineTransform(1.0, 2.0) == tr.AffineTransform(1.0, 2.0)
        assert tr.AffineTransform(1.0, T.tensor([2.0])) != tr.AffineTransform(1.0, T.tensor([3.0]))
        c = tr.ComposeTransform([e, tr.AffineTransform(1.0, 2.0)])
        assert c.inv.inv is c and c == tr.ComposeTransform([tr.ExpTransform(), tr.AffineTransform(1.0, 2.0)])
        cached = e.with_cache(1)
        x = T.tensor([1.0, 2.0])
        y = cached(x)
        assert cached.inv(y) is x and cached(x) is y
        assert e.with_cache(0) is e
        assert tr.ComposeTransform([e], cache_size=1).parts[0]._cache_size == 1
        with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
            tr.ExpTransform(cache_size=2)
        with pytest.raises(NotImplementedError):
            tr.Transform().sign
        with pytest.raises(NotImplementedError):
            tr.Transform()(x)
        assert not tr.AbsTransform().bijective and tr.AbsTransform().inv(x) is x
    both(lambda T, x: _tr(T).AbsTransform()(x), X)
    both(lambda T: _tr(T).AffineTransform(1.0, T.ones(3)).forward_shape((2, 1)))


# ----------------------------------------------------------------------------- TransformedDistribution
def _logistic(T, loc=1.0, scale=2.0):
    D, tr = T.distributions, _tr(T)
    return D.TransformedDistribution(D.Uniform(0.0, 1.0), [tr.SigmoidTransform().inv, tr.AffineTransform(loc, scale)])


def test_transformed_distribution():
    v = np.array([[0.0, 1.0, -3.0], [0.5, 2.0, 8.0]], F32)
    both(lambda T, x: _logistic(T).log_prob(x), v)
    both(lambda T, x: _logistic(T).cdf(x), v)
    both(lambda T, x: _logistic(T, 1.0, -2.0).cdf(x), v)  # a decreasing transform flips the cdf
    both(lambda T, q: _logistic(T).icdf(q), np.array([0.1, 0.5, 0.9], F32))
    both(lambda T: (_logistic(T).batch_shape, _logistic(T).event_shape, _logistic(T).has_rsample))
    both(_seeded(lambda T: _logistic(T).sample((4,))))
    both(_seeded(lambda T: _logistic(T).rsample((2, 3))))
    same_text(lambda T: _logistic(T).support)
    # a vector transform turns batch dimensions of the base into event dimensions
    def vec(T, s):
        D = T.distributions
        return D.TransformedDistribution(D.Normal(T.zeros(2, 3), 1.0), _tr(T).AffineTransform(0.0, s, event_dim=1))
    s = np.array([1.0, 2.0, 0.5], F32)
    both(lambda T, s: (vec(T, s).batch_shape, vec(T, s).event_shape), s)
    both(lambda T, s, x: vec(T, s).log_prob(x), s, X)
    same_text(lambda T: vec(T, T.ones(3)).support)
    both(lambda T: vec(T, T.ones(3)).expand((4, 2)).batch_shape)
    # the transform broadcasts the base
    both(lambda T, s: T.distributions.TransformedDistribution(T.distributions.Normal(0.0, 1.0),
                                                              _tr(T).AffineTransform(0.0, s)).batch_shape, s)
    check_grads(lambda T, s, x: vec(T, s).log_prob(x), s, X)
    check_grads(_seeded(lambda T, s: vec(T, s).rsample((2,))), s)
    same_text(lambda T: T.distributions.TransformedDistribution(T.distributions.Normal(0.0, 1.0), []).support)


def test_transformed_distribution_errors():
    raises_like(lambda T: T.distributions.TransformedDistribution(T.distributions.Normal(0.0, 1.0), "exp"), msg=True)
    raises_like(lambda T: T.distributions.TransformedDistribution(T.distributions.Normal(0.0, 1.0), [1]), msg=True)
    raises_like(lambda T: T.distributions.TransformedDistribution(
        T.distributions.Normal(0.0, 1.0), _tr(T).AffineTransform(0.0, 1.0, event_dim=1)), msg=True)
    raises_like(lambda T: _logistic(T).log_prob(1.0), msg=True)


# ----------------------------------------------------------------------------- LogNormal
LOC = np.array([[0.0, 1.5, -2.0], [0.5, 0.0, 3.0]], F32)
SCALE = np.array([1.0, 0.5, 2.0], F32)


def test_log_normal():
    v = Y + 0.5
    both(lambda T, l, s, x: T.distributions.LogNormal(l, s).log_prob(x), LOC, SCALE, v)
    both(lambda T, l, s, x: T.distributions.LogNormal(l, s).cdf(x), LOC, SCALE, v)
    both(lambda T, l, s: T.distributions.LogNormal(l, s).icdf(T.tensor(0.3)), LOC, SCALE)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape", "event_shape", "loc", "scale"):
        both(lambda T, l, s: getattr(T.distributions.LogNormal(l, s), attr), LOC, SCALE)
    both(lambda T, l, s: T.distributions.LogNormal(l, s).entropy(), LOC, SCALE)
    both(_seeded(lambda T, l, s: T.distributions.LogNormal(l, s).sample((2,))), LOC, SCALE)
    both(_seeded(lambda T, l, s: T.distributions.LogNormal(l, s).rsample()), LOC, SCALE)
    both(_seeded(lambda T: T.distributions.LogNormal(0.0, 1.0).expand((3,)).sample()))
    same_text(lambda T: T.distributions.LogNormal(0.0, 1.0))
    same_text(lambda T: T.distributions.LogNormal(0.0, 1.0).support)
    assert type(reftorch.distributions.LogNormal(0.0, 1.0).expand((2,))).__name__ == "LogNormal"
    check_grads(lambda T, l, s, x: T.distributions.LogNormal(l, s).log_prob(x), LOC, SCALE, v)
    check_grads(_seeded(lambda T, l, s: T.distributions.LogNormal(l, s).rsample()), LOC, SCALE)
    check_grads(lambda T, l, s: T.distributions.LogNormal(l, s).entropy(), LOC, SCALE)
    raises_like(lambda T: T.distributions.LogNormal(0.0, -1.0), msg=True)
    raises_like(lambda T: T.distributions.LogNormal(0.0, 1.0).log_prob(T.tensor(-1.0)), msg=True)
    both(lambda T: T.distributions.kl_divergence(T.distributions.LogNormal(T.tensor([0.0, 1.0]), 1.0),
                                                 T.distributions.LogNormal(0.5, 2.0)))


# ----------------------------------------------------------------------------- MultivariateNormal
MU = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]], F64)
A = np.array([[2.0, 0.3, -0.4], [0.3, 1.0, 0.2], [-0.4, 0.2, 1.5]], F64)
COVS = np.stack([A, A @ A + np.eye(3)])
L = np.linalg.cholesky(A)
V = np.array([[[1.0, 0.0, -1.0], [0.3, 0.2, 0.1]], [[0.0, 2.0, 1.0], [-1.0, -1.0, -1.0]]], F64)  # (2, 2, 3)


def _mvn(T, mu, mat, kind):
    return T.distributions.MultivariateNormal(mu, **{kind: mat})


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal(kind):
    mat = L if kind == "scale_tril" else A
    both(lambda T, m, a, v: _mvn(T, m, a, kind).log_prob(v), MU, mat, V)
    both(lambda T, m, a: _mvn(T, m, a, kind).entropy(), MU, mat)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape", "event_shape", "scale_tril",
                 "covariance_matrix", "precision_matrix"):
        both(lambda T, m, a: getattr(_mvn(T, m, a, kind), attr), MU, mat, check_grad_fn=False)
    both(_seeded(lambda T, m, a: _mvn(T, m, a, kind).sample((4,))), MU, mat)
    both(_seeded(lambda T, m, a: _mvn(T, m, a, kind).rsample()), MU, mat)
    both(_seeded(lambda T, m, a: _mvn(T, m, a, kind).expand((3, 2)).sample()), MU, mat)
    check_grads(lambda T, m, a, v: _mvn(T, m, a, kind).log_prob(v), MU, mat, V)
    check_grads(_seeded(lambda T, m, a: _mvn(T, m, a, kind).rsample((2,))), MU, mat)
    check_grads(lambda T, m, a: _mvn(T, m, a, kind).entropy(), MU, mat)
    same_text(lambda T: _mvn(T, T.zeros(3), T.eye(3), kind))


def test_multivariate_normal_batches():
    """Batched covariances broadcast with loc; log_prob over sample and batch dimensions
    (the Mahalanobis term regroups the vectors per matrix)."""
    both(lambda T, m, c, v: T.distributions.MultivariateNormal(m[:1], c).log_prob(v), MU, COVS, V)
    both(lambda T, m, c: T.distributions.MultivariateNormal(m, c).batch_shape, MU[0], COVS)
    both(lambda T, m, c, v: T.distributions.MultivariateNormal(m, c).log_prob(v[:, :1]), MU[0], COVS, V)
    both(_seeded(lambda T, m, c: T.distributions.MultivariateNormal(m, c).rsample((2,))), MU[0], COVS)
    both(lambda T, m, c: T.distributions.MultivariateNormal(m, c).entropy(), MU, COVS)
    both(lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.eye(2)).entropy())
    both(lambda T, m, c: T.distributions.MultivariateNormal(m, c).expand((4, 2)).covariance_matrix.shape, MU, COVS)
    f32 = np.float32
    both(_seeded(lambda T, m, c: T.distributions.MultivariateNormal(m, c).sample()), MU.astype(f32), A.astype(f32))


def test_multivariate_normal_errors():
    D = "distributions"
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.tensor(0.0), T.eye(1)), msg=True)
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2)), msg=True)
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2), T.eye(2), scale_tril=T.eye(2)), msg=True)
    for kind, what in (("covariance_matrix", "covariance_matrix"), ("precision_matrix", "precision_matrix"),
                       ("scale_tril", "scale_tril matrix")):
        raises_like(lambda T: _mvn(T, T.zeros(2), T.ones(2), kind), msg=True)
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2), T.tensor([[1.0, 2.0], [2.0, 1.0]])))
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2), T.tensor([[1.0, 0.5], [0.0, 1.0]])))
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2), scale_tril=T.tensor([[1.0, 0.5], [0.0, 1.0]])))
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2), scale_tril=T.tensor([[-1.0, 0.0], [0.0, 1.0]])))
    raises_like(lambda T: getattr(T, D).MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(3)), msg=True)
    raises_like(lambda T: getattr(T, D).kl_divergence(getattr(T, D).MultivariateNormal(T.zeros(2), T.eye(2)),
                                                      getattr(T, D).MultivariateNormal(T.zeros(3), T.eye(3))),
                msg=True)


def test_multivariate_normal_kl():
    def kl(T, m, c, m2, s):
        D = T.distributions
        return D.kl_divergence(D.MultivariateNormal(m, c), D.MultivariateNormal(m2[0], scale_tril=s))
    both(kl, MU, COVS, MU[::-1].copy(), L)
    check_grads(kl, MU, COVS, MU[::-1].copy(), L)


def test_new_constraints():
    mats = np.stack([A, L, -A, np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])])
    for name in ("lower_cholesky", "lower_triangular", "positive_definite", "symmetric", "square"):
        both(lambda T, m: getattr(T.distributions.constraints, name).check(m), mats)
        same_text(lambda T: (getattr(T.distributions.constraints, name), getattr(T.distributions.constraints,
                                                                                  name).event_dim))
    both(lambda T: T.distributions.constraints.square.check(T.zeros(2, 3)))


# ----------------------------------------------------------------------------- gamma samplers
ALPHAS = np.array([0.0, 0.3, 1.0, 2.5, 0.05, 10.0, 100.0, 1e-3, 0.9999, 1e-30, 4.0, 0.5], F32)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_standard_gamma_and_dirichlet_samples_are_pytorchs(dtype):
    """The ported CPU samplers draw the same numbers (bit for bit) as PyTorch's."""
    a = ALPHAS.astype(dtype)
    both(_seeded(lambda T, a: T._standard_gamma(a)), a, exact=True)
    both(_seeded(lambda T, a: [T._standard_gamma(a.reshape(3, 4)), T._standard_gamma(a[::-1] * 3), T.randn(3)]), a,
         exact=True)
    conc = np.array([[0.5, 1.0, 2.0], [0.1, 0.2, 30.0], [1e-3, 5.0, 0.7]], dtype)
    both(_seeded(lambda T, c: T._sample_dirichlet(c)), conc, exact=dtype == F32)
    both(_seeded(lambda T, c: T._sample_dirichlet(c.expand(4, 3, 3))), conc)
    raises_like(lambda T: T._standard_gamma(T.ones(2, dtype=T.int64)), msg=True)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_gamma_and_dirichlet_gradients(dtype):
    a = np.array([0.3, 1.0, 2.5, 0.05, 10.0, 100.0, 3.0, 20.0, 20.0, 50.0], dtype)
    x = np.array([0.5, 1.5, 0.1, 3.0, 10.5, 80.0, 5.0, 19.0, 30.0, 10.0], dtype)
    both(lambda T, a, x: T._standard_gamma_grad(a, x), a, x)
    both(lambda T, x, a, t: T._dirichlet_grad(x, a, t), np.array([0.01, 0.2, 0.5, 0.9, 0.99, 0.45, 0.3, 0.6], dtype),
         np.array([0.5, 1.0, 2.0, 3.0, 0.7, 10.0, 3.0, 12.0], dtype),
         np.array([1.0, 3.0, 4.0, 4.0, 1.5, 21.0, 9.0, 30.0], dtype))
    check_grads(_seeded(lambda T, a: T._standard_gamma(a)), a)


# ----------------------------------------------------------------------------- Gamma, Chi2
CONC = np.array([[0.5, 2.0, 10.0], [1.0, 0.2, 3.0]], F32)
RATE = np.array([1.0, 0.5, 2.0], F32)
POS = np.array([[0.3, 1.0, 2.0], [0.1, 1.5, 0.25]], F32)


def test_gamma():
    G = lambda T, c, r: T.distributions.Gamma(c, r)  # noqa: E731
    both(lambda T, c, r, v: G(T, c, r).log_prob(v), CONC, RATE, POS)
    both(lambda T, c, r: G(T, c, r).log_prob(1.0), CONC, RATE)  # numbers become tensors
    both(lambda T, c, r: G(T, c, r).entropy(), CONC, RATE)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape", "event_shape"):
        both(lambda T, c, r: getattr(G(T, c, r), attr), CONC, RATE)
    both(_seeded(lambda T, c, r: G(T, c, r).sample((2,))), CONC, RATE)
    both(_seeded(lambda T, c, r: G(T, c, r).rsample()), CONC, RATE)
    both(_seeded(lambda T: T.distributions.Gamma(2.0, 3.0).sample((5,))))
    both(_seeded(lambda T: T.distributions.Gamma(T.tensor([1.5], dtype=T.float64), 1.0).expand((3, 1)).sample()))
    both(_seeded(lambda T, c, r: G(T, c, r).rsample()), CONC, RATE, requires_grad=True)
    check_grads(_seeded(lambda T, c, r: G(T, c, r).rsample((2,))), CONC, RATE)
    check_grads(lambda T, c, r, v: G(T, c, r).log_prob(v), CONC, RATE, POS)
    check_grads(lambda T, c, r: G(T, c, r).entropy(), CONC, RATE)
    same_text(lambda T: T.distributions.Gamma(1.0, 2.0))
    same_text(lambda T: T.distributions.Gamma(T.ones(2), 2.0))
    raises_like(lambda T: T.distributions.Gamma(0.0, 1.0), msg=True)
    raises_like(lambda T: T.distributions.Gamma(1.0, -1.0), msg=True)
    raises_like(lambda T: T.distributions.Gamma(1.0, 1.0).log_prob(T.tensor(-1.0)), msg=True)


def test_chi2():
    df = np.array([1.0, 4.0, 0.5], F32)
    both(lambda T, d, v: T.distributions.Chi2(d).log_prob(v), df, POS)
    for attr in ("mean", "variance", "df", "concentration", "rate", "batch_shape"):
        both(lambda T, d: getattr(T.distributions.Chi2(d), attr), df)
    both(lambda T, d: T.distributions.Chi2(d).entropy(), df)
    both(_seeded(lambda T, d: T.distributions.Chi2(d).sample((3,))), df)
    both(_seeded(lambda T, d: T.distributions.Chi2(d).expand((2, 3)).sample()), df)
    assert type(reftorch.distributions.Chi2(reftorch.ones(2)).expand((3, 2))).__name__ == "Chi2"
    check_grads(_seeded(lambda T, d: T.distributions.Chi2(d).rsample()), df)
    same_text(lambda T: T.distributions.Chi2(T.ones(2)))
    raises_like(lambda T: T.distributions.Chi2(T.tensor([-1.0])), msg=True)


def test_exponential_family_entropy_of_gamma_beta_dirichlet():
    """The generic entropy (autograd on the log normaliser) equals the closed form."""
    EF = lambda T, d: T.distributions.ExponentialFamily.entropy(d)  # noqa: E731
    both(lambda T, c, r: EF(T, T.distributions.Gamma(c, r)), CONC, RATE, check_grad_fn=False)
    both(lambda T, a, b: EF(T, T.distributions.Beta(a, b)), CONC, CONC[::-1].copy(), check_grad_fn=False)
    both(lambda T, c: EF(T, T.distributions.Dirichlet(c)), CONC, check_grad_fn=False)


# ----------------------------------------------------------------------------- Beta, Dirichlet
def test_dirichlet():
    Dr = lambda T, c: T.distributions.Dirichlet(c)  # noqa: E731
    v = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], F32)
    both(lambda T, c, x: Dr(T, c).log_prob(x), CONC, v)
    both(lambda T, c: Dr(T, c).entropy(), CONC)
    for attr in ("mean", "mode", "variance", "batch_shape", "event_shape"):
        both(lambda T, c: getattr(Dr(T, c), attr), CONC)
    both(lambda T: T.distributions.Dirichlet(T.tensor([[0.5, 0.2], [2.0, 3.0]])).mode)  # one-hot where all < 1
    both(_seeded(lambda T, c: Dr(T, c).sample((2,))), CONC)
    both(_seeded(lambda T, c: Dr(T, c).rsample()), CONC)
    both(_seeded(lambda T, c: Dr(T, c).expand((3, 2)).sample()), CONC)
    check_grads(lambda T, c, x: Dr(T, c).log_prob(x), CONC, v)
    check_grads(lambda T, c: Dr(T, c).entropy(), CONC)
    check_grads(_seeded(lambda T, c: Dr(T, c).rsample((2,))), CONC)
    check_grads(_seeded(lambda T, c: Dr(T, c).rsample((2,))), CONC.astype(F64))
    names = [T.distributions.Dirichlet(T.ones(2, requires_grad=True)).rsample().grad_fn.name() for T in (torch, reftorch)]
    assert names[0] == names[1] == "_DirichletBackward"
    same_text(lambda T: T.distributions.Dirichlet(T.ones(2, 3)))
    raises_like(lambda T: T.distributions.Dirichlet(T.tensor(1.0)), msg=True)
    raises_like(lambda T: T.distributions.Dirichlet(T.tensor([1.0, -1.0])), msg=True)
    raises_like(lambda T: T.distributions.Dirichlet(T.ones(3)).log_prob(T.tensor([0.5, 0.6, 0.1])), msg=True)


def test_beta():
    a, b = CONC, CONC[::-1].copy()
    B = lambda T, a, b: T.distributions.Beta(a, b)  # noqa: E731
    v = np.array([[0.1, 0.5, 0.9], [0.3, 0.99, 0.01]], F32)
    both(lambda T, a, b, x: B(T, a, b).log_prob(x), a, b, v)
    both(lambda T, a, b: B(T, a, b).entropy(), a, b)
    for attr in ("mean", "mode", "variance", "batch_shape", "event_shape", "concentration1", "concentration0"):
        both(lambda T, a, b: getattr(B(T, a, b), attr), a, b)
    both(_seeded(lambda T, a, b: B(T, a, b).sample((2,))), a, b)
    both(_seeded(lambda T, a, b: B(T, a, b).rsample()), a, b)
    both(_seeded(lambda T: T.distributions.Beta(0.5, 2.0).sample((4,))))
    both(_seeded(lambda T, a, b: B(T, a, b).expand((3, 2, 3)).sample()), a, b)
    check_grads(lambda T, a, b, x: B(T, a, b).log_prob(x), a, b, v)
    check_grads(_seeded(lambda T, a, b: B(T, a, b).rsample()), a, b)
    check_grads(_seeded(lambda T, a, b: B(T, a, b).rsample()), a.astype(F64), b.astype(F64))
    same_text(lambda T: T.distributions.Beta(1.0, 2.0))
    raises_like(lambda T: T.distributions.Beta(1.0, -2.0), msg=True)
    raises_like(lambda T: T.distributions.Beta(1.0, 2.0).log_prob(T.tensor(1.5)), msg=True)


# ----------------------------------------------------------------------------- KL
def _kl_pairs(T):
    D, t = T.distributions, T.tensor
    return {
        "gamma": (D.Gamma(t([1.0, 2.0]), t([0.5, 3.0])), D.Gamma(t(3.0), t([1.0, 2.0]))),
        "beta": (D.Beta(t([1.0, 2.0]), t([0.5, 3.0])), D.Beta(t(3.0), t([1.0, 2.0]))),
        "dirichlet": (D.Dirichlet(t([[1.0, 2.0, 0.5], [0.3, 0.3, 4.0]])), D.Dirichlet(t([2.0, 2.0, 1.0]))),
        "chi2": (D.Chi2(t([1.0, 2.0])), D.Chi2(t([3.0, 1.0]))),
        "lognormal": (D.LogNormal(t([0.0, 1.0]), 2.0), D.LogNormal(0.5, t([1.0, 3.0]))),
        "beta-exponential": (D.Beta(t([1.0, 2.0]), 0.5), D.Exponential(t([1.0, 3.0]))),
        "beta-gamma": (D.Beta(t([1.0, 2.0]), 0.5), D.Gamma(t([1.0, 3.0]), 2.0)),
        "beta-normal": (D.Beta(t([1.0, 2.0]), 0.5), D.Normal(t([1.0, 3.0]), 2.0)),
        "beta-uniform": (D.Beta(t([1.0, 2.0]), 0.5), D.Uniform(t([0.0, 0.5]), 2.0)),
        "exponential-gamma": (D.Exponential(t([1.0, 2.0])), D.Gamma(t([1.0, 3.0]), 2.0)),
        "gamma-exponential": (D.Gamma(t([1.0, 3.0]), 2.0), D.Exponential(t([1.0, 2.0]))),
        "gamma-normal": (D.Gamma(t([1.0, 3.0]), 2.0), D.Normal(t([1.0, 2.0]), 0.5)),
        "gamma-beta": (D.Gamma(t([1.0, 3.0]), 2.0), D.Beta(1.0, 2.0)),
        "gamma-uniform": (D.Gamma(t([1.0, 3.0]), 2.0), D.Uniform(0.0, 2.0)),
        "exponential-beta": (D.Exponential(t([1.0, 3.0])), D.Beta(1.0, 2.0)),
        "laplace-beta": (D.Laplace(t([1.0, 3.0]), 2.0), D.Beta(1.0, 2.0)),
        "laplace-gamma": (D.Laplace(t([1.0, 3.0]), 2.0), D.Gamma(1.0, 2.0)),
        "normal-beta": (D.Normal(t([1.0, 3.0]), 2.0), D.Beta(1.0, 2.0)),
        "normal-gamma": (D.Normal(t([1.0, 3.0]), 2.0), D.Gamma(1.0, 2.0)),
    }


@pytest.mark.parametrize("name", list(_kl_pairs(torch)))
def test_kl_divergence(name):
    both(lambda T: T.distributions.kl_divergence(*_kl_pairs(T)[name]))


def test_kl_gradients():
    def kl(T, c, r):
        D = T.distributions
        return [D.kl_divergence(D.Gamma(c, r), D.Gamma(2.0, 1.0)), D.kl_divergence(D.Dirichlet(c), D.Dirichlet(r)),
                D.kl_divergence(D.Beta(c, r), D.Beta(1.0, 3.0))]
    check_grads(kl, CONC, RATE)


# ----------------------------------------------------------------------------- StudentT, Cauchy, HalfNormal, Gumbel
DF = np.array([[0.5, 1.5, 3.0], [1.0, 2.0, 10.0]], F32)


def test_student_t():
    S = lambda T, d, l, s: T.distributions.StudentT(d, l, s)  # noqa: E731
    both(lambda T, d, l, s, v: S(T, d, l, s).log_prob(v), DF, LOC, SCALE, X)
    both(lambda T, d, l, s: S(T, d, l, s).entropy(), DF, LOC, SCALE)
    for attr in ("mean", "mode", "variance", "batch_shape", "event_shape"):
        both(lambda T, d, l, s: getattr(S(T, d, l, s), attr), DF, LOC, SCALE)
    both(_seeded(lambda T, d, l, s: S(T, d, l, s).sample((2,))), DF, LOC, SCALE)
    both(_seeded(lambda T, d, l, s: S(T, d, l, s).rsample()), DF, LOC, SCALE)
    both(_seeded(lambda T: T.distributions.StudentT(3.0).sample((4,))))
    both(_seeded(lambda T, d: T.distributions.StudentT(d).expand((4, 2, 3)).sample()), DF)
    both(lambda T: T.distributions.StudentT(3.0).batch_shape)
    check_grads(lambda T, d, l, s, v: S(T, d, l, s).log_prob(v), DF, LOC, SCALE, X)
    check_grads(lambda T, d, l, s: S(T, d, l, s).entropy(), DF, LOC, SCALE)
    check_grads(_seeded(lambda T, d, l, s: S(T, d, l, s).rsample()), DF, LOC, SCALE)
    same_text(lambda T: T.distributions.StudentT(2.0, 0.0, 1.0))
    raises_like(lambda T: T.distributions.StudentT(-1.0), msg=True)
    raises_like(lambda T: T.distributions.StudentT(1.0, 0.0, 0.0), msg=True)


def test_cauchy():
    C = lambda T, l, s: T.distributions.Cauchy(l, s)  # noqa: E731
    q = np.array([[0.1, 0.5, 0.9], [0.25, 0.75, 0.99]], F32)
    for method, v in (("log_prob", X), ("cdf", X), ("icdf", q)):
        both(lambda T, l, s, v: getattr(C(T, l, s), method)(v), LOC, SCALE, v)
        check_grads(lambda T, l, s, v: getattr(C(T, l, s), method)(v), LOC, SCALE, v)
    both(lambda T, l, s: C(T, l, s).entropy(), LOC, SCALE)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape"):
        both(lambda T, l, s: getattr(C(T, l, s), attr), LOC, SCALE)
    both(_seeded(lambda T, l, s: C(T, l, s).sample((2,))), LOC, SCALE)
    both(_seeded(lambda T, l, s: C(T, l, s).rsample()), LOC, SCALE)
    both(_seeded(lambda T: T.distributions.Cauchy(0.0, 1.0).sample((20,))))
    both(_seeded(lambda T: T.distributions.Cauchy(T.zeros(3, dtype=T.float64), 1.0).expand((2, 3)).sample()))
    check_grads(_seeded(lambda T, l, s: C(T, l, s).rsample()), LOC, SCALE)
    same_text(lambda T: T.distributions.Cauchy(0.0, 1.0))
    raises_like(lambda T: T.distributions.Cauchy(0.0, -1.0), msg=True)
    raises_like(lambda T: T.distributions.Cauchy(0.0, 1.0).cdf(1.0), msg=True)


def test_half_normal():
    H = lambda T, s: T.distributions.HalfNormal(s)  # noqa: E731
    v = np.array([[0.5, 1.0, 0.0], [2.0, 0.1, 3.0]], F32)
    for method, x in (("log_prob", v), ("cdf", v), ("icdf", v / 4)):
        both(lambda T, s, x: getattr(H(T, s), method)(x), SCALE, x)
        check_grads(lambda T, s, x: getattr(H(T, s), method)(x), SCALE, x)
    both(lambda T, s: H(T, s).log_prob(T.tensor(-1.0)), SCALE)  # -inf outside, no validation error
    both(lambda T, s: T.distributions.HalfNormal(s, validate_args=False).log_prob(T.tensor(-1.0)), SCALE)
    both(lambda T, s: H(T, s).entropy(), SCALE)
    for attr in ("mean", "mode", "variance", "scale", "batch_shape"):
        both(lambda T, s: getattr(H(T, s), attr), SCALE)
    both(_seeded(lambda T, s: H(T, s).sample((2,))), SCALE)
    both(_seeded(lambda T, s: H(T, s).expand((2, 3)).rsample()), SCALE)
    check_grads(_seeded(lambda T, s: H(T, s).rsample((2,))), SCALE)
    same_text(lambda T: T.distributions.HalfNormal(1.0))
    raises_like(lambda T: T.distributions.HalfNormal(-1.0), msg=True)


def test_gumbel():
    G = lambda T, l, s: T.distributions.Gumbel(l, s)  # noqa: E731
    both(lambda T, l, s, v: G(T, l, s).log_prob(v), LOC, SCALE, X)
    both(lambda T, l, s, v: G(T, l, s).cdf(v), LOC, SCALE, X)
    both(lambda T, l, s: G(T, l, s).icdf(T.tensor(0.3)), LOC, SCALE)
    both(lambda T, l, s: G(T, l, s).entropy(), LOC, SCALE)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape"):
        both(lambda T, l, s: getattr(G(T, l, s), attr), LOC, SCALE)
    both(_seeded(lambda T, l, s: G(T, l, s).sample((2,))), LOC, SCALE)
    both(_seeded(lambda T: T.distributions.Gumbel(1.0, 2.0).sample((5,))))
    both(_seeded(lambda T, l, s: G(T, l, s).expand((3, 2, 3)).sample()), LOC, SCALE)
    check_grads(lambda T, l, s, v: G(T, l, s).log_prob(v), LOC, SCALE, X)
    same_text(lambda T: T.distributions.Gumbel(1.0, 2.0))
    same_text(lambda T: T.distributions.Gumbel(1.0, 2.0).has_rsample)
    raises_like(lambda T: T.distributions.Gumbel(0.0, -1.0), msg=True)


def _kl_pairs3(T):
    D, t = T.distributions, T.tensor
    return {
        "cauchy": (D.Cauchy(t([1.0, 2.0]), t([0.5, 3.0])), D.Cauchy(t(3.0), t([1.0, 2.0]))),
        "gumbel": (D.Gumbel(t([1.0, 2.0]), t([0.5, 3.0])), D.Gumbel(t(3.0), t([1.0, 2.0]))),
        "halfnormal": (D.HalfNormal(t([0.5, 3.0])), D.HalfNormal(t([1.0, 2.0]))),
        "gumbel-normal": (D.Gumbel(t([1.0, 2.0]), 0.5), D.Normal(t([0.0, 3.0]), 2.0)),
        "normal-gumbel": (D.Normal(t([1.0, 2.0]), 0.5), D.Gumbel(t([0.0, 3.0]), 2.0)),
        "exponential-gumbel": (D.Exponential(t([1.0, 2.0])), D.Gumbel(t([0.0, 3.0]), 2.0)),
        "uniform-gumbel": (D.Uniform(t([1.0, 2.0]), 4.0), D.Gumbel(t([0.0, 3.0]), 2.0)),
        "gumbel-beta": (D.Gumbel(t([1.0, 2.0]), 0.5), D.Beta(1.0, 2.0)),
        "gumbel-exponential": (D.Gumbel(t([1.0, 2.0]), 0.5), D.Exponential(1.0)),
        "gumbel-gamma": (D.Gumbel(t([1.0, 2.0]), 0.5), D.Gamma(1.0, 2.0)),
        "gumbel-uniform": (D.Gumbel(t([1.0, 2.0]), 0.5), D.Uniform(0.0, 2.0)),
        "gamma-gumbel": (D.Gamma(t([1.0, 2.0]), 0.5), D.Gumbel(t([0.0, 3.0]), 2.0)),
        "uniform-beta": (D.Uniform(t([0.0, 0.2, -0.5]), t([1.0, 0.7, 0.5])), D.Beta(t([1.0, 2.0, 1.0]), 3.0)),
        "uniform-gamma": (D.Uniform(t([0.0, 0.2, -0.5]), t([1.0, 0.7, 0.5])), D.Gamma(t([1.0, 2.0, 1.0]), 3.0)),
    }


@pytest.mark.parametrize("name", list(_kl_pairs3(torch)))
def test_kl_divergence_more(name):
    both(lambda T: T.distributions.kl_divergence(*_kl_pairs3(T)[name]))


# ----------------------------------------------------------------------------- devices
def _on(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)

    def t(v):
        return T.tensor(v, device=device)
    mvn = D.MultivariateNormal(t([0.0, 1.0]), t([[2.0, 0.5], [0.5, 1.0]]))
    g = D.Gamma(t([0.5, 3.0]), 2.0)
    return [mvn.sample((3,)), mvn.log_prob(t([0.5, 0.5])), mvn.entropy(), mvn.precision_matrix,
            D.MultivariateNormal(t([0.0, 1.0]), precision_matrix=t([[2.0, 0.5], [0.5, 1.0]])).scale_tril,
            g.sample((2,)), g.log_prob(t([1.0, 2.0])), D.Dirichlet(t([0.5, 2.0, 1.0])).sample(),
            D.Beta(t([0.5, 2.0]), t([1.0, 3.0])).rsample(), D.LogNormal(t([0.0]), 1.0).sample(),
            D.StudentT(t([3.0])).sample(), D.Cauchy(t([0.0]), 1.0).sample(), D.Gumbel(t([0.0]), 1.0).sample(),
            D.HalfNormal(t([1.0])).sample(), D.kl_divergence(g, D.Gamma(t([1.0, 1.0]), 1.0)),
            D.kl_divergence(mvn, D.MultivariateNormal(t([0.0, 0.0]), scale_tril=t([[1.0, 0.0], [0.3, 2.0]])))]


def _grads(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)
    c = T.ones(3, device=device, requires_grad=True)
    D.Dirichlet(c).rsample()[0].backward()
    r = T.ones(3, device=device, requires_grad=True)
    D.Gamma(r, 1.0).rsample().sum().backward()
    return [c.grad, r.grad]


def test_same_samples_and_values_on_the_stand_in_device():
    for r_dev, r_cpu in zip(_on("strict") + _grads("strict"), _on("cpu") + _grads("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        assert r_dev.cpu().tolist() == r_cpu.tolist()
