"""torch.cov and torch.corrcoef against PyTorch: 0-, 1- and 2-D inputs, integer, half and
complex dtypes, correction, fweights and aweights (alone, together, promoting), values,
gradients (through the input and aweights) and grad_fn, the degrees-of-freedom warning, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import both, check_grads

RNG = np.random.default_rng(11)
X = RNG.standard_normal((3, 6)).astype(np.float32)
FW = np.array([1, 2, 0, 3, 1, 1])
AW = RNG.random(6).astype(np.float32)


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("weights", ["none", "f", "a", "fa"])
@pytest.mark.parametrize("rows", [slice(None), 0])
def test_cov_values_and_grads(correction, weights, rows):
    def fn(T, x, aw):
        kw = {}
        if "f" in weights:
            kw["fweights"] = T.tensor(FW)
        if "a" in weights:
            kw["aweights"] = aw
        return T.cov(x[rows], correction=correction, **kw)
    check_grads(fn, X, AW)


@pytest.mark.parametrize("rows", [slice(None), 0, slice(0, 1)])
def test_corrcoef_values_and_grads(rows):
    check_grads(lambda T, x: T.corrcoef(x[rows]), X)
    check_grads(lambda T, x: x[rows].corrcoef(), X)


@pytest.mark.parametrize("expr", [
    "T.cov(T.tensor([[3, 1, 2, 5], [4, 0, 7, 1]]))",
    "T.cov(T.tensor([[3, 1, 2, 5], [4, 0, 7, 1]]), correction=0, fweights=T.tensor([1, 2, 1, 3]))",
    "T.cov(T.tensor([[3., 1, 2, 5]]), aweights=T.tensor([.1, .2, .3, .4], dtype=T.float64))",
    "T.cov(T.tensor([[3., 1, 2, 5], [4, 0, 7, 1]]).half())", "T.cov(T.tensor([[1 + 2j, 3 - 1j, 0j], [1j, 2, 3]]))",
    "T.cov(T.tensor(3.))", "T.cov(T.ones(0))", "T.cov(T.ones(2, 0))", "T.cov(T.ones(2, 1))",
    "T.cov(T.tensor([[1., 2, 3]]), correction=5)", "T.corrcoef(T.ones(2, 3))",
    "T.corrcoef(T.tensor([[3, 1, 2, 5], [4, 0, 7, 1]]))",
    "T.corrcoef(T.tensor([[1 + 2j, 3 - 1j, 0j], [1j, 2, 3]]))",
])
def test_cov_cases(expr):
    both(lambda T: eval(expr, {"T": T}))


@pytest.mark.parametrize("expr", [
    "T.cov(x, fweights=T.tensor([1., 2, 1, 3]))", "T.cov(x, fweights=T.tensor([1, -2, 1, 3]))",
    "T.cov(x, aweights=T.tensor([1, 2, 1, 3]))", "T.cov(x, aweights=T.tensor([0., 0, 0, 0]))",
    "T.cov(x, fweights=T.tensor([1, 2]))", "T.cov(x, fweights=T.tensor([[1, 2, 1, 3]]))",
    "T.cov(T.ones(2, 2, 2))", "T.cov(T.tensor([True]))", "T.corrcoef(T.ones(2, 2, 2))",
    "T.cov(x, aweights=T.tensor([.5, -1, 1, 1]))", "T.cov(x, fweights=T.tensor([True, True, True, True]))",
])
def test_cov_errors(expr):
    x = np.array([[3., 1., 2., 5.], [4., 0., 7., 1.]], np.float32)
    both(lambda T, x: eval(expr, {"T": T, "x": x}), x, msg=True)


def test_cov_correction_must_be_int():
    both(lambda T: T.cov(T.ones(2, 3), correction=2.5))


def test_cov_warns_on_nonpositive_dof():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        reftorch.cov(reftorch.ones(2, 1))
    assert [str(w.message) for w in rec] == [
        "cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of observations. "
        "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Correlation.cpp:129.)"]
