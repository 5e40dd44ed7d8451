"""Differential tests of nn.RNN / nn.LSTM / nn.GRU and the cells against PyTorch.

Every test builds the torch module, loads its ``state_dict`` into the reftorch module of
the same configuration, runs both on the same input (and initial state), and compares
``output``, ``h_n``, ``c_n`` and then the gradients of the input, the initial states and
every weight after backpropagating the same random cotangents. Expected values always
come from torch.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from reftorch.nn.utils import rnn as R  # noqa: E402
from torch.nn.utils import rnn as TR  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")


def tonp(t):
    return np.asarray(t.detach().cpu().numpy())


def ref(t, requires_grad=None):
    """A reftorch copy of torch tensor ``t`` (same values, dtype, requires_grad)."""
    r = reftorch.tensor(tonp(t).copy())
    if (t.requires_grad if requires_grad is None else requires_grad):
        r.requires_grad_(True)
    return r


def close(a, b, tol=1e-5):
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    assert str(a.dtype) == str(b.dtype)
    assert (a.grad_fn is None) == (b.grad_fn is None)
    if b.grad_fn is not None:
        assert a.grad_fn.name() == b.grad_fn.name()
    np.testing.assert_allclose(tonp(a), tonp(b), rtol=tol, atol=tol)


def pair(kind, *args, **kwargs):
    """(torch module, reftorch module) with the torch module's weights loaded into both."""
    tm = getattr(torch.nn, kind)(*args, **kwargs)
    if "dtype" in kwargs:
        kwargs = dict(kwargs, dtype=getattr(reftorch, str(kwargs["dtype"]).replace("torch.", "")))
    rm = getattr(reftorch.nn, kind)(*args, **kwargs)
    missing = rm.load_state_dict({k: ref(v) for k, v in tm.state_dict().items()})
    assert not missing.missing_keys and not missing.unexpected_keys
    return tm, rm


def flatten_outputs(kind, result):
    """``output, h_n[, c_n]`` as a list (a PackedSequence output contributes its data)."""
    out, hidden = result
    if isinstance(out, (TR.PackedSequence, R.PackedSequence)):
        out = out.data
    return [out] + (list(hidden) if kind == "LSTM" else [hidden])


def backprop_same(touts, routs, seed=1):
    g = torch.Generator().manual_seed(seed)
    cots = [torch.randn(o.shape, generator=g, dtype=o.dtype) for o in touts]
    sum((o * c).sum() for o, c in zip(touts, cots)).backward()
    sum((o * ref(c, False)).sum() for o, c in zip(routs, cots)).backward()


def compare_grads(tm, rm, pairs):
    rparams = dict(rm.named_parameters())
    for name, p in tm.named_parameters():
        if p.grad is None:
            assert rparams[name].grad is None, name
        else:
            close(rparams[name].grad, p.grad, 2e-5)
    for a, b in pairs:
        close(b.grad, a.grad, 2e-5)


# --------------------------------------------------------------------------- configurations
def configs():
    for kind in ("RNN", "GRU", "LSTM"):
        for layers, bidir, batch_first, bias in itertools.product((1, 2), (False, True), (False, True),
                                                                   (True, False)):
            kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
            yield kind, kw
        if kind == "RNN":
            yield kind, dict(nonlinearity="relu", num_layers=2, bidirectional=True)
            yield kind, dict(nonlinearity="relu", batch_first=True)
        if kind == "LSTM":
            for layers, bidir, batch_first, bias in itertools.product((1, 2), (False, True), (False, True),
                                                                       (True, False)):
                yield kind, dict(proj_size=2, num_layers=layers, bidirectional=bidir,
                                 batch_first=batch_first, bias=bias)


CONFIGS = list(configs())
IDS = [k + "-" + "-".join(f"{a}={b}" for a, b in kw.items()) for k, kw in CONFIGS]
T, B, F, H = 5, 3, 4, 6


def make_state(kind, kw, batch, unbatched=False, gen=None):
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    Hr = kw.get("proj_size", 0) or H
    lead = (D * L,) if unbatched else (D * L, batch)
    h0 = torch.randn(lead + (Hr,), generator=gen, requires_grad=True)
    if kind == "LSTM":
        c0 = torch.randn(lead + (H,), generator=gen, requires_grad=True)
        return (h0, c0)
    return h0


def to_ref_state(state):
    if isinstance(state, tuple):
        return tuple(ref(s) for s in state)
    return ref(state)


def state_leaves(state, rstate):
    if isinstance(state, tuple):
        return list(zip(state, rstate))
    return [(state, rstate)]


