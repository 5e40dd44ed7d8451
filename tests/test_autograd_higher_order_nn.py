"""Differential tests against PyTorch of higher-order gradients (``create_graph=True``)
through convolution, pooling, cumprod, the recurrent layers and ``scatter_reduce`` with
``prod``/``amax``/``amin``: values of second (and third) derivatives, and the ``grad_fn``
names of the gradient where reftorch records PyTorch's fused nodes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import torch  # the oracle

import reftorch
from _compare import assert_close_or_none

pytestmark = pytest.mark.torch


def _close(r, t, tol=1e-9):
    assert_close_or_none(r, t, tol)


def _orders(T, f, arrays, third=True):
    """First gradients (with graph), a second-order gradient of a mix of them and, if
    ``third``, a third-order one; also the first gradients' ``grad_fn`` names."""
    xs = [T.tensor(a, requires_grad=True) for a in arrays]
    gs = T.autograd.grad(f(T, *xs), xs, create_graph=True, allow_unused=True)
    mix = sum((g * T.tensor(np.cos(a)) + g ** 2).sum() for g, a in zip(gs, arrays) if g is not None)
    hs = T.autograd.grad(mix, xs, create_graph=third, allow_unused=True)
    out = list(gs) + list(hs)
    if third:
        out += T.autograd.grad(sum((h ** 2).sum() for h in hs if h is not None), xs, allow_unused=True)
    return out, [None if g is None or g.grad_fn is None else g.grad_fn.name() for g in gs]


def _check(f, arrays, names=True, third=True, tol=1e-9):
    want, wnames = _orders(torch, f, arrays, third)
    got, gnames = _orders(reftorch, f, arrays, third)
    for r, t in zip(got, want):
        _close(r, t, tol)
    if names:
        assert gnames == wnames


RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 4, 7, 6))
X[0, 0, :2, :2] = 1.0  # a tie inside a pooling window
WC = RNG.standard_normal((6, 2, 3, 2))
B = RNG.standard_normal(6)
F_ = lambda T: T.nn.functional  # noqa: E731

CONV = {
    "groups": dict(groups=2),
    "strided_padded_dilated": dict(groups=2, stride=2, padding=1, dilation=(2, 1)),
    "asymmetric_padding": dict(groups=2, padding=(0, 1)),
}


@pytest.mark.parametrize("name", sorted(CONV))
def test_conv2d_double_and_third_backward(name):
    kw = CONV[name]
    # the gradients of input, weight and bias are PyTorch's ConvolutionBackwardBackward0 nodes
    _check(lambda T, x, w, b: (F_(T).conv2d(x, w, b, **kw).tanh() ** 2).sum(), [X, WC, B])


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv1d_same_padding_double_backward():
    w1 = RNG.standard_normal((3, 4, 4))
    _check(lambda T, x, w: (F_(T).conv1d(x, w, padding="same", dilation=1) ** 3).sum(),
           [X[:, :, 0, :], w1], names=False)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_modes_double_backward(mode):
    def f(T, x):
        T.manual_seed(0)
        conv = T.nn.Conv2d(4, 2, 3, padding=(1, 2), padding_mode=mode).double()
        return (conv(x) ** 3).sum()
    _check(f, [X], names=mode != "circular")


POOL = {
    "max": lambda T, x: F_(T).max_pool2d(x, 2),
    "max_overlapping": lambda T, x: F_(T).max_pool2d(x, 3, stride=2, padding=1),
    "max_dilated_ceil": lambda T, x: F_(T).max_pool2d(x, 2, stride=1, dilation=2, ceil_mode=True),
    "max1d": lambda T, x: F_(T).max_pool1d(x.flatten(2), 3, 2),
    "avg": lambda T, x: F_(T).avg_pool2d(x, 3, stride=2, padding=1),
    "avg_exclude_pad": lambda T, x: F_(T).avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False,
                                                     ceil_mode=True),
    "avg_divisor": lambda T, x: F_(T).avg_pool2d(x, 2, divisor_override=3),
    "adaptive_avg": lambda T, x: F_(T).adaptive_avg_pool2d(x, (3, 4)),
    "adaptive_avg1d": lambda T, x: F_(T).adaptive_avg_pool1d(x.flatten(2), 5),
    "adaptive_max": lambda T, x: F_(T).adaptive_max_pool2d(x, (3, 4)),
    "adaptive_max_larger": lambda T, x: F_(T).adaptive_max_pool2d(x, (9, 8)),
}


