"""reftorch.distributions against torch.distributions: values, shapes, dtypes, reprs,
seeded samples (equal after ``manual_seed``), errors and gradients."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, raises_like

F32 = np.float32


def _seeded(fn):
    """``fn(T)`` after ``T.manual_seed(0)``."""
    def run(T, *args):
        T.manual_seed(0)
        return fn(T, *args)
    return run


def _text(T, fn):
    """``str``/``repr`` output of ``fn(T)`` (the same for both libraries)."""
    return str(fn(T))


def same_text(fn):
    assert _text(reftorch, fn) == _text(torch, fn)


LOC = np.array([[0.0, 1.5, -2.0], [0.5, 0.0, 3.0]], F32)
SCALE = np.array([1.0, 0.5, 2.0], F32)
PROBS = np.array([[0.1, 0.5, 0.9], [0.0, 1.0, 0.3]], F32)
WEIGHTS = np.array([[1.0, 2.0, 1.0, 4.0], [0.0, 3.0, 1.0, 1.0]], F32)


# ----------------------------------------------------------------------------- Normal
def test_normal_values():
    x = np.array([[0.3, -1.0, 2.0]], F32)
    both(lambda T, l, s, v: T.distributions.Normal(l, s).log_prob(v), LOC, SCALE, x)
    both(lambda T, l, s, v: T.distributions.Normal(l, s).cdf(v), LOC, SCALE, x)
    both(lambda T, l, s: T.distributions.Normal(l, s).entropy(), LOC, SCALE)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape", "event_shape"):
        both(lambda T, l, s: getattr(T.distributions.Normal(l, s), attr), LOC, SCALE)
    both(lambda T: T.distributions.Normal(0.0, 2.0).log_prob(T.tensor(1.0)))
    both(lambda T, l: T.distributions.Normal(l, 1.0).perplexity(), LOC.astype(np.float64))


def test_normal_samples_are_seeded_like_pytorch():
    both(_seeded(lambda T, l, s: T.distributions.Normal(l, s).sample()), LOC, SCALE)
    both(_seeded(lambda T, l, s: T.distributions.Normal(l, s).sample((4, 2))), LOC, SCALE)
    both(_seeded(lambda T, l, s: T.distributions.Normal(l, s).rsample((3,))), LOC, SCALE)
    both(_seeded(lambda T: T.distributions.Normal(0.0, 1.0).sample((5,))))
    both(_seeded(lambda T: T.distributions.Normal(T.tensor(1.0, dtype=T.float64), 2.0).rsample((7,))))
    # sample_n is deprecated (FutureWarning) but still there
    both(_seeded(lambda T: T.distributions.Normal(0.0, 1.0).sample_n(3)))
    with pytest.warns(FutureWarning, match="sample_n"):
        reftorch.distributions.Normal(0.0, 1.0).sample_n(2)


def test_normal_repr_and_shapes():
    same_text(lambda T: T.distributions.Normal(0.0, 1.0))
    same_text(lambda T: T.distributions.Normal(T.tensor([0.5]), 1.0))
    same_text(lambda T: T.distributions.Normal(T.zeros(2, 3), T.ones(3)))
    both(lambda T: T.distributions.Normal(T.zeros(2, 3), T.ones(3)).expand((4, 2, 3)).batch_shape)
    both(_seeded(lambda T: T.distributions.Normal(T.zeros(3), 1.0).expand((2, 3)).sample((2,))))
    both(lambda T: T.distributions.Normal(0.0, 1.0).loc.dtype)
    both(lambda T: T.distributions.Normal(T.tensor([0.0], dtype=T.float64), 1).scale)


def test_normal_errors():
    raises_like(lambda T: T.distributions.Normal(0.0, -1.0), msg=True)
    raises_like(lambda T: T.distributions.Normal(T.tensor([0.0, float("nan")]), 1.0), msg=True)
    raises_like(lambda T: T.distributions.Normal(0.0, 1.0).log_prob(1.0), msg=True)
    raises_like(lambda T: T.distributions.Normal(T.zeros(3), 1.0).log_prob(T.zeros(2)), msg=True)
    raises_like(lambda T: T.distributions.Normal(0.0, "a"), msg=True)
    raises_like(lambda T: T.distributions.Normal(0.0, 1.0).enumerate_support())
    # validate_args=False skips the check
    both(lambda T: T.distributions.Normal(0.0, -1.0, validate_args=False).scale)


def test_validate_args_default_switch():
    for T in (torch, reftorch):
        D = T.distributions.Distribution
        try:
            D.set_default_validate_args(False)
            assert T.distributions.Normal(0.0, -1.0).scale.item() == -1.0
        finally:
            D.set_default_validate_args(True)
        with pytest.raises(ValueError):
            T.distributions.Normal(0.0, -1.0)
        with pytest.raises(ValueError):
            D.set_default_validate_args(1.5)


def test_error_message_shows_values():
    """The whole message (with the offending values printed) matches PyTorch's."""
    def msg(T):
        try:
            T.distributions.Uniform(T.tensor([0.0, 2.0]), T.tensor([1.0, 1.0]))
        except ValueError as e:
            return str(e)
    assert msg(reftorch) == msg(torch)


