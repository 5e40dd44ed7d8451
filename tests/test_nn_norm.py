"""Differential tests of BatchNorm1d/2d, LayerNorm, GroupNorm and Dropout1d/2d against PyTorch.

Running statistics are compared after several training steps (exponential and cumulative
averages), evaluation-mode outputs and gradients after them, state dicts in both
directions, seeded channel-dropout masks bit for bit, reprs and errors.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import reftorch
from reftorch._backends.cupy_backend import cupy_available
from _nn_compare import comparers, raises_same, tonp

import torch  # the oracle: its absence must fail loudly

same, both = comparers(rtol=1e-4, atol=1e-5)
RNG = np.random.default_rng(2)


def data(*shape, scale=1.0, shift=0.0):
    return (RNG.standard_normal(shape) * scale + shift).astype(np.float32)


BN = [
    ("BatchNorm2d", (4,), {}, (5, 4, 3, 3)),
    ("BatchNorm2d", (4,), dict(momentum=None), (5, 4, 3, 3)),
    ("BatchNorm2d", (4,), dict(affine=False, eps=1e-3), (2, 4, 2, 5)),
    ("BatchNorm2d", (4,), dict(track_running_stats=False), (3, 4, 2, 2)),
    ("BatchNorm2d", (4,), dict(bias=False, momentum=0.5), (3, 4, 2, 2)),
    ("BatchNorm1d", (3,), {}, (6, 3)),
    ("BatchNorm1d", (3,), dict(momentum=None, affine=False), (4, 3, 5)),
    ("BatchNorm1d", (3,), dict(track_running_stats=False, momentum=0.3), (2, 3, 7)),
]


@pytest.mark.parametrize("name,args,kw,shape", BN)
def test_batchnorm_train_then_eval(name, args, kw, shape):
    batches = [data(*shape, scale=1 + i, shift=i - 1) for i in range(4)]

    def fn(T):
        m = getattr(T.nn, name)(*args, **kw)
        out = [repr(m), list(m.state_dict())]
        if m.affine:
            with T.no_grad():
                m.weight.copy_(T.linspace(0.5, 1.5, args[0]))
                if m.bias is not None:
                    m.bias.copy_(T.linspace(-1, 1, args[0]))
        for xs in batches[:3]:  # training steps: batch statistics, running averages move
            x = T.tensor(xs, requires_grad=True)
            y = m(x)
            (y * y * T.tensor(xs)).sum().backward()
            out += [y, x.grad]
            out += [m.running_mean, m.running_var, m.num_batches_tracked]
        out += [p.grad for p in m.parameters()]
        m.eval()  # evaluation: running statistics (or batch statistics without them)
        x = T.tensor(batches[3], requires_grad=True)
        y = m(x)
        (y * T.tensor(batches[0])).sum().backward()
        out += [y, x.grad, m.running_mean, m.running_var, list(m.named_buffers())]
        return out
    both(fn)


def test_batchnorm_parameters_are_not_buffers():
    def fn(T):
        m = T.nn.BatchNorm2d(3)
        return [[n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
                m.num_batches_tracked.dtype == T.int64]
    both(fn)


def test_batchnorm_state_dict_round_trip():
    tm = torch.nn.BatchNorm2d(3, momentum=None)
    for i in range(3):
        tm(torch.tensor(data(4, 3, 2, 2, shift=i)))
    rm = reftorch.nn.BatchNorm2d(3, momentum=None)
    rm.load_state_dict({k: reftorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    same(list(rm.state_dict().values()), list(tm.state_dict().values()))
    # and back: a reftorch state dict loads into torch
    xs = data(4, 3, 2, 2)
    rm(reftorch.tensor(xs))
    tm(torch.tensor(xs))
    tm2 = torch.nn.BatchNorm2d(3, momentum=None)
    tm2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in rm.state_dict().items()})
    same(list(rm.state_dict().values()), list(tm2.state_dict().values()))
    same(rm.eval()(reftorch.tensor(xs)), tm2.eval()(torch.tensor(xs)))


def test_batchnorm_old_state_dict_without_counter():
    def fn(T):
        m = T.nn.BatchNorm1d(2)
        sd = {k: v for k, v in T.nn.BatchNorm1d(2).state_dict().items() if k != "num_batches_tracked"}
        m.num_batches_tracked.add_(5)
        res = m.load_state_dict(sd)  # a dict without version metadata: the counter is kept
        return [repr(res), m.num_batches_tracked]
    both(fn)


@pytest.mark.parametrize("shape,normalized,kw", [
    ((4, 5), 5, {}), ((2, 3, 4), (3, 4), {}), ((2, 3, 4), [4], dict(elementwise_affine=False)),
    ((3, 6), 6, dict(bias=False, eps=1e-3)),
])
def test_layernorm(shape, normalized, kw):
    xs = data(*shape, scale=3, shift=1)

    def fn(T):
        m = T.nn.LayerNorm(normalized, **kw)
        if m.elementwise_affine:
            with T.no_grad():
                m.weight.copy_(T.linspace(0.5, 1.5, m.weight.numel()).view(m.weight.shape))
        x = T.tensor(xs, requires_grad=True)
        y = m(x)
        (y * T.tensor(xs)).sum().backward()
        out = [repr(m), list(m.state_dict()), y, x.grad]
        return out + [p.grad for p in m.parameters()] + [m.eval()(x)]
    both(fn)


@pytest.mark.parametrize("groups,channels,shape,kw", [
    (2, 4, (3, 4, 5), {}), (1, 3, (2, 3, 2, 2), {}), (3, 3, (2, 3, 4), dict(affine=False)),
    (2, 6, (2, 6), dict(eps=1e-2)), (2, 4, (2, 4, 3, 3), dict(bias=False)),
])
def test_groupnorm(groups, channels, shape, kw):
    xs = data(*shape, scale=2, shift=-1)

    def fn(T):
        m = T.nn.GroupNorm(groups, channels, **kw)
        if m.affine:
            with T.no_grad():
                m.weight.copy_(T.linspace(0.5, 1.5, channels))
        x = T.tensor(xs, requires_grad=True)
        y = m(x)
        (y * T.tensor(xs)).sum().backward()
        return [repr(m), list(m.state_dict()), y, x.grad] + [p.grad for p in m.parameters()]
    both(fn)


@pytest.mark.parametrize("cls,shape", [("Dropout2d", (4, 6, 3, 2)), ("Dropout2d", (1, 20, 1, 1)),
                                       ("Dropout1d", (3, 8, 5)), ("Dropout1d", (8, 5))])
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_channel_dropout_seeded(cls, shape, p):
    xs = data(*shape)

    def fn(T):
        T.manual_seed(11)
        m = getattr(T.nn, cls)(p)
        x = T.tensor(xs, requires_grad=True)
        y = m(x)
        y.sum().backward()
        after = T.rand(2)  # the generator moved exactly as much
        return [repr(m), y, x.grad, after, m.eval()(x) is x]
    both(fn, exact=True)


def test_dropout2d_warnings_as_torch():
    msgs = []
    for T in (reftorch, torch):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            T.nn.Dropout2d()(T.ones(3, 4, 5))
            T.nn.Dropout2d()(T.ones(3, 4))
        msgs.append([str(w.message) for w in rec])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 2


ERRORS = {
    "bn2d_rank": lambda T: T.nn.BatchNorm2d(3)(T.zeros(3, 8, 8)),
    "bn1d_rank": lambda T: T.nn.BatchNorm1d(3)(T.zeros(2, 3, 8, 8)),
    "bn_one_value": lambda T: T.nn.BatchNorm1d(3)(T.zeros(1, 3)),
    "bn_channels": lambda T: T.nn.BatchNorm2d(4)(T.zeros(2, 3, 8, 8)),
    "ln_shape": lambda T: T.nn.LayerNorm(5)(T.zeros(2, 3, 8, 8)),
    "gn_divisible": lambda T: T.nn.GroupNorm(2, 3),
    "gn_input": lambda T: T.nn.GroupNorm(3, 3)(T.zeros(2, 4, 5)),
    "dropout1d_rank": lambda T: T.nn.Dropout1d()(T.zeros(3, 4, 5, 5)),
    "dropout_p": lambda T: T.nn.Dropout2d(1.5),
    "f_dropout2d_p": lambda T: T.nn.functional.dropout2d(T.zeros(2, 2, 2, 2), -0.1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    raises_same(ERRORS[name])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 4), c=st.integers(1, 4), h=st.integers(1, 4), w=st.integers(1, 4),
       momentum=st.sampled_from([0.1, 0.5, None]))
def test_batchnorm2d_hypothesis(n, c, h, w, momentum):
    xs = [data(n, c, h, w, scale=2, shift=1) for _ in range(2)]

    def fn(T):
        m = T.nn.BatchNorm2d(c, momentum=momentum)
        out = []
        for a in xs:
            x = T.tensor(a, requires_grad=True)
            y = m(x)
            (y * T.tensor(a)).sum().backward()
            out += [y, x.grad, m.running_mean, m.running_var]
        return out + [m.weight.grad, m.bias.grad]
    both(fn)


DEVICES = ["strict", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not cupy_available(), reason="needs CuPy and a CUDA GPU")])]


@pytest.mark.parametrize("device", DEVICES)
def test_norms_on_device_match_cpu(device):
    import array_api_strict  # noqa: F401 (a test dependency: its absence must fail loudly)
    xs = data(3, 4, 3, 2, scale=2)
    results = []
    for dev in ("cpu", device):
        reftorch.manual_seed(0)
        bn, ln, gn = reftorch.nn.BatchNorm2d(4).to(dev), reftorch.nn.LayerNorm(2).to(dev), \
            reftorch.nn.GroupNorm(2, 4).to(dev)
        x = reftorch.tensor(xs, device=dev, requires_grad=True)
        loss = (bn(x) ** 2).sum() + (ln(x) * x).sum() + (gn(x) * x).sum()
        loss.backward()
        bn.eval()
        y = bn(x)
        d = reftorch.nn.Dropout2d()(x)
        results.append([loss, x.grad, bn.running_mean, bn.running_var, bn.num_batches_tracked, y, d,
                        bn.weight.grad, ln.weight.grad, gn.bias.grad])
    for a, b in zip(*results):
        np.testing.assert_allclose(tonp(b), tonp(a), rtol=1e-5, atol=1e-5)


def test_batch_norm_input_gradient_in_blocks():
    # (16, 4, 64, 64) float32 is 1 MiB: the NumPy backend builds the input gradient a few
    # samples at a time (Backend.row_blocks); the strict stand-in device does it in one
    # piece. Element-wise steps: the same bits either way, and PyTorch's values.
    rng = np.random.default_rng(5)
    xs = (rng.standard_normal((16, 4, 64, 64)) * 3 + 1).astype(np.float32)
    gs = rng.standard_normal(xs.shape).astype(np.float32)
    assert len(reftorch._backends.cpu().row_blocks(16, xs[0].nbytes)) > 1
    grads = []
    for dev in ("cpu", "strict"):
        x = reftorch.tensor(xs, device=dev, requires_grad=True)
        reftorch.nn.BatchNorm2d(4).to(dev)(x).backward(reftorch.tensor(gs, device=dev))
        grads.append(tonp(x.grad))
    np.testing.assert_array_equal(grads[0], grads[1])
    tx = torch.tensor(xs, requires_grad=True)
    torch.nn.BatchNorm2d(4)(tx).backward(torch.tensor(gs))
    np.testing.assert_allclose(grads[0], tx.grad.numpy(), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- float16 batch norm
# PyTorch's CPU kernel computes a float16 batch norm in float32: statistics saved in the
# parameters' dtype (float16, or float32 parameters unrounded), running averages updated in
# float32 and stored in their own dtype, output ``x * alpha + beta`` rounded once to float16.
# Contiguous inputs agree bit for bit; where float32 numbers come out (float32 parameters:
# running averages, weight/bias gradients) the per-channel float32 sums are added in another
# order than PyTorch's vectorised loops, so those agree to a few float32 ulps (rtol 1e-5),
# and the float16 results computed from those float32 statistics to one float16 ulp.

def _bn_half_case(T, shape, pdt, training, affine, rng_seed=0, layout="contiguous", create_graph=False,
                  grad_layout=None):
    rng = np.random.default_rng(rng_seed)
    c = shape[1]
    xs = (rng.standard_normal(shape) * 3 + 1).astype(np.float16)
    gs = rng.standard_normal(shape).astype(np.float16)

    def laid_out(a, lay):
        return T.tensor(a.transpose(0, 2, 3, 1).copy()).permute(0, 3, 1, 2) if lay == "channels_last" else T.tensor(a)
    x = laid_out(xs, layout)
    x.requires_grad_(True)
    p = getattr(T, pdt)
    rm, rv = T.linspace(-1, 1, c, dtype=p), T.linspace(0.5, 2, c, dtype=p)
    w = b = None
    if affine:  # (True: weight and bias; "weight": a weight only)
        w = T.linspace(0.5, 1.5, c, dtype=p).requires_grad_(True)
        b = None if affine == "weight" else T.linspace(-0.3, 0.7, c, dtype=p).requires_grad_(True)
    y = T.nn.functional.batch_norm(x, rm, rv, w, b, training=training, momentum=0.3)
    out = {"y": y, "stride": tuple(y.stride()), "rm": rm, "rv": rv}
    if create_graph:
        gx, = T.autograd.grad(y, x, T.tensor(gs), create_graph=True)
        out["gx"] = gx
        out["gg"], = T.autograd.grad((gx * gx.detach()).sum(), x, allow_unused=True)  # (None in eval)
        return out
    y.backward(laid_out(gs, grad_layout or layout))
    out.update(gx=x.grad, gw=None if w is None else w.grad, gb=None if b is None else b.grad)
    return out


def _half_same(r, t, float32_rtol=1e-5, rtol=None, ulp=False):
    assert r.keys() == t.keys()
    for k in t:
        if k == "stride":
            assert r[k] == t[k], (r[k], t[k])
        elif t[k] is None:
            assert r[k] is None, k
        else:
            a, e = tonp(r[k]), tonp(t[k])
            assert a.dtype == e.dtype and a.shape == e.shape, (k, a.dtype, e.dtype)
            if rtol is not None:
                np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol, err_msg=k)
            elif e.dtype == np.float32:
                np.testing.assert_allclose(a, e, rtol=float32_rtol, atol=1e-6, err_msg=k)
            elif ulp:  # at most one float16 ulp apart
                assert (np.abs(a.astype(np.float64) - e) <= np.spacing(np.abs(e))).all(), (k, a, e)
            else:
                np.testing.assert_array_equal(a, e, err_msg=k)


@pytest.mark.parametrize("affine", [True, False, "weight"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("pdt", ["float16", "float32"])
@pytest.mark.parametrize("shape", [(4, 3, 7), (6, 2), (2, 3, 4, 5), (3, 2, 40)])
def test_batchnorm_half_bits(shape, pdt, training, affine):
    # values, running averages (their dtype kept: float32 ones stay float32), gradients
    _half_same(_bn_half_case(reftorch, shape, pdt, training, affine),
               _bn_half_case(torch, shape, pdt, training, affine), ulp=pdt == "float32")


def test_batchnorm_half_module_float32_buffers():
    # a float32 module on float16 input (PyTorch's "mixed" case): float16 output, float32 buffers
    xs = (np.random.default_rng(5).standard_normal((8, 3, 5)) * 2).astype(np.float16)

    def fn(T):
        m = T.nn.BatchNorm1d(3)
        outs = [m(T.tensor(xs)), m(T.tensor(xs[::-1].copy()))]
        m.eval()
        return outs + [m(T.tensor(xs)), m.running_mean, m.running_var, m.num_batches_tracked]
    r, t = fn(reftorch), fn(torch)
    for a, e in zip(r, t):
        assert str(a.dtype) == str(e.dtype)
        if e.dtype == torch.float32:
            np.testing.assert_allclose(tonp(a), tonp(e), rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(tonp(a), tonp(e))


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_half_channels_last(training):
    # the output keeps the input's channels-last layout; values and gradients as PyTorch's
    r = _bn_half_case(reftorch, (3, 4, 2, 5), "float16", training, True, layout="channels_last")
    t = _bn_half_case(torch, (3, 4, 2, 5), "float16", training, True, layout="channels_last")
    assert r["stride"] == t["stride"] == (40, 1, 20, 4)
    _half_same(r, t)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_half_gradient_of_another_layout(training):
    # A gradient laid out unlike the input (contiguous for a channels-last input) sends
    # PyTorch's backward to its generic kernel, which rounds each step of the formula to
    # float16 (and 1 / std to float16 in eval); reftorch computes every layout in float32,
    # so the input gradient agrees to a few float16 ulps there (rtol = atol = 4e-3).
    r = _bn_half_case(reftorch, (3, 4, 2, 5), "float16", training, True, layout="channels_last",
                      grad_layout="contiguous")
    t = _bn_half_case(torch, (3, 4, 2, 5), "float16", training, True, layout="channels_last",
                      grad_layout="contiguous")
    _half_same({k: r[k] for k in ("y", "rm", "rv", "stride")}, {k: t[k] for k in ("y", "rm", "rv", "stride")})
    _half_same({k: r[k] for k in ("gx", "gw", "gb")}, {k: t[k] for k in ("gx", "gw", "gb")}, rtol=4e-3)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_half_create_graph(training):
    # first-order values as without create_graph (PyTorch's backward kernel); the second
    # order goes through float32 formulas here and PyTorch's float16 double-backward there
    r = _bn_half_case(reftorch, (4, 3, 6), "float16", training, True, create_graph=True)
    t = _bn_half_case(torch, (4, 3, 6), "float16", training, True, create_graph=True)
    assert r["gx"].grad_fn is not None
    _half_same({k: r[k] for k in ("y", "rm", "rv", "stride", "gx")}, {k: t[k] for k in ("y", "rm", "rv", "stride", "gx")})
    assert (r["gg"] is None) == (t["gg"] is None) == (not training)
    if training:
        assert str(r["gg"].dtype) == str(t["gg"].dtype) == "torch.float16"
        np.testing.assert_allclose(tonp(r["gg"]), tonp(t["gg"]), rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("xdt", ["float16", "float32", "float64"])
@pytest.mark.parametrize("rdt", ["float16", "float32", "float64", None])
@pytest.mark.parametrize("wdt", ["float16", "float32", "float64", None])
def test_batchnorm_parameter_dtypes(xdt, rdt, wdt):
    # PyTorch's CPU rule: the first parameter decides (its dtype the input's, or "mixed":
    # every parameter float32 with a float16 input); its errors word for word
    def fn(T):
        r = None if rdt is None else getattr(T, rdt)
        w = None if wdt is None else getattr(T, wdt)
        x = T.linspace(-2, 3, 30, dtype=getattr(T, xdt)).reshape(5, 3, 2)
        rm, rv = (None, None) if r is None else (T.zeros(3, dtype=r), T.ones(3, dtype=r))
        wt, bt = (None, None) if w is None else (T.ones(3, dtype=w), T.zeros(3, dtype=w))
        y = T.nn.functional.batch_norm(x, rm, rv, wt, bt, training=True)
        return [y] if rm is None else [y, rm, rv, T.nn.functional.batch_norm(x, rm, rv, wt, bt)]
    from _compare import both as both_
    both_(fn, msg=True)


@pytest.mark.parametrize("name", ["layer_norm", "group_norm"])
@pytest.mark.parametrize("xdt", ["float16", "float32", "float64"])
@pytest.mark.parametrize("wdt", ["float16", "float32", "float64", None])
@pytest.mark.parametrize("bdt", ["float16", "float32", "float64", None])
def test_layer_group_norm_parameter_dtypes(name, xdt, wdt, bdt):
    # the same CPU rule as batch_norm's, over (weight, bias)
    def fn(T):
        x = T.linspace(-2, 3, 24, dtype=getattr(T, xdt)).reshape(2, 4, 3)
        n = 3 if name == "layer_norm" else 4
        w = None if wdt is None else T.linspace(0.5, 1, n, dtype=getattr(T, wdt))
        b = None if bdt is None else T.linspace(-1, 1, n, dtype=getattr(T, bdt))
        if name == "layer_norm":
            return T.nn.functional.layer_norm(x, [3], w, b)
        return T.nn.functional.group_norm(x, 2, w, b)
    from _compare import both as both_
    both_(fn, msg=True)


@pytest.mark.parametrize("name", ["layer_norm", "group_norm"])
@pytest.mark.parametrize("xdt", ["int64", "int32", "uint8", "bool", "complex64"])
@pytest.mark.parametrize("with_weight", [False, True])
def test_layer_group_norm_non_float_input(name, xdt, with_weight):
    # PyTorch refuses a non-floating input with its kernel's NotImplementedError (or, with
    # a float weight, the mixed-dtype RuntimeError first); never a NumPy error
    def fn(T):
        x = T.ones(2, 4, dtype=getattr(T, xdt))
        w = T.ones(4) if with_weight else None
        if name == "layer_norm":
            return T.nn.functional.layer_norm(x, (4,), w)
        return T.nn.functional.group_norm(x, 2, w)
    from _compare import both as both_
    both_(fn, msg=True)


@pytest.mark.parametrize("name", ["layer_norm", "group_norm"])
def test_layer_group_norm_half_input_float32_parameters(name):
    # PyTorch's "mixed" case: float16 output and input gradient, float32 weight/bias
    # gradients (statistics kept in float32). Tolerances: float16 results to about one ulp;
    # the weight/bias gradients to 5e-3, as PyTorch's layer_norm kernel accumulates them for
    # a float16 input another way than a float32 sum (so it is with float16 parameters too).
    rng = np.random.default_rng(11)
    xs = (rng.standard_normal((3, 6, 5)) * 2 + 0.5).astype(np.float16)
    gs = rng.standard_normal((3, 6, 5)).astype(np.float16)

    def fn(T):
        x = T.tensor(xs, requires_grad=True)
        n = 5 if name == "layer_norm" else 6
        w = T.linspace(0.5, 1.5, n).requires_grad_(True)
        b = T.linspace(-1, 1, n).requires_grad_(True)
        y = T.nn.functional.layer_norm(x, [5], w, b) if name == "layer_norm" else T.nn.functional.group_norm(x, 3, w, b)
        y.backward(T.tensor(gs))
        return [y, x.grad, w.grad, b.grad]
    r, t = fn(reftorch), fn(torch)
    assert [str(v.dtype) for v in r] == [str(v.dtype) for v in t] == ["torch.float16"] * 2 + ["torch.float32"] * 2
    for a, e, tol in zip(r, t, (1e-3, 1e-3, 5e-3, 5e-3)):
        np.testing.assert_allclose(tonp(a).astype(np.float64), tonp(e), rtol=tol, atol=tol)