@pytest.mark.parametrize("kind,kw", CONFIGS, ids=IDS)
@pytest.mark.parametrize("with_h0", [False, True], ids=["no_h0", "h0"])
def test_batched_matches_torch(kind, kw, with_h0):
    torch.manual_seed(0)
    tm, rm = pair(kind, F, H, **kw)
    g = torch.Generator().manual_seed(2)
    x = torch.randn((B, T, F) if kw.get("batch_first") else (T, B, F), generator=g, requires_grad=True)
    rx = ref(x)
    leaves = [(x, rx)]
    if with_h0:
        st = make_state(kind, kw, B, gen=g)
        rst = to_ref_state(st)
        leaves += state_leaves(st, rst)
        tres, rres = tm(x, st), rm(rx, rst)
    else:
        tres, rres = tm(x), rm(rx)
    touts, routs = flatten_outputs(kind, tres), flatten_outputs(kind, rres)
    for a, b in zip(touts, routs):
        close(b, a)
    backprop_same(touts, routs)
    compare_grads(tm, rm, leaves)


@pytest.mark.parametrize("kind,kw", [c for c in CONFIGS if c[1].get("bias", True)],
                         ids=[i for i, c in zip(IDS, CONFIGS) if c[1].get("bias", True)])
def test_unbatched_matches_torch(kind, kw):
    torch.manual_seed(0)
    tm, rm = pair(kind, F, H, **kw)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(T, F, generator=g, requires_grad=True)
    rx = ref(x)
    st = make_state(kind, kw, None, unbatched=True, gen=g)
    rst = to_ref_state(st)
    touts, routs = flatten_outputs(kind, tm(x, st)), flatten_outputs(kind, rm(rx, rst))
    for a, b in zip(touts, routs):
        close(b, a)
    backprop_same(touts, routs)
    compare_grads(tm, rm, [(x, rx)] + state_leaves(st, rst))
    # and without an initial state
    touts, routs = flatten_outputs(kind, tm(x)), flatten_outputs(kind, rm(rx))
    for a, b in zip(touts, routs):
        close(b, a)


PACKED = [c for c in CONFIGS if c[1].get("bias", True)]
PACKED_IDS = [i for i, c in zip(IDS, CONFIGS) if c[1].get("bias", True)]


@pytest.mark.parametrize("kind,kw", PACKED, ids=PACKED_IDS)
@pytest.mark.parametrize("enforce_sorted", [True, False], ids=["sorted", "unsorted"])
def test_packed_matches_torch(kind, kw, enforce_sorted):
    torch.manual_seed(0)
    tm, rm = pair(kind, F, H, **kw)
    bf = kw.get("batch_first", False)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    g = torch.Generator().manual_seed(4)
    x = torch.randn((4, 5, F) if bf else (5, 4, F), generator=g, requires_grad=True)
    rx = ref(x)
    st = make_state(kind, kw, 4, gen=g)
    rst = to_ref_state(st)
    tp = TR.pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=enforce_sorted)
    rp = R.pack_padded_sequence(rx, lengths, batch_first=bf, enforce_sorted=enforce_sorted)
    tres, rres = tm(tp, st), rm(rp, rst)
    assert isinstance(rres[0], R.PackedSequence)
    assert rres[0].batch_sizes.tolist() == tres[0].batch_sizes.tolist()
    tpad, tlen = TR.pad_packed_sequence(tres[0], batch_first=bf)
    rpad, rlen = R.pad_packed_sequence(rres[0], batch_first=bf)
    assert rlen.tolist() == tlen.tolist()
    touts = [tpad] + flatten_outputs(kind, tres)[1:]
    routs = [rpad] + flatten_outputs(kind, rres)[1:]
    for a, b in zip(touts, routs):
        close(b, a)
    backprop_same(touts, routs)
    compare_grads(tm, rm, [(x, rx)] + state_leaves(st, rst))


@pytest.mark.parametrize("kind,kw", CONFIGS, ids=IDS)
def test_no_grad_forward_matches_torch(kind, kw):
    """Without a graph to record the layers skip what backward needs (GRU: one preallocated
    buffer for a step's gates, the state written straight into the output): the same
    values, on padded and on packed input (steps where only some sequences move)."""
    torch.manual_seed(0)
    tm, rm = pair(kind, F, H, **kw)
    bf = kw.get("batch_first", False)
    g = torch.Generator().manual_seed(5)
    x = torch.randn((4, T, F) if bf else (T, 4, F), generator=g)
    st = make_state(kind, kw, 4, gen=g)
    rst = to_ref_state(st)
    lengths = [3, 5, 1, 3]
    with torch.no_grad(), reftorch.no_grad():
        for a, b in zip(flatten_outputs(kind, tm(x, st)), flatten_outputs(kind, rm(ref(x), rst))):
            close(b, a)
        tp = TR.pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=False)
        rp = R.pack_padded_sequence(ref(x), lengths, batch_first=bf, enforce_sorted=False)
        for a, b in zip(flatten_outputs(kind, tm(tp, st)), flatten_outputs(kind, rm(rp, rst))):
            close(b, a)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_packed_without_h0(kind):
    torch.manual_seed(0)
    tm, rm = pair(kind, F, H, num_layers=2, bidirectional=True)
    seqs = [torch.randn(n, F) for n in (2, 5, 4)]
    tres = tm(TR.pack_sequence(seqs, enforce_sorted=False))
    rres = rm(R.pack_sequence([ref(s) for s in seqs], enforce_sorted=False))
    for a, b in zip(flatten_outputs(kind, tres), flatten_outputs(kind, rres)):
        close(b, a)


