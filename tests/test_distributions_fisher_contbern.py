"""reftorch.distributions.FisherSnedecor and ContinuousBernoulli against
torch.distributions: values, shapes, reprs, seeded samples (equal after ``manual_seed``),
errors, gradients and PyTorch's KL pairs with ContinuousBernoulli."""
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


# ----------------------------------------------------------------------------- FisherSnedecor
DF1 = np.array([[0.5, 1.5, 3.0], [1.0, 2.5, 10.0]], F32)
DF2 = np.array([1.5, 4.5, 8.0], F32)
X = np.array([[0.5, 1.0, 2.0], [0.1, 3.0, 0.7]], F32)


def _f(T, a, b):
    return T.distributions.FisherSnedecor(a, b)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_fisher_snedecor(dtype):
    a, b, x = DF1.astype(dtype), DF2.astype(dtype), X.astype(dtype)
    both(lambda T, a, b, x: _f(T, a, b).log_prob(x), a, b, x)
    for attr in ("mean", "mode", "variance", "batch_shape", "event_shape", "df1", "df2"):
        both(lambda T, a, b: getattr(_f(T, a, b), attr), a, b)
    both(_seeded(lambda T, a, b: _f(T, a, b).sample()), a, b)
    both(_seeded(lambda T, a, b: _f(T, a, b).rsample((3,))), a, b)
    both(_seeded(lambda T, a, b: _f(T, a, b[0]).expand((4, 2, 3)).sample()), a, b)
    check_grads(lambda T, a, b, x: _f(T, a, b).log_prob(x), a, b, x)
    check_grads(_seeded(lambda T, a, b: _f(T, a, b).rsample((2,))), a, b)


def test_fisher_snedecor_scalars_reprs_errors():
    both(_seeded(lambda T: T.distributions.FisherSnedecor(3.0, 5.0).sample((5,))))
    both(lambda T: T.distributions.FisherSnedecor(3.0, 5.0).batch_shape)
    both(lambda T: T.distributions.FisherSnedecor(T.tensor(3.0), 5.0).batch_shape)
    same_text(lambda T: T.distributions.FisherSnedecor(3.0, 5.0))
    same_text(lambda T: T.distributions.FisherSnedecor(T.ones(2), 5.0).expand((3, 2)))
    same_text(lambda T: T.distributions.FisherSnedecor(3.0, 5.0).support)
    raises_like(lambda T: T.distributions.FisherSnedecor(-1.0, 5.0), msg=True)
    raises_like(lambda T: T.distributions.FisherSnedecor(1.0, 5.0).log_prob(T.tensor(-1.0)), msg=True)


# ----------------------------------------------------------------------------- ContinuousBernoulli
PROBS = np.array([[0.2, 0.5, 0.9], [0.4995, 0.5005, 0.01]], F32)  # inside and outside the Taylor region
V = np.array([[0.1, 0.5, 0.9], [0.0, 1.0, 0.3]], F32)


def _cb(T, p, kind="probs", **kw):
    return T.distributions.ContinuousBernoulli(**{kind: p}, **kw)


@pytest.mark.parametrize("kind", ["probs", "logits"])
@pytest.mark.parametrize("dtype", [F32, F64])
def test_continuous_bernoulli(kind, dtype):
    p = PROBS.astype(dtype) if kind == "probs" else (np.log(PROBS / (1 - PROBS)) * 0.5).astype(dtype)
    v = V.astype(dtype)
    for method in ("log_prob", "cdf", "icdf"):
        both(lambda T, p, v: getattr(_cb(T, p, kind), method)(v), p, v)
        check_grads(lambda T, p, v: getattr(_cb(T, p, kind), method)(v), p, v)
    both(lambda T, p: _cb(T, p, kind).entropy(), p)
    check_grads(lambda T, p: _cb(T, p, kind).entropy(), p)
    for attr in ("mean", "variance", "stddev", "probs", "logits", "batch_shape", "param_shape"):
        both(lambda T, p: getattr(_cb(T, p, kind), attr), p)
        check_grads(lambda T, p: getattr(_cb(T, p, kind), attr), p)
    both(_seeded(lambda T, p: _cb(T, p, kind).sample()), p)
    both(_seeded(lambda T, p: _cb(T, p, kind).rsample((3,))), p)
    both(_seeded(lambda T, p: _cb(T, p[0], kind).expand((2, 3)).sample()), p)
    check_grads(_seeded(lambda T, p: _cb(T, p, kind).rsample((2,))), p)
    # the Bregman entropy of the exponential family through the log normaliser
    both(lambda T, p: T.distributions.ExponentialFamily.entropy(_cb(T, p, kind)), p)
    both(lambda T, p: _cb(T, p, kind, lims=(0.3, 0.7)).mean, p)


