"""Differential tests of second-order gradients (``create_graph=True``) against PyTorch for
the reductions, statistics and products whose backward reads saved tensors: ``prod``
(with zeros too), ``var``/``std`` (and ``var_mean``/``std_mean``), ``logsumexp``,
``nansum``/``nanmean``, ``median``, ``trace``, ``diagonal``/``diag``, ``cross``/
``linalg.cross``, ``addmm``/``addmv``/``baddbmm``: the first gradient's values and
``grad_fn`` name, the second gradient, PyTorch's error where the gradient does not depend
on the input, a finite-difference check of reftorch's own Hessian-vector products, and
the array-api-strict stand-in device."""
from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch
from _compare import assert_close_or_none, assert_same_error

pytestmark = pytest.mark.torch

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4)) + 1.5
X3 = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal((3, 4))
ZEROS = np.array([[1.5, 0.0, -2.0, 0.5], [0.0, 3.0, 0.0, 1.0], [2.0, -1.0, 0.5, 4.0]])
ONE_ZERO = np.array([[1.5, 0.0, -2.0, 0.5], [1.0, 3.0, 2.0, 1.0], [2.0, -1.0, 0.5, 4.0]])
NANS = np.array([[1.5, np.nan, -2.0, 0.5], [0.2, 3.0, np.nan, np.nan], [2.0, -1.0, 0.5, 4.0]])
TIES = np.array([[1.0, 2.0, 2.0, 0.5], [2.0, 3.0, -1.0, 2.0], [2.0, -1.0, 0.5, 4.0]])


def _close(r, t, tol=1e-10):
    assert_close_or_none(r, t, tol)


def _name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


# name -> (f(T, x), the input): f gives a tensor from x; float64 throughout.
CASES = {
    "prod_all": (lambda T, x: x.prod(), X),
    "prod_dim": (lambda T, x: x.prod(1), X),
    "prod_dim_keepdim": (lambda T, x: x.prod(0, keepdim=True) * x, X),
    "prod_all_one_zero": (lambda T, x: x.prod(), ONE_ZERO),
    "prod_all_zeros": (lambda T, x: x.prod() + (x * x).prod(), ZEROS),
    "prod_dim_one_zero": (lambda T, x: x.prod(1), ONE_ZERO),
    "prod_dim_zeros": (lambda T, x: x.prod(0) * x.prod(-1, keepdim=True), ZEROS),
    "prod_of_square": (lambda T, x: (x * x).prod(1) ** 2, X),
    "prod_3d": (lambda T, x: x.prod(1), X3),
    "var_all": (lambda T, x: x.var() * x, X),
    "var_dim": (lambda T, x: x.var(1) ** 2, X),
    "var_dims_keepdim": (lambda T, x: x.var((0, 2), keepdim=True) * x, X3),
    "var_correction0": (lambda T, x: x.var(0, correction=0) ** 2, X),
    "var_correction2": (lambda T, x: x.var(-1, correction=2, keepdim=True) * x, X),
    "var_unbiased_false": (lambda T, x: x.var(unbiased=False) * x, X),
    "var_dim_empty_tuple": (lambda T, x: x.var(dim=()) * x, X),
    "var_correction_above_n": (lambda T, x: x.var(1, correction=5) ** 2, X),
    "std_all": (lambda T, x: x.std() * x, X),
    "std_dim": (lambda T, x: x.std(1) ** 2, X),
    "std_dim_keepdim": (lambda T, x: x.std(0, keepdim=True, correction=0) * x, X),
    "std_with_constant_rows": (lambda T, x: (x * 0 + x[:, :1]).std(1) + x.std(1), X),
    "var_mean": (lambda T, x: T.var_mean(x, 1)[0] * T.var_mean(x, 1)[1], X),
    "std_mean": (lambda T, x: T.std_mean(x, (1, 2), correction=0)[0] ** 2 + T.std_mean(x)[1], X3),
    "logsumexp": (lambda T, x: T.logsumexp(x, 1) ** 2, X),
    "logsumexp_keepdim": (lambda T, x: T.logsumexp(x * x, 0, keepdim=True) * x, X),
    "logsumexp_dims": (lambda T, x: T.logsumexp(x, (0, 2)) ** 3, X3),
    "nansum": (lambda T, x: T.nansum(x * x, 1) ** 2, NANS),
    "nansum_all": (lambda T, x: T.nansum(x) * x.nan_to_num(), NANS),
    "nanmean": (lambda T, x: T.nanmean(x * x, 1, keepdim=True) * x.nan_to_num(), NANS),
    "median_all": (lambda T, x: (x * x).median() * x, X),
    "median_all_ties": (lambda T, x: x.median() * x, TIES),
    "median_dim": (lambda T, x: (x * x).median(1).values ** 2, X),
    "kthvalue": (lambda T, x: (x * x).kthvalue(2, 0).values ** 2, X),
    "trace": (lambda T, x: T.trace(x * x) * x, X),
    "diagonal": (lambda T, x: (x * x).diagonal() ** 2, X),
    "diagonal_offset": (lambda T, x: (x * x).diagonal(1) ** 2 + x.diagonal(-1).sum() ** 3, X),
    "diagonal_3d": (lambda T, x: (x * x).diagonal(1, 0, 2) ** 2, X3),
    "diag_matrix": (lambda T, x: T.diag(x * x, -1) ** 2, X),
    "diag_vector": (lambda T, x: T.diag(x[0] * x[1], 1) ** 2, X),
    "select": (lambda T, x: (x * x).select(1, 2) ** 2, X),
    "inner_outer": (lambda T, x: T.inner(x, x * x) + T.outer(x[0], x[1]).sum(), X),
    "cross": (lambda T, x: T.cross(x[:, :3], x[:, 1:] ** 2, dim=1), X),
    "linalg_cross_broadcast": (lambda T, x: T.linalg.cross(x[:1, :3], x[:, 1:] * x[:, :3]), X),
    "cross_dim0": (lambda T, x: T.cross(x[:, :2] * x[:, 1:3], x[:, 2:], dim=0), X),
    "addmm": (lambda T, x: T.addmm(x[:, :3], x, x.t()[:, :3] * x[0, :3]), X),
    "addmm_alpha_beta": (lambda T, x: T.addmm(x[0, :3], x * x, x.t()[:, :3], beta=0.5, alpha=-2), X),
    "addmm_beta0": (lambda T, x: T.addmm(x[:, :3], x, x.t()[:, :3], beta=0) ** 2, X),
    "addmv": (lambda T, x: T.addmv(x[:, 0], x, x[1] * x[2]) ** 2, X),
    "addmv_alpha_beta": (lambda T, x: T.addmv(x[:1, 0], x * x, x[1], beta=3, alpha=0.25), X),
    "baddbmm": (lambda T, x: T.baddbmm(x[:, :, :3], x, x.transpose(1, 2)[:, :, :3] * x[:, :1, :3]), X3),
    "baddbmm_alpha_beta": (lambda T, x: T.baddbmm(x[:1, :, :3], x, x.transpose(1, 2)[:, :, :3], beta=-1,
                                                  alpha=1.5) ** 2, X3),
}


