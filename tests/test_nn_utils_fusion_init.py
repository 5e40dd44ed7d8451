"""nn.utils.fuse_*_bn_*, nn.utils.skip_init, nn.init.dirac_ and nn.init.sparse_, against PyTorch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch


def _outcome(T, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(T)
        except Exception as e:  # the error is part of the behaviour compared
            out = ("raised", type(e).__name__, str(e))
    return out, [(w.category.__name__, str(w.message)) for w in caught]


def _same(fn):
    expected = _outcome(torch, fn)
    assert _outcome(reftorch, fn) == expected
    return expected


def _vals(t):
    return np.round(t.detach().numpy().astype(np.float64), 4).tolist()


def _trained_bn(T, bn, shape):
    bn.train()
    for i in range(3):
        bn(T.arange(float(np.prod(shape))).reshape(shape).sin() * (i + 1))
    if bn.affine:
        bn.weight.data.mul_(1.5)
        bn.bias.data.add_(0.25)
    return bn.eval()


@pytest.mark.parametrize("kind", ["conv1d", "conv2d", "conv3d", "conv_transpose2d", "no_bias", "no_affine"])
def test_fuse_conv_bn_eval(kind):
    def fn(T):
        T.manual_seed(0)
        dims = {"conv1d": 1, "conv3d": 3}.get(kind, 2)
        conv_cls = {1: T.nn.Conv1d, 2: T.nn.Conv2d, 3: T.nn.Conv3d}[dims]
        bn_cls = {1: T.nn.BatchNorm1d, 2: T.nn.BatchNorm2d, 3: T.nn.BatchNorm3d}[dims]
        if kind == "conv_transpose2d":
            conv = T.nn.ConvTranspose2d(2, 4, 3)
        else:
            conv = conv_cls(2, 4, 3, bias=kind != "no_bias")
        x = T.arange(2.0 * 5 ** dims).reshape((1, 2) + (5,) * dims).cos()
        bn = _trained_bn(T, bn_cls(4, affine=kind != "no_affine"), tuple(conv(x).shape))
        conv.eval()
        fused = T.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=kind == "conv_transpose2d")
        return (type(fused).__name__, fused is conv, _vals(fused.weight), _vals(fused.bias),
                type(fused.bias).__name__, fused.bias.requires_grad, _vals(fused(x)), _vals(bn(conv(x))))
    out, _ = _same(fn)
    np.testing.assert_allclose(out[-2], out[-1], atol=1e-3)


def test_fuse_linear_bn_eval():
    def fn(T):
        T.manual_seed(0)
        lin, x = T.nn.Linear(3, 4), T.arange(6.0).reshape(2, 3)
        bn = _trained_bn(T, T.nn.BatchNorm1d(4), (5, 4))
        lin.eval()
        fused = T.nn.utils.fuse_linear_bn_eval(lin, bn)
        w, b = T.nn.utils.fuse_linear_bn_weights(lin.weight, None, bn.running_mean, bn.running_var, bn.eps,
                                                 bn.weight, bn.bias)
        return _vals(fused.weight), _vals(fused.bias), _vals(fused(x)), _vals(w), _vals(b), b.requires_grad
    _same(fn)


@pytest.mark.parametrize("case", ["training", "features", "no_stats"])
def test_fusion_errors(case):
    def fn(T):
        lin, bn = T.nn.Linear(3, 4), T.nn.BatchNorm1d(2 if case == "features" else 4,
                                                      track_running_stats=case != "no_stats")
        if case != "training":
            lin.eval(), bn.eval()
        return T.nn.utils.fuse_linear_bn_eval(lin, bn)
    assert _same(fn)[0][:2] == ("raised", "AssertionError")
    if case == "training":
        assert _same(lambda T: T.nn.utils.fuse_conv_bn_eval(T.nn.Conv1d(1, 1, 1), T.nn.BatchNorm1d(1).eval())
                     )[0][:2] == ("raised", "AssertionError")


def test_fuse_conv_bn_weights_dtypes():
    def fn(T):
        w, b = T.nn.utils.fuse_conv_bn_weights(T.ones(2, 1, 3, dtype=T.float64), None, T.zeros(2), T.ones(2), 1e-5,
                                               None, None)
        return str(w.dtype), str(b.dtype), _vals(w), _vals(b), w.requires_grad, b.requires_grad
    _same(fn)


def test_skip_init_leaves_the_generator_alone():
    def fn(T):
        T.manual_seed(0)
        lin = T.nn.utils.skip_init(T.nn.Linear, 4, 2, bias=False)
        return (tuple(lin.weight.shape), type(lin.weight).__name__, lin.weight.requires_grad, lin.bias,
                str(lin.weight.device), _vals(T.randn(3)))
    _same(fn)


@pytest.mark.parametrize("cls", ["not_a_module", "no_device"])
def test_skip_init_errors(cls):
    def fn(T):
        class NoDevice(T.nn.Module):
            def __init__(self, n):
                super().__init__()
        return T.nn.utils.skip_init(int if cls == "not_a_module" else NoDevice, 3)
    assert _same(fn)[0][:2] == ("raised", "RuntimeError")


@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 1), ((6, 3, 3, 2), 2), ((2, 4, 3, 3, 3), 1), ((4, 4, 1), 4),
                                           ((2, 2), 1), ((3, 2, 3), 2)])
def test_dirac(shape, groups):
    def fn(T):
        w = T.full(shape, 5.0, requires_grad=True)
        with T.no_grad():
            out = w.clone()
        r = T.nn.init.dirac_(out, groups=groups)
        return r is out, _vals(out)
    _same(fn)


@pytest.mark.parametrize("shape, sparsity, std", [((5, 3), 0.5, 0.01), ((10, 4), 0.3, 1.0), ((3, 2), 0.0, 0.1),
                                                  ((3, 2), 1.0, 0.1), ((4,), 0.5, 0.01)])
def test_sparse_same_numbers_after_the_same_seed(shape, sparsity, std):
    def fn(T):
        T.manual_seed(3)
        w = T.nn.init.sparse_(T.empty(shape), sparsity, std=std)
        return _vals(w), _vals(T.rand(2))
    _same(fn)


def test_sparse_with_generator_uses_the_global_one_for_permutations():
    def fn(T):
        T.manual_seed(1)
        g = T.Generator().manual_seed(7)
        w = T.nn.init.sparse_(T.empty(6, 3), 0.5, generator=g)
        return _vals(w), _vals(T.rand(2))
    _same(fn)


def test_deprecated_names():
    def fn(T):
        T.manual_seed(0)
        return _vals(T.nn.init.dirac(T.empty(1, 1, 3))), _vals(T.nn.init.sparse(T.empty(2, 2), 0.5))
    out, warned = _same(fn)
    assert [w[0] for w in warned] == ["FutureWarning", "FutureWarning"]
