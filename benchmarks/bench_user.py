"""Speed as a user measures it (issue 11): each library at its default thread settings,
with single-thread figures beside them, on the issue's workloads and sizes.

Usage::

    python benchmarks/bench_user.py                  # both settings, prints a table
    python benchmarks/bench_user.py --write          # also writes benchmarks/results.json
    python benchmarks/bench_user.py --only tiny      # the cases whose name contains "tiny"
    python benchmarks/bench_user.py --rounds 30
    python benchmarks/bench_user.py --clock cpu      # the process's CPU time (a loaded machine)

The parent process starts one child per thread setting, so that each gets a fresh NumPy
(OpenBLAS reads its thread count once, at import):

* ``default``: nothing set; PyTorch uses ``torch.get_num_threads()`` threads (one per core)
  and OpenBLAS its own default.
* ``1``: ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to 1
  before NumPy loads, and ``torch.set_num_threads(1)``.

In each child every case runs its bare-NumPy formulations, reftorch and PyTorch in turn
(interleaved), ``--rounds`` rounds, each round a loop of at least ``--min-time`` seconds;
the wall clock (``time.perf_counter``), best round. Before timing, the results of all
formulations are checked against PyTorch's. The NumPy column is the fastest formulation
that gives PyTorch's values (the winner is named). The load average at start and end is
recorded: on a shared machine it is the first thing to read.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import _timing  # benchmarks/_timing.py (imports no NumPy: thread counts are set first)
from _timing import best

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results.json")


# ------------------------------------------------------------------------- timing
def race(fns, rounds, min_time):
    """Best time per call of each ``fns[label]``, the labels interleaved round by round."""
    return best(_timing.race(fns, rounds, min_time))


# ------------------------------------------------------------------------- cases
def cases(np, rt, torch):
    """Yield (name, group, {np label: fn}, reftorch fn, torch fn, check) per workload.

    ``check(value_of_fn)`` is applied to every formulation's result before timing.
    """
    rng = np.random.default_rng(0)

    def to_np(t):
        return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)

    # ---- Embedding(50000, 256, padding_idx=0) on (64, 128) indices
    V, D = 50_000, 256
    table = rng.standard_normal((V, D)).astype(np.float32)
    ids = rng.integers(0, V, (64, 128))
    flat = ids.reshape(-1)

    def emb(lib):
        # The weight is ``table`` itself (from_numpy shares its memory), as ``x`` is for
        # index_select and gather below: every formulation reads the same bytes (with a
        # copy per library, the NumPy formulations shared one and each library read its
        # own; measured: 2-4 % more for reftorch's forward in single-call rounds).
        lib.manual_seed(0)
        m = lib.nn.Embedding(V, D, padding_idx=0)
        m.weight = lib.nn.Parameter(lib.from_numpy(table))
        return m, lib.from_numpy(ids)

    (re, rx), (te, tx) = emb(rt), emb(torch)

    def fwd(m, x, lib):
        def run():
            with lib.no_grad():
                return m(x)
        return run

    def fwd_bwd(m, x):
        def run():
            m.weight.grad = None
            m(x).sum().backward()
            return m.weight.grad
        return run

    def np_take():
        return np.take(table, flat, axis=0).reshape(64, 128, D)

    def np_fancy():
        return table[ids]

    want_fwd = to_np(fwd(te, tx, torch)())
    yield ("Embedding forward", "nn", {"np.take(axis=0)": np_take, "table[ids]": np_fancy},
           fwd(re, rx, rt), fwd(te, tx, torch), want_fwd)

    def np_grad_addat():
        out = np.take(table, flat, axis=0)
        out.sum()
        g = np.ones_like(out)
        grad = np.zeros((V, D), np.float32)
        np.add.at(grad, flat, g)
        grad[0] = 0
        return grad

    def np_grad_ranks():
        # the repeats of one id added rank by rank with fancy-index +=, exact
        out = np.take(table, flat, axis=0)
        out.sum()
        g = np.ones_like(out)
        grad = np.zeros((V, D), np.float32)
        order = np.argsort(flat, kind="stable")
        first = np.empty(flat.size, bool)
        first[0] = True
        np.not_equal(flat[order[1:]], flat[order[:-1]], out=first[1:])
        starts = np.flatnonzero(first)
        rank = np.empty(flat.size, np.int64)
        rank[order] = np.arange(flat.size) - starts[np.cumsum(first) - 1]
        for r in range(int(rank.max()) + 1):
            sel = np.flatnonzero(rank == r)
            grad[flat[sel]] += g[sel]
        grad[0] = 0
        return grad

    want = to_np(fwd_bwd(te, tx)())
    yield ("Embedding forward + backward", "nn",
           {"add.at": np_grad_addat, "rank-by-rank +=": np_grad_ranks},
           fwd_bwd(re, rx), fwd_bwd(te, tx), want)

    # ---- index_select (8192, 512) dim 0, 4096 indices
    x = rng.standard_normal((8192, 512)).astype(np.float32)
    idx = rng.integers(0, 8192, 4096)
    rxs, txs = rt.from_numpy(x), torch.from_numpy(x)
    ridx, tidx = rt.from_numpy(idx), torch.from_numpy(idx)
    yield ("index_select (8192, 512) dim 0, 4096 indices", "data",
           {"np.take(axis=0)": lambda: np.take(x, idx, axis=0),
            "np.take(axis=0, mode='clip')": lambda: np.take(x, idx, axis=0, mode="clip"),
            "x[idx]": lambda: x[idx]},
           lambda: rt.index_select(rxs, 0, ridx), lambda: torch.index_select(txs, 0, tidx),
           np.take(x, idx, axis=0))

    # ---- gather (4096, 512) dim 1
    x = rng.standard_normal((4096, 512)).astype(np.float32)
    gi = rng.integers(0, 512, (4096, 512))
    rxg, txg = rt.from_numpy(x), torch.from_numpy(x)
    rgi, tgi = rt.from_numpy(gi), torch.from_numpy(gi)
    base = (np.arange(4096, dtype=np.int64) * 512)[:, None]

    def np_flat_take():
        return np.take(x.reshape(-1), gi + base, mode="clip")

    def np_flat_take_pieces(rows=64):
        # 64 rows at a time: the offsets stay in the cache, written into one reused buffer
        out = np.empty(gi.shape, np.float32)
        buf = np.empty((rows, gi.shape[1]), np.int64)
        flat = x.reshape(-1)
        for a in range(0, gi.shape[0], rows):
            off = buf[:min(rows, gi.shape[0] - a)]
            np.add(gi[a:a + rows], base[a:a + rows], out=off)
            np.take(flat, off, out=out[a:a + rows], mode="clip")
        return out

    yield ("gather (4096, 512) dim 1", "data",
           {"take_along_axis": lambda: np.take_along_axis(x, gi, axis=1),
            "flat take + offsets": np_flat_take,
            "flat take in pieces, out=": np_flat_take_pieces},
           lambda: rt.gather(rxg, 1, rgi), lambda: torch.gather(txg, 1, tgi),
           np.take_along_axis(x, gi, axis=1))

    # ---- LSTM(128 -> 256, 2 layers), (32, 50, 128) batch_first, forward
    torch.manual_seed(0)
    tl = torch.nn.LSTM(128, 256, num_layers=2, batch_first=True)
    rl = rt.nn.LSTM(128, 256, num_layers=2, batch_first=True)
    rl.load_state_dict({k: rt.from_numpy(v.detach().numpy().copy()) for k, v in tl.state_dict().items()})
    xs = rng.standard_normal((32, 50, 128)).astype(np.float32)
    rxl, txl = rt.from_numpy(xs), torch.from_numpy(xs)
    weights = [(tl.state_dict()[f"weight_ih_l{i}"].numpy(), tl.state_dict()[f"weight_hh_l{i}"].numpy(),
                tl.state_dict()[f"bias_ih_l{i}"].numpy() + tl.state_dict()[f"bias_hh_l{i}"].numpy())
               for i in range(2)]
    weights_t = [(w_ih.T.copy(), w_hh.T.copy(), b) for w_ih, w_hh, b in weights]

    def np_lstm(sigmoid):
        def run():
            seq = np.ascontiguousarray(xs.transpose(1, 0, 2))  # (T, B, I)
            for w_ih_t, w_hh_t, b in weights_t:
                T, B, _ = seq.shape
                H = w_hh_t.shape[0]
                pre = (seq.reshape(T * B, -1) @ w_ih_t + b).reshape(T, B, 4 * H)
                h = np.zeros((B, H), np.float32)
                c = np.zeros((B, H), np.float32)
                out = np.empty((T, B, H), np.float32)
                for t in range(T):
                    gates = pre[t] + h @ w_hh_t
                    i, f = sigmoid(gates[:, :H]), sigmoid(gates[:, H:2 * H])
                    gg, o = np.tanh(gates[:, 2 * H:3 * H]), sigmoid(gates[:, 3 * H:])
                    c = f * c + i * gg
                    h = o * np.tanh(c)
                    out[t] = h
                seq = out
            return seq.transpose(1, 0, 2)
        return run

    # gates reordered i, f, o, g (the three sigmoids one block), every temporary preallocated
    perm = np.concatenate([np.arange(0, 512), np.arange(768, 1024), np.arange(512, 768)])
    weights_p = [(np.ascontiguousarray(w_ih_t[:, perm]), np.ascontiguousarray(w_hh_t[:, perm]), b[perm])
                 for w_ih_t, w_hh_t, b in weights_t]

    def np_lstm_out():
        seq = np.ascontiguousarray(xs.transpose(1, 0, 2))  # (T, B, I)
        for w_ih_t, w_hh_t, b in weights_p:
            T, B, _ = seq.shape
            H = w_hh_t.shape[0]
            pre = seq.reshape(T * B, -1) @ w_ih_t
            pre += b
            pre = pre.reshape(T, B, 4 * H)
            h = np.zeros((B, H), np.float32)
            c = np.zeros((B, H), np.float32)
            out = np.empty((T, B, H), np.float32)
            gates = np.empty((B, 4 * H), np.float32)
            tmp = np.empty((B, H), np.float32)
            s, g = gates[:, :3 * H], gates[:, 3 * H:]
            for t in range(T):
                np.matmul(h, w_hh_t, out=gates)
                gates += pre[t]
                s *= 0.5  # sigmoid(a) = 0.5 * tanh(0.5 * a) + 0.5, in place
                np.tanh(s, out=s)
                s *= 0.5
                s += 0.5
                np.tanh(g, out=g)
                c *= gates[:, H:2 * H]
                np.multiply(gates[:, :H], g, out=tmp)
                c += tmp
                np.tanh(c, out=tmp)
                h = out[t]
                np.multiply(gates[:, 2 * H:3 * H], tmp, out=h)
            seq = out
        return seq.transpose(1, 0, 2)

    # gate-major: each weight as a (4, K, H) stack (gates i, f, o, g), the projections and
    # a step's gates as (4, rows, H) stacks, so that every gate is one contiguous block
    def gate_major(w_t, H):
        return np.ascontiguousarray(np.stack([w_t[:, k * H:(k + 1) * H] for k in (0, 1, 3, 2)]))

    weights_g = [(gate_major(w_ih_t, 256), gate_major(w_hh_t, 256),
                  np.stack([b[k * 256:(k + 1) * 256] for k in (0, 1, 3, 2)])[:, None, :])
                 for w_ih_t, w_hh_t, b in weights_t]

    def np_lstm_gate_major():
        seq = np.ascontiguousarray(xs.transpose(1, 0, 2))  # (T, B, I)
        for w_ih_s, w_hh_s, b in weights_g:
            T, B, _ = seq.shape
            H = w_hh_s.shape[2]
            pre = np.matmul(seq.reshape(T * B, -1), w_ih_s)  # (4, T * B, H)
            pre += b
            pre = pre.reshape(4, T, B, H)
            h = np.zeros((B, H), np.float32)
            c = np.zeros((B, H), np.float32)
            out = np.empty((T, B, H), np.float32)
            G = np.empty((4, B, H), np.float32)
            tmp = np.empty((B, H), np.float32)
            s, g = G[:3], G[3]
            for t in range(T):
                np.matmul(h, w_hh_s, out=G)
                G += pre[:, t]
                s *= 0.5  # sigmoid(a) = 0.5 * tanh(0.5 * a) + 0.5, in place
                np.tanh(s, out=s)
                s *= 0.5
                s += 0.5
                np.tanh(g, out=g)
                c *= G[1]
                np.multiply(G[0], g, out=tmp)
                c += tmp
                np.tanh(c, out=tmp)
                h = out[t]
                np.multiply(G[2], tmp, out=h)
            seq = out
        return seq.transpose(1, 0, 2)

    def sig_exp(a):
        return 1.0 / (1.0 + np.exp(-a))

    def sig_tanh(a):
        return 0.5 * np.tanh(0.5 * a) + 0.5

    def lstm(m, x, lib):
        def run():
            with lib.no_grad():
                return m(x)[0]
        return run

    yield ("LSTM(128 -> 256, 2 layers) forward, (32, 50, 128)", "nn",
           {"per-step matmul, 1/(1+exp)": np_lstm(sig_exp), "per-step matmul, tanh sigmoid": np_lstm(sig_tanh),
            "preallocated, out=, tanh sigmoid": np_lstm_out, "gate-major, preallocated, out=": np_lstm_gate_major},
           lstm(rl, rxl, rt), lstm(tl, txl, torch), ("close", to_np(lstm(tl, txl, torch)())))

    # ---- sort / topk of 10**6 float32: PyTorch's std::sort leaves equal values in an order
    # that only an emulation of its steps reproduces (reftorch/_ops/_stl_sort.py), so that
    # emulation, called on NumPy arrays, is the NumPy formulation
    from reftorch._ops._stl_sort import std_sort_rows
    xs = rng.standard_normal(10 ** 6).astype(np.float32)
    rxs, txs = rt.from_numpy(xs), torch.from_numpy(xs)
    yield ("sort 10**6 float32 (indices, stable=False)", "data",
           {"np.argsort(stable) + reftorch's std::sort steps":
            lambda: std_sort_rows(xs[None], np.argsort(xs, kind="stable")[None])[0]},
           lambda: rt.sort(rxs).indices, lambda: torch.sort(txs).indices, torch.sort(txs).indices.numpy())

    def np_topk():
        part = np.argpartition(xs, xs.size - 1000)[xs.size - 1000:]
        return part[np.argsort(-xs[part], kind="stable")]

    yield ("topk(1000) of 10**6 float32 (indices)", "data", {"argpartition + argsort": np_topk},
           lambda: rt.topk(rxs, 1000).indices, lambda: torch.topk(txs, 1000).indices,
           torch.topk(txs, 1000).indices.numpy())

    # ---- backward through unbind: 200 pieces of (64, 256), each summed
    xu = rng.standard_normal((200, 64, 256)).astype(np.float32)

    def unbind_backward(lib):
        leaf = lib.from_numpy(xu.copy()).requires_grad_()

        def run():
            leaf.grad = None
            sum(p.sum() for p in leaf.unbind(0)).backward()
            return leaf.grad
        return run

    yield ("backward through unbind(0) of (200, 64, 256)", "autograd",
           {"np.ones (the gradient itself)": lambda: np.ones(xu.shape, np.float32)},
           unbind_backward(rt), unbind_backward(torch), np.ones(xu.shape, np.float32))

    # ---- tiny ops, per call
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = a + 1
    two_a, two_b = np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)
    x43 = np.arange(12, dtype=np.float32).reshape(4, 3)
    i2 = np.array([0, 2])
    # ---- randn / normal_ at 10**6 float32 (issue 11): each call reseeds, so that every
    # formulation gives PyTorch's values; the only NumPy one that does is reftorch's
    # engine (reftorch/_rng.py) called directly.
    from reftorch._rng import CPUGenerator
    n_rand = 10 ** 6

    def seeded(lib, draw):
        def run():
            lib.manual_seed(0)
            return draw()
        return run

    want_randn = seeded(torch, lambda: torch.randn(n_rand))().numpy()
    yield ("randn(10**6) float32, seeded", "random",
           {"reftorch._rng.CPUGenerator(0).normal": lambda: CPUGenerator(0).normal(n_rand)},
           seeded(rt, lambda: rt.randn(n_rand)), seeded(torch, lambda: torch.randn(n_rand)), want_randn)
    r_buf, t_buf = rt.empty(n_rand), torch.empty(n_rand)
    yield ("Tensor.normal_() 10**6 float32, seeded", "random",
           {"reftorch._rng.CPUGenerator(0).normal": lambda: CPUGenerator(0).normal(n_rand)},
           seeded(rt, lambda: r_buf.normal_()), seeded(torch, lambda: t_buf.normal_()), want_randn)

    x1 = np.arange(4, dtype=np.float32).reshape(1, 4)
    x13 = np.arange(3, dtype=np.float32).reshape(1, 3)
    torch.manual_seed(0)
    tlin = torch.nn.Linear(4, 3)
    rlin = rt.nn.Linear(4, 3)
    rlin.load_state_dict({k: rt.from_numpy(v.detach().numpy().copy()) for k, v in tlin.state_dict().items()})
    W, bias = tlin.weight.detach().numpy(), tlin.bias.detach().numpy()
    libs = {}
    for name, lib in (("rt", rt), ("torch", torch)):
        libs[name] = dict(lib=lib, a=lib.from_numpy(a.copy()), b=lib.from_numpy(b.copy()),
                          p=lib.from_numpy(two_a.copy()), q=lib.from_numpy(two_b.copy()),
                          x43=lib.from_numpy(x43.copy()), i2=lib.from_numpy(i2.copy()),
                          x1=lib.from_numpy(x1.copy()), x13=lib.from_numpy(x13.copy()),
                          lin=rlin if name == "rt" else tlin)
    tiny = [
        ("x + y (2 elements)", lambda: two_a + two_b, lambda L: (lambda p=L["p"], q=L["q"]: p + q)),
        ("x[2] on (4, 3)", lambda: x43[2], lambda L: (lambda x=L["x43"]: x[2])),
        ("index_select on (4, 3), 2 indices", lambda: np.take(x43, i2, axis=0),
         lambda L: (lambda x=L["x43"], i=L["i2"], lib=L["lib"]: lib.index_select(x, 0, i))),
        ("x.view(3, 2)", lambda: a.reshape(3, 2), lambda L: (lambda x=L["a"]: x.view(3, 2))),
        ("x.reshape(6)", lambda: a.reshape(6), lambda L: (lambda x=L["a"]: x.reshape(6))),
        ("x.squeeze(0) on (1, 3)", lambda: x13.squeeze(0), lambda L: (lambda x=L["x13"]: x.squeeze(0))),
        ("x.unsqueeze(0)", lambda: a[None], lambda L: (lambda x=L["a"]: x.unsqueeze(0))),
        ("cat of two 2x3", lambda: np.concatenate([a, b]),
         lambda L: (lambda x=L["a"], y=L["b"], lib=L["lib"]: lib.cat([x, y]))),
        ("t.sum() on 2x3", lambda: a.sum(), lambda L: (lambda x=L["a"]: x.sum())),
        ("Linear(4, 3) on (1, 4)", lambda: x1 @ W.T + bias, lambda L: (lambda m=L["lin"], x=L["x1"]: m(x))),
        # beyond the list: a Python number as an operand
        ("x * 2 on 2x3", lambda: a * 2, lambda L: (lambda x=L["a"]: x * 2)),
        ("x + 1.0 on 2x3", lambda: a + 1.0, lambda L: (lambda x=L["a"]: x + 1.0)),
    ]
    for name, np_fn, make in tiny:
        yield ("tiny: " + name, "tiny", {"numpy": np_fn}, make(libs["rt"]), make(libs["torch"]),
               ("close", to_np(make(libs["torch"])())))


def _check(name, label, got, want):
    import numpy as np
    got = got.detach().numpy() if hasattr(got, "detach") else np.asarray(got)
    if isinstance(want, tuple):
        ok = got.shape == want[1].shape and np.allclose(got, want[1], rtol=1e-4, atol=1e-5)
    else:
        ok = got.shape == want.shape and np.array_equal(got, want)
    if not ok:
        raise AssertionError(f"{name}: {label} disagrees with PyTorch")


def child(threads, rounds, min_time, only, clock="wall"):
    _timing.use_clock(clock)
    if threads == "1":
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = "1"
    sys.path.insert(0, ROOT)
    import numpy as np
    import torch

    import reftorch as rt
    if threads == "1":
        torch.set_num_threads(1)
    load0 = os.getloadavg()
    rows = []
    for name, group, np_fns, rt_fn, t_fn, want in cases(np, rt, torch):
        if only and only not in name:
            continue
        for label, fn in [*np_fns.items(), ("reftorch", rt_fn), ("torch", t_fn)]:
            _check(name, label, fn(), want)
        big = group != "tiny"
        res = race({**{"np:" + k: f for k, f in np_fns.items()}, "reftorch": rt_fn, "torch": t_fn},
                   rounds if big else max(5, rounds // 2), min_time if not big else 0.0)
        np_best = min((k for k in res if k.startswith("np:")), key=res.get)
        rows.append(dict(name=name, group=group, numpy=res[np_best], numpy_formulation=np_best[3:],
                         reftorch=res["reftorch"], torch=res["torch"],
                         all_numpy={k[3:]: v for k, v in res.items() if k.startswith("np:")}))
        print(f"  [{threads}] {name}: rt {res['reftorch'] * 1e3:.3f} ms, torch {res['torch'] * 1e3:.3f} ms,"
              f" numpy {res[np_best] * 1e3:.3f} ms", file=sys.stderr, flush=True)
    info = dict(threads=threads, torch_threads=torch.get_num_threads(), load_start=load0,
                load_end=os.getloadavg(), numpy=np.__version__, torch=torch.__version__, rows=rows)
    print(json.dumps(info))


def _fmt(s):
    return f"{s * 1e6:.2f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms"


def table(runs):
    """Markdown table: one row per case, both settings side by side."""
    by = {r["threads"]: {row["name"]: row for row in r["rows"]} for r in runs}
    d, s = by.get("default", {}), by.get("1", {})
    lines = ["| workload | reftorch | PyTorch | bare NumPy (fastest) | rt / PyTorch | rt / NumPy "
             "| rt / PyTorch, 1 thread | rt / NumPy, 1 thread |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in (d or s):
        row, one = d.get(name), s.get(name)
        cells = [name]
        if row:
            cells += [_fmt(row["reftorch"]), _fmt(row["torch"]),
                      f"{_fmt(row['numpy'])} ({row['numpy_formulation']})",
                      f"{row['reftorch'] / row['torch']:.2f}x", f"{row['reftorch'] / row['numpy']:.2f}x"]
        else:
            cells += ["-"] * 5
        if one:
            cells += [f"{one['reftorch'] / one['torch']:.2f}x", f"{one['reftorch'] / one['numpy']:.2f}x"]
        else:
            cells += ["-", "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--min-time", type=float, default=0.05, help="seconds per round, tiny ops")
    ap.add_argument("--only", default="")
    ap.add_argument("--threads", choices=["both", "default", "1"], default="both")
    ap.add_argument("--clock", choices=sorted(_timing.CLOCKS), default="wall",
                    help="wall: time.perf_counter (default); cpu: the process's CPU time (time.process_time)")
    ap.add_argument("--write", action="store_true", help=f"write {os.path.relpath(RESULTS, ROOT)}")
    ap.add_argument("--child", choices=["default", "1"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.rounds, args.min_time, args.only, args.clock)
        return
    runs = []
    for threads in (["default", "1"] if args.threads == "both" else [args.threads]):
        cmd = [sys.executable, os.path.abspath(__file__), "--child", threads, "--rounds", str(args.rounds),
               "--min-time", str(args.min_time), "--only", args.only, "--clock", args.clock]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    print(table(runs))
    for r in runs:
        print(f"threads={r['threads']} (PyTorch {r['torch_threads']}): load average "
              f"{r['load_start'][0]:.1f} at start, {r['load_end'][0]:.1f} at end; clock: {args.clock}")
    if args.write:
        meta = dict(date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine=platform.machine(),
                    cpus=os.cpu_count(), python=platform.python_version(), clock=f"{args.clock}, best round")
        with open(RESULTS, "w") as f:
            json.dump(dict(meta=meta, runs=runs), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