@pytest.mark.parametrize("name", sorted(POOL))
def test_pooling_double_and_third_backward(name):
    _check(lambda T, x: (POOL[name](T, x) ** 3).sum(), [X])


def test_gradient_penalty_conv_maxpool_model():
    # a WGAN-GP style penalty through Conv2d + MaxPool2d + AvgPool2d; the parameters' grads
    def run(T):
        T.manual_seed(0)
        net = T.nn.Sequential(T.nn.Conv2d(4, 5, 3, padding=1), T.nn.Tanh(), T.nn.MaxPool2d(2),
                              T.nn.Conv2d(5, 3, 2), T.nn.ReLU(), T.nn.AdaptiveAvgPool2d(1), T.nn.Flatten())
        net = net.double()
        x = T.tensor(X, requires_grad=True)
        out = net(x).sum()
        g, = T.autograd.grad(out, x, create_graph=True)
        penalty = ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        return [penalty] + [p.grad for p in net.parameters()]
    for r, t in zip(run(reftorch), run(torch)):
        _close(r, t)


CUMPROD = {
    "no_zero": ([1.0, 2.0, 3.0, -0.5], 0),
    "one_zero": ([1.0, 0.0, 3.0, 2.0], 0),
    "two_zeros": ([0.0, 0.0, 3.0, 2.0], 0),
    "zeros_dim1": ([[1.0, 0.0, 3.0], [0.0, 2.0, 0.0], [1.5, 2.0, 3.0]], 1),
    "zeros_dim0": ([[1.0, 0.0, 3.0], [0.0, 2.0, 0.0], [1.5, 2.0, 3.0]], 0),
}


def _weighted_cumprod(dim):
    def f(T, x):
        w = T.tensor(np.sin(np.arange(x.numel()) + 1.0).reshape(tuple(x.shape)))
        return (x.cumprod(dim) * w).sum()
    return f


@pytest.mark.parametrize("name", sorted(CUMPROD))
def test_cumprod_second_and_third_derivatives(name):
    a, dim = CUMPROD[name]
    _check(_weighted_cumprod(dim), [np.array(a)], names=name == "no_zero")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, -2.0, 0.5, 3.0]), min_size=2, max_size=6))
def test_cumprod_double_backward_hypothesis(values):
    _check(_weighted_cumprod(0), [np.array(values)], names=False, third=False)


RNN = {
    "lstm": ("LSTM", {}),
    "gru": ("GRU", {}),
    "rnn_tanh": ("RNN", {}),
    "rnn_relu": ("RNN", dict(nonlinearity="relu")),
    "lstm_2_layers_bidirectional": ("LSTM", dict(num_layers=2, bidirectional=True)),
    "gru_bidirectional_no_bias": ("GRU", dict(bidirectional=True, bias=False)),
    "lstm_proj": ("LSTM", dict(proj_size=2)),
}


def _rnn_orders(T, mode, kw, packed):
    T.manual_seed(0)
    m = getattr(T.nn, mode)(3, 4, **kw).double()
    x = T.tensor(np.sin(np.arange(30.0)).reshape(5, 2, 3) * 1.5, requires_grad=True)
    inp = T.nn.utils.rnn.pack_padded_sequence(x, [5, 3]) if packed else x
    out, hn = m(inp)
    if packed:
        out = out.data
    loss = (out ** 2).sum() + sum((h ** 3).sum() for h in (hn if isinstance(hn, tuple) else (hn,)))
    ps = [x] + list(m.parameters())
    gs = T.autograd.grad(loss, ps, create_graph=True)
    return list(gs) + list(T.autograd.grad(sum((g ** 2).sum() for g in gs), ps))


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("name", sorted(RNN))
def test_recurrent_layers_double_backward(name, packed):
    mode, kw = RNN[name]
    for r, t in zip(_rnn_orders(reftorch, mode, kw, packed), _rnn_orders(torch, mode, kw, packed)):
        _close(r, t, 1e-8)


