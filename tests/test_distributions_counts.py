"""reftorch.distributions.Multinomial and NegativeBinomial against torch.distributions:
values, shapes, reprs, seeded samples (equal after ``manual_seed``), errors, gradients
and the ``constraints.multinomial`` support."""
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


# ----------------------------------------------------------------------------- Multinomial
PROBS = np.array([[1.0, 2.0, 1.0, 0.5], [0.1, 0.2, 3.0, 1.0]], F32)
COUNTS = np.array([[1.0, 3.0, 1.0, 0.0], [0.0, 1.0, 2.0, 2.0]], F32)


def _mn(T, p, n=5, kind="probs"):
    return T.distributions.Multinomial(n, **{kind: p})


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_multinomial(kind):
    both(lambda T, p, v: _mn(T, p, kind=kind).log_prob(v), PROBS, COUNTS)
    both(lambda T, p: _mn(T, p, kind=kind).entropy(), PROBS)
    for attr in ("mean", "variance", "probs", "logits", "batch_shape", "event_shape", "param_shape"):
        both(lambda T, p: getattr(_mn(T, p, kind=kind), attr), PROBS)
    both(_seeded(lambda T, p: _mn(T, p, kind=kind).sample()), PROBS)
    both(_seeded(lambda T, p: _mn(T, p, 7, kind=kind).sample((3, 2))), PROBS)
    both(_seeded(lambda T, p: _mn(T, p[0], 20, kind=kind).sample((5,))), PROBS)
    both(_seeded(lambda T, p: _mn(T, p[0], kind=kind).expand((3,)).sample((2,))), PROBS)
    both(lambda T, p, v: _mn(T, p[0], kind=kind).expand((2,)).log_prob(v), PROBS, COUNTS)
    check_grads(lambda T, p, v: _mn(T, p, kind=kind).log_prob(v), PROBS, COUNTS)
    check_grads(lambda T, p: _mn(T, p, 3, kind=kind).entropy(), PROBS)
    same_text(lambda T: _mn(T, T.ones(3), kind=kind))
    same_text(lambda T: (_mn(T, T.ones(3)).support, _mn(T, T.ones(3)).support.event_dim,
                         _mn(T, T.ones(3)).support.is_discrete))


def test_multinomial_edges_and_errors():
    # a zero probability with a zero count contributes nothing (PyTorch's masked logits)
    both(lambda T: T.distributions.Multinomial(probs=T.tensor([0.0, 1.0, 1.0])).log_prob(T.tensor([0.0, 1.0, 0.0])))
    both(lambda T: T.distributions.Multinomial(4, probs=T.tensor([0.0, 1.0])).log_prob(T.tensor([0.0, 4.0])))
    both(lambda T: T.distributions.Multinomial(0, probs=T.tensor([0.5, 0.5])).entropy())
    both(lambda T: T.distributions.constraints.multinomial(3).check(
        T.tensor([[1.0, 2.0], [2.0, 2.0], [-1.0, 1.0]])))
    raises_like(lambda T: T.distributions.Multinomial(T.tensor(3), T.tensor([1.0, 2.0])), msg=True)
    raises_like(lambda T: T.distributions.Multinomial(2.0, T.tensor([1.0, 2.0])), msg=True)
    raises_like(lambda T: T.distributions.Multinomial(2), msg=True)
    raises_like(lambda T: T.distributions.Multinomial(2, T.tensor([-1.0, 2.0])), msg=True)
    raises_like(lambda T: T.distributions.Multinomial(1, T.tensor([1.0, 1.0])).log_prob(T.tensor([0.0, 4.0])),
                msg=True)
    raises_like(lambda T: T.distributions.Multinomial(1, T.tensor([1.0, 1.0])).log_prob(T.tensor([1.0])),
                msg=True)
    # PyTorch's expand keeps no Binomial, so entropy fails on an expanded instance
    raises_like(lambda T: T.distributions.Multinomial(1, T.tensor([1.0, 1.0])).expand((2,)).entropy())


# ----------------------------------------------------------------------------- NegativeBinomial
TOTAL = np.array([[3.0, 0.5, 10.0], [1.0, 2.0, 0.0]], F32)
P = np.array([0.2, 0.7, 0.95], F32)
K = np.array([[0.0, 1.0, 4.0], [12.0, 0.0, 0.0]], F32)


def _nb(T, n, p, kind="probs"):
    return T.distributions.NegativeBinomial(n, **{kind: p})


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_negative_binomial(kind):
    p = P if kind == "probs" else np.log(P / (1 - P))
    both(lambda T, n, p, k: _nb(T, n, p, kind).log_prob(k), TOTAL, p, K)
    for attr in ("mean", "mode", "variance", "stddev", "probs", "logits", "batch_shape", "param_shape"):
        both(lambda T, n, p: getattr(_nb(T, n, p, kind), attr), TOTAL, p)
    both(_seeded(lambda T, n, p: _nb(T, n, p, kind).sample()), TOTAL, p)
    both(_seeded(lambda T, n, p: _nb(T, n, p, kind).sample((4,))), TOTAL, p)
    both(_seeded(lambda T, n, p: _nb(T, n[0], p, kind).expand((3, 3)).sample((2,))), TOTAL, p)
    both(_seeded(lambda T: T.distributions.NegativeBinomial(50.0, T.tensor([0.9], dtype=T.float64)).sample((6,))))
    check_grads(lambda T, n, p, k: _nb(T, n + 0.5, p, kind).log_prob(k), TOTAL, p, K)
    same_text(lambda T: _nb(T, 3.0, T.tensor([0.5, 0.2]), kind))
    same_text(lambda T: _nb(T, 3.0, T.tensor(0.5), kind))
    same_text(lambda T: _nb(T, 3.0, T.tensor([0.5]), kind).expand((2,)))
    same_text(lambda T: _nb(T, 3.0, T.tensor([0.5]), kind).support)


def test_negative_binomial_errors():
    NB = "NegativeBinomial"
    raises_like(lambda T: getattr(T.distributions, NB)(3.0), msg=True)
    raises_like(lambda T: getattr(T.distributions, NB)(3.0, T.tensor(0.5), T.tensor(0.0)), msg=True)
    raises_like(lambda T: getattr(T.distributions, NB)(-1.0, T.tensor(0.5)), msg=True)
    raises_like(lambda T: getattr(T.distributions, NB)(1.0, T.tensor(1.0)), msg=True)
    raises_like(lambda T: getattr(T.distributions, NB)(1.0, T.tensor(0.5)).log_prob(T.tensor(0.5)), msg=True)
    both(lambda T: getattr(T.distributions, NB)(1.0, T.tensor(0.5), validate_args=False).log_prob(T.tensor(0.5)))


# ----------------------------------------------------------------------------- devices
def _on(device):
    T, D = reftorch, reftorch.distributions
    T.manual_seed(0)
    t = lambda v: T.tensor(v, device=device)  # noqa: E731
    m = D.Multinomial(6, t([1.0, 2.0, 0.5]))
    nb = D.NegativeBinomial(t([3.0, 12.0]), t([0.3, 0.8]))
    return [m.sample((3,)), m.log_prob(t([1.0, 4.0, 1.0])), m.entropy(), nb.sample((2,)), nb.log_prob(t([0.0, 5.0])),
            nb.mode]


def test_same_samples_and_values_on_the_stand_in_device():
    for r_dev, r_cpu in zip(_on("strict"), _on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        assert r_dev.cpu().tolist() == r_cpu.tolist()
