"""Differential tests of Conv3d / F.conv3d and BatchNorm3d against PyTorch.

``T`` is reftorch or torch; values, gradients, ``grad_fn`` names, reprs, state_dict keys,
seeded initialisation (bit for bit), result layouts and error types and messages are
compared.
"""
from __future__ import annotations

import numpy as np
import pytest

from _nn_compare import comparers, raises_same

import torch  # noqa: F401 (the oracle: its absence must fail loudly)

same, both = comparers(rtol=1e-4, atol=1e-5)
RNG = np.random.default_rng(0)


def arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def conv3d_case(T, xs, ws, bs, **kw):
    """Forward and backward of F.conv3d: the output and the gradients."""
    x = T.tensor(xs, requires_grad=True)
    w = T.tensor(ws, requires_grad=True)
    b = None if bs is None else T.tensor(bs, requires_grad=True)
    y = T.nn.functional.conv3d(x, w, b, **kw)
    (y * T.tensor(np.linspace(0.5, 1.5, y.numel(), dtype=np.float32)).view(y.shape)).sum().backward()
    return [y, x.grad, w.grad] + ([] if b is None else [b.grad])


CONV3D = [
    dict(),
    dict(stride=2),
    dict(stride=(1, 2, 3), padding=(1, 0, 2)),
    dict(padding=1, dilation=(2, 1, 2)),
    dict(padding="same"),
    dict(padding="valid", stride=(2, 1, 1)),
    dict(groups=2, padding=1),
    dict(groups=4, stride=2, padding=1),  # depthwise
]


@pytest.mark.parametrize("kw", CONV3D, ids=[str(k) for k in CONV3D])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kernel", [(3, 3, 3), (1, 2, 3), (1, 1, 1)])
def test_conv3d_values_and_grads(kw, bias, kernel):
    g = kw.get("groups", 1)
    if kw.get("padding") == "same" and any(k % 2 == 0 for k in kernel):
        kw = dict(kw, dilation=2)  # (PyTorch warns for even kernels with odd dilation)
    xs, ws = arr(2, 4, 5, 6, 7), arr(8, 4 // g, *kernel)
    bs = arr(8) if bias else None
    both(lambda T: conv3d_case(T, xs, ws, bs, **kw))


def test_conv3d_unbatched_float64_and_double_backward():
    xs, ws, bs = arr(3, 4, 5, 5), arr(2, 3, 2, 2, 2), arr(2)
    both(lambda T: conv3d_case(T, xs, ws, bs, padding=1))

    def second(T):
        x = T.tensor(xs.astype(np.float64), requires_grad=True)
        w = T.tensor(ws.astype(np.float64), requires_grad=True)
        y = T.nn.functional.conv3d(x, w, stride=(2, 1, 1))
        gx, = T.autograd.grad((y * y).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        return [y, gx, x.grad, w.grad]
    both(second)


@pytest.mark.parametrize("perm", [(0, 2, 3, 4, 1), (0, 1, 2, 3, 4), (1, 0, 2, 3, 4)])
@pytest.mark.parametrize("weight_cl", [False, True])
def test_conv3d_result_layout(perm, weight_cl):
    # PyTorch's CPU kernel gives a channels-last-3d result when the input or the weight
    # suggests that memory format.
    xs = arr(2, 3, 4, 5, 6)

    def fn(T):
        x = T.tensor(np.transpose(xs, perm).copy()).permute(*np.argsort(perm).tolist())
        w = T.ones(4, 2, 2, 2, 3).movedim(-1, 1) if weight_cl else T.ones(4, 3, 2, 2, 2)
        y = T.nn.functional.conv3d(x, w)
        return [y, tuple(y.stride())]
    both(fn)


@pytest.mark.parametrize("args", [
    dict(in_channels=3, out_channels=6, kernel_size=3, padding=1),
    dict(in_channels=4, out_channels=6, kernel_size=(1, 2, 3), stride=2, groups=2, bias=False),
    dict(in_channels=4, out_channels=8, kernel_size=3, padding="same", dilation=2, groups=4),
    dict(in_channels=2, out_channels=2, kernel_size=1, padding=(0, 1, 2), padding_mode="reflect"),
])
def test_conv3d_module_init_repr_state_dict(args):
    def fn(T):
        T.manual_seed(7)
        m = T.nn.Conv3d(**args)
        return [repr(m), list(m.state_dict()), m.weight] + ([m.bias] if m.bias is not None else [])
    both(fn, exact=True)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, "same"])
@pytest.mark.parametrize("batched", [True, False])
def test_conv3d_padding_modes(mode, padding, batched):
    shape = (2, 3, 4, 5, 5) if batched else (3, 4, 5, 5)
    xs = arr(*shape)

    def fn(T):
        T.manual_seed(3)
        m = T.nn.Conv3d(3, 4, 3, padding=padding, padding_mode=mode)
        x = T.tensor(xs, requires_grad=True)
        y = m(x)
        (y * y).sum().backward()
        return [repr(m), y, x.grad, m.weight.grad, m.bias.grad, y.grad_fn.name()]
    both(fn)


ERRORS = {
    "input_rank": lambda T: T.nn.functional.conv3d(T.zeros(2, 3, 4), T.zeros(4, 3, 2, 2, 2)),
    "input_rank_6": lambda T: T.nn.functional.conv3d(T.zeros(1, 2, 3, 4, 5, 6), T.zeros(4, 3, 2, 2, 2)),
    "channels": lambda T: T.nn.functional.conv3d(T.zeros(2, 3, 4, 4, 4), T.zeros(4, 2, 2, 2, 2)),
    "kernel_too_big": lambda T: T.nn.functional.conv3d(T.zeros(2, 3, 1, 5, 6), T.zeros(4, 3, 2, 2, 2)),
    "bias_size": lambda T: T.nn.functional.conv3d(T.zeros(2, 3, 4, 4, 4), T.zeros(4, 3, 2, 2, 2), T.zeros(3)),
    "stride_len": lambda T: T.nn.functional.conv3d(T.zeros(2, 3, 4, 4, 4), T.zeros(4, 3, 2, 2, 2), stride=(1, 1)),
    "same_strided": lambda T: T.nn.functional.conv3d(T.zeros(2, 3, 4, 4, 4), T.zeros(4, 3, 2, 2, 2),
                                                     padding="same", stride=2),
    "module_groups": lambda T: T.nn.Conv3d(3, 4, 3, groups=2),
    "module_unbatched_channels": lambda T: T.nn.Conv3d(3, 4, 1)(T.zeros(2, 4, 4, 4)),
    "bn_rank": lambda T: T.nn.BatchNorm3d(3)(T.zeros(2, 3, 4, 4)),
    "bn_one_value": lambda T: T.nn.BatchNorm3d(3)(T.zeros(1, 3, 1, 1, 1)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name])


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("channels_last", [False, True])
def test_batchnorm3d(momentum, channels_last):
    xs = arr(3, 2, 3, 4, 5) * 2 + 1

    def fn(T):
        T.manual_seed(0)
        bn = T.nn.BatchNorm3d(2, momentum=momentum)
        x = T.tensor(xs, requires_grad=True)
        if channels_last:
            x = T.tensor(np.moveaxis(xs, 1, -1).copy()).movedim(-1, 1).requires_grad_()
        y = bn(x)
        (y * T.arange(y.numel(), dtype=y.dtype).view(y.shape)).sum().backward()
        bn(x)
        bn.eval()
        z = bn(x)
        return [repr(bn), list(bn.state_dict()), y, tuple(y.stride()), z, tuple(z.stride()), x.grad,
                bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var, bn.num_batches_tracked]
    both(fn)
