"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

Mirrors ``torch.nn.modules.rnn``: the same constructor options, parameter names and gate
order (so a PyTorch ``state_dict`` loads unchanged), the same input/output shapes, error
messages and default initialisation (``uniform_(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``
on every parameter, in registration order).

How it is computed
------------------

The whole time loop of one layer (both directions) is a single autograd ``Function``
(:class:`_RecurrentLayer`) with a hand-written backward pass (backpropagation through
time), instead of dozens of tiny recorded ops per time step:

* the input projection ``x @ W_ih.T`` of *all* time steps is one matrix product;
* each time step then costs one ``h @ W_hh.T`` plus a few element-wise kernels;
* the backward pass walks the steps in reverse, and the weight gradients are again one
  matrix product each over all time steps;
* the GRU and the LSTM keep their gates *gate-major*: their projections are ``(3, rows, H)``
  (``(4, rows, H)``) stacks, so each gate of a step is one contiguous block for the
  element-wise kernels, and under ``no_grad`` (nothing to save for backward) a step's
  gates live in one reused buffer, computed in place (the backend's ``matmul_into``,
  ``sigmoid_``, ``tanh_`` ...).

Sequences are handled in the *packed* layout internally (see
:mod:`reftorch.nn.utils.rnn`): rows ``offs[t] : offs[t] + batch_sizes[t]`` of a 2-D array
hold time step ``t``. A padded ``(T, B, F)`` input is simply the case where every
``batch_sizes[t] == B``. At step ``t`` only the first ``batch_sizes[t]`` sequences are
updated; the others keep their state, which is what makes ``h_n`` the state at each
sequence's own last step.

Gate equations (``σ`` = sigmoid, ``*`` = element-wise product), as in PyTorch:

* RNN:  ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ``relu``);
* LSTM: ``i, f, g, o`` = the four chunks of ``x W_ih^T + b_ih + h W_hh^T + b_hh``;
  ``c' = σ(f) * c + σ(i) * tanh(g)``, ``h' = σ(o) * tanh(c')``; with ``proj_size`` the
  hidden state is projected: ``h' = (σ(o) * tanh(c')) W_hr^T``;
* GRU:  ``r, z, n`` chunks; ``r = σ(x_r + h_r)``, ``z = σ(x_z + h_z)``,
  ``n = tanh(x_n + r * h_n)`` (``h_n`` includes ``b_hn``), ``h' = (1 - z) * n + z * h``.