def test_packed_h_n_is_state_at_each_sequences_last_step():
    torch.manual_seed(0)
    _, rm = pair("GRU", 2, 3)
    seqs = [reftorch.randn(n, 2) for n in (4, 2, 1)]
    out, h_n = rm(R.pack_sequence(seqs))
    padded, lengths = R.pad_packed_sequence(out)
    for b, n in enumerate(lengths.tolist()):
        np.testing.assert_array_equal(tonp(padded[n - 1, b]), tonp(h_n[0, b]))
        assert (tonp(padded[n:, b]) == 0).all()


# --------------------------------------------------------------------------- relations
def test_output_last_step_equals_h_n_of_last_layer():
    torch.manual_seed(0)
    _, rm = pair("LSTM", 3, 4, num_layers=2, bidirectional=True)
    out, (h_n, c_n) = rm(reftorch.randn(6, 2, 3))
    h = h_n.view(2, 2, 2, 4)  # (layers, directions, batch, hidden)
    np.testing.assert_array_equal(tonp(out[-1, :, :4]), tonp(h[-1, 0]))   # forward: last step
    np.testing.assert_array_equal(tonp(out[0, :, 4:]), tonp(h[-1, 1]))    # backward: first step


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_float64(kind):
    torch.manual_seed(0)
    tm, rm = pair(kind, 3, 4, num_layers=2, dtype=torch.float64)
    assert rm.weight_ih_l0.dtype is reftorch.float64
    x = torch.randn(5, 2, 3, dtype=torch.float64, requires_grad=True)
    rx = ref(x)
    touts, routs = flatten_outputs(kind, tm(x)), flatten_outputs(kind, rm(rx))
    for a, b in zip(touts, routs):
        close(b, a, 1e-12)
    backprop_same(touts, routs)
    compare_grads(tm, rm, [(x, rx)])


def test_frozen_weights_get_no_grad():
    torch.manual_seed(0)
    tm, rm = pair("LSTM", 3, 4)
    tm.requires_grad_(False)
    rm.requires_grad_(False)
    x = torch.randn(5, 2, 3, requires_grad=True)
    rx = ref(x)
    backprop_same(flatten_outputs("LSTM", tm(x)), flatten_outputs("LSTM", rm(rx)))
    compare_grads(tm, rm, [(x, rx)])
    assert all(p.grad is None for p in rm.parameters())


def test_no_grad_gives_leaf_outputs():
    _, rm = pair("GRU", 3, 4)
    with reftorch.no_grad():
        out, h = rm(reftorch.randn(2, 1, 3))
    assert not out.requires_grad and out.grad_fn is None


def test_weight_modified_in_place_after_forward_fails_backward():
    torch.manual_seed(0)
    for lib in (torch, reftorch):
        m = lib.nn.GRU(3, 4)
        out, _ = m(lib.randn(2, 1, 3))
        with lib.no_grad():
            m.weight_hh_l0.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


# --------------------------------------------------------------------------- init, names, repr
@pytest.mark.parametrize("kind,kw", [("RNN", {}), ("RNN", dict(num_layers=2, bias=False)),
                                     ("GRU", dict(bidirectional=True)),
                                     ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)),
                                     ("LSTM", dict(proj_size=3, bias=False))])
def test_default_init_and_state_dict_keys_match_torch(kind, kw):
    torch.manual_seed(7)
    reftorch.manual_seed(7)
    tm = getattr(torch.nn, kind)(3, 5, **kw)
    rm = getattr(reftorch.nn, kind)(3, 5, **kw)
    tsd, rsd = tm.state_dict(), rm.state_dict()
    assert list(rsd) == list(tsd)
    for k in tsd:
        assert tuple(rsd[k].shape) == tuple(tsd[k].shape)
        np.testing.assert_array_equal(tonp(rsd[k]), tonp(tsd[k]))  # bit for bit
    assert [[tuple(p.shape) for p in ws] for ws in rm.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in tm.all_weights]
    assert rm._flat_weights_names == tm._flat_weights_names


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_init_matches_torch(kind):
    torch.manual_seed(7)
    reftorch.manual_seed(7)
    tsd = getattr(torch.nn, kind)(3, 5).state_dict()
    rsd = getattr(reftorch.nn, kind)(3, 5).state_dict()
    assert list(rsd) == list(tsd)
    for k in tsd:
        np.testing.assert_array_equal(tonp(rsd[k]), tonp(tsd[k]))


