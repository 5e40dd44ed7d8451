"""Differential tests of MaxUnpool1d/2d/3d, LPPool1d/2d/3d, LocalResponseNorm,
ChannelShuffle, Softmax2d and their F forms against PyTorch: values, gradients (first and
second order), grad_fn names, reprs, layouts and error types and messages.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
from _nn_compare import comparers, raises_same

import torch

same, both = comparers(rtol=1e-4, atol=1e-5)
RNG = np.random.default_rng(7)


def arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def run(T, fn, xs):
    x = T.tensor(xs, requires_grad=True)
    y = fn(T, x)
    w = T.tensor(np.linspace(-2, 3, y.numel(), dtype=np.float32)).view(y.shape)
    (y * w).sum().backward()
    return [y, y.grad_fn.name(), tuple(y.stride()), x.grad]


UNPOOL = [
    (1, (2, 3, 8), dict(kernel_size=2)),
    (1, (3, 9), dict(kernel_size=3, stride=2, padding=1)),
    (2, (2, 3, 6, 7), dict(kernel_size=2)),
    (2, (3, 6, 7), dict(kernel_size=3, stride=2, padding=1)),
    (2, (2, 3, 7, 7), dict(kernel_size=(2, 3), stride=(2, 1))),
    (3, (2, 2, 4, 5, 6), dict(kernel_size=2)),
    (3, (2, 4, 5, 6), dict(kernel_size=(1, 2, 3), stride=(1, 2, 2), padding=(0, 1, 1))),
]


@pytest.mark.parametrize("nd,shape,kw", UNPOOL, ids=str)
def test_max_unpool_values_and_grads(nd, shape, kw):
    xs = arr(*shape)
    pool = getattr(torch.nn.functional, f"max_pool{nd}d")
    values, idx = pool(torch.tensor(xs), return_indices=True, **kw)
    vs, ids = values.numpy(), idx.numpy()

    size = tuple(shape[-nd:])  # the pooled input's size (the default one may be smaller)

    def fn(T, v):
        return getattr(T.nn.functional, f"max_unpool{nd}d")(v, T.tensor(ids), output_size=size, **kw)
    both(lambda T: run(T, fn, vs))
    both(lambda T: run(T, lambda T, v: getattr(T.nn, f"MaxUnpool{nd}d")(**kw)(v, T.tensor(ids), size), vs))
    if all(n % 2 == 0 for n in shape[-nd:]) and "stride" not in kw:  # the default output size
        both(lambda T: run(T, lambda T, v: getattr(T.nn, f"MaxUnpool{nd}d")(**kw)(v, T.tensor(ids)), vs))


def test_max_unpool_repeated_index_and_double_backward():
    # (a repeated index: which value lands is unspecified, in PyTorch too)
    out = reftorch.nn.functional.max_unpool2d(reftorch.tensor([[[[1., 2.]]]]), reftorch.tensor([[[[3, 3]]]]), 2)
    assert out.flatten().tolist()[:3] == [0.0, 0.0, 0.0] and out.flatten().tolist()[3] in (1.0, 2.0)
    xs = arr(2, 3, 4, 4).astype(np.float64)
    v, i = torch.nn.functional.max_pool2d(torch.tensor(xs), 2, return_indices=True)
    for nd, args in ((2, (v.numpy(), i.numpy())),):
        def fn(T):
            x = T.tensor(args[0], requires_grad=True)
            y = T.nn.functional.max_unpool2d(x, T.tensor(args[1]), 2)
            g, = T.autograd.grad((y ** 3).sum(), x, create_graph=True)
            (g * g).sum().backward()
            return [y, g, g.grad_fn.name(), x.grad]
        both(fn)


def test_module_reprs():
    both(lambda T: [repr(T.nn.MaxUnpool1d(2)), repr(T.nn.MaxUnpool2d(2, stride=1, padding=(1, 0))),
                    repr(T.nn.MaxUnpool3d(2)), repr(T.nn.LPPool1d(2, 3)),
                    repr(T.nn.LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True)), repr(T.nn.LPPool3d(2, 2)),
                    repr(T.nn.LocalResponseNorm(3)), repr(T.nn.LocalResponseNorm(2, 1e-3, 0.5, 2.0)),
                    repr(T.nn.ChannelShuffle(2)), repr(T.nn.Softmax2d()), list(T.nn.LPPool2d(2, 2).state_dict())])


LP = [
    (1, (2, 3, 9), 2, 3, None, False),
    (1, (3, 9), 3, 2, 2, True),
    (1, (2, 3, 8), float("inf"), 2, None, False),
    (2, (2, 3, 6, 7), 2, 2, None, False),
    (2, (3, 6, 7), 1.5, (2, 3), 1, True),
    (2, (2, 3, 6, 7), -float("inf"), 2, None, False),
    (3, (2, 2, 4, 5, 6), 2, 2, None, False),
    (3, (2, 4, 5, 6), 3, (1, 2, 2), (1, 2, 1), True),
]


@pytest.mark.parametrize("nd,shape,p,k,s,ceil", LP, ids=str)
def test_lp_pool(nd, shape, p, k, s, ceil):
    xs = np.abs(arr(*shape)) + 0.1  # (a fractional power of a negative window sum is nan in both)
    both(lambda T: run(T, lambda T, x: getattr(T.nn.functional, f"lp_pool{nd}d")(x, p, k, s, ceil), xs))
    both(lambda T: run(T, lambda T, x: getattr(T.nn, f"LPPool{nd}d")(p, k, s, ceil)(x), xs))


@pytest.mark.parametrize("shape", [(2, 5, 7), (2, 6, 3, 4), (2, 4, 2, 3, 2), (2, 5, 2, 2, 2, 2), (0, 3, 4)])
@pytest.mark.parametrize("size,alpha,beta,k", [(2, 1e-4, 0.75, 1.0), (3, 0.5, 0.5, 2.0), (5, 1.0, 1.0, 1.0)])
def test_local_response_norm(shape, size, alpha, beta, k):
    xs = arr(*shape)
    if 0 in shape:
        both(lambda T: T.nn.functional.local_response_norm(T.tensor(xs), size, alpha, beta, k))
        return
    both(lambda T: run(T, lambda T, x: T.nn.functional.local_response_norm(x, size, alpha, beta, k), xs))
    both(lambda T: run(T, lambda T, x: T.nn.LocalResponseNorm(size, alpha, beta, k)(x), xs))


@pytest.mark.parametrize("shape,groups", [((2, 6, 4, 4), 3), ((2, 6, 4), 2), ((1, 4, 2, 2, 2), 4), ((2, 6, 3), 1),
                                          ((0, 4, 3), 2), ((2, 0, 3), 2)])
def test_channel_shuffle(shape, groups):
    xs = arr(*shape)
    if 0 in shape:  # (values only: PyTorch's strides of empty results vary)
        both(lambda T: T.nn.functional.channel_shuffle(T.tensor(xs), groups))
        # no channels: the gradient is the shuffle with 0 groups, which fails in both
        raises_same(lambda T: T.nn.functional.channel_shuffle(T.ones(2, 0, 3, requires_grad=True), 2).sum().backward())
        return
    both(lambda T: run(T, lambda T, x: T.nn.functional.channel_shuffle(x, groups), xs))
    both(lambda T: run(T, lambda T, x: T.nn.ChannelShuffle(groups)(x), xs))


def test_channel_shuffle_layout_and_double_backward():
    xs = arr(2, 6, 4, 4)
    both(lambda T: [tuple(T.nn.functional.channel_shuffle(T.tensor(xs).movedim(1, -1).contiguous().movedim(-1, 1),
                                                          2).stride())])

    def fn(T):
        x = T.tensor(xs.astype(np.float64), requires_grad=True)
        y = T.nn.functional.channel_shuffle(x, 3)
        g, = T.autograd.grad((y ** 3).sum(), x, create_graph=True)
        (g * g).sum().backward()
        return [y, g, g.grad_fn.name(), x.grad]
    both(fn)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)])
def test_softmax2d(shape):
    xs = arr(*shape)
    both(lambda T: run(T, lambda T, x: T.nn.Softmax2d()(x), xs))


X4 = (2, 3, 2, 2)
ERRORS = {
    "unpool_float_indices": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.zeros(*X4), 2),
    "unpool_int_indices": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.zeros(*X4, dtype=T.int32), 2),
    "unpool_rank2": lambda T: T.nn.functional.max_unpool2d(T.zeros(2, 2), T.zeros(2, 2, dtype=T.int64), 2),
    "unpool_rank5": lambda T: T.nn.functional.max_unpool2d(T.zeros(1, *X4), T.zeros(1, *X4, dtype=T.int64), 2),
    "unpool_shape": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.zeros(2, 3, 1, 2, dtype=T.int64), 2),
    "unpool_index_high": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.full(X4, 16), 2),
    "unpool_index_negative": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.full(X4, -1), 2),
    "unpool_output_len": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.zeros(*X4, dtype=T.int64), 2,
                                                                output_size=(5, 5, 5)),
    "unpool_output_range": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.zeros(*X4, dtype=T.int64), 2,
                                                                  output_size=(2, 3, 6, 5)),
    "unpool_output_range_list": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4), T.zeros(*X4, dtype=T.int64), 2,
                                                                       output_size=[2, 4]),
    "unpool_empty_channels": lambda T: T.nn.functional.max_unpool2d(T.zeros(2, 0, 2, 2),
                                                                    T.zeros(2, 0, 2, 2, dtype=T.int64), 2),
    "unpool_int_input": lambda T: T.nn.functional.max_unpool2d(T.zeros(*X4, dtype=T.int32),
                                                               T.zeros(*X4, dtype=T.int64), 2),
    "unpool3d_float_indices": lambda T: T.nn.functional.max_unpool3d(T.zeros(1, *X4), T.zeros(1, *X4), 2),
    "unpool3d_rank": lambda T: T.nn.functional.max_unpool3d(T.zeros(3, 2, 2), T.zeros(3, 2, 2, dtype=T.int64), 2),
    "unpool3d_index": lambda T: T.nn.functional.max_unpool3d(T.zeros(2, 3, 2, 2, 2), T.full((2, 3, 2, 2, 2), 64), 2),
    "unpool3d_stride0": lambda T: T.nn.functional.max_unpool3d(T.zeros(1, *X4), T.zeros(1, *X4, dtype=T.int64), 2,
                                                               stride=0),
    "unpool1d_index": lambda T: T.nn.functional.max_unpool1d(T.zeros(2, 2), T.full((2, 2), 9), 2),
    "unpool1d_rank": lambda T: T.nn.functional.max_unpool1d(T.zeros(*X4), T.zeros(*X4, dtype=T.int64), 2),
    "lrn_rank": lambda T: T.nn.functional.local_response_norm(T.zeros(2, 3), 2),
    "shuffle_rank": lambda T: T.nn.functional.channel_shuffle(T.zeros(2, 4), 2),
    "shuffle_groups0": lambda T: T.nn.functional.channel_shuffle(T.zeros(2, 4, 3), 0),
    "shuffle_divisible": lambda T: T.nn.functional.channel_shuffle(T.zeros(2, 6, 3), 4),
    "softmax2d_rank": lambda T: T.nn.Softmax2d()(T.zeros(4, 5)),
    "softmax2d_rank5": lambda T: T.nn.Softmax2d()(T.zeros(1, 3, 4, 5, 6)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name])