"""
from __future__ import annotations

import contextlib
import math
import numbers
import warnings

from ... import _autocast
from ... import _dtype as D
from ..._autocast import anywhere as _autocasting
from ..._tensor import Tensor
from ..._ops import creation
from ..._ops.shape import transpose
from ...autograd.function import OpFunction as Function
from ...autograd.grad_mode import no_grad
from .. import functional as F
from .._rnn_graph import recomputed_grads, time_steps as _steps
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# =========================================================================== kernels
def _quiet(xp):
    """Silence NumPy's floating-point warnings in the kernels (an overflow's result is right)."""
    errstate = getattr(xp, "errstate", None)
    return errstate(over="ignore") if errstate is not None else contextlib.nullcontext()


#: Per-step matrix products ``h @ W.T`` with a row-major copy of ``W.T`` start paying for
#: the copy (about two products' worth) from this many steps on.
_ROWMAJOR_STEPS = 4


def _step_rhs(rowmajor, wT, steps):
    """``(wT, wT_fast)``: the right-hand side of the per-step product ``h @ wT`` for one
    row (``wT`` itself) and for several rows (a row-major copy when the sequence is long).

    ``wT`` is a transposed weight, a strided view; BLAS multiplies by it about 1.4x slower
    than by a row-major copy of the same values (it repacks the view at every step), and
    gives the same bits (the same GEMM kernel, the same summation order). A single row
    (``n == 1``) is a matrix-vector product instead, whose result depends on the layout,
    so it keeps the view (the values computed so far).
    """
    if sum(1 for _, n, _ in steps if n > 1) >= _ROWMAJOR_STEPS:
        return wT, rowmajor(wT)
    return wT, wT


def _update(xp, state, new, n, B):
    """The state after a step that updated only the first ``n`` of ``B`` rows."""
    if n == B:
        return new
    return xp.concat([new, state[n:, :]], axis=0)


def _split_weights(w, has_bias, has_proj):
    w_ih, w_hh = w[0], w[1]
    b_ih = b_hh = w_hr = None
    k = 2
    if has_bias:
        b_ih, b_hh = w[2], w[3]
        k = 4
    if has_proj:
        w_hr = w[k]
    return w_ih, w_hh, b_ih, b_hh, w_hr


# --------------------------------------------------------------------------- LSTM
def _ifog(xp, a):
    """The four gate blocks of ``a`` (first axis ``4``, PyTorch's order ``i, f, g, o``)
    restacked as ``i, f, o, g``: the three sigmoid gates become one contiguous block."""
    return xp.stack([a[0, ...], a[1, ...], a[3, ...], a[2, ...]])


def _lstm_gate_major(xp, w, H):
    """``(4, K, H)``: the gate blocks of an LSTM weight ``w`` ``(4H, K)`` in the order
    ``i, f, o, g``, each transposed (a view of one restacked copy)."""
    return xp.permute_dims(_ifog(xp, xp.reshape(w, (4, H, w.shape[1]))), (0, 2, 1))


def _lstm_forward(be, X, h0, c0, w, steps, H, save, out):
    """The LSTM over the packed input ``X`` ``(N, F)``, gate-major like the GRU: the
    projections are stacks ``(4, rows, H)`` in the order ``i, f, o, g``, so the three
    sigmoids of a step are one contiguous ``(3, n, H)`` block and ``tanh(g)`` another.
    Without ``save`` a step's gates are one preallocated ``(4, B, H)`` buffer and the cell
    state one ``(B, H)`` buffer, all written in place."""
    xp = be.xp
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    XW = xp.matmul(X, _lstm_gate_major(xp, w_ih, H))  # (4, N, H), all steps at once
    if b_ih is not None:
        XW += _ifog(xp, xp.reshape(b_ih + b_hh, (4, 1, H)))
    Whh = _lstm_gate_major(xp, w_hh, H)
    many = sum(1 for _, n, _ in steps if n > 1) >= _ROWMAJOR_STEPS
    if many:
        Whh = be.copy(Whh)  # BLAS multiplies by a row-major stack faster than by the views
    WhrT, WhrT_fast = (None, None) if w_hr is None else _step_rhs(be.copy, w_hr.T, steps)
    B = h0.shape[0]
    h = h0
    if save:
        c = c0
        rec = []
    else:
        c = be.copy(c0)  # updated in place, row block by row block
        G = xp.empty((4, B, H), dtype=X.dtype, device=X.device)
        hh_buf = None if w_hr is None else xp.empty((B, H), dtype=X.dtype, device=X.device)
    for t, n, o in steps:
        hp = h if n == B else h[:n, :]
        cp = c if n == B else c[:n, :]
        if save:
            g = xp.empty((4, n, H), dtype=X.dtype, device=X.device)
        else:
            g = G if n == B else G[:, :n, :]
        be.matmul_into(hp, Whh, g)
        g += XW[:, o:o + n, :]
        be.sigmoid_(g[:3, ...])
        be.tanh_(g[3, ...])
        if save:
            # c' = f * c + i * g, h' = o * tanh(c'): fresh arrays, kept for the backward pass
            cn = g[1, ...] * cp
            cn += g[0, ...] * g[3, ...]
            tc = xp.tanh(cn)
            hh = g[2, ...] * tc
            hn = hh if WhrT is None else hh @ (WhrT_fast if n > 1 else WhrT)
            out[o:o + n, :] = hn
            rec.append((t, n, o, hp, cp, g, tc, hh))
            c = _update(xp, c, cn, n, B)
        else:
            ig = g[0, ...]
            ig *= g[3, ...]
            cp *= g[1, ...]
            cp += ig  # the cell state, in place: its rows past n keep their values
            hn = out[o:o + n, :]
            hh = hn if WhrT is None else (hh_buf if n == B else hh_buf[:n, :])
            hh[...] = cp
            be.tanh_(hh)
            hh *= g[2, ...]
            if WhrT is not None:
                hn[...] = hh @ (WhrT_fast if n > 1 else WhrT)  # hn may be strided (bidirectional)
        h = _update(xp, h, hn, n, B)
    return h, c, (rec if save else None)


def _lstm_backward(xp, X, w, rec, dout, dh, dc, H, need_w, need_x):
    """Backpropagation through time over the saved steps. The gate gradients go into one
    ``(N, 4H)`` array in PyTorch's gate order ``i, f, g, o``, so the weight gradients are
    plain products with the weights as stored."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    N, B = X.shape[0], dh.shape[0]
    dG = xp.empty((N, 4 * H), dtype=X.dtype, device=X.device)
    HP = xp.empty((N, w_hh.shape[1]), dtype=X.dtype, device=X.device) if need_w else None
    proj = w_hr is not None
    if proj and need_w:
        dHr = xp.empty((N, w_hr.shape[0]), dtype=X.dtype, device=X.device)
        HH = xp.empty((N, H), dtype=X.dtype, device=X.device)
    H2, H3 = 2 * H, 3 * H
    for t, n, o, hp, cp, gs, tc, hh in reversed(rec):
        dht = dout[o:o + n, :] + (dh if n == B else dh[:n, :])
        dct = dc if n == B else dc[:n, :]
        if proj:
            if need_w:
                dHr[o:o + n, :] = dht
                HH[o:o + n, :] = hh
            dhh = dht @ w_hr
        else:
            dhh = dht
        i, f, og, g = gs[0, ...], gs[1, ...], gs[2, ...], gs[3, ...]
        dct = dct + dhh * og * (1 - tc * tc)
        dGt = dG[o:o + n, :]
        dGt[:, :H] = (dct * g) * (i * (1 - i))
        dGt[:, H:H2] = (dct * cp) * (f * (1 - f))
        dGt[:, H2:H3] = dct * i * (1 - g * g)
        dGt[:, H3:] = (dhh * tc) * (og * (1 - og))
        if need_w:
            HP[o:o + n, :] = hp
        dhp = dGt @ w_hh
        dcp = dct * f
        dh = _update(xp, dh, dhp, n, B)
        dc = _update(xp, dc, dcp, n, B)
    dX = dG @ w_ih if need_x else None
    grads = None
    if need_w:
        grads = [dG.T @ X, dG.T @ HP]
        if b_ih is not None:
            db = xp.sum(dG, axis=0)
            grads += [db, db]
        if proj:
            grads.append(dHr.T @ HH)
    return dX, dh, dc, grads


# --------------------------------------------------------------------------- GRU
def _gate_major(xp, w, H):
    """``(3, K, H)``: the three gate blocks of a GRU weight ``w`` ``(3H, K)``, each
    transposed (a view)."""
    return xp.permute_dims(xp.reshape(w, (3, w.shape[0] // 3, w.shape[1])), (0, 2, 1))


def _gru_forward(be, X, h0, w, steps, H, save, out):
    """The GRU over the packed input ``X`` ``(N, F)``, gate-major: the projections are
    stacks ``(3, rows, H)`` (``r``, ``z``, ``n``), so every gate of a step is one
    contiguous block and each element-wise kernel runs over whole rows (on a ``(B, 3H)``
    layout each would walk ``B`` strided rows, about twice the time). Without ``save`` the
    step's temporaries are one preallocated ``(3, B, H)`` buffer, written in place, and the
    new state goes straight into ``out``."""
    xp = be.xp
    w_ih, w_hh, b_ih, b_hh, _ = w
    XW = xp.matmul(X, _gate_major(xp, w_ih, H))  # (3, N, H), all steps at once
    bhn = None
    if b_ih is not None:
        # b_hr, b_hz join the input side; b_hn stays inside r * (h W_hn^T + b_hn)
        XW += xp.reshape(xp.concat([b_ih[:2 * H] + b_hh[:2 * H], b_ih[2 * H:]]), (3, 1, H))
        bhn = b_hh[2 * H:]
    Whh = _gate_major(xp, w_hh, H)
    if sum(1 for _, n, _ in steps if n > 1) >= _ROWMAJOR_STEPS:
        Whh = be.copy(Whh)  # BLAS multiplies by a row-major stack faster than by the views
    B = h0.shape[0]
    if bhn is not None and len(steps) > 1:
        bhn = be.copy(xp.broadcast_to(bhn, (B, H)))  # a plain (B, H) add, not a broadcast one
    G = None if save else xp.empty((3, B, H), dtype=X.dtype, device=X.device)
    h = h0
    rec = []
    for t, n, o in steps:
        hp = h if n == B else h[:n, :]
        if save:
            g = xp.empty((3, n, H), dtype=X.dtype, device=X.device)
        else:
            g = G if n == B else G[:, :n, :]
        be.matmul_into(hp, Whh, g)
        rz = g[:2, ...]
        rz += XW[:2, o:o + n, :]
        be.sigmoid_(rz)
        hh = g[2, ...]
        if bhn is not None:
            hh += bhn if bhn.ndim == 1 or n == B else bhn[:n, :]
        if save:
            nn = hh * g[0, ...]  # h W_hn^T + b_hn is kept for the backward pass
        else:
            nn = hh
            nn *= g[0, ...]
        nn += XW[2, o:o + n, :]
        be.tanh_(nn)
        # h' = (1 - z) * n + z * h = n + z * (h - n)
        hn = xp.empty((n, H), dtype=X.dtype, device=X.device) if save else out[o:o + n, :]
        be.subtract_into(hp, nn, hn)
        hn *= g[1, ...]
        hn += nn
        if save:
            out[o:o + n, :] = hn
            rec.append((t, n, o, hp, rz, nn, hh))
        h = _update(xp, h, hn, n, B)
    return h, (rec if save else None)


def _gru_backward(xp, X, w, rec, dout, dh, H, need_w, need_x):
    w_ih, w_hh, b_ih, b_hh, _ = w
    N, B = X.shape[0], dh.shape[0]
    dXW = xp.empty((N, 3 * H), dtype=X.dtype, device=X.device)
    dHW = xp.empty((N, 3 * H), dtype=X.dtype, device=X.device)
    HP = xp.empty((N, H), dtype=X.dtype, device=X.device) if need_w else None
    H2 = 2 * H
    for t, n, o, hp, rz, nn, hh in reversed(rec):
        dht = dout[o:o + n, :] + (dh if n == B else dh[:n, :])
        r, z = rz[0, ...], rz[1, ...]
        dh_direct = dht * z
        dnp = (dht - dh_direct) * (1 - nn * nn)
        dr = (dnp * hh) * (r * (1 - r))
        dz = (dht * (hp - nn)) * (z * (1 - z))
        dXW[o:o + n, :H] = dr
        dXW[o:o + n, H:H2] = dz
        dXW[o:o + n, H2:] = dnp
        dHW[o:o + n, :H2] = dXW[o:o + n, :H2]
        dHW[o:o + n, H2:] = dnp * r
        if need_w:
            HP[o:o + n, :] = hp
        dhp = dh_direct + dHW[o:o + n, :] @ w_hh
        dh = _update(xp, dh, dhp, n, B)
    dX = dXW @ w_ih if need_x else None
    grads = None
    if need_w:
        grads = [dXW.T @ X, dHW.T @ HP]
        if b_ih is not None:
            grads += [xp.sum(dXW, axis=0), xp.sum(dHW, axis=0)]
    return dX, dh, grads


# --------------------------------------------------------------------------- RNN
def _rnn_forward(xp, X, h0, w, steps, relu, save, rowmajor, out):
    w_ih, w_hh, b_ih, b_hh, _ = w
    XW = X @ w_ih.T
    if b_ih is not None:
        XW += b_ih + b_hh
    WhhT, WhhT_fast = _step_rhs(rowmajor, w_hh.T, steps)
    B, H = h0.shape
    h = h0
    rec = []
    for t, n, o in steps:
        hp = h if n == B else h[:n, :]
        pre = hp @ (WhhT_fast if n > 1 else WhhT)
        pre += XW[o:o + n, :]
        hn = xp.maximum(pre, xp.zeros((), dtype=pre.dtype, device=pre.device)) if relu else xp.tanh(pre)
        out[o:o + n, :] = hn
        if save:
            rec.append((t, n, o, hp, hn))
        h = _update(xp, h, hn, n, B)
    return h, (rec if save else None)


def _rnn_backward(xp, X, w, rec, dout, dh, relu, need_w, need_x):
    w_ih, w_hh, b_ih, b_hh, _ = w
    N, B = X.shape[0], dh.shape[0]
    H = w_hh.shape[1]
    dG = xp.empty((N, H), dtype=X.dtype, device=X.device)
    HP = xp.empty((N, H), dtype=X.dtype, device=X.device) if need_w else None
    for t, n, o, hp, hn in reversed(rec):
        dht = dout[o:o + n, :] + (dh if n == B else dh[:n, :])
        if relu:
            dpre = xp.where(hn > 0, dht, xp.zeros((), dtype=dht.dtype, device=dht.device))
        else:
            dpre = dht * (1 - hn * hn)
        dG[o:o + n, :] = dpre
        if need_w:
            HP[o:o + n, :] = hp
        dh = _update(xp, dh, dpre @ w_hh, n, B)
    dX = dG @ w_ih if need_x else None
    grads = None
    if need_w:
        grads = [dG.T @ X, dG.T @ HP]
        if b_ih is not None:
            db = xp.sum(dG, axis=0)
            grads += [db, db]
    return dX, dh, grads


# --------------------------------------------------------------------------- one layer
class _RecurrentLayer(Function):
    """One layer (one or two directions) over a whole sequence, as a single graph node.

    Inputs: ``x`` ``(N, F)`` in the packed layout, ``h0`` ``(D, B, Hr)``, for LSTM ``c0``
    ``(D, B, H)``, then the layer's weights, direction by direction, in PyTorch's order
    (``w_ih, w_hh[, b_ih, b_hh][, w_hr]``).

    The output is one flat array: ``output`` ``(N, D*Hr)``, then ``h_n`` ``(D, B, Hr)``,
    then (LSTM) ``c_n`` ``(D, B, H)``, each flattened. The caller slices it back into
    tensors, so the gradients of all three reach this node.
    """

    name = "RnnLayerBackward0"
    create_graph = True  # under create_graph the backward recomputes the layer as graph ops

    @staticmethod
    def forward(ctx, x, h0, *rest, mode, batch_sizes, ndir, hidden_size, has_bias, has_proj):
        be = x._backend
        xp = be.xp
        lstm = mode == "LSTM"
        c0 = rest[0] if lstm else None
        ws = rest[1:] if lstm else rest
        nw = len(ws) // ndir
        save = any(ctx.needs_input_grad)
        X = x._data
        H = hidden_size
        N, B, Hr = X.shape[0], h0.shape[1], h0.shape[2]
        n_out, n_h, n_c = N * ndir * Hr, B * Hr, B * H
        # the result, written in place: output (N, D*Hr), then h_n, then c_n, flattened
        flat = xp.empty((n_out + ndir * (n_h + (n_c if lstm else 0)),), dtype=X.dtype, device=X.device)
        out = be.reshape_view(flat[:n_out], (N, ndir * Hr))
        states = []
        with _quiet(xp):
            for d in range(ndir):
                w = _split_weights([t._data for t in ws[d * nw:(d + 1) * nw]], has_bias, has_proj)
                steps = _steps(batch_sizes, reverse=d == 1)
                out_d = out if ndir == 1 else out[:, d * Hr:(d + 1) * Hr]
                if lstm:
                    hn, cn, st = _lstm_forward(be, X, h0._data[d, ...], c0._data[d, ...], w, steps, H, save,
                                               out_d)
                    at = n_out + ndir * n_h + d * n_c
                    flat[at:at + n_c] = xp.reshape(cn, (-1,))
                elif mode == "GRU":
                    hn, st = _gru_forward(be, X, h0._data[d, ...], w, steps, H, save, out_d)
                else:
                    hn, st = _rnn_forward(xp, X, h0._data[d, ...], w, steps, mode == "RNN_RELU", save,
                                          be.copy, out_d)
                at = n_out + d * n_h
                flat[at:at + n_h] = xp.reshape(hn, (-1,))
                states.append(st)
        if save:
            ctx.save_for_backward(*((x, h0) + rest), states)
            ctx.meta = (mode, ndir, nw, H, has_bias, has_proj, out.shape, (B, Hr), (B, H) if lstm else None)
            ctx.params = dict(mode=mode, batch_sizes=batch_sizes, ndir=ndir, hidden_size=H, has_bias=has_bias,
                              has_proj=has_proj)
        return flat

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        saved = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph: differentiate the layer recomputed as graph ops
            return recomputed_grads([t._data for t in saved[:-1]], ctx.needs_input_grad, g, **ctx.params)
        states = saved[-1]
        mode, ndir, nw, H, has_bias, has_proj, out_shape, hn_shape, cn_shape = ctx.meta
        lstm = mode == "LSTM"
        x = saved[0]
        ws = saved[3:-1] if lstm else saved[2:-1]
        needs = ctx.needs_input_grad
        X = x._data
        n_out = out_shape[0] * out_shape[1]
        n_h = hn_shape[0] * hn_shape[1]
        dout_all = xp.reshape(g[:n_out], out_shape)
        dhn = g[n_out:n_out + ndir * n_h]
        dcn = g[n_out + ndir * n_h:] if lstm else None
        Hr = hn_shape[1]
        dX = None
        dh0s, dc0s, dws = [], [], []
        w_needs = needs[3:] if lstm else needs[2:]
        for d in range(ndir):
            w = _split_weights([t._data for t in ws[d * nw:(d + 1) * nw]], has_bias, has_proj)
            need_w = any(w_needs[d * nw:(d + 1) * nw])
            dout = dout_all if ndir == 1 else dout_all[:, d * Hr:(d + 1) * Hr]
            dh = xp.reshape(dhn[d * n_h:(d + 1) * n_h], hn_shape)
            if lstm:
                n_c = cn_shape[0] * cn_shape[1]
                dc = xp.reshape(dcn[d * n_c:(d + 1) * n_c], cn_shape)
                dXd, dh, dc, gw = _lstm_backward(xp, X, w, states[d], dout, dh, dc, H, need_w, needs[0])
                dc0s.append(dc)
            elif mode == "GRU":
                dXd, dh, gw = _gru_backward(xp, X, w, states[d], dout, dh, H, need_w, needs[0])
            else:
                dXd, dh, gw = _rnn_backward(xp, X, w, states[d], dout, dh, mode == "RNN_RELU", need_w,
                                            needs[0])
            if dXd is not None:
                dX = dXd if dX is None else dX + dXd
            dh0s.append(dh)
            dws += gw if gw is not None else [None] * nw
        grads = [dX, xp.stack(dh0s)]
        if lstm:
            grads.append(xp.stack(dc0s))
        return tuple(grads + dws)


class _Extract(Function):
    """Cut a result tensor out of the flat outputs of one or more layer nodes.

    ``pieces`` lists ``(input index, start, stop)`` ranges that are concatenated, reshaped
    to ``shape`` and optionally permuted (``perm``). The caller names the node after the
    op PyTorch's own implementation ends with (``StackBackward0``, ``CatBackward0`` ...),
    so ``output.grad_fn`` and ``h_n.grad_fn`` print as they do in PyTorch.
    """

    name = "StackBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, *flats, pieces, shape, perm=None):
        xp = flats[0]._backend.xp
        parts = [flats[i]._data[a:b] for i, a, b in pieces]
        arr = xp.reshape(parts[0] if len(parts) == 1 else xp.concat(parts), shape)
        if perm is not None:
            arr = xp.permute_dims(arr, perm)
        ctx.meta = ([f._data.shape[0] for f in flats], pieces, perm)
        return arr

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        sizes, pieces, perm = ctx.meta
        if perm is not None:
            inv = [0] * len(perm)
            for i, p in enumerate(perm):
                inv[p] = i
            g = xp.permute_dims(g, tuple(inv))
        g = xp.reshape(g, (-1,))
        spans = [[] for _ in sizes]  # per input: (start, stop, offset in g), then zeros around them
        off = 0
        for i, a, b in pieces:
            spans[i].append((a, b, off))
            off += b - a
        grads = []
        for n, sp in zip(sizes, spans):
            parts, at = [], 0
            for a, b, o in sorted(sp):
                if a > at:
                    parts.append(xp.zeros((a - at,), dtype=g.dtype, device=g.device))
                parts.append(g[o:o + b - a])
                at = b
            if n > at:
                parts.append(xp.zeros((n - at,), dtype=g.dtype, device=g.device))
            grads.append(parts[0] if len(parts) == 1 else xp.concat(parts))
        return tuple(grads)


def _run_layers(mode, x, batch_sizes, hx, cx, weights, num_layers, ndir, hidden_size, has_bias,
                has_proj, dropout, training, out_shape, out_perm, out_name, h_name="StackBackward0",
                c_name="StackBackward0", cell=False):
    """Run a stack of recurrent layers on packed-layout input ``x`` ``(N, F)``.

    The last layer's output is returned with shape ``out_shape`` (then permuted by
    ``out_perm``); its ``grad_fn`` is named ``out_name``. ``cell=True`` (one layer, one
    step) returns ``c_n`` as ``(B, H)``.

    Returns:
        tuple: ``output``, ``h_n`` ``(L*D, B, Hr)`` and (LSTM) ``c_n`` (else ``None``).
    """
    lstm = mode == "LSTM"
    N, B = x.shape[0], hx.shape[1]
    Hr = hx.shape[2]
    n_out, n_h, n_c = N * ndir * Hr, ndir * B * Hr, ndir * B * hidden_size
    per_layer = len(weights) // num_layers
    flats = []
    layer_in = x
    for layer in range(num_layers):
        h0 = hx[layer * ndir:(layer + 1) * ndir] if num_layers > 1 else hx
        inputs = [layer_in, h0]
        if lstm:
            inputs.append(cx[layer * ndir:(layer + 1) * ndir] if num_layers > 1 else cx)
        inputs += weights[layer * per_layer:(layer + 1) * per_layer]
        flat = _RecurrentLayer.apply(*inputs, mode=mode, batch_sizes=tuple(batch_sizes), ndir=ndir,
                                     hidden_size=hidden_size, has_bias=has_bias, has_proj=has_proj)
        flats.append(flat)
        if layer < num_layers - 1:
            out = flat[:n_out].view(N, ndir * Hr)
            layer_in = F.dropout(out, dropout, training)
    L = num_layers
    output = _Extract.apply(flats[-1], pieces=[(0, 0, n_out)], shape=out_shape, perm=out_perm,
                            _name=out_name)
    h_n = _Extract.apply(*flats, pieces=[(i, n_out, n_out + n_h) for i in range(L)],
                         shape=(L * ndir, B, Hr), _name=h_name)
    c_n = None
    if lstm:
        c_n = _Extract.apply(*flats, pieces=[(i, n_out + n_h, n_out + n_h + n_c) for i in range(L)],
                             shape=(B, hidden_size) if cell else (L * ndir, B, hidden_size), _name=c_name)
    return output, h_n, c_n


def _check_sequence_args(x2d, batch, hx, cx, params, has_biases, has_proj, num_layers, ndir, dropout, train):
    """The checks of PyTorch's C++ sequence operators (``torch.lstm`` ...), with their
    messages: the number of states and weights, the dropout probability, and the dtypes
    and sizes of the first layer's products ``x @ w_ih.T`` and ``h @ w_hh.T``."""
    group = 2 + 2 * has_biases + has_proj
    if len(params) % group != 0:
        raise RuntimeError("got an incorrect number of RNN parameters")
    for state in [hx] if cx is None else [hx, cx]:
        if state.dim() < 1 or state.size(0) != num_layers * ndir:
            raise RuntimeError("Expected more hidden states in stacked_rnn")
    if len(params) // group < num_layers * ndir:
        raise RuntimeError("Expected more weights in stacked_rnn")
    if train and num_layers > 1 and not 0 <= dropout <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout}")
    w_ih, w_hh = params[0], params[1]
    for m1, m2 in ((x2d, w_ih), (hx, w_hh)):
        if m1.dtype != m2.dtype:
            raise RuntimeError("mat1 and mat2 must have the same dtype, but got "
                               f"{D.scalar_name(m1.dtype)} and {D.scalar_name(m2.dtype)}")
    for n, f, w in ((x2d.shape[0], x2d.shape[1], w_ih), (batch, hx.size(2), w_hh)):
        if f != w.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{f} and {w.shape[1]}x{w.shape[0]})")
    for state in [hx] if cx is None else [hx, cx]:
        if state.size(1) != batch:
            raise RuntimeError(f"The size of tensor a ({state.size(1)}) must match the size of tensor b ({batch}) "
                               "at non-singleton dimension 0")


def sequence_forward(mode, input, batch_sizes, hx, cx, params, has_biases, num_layers, dropout, train,
                     bidirectional, batch_first):
    """A stack of recurrent layers over a whole sequence: the operators ``torch.lstm``,
    ``torch.gru``, ``torch.rnn_tanh`` and ``torch.rnn_relu`` (both overloads) and the
    forward pass of :class:`RNN`, :class:`LSTM` and :class:`GRU`, which call it as
    PyTorch's modules call those operators.

    Args:
        mode (str): ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
        input (Tensor): ``(T, B, F)`` (``(B, T, F)`` with ``batch_first``), or the packed
            data ``(N, F)`` when ``batch_sizes`` is given.
        batch_sizes (list[int] or None): the batch size of every time step (packed input).
        hx (Tensor): ``h_0`` ``(L*D, B, Hr)``; ``cx``: LSTM's ``c_0`` ``(L*D, B, H)``, else None.
        params (list[Tensor]): the weights, layer by layer and direction by direction:
            ``w_ih, w_hh[, b_ih, b_hh][, w_hr]`` (extra trailing weights are ignored).
        has_biases, num_layers, dropout, train, bidirectional, batch_first: as the
            module options (``train``: dropout between the layers is applied).

    Returns:
        tuple: ``output``, ``h_n`` and ``c_n`` (None but for an LSTM).
    """
    lstm = mode == "LSTM"
    ndir = 2 if bidirectional else 1
    has_proj = lstm and hx.size(2) != cx.size(2)  # (an IndexError for a 2-D state, as in PyTorch)
    if batch_sizes is None:
        if batch_first:
            input = transpose(input, 0, 1)
        T, B, F = input.shape[0], input.shape[1], input.size(2)
        if T == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        x2d = input.reshape(T * B, F)
        bs = [B] * T
    else:
        x2d, bs = input, list(batch_sizes)
        B = bs[0] if bs else 0
    _check_sequence_args(x2d, B, hx, cx, params, has_biases, has_proj, num_layers, ndir, dropout, train)
    group = 2 + 2 * has_biases + has_proj
    weights = list(params[:group * num_layers * ndir])
    hidden_size = (cx if lstm else hx).size(2)
    out_size = ndir * hx.size(2)
    if batch_sizes is not None:
        shape, perm, name = (x2d.shape[0], out_size), None, "CatBackward0"
    elif batch_first:
        # PyTorch transposes the result back; RNN/GRU record it as TransposeBackward1
        shape, perm = (T, B, out_size), (1, 0, 2)
        name = "TransposeBackward0" if lstm else "TransposeBackward1"
    else:
        shape, perm = (T, B, out_size), None
        if ndir == 2:
            name = "CatBackward0"
        elif lstm and not has_proj and input.dtype is D.float32:
            name = "MkldnnRnnLayerBackward0"  # PyTorch's fused oneDNN LSTM layer on CPU
        else:
            name = "StackBackward0"
    if _autocasting.threads and _autocast.here.cpu and (mode.startswith("RNN") or lstm and batch_sizes is None):
        # autocast: PyTorch's Elman layers are made of linear calls, its unpacked LSTM of
        # oneDNN layers (mkldnn_rnn_layer), both lower_precision_fp; GRU runs in float32
        x2d, hx, cx, weights = _autocast.cast_lower(x2d, hx, cx, weights)
    return _run_layers(mode, x2d, bs, hx, cx, weights, num_layers, ndir, hidden_size, has_biases, has_proj,
                       dropout, train, shape, perm, name)


# =========================================================================== modules
def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    """Base class of :class:`RNN`, :class:`LSTM` and :class:`GRU` (use those).

    Mirrors ``torch.nn.RNNBase``: it validates the options, registers the parameters
    ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (and for
    LSTM with ``proj_size > 0`` ``weight_hr_l{k}``), with the suffix ``_reverse`` for the
    backward direction, and initialises all of them from
    ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

    Args:
        mode (str): ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
        input_size (int): features per time step of the input.
        hidden_size (int): features of the hidden state.
        num_layers (int): number of stacked layers.
        bias (bool): whether the layers have the bias vectors ``b_ih`` and ``b_hh``.
        batch_first (bool): input and output are ``(B, T, F)`` instead of ``(T, B, F)``
            (the hidden states keep ``(layers*directions, B, H)``).
        dropout (float): dropout probability on the outputs of every layer but the last,
            in training mode.
        bidirectional (bool): run a second layer over the reversed sequence.
        proj_size (int): LSTM only: size of the projected hidden state (0 = none).
        device: device of the parameters.
        dtype: dtype of the parameters.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of "
                             "an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                          "dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}.get(mode)
        if gate_size is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size *= hidden_size

        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden_size = proj_size if proj_size > 0 else hidden_size
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                w_ih = Parameter(creation.empty((gate_size, layer_input_size), **factory_kwargs))
                w_hh = Parameter(creation.empty((gate_size, real_hidden_size), **factory_kwargs))
                b_ih = Parameter(creation.empty(gate_size, **factory_kwargs))
                b_hh = Parameter(creation.empty(gate_size, **factory_kwargs))
                if proj_size == 0:
                    layer_params = (w_ih, w_hh, b_ih, b_hh) if bias else (w_ih, w_hh)
                else:
                    w_hr = Parameter(creation.empty((proj_size, hidden_size), **factory_kwargs))
                    layer_params = (w_ih, w_hh, b_ih, b_hh, w_hr) if bias else (w_ih, w_hh, w_hr)
                suffix = "_reverse" if direction == 1 else ""
                param_names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    param_names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    param_names += ["weight_hr_l{}{}"]
                param_names = [x.format(layer, suffix) for x in param_names]
                for name, param in zip(param_names, layer_params):
                    setattr(self, name, param)
                self._flat_weights_names.extend(param_names)
                self._all_weights.append(param_names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, wn) if hasattr(self, wn) else None for wn in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters as a list per layer and direction, in PyTorch's order."""
        return [[getattr(self, weight) for weight in weights] for weights in self._all_weights]

    def flatten_parameters(self):
        """A no-op kept for compatibility (PyTorch compacts cuDNN weights here)."""

    def reset_parameters(self):
        """Draw every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for weight in self.parameters():
                weight.uniform_(-stdv, stdv)

    # ------------------------------------------------------------------ checks
    def check_input(self, input, batch_sizes):
        """Raise PyTorch's errors for a wrong input dtype, rank or feature size."""
        w0 = self._flat_weights[0]
        if input.dtype != w0.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w0.dtype}). "
                             f"Convert input: input.to({w0.dtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        """The shape ``h0`` must have: ``(num_layers * num_directions, batch, H_out)``."""
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, h)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _run(self, input, hx, cx, batch_sizes):
        """Run the layer stack. ``input`` is ``(T, B, F)`` / ``(B, T, F)`` or packed data."""
        bs = None if batch_sizes is None else [int(v) for v in batch_sizes.tolist()]
        return sequence_forward(self.mode, input, bs, hx, cx, self._flat_weights, self.bias, self.num_layers,
                                self.dropout, self.training, self.bidirectional, self.batch_first)

    def _zeros(self, input, batch, size):
        num_directions = 2 if self.bidirectional else 1
        return creation.zeros(self.num_layers * num_directions, batch, size, dtype=input.dtype,
                              device=input.device)

    def _forward_single(self, input, hx):
        """``forward`` of RNN and GRU (one hidden state)."""
        name = "RNN" if self.mode.startswith("RNN") else "GRU"
        orig_input = input
        if isinstance(orig_input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch_size = int(batch_sizes[0])
            if hx is None:
                hx = self._zeros(input, max_batch_size, self.hidden_size)
            else:
                hx = self.permute_hidden(hx, sorted_indices)
        else:
            batch_sizes = None
            if input.dim() not in (2, 3):
                tail = " tensor instead" if name == "RNN" else " instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
                if hx is not None:
                    if hx.dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but got "
                                           f"{hx.dim()}-D tensor")
                    hx = hx.unsqueeze(1)
            elif hx is not None and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            max_batch_size = input.size(0) if self.batch_first else input.size(1)
            unsorted_indices = None
            if hx is None:
                hx = self._zeros(input, max_batch_size, self.hidden_size)
        self.check_forward_args(input, hx, batch_sizes)
        output, hidden, _ = self._run(input, hx, None, batch_sizes)
        if isinstance(orig_input, PackedSequence):
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = hidden.squeeze(1)
        return output, self.permute_hidden(hidden, unsorted_indices)


class RNN(RNNBase):
    r"""A multi-layer Elman RNN with ``tanh`` or ``relu`` non-linearity.

    For each element of the input sequence each layer computes
    ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``. Mirrors ``torch.nn.RNN``.

    Args:
        input_size (int): features per time step of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        num_layers (int): number of stacked layers (default 1).
        nonlinearity (str): ``"tanh"`` (default) or ``"relu"``.
        bias (bool): if False, the layers use no bias vectors ``b_ih``, ``b_hh``.
        batch_first (bool): input and output are ``(B, T, F)`` instead of ``(T, B, F)``.
            The hidden state keeps the shape ``(num_layers * D, B, H)``.
        dropout (float): dropout on the outputs of each layer except the last (training
            mode only).
        bidirectional (bool): also run each layer over the reversed sequence (``D = 2``).
        device: device of the parameters.
        dtype: dtype of the parameters.

    Shapes (``D`` = 2 if bidirectional else 1, ``L`` = num_layers):

    * input: ``(T, B, input_size)``, ``(B, T, input_size)`` with ``batch_first``,
      ``(T, input_size)`` unbatched, or a :class:`PackedSequence`;
    * ``hx`` (optional, zeros by default): ``(D*L, B, hidden_size)``, or
      ``(D*L, hidden_size)`` unbatched;
    * output: ``(T, B, D*hidden_size)`` (the last layer's ``h_t`` for every ``t``), in the
      input's layout;
    * ``h_n``: ``(D*L, B, hidden_size)``, the final hidden state of every layer and
      direction.

    Returns:
        tuple: ``(output, h_n)`` -- the output comes first.

    Examples:
        >>> import reftorch as torch
        >>> rnn = torch.nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(torch.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.nonlinearity = nonlinearity
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype, **kwargs)

    def forward(self, input, hx=None):
        """Run the RNN; see the class docstring for the shapes.

        Args:
            input (Tensor or PackedSequence): the input sequence(s).
            hx (Tensor, optional): the initial hidden state (zeros if omitted).

        Returns:
            tuple: ``(output, h_n)``.
        """
        return self._forward_single(input, hx)


class LSTM(RNNBase):
    r"""A multi-layer long short-term memory (LSTM) RNN.

    Each layer computes, for every time step (gate order in the weights: ``i, f, g, o``)::

        i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g                         h' = o * tanh(c')

    With ``proj_size > 0`` the hidden state is projected, ``h' = W_hr (o * tanh(c'))``,
    so ``h`` has ``proj_size`` features while ``c`` keeps ``hidden_size``. Mirrors
    ``torch.nn.LSTM``.

    Args:
        input_size (int): features per time step of the input.
        hidden_size (int): features of the cell state (and of ``h`` without projection).
        num_layers (int): number of stacked layers (default 1).
        bias (bool): if False, no bias vectors.
        batch_first (bool): input and output are ``(B, T, F)`` instead of ``(T, B, F)``.
            ``h_0``/``c_0``/``h_n``/``c_n`` are not affected.
        dropout (float): dropout on the outputs of each layer except the last (training
            mode only).
        bidirectional (bool): also run each layer over the reversed sequence (``D = 2``).
        proj_size (int): if > 0, the size of the projected hidden state ``H_out``.
        device: device of the parameters.
        dtype: dtype of the parameters.

    Shapes (``D`` = 2 if bidirectional else 1, ``L`` = num_layers, ``H_out`` =
    proj_size if > 0 else hidden_size):

    * input: ``(T, B, input_size)``, ``(B, T, input_size)`` with ``batch_first``,
      ``(T, input_size)`` unbatched, or a :class:`PackedSequence`;
    * ``(h_0, c_0)`` (optional, one tuple): ``(D*L, B, H_out)`` and
      ``(D*L, B, hidden_size)`` (without the ``B`` dimension when unbatched);
    * output: ``(T, B, D*H_out)``; ``h_n``: ``(D*L, B, H_out)``; ``c_n``:
      ``(D*L, B, hidden_size)``.

    Returns:
        tuple: ``(output, (h_n, c_n))``.

    Examples:
        >>> import reftorch as torch
        >>> lstm = torch.nn.LSTM(10, 20, 2)
        >>> h0, c0 = torch.zeros(2, 3, 20), torch.zeros(2, 3, 20)
        >>> output, (h_n, c_n) = lstm(torch.randn(5, 3, 10), (h0, c0))
        >>> output.shape, h_n.shape, c_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None, **kwargs):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        """The shape ``c0`` must have: ``(num_layers * num_directions, batch, hidden_size)``."""
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def forward(self, input, hx=None):
        """Run the LSTM; see the class docstring for the shapes.

        Args:
            input (Tensor or PackedSequence): the input sequence(s).
            hx (tuple[Tensor, Tensor], optional): ``(h_0, c_0)`` as *one* tuple (zeros if
                omitted).

        Returns:
            tuple: ``(output, (h_n, c_n))``.
        """
        orig_input = input
        batch_sizes = None
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if isinstance(orig_input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch_size = int(batch_sizes[0])
            if hx is None:
                hx = (self._zeros(input, max_batch_size, real_hidden_size),
                      self._zeros(input, max_batch_size, self.hidden_size))
            else:
                hx = self.permute_hidden(hx, sorted_indices)
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            max_batch_size = input.size(0) if self.batch_first else input.size(1)
            sorted_indices = unsorted_indices = None
            if hx is None:
                hx = (self._zeros(input, max_batch_size, real_hidden_size),
                      self._zeros(input, max_batch_size, self.hidden_size))
                self.check_forward_args(input, hx, batch_sizes)
            else:
                if is_batched:
                    if hx[0].dim() != 3 or hx[1].dim() != 3:
                        raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                else:
                    if hx[0].dim() != 2 or hx[1].dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
                self.check_forward_args(input, hx, batch_sizes)
        output, h_n, c_n = self._run(input, hx[0], hx[1], batch_sizes)
        hidden = (h_n, c_n)
        if isinstance(orig_input, PackedSequence):
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1))
        return output, self.permute_hidden(hidden, unsorted_indices)


class GRU(RNNBase):
    r"""A multi-layer gated recurrent unit (GRU) RNN.

    Each layer computes, for every time step (gate order in the weights: ``r, z, n``)::

        r = σ(W_ir x + b_ir + W_hr h + b_hr)
        z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    Mirrors ``torch.nn.GRU``.

    Args:
        input_size (int): features per time step of the input.
        hidden_size (int): features of the hidden state.
        num_layers (int): number of stacked layers (default 1).
        bias (bool): if False, no bias vectors.
        batch_first (bool): input and output are ``(B, T, F)`` instead of ``(T, B, F)``.
        dropout (float): dropout on the outputs of each layer except the last (training
            mode only).
        bidirectional (bool): also run each layer over the reversed sequence (``D = 2``).
        device: device of the parameters.
        dtype: dtype of the parameters.

    Shapes: as :class:`RNN`.

    Returns:
        tuple: ``(output, h_n)``.

    Examples:
        >>> import reftorch as torch
        >>> gru = torch.nn.GRU(10, 20, bidirectional=True)
        >>> output, h_n = gru(torch.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 40]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype, **kwargs)

    def forward(self, input, hx=None):
        """Run the GRU; see the class docstring for the shapes.

        Args:
            input (Tensor or PackedSequence): the input sequence(s).
            hx (Tensor, optional): the initial hidden state (zeros if omitted).

        Returns:
            tuple: ``(output, h_n)``.
        """
        return self._forward_single(input, hx)