# ----------------------------------------------------------------------------- Uniform
def test_uniform():
    low, high = np.array([0.0, -1.0, 2.0], F32), np.array([1.0, 3.0, 2.5], F32)
    x = np.array([0.5, 2.9, 2.0], F32)
    for method in ("log_prob", "cdf", "icdf"):
        both(lambda T, a, b, v: getattr(T.distributions.Uniform(a, b), method)(v), low, high, x / 4 if method == "icdf"
             else x)
    both(lambda T, a, b: T.distributions.Uniform(a, b, validate_args=False).log_prob(T.tensor(5.0)), low, high)
    for attr in ("mean", "mode", "variance", "stddev"):
        both(lambda T, a, b: getattr(T.distributions.Uniform(a, b), attr), low, high)
    both(lambda T, a, b: T.distributions.Uniform(a, b).entropy(), low, high)
    both(_seeded(lambda T, a, b: T.distributions.Uniform(a, b).sample((2, 2))), low, high)
    both(_seeded(lambda T, a, b: T.distributions.Uniform(a, b).rsample()), low, high)
    both(_seeded(lambda T: T.distributions.Uniform(-1.0, 1.0).sample((6,))))
    same_text(lambda T: T.distributions.Uniform(0.0, 1.0))
    same_text(lambda T: T.distributions.Uniform(T.zeros(2), 1.0).support)
    raises_like(lambda T: T.distributions.Uniform(1.0, 0.0), msg=True)
    raises_like(lambda T: T.distributions.Uniform(0.0, 1.0).log_prob(T.tensor(2.0)), msg=True)


# ----------------------------------------------------------------------------- Bernoulli
def test_bernoulli_values():
    v = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], F32)
    for kw in ("probs", "logits"):
        param = PROBS if kw == "probs" else (PROBS - 0.5) * 6
        mk = (lambda T, p, kw=kw: T.distributions.Bernoulli(**{kw: p}))
        both(lambda T, p, x: mk(T, p).log_prob(x), param, v)
        both(lambda T, p: mk(T, p).entropy(), param)
        for attr in ("mean", "mode", "variance", "stddev", "probs", "logits", "param_shape", "batch_shape"):
            both(lambda T, p: getattr(mk(T, p), attr), param)
        both(lambda T, p: mk(T, p).enumerate_support(), param)
        both(lambda T, p: mk(T, p).enumerate_support(expand=False), param)
        both(_seeded(lambda T, p: mk(T, p).sample((3,))), param)
        same_text(lambda T: mk(T, T.tensor([0.25, 0.5])))
    both(lambda T: T.distributions.Bernoulli(0.3).probs)
    both(lambda T: T.distributions.Bernoulli(logits=-2).probs)
    both(lambda T: T.distributions.Bernoulli(T.tensor([0.5, 0.25])).expand((3, 2)).logits)
    same_text(lambda T: T.distributions.Bernoulli(logits=0.3))


def test_bernoulli_errors():
    raises_like(lambda T: T.distributions.Bernoulli(), msg=True)
    raises_like(lambda T: T.distributions.Bernoulli(0.5, 0.0), msg=True)
    raises_like(lambda T: T.distributions.Bernoulli(T.tensor([0.5, 1.5])), msg=True)
    raises_like(lambda T: T.distributions.Bernoulli(0.5).log_prob(T.tensor(0.5)), msg=True)
    raises_like(lambda T: T.distributions.Bernoulli(0.5).rsample())


# ----------------------------------------------------------------------------- Categorical
def test_categorical_values():
    idx = np.array([[3, 0], [1, 2]], np.int64)
    for kw in ("probs", "logits"):
        param = WEIGHTS if kw == "probs" else np.log(WEIGHTS + 0.5)
        mk = (lambda T, p, kw=kw: T.distributions.Categorical(**{kw: p}))
        both(lambda T, p: mk(T, p).probs, param)
        both(lambda T, p: mk(T, p).logits, param)
        both(lambda T, p, i: mk(T, p).log_prob(i), param, idx)
        both(lambda T, p: mk(T, p).entropy(), param)
        for attr in ("mean", "mode", "variance", "param_shape", "batch_shape", "event_shape"):
            both(lambda T, p: getattr(mk(T, p), attr), param)
        both(lambda T, p: mk(T, p).enumerate_support(), param)
        both(lambda T, p: mk(T, p).enumerate_support(False), param)
        both(_seeded(lambda T, p: mk(T, p).sample()), param)
        both(_seeded(lambda T, p: mk(T, p).sample((5, 2))), param)
        both(_seeded(lambda T, p: mk(T, p).expand((3, 2)).sample((2,))), param)
        same_text(lambda T: mk(T, T.tensor([1.0, 2.0])))
    both(_seeded(lambda T: T.distributions.Categorical(T.tensor([0.2, 0.3, 0.5])).sample((10,))))
    same_text(lambda T: T.distributions.Categorical(T.tensor([0.2, 0.8])).support)


