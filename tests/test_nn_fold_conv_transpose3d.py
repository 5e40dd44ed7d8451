"""Differential tests of nn.Unfold / F.unfold, nn.Fold / F.fold, ConvTranspose3d /
F.conv_transpose3d and Dropout3d / F.dropout3d against PyTorch: values, gradients (first
and second order), grad_fn names, reprs, seeded parameters and masks, errors.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
from _nn_compare import comparers, raises_same

import torch

same, both = comparers(rtol=1e-4, atol=1e-5)
RNG = np.random.default_rng(5)


def arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def run(T, fn, xs):
    x = T.tensor(xs, requires_grad=True)
    y = fn(T, x)
    w = T.tensor(np.linspace(-2, 3, y.numel(), dtype=np.float32)).view(y.shape)
    (y * w).sum().backward()
    return [y, y.grad_fn.name(), tuple(y.stride()), x.grad]


UNFOLD = [
    dict(kernel_size=2),
    dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
    dict(kernel_size=3, padding=(0, 2), stride=2),
    dict(kernel_size=1),
    dict(kernel_size=(5, 6)),  # one window
]


@pytest.mark.parametrize("kw", UNFOLD, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_and_fold(kw, batched):
    xs = arr(2, 3, 5, 6) if batched else arr(3, 5, 6)
    both(lambda T: run(T, lambda T, x: T.nn.functional.unfold(x, **kw), xs))
    both(lambda T: run(T, lambda T, x: T.nn.Unfold(**kw)(x), xs))
    cols = np.asarray(torch.nn.functional.unfold(torch.tensor(xs), **kw))
    both(lambda T: run(T, lambda T, c: T.nn.functional.fold(c, (5, 6), **kw), cols))
    both(lambda T: run(T, lambda T, c: T.nn.Fold((5, 6), **kw)(c), cols))


def test_unfold_is_the_convolution_columns():
    xs, ws = arr(2, 3, 6, 7), arr(4, 3, 3, 2)

    def fn(T):
        x, w = T.tensor(xs), T.tensor(ws)
        cols = T.nn.functional.unfold(x, (3, 2), padding=1, stride=2)
        return (w.view(4, -1) @ cols).view(2, 4, 3, 4) - T.nn.functional.conv2d(x, w, padding=1, stride=2)
    both(fn)


@pytest.mark.parametrize("which", ["unfold", "fold"])
def test_double_backward(which):
    xs = arr(2, 3, 5, 6).astype(np.float64)
    cols = np.asarray(torch.nn.functional.unfold(torch.tensor(xs), 2, stride=(1, 2)))

    def fn(T):
        if which == "unfold":
            x = T.tensor(xs, requires_grad=True)
            y = T.nn.functional.unfold(x, 2, stride=(1, 2))
        else:
            x = T.tensor(cols, requires_grad=True)
            y = T.nn.functional.fold(x, (5, 6), 2, stride=(1, 2))
        g, = T.autograd.grad((y ** 3).sum(), x, create_graph=True)
        (g * g).sum().backward()
        return [y, g, g.grad_fn.name(), x.grad]
    both(fn)


def test_module_reprs():
    both(lambda T: [repr(T.nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1))), repr(T.nn.Unfold(2)),
                    repr(T.nn.Fold((4, 5), 2, dilation=(1, 2), padding=1, stride=(2, 1))),
                    list(T.nn.Fold(4, 2).state_dict())])


def test_dtypes():
    xs = arr(1, 2, 3, 3)
    both(lambda T: T.nn.functional.unfold(T.tensor(xs).double(), 2))
    both(lambda T: T.nn.functional.unfold(T.tensor(xs) > 0, 2), exact=True)
    both(lambda T: T.nn.functional.fold(T.tensor(xs).view(1, 18, 1).double(), 3, 3))


ERRORS = {
    "unfold_rank5": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5, 6), 2),
    "unfold_rank2": lambda T: T.nn.functional.unfold(T.zeros(3, 4), 2),
    "unfold_rank1": lambda T: T.nn.functional.unfold(T.zeros(4), 2),
    "unfold_kernel_len": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), (2, 2, 2)),
    "unfold_stride_len": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 2, stride=(1,)),
    "unfold_padding_len": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 2, padding=(1, 2, 3)),
    "unfold_kernel0": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 0),
    "unfold_stride0": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 2, stride=0),
    "unfold_dilation0": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 2, dilation=0),
    "unfold_neg_padding": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 2, padding=-1),
    "unfold_too_big": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5), 6),
    "unfold_empty_channels": lambda T: T.nn.functional.unfold(T.zeros(2, 0, 4, 5), 2),
    "unfold_long": lambda T: T.nn.functional.unfold(T.zeros(2, 3, 4, 5, dtype=T.int64), 2),
    "fold_divisible": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12), (4, 5), 3),
    "fold_blocks": lambda T: T.nn.functional.fold(T.zeros(2, 12, 11), (4, 5), 2, stride=(2, 1), padding=(0, 1)),
    "fold_no_blocks": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12), (1, 1), 2),
    "fold_rank4": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12, 1), (4, 5), 2),
    "fold_rank1": lambda T: T.nn.functional.fold(T.zeros(12), (4, 5), 2),
    "fold_empty": lambda T: T.nn.functional.fold(T.zeros(12, 0), (4, 5), 2),
    "fold_output_len": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12), (4, 5, 1), 2),
    "fold_kernel0": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12), (4, 5), 0),
    "fold_neg_padding": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12), (4, 5), 2, padding=-1),
    "fold_long": lambda T: T.nn.functional.fold(T.zeros(2, 12, 12, dtype=T.int64), (4, 5), 2, stride=(2, 1),
                                                padding=(0, 1)),
    "conv_t3d_channels": lambda T: T.nn.functional.conv_transpose3d(T.zeros(1, 3, 2, 2, 2), T.zeros(2, 2, 1, 1, 1)),
    "conv_t3d_output_padding": lambda T: T.nn.functional.conv_transpose3d(T.zeros(1, 2, 2, 2, 2),
                                                                          T.zeros(2, 2, 1, 1, 1), output_padding=1),
    "conv_t3d_rank": lambda T: T.nn.functional.conv_transpose3d(T.zeros(2, 2, 2), T.zeros(2, 2, 1, 1, 1)),
    "conv_t3d_output_size": lambda T: T.nn.ConvTranspose3d(2, 2, 3, stride=2)(T.zeros(1, 2, 2, 2, 2),
                                                                              output_size=(9, 9, 9)),
    "dropout3d_p": lambda T: T.nn.functional.dropout3d(T.zeros(1, 2, 2, 2, 2), 1.5),
    "dropout3d_module_p": lambda T: T.nn.Dropout3d(-0.1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name])


CONV_T3D = [
    dict(),
    dict(stride=2),
    dict(stride=(1, 2, 3), padding=(0, 1, 1), output_padding=(0, 1, 2)),
    dict(stride=2, dilation=(1, 2, 1), groups=2),
]


@pytest.mark.parametrize("kw", CONV_T3D, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_conv_transpose3d(kw, batched):
    xs, ws, bs = arr(2, 4, 3, 4, 3), arr(4, 3, 2, 3, 2), arr(3 * kw.get("groups", 1))
    xs = xs if batched else xs[0]

    def fn(T):
        x, w, b = (T.tensor(a, requires_grad=True) for a in (xs, ws, bs))
        y = T.nn.functional.conv_transpose3d(x, w, b, **kw)
        (y * T.tensor(np.linspace(0.5, 1.5, y.numel(), dtype=np.float32)).view(y.shape)).sum().backward()
        return [y, y.grad_fn.name(), x.grad, w.grad, b.grad]
    both(fn)


def test_conv_transpose3d_module():
    xs = arr(2, 4, 3, 4, 3)

    def fn(T):
        T.manual_seed(11)
        m = T.nn.ConvTranspose3d(4, 6, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), groups=2)
        x = T.tensor(xs, requires_grad=True)
        y = m(x, output_size=(3, 8, 6))
        y.pow(2).sum().backward()
        return [repr(m), list(m.state_dict()), m.weight, m.bias, y, x.grad, m.weight.grad, m.bias.grad]
    both(fn)


@pytest.mark.parametrize("shape", [(3, 4, 2, 2, 2), (4, 2, 1, 3), (5, 1, 1, 1, 1)])
@pytest.mark.parametrize("inplace", [False, True])
def test_dropout3d_masks(shape, inplace):
    def fn(T):
        T.manual_seed(2)
        x = T.ones(*shape)
        y = T.nn.Dropout3d(0.4, inplace=inplace)(x)
        m = T.nn.Dropout3d(0.4).eval()
        return [y, x, m(T.ones(*shape)), repr(m), T.nn.functional.dropout3d(T.ones(*shape), 0.0)]
    both(fn)


@pytest.mark.parametrize("shape", [(3, 4, 2), (2, 3, 4, 2, 2, 2)])
def test_dropout3d_warns_for_other_ranks(shape):
    msgs = []
    for T in (reftorch, torch):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            T.manual_seed(0)
            out = T.nn.functional.dropout3d(T.ones(*shape))
        msgs.append(([str(w.message) for w in rec], out))
    assert msgs[0][0] == msgs[1][0] and len(msgs[0][0]) == 1
    same(msgs[0][1], msgs[1][1])


def test_dropout3d_grad():
    def fn(T):
        T.manual_seed(4)
        x = T.ones(2, 3, 2, 2, 2, requires_grad=True)
        y = T.nn.functional.dropout3d(x, 0.5)
        y.sum().backward()
        return [y, y.grad_fn.name(), x.grad]
    both(fn)


@pytest.mark.filterwarnings("ignore:dropout3d. Received a 0-D input")  # (both libraries warn)
def test_unbatched_inplace_channel_dropout():
    # PyTorch unsqueezes in place; the mask is the batched one's (reftorch draws one per channel)
    def fn(T):
        T.manual_seed(9)
        a, b = T.ones(4, 2, 3), T.ones(5, 3)
        ra = T.nn.functional.dropout3d(T.ones(4, 1, 1, 2), 0.5, inplace=True)
        rb = T.nn.functional.dropout1d(b, 0.5, inplace=True)
        return [ra, rb, b, tuple(rb.shape), a]
    both(fn)
    raises_same(lambda T: T.nn.functional.dropout3d(T.ones(()), 0.5))
