"""More of torch.linalg against PyTorch: matrix_exp (torch.matrix_exp, Tensor.matrix_exp):
values over every Taylor degree PyTorch picks (single matrices and batches), dtypes,
complex inputs, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads

RNG = np.random.default_rng(7)


def _scaled(shape, norm, dtype="float64", complex_=False):
    """Matrices of ``shape`` whose 1-norms are ``norm`` (one of PyTorch's degree ranges)."""
    a = RNG.standard_normal(shape)
    if complex_:
        a = a + 1j * RNG.standard_normal(shape)
    return (a * norm / np.abs(a).sum(-2).max(-1)[..., None, None]).astype(dtype)


# the 1-norms select degrees 1, 2, 4, 8, 12 and 18 (scaled) in float64 and float32
NORMS = [1e-17, 1e-9, 1e-5, 0.02, 0.2, 0.9, 7.0, 15.0]


@pytest.mark.torch
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matrix_exp_single_matrices(norm, dtype):
    a = _scaled((3, 3), norm, dtype)
    both(lambda T, x: T.linalg.matrix_exp(x), a)
    both(lambda T, x: T.matrix_exp(x), _scaled((4, 4), norm, dtype))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_matrix_exp_batches_and_complex(dtype):
    # a batch takes degree 18 with scaling for every matrix, as in PyTorch
    a = np.stack([_scaled((3, 3), n, dtype, dtype.startswith("complex")) for n in (1e-6, 0.03, 0.7, 5.0)])
    both(lambda T, x: T.linalg.matrix_exp(x.reshape(2, 2, 3, 3)), a)
    both(lambda T, x: x[1].matrix_exp(), a)


@pytest.mark.torch
def test_matrix_exp_small_and_empty():
    both(lambda T: T.linalg.matrix_exp(T.zeros(0, 0)))
    both(lambda T: T.linalg.matrix_exp(T.zeros(2, 0, 0, dtype=T.float64)))
    both(lambda T: T.linalg.matrix_exp(T.tensor([[[1.5]], [[-2.0]]])))
    both(lambda T: T.linalg.matrix_exp(T.tensor([[0., 1.], [-1., 0.]]) * 3.14159265))


@pytest.mark.torch
@pytest.mark.parametrize("norm", [0.01, 0.4, 3.0])
def test_matrix_exp_gradients(norm):
    check_grads(lambda T, x: T.linalg.matrix_exp(x), _scaled((3, 3), norm))
    check_grads(lambda T, x: T.matrix_exp(x), _scaled((2, 3, 3), norm))
    check_grads(lambda T, x: x.matrix_exp(), _scaled((3, 3), norm, "float32"))


@pytest.mark.torch
def test_matrix_exp_complex_gradient():
    check_grads(lambda T, x: T.linalg.matrix_exp(x), _scaled((3, 3), 0.8, "complex128", True), complex_grads=True)


@pytest.mark.torch
@pytest.mark.parametrize("make", ["T.zeros(3)", "T.zeros(2, 3)", "T.zeros(2, 2, dtype=T.int64)", "[[1.]]"])
def test_matrix_exp_errors(make):
    for call in ("T.linalg.matrix_exp({})", "T.matrix_exp({})"):
        both(lambda T: eval(call.format(make)), msg=True)


@pytest.mark.torch
def test_matrix_exp_second_order():
    def run(T, x):
        x = x.requires_grad_()
        (g,) = T.autograd.grad((T.linalg.matrix_exp(x) ** 2).sum(), x, create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), x)
        return g, gg
    both(run, _scaled((3, 3), 0.7))


# ----------------------------------------------------------------------------- torch.qr, torch.pinverse
@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:torch.qr is deprecated")
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_torch_qr_is_linalg_qr_with_some(shape):
    a = RNG.standard_normal(shape)
    check_grads(lambda T, x: T.qr(x).Q @ T.qr(x).R, a)
    both(lambda T, x: (type(T.qr(x)).__name__, T.qr(x, some=False).Q.shape, x.qr(False).R.shape,
                       T.allclose(T.qr(x).Q @ T.qr(x).R, x)), a)


@pytest.mark.torch
def test_torch_qr_warns_once_and_errors():
    import warnings
    import reftorch
    from _compare import forget_warning
    forget_warning("torch.qr is deprecated")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reftorch.qr(reftorch.eye(2))
        reftorch.qr(reftorch.eye(2))
    assert [str(w.message).splitlines()[0] for w in caught] == [
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch release."]
    both(lambda T: T.qr(T.zeros(3)), msg=True)
    both(lambda T: T.qr([[1.0]]), msg=True)
    both(lambda T: T.qr(T.eye(2), some=1), msg=True)


@pytest.mark.torch
def test_pinverse():
    a = RNG.standard_normal((2, 4, 3))
    check_grads(lambda T, x: T.pinverse(x), a)
    check_grads(lambda T, x: x.pinverse(rcond=0.3), a)
    both(lambda T: T.pinverse(T.zeros(3)), msg=True)
    both(lambda T: T.pinverse([[1.0]]), msg=True)


@pytest.mark.torch
def test_inv_of_complex_matrices():
    a = RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))
    both(lambda T, x: (T.linalg.inv(x), T.inverse(x), x.inverse()), a.astype("complex64"))
    check_grads(lambda T, x: T.linalg.inv(x), a, complex_grads=True)
    check_grads(lambda T, x: T.linalg.inv(x).abs(), a, complex_grads=True)

    def second(T, x):
        x = x.requires_grad_()
        (g,) = T.autograd.grad(T.linalg.inv(x).abs().sum(), x, create_graph=True)
        return g, T.autograd.grad(g.abs().sum(), x)[0]
    both(second, a[0])