def test_categorical_errors():
    raises_like(lambda T: T.distributions.Categorical(), msg=True)
    raises_like(lambda T: T.distributions.Categorical(T.tensor(1.0)), msg=True)
    raises_like(lambda T: T.distributions.Categorical(logits=T.tensor(1.0)), msg=True)
    raises_like(lambda T: T.distributions.Categorical(T.tensor([-1.0, 2.0])), msg=True)
    raises_like(lambda T: T.distributions.Categorical(T.ones(3)).log_prob(T.tensor(3)), msg=True)


# ----------------------------------------------------------------------------- constraints
def test_constraint_reprs_and_checks():
    names = ("real", "positive", "nonnegative", "unit_interval", "simplex", "boolean", "one_hot", "real_vector",
             "nonnegative_integer", "positive_integer", "dependent")
    for name in names:
        same_text(lambda T: getattr(T.distributions.constraints, name))
    same_text(lambda T: T.distributions.constraints.interval(0.0, 2.5))
    same_text(lambda T: T.distributions.constraints.half_open_interval(-1, 1))
    same_text(lambda T: T.distributions.constraints.integer_interval(0, 4))
    same_text(lambda T: T.distributions.constraints.greater_than_eq(1.0))
    same_text(lambda T: T.distributions.constraints.independent(T.distributions.constraints.positive, 2))
    x = np.array([[0.0, 1.0, 0.5], [-1.0, float("nan"), 2.0]], F32)
    for name in ("real", "positive", "nonnegative", "unit_interval", "simplex", "boolean", "one_hot", "real_vector",
                 "nonnegative_integer", "positive_integer"):
        both(lambda T, v: getattr(T.distributions.constraints, name).check(v), x)
    both(lambda T, v: T.distributions.constraints.half_open_interval(0.0, 1.0).check(v), x)
    both(lambda T, v: T.distributions.constraints.independent(T.distributions.constraints.real, 2).check(v), x)
    raises_like(lambda T, v: T.distributions.constraints.dependent.check(v), x, msg=True)
    both(lambda T: T.distributions.constraints.is_dependent(T.distributions.Uniform.support))
    both(lambda T: T.distributions.Categorical.support.is_discrete)
    both(lambda T: (T.distributions.constraints.simplex.event_dim, T.distributions.constraints.real.is_discrete))


def test_distribution_base():
    for T in (torch, reftorch):
        class Plain(T.distributions.Distribution):
            arg_constraints = {}

        d = Plain(T.Size([2]))
        with pytest.raises(NotImplementedError):
            d.sample()
        with pytest.raises(NotImplementedError, match="does not implement mode"):
            d.mode
        assert repr(d) == "Plain()"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="does not define `support`"):
                d._validate_sample(T.zeros(2))
    both(lambda T: T.distributions.Normal(T.zeros(2), 1.0).has_rsample)
    both(lambda T: (T.distributions.Bernoulli.has_enumerate_support, T.distributions.Bernoulli.has_rsample))
    assert isinstance(reftorch.distributions.Normal(0.0, 1.0), reftorch.distributions.ExponentialFamily)


# ----------------------------------------------------------------------------- gradients
def test_gradients_flow_through_rsample_log_prob_entropy():
    x = np.array([[0.3, -1.0, 2.0]], F32)
    check_grads(lambda T, l, s, v: T.distributions.Normal(l, s).log_prob(v), LOC, SCALE, x)
    check_grads(lambda T, l, s: T.distributions.Normal(l, s).entropy(), LOC, SCALE)
    check_grads(lambda T, l, s: T.distributions.Normal(l, s).cdf(T.tensor(0.25)), LOC, SCALE)
    check_grads(_seeded(lambda T, l, s: T.distributions.Normal(l, s).rsample((2,))), LOC, SCALE)
    low, high = np.array([0.0, -1.0], F32), np.array([1.0, 3.0], F32)
    check_grads(_seeded(lambda T, a, b: T.distributions.Uniform(a, b).rsample((3,))), low, high)
    check_grads(lambda T, a, b: T.distributions.Uniform(a, b).entropy(), low, high)
    p = np.array([0.2, 0.5, 0.7], F32)
    v = np.array([1.0, 0.0, 1.0], F32)
    check_grads(lambda T, q, x: T.distributions.Bernoulli(q).log_prob(x), p, v)
    check_grads(lambda T, q: T.distributions.Bernoulli(logits=q).entropy(), p)
    check_grads(lambda T, w: T.distributions.Categorical(w).log_prob(T.tensor([0, 3])), WEIGHTS)
    check_grads(lambda T, w: T.distributions.Categorical(logits=w).entropy(), WEIGHTS)


