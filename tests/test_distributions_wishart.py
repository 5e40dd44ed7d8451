"""reftorch.distributions.Wishart against torch.distributions.Wishart: values, shapes,
reprs, Bartlett samples with PyTorch's correction loop and its warning (equal after
``manual_seed``), errors, gradients and the Bregman KL divergence."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, raises_like

F32 = np.float32
F64 = np.float64

A = np.array([[2.0, 0.3, -0.4], [0.3, 1.0, 0.2], [-0.4, 0.2, 1.5]], F64)
COVS = np.stack([A, A @ A + np.eye(3)])  # (2, 3, 3)
L = np.linalg.cholesky(A)
DF = np.array([3.5, 6.0], F64)
VALUES = np.stack([A @ A + 0.5 * np.eye(3), A + np.eye(3)])  # (2, 3, 3)


def _seeded(fn):
    def run(T, *args):
        T.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(T, *args)
    return run


def same_text(fn):
    assert str(fn(reftorch)) == str(fn(torch))


def _w(T, df, mat, kind):
    return T.distributions.Wishart(df, **{kind: mat})


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("dtype", [F32, F64])
def test_wishart(kind, dtype):
    mat = (L if kind == "scale_tril" else COVS).astype(dtype)
    df, v = DF.astype(dtype), VALUES.astype(dtype)
    both(lambda T, d, m, v: _w(T, d, m, kind).log_prob(v), df, mat, v)
    both(lambda T, d, m: _w(T, d, m, kind).entropy(), df, mat)
    for attr in ("mean", "mode", "variance", "batch_shape", "event_shape", "scale_tril", "covariance_matrix",
                 "precision_matrix", "df"):
        both(lambda T, d, m: getattr(_w(T, d, m, kind), attr), df, mat, check_grad_fn=False)
    both(_seeded(lambda T, d, m: _w(T, d, m, kind).sample()), df, mat)
    both(_seeded(lambda T, d, m: _w(T, d, m, kind).rsample((2, 2))), df, mat)
    both(_seeded(lambda T, d, m: _w(T, d[:1], m, kind).expand((3, 2)).sample((2,))), df, mat)
    both(lambda T, d, m, v: _w(T, d[:1], m, kind).expand((2, 2)).log_prob(v), df, mat, v)
    check_grads(lambda T, d, m, v: _w(T, d, m, kind).log_prob(v), df, mat, v)
    check_grads(lambda T, d, m: _w(T, d, m, kind).entropy(), df, mat)
    # without the correction loop: gradients through the Bartlett factor
    check_grads(_seeded(lambda T, d, m: _w(T, d, m, kind).rsample((2,), max_try_correction=0)), df, mat)


def test_wishart_rsample_backward_after_the_correction_loop_fails_as_in_pytorch():
    """The loop rewrites its mask in place after indexing the sample with it: PyTorch's
    (and reftorch's) IndexPutBackward0 finds the saved mask modified."""
    def backward(T, d, m):
        d, m = d.requires_grad_(), m.requires_grad_()
        _seeded(lambda T: _w(T, d, m, "covariance_matrix").rsample((2,)).sum().backward())(T)
    raises_like(backward, DF, COVS)


def test_wishart_numbers_and_kl():
    both(lambda T, m: T.distributions.Wishart(5.0, covariance_matrix=m).batch_shape, A)
    both(lambda T, m: T.distributions.Wishart(5.0, covariance_matrix=m).df, A)
    both(_seeded(lambda T, m: T.distributions.Wishart(5.0, covariance_matrix=m).sample((4,))), A.astype(F32))
    both(lambda T, m, d: T.distributions.Wishart(d, covariance_matrix=m).batch_shape, A, DF)
    same_text(lambda T: T.distributions.Wishart(4.0, covariance_matrix=T.eye(2)))
    same_text(lambda T: T.distributions.Wishart(T.tensor([4.0, 5.0]), scale_tril=T.eye(2)))
    same_text(lambda T: T.distributions.Wishart(4.0, precision_matrix=T.eye(2)).support)

    def kl(T, d, c, a):
        D = T.distributions
        return D.kl_divergence(D.Wishart(d, covariance_matrix=c), D.Wishart(d + 1, precision_matrix=a))
    both(kl, np.float64(4.5), A, A @ A + np.eye(3))
    check_grads(kl, np.float64(4.5), A, A @ A + np.eye(3))


def test_wishart_warnings():
    """Every rsample warns "Singular sample detected." (PyTorch's check flags the valid
    samples) and a low df warns at construction."""
    for T in (torch, reftorch):
        with pytest.warns(UserWarning, match="Singular sample detected."):
            T.distributions.Wishart(4.0, covariance_matrix=T.eye(2)).sample()
        with pytest.warns(UserWarning, match="Low df values detected"):
            T.distributions.Wishart(1.5, covariance_matrix=T.eye(2))

    def draw(T):  # genuinely singular samples (low df) take three rounds here, in both
        T.manual_seed(3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = T.distributions.Wishart(T.tensor([1.2, 2.0, 8.0]), covariance_matrix=T.eye(2)).sample((4,))
        return s, T.rand(3)  # the extra draws leave the generator where PyTorch's is
    both(draw)
    both(_seeded(lambda T: T.distributions.Wishart(T.tensor([4.0, 5.0]), covariance_matrix=T.eye(2)).rsample(
        max_try_correction=0)))


def test_wishart_errors():
    W = "Wishart"
    raises_like(lambda T: getattr(T.distributions, W)(4.0), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(4.0, T.eye(2), scale_tril=T.eye(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(4.0, T.ones(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(0.5, T.eye(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(T.tensor([3.0, 0.5]), T.eye(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(3.0, T.tensor([[1.0, 2.0], [2.0, 1.0]])), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(3.0, T.eye(2)).log_prob(-T.eye(2)), msg=True)
    raises_like(lambda T: getattr(T.distributions, W)(3.0, T.eye(2)).log_prob(T.eye(3)), msg=True)


def test_same_samples_and_values_on_the_stand_in_device():
    def on(device):
        T = reftorch
        T.manual_seed(0)
        c = T.tensor([[2.0, 0.5], [0.5, 1.0]], device=device)
        w = T.distributions.Wishart(T.tensor([4.0, 3.0], device=device), covariance_matrix=c)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = w.sample((2,))
        return [s, w.log_prob(c + 1), w.entropy(), w.precision_matrix, w.mode, w.variance]
    for r_dev, r_cpu in zip(on("strict"), on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        np.testing.assert_allclose(r_dev.cpu().tolist(), r_cpu.tolist(), rtol=1e-6)


def test_setitem_index_changed_in_place_before_backward():
    """The mechanism behind the failure above, on its own: IndexPutBackward0 saves its
    index tensors, so changing one in place makes the backward raise."""
    def fn(T):
        x = T.ones(3, requires_grad=True) * 2
        m = T.tensor([True, False, True])
        x[m] = T.tensor([5.0, 6.0])
        m[0] = False
        x.sum().backward()
    raises_like(fn)

    def unchanged(T, y):
        z = y * 2
        z[T.tensor([0, 2])] = y[:2] * 3
        return z
    check_grads(unchanged, np.array([1.0, 2.0, 3.0], F32))