REPRS = [
    ("RNN", (3, 5), {}), ("RNN", (3, 5), dict(nonlinearity="relu", bias=False)),
    ("RNN", (3, 5, 2, "relu"), {}), ("GRU", (3, 4), dict(batch_first=True, dropout=0.25, num_layers=2)),
    ("LSTM", (3, 5, 2), dict(batch_first=True, bidirectional=True, proj_size=2, dropout=0.5)),
    ("LSTM", (3, 5), dict(dropout=1)), ("RNNCell", (3, 4), dict(nonlinearity="relu", bias=False)),
    ("RNNCell", (3, 4), {}), ("LSTMCell", (2, 3), dict(bias=False)), ("GRUCell", (2, 3), {}),
]


@pytest.mark.parametrize("kind,args,kw", REPRS)
def test_repr_matches_torch(kind, args, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(torch.nn, kind)(*args, **kw)
        r = getattr(reftorch.nn, kind)(*args, **kw)
    assert repr(r) == repr(t)


def test_nested_repr_matches_torch():
    def build(lib):
        return lib.nn.Sequential(lib.nn.Embedding(10, 4, padding_idx=0), lib.nn.LSTM(4, 8, batch_first=True),
                                 lib.nn.GRU(8, 8, bidirectional=True))
    assert repr(build(reftorch)) == repr(build(torch))


def test_attributes_match_torch():
    t = torch.nn.RNN(3, 5, 2, "relu", batch_first=True)
    r = reftorch.nn.RNN(3, 5, 2, "relu", batch_first=True)
    for a in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
              "bidirectional", "proj_size", "nonlinearity", "training"):
        assert getattr(r, a) == getattr(t, a), a


# --------------------------------------------------------------------------- errors
def err_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def both(build):
    torch.manual_seed(0)
    reftorch.manual_seed(0)
    te, re_ = err_of(lambda: build(torch)), err_of(lambda: build(reftorch))
    assert te is not None, "torch raised nothing"
    assert re_ == te


CTOR_ERRORS = {
    "gru_proj": lambda T: T.nn.GRU(3, 4, proj_size=2),
    "rnn_proj": lambda T: T.nn.RNN(3, 4, proj_size=2),
    "proj_too_big": lambda T: T.nn.LSTM(3, 4, proj_size=4),
    "proj_negative": lambda T: T.nn.LSTM(3, 4, proj_size=-1),
    "dropout_range": lambda T: T.nn.LSTM(3, 4, dropout=1.5),
    "dropout_bool": lambda T: T.nn.LSTM(3, 4, dropout=True),
    "dropout_str": lambda T: T.nn.GRU(3, 4, dropout="0.1"),
    "hidden_zero": lambda T: T.nn.LSTM(3, 0),
    "input_zero": lambda T: T.nn.LSTM(0, 3),
    "layers_zero": lambda T: T.nn.LSTM(3, 3, 0),
    "input_float": lambda T: T.nn.LSTM(3.0, 3),
    "hidden_float": lambda T: T.nn.GRU(3, 3.5),
    "bias_int": lambda T: T.nn.LSTM(3, 3, bias=1),
    "batch_first_int": lambda T: T.nn.LSTM(3, 3, batch_first=1),
    "nonlinearity": lambda T: T.nn.RNN(3, 3, nonlinearity="sigmoid"),
    "nonlinearity_positional": lambda T: T.nn.RNN(3, 3, 1, "gelu"),
    "unknown_kwarg_rnn": lambda T: T.nn.RNN(3, 3, foo=1),
    "unknown_kwarg_gru": lambda T: T.nn.GRU(3, 3, foo=1),
    "unknown_kwarg_lstm": lambda T: T.nn.LSTM(3, 3, foo=1),
    "rnn_proj_before_nonlinearity": lambda T: T.nn.RNN(3, 3, nonlinearity="x", proj_size=1),
}


@pytest.mark.parametrize("name", list(CTOR_ERRORS))
def test_constructor_errors_match_torch(name):
    both(CTOR_ERRORS[name])


