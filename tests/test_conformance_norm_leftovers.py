"""Conformance: what was left over in layer and group norm.

* ``group_norm`` of constant groups: PyTorch's CPU kernel writes ``scale * x + bias``
  (per channel ``scale = rstd * weight``, ``bias = -scale * mean + beta``, fused
  multiply-adds), so a constant group with an affine map gives rounding noise of about
  ``|x| * weight * 316`` ulps instead of zeros; a channels-last input takes its moments as
  plain sums (by vector lanes, or by threads from 1024 positions on), so even without an
  affine map. reftorch gives the same bits.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from tests._compare import both

VALUES = [0.0, 1.0, 1.5, 0.1, 1e-3, 3.0, -2.5]


def _gn(T, x, groups, w=None, b=None, channels_last=False):
    if channels_last:  # (N, H, W, C) data seen as (N, C, H, W)
        x = x.permute(0, 3, 1, 2)
    return T.nn.functional.group_norm(x, groups, w, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("v", VALUES)
@pytest.mark.parametrize("affine", ["wb", "w", "b"])
def test_group_norm_constant_groups_with_affine_map(dtype, v, affine):
    for c, groups in [(4, 2), (6, 3), (2, 1)]:
        w = np.linspace(0.5, 2, c).astype(dtype) if "w" in affine else None
        b = np.linspace(-1, 1, c).astype(dtype) if "b" in affine else None
        for length in [1, 2, 5, 9, 17, 35]:
            x = np.full((2, c, length), v, dtype=dtype)
            x[1, :c // groups] = np.linspace(-1, 1, c // groups * length).reshape(c // groups, length)
            both(lambda T, x, w, b, groups=groups: _gn(T, x, groups, w, b)[0], x, w, b, exact=True)  # (sample 1: ordinary)


def test_group_norm_example_of_the_report():
    x = np.full((1, 4, 3), 1.5, dtype=np.float32)
    both(lambda T, x, w, b: T.nn.functional.group_norm(x, 2, weight=w, bias=b), x,
         np.full(4, 2.0, np.float32), np.ones(4, np.float32), exact=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("v", VALUES)
@pytest.mark.parametrize("affine", ["", "wb", "w"])
def test_group_norm_constant_groups_channels_last(dtype, v, affine):
    """Channels-last 4-d input under 1024 positions: lane sums of x and x * x."""
    for c, groups in [(4, 2), (6, 3), (24, 2), (16, 1)]:
        w = np.linspace(0.5, 2, c).astype(dtype) if "w" in affine else None
        b = np.linspace(-1, 1, c).astype(dtype) if "b" in affine else None
        for h, wd in [(1, 5), (3, 7), (5, 13)]:
            x = np.full((2, h, wd, c), v, dtype=dtype)
            x[1, 0, 0, 0] += 1  # sample 1's first group is not constant
            y = both(lambda T, x, w, b, groups=groups: _gn(T, x, groups, w, b, channels_last=True)[0], x, w, b, exact=True)
            assert y.stride()[0] == 1  # (channels-last)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_group_norm_constant_groups_channels_last_by_threads(threads):
    """1024 positions or more: per-thread sums, which depend on ``get_num_threads()``."""
    before = torch.get_num_threads(), reftorch.get_num_threads()
    torch.set_num_threads(threads)
    reftorch.set_num_threads(threads)
    try:
        for dtype in ["float32", "float64"]:
            for v in [1.5, 0.1, -2.5, 1e-3]:
                for c, groups, hw in [(4, 2, 1024), (16, 2, 1500), (6, 1, 3001)]:
                    x = np.full((3, 1, hw, c), v, dtype=dtype)
                    w = np.linspace(0.5, 2, c).astype(dtype)
                    both(lambda T, x, w, groups=groups: _gn(T, x, groups, w, channels_last=True), x, w, exact=True)
    finally:
        torch.set_num_threads(before[0])
        reftorch.set_num_threads(before[1])


def test_group_norm_ordinary_groups_unchanged():
    """Non-constant groups keep reftorch's usual values (within tolerance of PyTorch)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 7)).astype(np.float32)
    w, b = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    both(lambda T, x, w, b: T.nn.functional.group_norm(x, 3, w, b), x, w, b)
    both(lambda T, x, w, b: _gn(T, x.reshape(3, 1, 7, 6), 3, w, b, channels_last=True), x, w, b)


@pytest.mark.parametrize("shape, channels_last", [((2, 4, 5), False), ((2, 1, 5, 4), True), ((2, 1, 1100, 4), True)])
def test_group_norm_constant_groups_on_the_strict_device(shape, channels_last):
    """The constant-group paths are written over the array namespace: the array-api-strict
    stand-in device gives the CPU's bits (which are PyTorch's)."""
    a = np.full(shape, 1.5, dtype=np.float32)
    w = np.linspace(0.5, 2, 4).astype(np.float32)
    want = _gn(torch, torch.tensor(a), 2, torch.tensor(w), channels_last=channels_last).numpy()
    got = _gn(reftorch, reftorch.tensor(a, device="strict"), 2, reftorch.tensor(w, device="strict"),
              channels_last=channels_last).cpu().numpy()
    np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- layer_norm's double backward