# =========================================================================== cells
def _check_cell(input, hx, cx, input_size, hidden_size, weight_dtype):
    """PyTorch's checks of a cell's input and hidden state(s) (``cx``: None but for an LSTM)
    and, unless ``weight_dtype`` is None, of the input's dtype."""
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {input_size}")
    for label, h in enumerate([hx] if cx is None else [hx, cx]):
        if input.size(0) != h.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} batch size "
                               f"{h.size(0)}")
        if h.size(1) != hidden_size:
            raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {h.size(1)}, expected "
                               f"{hidden_size}")
    if weight_dtype is not None and input.dtype != weight_dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{D.scalar_name(input.dtype)} and {D.scalar_name(weight_dtype)}")


def _cell_step(mode, input, hx, cx, weights, hidden_size):
    """One time step of a cell (``mode`` ``"RNN_TANH"``, ``"RNN_RELU"``, ``"GRU"`` or
    ``"LSTM"``) on batched ``input`` ``(B, F)`` with ``weights`` ``[w_ih, w_hh]`` (and
    ``b_ih, b_hh``): returns ``h'`` (and ``c'`` for an LSTM, given ``cx``). The cells of
    ``torch.nn`` and the functions ``torch.rnn_tanh_cell`` ... share it."""
    B = input.shape[0]
    # the op PyTorch's cell ends with, for the grad_fn names
    name = {"RNN_TANH": "TanhBackward0", "RNN_RELU": "ReluBackward0", "GRU": "AddBackward0",
            "LSTM": "MulBackward0"}[mode]
    out, h_n, c_n = _run_layers(mode, input, [B], hx.unsqueeze(0), None if cx is None else cx.unsqueeze(0),
                                weights, 1, 1, hidden_size, len(weights) == 4, False, 0.0, False,
                                (B, hidden_size), None, name, c_name="AddBackward0", cell=True)
    return out if cx is None else (out, c_n)