def test_sample_is_outside_the_graph():
    both(_seeded(lambda T, l: T.distributions.Normal(l, 1.0).sample()), LOC, requires_grad=True)
    both(_seeded(lambda T, p: T.distributions.Bernoulli(p).sample()), PROBS, requires_grad=True)


def test_exponential_family_entropy_by_bregman_divergence():
    """The generic entropy (autograd on the log normaliser) equals the closed form."""
    both(lambda T, l, s: T.distributions.ExponentialFamily.entropy(T.distributions.Normal(l, s)), LOC, SCALE,
         check_grad_fn=False)
    both(lambda T, p: T.distributions.ExponentialFamily.entropy(T.distributions.Bernoulli(p)), PROBS[:1],
         check_grad_fn=False)


# ----------------------------------------------------------------------------- Tensor.exponential_
def test_exponential_fill_matches_pytorch_stream():
    for dtype in ("float32", "float64", "float16"):
        both(_seeded(lambda T: T.empty(3, 4, dtype=getattr(T, dtype)).exponential_()), exact=dtype != "float16")
    both(_seeded(lambda T: T.empty(2, 3).t().exponential_(3.0)), exact=True)
    both(lambda T: T.zeros(2, requires_grad=True).clone().exponential_().grad_fn.name())
    raises_like(lambda T: T.empty(2).exponential_(0.0), msg=True)
    raises_like(lambda T: T.empty(2).exponential_(-1), msg=True)
    raises_like(lambda T: T.empty(2, dtype=T.int64).exponential_(), msg=True)


# ----------------------------------------------------------------------------- the other distributions
RATE = np.array([0.5, 2.0, 1.0], F32)


def test_exponential():
    x = np.array([1.0, 0.25, 0.0], F32)
    for method in ("log_prob", "cdf"):
        both(lambda T, r, v: getattr(T.distributions.Exponential(r), method)(v), RATE, x)
    both(lambda T, r, v: T.distributions.Exponential(r).icdf(v), RATE, x / 2)
    for attr in ("mean", "mode", "variance", "stddev"):
        both(lambda T, r: getattr(T.distributions.Exponential(r), attr), RATE)
    both(lambda T, r: T.distributions.Exponential(r).entropy(), RATE)
    both(_seeded(lambda T, r: T.distributions.Exponential(r).sample((2,))), RATE)
    both(_seeded(lambda T: T.distributions.Exponential(2.0).rsample((5,))))
    check_grads(_seeded(lambda T, r: T.distributions.Exponential(r).rsample((2,))), RATE)
    check_grads(lambda T, r, v: T.distributions.Exponential(r).log_prob(v), RATE, x)
    same_text(lambda T: T.distributions.Exponential(1.0))
    raises_like(lambda T: T.distributions.Exponential(0.0), msg=True)
    raises_like(lambda T: T.distributions.Exponential(1.0).log_prob(T.tensor(-1.0)), msg=True)


def test_laplace():
    x = np.array([[0.3, -1.0, 2.0]], F32)
    for method in ("log_prob", "cdf"):
        both(lambda T, l, s, v: getattr(T.distributions.Laplace(l, s), method)(v), LOC, SCALE, x)
    both(lambda T, l, s: T.distributions.Laplace(l, s).icdf(T.tensor([0.1, 0.5, 0.8])), LOC, SCALE)
    for attr in ("mean", "mode", "variance", "stddev"):
        both(lambda T, l, s: getattr(T.distributions.Laplace(l, s), attr), LOC, SCALE)
    both(lambda T, l, s: T.distributions.Laplace(l, s).entropy(), LOC, SCALE)
    both(_seeded(lambda T, l, s: T.distributions.Laplace(l, s).sample((3,))), LOC, SCALE)
    both(_seeded(lambda T: T.distributions.Laplace(0.0, 2.0).rsample((5,))))
    check_grads(_seeded(lambda T, l, s: T.distributions.Laplace(l, s).rsample()), LOC, SCALE)
    check_grads(lambda T, l, s, v: T.distributions.Laplace(l, s).log_prob(v), LOC, SCALE, x)
    same_text(lambda T: T.distributions.Laplace(0.0, 2.0))
    raises_like(lambda T: T.distributions.Laplace(0.0, 0.0), msg=True)


def test_one_hot_categorical():
    v = np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0]], F32)
    for kw in ("probs", "logits"):
        param = WEIGHTS if kw == "probs" else np.log(WEIGHTS + 0.5)
        mk = (lambda T, p, kw=kw: T.distributions.OneHotCategorical(**{kw: p}))
        both(lambda T, p, x: mk(T, p).log_prob(x), param, v)
        both(lambda T, p: mk(T, p).entropy(), param)
        for attr in ("mean", "mode", "variance", "probs", "logits", "param_shape", "batch_shape", "event_shape"):
            both(lambda T, p: getattr(mk(T, p), attr), param)
        both(lambda T, p: mk(T, p).enumerate_support(), param)
        both(lambda T, p: mk(T, p).enumerate_support(expand=False), param)
        both(_seeded(lambda T, p: mk(T, p).sample((3,))), param)
        both(_seeded(lambda T, p: mk(T, p).expand((2, 2)).sample()), param)
    same_text(lambda T: T.distributions.OneHotCategorical(T.tensor([0.5, 0.5])))
    raises_like(lambda T: T.distributions.OneHotCategorical(T.tensor([0.5, 0.5])).log_prob(T.tensor([0.5, 0.5])),
                msg=True)