def _ln_second_order(T, xa, wa, ba, ga, affine):
    """grad_fn names of layer_norm's gradients under create_graph, and the second-order
    gradient of each (against a fixed random weighting) w.r.t. x, weight, bias and grad_output."""
    x = T.tensor(xa, requires_grad=True)
    w = T.tensor(wa, requires_grad=True) if affine else None
    b = T.tensor(ba, requires_grad=True) if affine else None
    go = T.tensor(ga, requires_grad=True)
    y = T.nn.functional.layer_norm(x, xa.shape[-1:], w, b)
    ins = [x] + ([w, b] if affine else [])
    grads = T.autograd.grad(y, ins, go, create_graph=True)
    names = [None if gr.grad_fn is None else type(gr.grad_fn).__name__ for gr in grads]
    rng = np.random.default_rng(5)
    second = []
    for gr in grads:
        c = T.tensor(rng.standard_normal(tuple(gr.shape)).astype(xa.dtype))
        sec = T.autograd.grad((gr * c).sum(), ins + [go], allow_unused=True, retain_graph=True)
        second.append([None if s is None else s.detach().numpy() for s in sec])
    return names, second


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5)])
def test_layer_norm_gradient_is_one_node_under_create_graph(dtype, affine, shape):
    rng = np.random.default_rng(0)
    xa, ga = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    wa, ba = (rng.standard_normal(shape[-1]).astype(dtype) for _ in range(2))
    names_t, sec_t = _ln_second_order(torch, xa, wa, ba, ga, affine)
    names_r, sec_r = _ln_second_order(reftorch, xa, wa, ba, ga, affine)
    assert names_r == names_t == ["NativeLayerNormBackwardBackward0"] * len(names_t)
    rtol = 1e-5 if dtype == "float32" else 1e-10
    for row_t, row_r in zip(sec_t, sec_r):
        for a, b in zip(row_t, row_r):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol * np.abs(a).max())


def test_layer_norm_gradients_share_the_node_and_third_order():
    """With ``.sum()`` (a constant grad_output) the bias gradient has the node too; a third
    derivative takes PyTorch's saved mean and 1 / std as constants, as its formula does."""
    rng = np.random.default_rng(1)
    xa = rng.standard_normal((3, 4))
    wa, ba = rng.standard_normal(4), rng.standard_normal(4)
    out = {}
    for T in (torch, reftorch):
        x, w, b = (T.tensor(a, requires_grad=True) for a in (xa, wa, ba))
        gx, gw, gb = T.autograd.grad(T.nn.functional.layer_norm(x, (4,), w, b).sum(), (x, w, b), create_graph=True)
        assert gx.grad_fn is gw.grad_fn is gb.grad_fn
        assert type(gb.grad_fn).__name__ == "NativeLayerNormBackwardBackward0"
        gx, gw, gb = T.autograd.grad((T.nn.functional.layer_norm(x, (4,), w, b) ** 2).sum(), (x, w, b),
                                     create_graph=True)
        g2x, g2w = T.autograd.grad((gx ** 2).sum() + (gw * gb).sum(), (x, w), create_graph=True)
        g3, = T.autograd.grad((g2x * g2x).sum() + g2w.sum(), x)
        out[T] = g3.numpy()
    np.testing.assert_allclose(out[reftorch], out[torch], rtol=1e-9, atol=1e-9 * np.abs(out[torch]).max())


def test_layer_norm_double_backward_on_the_strict_device():
    rng = np.random.default_rng(2)
    xa, wa = rng.standard_normal((3, 4)), rng.standard_normal(4)
    res = []
    for dev in ("cpu", "strict"):
        x, w = (reftorch.tensor(a, device=dev, requires_grad=True) for a in (xa, wa))
        gx, gw = reftorch.autograd.grad((reftorch.nn.functional.layer_norm(x, (4,), w) ** 2).sum(), (x, w),
                                        create_graph=True)
        h, = reftorch.autograd.grad((gx ** 2).sum() + gw.sum(), x)
        res.append(h.cpu().numpy())
    x, w = (torch.tensor(a, requires_grad=True) for a in (xa, wa))
    gx, gw = torch.autograd.grad((torch.nn.functional.layer_norm(x, (4,), w) ** 2).sum(), (x, w), create_graph=True)
    want, = torch.autograd.grad((gx ** 2).sum() + gw.sum(), x)
    np.testing.assert_array_equal(res[1], res[0])
    np.testing.assert_allclose(res[0], want.numpy(), rtol=1e-10, atol=1e-12)


def test_group_norm_gradients_under_create_graph_are_views():
    """PyTorch's group norm gradients under create_graph end in ``ViewBackward0`` (the
    weight's and bias's too); the second-order values agree."""
    rng = np.random.default_rng(3)
    xa, ga = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    wa, ba = rng.standard_normal(4), rng.standard_normal(4)
    out = {}
    for T in (torch, reftorch):
        x, w, b, go = (T.tensor(a, requires_grad=True) for a in (xa, wa, ba, ga))
        grads = T.autograd.grad(T.nn.functional.group_norm(x, 2, w, b), (x, w, b), go, create_graph=True)
        assert [type(t.grad_fn).__name__ for t in grads] == ["ViewBackward0"] * 3
        out[T] = [s.numpy() for s in T.autograd.grad(sum((t * t).sum() for t in grads), (x, w, go))]
    for a, b in zip(out[torch], out[reftorch]):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- batch_norm's double backward