def test_dropout_with_one_layer_warns_like_torch():
    for lib in (torch, reftorch):
        with pytest.warns(UserWarning) as rec:
            lib.nn.GRU(2, 3, dropout=0.2)
        msgs = [str(w.message) for w in rec]
        assert msgs == ["dropout option adds dropout after all but last recurrent layer, so non-zero "
                        "dropout expects num_layers greater than 1, but got dropout=0.2 and num_layers=1"]
        assert rec[0].filename.endswith("rnn.py")  # stacklevel=2: the subclass's __init__


def _x(T, *shape, dtype=None):
    g = T.Generator().manual_seed(0)
    return T.randn(*shape, generator=g, dtype=dtype or T.float32)


FORWARD_ERRORS = {
    # the seed-note pitfall: LSTM called with h0 and c0 as two positional arguments
    "lstm_three_args": lambda T: T.nn.LSTM(3, 4, 2)(_x(T, 5, 2, 3), _x(T, 2, 2, 4), _x(T, 2, 2, 4)),
    "lstm_hidden_not_tuple": lambda T: T.nn.LSTM(3, 4, 2)(_x(T, 5, 2, 3), _x(T, 2, 2, 4)),
    "lstm_hidden_one_tuple": lambda T: T.nn.LSTM(3, 4, 2)(_x(T, 5, 2, 3), (_x(T, 2, 2, 4),)),
    "lstm_h0_layers": lambda T: T.nn.LSTM(3, 4, 2)(_x(T, 5, 2, 3), (_x(T, 1, 2, 4), _x(T, 2, 2, 4))),
    "lstm_c0_batch": lambda T: T.nn.LSTM(3, 4, 2)(_x(T, 5, 2, 3), (_x(T, 2, 2, 4), _x(T, 2, 3, 4))),
    "lstm_c0_2d": lambda T: T.nn.LSTM(3, 4, 2)(_x(T, 5, 2, 3), (_x(T, 2, 2, 4), _x(T, 2, 4))),
    "lstm_unbatched_3d_h": lambda T: T.nn.LSTM(3, 4)(_x(T, 5, 3), (_x(T, 1, 1, 4), _x(T, 1, 4))),
    "lstm_proj_h0_size": lambda T: T.nn.LSTM(3, 4, proj_size=2)(_x(T, 5, 2, 3), (_x(T, 1, 2, 4), _x(T, 1, 2, 4))),
    "lstm_proj_c0_size": lambda T: T.nn.LSTM(3, 4, proj_size=2)(_x(T, 5, 2, 3), (_x(T, 1, 2, 2), _x(T, 1, 2, 2))),
    "lstm_input_size": lambda T: T.nn.LSTM(3, 4)(_x(T, 5, 2, 4)),
    "lstm_4d": lambda T: T.nn.LSTM(3, 4)(_x(T, 5, 2, 3, 1)),
    "lstm_dtype": lambda T: T.nn.LSTM(3, 4)(_x(T, 5, 2, 3, dtype=T.float64)),
    "lstm_empty_seq": lambda T: T.nn.LSTM(3, 4)(_x(T, 0, 2, 3)),
    "rnn_h0_batch": lambda T: T.nn.RNN(3, 4)(_x(T, 5, 2, 3), _x(T, 1, 3, 4)),
    "rnn_h0_2d": lambda T: T.nn.RNN(3, 4)(_x(T, 5, 2, 3), _x(T, 2, 4)),
    "rnn_unbatched_h0_3d": lambda T: T.nn.RNN(3, 4)(_x(T, 5, 3), _x(T, 1, 1, 4)),
    "rnn_1d": lambda T: T.nn.RNN(3, 4)(_x(T, 5)),
    "rnn_bidirectional_h0": lambda T: T.nn.RNN(3, 4, bidirectional=True)(_x(T, 5, 2, 3), _x(T, 1, 2, 4)),
    "rnn_batch_first_h0": lambda T: T.nn.RNN(3, 4, batch_first=True)(_x(T, 2, 5, 3), _x(T, 1, 5, 4)),
    "rnn_input_size": lambda T: T.nn.RNN(3, 4)(_x(T, 5, 2, 2)),
    "gru_1d": lambda T: T.nn.GRU(3, 4)(_x(T, 5)),
    "gru_h0_layers": lambda T: T.nn.GRU(3, 4)(_x(T, 5, 2, 3), _x(T, 2, 2, 4)),
    "gru_dtype": lambda T: T.nn.GRU(3, 4)(_x(T, 5, 2, 3, dtype=T.float64)),
    "packed_h0_batch": lambda T: T.nn.GRU(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), _x(T, 1, 3, 4)),
    "packed_lstm_c0": lambda T: T.nn.LSTM(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), (_x(T, 1, 2, 4), _x(T, 1, 2, 5))),
    "packed_input_size": lambda T: T.nn.LSTM(2, 4)(T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)])),
    # PyTorch's LSTM skips the Python checks for packed input: these come from its kernels
    "packed_lstm_h0_size": lambda T: T.nn.LSTM(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), (_x(T, 1, 2, 5), _x(T, 1, 2, 4))),
    "packed_lstm_layers": lambda T: T.nn.LSTM(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), (_x(T, 2, 2, 4), _x(T, 2, 2, 4))),
    "packed_lstm_batch": lambda T: T.nn.LSTM(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), (_x(T, 1, 3, 4), _x(T, 1, 3, 4))),
    "packed_lstm_2d": lambda T: T.nn.LSTM(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), (_x(T, 2, 4), _x(T, 2, 4))),
    "packed_lstm_proj": lambda T: T.nn.LSTM(3, 4, proj_size=2)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)]), (_x(T, 1, 2, 4), _x(T, 1, 2, 4))),
    "packed_lstm_dtype": lambda T: T.nn.LSTM(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3, dtype=T.float64), _x(T, 2, 3, dtype=T.float64)])),
    "packed_gru_dtype": lambda T: T.nn.GRU(3, 4)(
        T.nn.utils.rnn.pack_sequence([_x(T, 3, 3, dtype=T.float64), _x(T, 2, 3, dtype=T.float64)])),
    "packed_gru_input_size": lambda T: T.nn.GRU(2, 4)(T.nn.utils.rnn.pack_sequence([_x(T, 3, 3), _x(T, 2, 3)])),
}


