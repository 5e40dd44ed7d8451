"""Differential tests of scatter/scatter_/scatter_add(_)/scatter_reduce(_) against PyTorch:
values (repeated indices included), dtypes, include_self, grads, grad_fn names, errors."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import both, check_grads, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scatter_case(draw):
    """(self shape, dim, index array, src shape): index no larger than src, nor than self
    outside ``dim``; values in range (repeats likely)."""
    nd = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd)))
    dim = draw(st.integers(-nd, nd - 1))
    d = dim % nd
    ishape = tuple(draw(st.integers(0, 4)) if k == d else draw(st.integers(0, shape[k])) for k in range(nd))
    sshape = tuple(n + draw(st.integers(0, 1)) for n in ishape)
    seed = draw(st.integers(0, 999))
    idx = np.random.default_rng(seed).integers(0, shape[d], size=ishape).astype(np.int64)
    return shape, dim, idx, sshape, seed


@SET
@given(case=scatter_case(), dt=st.sampled_from(["float32", "float64", "int64", "int32"]))
def test_scatter_and_scatter_add(case, dt):
    shape, dim, idx, sshape, seed = case
    rng = np.random.default_rng(seed)
    x, src = random_array(rng, shape, dt), random_array(rng, sshape, dt)
    both(lambda T, a, i, s: T.scatter(a, dim, i, s), x, idx, src, exact=dt.startswith("int"))
    both(lambda T, a, i, s: a.scatter_add(dim, i, s), x, idx, src)
    both(lambda T, a, i: a.scatter(dim, i, 2.5), x, idx, exact=True)
    both(lambda T, a, i: T.scatter(a, dim, i, value=-1), x, idx, exact=True)


@SET
@given(case=scatter_case(), dt=st.sampled_from(["float32", "float64", "int64"]),
       reduce=st.sampled_from(["sum", "prod", "mean", "amax", "amin"]), include_self=st.booleans())
def test_scatter_reduce(case, dt, reduce, include_self):
    shape, dim, idx, sshape, seed = case
    rng = np.random.default_rng(seed)
    x, src = random_array(rng, shape, dt, -3, 3), random_array(rng, sshape, dt, -3, 3)
    both(lambda T, a, i, s: T.scatter_reduce(a, dim, i, s, reduce, include_self=include_self), x, idx, src)


@SET
@given(case=scatter_case(), reduce=st.sampled_from(["sum", "prod", "mean", "amax", "amin"]),
       include_self=st.booleans())
def test_scatter_reduce_grads(case, reduce, include_self):
    shape, dim, idx, sshape, seed = case
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.arange(1, int(np.prod(shape)) + 1)).reshape(shape).astype(np.float64) / 4
    src = rng.permutation(np.arange(1, int(np.prod(sshape)) + 1)).reshape(sshape).astype(np.float64) / 3
    if tuple(sshape) != tuple(idx.shape):
        src = src[tuple(slice(0, n) for n in idx.shape)].copy()  # PyTorch's backward wants src shaped like index
    check_grads(lambda T, a, s: T.scatter_reduce(a, dim, T.from_numpy(idx.copy()), s, reduce,
                                                 include_self=include_self), x, src)


def test_scatter_grads_and_names():
    x = np.arange(8, dtype=np.float64).reshape(2, 4)
    idx = np.array([[0, 1], [2, 2]])
    src = np.array([[1.0, 2.0], [3.0, 4.0]])
    check_grads(lambda T, a, s: T.scatter(a, 1, T.from_numpy(idx), s), x, src)
    check_grads(lambda T, a: T.scatter(a, 1, T.from_numpy(idx), 5.0), x)
    check_grads(lambda T, a, s: T.scatter_add(a, 1, T.from_numpy(idx), s), x, src)


def test_scatter_repeated_index_last_wins_and_prod_with_zeros():
    both(lambda T: T.ones(3).scatter_(0, T.tensor([0, 0, 2]), T.tensor([5.0, 6.0, 7.0])))
    x = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0]])
    src = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0]])
    idx = np.array([[0, 0, 1], [2, 2, 2]])
    check_grads(lambda T, a, s: T.scatter_reduce(a, 1, T.from_numpy(idx), s, "prod"), x, src)


def test_scatter_inplace_and_legacy_reduce():
    both(lambda T: T.zeros(2, 4).scatter_(1, T.tensor([[0, 1], [2, 2]]), T.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                          reduce="add"))
    both(lambda T: T.full((2, 4), 2.0).scatter_(1, T.tensor([[0, 1], [2, 2]]), 3.0, reduce="multiply"))
    both(lambda T: T.zeros(4).scatter_add_(0, T.tensor([0, 2, 2]), T.tensor([1.0, 2.0, 3.0])))
    both(lambda T: T.zeros(2).scatter_reduce_(0, T.tensor([0, 1, 0]), T.tensor([1.0, 2.0, 3.0]), "amax",
                                              include_self=False))
    both(lambda T: T.zeros(2, 4).scatter_(1, T.tensor([[0, 1]]), T.ones(1, 2), reduce="sum"), msg=True)


@pytest.mark.parametrize("fn", [
    lambda T: T.zeros(2, 4).scatter(1, T.tensor([[0, 1], [2, 2]]), T.ones(2, 2).long()),
    lambda T: T.zeros(2, 4).scatter(1, T.tensor([0, 1]), T.ones(2, 2)),
    lambda T: T.zeros(2, 4).scatter(1, T.tensor([[0, 9]]), T.ones(2, 2)),
    lambda T: T.zeros(2, 4).scatter(1, T.tensor([[0, -1]]), T.ones(2, 2)),
    lambda T: T.zeros(2, 4).scatter(0, T.tensor([[0, 1, 1, 1, 1]]), T.ones(2, 2)),
    lambda T: T.zeros(2, 4).scatter(5, T.tensor([[0, 1]]), T.ones(2, 2)),
    lambda T: T.zeros(2, 4).scatter_add(1, T.tensor([[0, 1]]), T.ones(2, 2).double()),
    lambda T: T.zeros(2, 4).scatter(1, T.tensor([[0, 1]]), T.tensor(3.0)),
    lambda T: T.zeros(2, 4).scatter_reduce(1, T.tensor([[0, 1]]), T.ones(2, 2), "max"),  # = amax
    lambda T: T.zeros(2, 4).scatter_reduce(1, T.tensor([[0, 1]]), -T.ones(2, 2), "min"),
    lambda T: T.zeros(2, 4).scatter_reduce(1, T.tensor([[0, 1]]), T.ones(2, 2), "add"),
])
def test_scatter_errors_and_reduce_names(fn):
    both(fn, msg="prefix")


def test_scatter_inverts_gather():
    x = reftorch.arange(12.0).view(3, 4)
    idx = reftorch.tensor([[3, 0], [1, 2], [0, 3]])
    g = x.gather(1, idx)
    back = reftorch.zeros(3, 4).scatter(1, idx, g)
    np.testing.assert_array_equal(back.gather(1, idx).numpy(), g.numpy())


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_amax_amin_nan_gradient(reduce, include_self):
    """A NaN result matches no element: PyTorch's gradient of that group is NaN (0 / 0)."""
    grads = []
    for T in (torch, reftorch):
        src = T.tensor([1.0, float("nan"), 2.0, 3.0], requires_grad=True)
        self_ = T.tensor([0.5, 2.5], requires_grad=True)
        out = self_.scatter_reduce(0, T.tensor([0, 0, 1, 1]), src, reduce, include_self=include_self)
        out.backward(T.tensor([1.0, 2.0]))
        grads.append([np.asarray(t.tolist()) for t in (out.detach(), src.grad, self_.grad)])
    for got, want in zip(grads[1], grads[0]):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dt", ["float16", "float32", "float64"])
def test_scatter_sums_accumulate_in_order_bit_exact(dt):
    # PyTorch's CPU loop adds the values landing on one place one after another, starting
    # from self (or from 0 without include_self); float16 in a float32 buffer rounded once.
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = int(rng.integers(1, 40))
        s = (rng.standard_normal(3) * rng.choice([1, 100, 1e4])).astype(dt)
        v = (rng.standard_normal(n) * rng.choice([1e-3, 1, 100])).astype(dt)
        idx = rng.integers(0, 3, n)
        both(lambda T, a, i, b: (a.scatter_add(0, i, b), a.scatter_reduce(0, i, b, "sum"),
                                 a.scatter_reduce(0, i, b, "sum", include_self=False),
                                 a.scatter_reduce(0, i, b, "mean")), s, idx, v, exact=True)
        both(lambda T, a, i, b: a.scatter_add(1, i, b), np.stack([s, s]), np.stack([idx, idx[::-1]]),
             np.stack([v, v]), exact=True)

        def gather_grad(T, a, i, g):
            a.requires_grad_()
            a.gather(0, i).backward(g)
            return a.grad
        both(gather_grad, s, idx, v, exact=True)