def test_one_hot_categorical_straight_through():
    mk = (lambda T, w: T.distributions.OneHotCategoricalStraightThrough(logits=w))
    check_grads(_seeded(lambda T, w: mk(T, w).rsample((3,))), np.log(WEIGHTS + 0.5))
    both(_seeded(lambda T, w: mk(T, w).sample()), np.log(WEIGHTS + 0.5))
    both(lambda T, w: (mk(T, w).has_rsample, mk(T, w).expand((4, 2)).batch_shape), WEIGHTS)
    same_text(lambda T: mk(T, T.zeros(3)))
    both(lambda T, w: T.distributions.kl_divergence(mk(T, w), T.distributions.OneHotCategorical(T.ones(4))), WEIGHTS)


def test_poisson():
    rate = np.array([2.0, 0.5, 0.0], F32)
    v = np.array([[0.0, 3.0, 0.0], [7.0, 100.0, 2.0]], F32)
    both(lambda T, r, x: T.distributions.Poisson(r).log_prob(x), rate, v)
    both(lambda T, r, x: T.distributions.Poisson(r).log_prob(x), rate.astype(np.float64), v.astype(np.float64))
    for attr in ("mean", "mode", "variance", "stddev"):
        both(lambda T, r: getattr(T.distributions.Poisson(r), attr), rate)
    check_grads(lambda T, r, x: T.distributions.Poisson(r).log_prob(x), rate[:2] + 1, v[:, :2], check_grad_fn=False)
    same_text(lambda T: T.distributions.Poisson(T.tensor([1.0, 2.0])))
    raises_like(lambda T: T.distributions.Poisson(-1.0), msg=True)
    raises_like(lambda T: T.distributions.Poisson(1.0).log_prob(T.tensor(0.5)), msg=True)
    both(_seeded(lambda T, r: T.distributions.Poisson(r).sample((4,))), rate * 10, exact=True)
    both(_seeded(lambda T: T.distributions.Poisson(T.tensor([3.0, 12.0], dtype=T.float64)).sample()), exact=True)
    raises_like(lambda T: T.distributions.Poisson(1.0).rsample())


def test_torch_poisson():
    """PyTorch's CPU sampler (product of uniforms below 10, Hormann's rejection above),
    the same values and the same generator position afterwards."""
    rates = np.array([0.0, 1e-3, 0.5, 9.99, 10.0, 10.5, 30.0, 100.0, 1e4, 1e7], F32)
    for dtype in (np.float32, np.float64, np.float16):
        both(_seeded(lambda T, r: (T.poisson(r), T.rand(3))), rates[:8].astype(dtype), exact=True)
    both(_seeded(lambda T, r: T.poisson(r)), rates, exact=True)
    both(_seeded(lambda T, r: T.poisson(r.t())), np.arange(12.0, dtype=F32).reshape(3, 4) * 2, exact=True)
    both(_seeded(lambda T: T.poisson(T.tensor([2.0]), generator=T.Generator().manual_seed(5))), exact=True)
    both(_seeded(lambda T: T.poisson(T.tensor([1.0, 20.0], requires_grad=True))))
    check_grads(_seeded(lambda T, r: T.poisson(r)), rates[:4])
    raises_like(lambda T: T.poisson(T.tensor([-1.0])), msg=True)
    raises_like(lambda T: T.poisson(T.tensor([float("nan")])), msg=True)
    raises_like(lambda T: T.poisson(T.tensor([1])), msg=True)


def test_binomial():
    p = np.array([0.5, 0.1, 0.9], F32)
    v = np.array([[0.0, 2.0, 4.0], [1.0, 3.0, 3.0]], F32)
    both(lambda T, q, x: T.distributions.Binomial(4, q).log_prob(x), p, v)
    both(lambda T, q, x: T.distributions.Binomial(4, logits=q).log_prob(x), p * 4 - 2, v)
    both(lambda T, q, x: T.distributions.Binomial(T.tensor([[5.0], [10.0]]), q).log_prob(x), p, v)
    for attr in ("mean", "mode", "variance", "stddev", "probs", "logits", "total_count", "param_shape"):
        both(lambda T, q: getattr(T.distributions.Binomial(4, q), attr), p)
    both(lambda T, q: T.distributions.Binomial(4, q).entropy(), p)
    both(lambda T, q: T.distributions.Binomial(3, q).enumerate_support(), p)
    both(lambda T, q: T.distributions.Binomial(3, q).enumerate_support(False), p)
    both(lambda T, q: T.distributions.Binomial(3, q).expand((2, 3)).mean, p)
    check_grads(lambda T, q, x: T.distributions.Binomial(4, q).log_prob(x), p, v, check_grad_fn=False)
    same_text(lambda T: T.distributions.Binomial(3, T.tensor(0.5)))
    same_text(lambda T: T.distributions.Binomial(3, T.tensor(0.5)).support)
    raises_like(lambda T: T.distributions.Binomial(3), msg=True)
    raises_like(lambda T: T.distributions.Binomial(-1, T.tensor(0.5)), msg=True)
    raises_like(lambda T: T.distributions.Binomial(3, T.tensor(0.5)).log_prob(T.tensor(4.0)), msg=True)
    raises_like(lambda T: T.distributions.Binomial(T.tensor([1.0, 2.0]), T.tensor(0.5)).entropy(), msg=True)