@pytest.mark.parametrize("name", list(FORWARD_ERRORS))
def test_forward_errors_match_torch(name):
    both(FORWARD_ERRORS[name])


CELL_ERRORS = {
    "lstm_input_size": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 5)),
    "lstm_h_batch": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3), (_x(T, 3, 4), _x(T, 2, 4))),
    "lstm_h_size": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3), (_x(T, 2, 5), _x(T, 2, 4))),
    "lstm_c_size": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3), (_x(T, 2, 4), _x(T, 2, 5))),
    "lstm_c_batch": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3), (_x(T, 2, 4), _x(T, 1, 4))),
    "lstm_hx_tensor": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3), _x(T, 2, 4)),
    "lstm_3d": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3, 3)),
    "lstm_hx_3d": lambda T: T.nn.LSTMCell(3, 4)(_x(T, 2, 3), (_x(T, 2, 4), _x(T, 1, 2, 4))),
    "gru_input_size": lambda T: T.nn.GRUCell(3, 4)(_x(T, 2, 5)),
    "gru_h_batch": lambda T: T.nn.GRUCell(3, 4)(_x(T, 2, 3), _x(T, 3, 4)),
    "gru_h_size": lambda T: T.nn.GRUCell(3, 4)(_x(T, 2, 3), _x(T, 2, 5)),
    "gru_3d": lambda T: T.nn.GRUCell(3, 4)(_x(T, 1, 2, 3)),
    "rnn_hx_3d": lambda T: T.nn.RNNCell(3, 4)(_x(T, 2, 3), _x(T, 2, 4, 1)),
    "rnn_unbatched_hx_2d": lambda T: T.nn.RNNCell(3, 4)(_x(T, 3), _x(T, 2, 4)),
    "rnn_batched_hx_1d": lambda T: T.nn.RNNCell(3, 4)(_x(T, 2, 3), _x(T, 4)),
    "rnn_dtype": lambda T: T.nn.RNNCell(3, 4)(_x(T, 2, 3, dtype=T.float64)),
    "rnn_bad_nonlinearity": lambda T: T.nn.RNNCell(3, 4, nonlinearity="gelu")(_x(T, 2, 3)),
}


@pytest.mark.parametrize("name", list(CELL_ERRORS))
def test_cell_errors_match_torch(name):
    both(CELL_ERRORS[name])


# --------------------------------------------------------------------------- cells
CELLS = [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")), ("RNNCell", dict(bias=False)),
         ("LSTMCell", {}), ("LSTMCell", dict(bias=False)), ("GRUCell", {}), ("GRUCell", dict(bias=False))]


@pytest.mark.parametrize("kind,kw", CELLS)
@pytest.mark.parametrize("mode", ["batched", "unbatched", "no_hx"])
def test_cells_match_torch(kind, kw, mode):
    torch.manual_seed(0)
    tm, rm = pair(kind, 3, 4, **kw)
    g = torch.Generator().manual_seed(5)
    lead = () if mode == "unbatched" else (2,)
    x = torch.randn(lead + (3,), generator=g, requires_grad=True)
    rx = ref(x)
    leaves = [(x, rx)]
    if mode == "no_hx":
        tres, rres = tm(x), rm(rx)
    elif kind == "LSTMCell":
        st = (torch.randn(lead + (4,), generator=g, requires_grad=True),
              torch.randn(lead + (4,), generator=g, requires_grad=True))
        rst = tuple(ref(s) for s in st)
        leaves += list(zip(st, rst))
        tres, rres = tm(x, st), rm(rx, rst)
    else:
        st = torch.randn(lead + (4,), generator=g, requires_grad=True)
        rst = ref(st)
        leaves.append((st, rst))
        tres, rres = tm(x, st), rm(rx, rst)
    touts = list(tres) if kind == "LSTMCell" else [tres]
    routs = list(rres) if kind == "LSTMCell" else [rres]
    for a, b in zip(touts, routs):
        close(b, a)
    backprop_same(touts, routs)
    compare_grads(tm, rm, leaves)


