"""torch.histc and torch.histogram against PyTorch: random data and values on the bin edges
(the bin of an element is computed in the input's dtype, as PyTorch's kernel), ranges from
the data or given, empty ranges, nan and values outside, weights, density, tensor edges,
dtypes, out=, methods, the NotImplemented grad_fn of histogram and errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
from tests._compare import both

RNG = np.random.default_rng(7)


def _data(dtype, n=500):
    x = RNG.standard_normal(n) * 3
    x[:40] = np.round(x[:40] * 4) / 4  # many values on (or next to) the edges
    x[40:50] = np.linspace(-2, 2, 10)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("bins,lo,hi", [(7, 0, 0), (10, -2, 2), (3, 0.1, 0.9), (13, -1.3, 2.7), (1, 0, 0), (64, 0, 0)])
def test_histc_random(dtype, bins, lo, hi):
    both(lambda T, x: T.histc(x, bins, lo, hi), _data(dtype), exact=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bins,rng", [(7, None), (10, (-2., 2.)), (3, (0.1, 0.9)), (13, (-1.3, 2.7)), (64, None)])
def test_histogram_int_bins(dtype, bins, rng):
    both(lambda T, x: T.histogram(x, bins, range=rng), _data(dtype))  # (edges: linspace, to an ulp)
    w = RNG.random(500).astype(dtype)
    both(lambda T, x, w: T.histogram(x, bins, range=rng, weight=w, density=True), _data(dtype), w)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogram_tensor_bins(dtype):
    edges = np.array([-3., -1., -0.5, 0., 0.25, 2., 5.], dtype)
    both(lambda T, x, e: T.histogram(x, e), _data(dtype), edges, exact=True)
    w = RNG.random(500).astype(dtype)
    both(lambda T, x, e, w: x.histogram(e, weight=w, density=True), _data(dtype), edges, w)


@pytest.mark.parametrize("expr", [
    "T.histc(x, 4, 3, 0)", "T.histc(T.ones(3), 4)", "T.histc(T.ones(0), 4)", "T.histc(T.tensor([1, 2, 3]), 4)",
    "T.histc(x, 0)", "T.histc(x, -1)", "T.histc(x, 4, float('inf'), 2)", "T.histc(T.tensor([1., float('inf')]), 4)",
    "T.histc(T.tensor([1., float('nan')]), 4, 0, 2)", "T.histc(x, 4, out=T.empty(0))", "x.histc(bins=3)",
    "T.histc(x, 2.5)", "T.histc(x.view(7, 1), 3)", "T.histc(x, 4, 1, 1)", "T.histc(x, 0, 3, 0)",
    "T.histc(x, 4, 0.1, 0.2000001)",
    "T.histogram(x, 4)", "T.histogram(x, T.tensor([0., 1., 3.]), weight=T.arange(7.))",
    "T.histogram(x, 3, density=True)", "T.histogram(x.double(), 3)", "T.histogram(T.tensor([1, 2]), 3)",
    "T.histogram(x.half(), 3)", "T.histogram(x, 0)", "T.histogram(x, T.tensor([1.]))",
    "T.histogram(x, T.tensor([[0., 1., 3.]]))", "T.histogram(x, T.tensor([3., 1., 0.]))",
    "T.histogram(x, T.tensor([0., 1., 3.]).double())", "T.histogram(x, 3, weight=T.ones(3))",
    "T.histogram(x, 3, weight=T.ones(7).double())", "T.histogram(x, 3, range=(2., 1.))",
    "T.histogram(x, 3, range=(1., 1.))", "T.histogram(x, 3, range=(0., float('inf')))", "T.histogram(T.ones(0), 3)",
    "T.histogram(T.ones(0), 3, density=True)", "T.histogram(T.tensor([1., float('nan')]), 3)",
    "T.histogram(T.tensor([2., 2.]), 3)", "T.histogram(x, 3, range=(0, 3))", "T.histogram(x, 3, range=[0., 3.])",
    "x.histogram(3)", "T.histogram(x, 3, range=(0., 3., 4.))", "T.histogram(x.view(7, 1), 3)",
    "T.histogram(x, 3, weight=T.ones(7, 1))",
])
def test_histogram_cases(expr):
    x = np.array([1., 2, 1, 2.5, 4, 0.3, -1], np.float32)
    both(lambda T, x: eval(expr, {"T": T, "x": x}), x, msg=True)


def test_histc_nan_range_error():
    both(lambda T: T.histc(T.tensor([1., float("nan")]), 4))  # (PyTorch prints the range as [-nan, -nan])


def test_histogram_out():
    def fn(T):
        h, e = T.empty(0), T.empty(5)
        r = T.histogram(T.tensor([1., 2, 1, 2.5]), bins=3, out=(h, e))
        assert r.hist is h and r.bin_edges is e and type(r).__name__ == "histogram_out"
        return r
    both(fn)


def test_grads():
    def fn(T):
        x = T.tensor([1., 2, 1, 2.5], requires_grad=True)
        return T.histc(x, 3), T.histogram(x, 3)
    both(fn)
    h = reftorch.histogram(reftorch.tensor([1., 2.], requires_grad=True), 3)
    assert repr(h.hist).endswith("grad_fn=<NotImplemented>)")
    with pytest.raises(RuntimeError, match="derivative for aten::histogram is not implemented"):
        h.hist.sum().backward()


def test_histc_out_with_grad_input():
    both(lambda T: T.histc(T.tensor([1., 2., 3.], requires_grad=True), 3, out=T.empty(0)))