# ----------------------------------------------------------------------------- eig, eigvals
def _phase_free(T, L, V):
    """What eig determines uniquely: the eigenvalues (LAPACK's order, the same in both
    libraries here) and each eigenvector with its largest component made real positive."""
    idx = V.abs().argmax(-2, keepdim=True)
    top = V.gather(-2, idx)
    return L, V * (top.conj() / top.abs())


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_eig_values_and_vectors(dtype):
    rng = np.random.default_rng(3)  # (well separated eigenvalues: eigenvectors well conditioned)
    a = rng.standard_normal((2, 4, 4)) + np.diag([0., 2., 4., 6.])
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal((2, 4, 4))
    a = a.astype(dtype)
    both(lambda T, x: _phase_free(T, *T.linalg.eig(x)), a)
    both(lambda T, x: (T.linalg.eigvals(x), type(T.linalg.eig(x)).__name__, T.linalg.eig(x).eigenvalues.dtype), a)


@pytest.mark.torch
def test_eig_of_rotation_and_empty():
    both(lambda T: _phase_free(T, *T.linalg.eig(T.tensor([[0., -1.], [1., 0.]]))))
    both(lambda T: T.linalg.eig(T.tensor([[2., 1.], [0., 3.]])))
    both(lambda T: tuple(T.linalg.eig(T.zeros(0, 0))))
    both(lambda T: T.linalg.eigvals(T.zeros(3, 0, 0, dtype=T.float64)))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_eig_gradients(dtype):
    a = RNG.standard_normal((3, 3))
    if dtype == "complex128":
        a = a + 1j * RNG.standard_normal((3, 3))

    def loss(T, x):  # depends on the eigenvectors only through phase-free quantities
        L, V = T.linalg.eig(x)
        return (L.real ** 2).sum() + (L.imag * 1.5).sum() + (V.abs() ** 3).sum()
    check_grads(loss, a, complex_grads=True)
    check_grads(lambda T, x: T.linalg.eigvals(x).abs(), a, complex_grads=True)
    check_grads(lambda T, x: T.linalg.eig(x).eigenvalues.real, a, complex_grads=True)


@pytest.mark.torch
def test_eig_phase_dependent_loss_raises_in_backward():
    def run(T, x):
        x = x.requires_grad_()
        V = T.linalg.eig(x).eigenvectors
        V.imag.sum().backward()
    both(run, RNG.standard_normal((3, 3)), msg=True)


@pytest.mark.torch
@pytest.mark.parametrize("make", ["T.zeros(3)", "T.zeros(2, 3)", "T.zeros(2, 2, dtype=T.int64)",
                                  "T.zeros(2, 2, dtype=T.float16)", "[[1.]]"])
def test_eig_errors(make):
    for call in ("T.linalg.eig({})", "T.linalg.eigvals({})"):
        both(lambda T: eval(call.format(make)), msg=True)


@pytest.mark.torch
def test_eig_of_non_finite_matrices():
    nan = "T.tensor([[[float('nan'), 1.], [0., 1.]], [[1., 2.], [3., 4.]]])"
    both(lambda T: T.linalg.eig(eval(nan)), msg=True)
    both(lambda T: T.linalg.eigvals(eval(nan).requires_grad_()), msg=True)
    # without a gradient PyTorch returns LAPACK's values; reftorch NaN for that matrix
    import reftorch
    T = reftorch
    out = T.linalg.eigvals(eval(nan))
    assert bool(out[0].isnan().all()) and out.dtype == T.complex64
    both(lambda T: T.linalg.eigvals(eval(nan))[1])


# ----------------------------------------------------------------------------- householder_product
@pytest.mark.torch
@pytest.mark.parametrize("shape, k", [((4, 3), 2), ((3, 3), 3), ((2, 5, 3), 3), ((4, 2), 0), ((3, 0), 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_householder_product(shape, k, dtype):
    rng = np.random.default_rng(5)
    a = rng.standard_normal(shape)
    tau = rng.uniform(0.2, 1.8, shape[:-2] + (k,))
    if dtype == "complex128":
        a = a + 1j * rng.standard_normal(shape)
        tau = tau + 0.3j * rng.standard_normal(tau.shape)
    a, tau = a.astype(dtype), tau.astype(dtype)
    check_grads(lambda T, x, t: T.linalg.householder_product(x, t), a, tau, complex_grads=True)
    both(lambda T, x, t: (T.orgqr(x, t), x.orgqr(t)), a, tau)


@pytest.mark.torch
def test_householder_product_of_geqrf_is_q():
    # the reflectors of a QR decomposition give its Q (PyTorch's geqrf as the source)
    import torch
    a = torch.from_numpy(np.random.default_rng(2).standard_normal((5, 3)))
    refl, tau = torch.geqrf(a)
    both(lambda T, x, t: T.linalg.householder_product(x, t), refl.numpy(), tau.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("args", ["T.zeros(3), T.zeros(1)", "T.zeros(2, 3), T.zeros(1)", "T.zeros(3, 2), T.zeros(3)",
                                  "T.zeros(3, 2), T.zeros(2, 1)", "T.zeros(3, 2, dtype=T.int64), T.zeros(1, dtype=T.int64)",
                                  "T.zeros(3, 2), T.zeros(1, dtype=T.float64)", "T.zeros(2, 3, 2), T.zeros(3, 1)",
                                  "[[1.]], T.zeros(1)"])
def test_householder_product_errors(args):
    both(lambda T: eval(f"T.linalg.householder_product({args})"), msg=True)