def test_cell_unrolled_equals_layer():
    """An LSTMCell stepped by hand gives the LSTM layer's output (same weights)."""
    torch.manual_seed(0)
    layer = reftorch.nn.LSTM(3, 4)
    cell = reftorch.nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = reftorch.randn(6, 2, 3)
    out, (h_n, c_n) = layer(x)
    h = c = reftorch.zeros(2, 4)
    for t in range(6):
        h, c = cell(x[t], (h, c))
        np.testing.assert_allclose(tonp(h), tonp(out[t]), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(tonp(c), tonp(c_n[0]), rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers_matches_torch_in_training(kind):
    """Same seed, same masks: PyTorch draws ``bernoulli_(1 - p)`` over each layer's output."""
    outs = []
    for lib in (torch, reftorch):
        lib.manual_seed(11)
        m = getattr(lib.nn, kind)(3, 4, num_layers=3, dropout=0.5, bidirectional=True)
        x = lib.randn(6, 2, 3)
        outs.append(m(x)[0])
    close(outs[1], outs[0])


def test_dropout_is_off_in_eval_mode():
    reftorch.manual_seed(0)
    m = reftorch.nn.GRU(3, 4, num_layers=2, dropout=0.9)
    x = reftorch.randn(5, 2, 3)
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    np.testing.assert_array_equal(tonp(a), tonp(b))
    m.train()
    c, _ = m(x)
    assert not np.array_equal(tonp(a), tonp(c))


# --------------------------------------------------------------------------- modules together
def test_embedding_lstm_linear_state_dict_round_trip():
    """The issue's "done when": a PyTorch Embedding -> LSTM -> Linear model's state_dict
    loads unchanged into the same reftorch model and gives the same outputs and grads."""

    def build(lib):
        class Tagger(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = lib.nn.Embedding(20, 6, padding_idx=0)
                self.lstm = lib.nn.LSTM(6, 8, num_layers=2, batch_first=True, bidirectional=True)
                self.out = lib.nn.Linear(16, 5)

            def forward(self, ids, lengths):
                packed = lib.nn.utils.rnn.pack_padded_sequence(self.emb(ids), lengths, batch_first=True,
                                                               enforce_sorted=False)
                out, (h, c) = self.lstm(packed)
                out, _ = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
                return self.out(out), h

        return Tagger()

    torch.manual_seed(0)
    tmodel = build(torch)
    rmodel = build(reftorch)
    sd = tmodel.state_dict()
    res = rmodel.load_state_dict({k: ref(v) for k, v in sd.items()})
    assert list(rmodel.state_dict()) == list(sd)
    assert not res.missing_keys and not res.unexpected_keys
    ids = torch.tensor([[3, 5, 7, 0, 0], [2, 9, 4, 11, 6], [8, 1, 0, 0, 0]])
    lengths = [3, 5, 2]
    tl, th = tmodel(ids, lengths)
    rl, rh = rmodel(reftorch.tensor(ids.numpy()), lengths)
    close(rl, tl)
    close(rh, th)
    backprop_same([tl, th], [rl, rh])
    rparams = dict(rmodel.named_parameters())
    for name, p in tmodel.named_parameters():
        close(rparams[name].grad, p.grad, 2e-5)


def test_module_to_double_then_run():
    torch.manual_seed(0)
    tm, rm = pair("GRU", 3, 4, num_layers=2)
    tm.double()
    rm.double()
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    for a, b in zip(flatten_outputs("GRU", tm(x)), flatten_outputs("GRU", rm(ref(x)))):
        close(b, a, 1e-12)


def test_batch_of_zero_sequences():
    torch.manual_seed(0)
    tm, rm = pair("LSTM", 3, 4)
    x = torch.randn(5, 0, 3)
    for a, b in zip(flatten_outputs("LSTM", tm(x)), flatten_outputs("LSTM", rm(ref(x)))):
        assert tuple(a.shape) == tuple(b.shape)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_strict_backend_gives_the_cpu_values(kind):
    """The kernels use only the array API: the strict stand-in device computes the same."""
    reftorch.manual_seed(0)
    m = getattr(reftorch.nn, kind)(3, 4, num_layers=2, bidirectional=True)
    x = reftorch.randn(5, 2, 3, requires_grad=True)
    out, _ = m(x)
    out.sum().backward()
    ms = m.to("strict")
    xs = x.detach().to("strict").requires_grad_()
    outs, _ = ms(xs)
    outs.sum().backward()
    np.testing.assert_allclose(outs.detach().cpu().numpy(), tonp(out), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(xs.grad.cpu().numpy(), tonp(x.grad), rtol=1e-6, atol=1e-6)
    packed = R.pack_sequence([xs[:, 0], xs[:3, 1]])
    assert tuple(R.pad_packed_sequence(ms(packed)[0])[0].shape) == (5, 2, 8)


@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
def test_dropout_masks_and_grads_match_torch_on_packed_input(kind):
    outs, grads = [], []
    for lib in (torch, reftorch):
        lib.manual_seed(3)
        m = getattr(lib.nn, kind)(3, 4, num_layers=2, dropout=0.3)
        seqs = [lib.randn(n, 3) for n in (4, 2, 3)]
        out, _ = m(lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False))
        out.data.sum().backward()
        outs.append(out.data)
        grads.append(m.weight_ih_l0.grad)
    close(outs[1], outs[0])
    close(grads[1], grads[0], 2e-5)


@pytest.mark.parametrize("kind, proj", [("GRU", 0), ("LSTM", 0), ("LSTM", 2)])
def test_strict_backend_in_place_path_gives_the_cpu_values(kind, proj):
    """Under no_grad the time loop writes its gates and states in place (packed input:
    shrinking batches; bidirectional: strided output columns); the strict device agrees."""
    reftorch.manual_seed(0)
    kw = {"proj_size": proj} if proj else {}
    m = getattr(reftorch.nn, kind)(3, 4, num_layers=2, bidirectional=True, **kw)
    ms = getattr(reftorch.nn, kind)(3, 4, num_layers=2, bidirectional=True, **kw)
    ms.load_state_dict(m.state_dict())
    ms = ms.to("strict")
    x = reftorch.randn(6, 3, 3)
    with reftorch.no_grad():
        for inp, inps in [(x, x.to("strict")),
                          (R.pack_sequence([x[:, 0], x[:4, 1], x[:1, 2]]),
                           R.pack_sequence([x[:, 0].to("strict"), x[:4, 1].to("strict"), x[:1, 2].to("strict")]))]:
            out, hid = m(inp)
            outs, hids = ms(inps)
            if isinstance(out, R.PackedSequence):
                out, outs = out.data, outs.data
            np.testing.assert_allclose(outs.cpu().numpy(), tonp(out), rtol=1e-6, atol=1e-6)
            for a, b in zip(hid if kind == "LSTM" else [hid], hids if kind == "LSTM" else [hids]):
                np.testing.assert_allclose(b.cpu().numpy(), tonp(a), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "LSTMCell", "GRUCell"])
def test_saturated_gates_keep_their_small_values(kind):
    """Gate pre-activations far below 0: sigmoid(-20) is 2.06e-9, not 0, so the states
    carry values of that size (relative tolerance only: an absolute one would hide them)."""
    tm, rm = pair(kind, 3, 4)
    with torch.no_grad():
        for name, p in tm.named_parameters():
            p.copy_(torch.full_like(p, -20.0) if name.startswith("bias_ih") else torch.zeros_like(p))
    rm.load_state_dict({k: ref(v) for k, v in tm.state_dict().items()})
    x = torch.ones(2, 3)
    h0 = torch.full((2, 4), 0.5)
    if kind.endswith("Cell"):
        state = (h0, h0) if kind == "LSTMCell" else h0
        touts, routs = tm(x, state), rm(ref(x), tuple(ref(s) for s in state) if kind == "LSTMCell" else ref(h0))
    else:
        state = (h0[None], h0[None]) if kind == "LSTM" else h0[None]
        touts, routs = tm(x[None], state), rm(ref(x[None]), tuple(ref(s) for s in state)
                                                  if kind == "LSTM" else ref(state))
    flat_t = [t for t in (touts if isinstance(touts, tuple) else (touts,)) for t in (t if isinstance(t, tuple) else (t,))]
    flat_r = [r for r in (routs if isinstance(routs, tuple) else (routs,)) for r in (r if isinstance(r, tuple) else (r,))]
    assert len(flat_t) == len(flat_r)
    for r, t in zip(flat_r, flat_t):
        assert (tonp(t) != 0).all() or kind.startswith("GRU")  # (the LSTM's states are ~1e-9, not 0)
        np.testing.assert_allclose(tonp(r), tonp(t), rtol=1e-5, atol=0)