def test_independent():
    mk = (lambda T, l, s: T.distributions.Independent(T.distributions.Normal(l, s), 1))
    for attr in ("batch_shape", "event_shape", "mean", "mode", "variance", "has_rsample", "has_enumerate_support"):
        both(lambda T, l, s: getattr(mk(T, l, s), attr), LOC, SCALE)
    both(lambda T, l, s: mk(T, l, s).log_prob(T.zeros(3)), LOC, SCALE)
    both(lambda T, l, s: mk(T, l, s).entropy(), LOC, SCALE)
    both(lambda T, l, s: mk(T, l, s).expand((4, 2)).batch_shape, LOC, SCALE)
    both(_seeded(lambda T, l, s: mk(T, l, s).sample((2,))), LOC, SCALE)
    check_grads(_seeded(lambda T, l, s: mk(T, l, s).rsample()), LOC, SCALE)
    same_text(lambda T: mk(T, T.zeros(2, 3), T.ones(3)))
    same_text(lambda T: mk(T, T.zeros(2, 3), T.ones(3)).support)
    both(lambda T, p: T.distributions.Independent(T.distributions.Bernoulli(p), 0).enumerate_support(), PROBS)
    raises_like(lambda T: T.distributions.Independent(T.distributions.Normal(0.0, 1.0), 1), msg=True)
    raises_like(lambda T, p: T.distributions.Independent(T.distributions.Bernoulli(p), 1).enumerate_support(), PROBS,
                msg=True)
    raises_like(lambda T, l, s: mk(T, l, s).log_prob(T.zeros(2)), LOC, SCALE, msg=True)


def test_geometric():
    p = np.array([0.25, 0.5, 1.0], F32)
    v = np.array([[2.0, 0.0, 0.0], [5.0, 1.0, 3.0]], F32)
    for kw in ("probs", "logits"):
        param = p if kw == "probs" else np.array([-1.0, 0.5, 3.0], F32)
        mk = (lambda T, q, kw=kw: T.distributions.Geometric(**{kw: q}))
        both(lambda T, q, x: mk(T, q).log_prob(x), param, v)
        both(lambda T, q: mk(T, q).entropy(), param)
        for attr in ("mean", "mode", "variance", "probs", "logits", "batch_shape"):
            both(lambda T, q: getattr(mk(T, q), attr), param)
        both(_seeded(lambda T, q: mk(T, q).sample((3,))), param)
        both(_seeded(lambda T, q: mk(T, q).expand((2, 3)).sample()), param.astype(np.float64))
        same_text(lambda T: mk(T, T.tensor([0.5, 0.5])))
    check_grads(lambda T, q, x: T.distributions.Geometric(q).log_prob(x), p[:2], v[:, :2])
    raises_like(lambda T: T.distributions.Geometric(T.tensor([0.0, 0.5])), msg=True)
    raises_like(lambda T: T.distributions.Geometric(), msg=True)
    raises_like(lambda T: T.distributions.Geometric(0.5).log_prob(T.tensor(0.5)), msg=True)


