"""torch.geqrf and torch.ormqr (functions and methods) against PyTorch: LAPACK's reflectors
and scalars on square, tall, wide and batched matrices (zero columns too), ormqr on every
side/transpose combination with gradients for all three inputs (check_grads), geqrf's
backward error, and the checks with PyTorch's exception types and messages."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tests._compare import both, check_grads

RNG = np.random.default_rng(8)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3), (1, 1), (0, 3, 2), (3, 0)])
def test_geqrf(shape, dtype):
    both(lambda T, a: T.geqrf(a), RNG.standard_normal(shape).astype(dtype))
    both(lambda T, a: a.geqrf(), RNG.standard_normal(shape).astype(dtype))


@pytest.mark.parametrize("m", [[[0., 1.], [0., 0.]], [[0., 0.], [0., 0.]], [[-3., 1.], [4., 0.]], [[2., 1.], [0., 3.], [0., 0.]]])
def test_geqrf_special_columns(m):
    both(lambda T, a: T.geqrf(a), np.array(m))


def test_geqrf_backward_raises():
    def fn(T, a):
        T.geqrf(a).a.sum().backward()
    both(fn, RNG.standard_normal((3, 3)), requires_grad=True, msg=True)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("shape", [(4, 3), (4, 4), (2, 5, 3)])
def test_ormqr(shape, left, transpose):
    a, tau = (t.numpy() for t in torch.geqrf(torch.from_numpy(RNG.standard_normal(shape))))
    m = shape[-2]
    c = RNG.standard_normal(shape[:-2] + ((m, 2) if left else (2, m)))
    fn = lambda T, a, tau, c: T.ormqr(a, tau, c, left=left, transpose=transpose)  # noqa: E731
    both(fn, a.astype("float32"), tau.astype("float32"), c.astype("float32"))
    check_grads(fn, a, tau, c)
    check_grads(lambda T, a, tau, c: a.ormqr(tau, c, left, transpose), a, tau, c)


def test_ormqr_wide_reflectors():
    a, tau = (t.numpy() for t in torch.geqrf(torch.from_numpy(RNG.standard_normal((3, 5)))))
    check_grads(lambda T, a, tau, c: T.ormqr(a, tau, c, left=False, transpose=True), a, tau, RNG.standard_normal((4, 3)))


@pytest.mark.parametrize("expr", [
    "T.geqrf(T.ones(2))", "T.geqrf(T.ones(2, 2).int())", "T.geqrf(T.ones(2, 2).half())",
    "T.ormqr(a, tau, T.ones(3, 2))", "T.ormqr(a, tau, T.ones(4, 2).double())", "T.ormqr(a, tau, T.ones(2, 3), left=False)",
    "T.ormqr(a, tau[:2], T.ones(4, 2))", "T.ormqr(a, tau.int(), T.ones(4, 2))", "T.ormqr(a.int(), tau.int(), T.ones(4, 2).int())",
    "T.ormqr(a[:3], T.ones(4), T.ones(3, 2))", "T.ormqr(a, tau, T.ones(4))", "T.ormqr(T.ones(4), tau, T.ones(4, 2))",
    "T.ormqr(a.expand(2, 4, 3), tau, T.ones(2, 4, 2))", "T.ormqr(a, tau, T.ones(2, 4, 2))",
    "T.ormqr(a.expand(2, 4, 3), tau.expand(3, 3), T.ones(2, 4, 2))",
])
def test_errors(expr):
    def fn(T):
        a, tau = T.geqrf(T.tensor([[1., 2, 3], [4, 5, 6], [7, 8, 10], [1, 0, 1]]))
        return eval(expr, {"T": T, "a": a, "tau": tau})
    both(fn, msg=True)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
def test_complex(shape):
    a = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    both(lambda T, a: T.geqrf(a), a)
    both(lambda T, a: T.geqrf(a), a.astype("complex64"))
    r, tau = (t.numpy() for t in torch.geqrf(torch.from_numpy(a)))
    m = shape[-2]
    for left in (True, False):
        for transpose in (False, True):
            c_shape = shape[:-2] + ((m, 2) if left else (2, m))
            c = RNG.standard_normal(c_shape) + 1j * RNG.standard_normal(c_shape)
            check_grads(lambda T, r, tau, c: T.ormqr(r, tau, c, left=left, transpose=transpose), r, tau, c,
                        complex_grads=True)
