"""torch.linalg decompositions and friends against PyTorch: cholesky / cholesky_ex /
torch.cholesky, qr (modes), eigh / eigvalsh (UPLO), svd / torch.svd, pinv, matrix_power
(torch.matrix_power, method, negative powers), matrix_rank, multi_dot, vecdot,
solve_triangular; values, grad_fn names, gradients (check_grads), checks and messages.

Decompositions are unique only up to signs (columns of Q, eigenvectors, singular vectors),
and reftorch's signs are NumPy's LAPACK's: the tests compare what is unique (values,
reconstructions, R's magnitudes, and vectors normalised so that their largest-magnitude
entry is positive), and the gradients of those, which do not depend on the signs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import both, check_grads, forget_warning, raises_like

RNG = np.random.default_rng(11)
TALL = RNG.standard_normal((2, 4, 3))
WIDE = RNG.standard_normal((2, 3, 4))
SQ = RNG.standard_normal((2, 3, 3))
SPD = SQ @ SQ.transpose(0, 2, 1) + 3 * np.eye(3)


def signed(T, V):
    """``V`` with each column's sign chosen so that its largest-magnitude entry is positive."""
    idx = V.abs().argmax(-2, keepdim=True)
    return V * T.sign(V.gather(-2, idx))


# ----------------------------------------------------------------------------- cholesky
@pytest.mark.parametrize("expr", [
    "T.linalg.cholesky(a)", "T.linalg.cholesky(a, upper=True)", "T.linalg.cholesky_ex(a)", "T.linalg.cholesky(a[0])",
    "T.linalg.cholesky(a.tril())", "T.linalg.cholesky(a.triu(), upper=True)",
])
def test_cholesky(expr):
    check_grads(lambda T, a: eval(expr, {"T": T, "a": a}), SPD)
    both(lambda T, a: eval(expr, {"T": T, "a": a}), SPD.astype(np.float32))


def test_deprecated_torch_cholesky():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(lambda T, a: T.cholesky(a), SPD)
        check_grads(lambda T, a: a.cholesky(upper=True), SPD)
    forget_warning("torch.cholesky is deprecated")
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
        reftorch.cholesky(reftorch.eye(2))


@pytest.mark.parametrize("expr", [
    "T.linalg.cholesky(T.tensor([[1., 2], [2, 1]]))", "T.linalg.cholesky(T.tensor([[[1., 0], [0, 1]], [[1., 2], [2, 1]]]))",
    "T.linalg.cholesky(T.tensor([[4., 100], [1, 1]]), upper=True)", "T.linalg.cholesky(T.ones(2, 3))",
    "T.linalg.cholesky(T.ones(2, 2, dtype=T.int64))", "T.linalg.cholesky(T.ones(2, 2, dtype=T.float16))",
    "T.linalg.cholesky(T.tensor([[4., 100], [1, 1]]))", "T.linalg.cholesky_ex(T.tensor([[1., 2], [2, 1]])).info",
    "T.linalg.cholesky_ex(T.tensor([[1., 0, 0], [0, 1, 0], [0, 0, -1]]), check_errors=True)",
    "T.linalg.cholesky_ex(T.zeros(3, 2, 2)).info",
    # the deprecated torch.cholesky: no floating point check before the kernel, its own name
    "T.cholesky(T.eye(2, dtype=T.int32))", "T.cholesky(T.eye(2).bool())", "T.cholesky(T.eye(2).half())",
    "T.cholesky(T.ones(2, 3))", "T.cholesky(T.ones(2, dtype=T.int64))", "T.cholesky(T.tensor([[1., 2], [2, 1]]))",
])
@pytest.mark.filterwarnings("ignore:torch.cholesky is deprecated")
def test_cholesky_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- qr
@pytest.mark.parametrize("a", [TALL, WIDE, SQ], ids=["tall", "wide", "square"])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr(a, mode):
    both(lambda T, a: [x.shape for x in T.linalg.qr(a, mode)], a)
    both(lambda T, a: (lambda r: (r.Q @ r.R, r.R.abs(), r.Q.mT @ r.Q))(T.linalg.qr(a, mode)), a)
    if mode == "reduced" or a is not TALL:
        check_grads(lambda T, a: (lambda r: (r.Q @ r.R, signed(T, r.Q), r.R.abs()))(T.linalg.qr(a, mode)), a,
                    check_grad_fn=False)


