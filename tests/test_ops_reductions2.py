"""Differential tests of prod, var/std (+ var_mean/std_mean), logsumexp, nansum and nanmean
against PyTorch: values, dtypes, shapes, keepdim, negative dims, grad_fn names, gradients
(prod with zeros), errors, warnings, and the strict device.

Variances are summed in a different order than PyTorch's Welford loop, so float values are
compared with the shared tolerances (rtol 1e-5 float32 / 1e-12 float64), not bit for bit."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import torch  # the oracle

import reftorch
from _compare import both, check_grads, raises_like, random_array

pytestmark = pytest.mark.torch


def arr(shape, dtype="float32", seed=0, low=-3, high=3):
    return random_array(np.random.default_rng(seed), shape, dtype, low, high)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("call", [lambda T, x: T.prod(x), lambda T, x: x.prod(1), lambda T, x: x.prod(-1, True),
                                  lambda T, x: T.prod(x, 0, dtype=T.float64), lambda T, x: x.prod(dtype=T.int32)])
def test_prod_values_dtypes(dtype, call):
    both(call, arr((3, 4), dtype, low=-2, high=3))


@pytest.mark.parametrize("data", [
    [[1., 2., 3.], [4., 5., 6.]],          # no zero
    [[1., 0., 3.], [4., 5., 6.]],          # one zero
    [[0., 2., 0.], [4., 5., 6.]],          # two zeros in one row
    [[0., 2., 3.], [4., 0., 6.]],          # zeros in several rows
])
@pytest.mark.parametrize("call", [lambda T, x: x.prod(), lambda T, x: x.prod(1), lambda T, x: x.prod(0, keepdim=True),
                                  lambda T, x: x.prod(-1)])
def test_prod_grads_with_zeros(data, call):
    check_grads(call, np.array(data, np.float64))


def test_prod_errors_and_edges():
    raises_like(lambda T, x: T.prod(x, (0, 1)), arr((2, 3)))
    raises_like(lambda T, x: x.prod(2), arr((2, 3)))
    both(lambda T, x: x.prod(0), np.float32(3.0))
    both(lambda T, x: x.prod(), np.zeros((0, 3), np.float32))
    both(lambda T, x: x.prod(0), np.zeros((0, 3), np.float32))


VAR_CALLS = [  # (f is "var" or "std")
    lambda T, x, f: getattr(x, f)(), lambda T, x, f: getattr(x, f)(1), lambda T, x, f: getattr(x, f)(-1, keepdim=True),
    lambda T, x, f: getattr(T, f)(x, (0, 2)), lambda T, x, f: getattr(x, f)(0, False),
    lambda T, x, f: getattr(x, f)(False), lambda T, x, f: getattr(x, f)(1, correction=0),
    lambda T, x, f: getattr(x, f)(dim=(-1, 0), correction=2, keepdim=True),
    lambda T, x, f: getattr(x, f)(1, unbiased=False, keepdim=True), lambda T, x, f: getattr(x, f)(()),
    lambda T, x, f: getattr(T, f)(x, 1, True, True), lambda T, x, f: getattr(x, f)(1, correction=0.5),
]


@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("i", range(len(VAR_CALLS)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_var_std(fn, i, dtype):
    check_grads(lambda T, x: VAR_CALLS[i](T, x, fn), arr((3, 4, 2), dtype))


@pytest.mark.parametrize("call", [lambda T, x: T.var_mean(x), lambda T, x: T.var_mean(x, 1, keepdim=True),
                                  lambda T, x: T.std_mean(x, -1, correction=0), lambda T, x: T.std_mean(x, (0, 1))])
def test_var_mean_std_mean(call):
    check_grads(call, arr((3, 4), "float64"))


def test_std_of_constant_rows_grad():
    check_grads(lambda T, x: x.std(1), np.array([[2., 2., 2.], [1., 2., 4.]]))


@pytest.mark.parametrize("call", [lambda T, x: x.var(), lambda T, x: x.var(0), lambda T, x: x.std(correction=3),
                                  lambda T, x: T.var_mean(x, 0)])
def test_dof_warning_and_nan(call):
    x = np.array([[1.5]], np.float32)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = call(torch, torch.tensor(x))
    with warnings.catch_warnings(record=True) as wr:
        warnings.simplefilter("always")
        r = call(reftorch, reftorch.tensor(x))
    assert [str(w.message) for w in wr] == [str(w.message) for w in wt]
    assert [w.category for w in wr] == [w.category for w in wt]
    both(lambda T, x: call(T, x), x)
    assert isinstance(r, (tuple, reftorch.Tensor)) and isinstance(t, (tuple, torch.Tensor))


def test_var_divisor_zero_gives_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T, x: x.var(correction=2), np.array([1., 2.], np.float32))


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_var_std_int_errors(dtype):
    for call in (lambda T, x: x.var(), lambda T, x: x.std(0), lambda T, x: T.var_mean(x)):
        raises_like(call, arr((2, 3), dtype), msg=True)


@pytest.mark.parametrize("call", [lambda T, x: T.logsumexp(x, 1), lambda T, x: x.logsumexp(-1, keepdim=True),
                                  lambda T, x: T.logsumexp(x, (0, 1)), lambda T, x: x.logsumexp(0)])
def test_logsumexp(call):
    check_grads(call, arr((3, 4), "float64", low=-50, high=50))
    check_grads(call, arr((3, 4), "float32"))


def test_logsumexp_edges():
    both(lambda T, x: T.logsumexp(x, 0), np.array([1, 2], np.int64))
    both(lambda T, x: T.logsumexp(x, 0), np.array([np.inf, 1.], np.float32))
    both(lambda T, x: T.logsumexp(x, 0), np.array([-np.inf, -np.inf], np.float32))
    both(lambda T, x: T.logsumexp(x, 0), np.float32(3.0))
    both(lambda T, x: T.logsumexp(x, 1), np.zeros((2, 0), np.float32))
    check_grads(lambda T, x: T.logsumexp(x, 0), np.float64(3.0))
    raises_like(lambda T, x: T.logsumexp(x), arr((2,)))
    raises_like(lambda T, x: T.logsumexp(x, 3), arr((2,)))


def _with_nan(shape, dtype="float64"):
    a = arr(shape, dtype)
    a[0, 1] = np.nan
    a[2, :] = np.nan
    return a


@pytest.mark.parametrize("call", [lambda T, x: T.nansum(x), lambda T, x: x.nansum(1), lambda T, x: x.nansum(-1, True),
                                  lambda T, x: T.nanmean(x), lambda T, x: x.nanmean(0),
                                  lambda T, x: x.nanmean((0, 1), keepdim=True), lambda T, x: x.nanmean(1)])
def test_nansum_nanmean(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed (an all-nan row gives nan quietly)
        check_grads(call, _with_nan((3, 4)))
        check_grads(call, _with_nan((3, 4), "float32"))


def test_nansum_ints_and_errors():
    both(lambda T, x: T.nansum(x), arr((2, 3), "int32"))
    both(lambda T, x: x.nansum(0, dtype=T.float64), arr((2, 3), "float32"))
    raises_like(lambda T, x: T.nanmean(x), arr((2, 3), "int64"), msg=True)


@pytest.mark.parametrize("call", [lambda T, x: x.prod(1), lambda T, x: x.var(0), lambda T, x: x.std(),
                                  lambda T, x: x.logsumexp(1), lambda T, x: x.nansum(0), lambda T, x: x.nanmean(),
                                  lambda T, x: T.var_mean(x, 1)[0]])
def test_strict_device(call):
    data = [[1.0, -2.0, 0.0], [4.0, 5.0, -6.0]]
    outs, grads = [], []
    for dev in ("cpu", "strict"):
        x = reftorch.tensor(data, device=dev, requires_grad=True)
        y = call(reftorch, x)
        y.sum().backward()
        outs.append(y.detach().cpu().numpy())
        grads.append(x.grad.cpu().numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


# ------------------------------------------------------------------ select, diagonal, diag, trace
@pytest.mark.parametrize("call", [lambda T, x: x.select(1, -1), lambda T, x: T.select(x, 0, 2),
                                  lambda T, x: x.select(-1, 0), lambda T, x: x.diagonal(),
                                  lambda T, x: x.diagonal(1), lambda T, x: T.diagonal(x, -1, 1, 0),
                                  lambda T, x: x.diagonal(1, -1, 0), lambda T, x: x.diagonal(5),
                                  lambda T, x: x.diagonal(-2, 0, 2)])
def test_select_diagonal_views(call):
    check_grads(call, arr((3, 4, 2), "float64"))
    x = arr((3, 4, 2))
    rt, tt = reftorch.tensor(x), torch.tensor(x)
    r, t = call(reftorch, rt), call(torch, tt)
    assert tuple(r.shape) == tuple(t.shape)
    if t.numel():
        assert r.stride() == t.stride()
        r.mul_(0)  # writes through the view
        t.mul_(0)
        np.testing.assert_array_equal(rt.numpy(), tt.numpy())


def test_view_write_then_grad():
    def f(T, x):
        y = x * 1
        y.diagonal().mul_(3)
        y.select(0, 1).add_(1)
        return y
    check_grads(f, arr((3, 3), "float64"))


@pytest.mark.parametrize("call", [lambda T, x: T.diag(x[0]), lambda T, x: T.diag(x[0], 2), lambda T, x: T.diag(x[0], -1),
                                  lambda T, x: T.diag(x), lambda T, x: x.diag(1), lambda T, x: x.diag(-2),
                                  lambda T, x: x.diag(7), lambda T, x: T.trace(x), lambda T, x: x.T.trace()])
def test_diag_trace(call):
    check_grads(call, arr((3, 4), "float64"))


def test_diag_trace_dtypes_errors():
    both(lambda T, x: T.trace(x), arr((3, 3), "int32"))
    both(lambda T, x: T.trace(x), arr((3, 2), "float32"))
    both(lambda T, x: T.diag(x), arr((3,), "int8"))
    raises_like(lambda T, x: T.trace(x), arr((3, 3), "bool"), msg=True)
    raises_like(lambda T, x: T.trace(x), arr((3,)), msg=True)
    raises_like(lambda T, x: T.diag(x), arr((2, 2, 2)), msg=True)
    raises_like(lambda T, x: T.diag(x), np.float32(1.0), msg=True)
    raises_like(lambda T, x: x.select(0, 5), arr((3, 4)), msg=True)
    raises_like(lambda T, x: x.select(0, 0), np.float32(1.0), msg=True)
    raises_like(lambda T, x: x.select(2, 0), arr((3, 4)))
    raises_like(lambda T, x: x.diagonal(0, 1, -1), arr((3, 4)), msg=True)
    raises_like(lambda T, x: x.diagonal(0, 0, 2), arr((3, 4)))


# ------------------------------------------------------------------ outer, inner, addmm, addmv, baddbmm
def test_outer_inner():
    check_grads(lambda T, a, b: T.outer(a, b), arr((3,), "float64"), arr((4,), "float64", seed=1))
    check_grads(lambda T, a, b: T.ger(a, b), arr((3,), "float64"), arr((4,), "float64", seed=1))
    check_grads(lambda T, a, b: a.outer(b), arr((3,), "float32"), arr((2,), "float32", seed=1))
    both(lambda T, a, b: T.outer(a, b), arr((3,), "int32"), arr((2,), "float32", seed=1))
    check_grads(lambda T, a, b: T.inner(a, b), arr((3,), "float64"), arr((3,), "float64", seed=1))
    check_grads(lambda T, a, b: T.inner(a, b), arr((2, 3), "float64"), arr((4, 5, 3), "float64", seed=1))
    check_grads(lambda T, a, b: a.inner(b), np.float64(2.0), arr((2, 3), "float64", seed=1))
    raises_like(lambda T, a, b: T.outer(a, b), arr((3,)), arr((3, 1)), msg=True)
    raises_like(lambda T, a, b: T.inner(a, b), arr((2,)), arr((3,)), msg=True)


@pytest.mark.parametrize("ishape", [(3, 5), (5,), (1, 1), (3, 1)])
@pytest.mark.parametrize("ba", [{}, {"beta": 0.5, "alpha": 2}, {"beta": 0}, {"alpha": -1.5}])
def test_addmm(ishape, ba):
    check_grads(lambda T, i, a, b: T.addmm(i, a, b, **ba), arr(ishape, "float64"), arr((3, 4), "float64", 1),
                arr((4, 5), "float64", 2))
    check_grads(lambda T, i, a, b: i.addmm(a, b, **ba), arr(ishape, "float32"), arr((3, 4), "float32", 1),
                arr((4, 5), "float32", 2))


@pytest.mark.parametrize("ishape", [(3,), (1,), ()])
@pytest.mark.parametrize("ba", [{}, {"beta": 0.5, "alpha": 2}, {"beta": 0}])
def test_addmv(ishape, ba):
    check_grads(lambda T, i, a, v: T.addmv(i, a, v, **ba), arr(ishape, "float64"), arr((3, 4), "float64", 1),
                arr((4,), "float64", 2))


@pytest.mark.parametrize("ishape", [(2, 3, 5), (3, 5), (1, 1, 5), ()])
@pytest.mark.parametrize("ba", [{}, {"beta": 0.5, "alpha": 2}, {"beta": 0}])
def test_baddbmm(ishape, ba):
    check_grads(lambda T, i, a, b: T.baddbmm(i, a, b, **ba), arr(ishape, "float64"), arr((2, 3, 4), "float64", 1),
                arr((2, 4, 5), "float64", 2))


def test_beta_zero_ignores_nan():
    both(lambda T, i, a, b: T.addmm(i, a, b, beta=0), np.full((2, 2), np.nan, np.float32), arr((2, 3)), arr((3, 2)))
    both(lambda T, i, a, b: T.addmm(i, a, b), arr((2, 2), "int64"), arr((2, 3), "int64"), arr((3, 2), "int64"))


def test_addmm_family_errors():
    x = arr((3, 4))
    raises_like(lambda T, i, a, b: T.addmm(i, a, b), arr((2,)), x, x.T, msg=True)
    raises_like(lambda T, i, a, b: T.addmm(i, a, b), arr((3, 3), "float64"), x, x.T, msg=True)
    raises_like(lambda T, i, a, b: T.addmm(i, a, b), arr((3, 3)), x, x, msg=True)
    raises_like(lambda T, i, a, b: T.addmm(i, a, b), arr((3, 3)), x, arr((4,)), msg=True)
    raises_like(lambda T, i, a, b: T.addmv(i, a, b), arr((3,), "float64"), x, arr((4,)), msg=True)
    raises_like(lambda T, i, a, b: T.addmv(i, a, b), arr((2,)), x, arr((4,)), msg=True)
    raises_like(lambda T, i, a, b: T.addmv(i, a, b), arr((3,)), x, arr((4, 1)), msg=True)
    raises_like(lambda T, i, a, b: T.baddbmm(i, a, b), arr((2, 3, 3)), x[None], x.T[None], msg=True)
    raises_like(lambda T, i, a, b: T.baddbmm(i, a, b), arr((1, 3, 3), "float64"), x[None], x.T[None], msg=True)
    raises_like(lambda T, i, a, b: T.baddbmm(i, a, b), arr((1, 3, 3)), x[None], x[None], msg=True)


@pytest.mark.parametrize("call", [lambda T, x: x.select(1, 1), lambda T, x: x.diagonal(1), lambda T, x: T.diag(x),
                                  lambda T, x: T.diag(x[0], 1), lambda T, x: x.trace(), lambda T, x: T.outer(x[0], x[1]),
                                  lambda T, x: T.inner(x, x), lambda T, x: T.addmm(x[:, :2], x, x.T, beta=0.5),
                                  lambda T, x: T.addmv(x[0, :2], x, x[1], alpha=2),
                                  lambda T, x: T.baddbmm(x[None, :, :2], x[None], x.T[None])])
def test_strict_device_linalg(call):
    test_strict_device(call)


# ------------------------------------------------------------------ median, kthvalue, diff, cross
def distinct(shape, dtype="float64", seed=0):
    """Values without ties (PyTorch's index among equal values is a quick-select detail)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) - n // 2).astype(dtype)


@pytest.mark.parametrize("call", [lambda T, x: x.median(), lambda T, x: x.median(1), lambda T, x: T.median(x, 0, True),
                                  lambda T, x: x.median(-1), lambda T, x: x.kthvalue(1), lambda T, x: x.kthvalue(3, 0),
                                  lambda T, x: T.kthvalue(x, 2, -1, keepdim=True), lambda T, x: x.kthvalue(4)])
@pytest.mark.parametrize("shape", [(3, 4), (4, 4)])
def test_median_kthvalue(call, shape):
    check_grads(call, distinct(shape))
    both(call, distinct(shape, "int32"))
    both(call, distinct(shape, "float32"))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_median_kthvalue_tie_indices_match_torch(dtype):
    """Few distinct values (and some nan): the index among equal values is PyTorch's
    (``median``: the first in a stable sort; ``kthvalue``: ATen's quick-select), for every
    ``k``, along every dim of 1-d to 3-d inputs, contiguous or transposed."""
    rng = np.random.default_rng(len(dtype))
    for _ in range(60):
        nd = int(rng.integers(1, 4))
        shape = tuple(int(v) for v in rng.integers(1, 25 if nd == 1 else 7, size=nd))
        x = rng.integers(0, int(rng.integers(1, 5)), size=shape).astype(dtype)
        if dtype.startswith("float") and rng.random() < 0.3:
            x[rng.random(shape) < 0.2] = np.nan
        transpose = nd > 1 and bool(rng.integers(0, 2))
        for d in range(-nd, nd):
            n = (x.T if transpose else x).shape[d]
            for k in sorted({1, n, int(rng.integers(1, n + 1))}):
                both(lambda T, a: (a.permute(*reversed(range(a.dim()))) if transpose else a).kthvalue(k, d, bool(k % 2)), x, exact=True)
            both(lambda T, a: (a.permute(*reversed(range(a.dim()))) if transpose else a).median(d), x, exact=True)


def test_median_edges():
    check_grads(lambda T, x: x.median(), np.array([1., 2., 2., 3.]))  # shared among the equal elements
    both(lambda T, x: x.median(), np.array([np.nan, 1., np.nan], np.float32))
    both(lambda T, x: x.median(1), np.array([[np.nan, 1., np.nan], [3., 1., 2.]], np.float32))
    both(lambda T, x: x.kthvalue(2, 1), np.array([[np.nan, 1., np.nan]], np.float32))
    both(lambda T, x: x.kthvalue(1, 1), np.array([[np.nan, 1., np.nan]], np.float32))
    both(lambda T, x: x.median(), np.zeros((0,), np.float32))
    both(lambda T, x: x.median(0), np.zeros((2, 0), np.float32))
    both(lambda T, x: x.median(0), np.float32(3.0))
    both(lambda T, x: x.kthvalue(1), np.float32(3.0))
    raises_like(lambda T, x: x.median(1), np.zeros((2, 0), np.float32), msg=True)
    raises_like(lambda T, x: x.median(), np.array([True, False]), msg=True)
    raises_like(lambda T, x: x.kthvalue(1), np.array([True, False]), msg=True)
    raises_like(lambda T, x: x.kthvalue(0, 1), arr((2, 3)), msg=True)
    raises_like(lambda T, x: x.kthvalue(4, 1), arr((2, 3)), msg=True)
    raises_like(lambda T, x: x.kthvalue(2), np.float32(1.0), msg=True)
    r = reftorch.tensor([[3., 1.], [0., 2.]]).median(1)
    assert type(r) is reftorch.return_types.median and repr(r) == repr(torch.tensor([[3., 1.], [0., 2.]]).median(1))


@pytest.mark.parametrize("call", [lambda T, x: T.diff(x), lambda T, x: x.diff(2), lambda T, x: x.diff(1, 0),
                                  lambda T, x: T.diff(x, n=3, dim=-1), lambda T, x: x.diff(5),
                                  lambda T, x: T.diff(x, dim=0, prepend=x[:1] * 2, append=x[:2] + 1),
                                  lambda T, x: T.diff(x, append=x[:, :1]), lambda T, x: x.diff(0)])
def test_diff(call):
    check_grads(call, arr((3, 4), "float64"))


def test_diff_dtypes_errors():
    both(lambda T, x: T.diff(x), np.array([True, False, False]))
    both(lambda T, x: T.diff(x, 2), np.array([1, 4, 9, 16], np.int32))
    both(lambda T, x, p: T.diff(x, prepend=p), arr((3,), "float32"), arr((1,), "float64"))
    raises_like(lambda T, x: T.diff(x), np.float32(1.0), msg=True)
    raises_like(lambda T, x: T.diff(x, -1), arr((3,)), msg=True)
    raises_like(lambda T, x, p: T.diff(x, prepend=p), arr((3, 2)), arr((3,)), msg=True)
    raises_like(lambda T, x, p: T.diff(x, dim=0, prepend=p), arr((3, 2)), arr((1, 3)), msg=True)


def test_cross():
    check_grads(lambda T, a, b: T.cross(a, b, dim=1), arr((2, 3), "float64"), arr((2, 3), "float64", 1))
    check_grads(lambda T, a, b: a.cross(b, 0), arr((3, 2), "float64"), arr((3, 1), "float64", 1))
    check_grads(lambda T, a, b: T.cross(a, b, dim=-1), arr((1, 3), "float64"), arr((4, 3), "float64", 1))
    both(lambda T, a, b: T.cross(a, b, dim=0), arr((3,), "int64"), arr((3,), "int64", 1))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = torch.cross(torch.ones(3, 3), torch.arange(9.).reshape(3, 3))
    with warnings.catch_warnings(record=True) as wr:
        warnings.simplefilter("always")
        r = reftorch.cross(reftorch.ones(3, 3), reftorch.arange(9.).reshape(3, 3))
    assert [str(w.message) for w in wr] == [str(w.message) for w in wt]
    np.testing.assert_array_equal(r.numpy(), t.numpy())
    raises_like(lambda T, a, b: T.cross(a, b, dim=0), arr((3,)), arr((3,), "float64"), msg=True)
    raises_like(lambda T, a, b: T.cross(a, b, dim=-1), arr((2, 3)), arr((3,)), msg=True)
    raises_like(lambda T, a, b: T.cross(a, b, dim=1), arr((3, 4)), arr((3, 4)), msg=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like(lambda T, a, b: T.cross(a, b), arr((2, 4)), arr((2, 4)), msg=True)


@pytest.mark.parametrize("call", [lambda T, x: x.median(), lambda T, x: x.median(1).values,
                                  lambda T, x: x.kthvalue(2, 1).values, lambda T, x: x.diff(),
                                  lambda T, x: T.cross(x, x.flip(1), dim=1)])
def test_strict_device_order(call):
    test_strict_device(call)


@pytest.mark.parametrize("call", [lambda T, x: (x / 2 + 1).prod(1), lambda T, x: (x / 2 + 1).prod(0, keepdim=True),
                                  lambda T, x: (x[:5] / 4 + 1).prod(), lambda T, x: x.var(1), lambda T, x: x.std(0),
                                  lambda T, x: x.var(), lambda T, x: x.nansum(0), lambda T, x: x.nansum(),
                                  lambda T, x: x.nanmean(0), lambda T, x: x.logsumexp(1), lambda T, x: x.median(1)])
def test_float16_bit_exact(call):
    """Half inputs: PyTorch's float32 accumulation (var, nansum) and per-step rounding (prod)."""
    both(call, arr((50, 40), "float16"), exact=True)


@pytest.mark.parametrize("case", [
    lambda T, a: T.equal(a, a), lambda T, a: T.equal(a, a.clone()), lambda T, a: T.equal(a, a.double()),
    lambda T, a: T.equal(a, a.int()), lambda T, a: T.equal(a, a[:1]), lambda T, a: T.equal(a, -a),
    lambda T, a: a.equal(a), lambda T, a: T.equal(a[:0], a[:0]), lambda T, a: T.equal(a, a.t()),
    lambda T, a: T.equal(a, 1), lambda T, a: T.equal([1.0], a), lambda T, a: T.equal(a, None),
    lambda T, a: a.equal(2), lambda T, a: a.equal([1.0, 2.0]),
])
def test_equal_values_and_argument_errors(case):
    # (same dtype and device: the arrays are compared directly; otherwise through eq's
    # promotion; a non-tensor is PyTorch's TypeError, with the method's own positions)
    both(case, np.array([[1.0, np.nan, -0.0], [0.0, 2.0, 3.0]], np.float32), msg=True)
    both(case, np.array([[1.0, 5.0], [0.0, 16777217.0]], np.float32), msg=True)