def test_continuous_bernoulli_scalars_reprs_errors():
    both(lambda T: T.distributions.ContinuousBernoulli(0.3).batch_shape)
    both(lambda T: T.distributions.ContinuousBernoulli(T.tensor(0.3)).batch_shape)
    both(_seeded(lambda T: T.distributions.ContinuousBernoulli(logits=1.5).sample((4,))))
    same_text(lambda T: T.distributions.ContinuousBernoulli(0.3))
    same_text(lambda T: T.distributions.ContinuousBernoulli(T.tensor([0.3, 0.6])))
    same_text(lambda T: T.distributions.ContinuousBernoulli(T.tensor([0.3, 0.6])).support)
    # probs outside [0, 1] are only caught when validate_args is given (they are clamped)
    both(lambda T: T.distributions.ContinuousBernoulli(T.tensor([1.5, -0.5])).probs)
    raises_like(lambda T: T.distributions.ContinuousBernoulli(T.tensor([1.5]), validate_args=False), msg=True)
    raises_like(lambda T: T.distributions.ContinuousBernoulli(T.tensor([1.5]), validate_args=True), msg=True)
    raises_like(lambda T: T.distributions.ContinuousBernoulli(), msg=True)
    raises_like(lambda T: T.distributions.ContinuousBernoulli(0.3, 0.2), msg=True)
    raises_like(lambda T: T.distributions.ContinuousBernoulli(0.3).log_prob(T.tensor(1.5)), msg=True)
    raises_like(lambda T: T.distributions.ContinuousBernoulli(0.3).cdf(T.tensor(-0.5)), msg=True)


def _kl_pairs(T):
    D, t = T.distributions, T.tensor
    cb = D.ContinuousBernoulli(t([0.2, 0.5, 0.9]))
    return {
        "cb-cb": (cb, D.ContinuousBernoulli(t([0.7, 0.3, 0.5002]))),
        "cb-cb-logits": (D.ContinuousBernoulli(logits=t([0.2, -1.0])), D.ContinuousBernoulli(logits=t(1.0))),
        "beta-cb": (D.Beta(t([1.0, 2.0, 0.5]), 3.0), cb),
        "cb-exponential": (cb, D.Exponential(t([1.0, 2.0, 0.5]))),
        "cb-normal": (cb, D.Normal(t([0.0, 1.0, 0.5]), 2.0)),
        "cb-uniform": (cb, D.Uniform(t([-1.0, 0.0, 0.2]), t([2.0, 1.0, 0.8]))),
        "uniform-cb": (D.Uniform(t([-1.0, 0.0, 0.2]), t([2.0, 1.0, 0.8])), cb),
        "exponential-cb": (D.Exponential(t([1.0, 2.0, 0.5])), cb),
        "gamma-cb": (D.Gamma(t([1.0, 2.0, 0.5]), 1.0), cb),
        "gumbel-cb": (D.Gumbel(t([1.0, 2.0, 0.5]), 1.0), cb),
        "laplace-cb": (D.Laplace(t([1.0, 2.0, 0.5]), 1.0), cb),
        "normal-cb": (D.Normal(t([1.0, 2.0, 0.5]), 1.0), cb),
    }


@pytest.mark.parametrize("name", list(_kl_pairs(torch)))
def test_kl_divergence(name):
    both(lambda T: T.distributions.kl_divergence(*_kl_pairs(T)[name]))


def test_kl_gradients():
    def kl(T, p, q):
        D = T.distributions
        return [D.kl_divergence(D.ContinuousBernoulli(p), D.ContinuousBernoulli(q)),
                D.kl_divergence(D.ContinuousBernoulli(p), D.Normal(q, 1.0)),
                D.kl_divergence(D.Beta(q + 1, 2.0), D.ContinuousBernoulli(p))]
    check_grads(kl, PROBS, PROBS[::-1].copy())


# ----------------------------------------------------------------------------- devices
def _on(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)
    t = lambda v: T.tensor(v, device=device)  # noqa: E731
    f = D.FisherSnedecor(t([3.0, 0.5]), t([8.0, 2.0]))
    cb = D.ContinuousBernoulli(t([0.2, 0.5, 0.9]))
    return [f.sample((2,)), f.log_prob(t([0.5, 1.0])), f.mean, f.mode, cb.sample((2,)), cb.log_prob(t([0.1, 0.2, 0.3])),
            cb.cdf(t([0.1, 0.2, 0.3])), cb.entropy(), cb.variance,
            D.kl_divergence(cb, D.Uniform(t([0.0, -1.0, 0.0]), t([2.0, 2.0, 1.0])))]


def test_same_samples_and_values_on_the_stand_in_device():
    for r_dev, r_cpu in zip(_on("strict"), _on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        np.testing.assert_equal(r_dev.cpu().tolist(), r_cpu.tolist())
