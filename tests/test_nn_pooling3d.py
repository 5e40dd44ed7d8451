"""Differential tests of 3-d pooling (MaxPool3d, AvgPool3d, AdaptiveAvgPool3d,
AdaptiveMaxPool3d and their F forms) and the ``*_with_indices`` aliases against PyTorch.

Values, gradients (first and second order), ``grad_fn`` names, indices (ties included:
integer-valued inputs make many equal maxima), result layouts, reprs and error types and
messages are compared with torch.
"""
from __future__ import annotations

import numpy as np
import pytest

from _nn_compare import comparers, raises_same

import torch  # noqa: F401 (the oracle: its absence must fail loudly)

same, both = comparers()
RNG = np.random.default_rng(3)


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
    (y * w).sum().backward()
    return [r, y.grad_fn.name(), x.grad]


MAX_CASES = [
    (2, None, 0, 1, False),
    (3, 2, 1, 1, True),
    ((1, 2, 3), (1, 2, 1), (0, 1, 1), 1, False),
    ((2, 3, 2), (1, 2, 3), (1, 1, 0), (2, 1, 3), True),
    (3, 1, 1, 2, False),
    (2, (2, 1, 2), 1, 1, True),
]


@pytest.mark.parametrize("k,s,p,d,ceil", MAX_CASES)
@pytest.mark.parametrize("batched", [True, False])
def test_max_pool3d_values_indices_grads(k, s, p, d, ceil, batched):
    xs = data(2, 3, 5, 6, 7, ties=True)
    xs = xs if batched else xs[0]
    both(lambda T: run(T, lambda T, x: T.nn.functional.max_pool3d(x, k, s, p, d, ceil, True), xs))
    both(lambda T: run(T, lambda T, x: T.nn.MaxPool3d(k, s, p, d, ceil_mode=ceil)(x), xs))


def test_max_pool3d_nan_and_window_in_padding():
    xs = data(1, 1, 3, 4, 4)
    xs[0, 0, 1, 1, 1] = np.nan
    both(lambda T: T.nn.functional.max_pool3d(T.tensor(xs), 2, 1, return_indices=True), exact=True)
    # ceil_mode with dilation: some windows start in the padding
    both(lambda T: T.nn.functional.max_pool3d(T.tensor(xs), 3, 2, 1, 2, True, True))


AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(1, 2, 3), stride=(1, 1, 2), padding=(0, 1, 1), divisor_override=5),
    dict(kernel_size=(2, 3, 3), stride=2, ceil_mode=True),
]


@pytest.mark.parametrize("kw", AVG_CASES, ids=[str(k) for k in AVG_CASES])
@pytest.mark.parametrize("batched", [True, False])
def test_avg_pool3d(kw, batched):
    xs = data(2, 3, 5, 6, 7)
    xs = xs if batched else xs[0]
    both(lambda T: run(T, lambda T, x: T.nn.functional.avg_pool3d(x, **kw), xs))
    both(lambda T: run(T, lambda T, x: T.nn.AvgPool3d(**kw)(x), xs))


ADAPTIVE = [1, 2, (2, 3, 4), (3, None, 1), (5, 6, 7), (7, 9, 8), (1, 1, 3)]


@pytest.mark.parametrize("size", ADAPTIVE, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_pool3d(size, batched):
    xs = data(2, 3, 5, 6, 7, ties=True)
    xs = xs if batched else xs[0]
    both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_avg_pool3d(x, size), xs))
    both(lambda T: run(T, lambda T, x: T.nn.functional.adaptive_max_pool3d(x, size, True), xs))
    both(lambda T: run(T, lambda T, x: T.nn.AdaptiveAvgPool3d(size)(x), xs))
    both(lambda T: run(T, lambda T, x: T.nn.AdaptiveMaxPool3d(size)(x), xs))


def test_empty_outputs_and_batches():
    both(lambda T: T.nn.functional.adaptive_avg_pool3d(T.ones(2, 3, 4, 5, 6), (2, 0, 1)))
    both(lambda T: T.nn.functional.adaptive_max_pool3d(T.ones(2, 3, 4, 5, 6), (2, 0, 1), True))
    both(lambda T: T.nn.functional.adaptive_avg_pool3d(T.ones(0, 3, 4, 5, 6), 2))
    both(lambda T: T.nn.functional.max_pool3d(T.ones(0, 3, 4, 5, 6), 2))
    both(lambda T: T.nn.functional.avg_pool3d(T.ones(0, 3, 4, 5, 6), 2))