def test_gradient_penalty_conv_pool_lstm_model():
    # Conv2d + MaxPool2d features read as a sequence by an LSTM; penalty on the input gradient
    def run(T):
        T.manual_seed(1)
        conv, lstm, head = T.nn.Conv2d(4, 3, 3, padding=1), T.nn.LSTM(9, 5), T.nn.Linear(5, 1)
        mods = [conv.double(), lstm.double(), head.double()]
        x = T.tensor(X[:, :, :6, :6], requires_grad=True)
        f = T.nn.functional.max_pool2d(conv(x).tanh(), 2)  # (2, 3, 3, 3)
        seq = f.flatten(2).permute(1, 0, 2)  # (3 steps, 2, 9)
        out, _ = lstm(seq)
        score = head(out[-1]).sum()
        g, = T.autograd.grad(score, x, create_graph=True)
        penalty = ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        return [penalty] + [p.grad for m in mods for p in m.parameters()]
    for r, t in zip(run(reftorch), run(torch)):
        _close(r, t, 1e-8)


def _scatter_reduce_f(op, include_self, index, dim=0):
    def f(T, x, s):
        y = x.scatter_reduce(dim, T.tensor(index), s, op, include_self=include_self)
        return (y ** 2 * T.tensor(np.sin(np.arange(y.numel()) + 1.0).reshape(tuple(y.shape)))).sum()
    return f


SCATTER_REDUCE = {  # self, src, index (dim 0): ties, zeros in self and src, untouched positions
    "plain": ([1.0, 2.0, 3.0], [4.0, 0.5, 2.0, -1.0], [0, 0, 1, 2]),
    "zeros": ([1.0, 0.0, 3.0], [4.0, 0.5, 0.0, -1.0], [0, 1, 1, 2]),
    "ties": ([2.0, 2.0, 3.0], [2.0, 2.0, 3.0, 1.0], [0, 0, 2, 2]),
    "zero_in_self_and_src": ([0.0, 2.0, 3.0], [0.0, 2.0, 2.0, 1.0], [0, 1, 1, 2]),
    "untouched": ([1.5, -2.0, 3.0, 0.5], [4.0, -3.0], [2, 2]),
}


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("op", ["prod", "amax", "amin"])
@pytest.mark.parametrize("name", sorted(SCATTER_REDUCE))
def test_scatter_reduce_double_backward(name, op, include_self):
    x, s, index = SCATTER_REDUCE[name]
    _check(_scatter_reduce_f(op, include_self, index), [np.array(x), np.array(s)], names=False)


@pytest.mark.parametrize("op", ["prod", "amax", "amin"])
def test_scatter_reduce_double_backward_2d_src_larger_than_index(op):
    index = [[0, 2, 0], [1, 1, 1]]
    x = RNG.standard_normal((2, 4))
    s = RNG.standard_normal((2, 3))
    s[1, 0] = 0.0
    _check(_scatter_reduce_f(op, False, index, dim=1), [x, s], names=False)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, -2.0, 2.0]), min_size=3, max_size=3),
       st.lists(st.tuples(st.sampled_from([0.0, 1.0, -2.0, 2.0, 0.5]), st.integers(0, 2)), min_size=1, max_size=5),
       st.sampled_from(["prod", "amax", "amin"]), st.booleans())
def test_scatter_reduce_double_backward_hypothesis(x, pairs, op, include_self):
    s, index = [p[0] for p in pairs], [p[1] for p in pairs]
    if op == "prod" and any(sum(1 for v, i in pairs if v == 0 and i == j) > 1 for j in range(3)):
        return  # several zeros meeting: PyTorch refuses the double backward (tested below)
    _check(_scatter_reduce_f(op, include_self, index), [np.array(x), np.array(s)], names=False, third=False)


