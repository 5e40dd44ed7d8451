"""Differential tests of the pooling layers and their F. forms against PyTorch.

Values, gradients, ``grad_fn`` names, returned indices (ties included: integer-valued
inputs make many equal maxima), reprs and errors are compared with torch.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import reftorch
from reftorch._backends.cupy_backend import cupy_available
from _nn_compare import comparers, raises_same, tonp

import torch  # the oracle: its absence must fail loudly

same, both = comparers()
RNG = np.random.default_rng(1)


def data(*shape, ties=False):
    if ties:
        return RNG.integers(0, 3, shape).astype(np.float32)
    return RNG.standard_normal(shape).astype(np.float32)


def run(T, fn, xs):
    """``fn`` on a leaf made from ``xs``; a weighted sum of the output is backpropagated."""
    x = T.tensor(xs, requires_grad=True)
    r = fn(T, x)
    y = r[0] if isinstance(r, tuple) else r
    w = T.tensor(np.linspace(-2, 3, y.numel(), dtype=np.float32)).view(y.shape)
    if y.dtype.is_floating_point:  # windows entirely in the padding give -inf: keep the sum finite
        y = y.masked_fill(y == float("-inf"), 0.0)
    (y * w).sum().backward()
    return [r, x.grad]


MAX_CASES = [c for c in itertools.product([1, 2, 3], [None, 1, 2], [0, 1], [1, 2], [False, True])
             if c[2] <= (c[3] * (c[0] - 1) + 1) // 2]


@pytest.mark.parametrize("k,s,p,d,ceil", MAX_CASES)
def test_max_pool2d_ties_and_indices(k, s, p, d, ceil):
    xs = data(2, 3, 7, 8, ties=True)
    both(lambda T: run(T, lambda T, x: T.nn.functional.max_pool2d(x, k, s, p, d, ceil, True), xs))
    both(lambda T: run(T, lambda T, x: T.nn.functional.max_pool1d(x[0], k, s, p, d, ceil, True), xs[:, :, 0]))


def test_max_pool_nan_wins():
    xs = data(1, 1, 4, 4)
    xs[0, 0, 1, 1] = np.nan
    xs[0, 0, 0, 0] = np.nan
    both(lambda T: T.nn.functional.max_pool2d(T.tensor(xs), 2, 1, return_indices=True), exact=True)
    both(lambda T: T.nn.functional.adaptive_max_pool2d(T.tensor(xs), (1, 2), return_indices=True), exact=True)


AVG_CASES = [c for c in itertools.product([1, 2, 3], [None, 2], [0, 1], [False, True], [True, False], [None, 3])
             if c[2] <= c[0] // 2]


@pytest.mark.parametrize("k,s,p,ceil,cip,div", AVG_CASES)
def test_avg_pool(k, s, p, ceil, cip, div):
    xs = data(2, 3, 7, 8)
    both(lambda T: run(T, lambda T, x: T.nn.functional.avg_pool2d(x, k, s, p, ceil, cip, div), xs))
    if div is None:
        both(lambda T: run(T, lambda T, x: T.nn.functional.avg_pool1d(x[1], k, s, p, ceil, cip), xs[:, :, 2]))


@pytest.mark.parametrize("out", [1, 2, 3, (2, 5), (None, 3), 4, 7, (1, 1)])
def test_adaptive(out):
    xs, ts = data(2, 3, 7, 8), data(2, 3, 7, 8, ties=True)
    both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, out), xs))
    both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_max_pool2d(x, out, True), ts))
    both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_max_pool2d(x[0], out), xs))
    if not isinstance(out, tuple):
        both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_avg_pool1d(x[0], out), xs[:, :, 0]))
        both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_max_pool1d(x, out, True), ts[:, :, 1]))


MODULES = [
    ("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 2, 1, 2), dict(ceil_mode=True, return_indices=True)),
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True)), ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False, divisor_override=2)),
    ("AvgPool1d", (3,), dict(stride=1, padding=1)), ("AdaptiveAvgPool2d", ((3, None),), {}),
    ("AdaptiveAvgPool1d", (3,), {}), ("AdaptiveMaxPool2d", (2,), dict(return_indices=True)),
    ("AdaptiveMaxPool1d", (2,), {}),
]


@pytest.mark.parametrize("name,args,kw", MODULES)
def test_modules(name, args, kw):
    xs = data(2, 4, 6, 6) if not name.endswith("1d") else data(2, 4, 6)

    def fn(T):
        m = getattr(T.nn, name)(*args, **kw)
        return [repr(m), list(m.state_dict()), run(T, lambda T, x: m(x), xs)]
    both(fn)


ERRORS = {
    "too_much_padding": lambda T: T.nn.functional.max_pool2d(T.zeros(2, 3, 8, 8), 3, padding=2),
    "output_too_small": lambda T: T.nn.functional.max_pool2d(T.zeros(2, 3, 8, 8), 9),
    "rank": lambda T: T.nn.functional.max_pool2d(T.zeros(8, 8), 2),
    "avg_padding": lambda T: T.nn.functional.avg_pool2d(T.zeros(2, 3, 8, 8), 3, padding=2),
    "avg_too_small": lambda T: T.nn.functional.avg_pool2d(T.zeros(2, 3, 8, 8), 9),
    "kernel0": lambda T: T.nn.functional.max_pool2d(T.zeros(2, 3, 8, 8), 0, 1),
    "stride0": lambda T: T.nn.functional.avg_pool2d(T.zeros(2, 3, 8, 8), 2, stride=0),
    "dilation0": lambda T: T.nn.functional.max_pool2d(T.zeros(2, 3, 8, 8), 2, dilation=0),
    "kernel_tuple": lambda T: T.nn.functional.max_pool2d(T.zeros(2, 3, 8, 8), (2, 2, 2)),
    "divisor0": lambda T: T.nn.functional.avg_pool2d(T.zeros(2, 3, 8, 8), 2, divisor_override=0),
    "max1d_rank": lambda T: T.nn.functional.max_pool1d(T.zeros(2, 3, 8, 8), 2),
    "avg1d_rank": lambda T: T.nn.functional.avg_pool1d(T.zeros(2, 3, 8, 8), 2),
    "adaptive_rank": lambda T: T.nn.functional.adaptive_avg_pool2d(T.zeros(8, 8), 2),
    "adaptive_max_rank": lambda T: T.nn.functional.adaptive_max_pool2d(T.zeros(8, 8), 2),
    "adaptive_size": lambda T: T.nn.functional.adaptive_avg_pool2d(T.zeros(2, 3, 8, 8), (2, 2, 2)),
    "adaptive1d_rank": lambda T: T.nn.functional.adaptive_avg_pool1d(T.zeros(2, 3, 8, 8), 2),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 3), kw=st.integers(1, 3),
       s=st.integers(1, 3), p=st.integers(0, 1), d=st.integers(1, 2), ceil=st.booleans())
def test_max_pool2d_hypothesis(h, w, kh, kw, s, p, d, ceil):
    if p > (d * (kh - 1) + 1) // 2 or p > (d * (kw - 1) + 1) // 2:
        return
    xs = data(2, 2, h, w, ties=True)
    try:
        want = run(torch, lambda T, x: T.nn.functional.max_pool2d(x, (kh, kw), s, p, d, ceil, True), xs)
    except RuntimeError:
        raises_same(lambda T: T.nn.functional.max_pool2d(T.tensor(xs), (kh, kw), s, p, d, ceil))
        return
    got = run(reftorch, lambda T, x: T.nn.functional.max_pool2d(x, (kh, kw), s, p, d, ceil, True), xs)
    if torch.isinf(want[0][0]).any():
        # a window entirely in the padding: PyTorch's index then points past the window
        # (matched), and its backward writes there, into a neighbouring plane: not compared
        got, want = got[0], want[0]
    same(got, want)


DEVICES = ["strict", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not cupy_available(), reason="needs CuPy and a CUDA GPU")])]


@pytest.mark.parametrize("device", DEVICES)
def test_pooling_on_device_matches_cpu(device):
    import array_api_strict  # noqa: F401 (a test dependency: its absence must fail loudly)
    xs = data(2, 3, 7, 6, ties=True)
    fns = [lambda x: reftorch.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
           lambda x: reftorch.nn.functional.avg_pool2d(x, 2, 1, 1, count_include_pad=False),
           lambda x: reftorch.nn.functional.adaptive_avg_pool2d(x, (3, 4)),
           lambda x: reftorch.nn.functional.adaptive_max_pool2d(x, (2, 4), return_indices=True),
           lambda x: reftorch.nn.functional.max_pool1d(x[:, :, 0], 2)]
    for fn in fns:
        results = []
        for dev in ("cpu", device):
            x = reftorch.tensor(xs, device=dev, requires_grad=True)
            r = fn(x)
            y = r[0] if isinstance(r, tuple) else r
            (y * y).sum().backward()
            results.append(([r[1]] if isinstance(r, tuple) else []) + [y, x.grad])
        for a, b in zip(*results):
            np.testing.assert_allclose(tonp(b), tonp(a), rtol=1e-6)


@pytest.mark.parametrize("shape", [(), (3,), (3, 3), (1, 1, 1, 1, 1)])
def test_avg_pool2d_rank_errors(shape):
    """avg_pool2d reads the input's size(-3) first: IndexError below 3 dims (PyTorch's
    message), its rank error above 4."""
    errors = []
    for T in (torch, reftorch):
        with pytest.raises((IndexError, RuntimeError)) as info:
            T.nn.functional.avg_pool2d(T.ones(shape), 1)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_max_pool1d_without_grad_is_row_major():
    # Without a graph PyTorch's max_pool1d kernel allocates a fresh row-major result: size-1
    # dims get row-major strides too (an input (1, 1, 6) with strides (6, 1, 1) gives (3, 3, 1)).
    arr = np.random.default_rng(0).standard_normal((2, 3, 6)).astype(np.float32)
    strides = {}
    for T in (reftorch, torch):
        got = []
        for perm in [(0, 1, 2), (0, 2, 1), (1, 2, 0)]:
            for rg in (False, True):
                x = T.tensor(np.transpose(arr, perm).copy()).permute(*np.argsort(perm).tolist()).requires_grad_(rg)
                for xx in (x, x[:1], x[:1, :1], x[:, :1]):
                    got.append(T.nn.functional.max_pool1d(xx, 2).stride())
        strides[T.__name__] = got
    assert strides["reftorch"] == strides["torch"]