class RNNCellBase(Module):
    """Base class of the single-step cells: registers ``weight_ih``, ``weight_hh`` and
    (with ``bias``) ``bias_ih``, ``bias_hh``, initialised from
    ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

    Args:
        input_size (int): features of the input.
        hidden_size (int): features of the hidden state.
        bias (bool): whether to use the bias vectors.
        num_chunks (int): gates per cell (1 RNN, 3 GRU, 4 LSTM).
        device: device of the parameters.
        dtype: dtype of the parameters.
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(creation.empty((num_chunks * hidden_size, input_size), **factory_kwargs))
        self.weight_hh = Parameter(creation.empty((num_chunks * hidden_size, hidden_size), **factory_kwargs))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, **factory_kwargs))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, **factory_kwargs))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def reset_parameters(self):
        """Draw every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for weight in self.parameters():
                weight.uniform_(-stdv, stdv)

    def _step(self, mode, input, hx, cx):
        """One time step on batched ``input`` ``(B, F)``: returns ``h'`` (and ``c'``)."""
        self._check_cell(input, hx, cx)
        weights = [self.weight_ih, self.weight_hh]
        if self.bias_ih is not None:
            weights += [self.bias_ih, self.bias_hh]
        if mode.startswith("RNN") and _autocasting.threads and _autocast.here.cpu:
            # autocast: PyTorch's rnn_tanh_cell / rnn_relu_cell are linear calls (lower_precision_fp)
            input, hx, weights = _autocast.cast_lower(input, hx, weights)
        return _cell_step(mode, input, hx, cx, weights, self.hidden_size)

    def _check_cell(self, input, hx, cx):
        _check_cell(input, hx, cx, self.input_size, self.hidden_size, self.weight_ih.dtype)