def _weights(name, shape):
    return np.random.default_rng(zlib.crc32(name.encode())).standard_normal(tuple(shape))


def _first_and_second(T, name):
    f, a = CASES[name]
    x = T.tensor(a, requires_grad=True)
    y = f(T, x)
    g, = T.autograd.grad((y * T.tensor(_weights(name, y.shape))).sum(), x, create_graph=True)
    h, = T.autograd.grad((g * T.tensor(_weights("v", a.shape))).sum() + (g * g).sum(), x)
    return g, h


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_order_match_torch(name):
    gt, ht = _first_and_second(torch, name)
    gr, hr = _first_and_second(reftorch, name)
    _close(gr, gt)
    assert gr.requires_grad == gt.requires_grad
    _close(hr, ht, 1e-9)


# the grad_fn of the first gradient, as PyTorch records it: (f(T, x), the input)
NAMES = {
    "prod_all": (lambda T, x: x.prod(), X),
    "prod_all_zeros": (lambda T, x: x.prod(), ZEROS),
    "prod_dim": (lambda T, x: x.prod(1), X),
    "prod_dim_zeros": (lambda T, x: x.prod(1, keepdim=True), ZEROS),
    "var": (lambda T, x: x.var(1), X),
    "var_all": (lambda T, x: x.var(), X),
    "std": (lambda T, x: x.std(0, keepdim=True), X),
    "var_mean": (lambda T, x: T.var_mean(x, 1)[0] + T.var_mean(x, 1)[1], X),
    "logsumexp": (lambda T, x: T.logsumexp(x, 0), X),
    "logsumexp_keepdim": (lambda T, x: T.logsumexp(x, 1, keepdim=True), X),
    "std_mean": (lambda T, x: T.std_mean(x, 1)[0] + T.std_mean(x, 1)[1], X),
    "nanmean": (lambda T, x: T.nanmean(x * x, 1), NANS),
    "median_dim": (lambda T, x: (x * x).median(1).values, X),
    "prod_of_a_0d_element": (lambda T, x: x[0, 0].prod(), X),
    "inner": (lambda T, x: T.inner(x * 1, x.detach()), X),
    "nansum": (lambda T, x: T.nansum(x * x, 1), NANS),
    "median": (lambda T, x: (x * x).median(), X),
    "trace": (lambda T, x: T.trace(x * x), X),
    "diagonal": (lambda T, x: (x * x).diagonal(1), X),
    "diag_matrix": (lambda T, x: T.diag(x * x), X),
    "diag_vector": (lambda T, x: T.diag(x[0] * x[0]), X),
    "cross": (lambda T, x: T.linalg.cross(x[:, :3], x[:, 1:]), X),
    "cross_broadcast_operand": (lambda T, x: T.linalg.cross(x[:1, :3] * x[:1, :3], x[:, 1:]), X),
    "addmm_mat1": (lambda T, x: T.addmm(x[:3, :3].detach(), x[:, :2] * 1, x[:2, :3].detach()), X),
    "addmm_mat2_alpha": (lambda T, x: T.addmm(x[:3, :3].detach(), x[:, :2].detach(), x[:2, :3] * 1, alpha=2), X),
    "addmm_input_broadcast": (lambda T, x: T.addmm(x[0, :3] * 1, x[:, :2].detach(), x[:2, :3].detach()), X),
    "addmm_input_beta": (lambda T, x: T.addmm(x[:, :3] * 1, x[:, :2].detach(), x[:2, :3].detach(), beta=3), X),
    "addmv_mat": (lambda T, x: T.addmv(x[:, 0].detach(), x * 1, x[0].detach()), X),
    "addmv_vec": (lambda T, x: T.addmv(x[:, 0].detach(), x.detach(), x[0] * 1), X),
    "baddbmm_batch1": (lambda T, x: T.baddbmm(x[:, :, :2].detach(), x * 1, x.detach().mT[:, :, :2]), X3),
    "baddbmm_batch2": (lambda T, x: T.baddbmm(x[:, :3, :4].detach(), x[:, :, :3].detach(), x * 1), X3),
}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_grad_fn_of_the_gradient(name):
    f, a = NAMES[name]
    names = []
    for T in (torch, reftorch):
        x = T.tensor(a, requires_grad=True)
        y = f(T, x)
        g, = T.autograd.grad((y * y).sum(), x, create_graph=True)
        names.append(g.grad_fn.name())
    assert names[1] == names[0]