def test_scatter_reduce_prod_several_zeros_refuses_double_backward_of_src():
    res = []
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = T.tensor([0.0, 0.0, 2.0], requires_grad=True)
        y = x.scatter_reduce(0, T.tensor([0, 0, 1]), s, "prod")
        gx, gs = T.autograd.grad((y ** 2).sum(), (x, s), create_graph=True)
        assert gs.grad_fn.name() == "torch::autograd::Error"
        res.append([gx, gs] + list(T.autograd.grad(gx.sum(), (x, s), retain_graph=True)))
        with pytest.raises(RuntimeError, match="Double backward is unsupported for src when >1 zeros"):
            T.autograd.grad(gs.sum(), (x, s))
    for r, t in zip(res[1], res[0]):
        _close(r, t)


X2 = RNG.standard_normal((3, 5))
X2[1, 1] = X2[1, 3]  # a tie for amax/amin
MORE = {  # f(T, x) for x (3, 5): ops whose gradients are again recorded ops
    "amax_ties": lambda T, x: (x * x).amax(1) ** 3,
    "amin_dims": lambda T, x: x.exp().amin((0, 1), keepdim=True) ** 2,
    "sort": lambda T, x: x.sort(1).values ** 3 * T.arange(5.0, dtype=T.float64),
    "topk": lambda T, x: x.topk(2, 0).values ** 3,
    "max_dim": lambda T, x: x.max(0).values ** 3,
    "masked_fill_tensor": lambda T, x: x.masked_fill(x > 0, (x * x).sum()) ** 2,
    "flip": lambda T, x: x.flip([0, 1]) ** 3 * x,
    "roll": lambda T, x: x.roll((1, -2), (0, 1)) ** 3 * x,
    "roll_flat": lambda T, x: x.roll(4) ** 3 * x,
    "tril_triu": lambda T, x: x.tril(1) ** 3 + x.triu(-1) ** 2 * x,
    "remainder": lambda T, x: T.remainder(x * x, 0.7) ** 2 + T.remainder(x.exp(), x * x + 0.5) ** 2,
    "div_floor": lambda T, x: T.div(x * 3, x * x + 0.5, rounding_mode="floor") * x ** 2,
    "div_trunc": lambda T, x: T.div(x * 3, 0.7, rounding_mode="trunc") * x ** 2,
}


# where the gradient's grad_fn is not PyTorch's (listed in the docs' coverage statement)
MORE_OTHER_NAME = {"remainder"}


@pytest.mark.parametrize("name", sorted(MORE))
def test_double_backward_more_ops(name):
    _check(lambda T, x: MORE[name](T, x).sum(), [X2], names=name not in MORE_OTHER_NAME)


def test_floor_divide_refuses_the_backward_under_create_graph_too():
    for T in (torch, reftorch):
        x = T.tensor([1.5, -2.0], requires_grad=True)
        y = (x // 0.7 * x).sum()
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
            T.autograd.grad(y, x, create_graph=True)


XI = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])


def _inplace_cases():
    def setitem_row(T, x):
        y = x * 1
        y[0] = x[1] ** 2
        return (y ** 3).sum()

    def mul_through_view(T, x):
        y = x.clone()
        y[:, 0].mul_(x[:, 1])
        return (y ** 3).sum()

    def zero_fill_copy(T, x):
        y = x.clone()
        y.zero_()
        y.fill_(2.0)
        y.copy_(x * x)
        return (y * x).sum()

    def written_view_used(T, x):
        y = x * 2
        v = y[0]
        v.mul_(x[1])
        return (v ** 2).sum() + (y ** 3).sum()

    def setitem_mask(T, x):
        y = x * 2
        y[x > 0] = x[x > 0] ** 2
        return (y ** 3).sum()

    def fill_tensor(T, x):
        y = x.clone()
        y.fill_((x * x).sum())
        return (y * x).sum()

    def setitem_slice(T, x):
        y = x.clone()
        y[:, 1:] = x[:, :2].exp()
        return (y ** 3).sum()

    def mul_inplace(T, x):
        y = x * 2
        y.mul_(x)
        return (y ** 2).sum()
    return {f.__name__: f for f in (setitem_row, mul_through_view, zero_fill_copy, written_view_used,
                                    setitem_mask, fill_tensor, setitem_slice, mul_inplace)}