# ----------------------------------------------------------------------------- KL divergence
def _pairs(T):
    D = T.distributions
    t = T.tensor
    return {
        "normal": (D.Normal(t([0.0, 1.0, -2.0]), t([1.0, 0.5, 2.0])), D.Normal(t([0.5, 1.0, 0.0]), 2.0)),
        "bernoulli": (D.Bernoulli(t([0.0, 0.3, 1.0, 0.5, 0.2])), D.Bernoulli(t([0.5, 0.0, 1.0, 1.0, 0.7]))),
        "categorical": (D.Categorical(t([[0.0, 0.3, 0.7], [0.2, 0.2, 0.6]])),
                        D.Categorical(t([[0.5, 0.0, 0.5], [0.1, 0.1, 0.8]]))),
        "uniform": (D.Uniform(t([0.0, 0.0, 1.0]), t([1.0, 2.0, 2.0])), D.Uniform(t([-1.0, 0.5, 0.0]), t([1.0, 3.0, 4.0]))),
        "exponential": (D.Exponential(t([1.0, 2.0])), D.Exponential(3.0)),
        "laplace": (D.Laplace(t([1.0, 2.0]), 1.0), D.Laplace(0.0, 3.0)),
        "poisson": (D.Poisson(t([1.0, 2.0])), D.Poisson(3.0)),
        "binomial": (D.Binomial(5, t([0.1, 0.2])), D.Binomial(t([5.0, 4.0]), t(0.3))),
        "onehot": (D.OneHotCategorical(t([0.5, 0.5])), D.OneHotCategorical(t([0.2, 0.8]))),
        "geometric": (D.Geometric(t([0.25, 0.5])), D.Geometric(t([0.3, 0.9]))),
        "independent": (D.Independent(D.Normal(T.zeros(2, 3), 1.0), 1), D.Independent(D.Normal(T.ones(2, 3), 2.0), 1)),
        "uniform-normal": (D.Uniform(t([0.0, 1.0]), 2.0), D.Normal(0.5, t([1.0, 3.0]))),
        "uniform-exponential": (D.Uniform(t([-1.0, 1.0]), 2.0), D.Exponential(t([1.0, 3.0]))),
        "normal-laplace": (D.Normal(t([0.0, 1.0]), 2.0), D.Laplace(0.5, t([1.0, 3.0]))),
        "laplace-normal": (D.Laplace(t([0.0, 1.0]), 2.0), D.Normal(0.5, t([1.0, 3.0]))),
        "exponential-normal": (D.Exponential(t([0.5, 1.0])), D.Normal(0.5, t([1.0, 3.0]))),
        "bernoulli-poisson": (D.Bernoulli(t([0.5, 0.1])), D.Poisson(t([1.0, 3.0]))),
        "normal-uniform": (D.Normal(t([0.0, 1.0]), 2.0), D.Uniform(0.0, 1.0)),
        "normal-exponential": (D.Normal(t([0.0, 1.0]), 2.0), D.Exponential(1.0)),
        "exponential-uniform": (D.Exponential(t([0.5, 1.0])), D.Uniform(0.0, 1.0)),
        "laplace-uniform": (D.Laplace(t([0.0, 1.0]), 2.0), D.Uniform(0.0, 1.0)),
        "laplace-exponential": (D.Laplace(t([0.0, 1.0]), 2.0), D.Exponential(1.0)),
        "poisson-bernoulli": (D.Poisson(t([0.5, 1.0])), D.Bernoulli(0.5)),
        "poisson-binomial": (D.Poisson(t([0.5, 1.0])), D.Binomial(3, t(0.5))),
    }


@pytest.mark.parametrize("name", list(_pairs(torch)))
def test_kl_divergence(name):
    both(lambda T: T.distributions.kl_divergence(*_pairs(T)[name]))


def test_kl_gradients_and_errors():
    check_grads(lambda T, l, s: T.distributions.kl_divergence(T.distributions.Normal(l, s),
                                                              T.distributions.Normal(0.0, 2.0)), LOC, SCALE)
    check_grads(lambda T, w: T.distributions.kl_divergence(T.distributions.Categorical(logits=w),
                                                           T.distributions.Categorical(T.ones(4))), WEIGHTS)
    raises_like(lambda T: T.distributions.kl_divergence(T.distributions.Categorical(T.ones(2)),
                                                        T.distributions.Normal(0.0, 1.0)), msg=True)
    raises_like(lambda T: T.distributions.kl_divergence(T.distributions.Poisson(1.0),
                                                        T.distributions.Exponential(1.0)), msg=True)
    raises_like(lambda T: T.distributions.kl_divergence(T.distributions.Binomial(3, T.tensor(0.5)),
                                                        T.distributions.Binomial(4, T.tensor(0.5))), msg=True)
    # the generic KL of two members of one exponential family (a Bregman divergence) equals the closed form
    both(lambda T, l, s: T.distributions.kl._kl_expfamily_expfamily(T.distributions.Normal(l, s),
                                                                    T.distributions.Normal(1.0, 2.0)), LOC, SCALE,
         check_grad_fn=False)


def test_register_kl_picks_the_most_specific_pair():
    for T in (torch, reftorch):
        D = T.distributions

        class MyNormal(D.Normal):
            pass

        @D.register_kl(MyNormal, D.Normal)
        def _mine(p, q):
            return T.tensor(7.0)

        try:
            assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 7.0
            assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0
        finally:
            del D.kl._KL_REGISTRY[MyNormal, D.Normal]
            D.kl._KL_MEMOIZE.clear()


