"""torch.linalg.det / slogdet / inv / inv_ex / solve / solve_ex and torch.det / logdet /
slogdet / inverse (functions and methods) against PyTorch: values on batches, float32 and
float64, grad_fn names and gradients (check_grads), solve's vector right-hand sides, batch
broadcasting and left=False, singular matrices (LinAlgError with PyTorch's message, info),
and the shape and dtype checks with PyTorch's exception types and messages."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
from tests._compare import both, check_grads, raises_like

RNG = np.random.default_rng(5)
A = RNG.standard_normal((3, 4, 4)) + 4 * np.eye(4)  # well conditioned
B = RNG.standard_normal((3, 4, 2))
V = RNG.standard_normal(4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr", [
    "T.linalg.det(a)", "T.det(a)", "a.det()", "T.linalg.slogdet(a)", "T.slogdet(a)", "a.slogdet()",
    "T.logdet(a)", "a.logdet()", "T.linalg.inv(a)", "T.inverse(a)", "a.inverse()", "T.linalg.inv_ex(a)",
    "T.linalg.det(a[0])", "T.linalg.inv(a[1])", "T.logdet(-a[0])",
])
def test_det_inv_values(expr, dtype):
    both(lambda T, a: eval(expr, {"T": T, "a": a}), A.astype(dtype))


@pytest.mark.parametrize("expr", [
    "T.linalg.det(a)", "T.det(a)", "T.linalg.slogdet(a)", "T.slogdet(a)", "T.logdet(a)", "T.linalg.slogdet(a)[1]",
    "T.linalg.inv(a)", "T.linalg.inv_ex(a)", "a.inverse()", "T.linalg.det(a[0])",
])
def test_det_inv_grads(expr):
    check_grads(lambda T, a: eval(expr, {"T": T, "a": a}), A)


def test_slogdet_sign_alone_gives_no_gradient():
    def fn(T, a):
        T.linalg.slogdet(a).sign.sum().backward()
        return a.grad
    both(fn, A, requires_grad=True)


@pytest.mark.parametrize("m", [[[1., 2.], [2., 4.]], [[1., 2., 3.], [2., 4., 6.], [0., 0., 1.]], [[0., 0.], [0., 0.]]])
def test_det_of_singular_matrix_and_its_zero_gradient(m):
    check_grads(lambda T, a: T.linalg.det(a), np.array(m))
    both(lambda T, a: T.linalg.slogdet(a), np.array(m))


def test_empty_and_zero_size_matrices():
    both(lambda T: T.linalg.det(T.zeros(0, 0)))
    both(lambda T: T.linalg.det(T.zeros(2, 0, 0)))
    both(lambda T: T.linalg.inv(T.zeros(0, 0)))
    both(lambda T: T.linalg.inv(T.zeros(0, 3, 3)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr", [
    "T.linalg.solve(a, b)", "T.linalg.solve(a, v)", "T.linalg.solve(a[0], b)", "T.linalg.solve(a, b[0])",
    "T.linalg.solve(a, b[:, :, 0])", "T.linalg.solve(a, b.mT, left=False)", "T.linalg.solve(a[0], b[0].mT, left=False)",
    "T.linalg.solve_ex(a, b)", "T.linalg.solve(a[:1], b)", "T.linalg.solve(a.unsqueeze(1), b)",
])
def test_solve_values_and_grads(expr, dtype):
    args = A.astype(dtype), B.astype(dtype), V.astype(dtype)
    both(lambda T, a, b, v: eval(expr, {"T": T, "a": a, "b": b, "v": v}), *args)
    if dtype == "float64":
        check_grads(lambda T, a, b, v: eval(expr, {"T": T, "a": a, "b": b, "v": v}), *args)


@pytest.mark.parametrize("expr", [
    "T.linalg.inv(T.zeros(2, 2))", "T.linalg.inv(T.zeros(3, 2, 2))", "T.inverse(T.zeros(2, 2))",
    "T.linalg.inv(T.tensor([[1., 2, 3], [2, 4, 6], [1, 0, 0]]))",
    "T.linalg.inv(T.stack([T.eye(2), T.zeros(2, 2)]).reshape(2, 1, 2, 2))",
    "T.linalg.inv_ex(T.zeros(2, 2), check_errors=True)",
    "T.linalg.solve(T.zeros(2, 2), T.ones(2))", "T.linalg.solve(T.zeros(3, 2, 2), T.ones(3, 2))",
    "T.linalg.solve_ex(T.zeros(2, 2), T.ones(2), check_errors=True)",
])
def test_singular_matrices_raise_linalg_error(expr):
    _, err = raises_like(lambda T: eval(expr, {"T": T}), msg=True)
    assert isinstance(err, reftorch.linalg.LinAlgError) and isinstance(err, RuntimeError)


def test_linalg_error_is_pytorchs():
    import torch
    assert issubclass(reftorch.linalg.LinAlgError, RuntimeError)
    assert reftorch.linalg.LinAlgError.__name__ == torch.linalg.LinAlgError.__name__
    assert reftorch.linalg.LinAlgError.__module__ == torch.linalg.LinAlgError.__module__


@pytest.mark.parametrize("expr", [
    "T.linalg.inv_ex(T.zeros(3, 2, 2)).info", "T.linalg.inv_ex(T.tensor([[1., 2, 3], [2, 4, 6], [1, 0, 0]])).info",
    "T.linalg.inv_ex(T.eye(2).expand(3, 2, 2))", "T.linalg.solve_ex(T.zeros(3, 2, 2), T.ones(3, 2)).info",
    "T.linalg.solve_ex(T.eye(2), T.ones(2))", "T.linalg.inv_ex(T.tensor([[2., 0.], [0., 0.]])).info",
])
def test_info(expr):
    both(lambda T: eval(expr, {"T": T}))


def test_singular_results_of_the_ex_functions_are_nan():
    # (PyTorch leaves LAPACK's partial results, nan and inf; reftorch gives nan)
    r = reftorch.linalg.inv_ex(reftorch.stack([reftorch.eye(2), reftorch.zeros(2, 2)]))
    assert r.inverse[0].tolist() == [[1., 0.], [0., 1.]] and r.inverse[1].isnan().all()
    assert reftorch.linalg.solve_ex(reftorch.zeros(2, 2), reftorch.ones(2)).result.isnan().all()


@pytest.mark.parametrize("fn", ["T.linalg.inv", "T.linalg.det", "T.linalg.slogdet", "T.logdet", "T.linalg.inv_ex",
                                "T.inverse", "T.det", "T.slogdet"])
@pytest.mark.parametrize("arg", [
    "T.ones(3, dtype=T.int64)", "T.ones(2, 3, dtype=T.int64)", "T.ones(2, 3, dtype=T.float16)", "T.ones(2, 3)",
    "T.ones(3, dtype=T.float16)", "T.ones(2, 2, dtype=T.float16)",
    "T.ones(2, 2, dtype=T.int64)", "T.ones(2)", "[[1., 2.], [3., 4.]]",
])
def test_checks(fn, arg):
    both(lambda T: eval(f"{fn}({arg})", {"T": T}), msg=True)


@pytest.mark.parametrize("a, b, kw", [
    ("T.ones(2, 3)", "T.ones(2)", ""), ("T.ones(2, 2)", "T.ones(2, dtype=T.int64)", ""),
    ("T.ones(2, 2, dtype=T.int64)", "T.ones(2)", ""), ("T.ones(2, 2, dtype=T.float16)", "T.ones(2)", ""),
    ("T.ones(2, 2, dtype=T.float16)", "T.ones(2, dtype=T.float16)", ""), ("T.eye(2)", "T.ones(2, 3)", ", left=False"),
    ("T.eye(2)", "T.ones(2)", ", left=False"), ("T.eye(2)", "T.ones(3)", ""), ("T.eye(2)", "T.ones(2, 3, 1)", ""),
    ("T.eye(3).expand(2, 3, 3)", "T.ones(2, 3)", ", left=False"), ("T.eye(2).expand(3, 2, 2)", "T.ones(4, 2)", ""),
    ("T.eye(2).expand(3, 2, 2)", "T.ones(4, 2, 2)", ""), ("T.eye(2)", "T.ones(())", ""), ("T.ones(2)", "T.ones(2)", ""),
    ("T.eye(2)", "T.ones(2, 3, 0)", ""), ("T.eye(3).expand(2, 3, 3)", "T.ones(3, 3)", ""),
    ("T.ones(3, dtype=T.int64)", "T.ones(3, dtype=T.int64)", ""), ("T.eye(2)", "T.ones(2, 2, 0)", ""),
])
def test_solve_checks(a, b, kw):
    both(lambda T: eval(f"T.linalg.solve({a}, {b}{kw})", {"T": T}), msg=True)


def test_out():
    both(lambda T, a: T.linalg.inv(a, out=T.empty(0, dtype=T.float64)), A)
    both(lambda T, a: T.linalg.det(a, out=T.empty(3, dtype=T.float64)), A)
    both(lambda T, a, b: T.linalg.solve(a, b, out=T.empty(3, 4, 2, dtype=T.float64)), A, B)


def test_printing():
    both(lambda T: repr(T.linalg.slogdet(T.tensor([[0., 2.], [3., 0.]]))))
    both(lambda T: repr(T.slogdet(T.tensor([[0., 2.], [3., 0.]]))))
    both(lambda T: repr(T.linalg.inv_ex(T.eye(2))))


@pytest.mark.parametrize("expr, wrt", [
    ("T.linalg.det(a)", "a"), ("T.linalg.slogdet(a).logabsdet", "a"), ("T.logdet(a)", "a"), ("T.linalg.inv(a)", "a"),
    ("T.linalg.solve(a, b)", "ab"), ("T.linalg.solve(a, v)", "av"), ("T.linalg.solve(a[0], b.mT, left=False)", "ab"),
    ("T.linalg.det(a[0])", "a"),
])
def test_second_order(expr, wrt):
    """create_graph=True: the gradients' grad_fn names and the second derivatives."""
    def fn(T, a, b, v):
        env = {"T": T, "a": a, "b": b, "v": v}
        y = eval(expr, env)
        w = T.arange(y.numel(), dtype=y.dtype).reshape(y.shape) / 7 + 1
        inputs = [env[k] for k in wrt]
        grads = T.autograd.grad((y * w).sum(), inputs, create_graph=True)
        sum((g * g).sum() for g in grads).backward()
        return [g.grad_fn.name() for g in grads], grads, [x.grad for x in inputs]
    both(fn, A, B, V, requires_grad=True)
