"""torch.quantile / nanquantile against PyTorch: every interpolation mode, q as a float, a
0-d or 1-D tensor, dim None/int, keepdim, nan in the data (quantile: nan; nanquantile:
ignored), values on ties and on long float rows (the rank is computed in the input's
dtype), gradients and grad_fn (SqueezeBackward4), out=, axis=, methods and errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(3)
TIES = RNG.integers(0, 5, (3, 7, 4)).astype(np.float32)
NANS = TIES.copy()
NANS[0, 1, 2] = np.nan
NANS[1, :, 0] = np.nan
MODES = ["linear", "lower", "higher", "midpoint", "nearest"]
QS = [0.3, 0.5, 1, np.array([0., 0.25, 0.5, 0.7, 1.], np.float32), np.array(0.66, np.float32)]


def _q(T, q):
    return T.tensor(q) if isinstance(q, np.ndarray) else q


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("qi", range(len(QS)))
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_quantile_values_and_grads(mode, qi, dim, keepdim):
    q = QS[qi]
    check_grads(lambda T, a: T.quantile(a, _q(T, q), dim, keepdim, interpolation=mode), TIES)
    check_grads(lambda T, a: T.quantile(a, _q(T, q), dim, keepdim, interpolation=mode), NANS)
    check_grads(lambda T, a: T.nanquantile(a, _q(T, q), dim, keepdim, interpolation=mode), NANS)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", MODES)
def test_quantile_long_rows(dtype, mode):
    x = RNG.standard_normal((3, 1001)).astype(dtype)
    q = np.array([0.001, 0.123, 0.5, 0.777, 0.999], dtype)
    both(lambda T, a, qq: T.quantile(a, qq, 1, interpolation=mode), x, q, exact=True)
    both(lambda T, a: T.nanquantile(a, 0.3337, interpolation=mode), x, exact=True)


@pytest.mark.parametrize("expr", [
    "T.quantile(T.tensor(3.), 0.5, dim=0, keepdim=True)", "T.quantile(T.tensor(3.), T.tensor([0.5, 0.2]), dim=0)",
    "T.quantile(x, 0.5, dim=None, keepdim=True)", "x.quantile(0.5)", "x.nanquantile(T.tensor([0.1, 0.9]), 1)",
    "T.quantile(x, True)", "T.quantile(x, 0.5, axis=0)", "T.quantile(x, 0.5, axis=1, keepdims=True)",
    "T.nanquantile(T.full((2, 3), float('nan')), 0.5, 1)",
    "T.quantile(x.double(), T.tensor([0.5], dtype=T.float64), 0)",
    "T.quantile(x, 0.5, out=T.empty(0))", "T.quantile(x, T.tensor([0.2, 0.8]), 1, out=T.empty(2, 2))",
])
def test_quantile_cases(expr):
    x = np.array([[3., 1., 2., 5.], [4., 0., 7., 1.]], np.float32)
    both(lambda T, x: eval(expr, {"T": T, "x": x}), x)


@pytest.mark.parametrize("expr", [
    "T.quantile(x.int(), 0.5)", "T.quantile(x.half(), 0.5)", "T.quantile(x, 1.5)", "T.quantile(x, -0.1)",
    "T.quantile(x, T.tensor([1.5]))", "T.quantile(x, T.tensor([float('nan')]))",
    "T.quantile(x, T.tensor([0.5], dtype=T.float64))", "T.quantile(x, T.tensor([[0.5]]))",
    "T.quantile(T.ones(0), 0.5)", "T.quantile(x, 0.5, interpolation='foo')", "T.quantile(x, 0.5, dim=2)",
    "T.nanquantile(x, 0.5, dim=-3)", "T.quantile(x, 0.5, out=T.empty(0, dtype=T.float64))",
    "T.quantile(x, '0.5')",
    "T.quantile(T.ones(0).int(), 0.5)",
])
def test_quantile_errors(expr):
    x = np.array([[3., 1., 2., 5.], [4., 0., 7., 1.]], np.float32)
    both(lambda T, x: eval(expr, {"T": T, "x": x}), x, msg="prefix")


def test_quantile_grad_through_q():
    # q requiring grad: the gradient reaches q through the rank's fraction (linear mode)
    x = np.array([4., 1., 3., 2., 7.], np.float32)
    check_grads(lambda T, a, q: T.quantile(a, q), x, np.array([0.3, 0.55], np.float32))


def test_quantile_interpolation_is_keyword_only():
    both(lambda T, x: T.quantile(x, 0.5, 1, True, "nearest"), np.ones((2, 3), np.float32))


def test_quantile_result_is_not_a_view():
    def fn(T, x):
        q = T.quantile(x, T.tensor([0.2, 0.7]), 0)
        return q.mul_(2), q.grad_fn.name()  # (MulBackward0: PyTorch's result is its own tensor)
    check_grads(fn, np.array([[4., 1.], [3., 2.], [7., 0.]], np.float32))


def test_quantile_out_records_a_copy():
    def fn(T, x):
        out = T.empty(0)
        r = T.quantile(x, T.tensor([0.5, 0.25]), 0, out=out)
        assert r is out
        return r
    check_grads(fn, np.array([[4., 1.], [3., 2.], [7., 0.]], np.float32))