# ----------------------------------------------------------------------------- devices
def _on(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)
    b = D.Bernoulli(T.tensor([0.2, 0.7], device=device))
    n = D.Normal(T.zeros(3, device=device), 2.0)
    c = D.Categorical(T.tensor([0.2, 0.3, 0.5], device=device))
    return [n.sample(), n.rsample(), D.Exponential(T.ones(2, device=device)).rsample(), c.sample((4,)), b.sample(),
            D.Uniform(T.zeros(2, device=device), 1.0).rsample(), D.Laplace(T.zeros(2, device=device), 1.0).rsample(),
            n.log_prob(T.ones(3, device=device)), c.entropy(),
            D.kl_divergence(b, D.Bernoulli(T.tensor([0.5, 0.5], device=device))),
            D.Poisson(T.ones(2, device=device)).log_prob(T.tensor([1.0, 3.0], device=device)),
            D.Poisson(T.tensor([3.0, 20.0], device=device)).sample((2,)),
            D.Binomial(T.tensor([5.0, 50.0], device=device), T.tensor([0.5, 0.3], device=device)).sample(), D.Normal(T.zeros(2, device=device), 1.0).icdf(
                T.tensor([0.2, 0.9], device=device))]


def test_same_samples_and_values_on_the_stand_in_device():
    for r_dev, r_cpu in zip(_on("strict"), _on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        assert r_dev.cpu().tolist() == r_cpu.tolist()


def test_normal_icdf():
    """Both compute it with torch.erfinv (ErfinvBackward0 ... ). Near q = 0 or 1 erfinv is
    ill-conditioned (PyTorch's Newton steps divide erf(x) - y by erf's vanishing slope), so
    the last-bit differences between reftorch's erf and the C library's grow there (PyTorch's
    own value at q = 1e-15 is itself only good to ~1e-4): those quantiles are compared to
    1e-4, the others to the usual tolerance."""
    q = np.array([[1e-6, 0.1, 0.5], [0.75, 0.999, 1 - 1e-7]], F32)
    both(lambda T, l, s, v: T.distributions.Normal(l, s).icdf(v), LOC, SCALE, q)
    both(lambda T, l, s, v: T.distributions.Normal(l, s).icdf(v), LOC.astype(np.float64), SCALE.astype(np.float64),
         np.array([0.2, 0.3, 0.5, 0.9, 0.99, 0.7]).reshape(2, 3))
    extreme = np.array([1e-15, 1 - 1e-12, 1 - 2 ** -40])
    got = reftorch.distributions.Normal(0.0, 1.0).icdf(reftorch.tensor(extreme)).tolist()
    expected = torch.distributions.Normal(0.0, 1.0).icdf(torch.tensor(extreme)).tolist()
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    edges = np.array([0.0, 1.0, 1.5, -0.5, float("nan")], F32)
    both(lambda T, v: T.distributions.Normal(0.0, 1.0, validate_args=False).icdf(v), edges)
    # (the gradient sqrt(pi)/2 exp(erfinv(y)**2) magnifies those differences at the extremes)
    moderate = np.array([[0.01, 0.1, 0.5], [0.75, 0.999, 0.3]], F32)
    check_grads(lambda T, l, s, v: T.distributions.Normal(l, s).icdf(v), LOC, SCALE, moderate)
    both(lambda T, v: T.distributions.Normal(0.0, 1.0).cdf(T.distributions.Normal(0.0, 1.0).icdf(v)), q.astype(np.float64))


def test_torch_binomial():
    """PyTorch's CPU sampler (inversion for small count * p, BTRS above, p <-> 1 - p), in
    float32 arithmetic where PyTorch's kernel uses it: the same values, the same generator
    position afterwards."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        n = np.floor(rng.uniform(0, 200, 200)).astype(dtype)
        p = rng.uniform(0, 1, 200).astype(dtype)
        n[:6], p[:6] = [0, 1, 1000, 1e5, 3, 50], [0.5, 0.0, 1.0, 0.3, 0.9, 0.999]
        both(_seeded(lambda T, a, b: (T.binomial(a, b), T.rand(3))), n, p, exact=True)
    both(_seeded(lambda T: T.binomial(T.tensor([[5.0], [60.0]]), T.tensor([0.2])[None, :].expand(2, 1))), exact=True)
    both(_seeded(lambda T: T.binomial(T.tensor([4.0, 40.0], requires_grad=True), T.tensor([0.5, 0.5]))))
    raises_like(lambda T: T.binomial(T.tensor([4.0], requires_grad=True), T.tensor([0.5])).sum().backward(),
                msg=True)
    raises_like(lambda T: T.binomial(T.tensor([1]), T.tensor([0.5])), msg=True)
    raises_like(lambda T: T.binomial(T.tensor([1.0]), T.tensor([1])), msg=True)
    raises_like(lambda T: T.binomial(T.tensor([1.0]), T.tensor([0.5], dtype=T.float64)), msg=True)
    both(_seeded(lambda T, q: T.distributions.Binomial(T.tensor([[5.0], [50.0]]), q).sample((2,))),
         np.array([0.3, 0.6, 0.95], F32), exact=True)
    both(_seeded(lambda T, q: T.distributions.Binomial(30, logits=q).sample()), np.array([-1.0, 2.0], F32),
         exact=True)
