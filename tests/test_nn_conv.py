"""Differential tests of Conv1d/Conv2d and F.conv1d/F.conv2d against PyTorch.

``T`` is reftorch or torch; values, gradients, ``grad_fn`` names, reprs, state_dict keys,
seeded initialisation (bit for bit) and error types and messages are compared.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import reftorch
from reftorch._backends.cupy_backend import cupy_available
from _compare import forget_warning
from _nn_compare import comparers, raises_same, tonp

import torch  # the oracle: the test command installs it, so its absence must fail loudly

same, both = comparers(rtol=1e-4, atol=1e-5)
RNG = np.random.default_rng(0)


def arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def conv_case(T, nd, xs, ws, bs, **kw):
    """Forward and backward of F.conv{nd}d; returns output and the three gradients."""
    x = T.tensor(xs, requires_grad=True)
    w = T.tensor(ws, requires_grad=True)
    b = None if bs is None else T.tensor(bs, requires_grad=True)
    f = T.nn.functional.conv1d if nd == 1 else T.nn.functional.conv2d
    y = f(x, w, b, **kw)
    # Positive weights: a weighted sum that cancels to about 0 (linspace(-1, 1)) would leave
    # float32 summation-order noise above any fixed tolerance in the bias gradient.
    (y * T.tensor(np.linspace(0.5, 1.5, y.numel(), dtype=np.float32)).view(y.shape)).sum().backward()
    return [y, x.grad, w.grad] + ([] if b is None else [b.grad])


CONV2D = [
    dict(),
    dict(stride=2),
    dict(stride=(2, 1), padding=(1, 2)),
    dict(padding=1, dilation=2),
    dict(padding="same"),
    dict(padding="same", dilation=(1, 2)),
    dict(padding="valid"),
    dict(groups=2, padding=1),
    dict(groups=4, stride=2, padding=1),  # depthwise
    dict(stride=3, padding=2, dilation=(2, 1)),
]


@pytest.mark.parametrize("kw", CONV2D, ids=[str(k) for k in CONV2D])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 1)])
def test_conv2d_values_and_grads(kw, bias, kernel):
    g = kw.get("groups", 1)
    if kw.get("padding") == "same" and any(k % 2 == 0 for k in kernel):
        kw = dict(kw, dilation=2)  # PyTorch warns for even kernels with odd dilation: tested below
    xs, ws = arr(2, 4, 9, 8), arr(8, 4 // g, *kernel)
    bs = arr(8) if bias else None
    both(lambda T: conv_case(T, 2, xs, ws, bs, **kw))


CONV1D = [dict(), dict(stride=2, padding=1), dict(padding="same", dilation=3), dict(groups=3),
          dict(groups=6, padding=(2,)), dict(padding="valid", stride=(3,))]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # both libraries warn (tested below)
@pytest.mark.parametrize("kw", CONV1D, ids=[str(k) for k in CONV1D])
@pytest.mark.parametrize("kernel", [1, 2, 3])
def test_conv1d_values_and_grads(kw, kernel):
    g = kw.get("groups", 1)
    xs, ws, bs = arr(3, 6, 11), arr(6, 6 // g, kernel), arr(6)
    both(lambda T: conv_case(T, 1, xs, ws, bs, **kw))


def test_conv_unbatched_and_grad_fn_chain():
    xs, ws = arr(3, 7, 7), arr(5, 3, 3, 3)

    def fn(T):
        out = conv_case(T, 2, xs, ws, None, padding=1)
        y = T.nn.functional.conv2d(T.tensor(xs, requires_grad=True), T.tensor(ws), padding=1)
        conv = y.grad_fn.next_functions[0][0]
        names = [y.grad_fn.name(), conv.name(), conv.next_functions[0][0].name()]
        return out + [names, [e[0] is None for e in conv.next_functions]]
    both(fn)
    xs, ws, bs = arr(4, 9), arr(2, 4, 3), arr(2)
    both(lambda T: conv_case(T, 1, xs, ws, bs, stride=2))


@pytest.mark.parametrize("dt", ["float32", "float16", "float64"])
@pytest.mark.parametrize("nd,shape", [(2, (2, 3, 4, 5)), (2, (1, 1, 2, 2)), (2, (1, 2, 1, 3)),
                                      (1, (2, 3, 5)), (1, (1, 1, 2)), (1, (1, 3, 1))])
def test_conv_result_layout(dt, nd, shape):
    # PyTorch's CPU convolution gives a channels-last result when the input or the weight
    # suggests channels-last (a 1-d one as its 2-d view of a contiguous input: size-1 dims
    # with odd strides still count).
    arr = np.random.default_rng(0).standard_normal(shape).astype(dt)
    k = tuple(min(2, n) for n in shape[2:])
    layouts = {}
    for T in (reftorch, torch):
        f = T.nn.functional.conv1d if nd == 1 else T.nn.functional.conv2d
        got = []
        for perm in itertools.permutations(range(len(shape))):
            x = T.tensor(np.transpose(arr, perm).copy()).permute(*np.argsort(perm).tolist())
            for w in (T.ones((4, shape[1]) + k, dtype=x.dtype),
                      T.ones((4,) + k + (shape[1],), dtype=x.dtype).movedim(-1, 1)):
                y = f(x, w)
                got.append((tuple(y.shape), tuple(y.stride())))
        layouts[T.__name__] = got
    assert layouts["reftorch"] == layouts["torch"]


def test_conv_float64():
    xs, ws, bs = (a.astype(np.float64) for a in (arr(2, 3, 6, 6), arr(4, 3, 3, 3), arr(4)))
    both(lambda T: conv_case(T, 2, xs, ws, bs, padding=1))


@pytest.mark.parametrize("cls,nd", [("Conv1d", 1), ("Conv2d", 2)])
@pytest.mark.parametrize("args", [
    dict(in_channels=3, out_channels=16, kernel_size=3, padding=1),
    dict(in_channels=4, out_channels=6, kernel_size=(2, 3), stride=2, groups=2, bias=False),
    dict(in_channels=4, out_channels=8, kernel_size=3, padding="same", dilation=2, groups=4),
    dict(in_channels=2, out_channels=2, kernel_size=1),
])
def test_module_init_repr_state_dict(cls, nd, args):
    if nd == 1 and isinstance(args["kernel_size"], tuple):
        args = dict(args, kernel_size=args["kernel_size"][0])

    def fn(T):
        T.manual_seed(7)
        m = getattr(T.nn, cls)(**args)
        return [repr(m), list(m.state_dict()), m.weight] + ([m.bias] if m.bias is not None else [])
    both(fn, exact=True)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("padding", [1, 2, "same"])
@pytest.mark.parametrize("batched", [True, False])
def test_padding_modes(mode, nd, padding, batched):
    shape = (2, 3) + (6,) * nd if batched else (3,) + (6,) * nd
    xs = arr(*shape)

    def fn(T):
        T.manual_seed(3)
        m = getattr(T.nn, f"Conv{nd}d")(3, 4, 4 if padding == "same" else 3, padding=padding, padding_mode=mode)
        x = T.tensor(xs, requires_grad=True)
        y = m(x)
        (y * y).sum().backward()
        chain, node = [], y.grad_fn
        while node is not None and len(chain) < 4:
            chain.append(node.name())
            node = node.next_functions[0][0] if node.next_functions else None
        if mode == "circular":
            # PyTorch pads circularly with a web of slice copies (CopySlices/SliceBackward0
            # nodes); reftorch records one CopySlices node: compare up to it
            chain = chain[:3 if not batched else 2]
        return [repr(m), y, x.grad, m.weight.grad, m.bias.grad, chain]
    both(fn)


def test_same_padding_even_kernel_warns_once():
    # PyTorch's text (TORCH_WARN_ONCE, so only the first such call in a process warns)
    text = ("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
            "copy of the input be created")
    forget_warning("Using padding='same'")
    xs, ws = arr(1, 2, 6, 6), arr(3, 2, 2, 4)
    with pytest.warns(UserWarning) as rec:
        out = conv_case(reftorch, 2, xs, ws, None, padding="same")
    assert [str(w.message) for w in rec] == [text]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        conv_case(reftorch, 2, xs, ws, None, padding="same")
    with warnings.catch_warnings(record=True):
        same(out, conv_case(torch, 2, xs, ws, None, padding="same"))


def test_state_dict_loads_from_torch():
    torch.manual_seed(0)
    tm = torch.nn.Conv2d(3, 5, 3, padding=1, groups=1)
    rm = reftorch.nn.Conv2d(3, 5, 3, padding=1)
    rm.load_state_dict({k: reftorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    xs = arr(2, 3, 5, 5)
    same(rm(reftorch.tensor(xs)), tm(torch.tensor(xs)))


ERRORS = {
    "channels": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 2, 3, 3)),
    "weight_rank": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3)),
    "input_rank": lambda T: T.nn.functional.conv2d(T.zeros(8, 8), T.zeros(4, 3, 3, 3)),
    "input_rank_1d": lambda T: T.nn.functional.conv1d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3)),
    "kernel_too_big": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 9, 9)),
    "bias_size": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3, 3), T.zeros(3)),
    "groups_channels": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 1, 3, 3), groups=2),
    "stride0": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3, 3), stride=0),
    "neg_pad": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3, 3), padding=-1),
    "same_strided": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3, 3), padding="same",
                                                     stride=2),
    "bad_string": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8), T.zeros(4, 3, 3, 3), padding="foo"),
    "dtype": lambda T: T.nn.functional.conv2d(T.zeros(2, 3, 8, 8, dtype=T.float64), T.zeros(4, 3, 3, 3)),
    "unbatched_channels": lambda T: T.nn.Conv2d(3, 4, 3)(T.zeros(2, 3, 8)),
    "module_groups_in": lambda T: T.nn.Conv2d(3, 4, 3, groups=2),
    "module_groups_out": lambda T: T.nn.Conv2d(4, 3, 3, groups=2),
    "module_groups_zero": lambda T: T.nn.Conv2d(4, 4, 3, groups=0),
    "module_same_strided": lambda T: T.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    "module_bad_string": lambda T: T.nn.Conv2d(4, 4, 3, padding="foo"),
    "module_bad_mode": lambda T: T.nn.Conv2d(4, 4, 3, padding_mode="bar"),
}


# The messages print a Python set, whose order depends on the hash seed of the process
# that compiled the module: compared as sets of words.
SET_MESSAGES = ("module_bad_string", "module_bad_mode")


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name], match_message=name not in SET_MESSAGES)
    if name in SET_MESSAGES:
        msgs = []
        for T in (reftorch, torch):
            with pytest.raises(ValueError) as info:
                ERRORS[name](T)
            msgs.append(sorted(str(info.value).translate(str.maketrans(",{}", "   ")).split()))
        assert msgs[0] == msgs[1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 3), cg=st.integers(1, 3), og=st.integers(1, 3), g=st.integers(1, 3),
       h=st.integers(3, 9), w=st.integers(3, 9), kh=st.integers(1, 3), kw=st.integers(1, 3),
       s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2))
def test_conv2d_hypothesis(n, cg, og, g, h, w, kh, kw, s, p, d):
    if d * (kh - 1) + 1 > h + 2 * p or d * (kw - 1) + 1 > w + 2 * p:
        return
    xs, ws, bs = arr(n, cg * g, h, w), arr(og * g, cg, kh, kw), arr(og * g)
    both(lambda T: conv_case(T, 2, xs, ws, bs, stride=s, padding=p, dilation=d, groups=g))


# ---------------------------------------------------------------- devices
DEVICES = ["strict", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not cupy_available(), reason="needs CuPy and a CUDA GPU")])]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "circular"])
def test_conv_on_device_matches_cpu(device, mode):
    import array_api_strict  # noqa: F401 (a test dependency: its absence must fail loudly)
    xs = arr(2, 4, 7, 6)
    results = []
    for dev in ("cpu", device):
        reftorch.manual_seed(0)
        m = reftorch.nn.Conv2d(4, 6, 3, stride=(1, 2), padding=1, groups=2, padding_mode=mode).to(dev)
        c1 = reftorch.nn.Conv1d(4, 2, 2, dilation=2).to(dev)
        x = reftorch.tensor(xs, device=dev, requires_grad=True)
        y = m(x)
        z = c1(x[:, :, 0])
        ((y * y).sum() + z.sum()).backward()
        assert y.device.type == reftorch.device(dev).type
        results.append([y, z, x.grad, m.weight.grad, m.bias.grad, c1.weight.grad])
    for a, b in zip(*results):
        np.testing.assert_allclose(tonp(b), tonp(a), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("n,c", [(0, 0), (2, 0), (0, 2)])
def test_empty_input(nd, n, c):
    """PyTorch gives an input with no channels an output with no channels (not C_out), and
    zero gradients: the bias gradient is zeros of its own shape; an empty batch too."""
    res = {}
    for T in (torch, reftorch):
        x = T.zeros((n, c) + (5,) * nd, requires_grad=True)
        w = T.ones((3, c) + (3,) * nd, requires_grad=True)
        b = T.ones(3, requires_grad=True)
        conv = T.nn.functional.conv1d if nd == 1 else T.nn.functional.conv2d
        y = conv(x, w, b)
        y.sum().backward()
        res[T.__name__] = (tuple(y.shape), y.stride(), type(y.grad_fn).__name__, tuple(x.grad.shape),
                           tuple(w.grad.shape), b.grad.tolist())
    assert res["reftorch"] == res["torch"]