@pytest.mark.parametrize("f", [lambda T, x: T.diagonal(x, 1), lambda T, x: T.diag(x, -1),
                               lambda T, x: T.diag(x[0], 1), lambda T, x: T.trace(x)])
def test_third_order_names_of_linear_ops(f):
    # the gradient of a gradient: each order one node, named as PyTorch names it
    names = []
    for T in (torch, reftorch):
        x = T.tensor(X, requires_grad=True)
        y = f(T, x)
        u = T.ones_like(y, requires_grad=True)
        g, = T.autograd.grad(y, x, u, create_graph=True)
        w = T.ones_like(g, requires_grad=True)
        gg, = T.autograd.grad(g, u, w, create_graph=True)
        z = T.ones_like(gg, requires_grad=True)
        ggg, = T.autograd.grad(gg, w, z, create_graph=True)
        names.append([_name(t) for t in (g, gg, ggg)])
    assert names[1] == names[0]


# the gradient does not depend on the input: no graph, and PyTorch's error on a second use
CONSTANT = {
    "nansum": lambda T, x: T.nansum(x),
    "nanmean": lambda T, x: T.nanmean(x, 0),
    "median_all": lambda T, x: x.median(),
    "median_dim": lambda T, x: x.median(1).values,
    "trace": lambda T, x: T.trace(x),
    "diagonal": lambda T, x: x.diagonal(),
    "diag": lambda T, x: T.diag(x),
    "var_no_dof": lambda T, x: x.var(correction=12),
    "var_dof_negative": lambda T, x: x.var(correction=20),
}


