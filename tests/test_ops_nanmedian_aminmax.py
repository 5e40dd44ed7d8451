"""torch.nanmedian and torch.aminmax against PyTorch: values, indices (ties, nan, slices of
nan only), dims, keepdim, integer and bool dtypes, 0-d and empty inputs, gradients and
grad_fn (NanmedianBackward0/1, AminmaxBackward0), axis=, methods and errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(5)
TIES = RNG.integers(0, 4, (4, 9, 3)).astype(np.float32)
NANS = TIES.copy()
NANS[RNG.random(NANS.shape) < 0.3] = np.nan
NANS[1, :, 2] = np.nan


@pytest.mark.parametrize("data", [TIES, NANS], ids=["ties", "nans"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_nanmedian_dim(data, dim, keepdim):
    check_grads(lambda T, x: T.nanmedian(x, dim, keepdim), data)


@pytest.mark.parametrize("data", [TIES, NANS, np.full((2, 3), np.nan, np.float32)], ids=["ties", "nans", "allnan"])
def test_nanmedian_all(data):
    check_grads(lambda T, x: T.nanmedian(x), data)
    check_grads(lambda T, x: x.nanmedian(), data)


@pytest.mark.parametrize("expr", [
    "T.nanmedian(T.tensor([1, 2, 3, 4]))", "T.nanmedian(T.tensor([[5, 2, 2, 7], [1, 1, 3, 3]]), 1)",
    "T.nanmedian(T.tensor(2.))", "T.nanmedian(T.tensor(2.), 0, True)", "T.nanmedian(T.ones(0))",
    "T.nanmedian(T.ones(2, 0), 0)", "T.nanmedian(T.tensor([[1., float('nan')]]), axis=1, keepdims=True)",
    "T.nanmedian(T.tensor([True]))", "T.nanmedian(T.ones(2, 0), 1)", "T.nanmedian(T.ones(2), 3)",
    "T.nanmedian(T.ones(2), None)", "T.nanmedian(T.ones(2), keepdim=True)",
    "T.nanmedian(T.tensor([1 + 1j]))",
])
def test_nanmedian_cases(expr):
    both(lambda T: eval(expr, {"T": T}), msg="prefix" if "None" not in expr and "keepdim=" not in expr else False)


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax_values_and_grads(dim, keepdim):
    check_grads(lambda T, x: T.aminmax(x, dim=dim, keepdim=keepdim), TIES[0])
    check_grads(lambda T, x: x.aminmax(dim=dim, keepdim=keepdim), NANS[1])


def test_aminmax_one_result_grad():
    check_grads(lambda T, x: T.aminmax(x, dim=1).max * 2, TIES[0])
    check_grads(lambda T, x: T.aminmax(x).min, TIES[0])


@pytest.mark.parametrize("expr", [
    "T.aminmax(T.tensor([True, False]))", "T.aminmax(T.tensor([1, 5, 2]), dim=-1)", "T.aminmax(T.tensor(3.), dim=0)",
    "T.aminmax(T.tensor(3.), dim=0, keepdim=True)", "T.aminmax(T.tensor(3), keepdim=True)",
    "T.aminmax(T.ones(2, 0), dim=0)", "T.aminmax(T.tensor([[1, 5], [7, 2]], dtype=T.uint8), dim=0).max",
    "T.aminmax(T.ones(0))", "T.aminmax(T.ones(2, 0), dim=1)", "T.aminmax(T.ones(2), dim=1)",
    "T.aminmax(T.tensor([1 + 1j]))", "T.aminmax(T.ones(2), 0)",
])
def test_aminmax_cases(expr):
    r = both(lambda T: eval(expr, {"T": T}), msg="prefix" if "), 0)" not in expr else False)
    if not isinstance(r, Exception) and type(r).__name__ == "aminmax":
        assert repr(eval(expr, {"T": __import__("reftorch")})) == repr(r)


@pytest.mark.parametrize("expr", [
    "T.nanmedian(x, 1, out=(T.empty(0), T.empty(0, dtype=T.int64)))",
    "T.nanmedian(x, 0, True, out=(T.empty(2), T.empty(0, dtype=T.int64)))",
    "T.aminmax(x, dim=0, out=(T.empty(0), T.empty(0)))", "T.aminmax(x, out=(T.empty(0), T.empty(0)))",
    "T.nanmedian(x, out=T.empty(0))", "T.aminmax(x.requires_grad_(), out=(T.empty(0), T.empty(0)))",
])
def test_out(expr):
    x = np.array([[2., np.nan, 1.], [0., 4., 3.]], np.float32)

    def fn(T, x):
        r = eval(expr, {"T": T, "x": x})
        assert type(r).__name__.endswith("_out")
        return r
    both(fn, x, msg="prefix")