def _bn_orders(T, xa, wa, ba, ga, affine, training):
    x = T.tensor(xa, requires_grad=True)
    w = T.tensor(wa, requires_grad=True) if affine else None
    b = T.tensor(ba, requires_grad=True) if affine else None
    go = T.tensor(ga, requires_grad=True)
    c = xa.shape[1]
    rm, rv = T.tensor(np.linspace(-0.3, 0.3, c)), T.tensor(np.linspace(0.5, 2, c))
    ins = [x] + ([w, b] if affine else [])
    grads = T.autograd.grad(T.nn.functional.batch_norm(x, rm, rv, w, b, training=training), ins, go,
                            create_graph=True)
    names = [type(t.grad_fn).__name__ for t in grads]
    rng = np.random.default_rng(5)
    second = []
    for gr in grads:
        k = T.tensor(rng.standard_normal(tuple(gr.shape)))
        sec = T.autograd.grad((gr * k).sum(), ins + [go], allow_unused=True, retain_graph=True)
        second.append([None if s is None else s.detach().numpy() for s in sec])
    g2x, g2o = T.autograd.grad(sum((t * t).sum() for t in grads), [x, go], create_graph=True, allow_unused=True)
    third = None
    if g2x is not None:
        third = T.autograd.grad((g2x * g2x).sum() + (g2o * g2o).sum(), x, allow_unused=True)[0]
    return names, second, None if third is None else third.numpy()


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5)])
def test_batch_norm_gradient_is_one_node_under_create_graph(affine, training, shape):
    rng = np.random.default_rng(0)
    xa, ga = rng.standard_normal(shape), rng.standard_normal(shape)
    wa, ba = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    names_t, sec_t, third_t = _bn_orders(torch, xa, wa, ba, ga, affine, training)
    names_r, sec_r, third_r = _bn_orders(reftorch, xa, wa, ba, ga, affine, training)
    assert names_r == names_t == ["NativeBatchNormBackwardBackward0"] * len(names_t)
    for row_t, row_r in zip(sec_t, sec_r):
        for a, b in zip(row_t, row_r):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-10 * np.abs(a).max())
    assert (third_t is None) == (third_r is None)
    if third_t is not None:
        np.testing.assert_allclose(third_r, third_t, rtol=1e-10, atol=1e-10 * np.abs(third_t).max())


# ---------------------------------------------------------------- layer_norm's input gradient
def test_layer_norm_input_gradient_cancellation_is_within_the_row_scale():
    """A small element of a layer norm's input gradient is a cancellation of terms of the
    row's size, so both libraries round it differently (PyTorch: ``a * dy * w + b * x + c``
    from Welford moments and vector-lane sums, with fused multiply-adds; reftorch:
    ``(gy - mean(gy) - xhat * mean(gy * xhat)) * invstd``): on the row ``[1, 2, 3, 4]``
    an element of about 5e-5 differs by about 0.06 %. The difference is a few float32
    ulps of the row's largest gradient, and reftorch's value is the closer to the exact one."""
    w = np.array([-0.10282578, -0.30766132, -0.2356881, -1.9722444], np.float32)
    g = np.array([[0.73526633, 0.68440676, 0.63467515, 0.19408293]], np.float32)
    x = np.array([[1, 2, 3, 4]], np.float32)
    got = {}
    for T, dt in ((torch, np.float32), (reftorch, np.float32), ("exact", np.float64)):
        lib = torch if T == "exact" else T
        xt = lib.tensor(x.astype(dt), requires_grad=True)
        lib.nn.functional.layer_norm(xt, (4,), lib.tensor(w.astype(dt))).backward(lib.tensor(g.astype(dt)))
        got[T] = xt.grad.numpy().astype(np.float64)
    scale = np.abs(got[torch]).max()
    assert np.abs(got[reftorch] - got[torch]).max() <= 8 * 2 ** -24 * scale
    assert abs(got[reftorch][0, 0] - got["exact"][0, 0]) <= abs(got[torch][0, 0] - got["exact"][0, 0])
    rng = np.random.default_rng(4)  # rows of small integers: the same bound
    xs = rng.integers(-3, 5, size=(64, 37)).astype(np.float32)
    ws, gs = rng.standard_normal(37).astype(np.float32), rng.standard_normal((64, 37)).astype(np.float32)
    res = []
    for lib in (torch, reftorch):
        xt = lib.tensor(xs, requires_grad=True)
        lib.nn.functional.layer_norm(xt, (37,), lib.tensor(ws)).backward(lib.tensor(gs))
        res.append(xt.grad.numpy())
    rows = np.abs(res[0]).max(axis=1, keepdims=True)
    assert (np.abs(res[1] - res[0]) <= 64 * 2 ** -24 * rows).all()