@pytest.mark.parametrize("name", sorted(CONSTANT))
def test_gradient_without_graph_raises_like_torch(name):
    out = []
    for T in (torch, reftorch):
        x = T.tensor(X, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # var: both warn when N - correction <= 0
            y = CONSTANT[name](T, x)
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        assert not g.requires_grad and g.grad_fn is None
        with pytest.raises(RuntimeError) as e:
            T.autograd.grad((g * g).sum(), x)
        out.append((g, e.value))
    _close(out[1][0], out[0][0])
    assert_same_error(out[1][1], out[0][1], msg=True)


def test_std_without_degrees_of_freedom():
    # N - correction <= 0: nan, and (unlike var's) a gradient with a graph, through the result
    res = []
    for T in (torch, reftorch):
        x = T.tensor(X, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x.std(correction=12) + x.std(0, correction=3).sum()
        g, = T.autograd.grad(y, x, create_graph=True)
        res.append((g, T.autograd.grad(g.sum(), x)[0]))
    for r, t in zip(res[1], res[0]):
        _close(r, t)
        assert r.requires_grad == t.requires_grad


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("correction", [0, 1, 3, 4])
@pytest.mark.parametrize("op", ["var", "std"])
def test_var_std_over_dims_keepdim_correction(op, dim, keepdim, correction):
    res = []
    for T in (torch, reftorch):
        x = T.tensor(X, requires_grad=True)
        kw = {"correction": correction, "keepdim": keepdim}
        if dim is not None:
            kw["dim"] = dim
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn when N - correction <= 0
            y = getattr(x, op)(**kw)
        g, = T.autograd.grad((y * y).sum(), x, create_graph=True)
        h, = T.autograd.grad((g * T.tensor(V)).sum(), x)
        res.append((y, g, h))
    for r, t in zip(res[1], res[0]):
        _close(r, t, 1e-9)


@pytest.mark.parametrize("dim", [0, 1, -1, None])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("data", ["x", "one_zero", "zeros"])
def test_prod_over_dims_and_zeros(dim, keepdim, data):
    a = {"x": X, "one_zero": ONE_ZERO, "zeros": ZEROS}[data]
    res = []
    for T in (torch, reftorch):
        x = T.tensor(a, requires_grad=True)
        y = x.prod() if dim is None else x.prod(dim, keepdim=keepdim)
        g, = T.autograd.grad((y * y).sum() + y.sum(), x, create_graph=True)
        h, = T.autograd.grad((g * T.tensor(V)).sum(), x)
        res.append((g, h, g.grad_fn.name()))
    _close(res[1][0], res[0][0])
    _close(res[1][1], res[0][1], 1e-9)
    assert res[1][2] == res[0][2]


def test_prod_of_a_0d_tensor_passes_the_gradient_on():
    res = []
    for T in (torch, reftorch):
        x = T.tensor(3.0, dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad(x.prod() * x, x, create_graph=True)
        res.append((g, T.autograd.grad(g, x)[0]))
    for r, t in zip(res[1], res[0]):
        _close(r, t)


# complex inputs: gradients take PyTorch's conjugates
C = np.array([[1 + 2j, 2 - 1j, 3j], [4.0, 5 + 1j, 7 - 2j]])
COMPLEX = {
    "prod_dim": lambda T, x: x.prod(1),
    "prod_all": lambda T, x: x.prod(),
    "logsumexp": lambda T, x: T.logsumexp(x, 1),
    "var": lambda T, x: x.var(1),
    "cross": lambda T, x: T.linalg.cross(x, x.flip(0) * 2),
    "addmm": lambda T, x: T.addmm(x[:, :2], x, x.t() * 1j, beta=2 - 1j, alpha=0.5j),
    "addmv": lambda T, x: T.addmv(x[:, 0], x, x[1]),
    "baddbmm": lambda T, x: T.baddbmm(x[None, :, :2], x[None], x.t()[None]),
    "trace": lambda T, x: T.trace(x) * x,
    "diagonal": lambda T, x: x.diagonal(1) * x[0, :2],
    # abs and norms of complex tensors: sgn(z) = z / |z| is part of the gradient's graph
    "abs": lambda T, x: x.abs() * x.sum(0),
    "vector_norms": lambda T, x: T.linalg.vector_norm(x, 1, dim=0) * T.linalg.vector_norm(x, 3) + x.norm() * x,
}


@pytest.mark.parametrize("name", sorted(COMPLEX))
def test_complex_first_and_second_order(name):
    res = []
    for T in (torch, reftorch):
        x = T.tensor(C, requires_grad=True)
        y = COMPLEX[name](T, x)
        g, = T.autograd.grad((y * y.conj()).real.sum(), x, create_graph=True)
        h, = T.autograd.grad((g * g.conj()).real.sum() + (g * T.tensor(C[::-1].copy())).imag.sum(), x)
        res.append((g, h))
    for r, t in zip(res[1], res[0]):
        np.testing.assert_allclose(np.asarray(r.tolist()), t.detach().numpy(), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("name", ["prod_dim_zeros", "var_dims_keepdim", "std_mean", "logsumexp_dims",
                                  "median_all", "trace", "diagonal_3d", "diag_vector", "cross",
                                  "addmm_alpha_beta", "addmv", "baddbmm"])
def test_hessian_vector_product_by_finite_differences(name):
    # reftorch alone: the second-order graph's H v against central differences of reftorch's
    # own first-order gradient (no oracle needed)
    f, a = CASES[name]
    w = np.random.default_rng(3).standard_normal(tuple(f(reftorch, reftorch.tensor(a)).shape))
    v = np.random.default_rng(4).standard_normal(a.shape)

    def grad(arr, create_graph=False):
        x = reftorch.tensor(arr, requires_grad=True)
        g, = reftorch.autograd.grad((f(reftorch, x) * reftorch.tensor(w)).sum(), x, create_graph=create_graph)
        return x, g

    x, g = grad(a, create_graph=True)
    hv, = reftorch.autograd.grad((g * reftorch.tensor(v)).sum(), x)
    eps = 1e-6
    fd = (np.asarray(grad(a + eps * v)[1].tolist()) - np.asarray(grad(a - eps * v)[1].tolist())) / (2 * eps)
    np.testing.assert_allclose(np.asarray(hv.tolist()), fd, rtol=1e-5, atol=1e-6)


def _on(T, dev):
    x = T.tensor(X, device=dev, requires_grad=True)
    z = T.tensor(ZEROS, device=dev) + x * 0
    y = (x.prod(1).sum() + z.prod(0).sum() + z.prod() + x.var(1, keepdim=True).sum() + x.std()
         + T.logsumexp(x, 0).sum() + T.nansum(x * x) + (x * x).median() + T.trace(x * x)
         + ((x * x).diagonal(1) ** 2).sum() + (T.diag(x[0] * x[1]) ** 2).sum()
         + T.linalg.cross(x[:, :3], x[:, 1:] ** 2).sum()
         + T.addmm(x[:, :3], x, x.t()[:, :3] * x[0, :3], beta=0.5, alpha=2).sum()
         + (T.addmv(x[:, 0], x, x[1]) ** 2).sum()
         + (T.baddbmm(x[None, :, :3], x[None], x.t()[None, :, :3]) ** 2).sum())
    g, = T.autograd.grad(y, x, create_graph=True)
    return g, T.autograd.grad((g * g).sum(), x)[0]


def test_on_the_array_api_stand_in_device():
    # the same kernels on the array-api-strict device (what CuPy runs) as on the CPU
    for r, t in zip(_on(reftorch, "strict"), _on(torch, "cpu")):
        assert r.device.type == "strict"
        _close(r.cpu(), t, 1e-9)


@pytest.mark.parametrize("args", [
    lambda T: (T.ones(2, 3), T.ones(2, 4)),
    lambda T: (T.ones(2, 3), T.ones(3)),
    lambda T: (T.ones(2, 3), T.ones(2, 3, dtype=T.float64)),
    lambda T: (T.ones(3, 2), T.ones(3, 2)),
    lambda T: (T.ones(2, 3), T.ones(4, 3)),
])
def test_linalg_cross_errors(args):
    errs = []
    for T in (torch, reftorch):
        with pytest.raises(Exception) as e:
            T.linalg.cross(*args(T))
        errs.append(e.value)
    assert_same_error(errs[1], errs[0], msg=True)


def test_linalg_cross_values_dim_and_out():
    a = RNG.standard_normal((3, 2))
    b = RNG.standard_normal((3, 1))
    res = []
    for T in (torch, reftorch):
        out = T.empty(3, 2, dtype=T.float64)
        r = T.linalg.cross(T.tensor(a), T.tensor(b), dim=0, out=out)
        res.append((r, out, T.linalg.cross(T.tensor(a.T), T.tensor(b.T))))
    for r, t in zip(res[1], res[0]):
        _close(r, t, 1e-12)
