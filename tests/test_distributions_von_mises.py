"""reftorch.distributions.VonMises against torch.distributions.VonMises: log_prob,
variance, reprs, errors, gradients and the float64 rejection sampler (the same draws and
generator position after ``manual_seed``)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, raises_like

F32 = np.float32
F64 = np.float64

LOC = np.array([[0.0, 1.5, -2.0], [0.5, 3.0, -3.1]], F32)
# both sides of 3.75 (where the Bessel approximations switch) and kappa < 1e-5 (Taylor proposal)
KAPPA = np.array([1e-6, 0.01, 0.5, 1.0, 3.0, 3.75, 3.76, 10.0, 100.0, 1e4], F32)
X = np.array([[0.5, -1.0, 3.0], [0.0, 2.0, -2.5]], F32)


def _vm(T, l, k):
    return T.distributions.VonMises(l, k)


def _seeded(fn):
    def run(T, *args):
        T.manual_seed(0)
        return fn(T, *args)
    return run


def same_text(fn):
    assert str(fn(reftorch)) == str(fn(torch))


@pytest.mark.parametrize("dtype", [F32, F64])
def test_von_mises_values(dtype):
    l, k, x = LOC.astype(dtype), np.array([0.3, 3.75, 12.0], dtype), X.astype(dtype)
    both(lambda T, l, k, x: _vm(T, l, k).log_prob(x), l, k, x)
    check_grads(lambda T, l, k, x: _vm(T, l, k).log_prob(x), l, k, x)
    for attr in ("mean", "mode", "variance", "stddev", "batch_shape", "event_shape", "has_rsample"):
        both(lambda T, l, k: getattr(_vm(T, l, k), attr), l, k)
    check_grads(lambda T, l, k: _vm(T, l, k).variance, l, k)
    kk = KAPPA.astype(dtype)
    both(lambda T, k: _vm(T, 0.0, k).variance, kk)
    both(lambda T, k: _vm(T, 0.0, k).log_prob(T.tensor(0.25, dtype=k.dtype)), kk)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_von_mises_samples_are_pytorchs(dtype):
    """float64 rounds; the uniforms, accept decisions and rounds are PyTorch's, so float32
    samples are bit-identical and float64 ones agree to an ulp (NumPy's cos)."""
    def draw(T, l, k):
        T.manual_seed(3)
        s = _vm(T, l, k).sample((500,))
        return s, T.rand(2)  # the generator ends where PyTorch's does
    both(draw, np.linspace(-3.0, 3.0, 10).astype(dtype), KAPPA.astype(dtype), exact=dtype == F32)
    both(_seeded(lambda T, l, k: _vm(T, l, k[:3]).sample()), LOC.astype(dtype), KAPPA.astype(dtype),
         exact=dtype == F32)
    s = reftorch.distributions.VonMises(reftorch.tensor(3.0), reftorch.tensor(0.1)).sample((2000,))
    assert bool(((s >= -np.pi) & (s < np.pi)).all())


def test_von_mises_expand_reprs_errors():
    both(_seeded(lambda T: T.distributions.VonMises(1.0, 2.0).expand((2, 3)).sample((2,))))
    both(lambda T: T.distributions.VonMises(1.0, 2.0).expand((2, 3)).batch_shape)
    both(lambda T: T.distributions.VonMises(1.0, 2.0).batch_shape)
    both(lambda T: type(T.distributions.VonMises(1.0, 2.0, validate_args=False).expand((2,))._validate_args))
    same_text(lambda T: T.distributions.VonMises(1.0, 2.0))
    same_text(lambda T: T.distributions.VonMises(T.zeros(3), 2.0))
    same_text(lambda T: T.distributions.VonMises(1.0, 2.0).support)
    raises_like(lambda T: T.distributions.VonMises(0.0, -1.0), msg=True)
    raises_like(lambda T: T.distributions.VonMises(0.0, 1.0).log_prob(1.0), msg=True)
    raises_like(lambda T: T.distributions.VonMises(0.0, 1.0).rsample())
    raises_like(lambda T: T.distributions.VonMises(0.0, 1.0).entropy())


def test_same_samples_and_values_on_the_stand_in_device():
    def on(device):
        T = reftorch
        T.manual_seed(0)
        m = T.distributions.VonMises(T.tensor([0.0, 2.0, -1.0], device=device), T.tensor([0.5, 4.0, 1e-6], device=device))
        return [m.sample((4,)), m.log_prob(T.tensor(0.3, device=device)), m.variance]
    for r_dev, r_cpu in zip(on("strict"), on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        assert r_dev.cpu().tolist() == r_cpu.tolist()
