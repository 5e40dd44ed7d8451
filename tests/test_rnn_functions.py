"""``torch.lstm``, ``torch.gru``, ``torch.rnn_tanh`` and ``torch.rnn_relu`` (the sequence
operators behind ``nn.LSTM``/``nn.GRU``/``nn.RNN``), both overloads, against PyTorch:
values, gradients, dtypes, grad_fn names and errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def _weights(rng, name, F, H, layers, ndir, bias, dtype, proj=0):
    """The flat weight list of ``nn.<module>._flat_weights`` as NumPy arrays."""
    G = GATES[name] * H
    Hr = proj or H
    ws = []
    for layer in range(layers):
        for _ in range(ndir):
            fin = F if layer == 0 else Hr * ndir
            ws += [rng.standard_normal((G, fin)), rng.standard_normal((G, Hr))]
            if bias:
                ws += [rng.standard_normal(G), rng.standard_normal(G)]
            if proj:
                ws.append(rng.standard_normal((proj, H)))
    return [(0.25 * w).astype(dtype) for w in ws]


def _states(rng, name, layers, ndir, B, H, dtype, proj=0):
    h = rng.standard_normal((layers * ndir, B, proj or H)).astype(dtype)
    return [h, rng.standard_normal((layers * ndir, B, H)).astype(dtype)] if name == "lstm" else [h]


CASES = [  # (layers, bidirectional, bias, batch_first)
    (1, False, True, False), (2, False, True, False), (1, True, True, False), (2, True, False, False),
    (1, False, True, True), (2, True, True, True),
]


@pytest.mark.parametrize("name", list(GATES))
@pytest.mark.parametrize("layers,bidir,bias,batch_first", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_padded_values_and_grads(name, layers, bidir, bias, batch_first, dtype):
    rng = np.random.default_rng(len(name) + 7 * layers)
    ndir = 2 if bidir else 1
    T, B, F, H = 4, 3, 5, 6
    x = rng.standard_normal((B, T, F) if batch_first else (T, B, F)).astype(dtype)
    states = _states(rng, name, layers, ndir, B, H, dtype)
    ws = _weights(rng, name, F, H, layers, ndir, bias, dtype)
    ns = len(states)

    def fn(T_, x, *rest):
        hx = list(rest[:ns]) if name == "lstm" else rest[0]
        return getattr(T_, name)(x, hx, list(rest[ns:]), bias, layers, 0.0, False, bidir, batch_first)

    check_grads(fn, x, *states, *ws)


@pytest.mark.parametrize("name", list(GATES))
@pytest.mark.parametrize("bidir", [False, True])
def test_packed_values_and_grads(name, bidir):
    rng = np.random.default_rng(3)
    ndir = 2 if bidir else 1
    sizes = [3, 3, 2, 1]
    F, H = 4, 5
    data = rng.standard_normal((sum(sizes), F))
    states = _states(rng, name, 2, ndir, sizes[0], H, "float64")
    ws = _weights(rng, name, F, H, 2, ndir, True, "float64")
    ns = len(states)

    def fn(T_, data, *rest):
        hx = tuple(rest[:ns]) if name == "lstm" else rest[0]
        bs = T_.tensor(sizes)
        return getattr(T_, name)(data, bs, hx, tuple(rest[ns:]), True, 2, 0.0, False, bidir)

    check_grads(fn, data, *states, *ws)


def test_keywords_both_overloads():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 4)).astype("float32")
    h = rng.standard_normal((1, 2, 5)).astype("float32")
    ws = _weights(rng, "rnn_tanh", 4, 5, 1, 1, True, "float32")
    both(lambda T, x, h, *w: T.rnn_tanh(input=x, hx=h, params=list(w), has_biases=True, num_layers=1,
                                        dropout=0.0, train=False, bidirectional=False, batch_first=False),
         x, h, *ws)
    both(lambda T, x, h, *w: T.rnn_relu(x.reshape(6, 4), T.tensor([2, 2, 2]), h, params=w, has_biases=True,
                                        num_layers=1, dropout=0.0, train=False, bidirectional=False),
         x, h, *ws)


def test_lstm_projections():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 2, 3))
    states = _states(rng, "lstm", 2, 2, 2, 5, "float64", proj=2)
    ws = _weights(rng, "lstm", 3, 5, 2, 2, True, "float64", proj=2)
    check_grads(lambda T, x, h, c, *w: T.lstm(x, (h, c), w, True, 2, 0.0, False, True, False), x, *states, *ws)
    states = _states(rng, "lstm", 1, 1, 2, 5, "float32", proj=3)
    ws = _weights(rng, "lstm", 3, 5, 1, 1, False, "float32", proj=3)
    check_grads(lambda T, x, h, c, *w: T.lstm(x, [h, c], w, False, 1, 0.0, False, False, False),
                x.astype("float32"), *states, *ws)


@pytest.mark.parametrize("module,fn", [("LSTM", "lstm"), ("GRU", "gru"), ("RNN", "rnn_tanh")])
def test_module_is_the_operator(module, fn):
    """The module's output is the operator's on its flat weights (as PyTorch's ``_VF`` call)."""
    for lib in (torch, reftorch):
        lib.manual_seed(0)
        m = getattr(lib.nn, module)(3, 4, num_layers=2, bidirectional=True)
        x = lib.randn(5, 2, 3)
        h = lib.zeros(4, 2, 4)
        hx = (h, h) if fn == "lstm" else h
        want = m(x, hx)
        got = getattr(lib, fn)(x, hx, m._flat_weights, True, 2, 0.0, False, True, False)
        assert lib.equal(got[0], want[0])
        assert lib.equal(got[1], want[1][0] if fn == "lstm" else want[1])


def test_train_dropout_between_layers():
    """With ``train`` the layers' outputs are dropped out (p=1: the last layer sees zeros)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 4))
    h = np.zeros((2, 2, 5))
    ws = _weights(rng, "rnn_relu", 4, 5, 2, 1, False, "float64")
    both(lambda T, x, h, *w: T.rnn_relu(x, h, list(w), False, 2, 1.0, True, False, False), x, h, *ws)


def test_no_grad_and_dtype():
    x = np.ones((2, 1, 3), "float64")
    h = np.zeros((1, 1, 2), "float64")
    ws = [np.full((6, 3), 0.1), np.full((6, 2), 0.2)]
    both(lambda T, x, h, *w: T.gru(x, h, list(w), False, 1, 0.0, False, False, False), x, h, *ws)


def _err_args(T):
    g = T.Generator().manual_seed(0)
    x = T.randn(5, 3, 4, generator=g)
    ps = [T.randn(32, 4, generator=g), T.randn(32, 8, generator=g), T.randn(32, generator=g),
          T.randn(32, generator=g)]
    rp = [T.randn(8, 4, generator=g), T.randn(8, 8, generator=g), T.randn(8, generator=g), T.randn(8, generator=g)]
    return x, ps, rp, T.zeros(1, 3, 8), T.zeros(1, 3, 8)


# (name, call, same message) -- only inputs PyTorch handles without crashing
ERRORS = [
    ("lstm one state", lambda T, x, ps, rp, h, c: T.lstm(x, [h], ps, True, 1, 0.0, False, False, False), True),
    ("lstm three states", lambda T, x, ps, rp, h, c: T.lstm(x, (h, c, c), ps, True, 1, 0.0, False, False, False),
     False),
    ("lstm tensor hx", lambda T, x, ps, rp, h, c: T.lstm(x, h, ps, True, 1, 0.0, False, False, False), True),
    ("lstm weights", lambda T, x, ps, rp, h, c: T.lstm(x, [h, c], ps[:3], True, 1, 0.0, False, False, False),
     False),
    ("2-D input", lambda T, x, ps, rp, h, c: T.lstm(x[0], [h, c], ps, True, 1, 0.0, False, False, False), True),
    ("empty sequence", lambda T, x, ps, rp, h, c: T.rnn_tanh(x[:0], h, rp, True, 1, 0.0, False, False, False),
     True),
    ("hx batch", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h[:, :2], rp, True, 1, 0.0, False, False, False), True),
    ("hx layers", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, T.zeros(2, 3, 8), rp, True, 1, 0.0, False, False,
                                                        False), True),
    ("hx too few", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h, rp * 2, True, 2, 0.0, False, False, False), True),
    ("2-D hx", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h[0], rp, True, 1, 0.0, False, False, False), True),
    ("hidden size", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, T.zeros(1, 3, 7), rp, True, 1, 0.0, False, False,
                                                          False), True),
    ("input size", lambda T, x, ps, rp, h, c: T.rnn_tanh(T.zeros(5, 3, 5), h, rp, True, 1, 0.0, False, False,
                                                         False), True),
    ("input dtype", lambda T, x, ps, rp, h, c: T.rnn_tanh(x.double(), h, rp, True, 1, 0.0, False, False, False),
     True),
    ("hx dtype", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h.double(), rp, True, 1, 0.0, False, False, False),
     True),
    ("dropout", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, T.zeros(2, 3, 8), rp + [T.zeros(8, 8)] + rp[1:], True,
                                                      2, 1.5, True, False, False), True),
    ("negative dropout", lambda T, x, ps, rp, h, c: T.rnn_relu(x, T.zeros(2, 3, 8), rp + [T.zeros(8, 8)] + rp[1:],
                                                          True, 2, -0.5, True, False, False), True),
    ("projection weights", lambda T, x, ps, rp, h, c: T.lstm(x, [T.zeros(1, 3, 2), c], ps, True, 1, 0.0, False,
                                                             False, False), True),
    ("projection sizes", lambda T, x, ps, rp, h, c: T.lstm(x, [T.zeros(1, 3, 2), c], ps + [T.zeros(2, 8)], True,
                                                           1, 0.0, False, False, False), True),
    ("cell size", lambda T, x, ps, rp, h, c: T.lstm(x, (h, T.zeros(1, 3, 7)), ps, True, 1, 0.0, False, False,
                                                    False), True),
    ("no layers", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h, rp, True, 0, 0.0, False, False, False), True),
    ("too few weights", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, T.zeros(2, 3, 8), rp, True, 2, 0.0, False, False,
                                                              False), True),
    ("rnn weights", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h, rp[:3], True, 1, 0.0, False, False, False), True),
    ("packed weights", lambda T, x, ps, rp, h, c: T.gru(T.zeros(6, 4), T.tensor([3, 2, 1]), h, rp[:3], True, 1,
                                                        0.0, False, False), True),
    ("float batch_sizes", lambda T, x, ps, rp, h, c: T.rnn_tanh(T.zeros(6, 4), T.tensor([3., 2, 1]), h, rp, True,
                                                                1, 0.0, False, False), True),
    ("list batch_sizes", lambda T, x, ps, rp, h, c: T.rnn_tanh(T.zeros(6, 4), [3, 2, 1], h, rp, True, 1, 0.0,
                                                               False, False), "prefix"),
    ("missing argument", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h, rp, True, 1, 0.0, False, False), "prefix"),
    ("int has_biases", lambda T, x, ps, rp, h, c: T.rnn_relu(x, h, rp, 1, 1, 0.0, False, False, False), "prefix"),
    ("float num_layers", lambda T, x, ps, rp, h, c: T.rnn_tanh(x, h, rp, True, 1.0, 0.0, False, False, False),
     "prefix"),
    ("gru list hx", lambda T, x, ps, rp, h, c: T.gru(x, [h], rp, True, 1, 0.0, False, False, False), "prefix"),
]


@pytest.mark.parametrize("label,call,msg", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(label, call, msg):
    both(lambda T: call(T, *_err_args(T)), msg=msg)


def test_packed_module_errors_come_from_the_operator():
    """A packed LSTM skips the Python checks: a wrong state size is the operator's error."""
    def run(T):
        packed = T.nn.utils.rnn.pack_sequence([T.zeros(3, 4), T.zeros(2, 4)])
        return T.nn.LSTM(4, 8)(packed, (T.zeros(1, 2, 7), T.zeros(1, 2, 7)))
    both(run, msg=True)


def test_train_dropout_seeded():
    """The dropout masks between the layers come from the global generator as in PyTorch."""
    def run(T):
        T.manual_seed(0)
        m = T.nn.GRU(3, 4, num_layers=3)
        x, h = T.randn(5, 2, 3), T.zeros(3, 2, 4)
        return T.gru(x, h, m._flat_weights, True, 3, 0.4, True, False, False)
    both(run)
