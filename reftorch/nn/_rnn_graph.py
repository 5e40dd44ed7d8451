"""A recurrent layer as ordinary graph ops: the higher-order gradients of ``_RecurrentLayer``.

The layer node of :mod:`reftorch.nn.modules.rnn` has a hand-written backward pass over
arrays (backpropagation through time). Under ``create_graph=True`` its gradient must be
differentiable again, so the node recomputes its output from the saved inputs with
reftorch's own differentiable ops (``matmul``, ``sigmoid``, ``tanh``, slicing, ``cat``) —
the graph PyTorch's CPU implementation records step by step — and differentiates that
with ``create_graph``: the gradients come back with a graph reaching the real inputs.
"""
from __future__ import annotations

from .._ops.join import cat
from .._ops.pointwise import relu, sigmoid, tanh
from .._ops.shape import Alias
from ..autograd.engine import run_backward


def time_steps(bs, reverse):
    """(t, n, offset) for every time step of packed data with ``batch_sizes`` ``bs``, in
    processing order (the recurrent layers' forward and this recomputation share it)."""
    offs, acc = [], 0
    for n in bs:
        offs.append(acc)
        acc += n
    order = range(len(bs) - 1, -1, -1) if reverse else range(len(bs))
    return [(t, bs[t], offs[t]) for t in order]


def _update(state, new, n):
    return new if n == state.shape[0] else cat([new, state[n:]])


def _direction(mode, x, h, c, w, steps, H, has_bias, has_proj):
    """One direction over the packed input ``x``: the output rows (in time order), the last
    hidden state and, for LSTM, the last cell state."""
    w_ih, w_hh = w[0], w[1]
    b_ih, b_hh = (w[2], w[3]) if has_bias else (None, None)
    w_hr = w[-1] if has_proj else None
    xw = x @ w_ih.t()
    if b_ih is not None:
        xw = xw + b_ih
    rows = {}
    for _, n, o in steps:
        hp = h[:n] if n < h.shape[0] else h
        hw = hp @ w_hh.t()
        if b_hh is not None:
            hw = hw + b_hh
        xt = xw[o:o + n]
        if mode == "LSTM":
            gates = xt + hw
            i, f = sigmoid(gates[:, :H]), sigmoid(gates[:, H:2 * H])
            g, og = tanh(gates[:, 2 * H:3 * H]), sigmoid(gates[:, 3 * H:])
            cp = c[:n] if n < c.shape[0] else c
            cn = f * cp + i * g
            hn = og * tanh(cn)
            if w_hr is not None:
                hn = hn @ w_hr.t()
            c = _update(c, cn, n)
        elif mode == "GRU":
            r = sigmoid(xt[:, :H] + hw[:, :H])
            z = sigmoid(xt[:, H:2 * H] + hw[:, H:2 * H])
            nn = tanh(xt[:, 2 * H:] + r * hw[:, 2 * H:])
            hn = (1 - z) * nn + z * hp
        else:
            pre = xt + hw
            hn = relu(pre) if mode == "RNN_RELU" else tanh(pre)
        rows[o] = hn
        h = _update(h, hn, n)
    out = cat([rows[o] for o in sorted(rows)])
    return out, h, c


def layer_output(inputs, mode, batch_sizes, ndir, hidden_size, has_bias, has_proj):
    """The flat output of ``_RecurrentLayer`` (output, then ``h_n``, then ``c_n``, each
    flattened) computed from the tensors ``inputs`` with recorded ops."""
    lstm = mode == "LSTM"
    x, h0 = inputs[0], inputs[1]
    c0 = inputs[2] if lstm else None
    ws = inputs[3:] if lstm else inputs[2:]
    nw = len(ws) // ndir
    outs, hns, cns = [], [], []
    for d in range(ndir):
        out, hn, cn = _direction(mode, x, h0[d], c0[d] if lstm else None, ws[d * nw:(d + 1) * nw],
                                 time_steps(batch_sizes, d == 1), hidden_size, has_bias, has_proj)
        outs.append(out)
        hns.append(hn)
        cns.append(cn)
    out = outs[0] if ndir == 1 else cat(outs, 1)
    parts = [out.reshape(-1)] + [h.reshape(-1) for h in hns]
    if lstm:
        parts += [c.reshape(-1) for c in cns]
    return cat(parts)


def recomputed_grads(inputs, needs, g, **params):
    """The gradients of the layer's flat output (weighted by ``g``) with respect to
    ``inputs``, with a graph: the layer is recomputed on aliases of the inputs that need a
    gradient, and differentiated with ``create_graph`` down to those aliases only."""
    stand_ins = [Alias.apply(t) if need else t.detach() for t, need in zip(inputs, needs)]
    flat = layer_output(stand_ins, **params)
    wanted = [t for t, need in zip(stand_ins, needs) if need]
    got = iter(run_backward([flat], [g], retain_graph=True, inputs=wanted, create_graph=True,
                            stop_at_inputs=True))
    return tuple(next(got) if need else None for need in needs)