INPLACE = _inplace_cases()


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_double_backward_through_inplace_writes(name):
    _check(INPLACE[name], [XI], names=False)


def _mixed_model(T, dev):
    """Conv, pooling, cumprod, scatter_reduce, an LSTM and an in-place write in one graph."""
    T.manual_seed(3)
    conv, lstm = T.nn.Conv2d(4, 2, 3, padding=1).double(), T.nn.LSTM(3, 2).double()
    conv, lstm = conv.to(dev), lstm.to(dev)
    x = T.tensor(X[:1], requires_grad=True, device=dev)
    f = T.nn.functional
    y = f.max_pool2d(conv(x), 2) + f.avg_pool2d(conv(x), 2)  # (1, 2, 3, 3)
    y = f.adaptive_max_pool2d(y, (3, 2)).flatten(1).cumprod(1)  # (1, 12)
    z = y.clone()
    z[:, 1:3] = y[:, :2] ** 2
    s = z.scatter_reduce(1, T.tensor([[0, 0, 1, 2, 2, 1, 5, 7, 7, 9, 9, 3]], device=dev), y.tanh(), "amax")
    out, _ = lstm(s.reshape(4, 1, 3))
    params = [x] + list(conv.parameters()) + list(lstm.parameters())
    gs = T.autograd.grad((out ** 2).sum(), params, create_graph=True)
    return list(gs) + list(T.autograd.grad(sum((g ** 2).sum() for g in gs), params))


def test_on_the_array_api_stand_in_device():
    # the same kernels on the array-api-strict device (what CuPy runs) as on the CPU
    for r, t in zip(_mixed_model(reftorch, "strict"), _mixed_model(torch, "cpu")):
        assert r.device.type == "strict"
        _close(r.cpu(), t, 1e-8)


FUSED = {  # the gradient's grad_fn is PyTorch's fused double-backward node (or op) for these
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: x.sigmoid() * x,
    "relu": lambda T, x: T.relu(x) ** 3,
    "leaky_relu": lambda T, x: F_(T).leaky_relu(x, 0.2) ** 3,
    "softplus": lambda T, x: F_(T).softplus(x * 3, beta=2.0, threshold=4.0),
    "mse_mean": lambda T, x: F_(T).mse_loss(x.exp(), x.detach() * 0.5),
    "mse_sum": lambda T, x: F_(T).mse_loss(x * x, x * 0.5, reduction="sum"),
    "mse_none": lambda T, x: F_(T).mse_loss(x.exp(), x.detach() * 0.5, reduction="none") ** 2,
    "softmax": lambda T, x: T.softmax(x, 1) ** 2,
    "log_softmax": lambda T, x: T.log_softmax(x, 0) ** 2,
    "select": lambda T, x: x[1] ** 3,
    "slice": lambda T, x: x[:, 1:4:2] ** 3,
    "select_then_slice": lambda T, x: x[0, 1:] ** 3,
    "unsqueeze_index": lambda T, x: x[None, 1:] ** 3,
    "max_all": lambda T, x: x.max() ** 3,
    "norm": lambda T, x: x.norm(dim=1) ** 3,
    "masked_fill": lambda T, x: x.masked_fill(x > 0, 0.5) ** 3,
    "max_dim": lambda T, x: x.max(1).values ** 3,
    "mean_dim": lambda T, x: (x * x).mean(1) ** 2,
    "index_select": lambda T, x: x.index_select(1, T.tensor([0, 3, 3])) ** 3,
    "repeat": lambda T, x: x.repeat(2, 1) ** 3,
    "embedding": lambda T, x: F_(T).embedding(T.tensor([[0, 2], [2, 1]]), x, padding_idx=1) ** 3,
    "transpose": lambda T, x: x.unsqueeze(0).transpose(0, 2) ** 3,
    "t": lambda T, x: x.t() ** 3,
}