def test_qr_grad_fn_and_modes():
    both(lambda T, a: [x.grad_fn.name() for x in T.linalg.qr(a)], TALL, requires_grad=True)
    both(lambda T, a: T.linalg.qr(a, mode="r").R.abs(), TALL)
    both(lambda T, a: T.linalg.qr(a, mode="r").Q, TALL)
    for mode, a in (("r", TALL), ("complete", TALL)):
        def fn(T, a):
            x = a.clone().requires_grad_()
            T.linalg.qr(x, mode)[1].sum().backward()
        raises_like(fn, a, msg=True)


@pytest.mark.parametrize("expr", ["T.linalg.qr(T.ones(2, 3), mode='x')", "T.linalg.qr(T.ones(3))",
                                  "T.linalg.qr(T.ones(2, 2, dtype=T.int64))"])
def test_qr_checks(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- eigh
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(uplo):
    a = SQ  # not symmetric: only one triangle is read
    check_grads(lambda T, a: T.linalg.eigvalsh(a, uplo), a)
    check_grads(lambda T, a: (lambda r: (r.eigenvalues, signed(T, r.eigenvectors)))(T.linalg.eigh(a, UPLO=uplo)), a,
                check_grad_fn=False)
    both(lambda T, a: T.linalg.eigh(a, uplo).eigenvalues, a.astype(np.float32))
    both(lambda T, a: signed(T, T.linalg.eigh(a, uplo).eigenvectors), SPD)
    both(lambda T, a: [x.grad_fn.name() for x in T.linalg.eigh(a)], SPD, requires_grad=True)
    both(lambda T, a: T.linalg.eigvalsh(a).grad_fn.name(), SPD, requires_grad=True)


@pytest.mark.parametrize("expr", ["T.linalg.eigh(T.ones(2, 3))", "T.linalg.eigh(T.ones(2, 2), UPLO='X')",
                                  "T.linalg.eigh(T.ones(2, 2, dtype=T.int64))",
                                  "T.linalg.eigvalsh(T.tensor([[1., 5], [0, 1]]), UPLO='U')",
                                  "T.linalg.eigvalsh(T.tensor([[2., 1.], [1., 2.]]))"])
def test_eigh_checks(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- svd
@pytest.mark.parametrize("a", [TALL, WIDE, SQ], ids=["tall", "wide", "square"])
@pytest.mark.parametrize("full", [False, True])
def test_svd(a, full):
    both(lambda T, a: [x.shape for x in T.linalg.svd(a, full_matrices=full)], a)
    both(lambda T, a: (lambda r: (r.S, (r.U[..., :3] * r.S) @ r.Vh[..., :3, :]))(T.linalg.svd(a, full)), a)
    check_grads(lambda T, a: (lambda r: (r.S, signed(T, r.U[..., :3]), signed(T, r.Vh.mT[..., :3])))(
        T.linalg.svd(a, full_matrices=full)), a, check_grad_fn=False)


def test_svd_grad_fn_and_torch_svd():
    def names(r):
        return [x.grad_fn and x.grad_fn.name() for x in r]
    both(lambda T, a: names(T.linalg.svd(a)), TALL, requires_grad=True)
    both(lambda T, a: names(T.svd(a)), TALL, requires_grad=True)
    both(lambda T, a: names(T.svd(a, compute_uv=False)), TALL, requires_grad=True)
    both(lambda T, a: T.svd(a, compute_uv=False), TALL)
    both(lambda T, a: [x.shape for x in T.svd(a, some=False)], TALL)
    both(lambda T, a: (lambda r: (r.U * r.S) @ r.V.mT)(a.svd()), TALL)
    check_grads(lambda T, a: (lambda r: (r.S, signed(T, r.V)))(T.svd(a)), WIDE, check_grad_fn=False)


@pytest.mark.parametrize("expr", ["T.linalg.svdvals(T.ones(3))", "T.linalg.svdvals(T.ones(3, 2, dtype=T.int64))",
                                  "T.linalg.svdvals(T.tensor([[3., 0.], [0., -4.]]))", "T.linalg.svd(T.ones(3))", "T.linalg.svd(T.ones(2, 2, dtype=T.int64))",
                                  "T.linalg.svd(T.tensor([[3., 0.], [0., -4.]])).S", "T.linalg.svd(T.eye(2).half())",
                                  "T.linalg.svdvals(T.eye(2).half())", "T.svd(T.eye(2).half())",
                                  "T.linalg.cond(T.eye(2).half())", "T.linalg.matrix_norm(T.eye(2).half(), 2)",
                                  "T.linalg.matrix_norm(T.ones(3, 2, 2).half(), -2, dim=(0, 2))",
                                  "T.linalg.matrix_norm(T.eye(2).half(), 'nuc')", "T.linalg.norm(T.eye(2).half(), 2)",
                                  "T.linalg.matrix_norm(T.eye(2).half(), 'fro')", "T.linalg.matrix_norm(T.eye(2).half(), 1)",
                                  "T.linalg.matrix_norm(T.eye(2).long(), 'nuc')"])
def test_svd_checks(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- pinv, matrix_rank
@pytest.mark.parametrize("expr", [
    "T.linalg.pinv(a)", "T.linalg.pinv(a.mT)", "T.linalg.pinv(a[0].mT @ a[0])", "T.linalg.pinv(s, hermitian=True)",
    "T.linalg.pinv(a, rtol=0.3)", "T.linalg.pinv(a, atol=1.0)",
])
def test_pinv(expr):
    check_grads(lambda T, a, s: eval(expr, {"T": T, "a": a, "s": s}), TALL, SPD)
    both(lambda T, a, s: eval(expr, {"T": T, "a": a, "s": s}), TALL.astype(np.float32), SPD.astype(np.float32))


@pytest.mark.parametrize("expr", [
    "T.linalg.pinv(T.ones(3))", "T.linalg.pinv(T.ones(2, 3, dtype=T.int64))", "T.linalg.pinv(T.zeros(2, 3))",
    "T.linalg.pinv(T.ones(2, 3).half())", "T.linalg.pinv(T.ones(2, 2).bool(), hermitian=True)",
    "T.linalg.pinv(T.ones(3).half())", "T.pinverse(T.ones(2, 3).half())", "T.linalg.matrix_rank(T.ones(2, 3).half())",
    "T.linalg.matrix_rank(T.ones(2, 3, dtype=T.int64))", "T.linalg.matrix_rank(T.ones(2, 3))",
    "T.linalg.matrix_rank(T.ones(2, 3), tol=0.1)", "T.linalg.matrix_rank(T.eye(3) * T.tensor([1., 1e-3, 1e-9]))",
    "T.linalg.matrix_rank(T.eye(3) * T.tensor([1., 1e-3, 1e-9]), atol=1e-4)",
    "T.linalg.matrix_rank(T.eye(3) * T.tensor([1., 1e-3, 1e-9]), rtol=1e-2)",
    "T.linalg.matrix_rank(T.eye(3) * T.tensor([1., 1e-3, 1e-9]), hermitian=True)",
    "T.linalg.matrix_rank(T.tensor([[1., 2.], [2., 4.]]))", "T.linalg.matrix_rank(T.ones(4, 2, 3, dtype=T.float64))",
])
def test_pinv_rank_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- matrix_power
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7, -1, -2, -3])
def test_matrix_power(n):
    check_grads(lambda T, a: T.linalg.matrix_power(a, n), SQ[0] + 2 * np.eye(3))
    check_grads(lambda T, a: T.matrix_power(a, n), SQ + 2 * np.eye(3))
    both(lambda T, a: a.matrix_power(n), (SQ[0] + 2 * np.eye(3)).astype(np.float32))


@pytest.mark.parametrize("expr", [
    "T.linalg.matrix_power(T.ones(2, 3), 2)", "T.linalg.matrix_power(T.ones(2, 2, dtype=T.int64), 2)",
    "T.linalg.matrix_power(T.ones(2, 2, dtype=T.int64), -1)", "T.linalg.matrix_power(T.zeros(2, 2), -1)",
    "T.linalg.matrix_power(T.ones(2, 2), 2.0)", "T.linalg.matrix_power(T.tensor([[1, 1], [0, 1]]), 10)",
    "T.linalg.matrix_power(T.ones(3, 0, 0), 3)",
])
def test_matrix_power_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- multi_dot, vecdot
@pytest.mark.parametrize("shapes", [[(3,), (3,)], [(2, 3), (3, 4)], [(3,), (3, 4), (4,)], [(5, 3), (3, 1), (1, 6), (6, 2)],
                                    [(2, 10), (10, 10), (10, 1)], [(4,), (4, 2), (2, 9), (9, 3), (3,)]])
def test_multi_dot(shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    check_grads(lambda T, *ts: T.linalg.multi_dot(ts), *arrays)


@pytest.mark.parametrize("expr", [
    "T.linalg.multi_dot([T.ones(2, 3)])", "T.linalg.multi_dot([T.ones(2, 3), T.ones(2, 3)])",
    "T.linalg.multi_dot([T.ones(2, 3, 3), T.ones(3, 3)])", "T.linalg.multi_dot([T.ones(3, 3), T.ones(2, 3, 3)])",
    "T.linalg.multi_dot([T.ones(2, 3), T.ones(3, 3, dtype=T.float64)])", "T.linalg.multi_dot([])",
    "T.linalg.multi_dot([T.ones(2, 3), T.ones(3), T.ones(3, 2)])",
])
def test_multi_dot_checks(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", ["T.linalg.vecdot(x, y)", "T.linalg.vecdot(x, y[0])", "T.linalg.vecdot(x, y, dim=0)",
                                  "T.linalg.vecdot(x[0], y[1])", "T.linalg.vecdot(x.mT, y.mT, dim=-2)"])
def test_vecdot(expr):
    check_grads(lambda T, x, y: eval(expr, {"T": T, "x": x, "y": y}), TALL[0], TALL[1])


@pytest.mark.parametrize("expr", [
    "T.linalg.vecdot(T.ones(3), T.ones(3, dtype=T.float64))", "T.linalg.vecdot(T.ones(3), T.ones(4))",
    "T.linalg.vecdot(T.ones(3, dtype=T.int64), T.ones(3, dtype=T.int64))", "T.linalg.vecdot(T.ones(2, 3), T.ones(3), dim=0)",
])
def test_vecdot_checks(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- solve_triangular
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular(upper, left, unit):
    a = SQ + 3 * np.eye(3)
    b = RNG.standard_normal((2, 3, 4) if left else (2, 4, 3))
    check_grads(lambda T, a, b: T.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit), a, b)
    check_grads(lambda T, a, b: T.linalg.solve_triangular(a[0], b, upper=upper, left=left, unitriangular=unit), a, b)


@pytest.mark.parametrize("expr", [
    "T.linalg.solve_triangular(T.ones(2, 2), T.ones(2), upper=True)",
    "T.linalg.solve_triangular(T.eye(2, dtype=T.int64), T.ones(2, 1, dtype=T.int64), upper=False)",
    "T.linalg.solve_triangular(T.eye(2, dtype=T.float64), T.ones(2, 1), upper=False)",
    "T.linalg.solve_triangular(T.eye(2), T.ones(2, 1, dtype=T.int64), upper=False)",
    "T.linalg.solve_triangular(T.tensor([[0., 0], [1, 4]]), T.ones(2, 1), upper=False)",
    "T.linalg.solve_triangular(T.eye(2), T.ones(3, 1), upper=False)",
    "T.linalg.solve_triangular(T.eye(2), T.ones(2, 1, dtype=T.float64), upper=False)",
    "T.linalg.solve_triangular(T.tensor([[2., 0], [1, 4]]), T.ones(1, 2), upper=False, left=False)",
])
def test_solve_triangular_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


def test_solve_triangular_upper_is_required():
    both(lambda T: T.linalg.solve_triangular(T.eye(2), T.ones(2, 1)))  # (a TypeError; messages differ)


# ----------------------------------------------------------------------------- lstsq
@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_full_rank(driver):
    a, b, v = RNG.standard_normal((2, 5, 3)), RNG.standard_normal((2, 5, 2)), RNG.standard_normal((2, 5))
    both(lambda T, a, b: T.linalg.lstsq(a, b, driver=driver), a.astype(np.float32), b.astype(np.float32))
    check_grads(lambda T, a, b: T.linalg.lstsq(a, b, driver=driver)[:2], a, b)
    check_grads(lambda T, a, v: T.linalg.lstsq(a, v, driver=driver)[:2], a, v)
    check_grads(lambda T, a, b: T.linalg.lstsq(a[0], b[0], driver=driver)[:2], a, b)
    check_grads(lambda T, a, b: T.linalg.lstsq(a.mT, b[..., :3, :], driver=driver)[:2], a, b)


@pytest.mark.parametrize("driver", ["gelsd", "gelss"])
def test_lstsq_rank_deficient_with_svd_drivers(driver):
    both(lambda T: T.linalg.lstsq(T.tensor([[1., 2], [2, 4], [0, 0]], dtype=T.float64),
                                  T.tensor([[1.], [2], [4]], dtype=T.float64), driver=driver))
    both(lambda T: T.linalg.lstsq(T.tensor([[1., 2], [2, 4], [0, 0]], dtype=T.float64),
                                  T.tensor([[1.], [2], [4]], dtype=T.float64), rcond=0.5, driver=driver))


@pytest.mark.parametrize("expr", [
    "T.linalg.lstsq(T.ones(3, 2), T.ones(2, 1))", "T.linalg.lstsq(T.ones(3, 2), T.ones(3, 1, dtype=T.float64))",
    "T.linalg.lstsq(T.ones(3, 2, dtype=T.int64), T.ones(3, 1, dtype=T.int64))", "T.linalg.lstsq(T.ones(3), T.ones(3))",
    "T.linalg.lstsq(T.ones(3, 2), T.ones(3, 1), driver='x')", "T.linalg.lstsq(T.ones(3, 2), T.ones(2, 3, 2))",
    "T.linalg.lstsq(T.ones(3, 2), T.ones(()))", "T.linalg.lstsq(T.ones(2, 3, 2), T.ones(3, 1))",
])
def test_lstsq_checks(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)


# ----------------------------------------------------------------------------- cholesky: complex, near-singular
_H = RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))
HPD = _H @ np.conj(_H.transpose(0, 2, 1)) + 3 * np.eye(3)