POOL = {
    "max": lambda T, x: T.nn.functional.max_pool3d(x, 2, 1, 1),
    "avg": lambda T, x: T.nn.functional.avg_pool3d(x, 2, 1, 1, count_include_pad=False),
    "adaptive_avg": lambda T, x: T.nn.functional.adaptive_avg_pool3d(x, (2, 3, 2)),
    "adaptive_max": lambda T, x: T.nn.functional.adaptive_max_pool3d(x, (2, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(POOL))
def test_double_backward(name):
    xs = data(2, 2, 3, 4, 5).astype(np.float64)

    def fn(T):
        x = T.tensor(xs, requires_grad=True)
        y = POOL[name](T, x)
        g, = T.autograd.grad((y ** 3).sum(), x, create_graph=True)
        (g * g).sum().backward()
        return [y, g, g.grad_fn.name(), x.grad]
    both(fn)


@pytest.mark.parametrize("name", sorted(POOL))
def test_layout_of_channels_last_3d_input(name):
    # PyTorch's max_pool3d keeps a channels-last-3d input's format; the others are row-major
    xs = data(2, 3, 4, 5, 6)

    def fn(T):
        x = T.tensor(np.moveaxis(xs, 1, -1).copy()).movedim(-1, 1)
        y = POOL[name](T, x)
        return [y, tuple(y.stride())]
    both(fn)


def test_with_indices_aliases():
    xs = data(2, 3, 4, 5, 6, ties=True)
    for name, args in [("max_pool1d_with_indices", (xs[0, 0], 2)), ("max_pool2d_with_indices", (xs[0], 2, 1)),
                       ("max_pool3d_with_indices", (xs, 2)), ("adaptive_max_pool1d_with_indices", (xs[0, 0], 3)),
                       ("adaptive_max_pool2d_with_indices", (xs[0], (2, 3))),
                       ("adaptive_max_pool3d_with_indices", (xs, 2))]:
        both(lambda T: run(T, lambda T, x: getattr(T.nn.functional, name)(x, *args[1:]), args[0]))
        both(lambda T: getattr(T.nn.functional, name)(T.tensor(args[0]), *args[1:], return_indices=False))


@pytest.mark.parametrize("cls,args", [
    ("MaxPool3d", dict(kernel_size=(1, 2, 2))), ("MaxPool3d", dict(kernel_size=3, stride=2, padding=1, dilation=2,
                                                                    return_indices=True, ceil_mode=True)),
    ("AvgPool3d", dict(kernel_size=2, stride=(1, 2, 2))), ("AvgPool3d", dict(kernel_size=3, padding=1,
                                                                             divisor_override=2, ceil_mode=True)),
    ("AdaptiveAvgPool3d", dict(output_size=(1, None, 2))), ("AdaptiveMaxPool3d", dict(output_size=2,
                                                                                      return_indices=True)),
])
def test_module_repr_and_state(cls, args):
    both(lambda T: [repr(getattr(T.nn, cls)(**args)), list(getattr(T.nn, cls)(**args).state_dict())])


X5 = (2, 3, 4, 5, 6)
ERRORS = {
    "max_rank": lambda T: T.nn.functional.max_pool3d(T.zeros(2, 3, 4), 2),
    "max_rank6": lambda T: T.nn.functional.max_pool3d(T.zeros(1, 2, 3, 4, 5, 6), 2),
    "max_kernel_len": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), (2, 2)),
    "max_stride_len": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, stride=(1, 1)),
    "max_padding_len": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, padding=(1, 1)),
    "max_dilation_len": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, dilation=(1, 1)),
    "max_pad_half": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, padding=2),
    # pad within half the dilated window but not within half the kernel: PyTorch's second check
    "max_pad_dilated": lambda T: T.nn.functional.max_pool3d(T.zeros(1, 3, 4, 3, 6), 3, (2, 1, 1), (0, 0, 2), 2),
    "max_pad_dilated_h": lambda T: T.nn.functional.max_pool3d(T.zeros(1, 3, 6, 7, 6), (1, 3, 2), 1, (0, 2, 1), 2),
    "max_pad_neg": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, padding=-1),
    "max_too_small": lambda T: T.nn.functional.max_pool3d(T.zeros(2, 3, 1, 5, 6), 2),
    "max_kernel0": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 0),
    "max_kernel0_stride1": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 0, stride=1),
    "max_stride_neg": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, stride=-1),
    "max_dilation0": lambda T: T.nn.functional.max_pool3d(T.zeros(*X5), 2, dilation=0),
    "max_empty_channels": lambda T: T.nn.functional.max_pool3d(T.zeros(2, 0, 4, 5, 6), 2),
    "max_empty_unbatched": lambda T: T.nn.functional.max_pool3d(T.zeros(0, 3, 4, 5), 2),
    "avg_rank": lambda T: T.nn.functional.avg_pool3d(T.zeros(2, 3, 4), 2),
    "avg_kernel_len": lambda T: T.nn.functional.avg_pool3d(T.zeros(*X5), (2, 2)),
    "avg_stride_len": lambda T: T.nn.functional.avg_pool3d(T.zeros(*X5), 2, stride=(1, 1)),
    "avg_padding_len": lambda T: T.nn.functional.avg_pool3d(T.zeros(*X5), 2, padding=(1, 1)),
    "avg_pad_half": lambda T: T.nn.functional.avg_pool3d(T.zeros(*X5), 2, padding=2),
    "avg_smaller_than_kernel": lambda T: T.nn.functional.avg_pool3d(T.zeros(2, 3, 1, 5, 6), 2, padding=1),
    "avg_divisor0": lambda T: T.nn.functional.avg_pool3d(T.zeros(2, 3, 4), 2, divisor_override=0),
    "avg_empty": lambda T: T.nn.functional.avg_pool3d(T.zeros(2, 3, 0, 5, 6), 2),
    "adaptive_avg_rank": lambda T: T.nn.functional.adaptive_avg_pool3d(T.zeros(2, 3, 4), 2),
    "adaptive_avg_size_len": lambda T: T.nn.functional.adaptive_avg_pool3d(T.zeros(*X5), (2, 2)),
    "adaptive_avg_negative": lambda T: T.nn.functional.adaptive_avg_pool3d(T.zeros(*X5), (-1, 2, -3)),
    "adaptive_avg_empty": lambda T: T.nn.functional.adaptive_avg_pool3d(T.zeros(2, 3, 0, 5, 6), 2),
    "adaptive_avg_empty_channels": lambda T: T.nn.functional.adaptive_avg_pool3d(T.zeros(2, 0, 4, 5, 6), 2),
    "adaptive_avg_long": lambda T: T.nn.functional.adaptive_avg_pool3d(T.zeros(*X5, dtype=T.int64), 2),
    "adaptive_max_rank": lambda T: T.nn.functional.adaptive_max_pool3d(T.zeros(2, 3, 4), 2),
    "adaptive_max_size_len": lambda T: T.nn.functional.adaptive_max_pool3d(T.zeros(*X5), (2, 2)),
    "adaptive_max_negative": lambda T: T.nn.functional.adaptive_max_pool3d(T.zeros(*X5), -1),
    "adaptive_max_empty": lambda T: T.nn.functional.adaptive_max_pool3d(T.zeros(2, 3, 0, 5, 6), 2),
    "adaptive_max_long": lambda T: T.nn.functional.adaptive_max_pool3d(T.zeros(*X5, dtype=T.int64), 2),
    "adaptive_avg2d_long": lambda T: T.nn.functional.adaptive_avg_pool2d(T.zeros(2, 3, 4, 5, dtype=T.int64), 2),
    "adaptive_max2d_long": lambda T: T.nn.functional.adaptive_max_pool2d(T.zeros(2, 3, 4, 5, dtype=T.int64), 2),
    "adaptive_max2d_size_len": lambda T: T.nn.functional.adaptive_max_pool2d(T.zeros(2, 3, 4, 5), (2, 2, 2)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name])


def test_integer_inputs():
    xs = RNG.integers(-5, 5, (2, 3, 4, 5, 6))
    both(lambda T: T.nn.functional.max_pool3d(T.tensor(xs), 2, return_indices=True), exact=True)
    # int64 average pooling divides rounding toward zero; other integer types are refused
    for kw in (dict(kernel_size=2), dict(kernel_size=(1, 1, 2), divisor_override=-3),
               dict(kernel_size=3, padding=1, stride=2, count_include_pad=False)):
        both(lambda T: T.nn.functional.avg_pool3d(T.tensor(xs), **kw), exact=True)
        both(lambda T: T.nn.functional.avg_pool2d(T.tensor(xs[0]), **dict(kw, kernel_size=2)), exact=True)
    for dt in ("int32", "uint8", "bool"):
        raises_same(lambda T: T.nn.functional.avg_pool3d(T.tensor(xs).to(getattr(T, dt)), 2))
        raises_same(lambda T: T.nn.functional.avg_pool2d(T.tensor(xs[0]).to(getattr(T, dt)), 2))
    raises_same(lambda T: T.nn.functional.max_pool3d(T.tensor(xs).to(T.bool), 2))