class RNNCell(RNNCellBase):
    r"""One time step of an Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Mirrors ``torch.nn.RNNCell``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        bias (bool): if False, no bias vectors.
        nonlinearity (str): ``"tanh"`` (default) or ``"relu"``.
        device: device of the parameters.
        dtype: dtype of the parameters.

    Shapes: input ``(B, input_size)`` or ``(input_size,)``; ``hx`` ``(B, hidden_size)``
    or ``(hidden_size,)`` (zeros if omitted); returns ``h'`` of ``hx``'s shape.

    Examples:
        >>> import reftorch as torch
        >>> cell = torch.nn.RNNCell(10, 20)
        >>> cell(torch.randn(3, 10)).shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        """One step. Returns the next hidden state ``h'``."""
        if input.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
        else:
            hx = hx.unsqueeze(0) if not is_batched else hx
        if self.nonlinearity == "tanh":
            ret = self._step("RNN_TANH", input, hx, None)
        elif self.nonlinearity == "relu":
            ret = self._step("RNN_RELU", input, hx, None)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        if not is_batched:
            ret = ret.squeeze(0)
        return ret


class LSTMCell(RNNCellBase):
    r"""One time step of an LSTM (gate order ``i, f, g, o``, as :class:`LSTM`).

    Mirrors ``torch.nn.LSTMCell``.

    Args:
        input_size (int): features of the input.
        hidden_size (int): features of ``h`` and ``c``.
        bias (bool): if False, no bias vectors.
        device: device of the parameters.
        dtype: dtype of the parameters.

    Shapes: input ``(B, input_size)`` or ``(input_size,)``; ``hx`` is the *tuple*
    ``(h, c)``, each ``(B, hidden_size)`` (zeros if omitted); returns the tuple
    ``(h', c')``.

    Examples:
        >>> import reftorch as torch
        >>> cell = torch.nn.LSTMCell(10, 20)
        >>> h, c = cell(torch.randn(3, 10))
        >>> h.shape, c.shape
        (torch.Size([3, 20]), torch.Size([3, 20]))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        """One step. Returns ``(h', c')``."""
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            if isinstance(hx, Tensor):
                raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor")
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (zeros, zeros)
        else:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if not is_batched else hx
        ret = self._step("LSTM", input, hx[0], hx[1])
        if not is_batched:
            ret = (ret[0].squeeze(0), ret[1].squeeze(0))
        return ret


class GRUCell(RNNCellBase):
    r"""One time step of a GRU (gate order ``r, z, n``, as :class:`GRU`).

    Mirrors ``torch.nn.GRUCell``.

    Args:
        input_size (int): features of the input.
        hidden_size (int): features of the hidden state.
        bias (bool): if False, no bias vectors.
        device: device of the parameters.
        dtype: dtype of the parameters.

    Shapes: as :class:`RNNCell`.

    Examples:
        >>> import reftorch as torch
        >>> cell = torch.nn.GRUCell(10, 20)
        >>> cell(torch.randn(10)).shape
        torch.Size([20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        """One step. Returns the next hidden state ``h'``."""
        if input.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
        else:
            hx = hx.unsqueeze(0) if not is_batched else hx
        ret = self._step("GRU", input, hx, None)
        if not is_batched:
            ret = ret.squeeze(0)
        return ret