@pytest.mark.parametrize("name", sorted(FUSED))
def test_fused_gradient_nodes_names_and_values(name):
    _check(lambda T, x: FUSED[name](T, x).sum(), [X2])


@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_and_pad_packed_double_backward(batch_first):
    def f(T, a, b):
        rnn = T.nn.utils.rnn
        padded = rnn.pad_sequence([a * a, b.exp()], batch_first=batch_first)
        packed = rnn.pack_padded_sequence(padded, [4, 2], batch_first=batch_first)
        out, _ = rnn.pad_packed_sequence(packed, batch_first=batch_first, total_length=5)
        return (out ** 3).sum()
    _check(f, [RNG.standard_normal((4, 3)), RNG.standard_normal((2, 3))], names=False)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 2), st.integers(1, 2), st.integers(0, 1), st.integers(1, 2), st.integers(1, 3),
       st.sampled_from(["max", "avg"]), st.integers(0, 10 ** 6))
def test_conv_pool_double_backward_hypothesis(groups, stride, padding, dilation, kernel, pool, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2 * groups, 7, 6))
    w = rng.standard_normal((2 * groups, 2, kernel, 2))

    def f(T, x, w):
        y = F_(T).conv2d(x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
        y = (F_(T).max_pool2d if pool == "max" else F_(T).avg_pool2d)(y, 2, stride=1, padding=1)
        return (y.tanh() ** 2).sum()
    _check(f, [x, w], names=False, third=False)


_C = [[0.3, -1.2, 0.7, 0.9], [1.1, 0.2, -0.4, 0.6]]
HALF = {  # (pow's own double backward rounds differently in half: weights instead of squares)
    "softmax": lambda T, x: T.softmax(x, 1) * T.tensor(_C, dtype=T.float16),
    "log_softmax": lambda T, x: T.log_softmax(x, 0) * T.tensor(_C, dtype=T.float16),
    "tanh": lambda T, x: x.tanh() ** 2,
    "leaky_relu": lambda T, x: F_(T).leaky_relu(x, 0.1) ** 3,
    "relu": lambda T, x: T.relu(x) ** 3,
}


@pytest.mark.parametrize("name", sorted(HALF))
def test_half_precision_double_backward_bit_exact(name):
    # PyTorch's fused kernels compute half precision in float32 and round once; its
    # composite second-order formulas compute in half (reftorch the same)
    a = np.array([[0.5, -1.0, 2.0, 0.1], [1.5, 0.25, -0.5, -2.0]])
    res = []
    for T in (torch, reftorch):
        x = T.tensor(a, dtype=T.float16, requires_grad=True)
        g, = T.autograd.grad(HALF[name](T, x).sum(), x, create_graph=True)
        res.append([g] + list(T.autograd.grad((g * T.tensor(_C[::-1], dtype=T.float16)).sum(), x)))
    for r, t in zip(res[1], res[0]):
        assert str(r.dtype) == str(t.dtype)
        assert r.tolist() == t.tolist()


def test_lstm_initial_state_double_backward():
    def run(T):
        T.manual_seed(0)
        m = T.nn.LSTM(3, 4, num_layers=2, batch_first=True).double()
        x = T.tensor(np.sin(np.arange(24.0)).reshape(2, 4, 3))
        h0 = T.tensor(np.cos(np.arange(16.0)).reshape(2, 2, 4), requires_grad=True)
        c0 = T.tensor(np.cos(np.arange(16.0) + 1).reshape(2, 2, 4), requires_grad=True)
        out, (hn, cn) = m(x, (h0, c0))
        wrt = (h0, c0) + tuple(m.parameters())
        g = T.autograd.grad((out ** 2).sum() + (cn ** 3).sum(), wrt, create_graph=True)
        return list(g) + list(T.autograd.grad(sum((a ** 2).sum() for a in g[:2]), wrt))
    for r, t in zip(run(reftorch), run(torch)):
        _close(r, t, 1e-8)