@pytest.mark.parametrize("expr", ["T.linalg.cholesky(a)", "T.linalg.cholesky(a, upper=True)",
                                  "T.linalg.cholesky(a.tril())", "T.linalg.cholesky(a.triu(), upper=True)"])
def test_cholesky_complex(expr):
    both(lambda T, a: eval(expr, {"T": T, "a": a}), HPD.astype(np.complex64))
    check_grads(lambda T, a: eval(expr, {"T": T, "a": a}), HPD, complex_grads=True)


def test_cholesky_ex_near_singular_float32_factor_and_info_agree():
    # Rank-deficient float32 matrices (smallest eigenvalue within rounding of zero): MKL's
    # potrf (PyTorch) and reftorch's potf2 loop may decide either way (documented), but
    # reftorch's factor and info always agree: info 0 with L @ L^T = A, or nan and the
    # order of a failing minor; never an exception
    rng = np.random.default_rng(0)
    for _ in range(60):
        n = int(rng.integers(2, 7))
        b = rng.standard_normal((n, int(rng.integers(1, n))))
        a = (b @ b.T + rng.choice([0.0, 1e-7, 1e-6]) * np.eye(n)).astype(np.float32)
        L, info = reftorch.linalg.cholesky_ex(reftorch.tensor(a))
        if info.item() == 0:
            np.testing.assert_allclose((L @ L.mT).numpy(), a, atol=1e-4 * np.abs(a).max())
        else:
            assert 1 <= info.item() <= n and L.isnan().all().item()
        # clearly (not) positive-definite matrices: PyTorch's info
        both(lambda T, a: T.linalg.cholesky_ex(a).info, a + np.eye(n, dtype=np.float32))
        both(lambda T, a: T.linalg.cholesky_ex(a).info, a - np.eye(n, dtype=np.float32))
