"""Core data-movement ops and per-call overhead: reftorch vs bare NumPy vs PyTorch CPU.

Usage::

    python benchmarks/bench_core.py [--quick] [--json] [--repeats N]

Issue 2, section 5 ("Speed"). In one run this times, on the same inputs:

* data movement, at about 10^3, 10^5 and 10^7 float32 elements (32x32, 320x320 and
  3200x3200; ``--quick`` stops at 10^5 and repeats less): ``cat`` of 2 and 8 inputs along
  dims 0 and -1, ``reshape`` of a transposed tensor (a copy), ``index_select`` along dims 0
  and 1, ``gather`` along dims 0 and -1. Each reftorch time is compared with the *fastest*
  bare-NumPy formulation of the same operation (several are timed and the best one is
  named in the table, e.g. ``gather`` as a flat ``np.take`` with offsets computed per call
  rather than ``np.take_along_axis``) and with PyTorch. Target: reftorch / NumPy <= 1.3.
* view ops: ``view``, ``reshape`` (contiguous), ``squeeze`` and ``unsqueeze`` at the same
  sizes. Target: O(1) -- the result shares memory with the input (``np.shares_memory``)
  and the time does not grow with the size (largest / smallest <= 2).
* per-call overhead of tiny ops on 2x3 float32 tensors, in microseconds: ``x.view(3, 2)``,
  ``x.squeeze()``, ``x + y``, ``x[0]``, ``torch.cat([a, b])``. Target: reftorch / PyTorch
  <= 2.

Timing: every case runs its NumPy, reftorch and PyTorch versions in turn, ``--repeats``
rounds, each round a loop long enough to last a few milliseconds (20 ms; 2 ms with
``--quick``); the figure is the best round (the median is kept in the JSON). By default
the clock is the process's CPU time (``time.process_time``: user + system, so page faults
of fresh results count), which a busy machine disturbs much less than the wall clock;
``--timer wall`` uses ``time.perf_counter``. Everything runs single-threaded: PyTorch
through ``torch.set_num_threads(1)``, NumPy's copy and take kernels are single-threaded
anyway. The machine's load average is printed: on a shared machine compare ratios, not
absolute times. PyTorch columns are
left empty when torch is not installed. ``--json`` also writes
``benchmarks/results/core-<UTC date>.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import _timing  # benchmarks/_timing.py
from _timing import best_and_median

import reftorch as rt  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

DATA_TARGET = 1.3    # reftorch / fastest NumPy, data-movement ops
TINY_TARGET = 2.0    # reftorch / PyTorch, per-call overhead of tiny ops
O1_TARGET = 2.0      # time at the largest size / time at the smallest, view ops


# ---------------------------------------------------------------------------- timing
def race(fns: dict, repeats: int, min_time: float) -> dict:
    """Time each ``fns[label]()`` in turn, ``repeats`` rounds; {label: (best, median)} in s."""
    return best_and_median(_timing.race(fns, repeats, min_time))


def race_formulations(np_fns: dict, others: dict, repeats: int, min_time: float):
    """Race every NumPy formulation and the library versions together.

    Returns (best NumPy label, {label: (best, median)}).
    """
    res = race({**{"np:" + k: f for k, f in np_fns.items()}, **others}, repeats, min_time)
    best = min((k for k in res if k.startswith("np:")), key=lambda k: res[k][0])
    return best[3:], res


# ---------------------------------------------------------------------------- inputs
def sizes(quick):
    return [32, 320] if quick else [32, 320, 3200]   # n x n float32: ~10^3, 10^5, 10^7


def _rng():
    return np.random.default_rng(0)


def to_rt(a):
    return rt.from_numpy(a)


def to_torch(a):
    return torch.from_numpy(a) if torch is not None else None


def _same(ref, *outs):
    for o in outs:
        if o is None:
            continue
        arr = o.numpy() if hasattr(o, "numpy") else o
        if arr.shape != ref.shape or not np.array_equal(arr, ref):
            raise AssertionError("implementations disagree")


# ---------------------------------------------------------------------------- NumPy formulations
def np_gather_offsets(x, idx, dim, mode="raise"):
    """gather as a flat take: offsets computed per call (one temporary, updated in place).
    ``mode="clip"`` skips NumPy's bounds check of the offsets (valid indices assumed)."""
    n0, n1 = idx.shape
    s0 = x.shape[1]
    if dim == 0:
        off = idx * s0
        off += np.arange(n1)
    else:
        off = (np.arange(n0) * s0)[:, None] + idx
    return np.take(x.reshape(-1), off, mode=mode)


def np_cat_prealloc(arrays, axis):
    """cat by filling a preallocated array slice by slice."""
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = np.empty(shape, arrays[0].dtype)
    start = 0
    for a in arrays:
        stop = start + a.shape[axis]
        if axis == 0:
            out[start:stop] = a
        else:
            out[:, start:stop] = a
        start = stop
    return out


# ---------------------------------------------------------------------------- cases
def data_cases(n, rng):
    """(name, NumPy formulations, reftorch fn, torch fn, reference check) at n x n."""
    cases = []
    x = rng.standard_normal((n, n), dtype=np.float32)
    rx, tx = to_rt(x), to_torch(x)

    for k in (2, 8):
        for dim in (0, -1):
            shape = (n // k, n) if dim == 0 else (n, n // k)
            arrs = [rng.standard_normal(shape, dtype=np.float32) for _ in range(k)]
            ra = [to_rt(a) for a in arrs]
            ta = [to_torch(a) for a in arrs] if torch is not None else None
            cases.append((
                f"cat {k} inputs dim {dim}",
                {"concatenate": lambda arrs=arrs, dim=dim: np.concatenate(arrs, axis=dim),
                 "prealloc+slices": lambda arrs=arrs, dim=dim: np_cat_prealloc(arrs, dim)},
                lambda ra=ra, dim=dim: rt.cat(ra, dim),
                (lambda ta=ta, dim=dim: torch.cat(ta, dim)) if torch is not None else None,
            ))

    xt_np = x.T
    rxt = rx.t()
    txt = tx.t() if torch is not None else None
    cases.append((
        "reshape of x.t() (copy)",
        {"reshape": lambda: xt_np.reshape(-1),
         "ascontiguousarray": lambda: np.ascontiguousarray(xt_np).reshape(-1),
         "copyto": lambda: _copyto(xt_np)},
        lambda: rxt.reshape(-1),
        (lambda: txt.reshape(-1)) if torch is not None else None,
    ))

    idx1 = rng.integers(0, n, size=n, dtype=np.int64)
    ri1, ti1 = to_rt(idx1), to_torch(idx1)
    for dim in (0, 1):
        cases.append((
            f"index_select dim {dim}",
            {"take(axis=)": lambda dim=dim: np.take(x, idx1, axis=dim),
             "fancy index": (lambda: x[idx1]) if dim == 0 else (lambda: x[:, idx1])},
            lambda dim=dim: rt.index_select(rx, dim, ri1),
            (lambda dim=dim: torch.index_select(tx, dim, ti1)) if torch is not None else None,
        ))

    idx2 = rng.integers(0, n, size=(n, n), dtype=np.int64)
    ri2, ti2 = to_rt(idx2), to_torch(idx2)
    for dim in (0, -1):
        d = dim % 2
        cases.append((
            f"gather dim {dim}",
            {"take(flat, offsets)": lambda d=d: np_gather_offsets(x, idx2, d),
             "take(flat, offsets, clip)": lambda d=d: np_gather_offsets(x, idx2, d, "clip"),
             "take_along_axis": lambda d=d: np.take_along_axis(x, idx2, axis=d)},
            lambda dim=dim: rt.gather(rx, dim, ri2),
            (lambda dim=dim: torch.gather(tx, dim, ti2)) if torch is not None else None,
        ))
    return cases


def _copyto(a):
    out = np.empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out.reshape(-1)


def view_cases(n, rng):
    """(name, NumPy fn, reftorch fn, torch fn, base array, reftorch result fn)."""
    x = rng.standard_normal((n, n), dtype=np.float32)
    x3 = x.reshape(n, 1, n)
    rx, tx = to_rt(x), to_torch(x)
    rx3, tx3 = to_rt(x3), to_torch(x3)
    half = n * n // 2
    T = torch is not None
    return [
        ("view(n*n/2, 2)", lambda: x.reshape(half, 2), lambda: rx.view(half, 2),
         (lambda: tx.view(half, 2)) if T else None, x, lambda: rx.view(half, 2)),
        ("reshape(-1) contiguous", lambda: x.reshape(-1), lambda: rx.reshape(-1),
         (lambda: tx.reshape(-1)) if T else None, x, lambda: rx.reshape(-1)),
        ("squeeze(1) of n x 1 x n", lambda: x3.squeeze(1), lambda: rx3.squeeze(1),
         (lambda: tx3.squeeze(1)) if T else None, x3, lambda: rx3.squeeze(1)),
        ("unsqueeze(1)", lambda: x[:, None], lambda: rx.unsqueeze(1),
         (lambda: tx.unsqueeze(1)) if T else None, x, lambda: rx.unsqueeze(1)),
    ]


def tiny_cases():
    """Per-call overhead on 2 x 3 float32 tensors."""
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = x + 1
    out = []
    for lib_name, lib, conv in (("reftorch", rt, to_rt), ("torch", torch, to_torch)):
        if lib is None:
            continue
        tx, ty = conv(x.copy()), conv(y.copy())
        out.append((lib_name, {
            "x.view(3, 2)": lambda tx=tx: tx.view(3, 2),
            "x.squeeze()": lambda tx=tx: tx.squeeze(),
            "x + y": lambda tx=tx, ty=ty: tx + ty,
            "x[0]": lambda tx=tx: tx[0],
            "cat([a, b])": lambda tx=tx, ty=ty, lib=lib: lib.cat([tx, ty]),
        }))
    np_fns = {
        "x.view(3, 2)": lambda: x.reshape(3, 2),
        "x.squeeze()": lambda: x.squeeze(),
        "x + y": lambda: x + y,
        "x[0]": lambda: x[0],
        "cat([a, b])": lambda: np.concatenate([x, y]),
    }
    return np_fns, dict(out)


# ---------------------------------------------------------------------------- formatting
def fmt_t(s):
    if s != s:  # nan
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e3:.2f} ms"


def fmt_r(r):
    return "-" if r != r else f"{r:.2f}x"


def mark(ok):
    return "ok" if ok else "MISS"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 10^5 and fewer repeats (a few seconds)")
    ap.add_argument("--json", action="store_true", help="write benchmarks/results/core-<date>.json")
    ap.add_argument("--only", default=None, help="run only the cases whose name contains this text")
    ap.add_argument("--timer", choices=("cpu", "wall"), default="cpu",
                    help="this process's CPU time (default: steady on a shared machine, equal to the "
                         "wall time of a single-threaded run on an idle one) or the wall clock")
    ap.add_argument("--repeats", type=int, default=None, help="rounds per case (default 7, 3 with --quick)")
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    _timing.use_clock(args.timer)
    want = (lambda name: args.only is None or args.only in name)
    min_time = 0.002 if args.quick else 0.02
    if torch is not None:
        torch.set_num_threads(1)
    rng = _rng()
    t_start = time.time()
    load0 = os.getloadavg()
    print(f"reftorch vs NumPy {np.__version__} vs "
          f"{'PyTorch ' + torch.__version__ if torch is not None else 'no PyTorch'} "
          f"(1 thread) | Python {platform.python_version()} | {os.cpu_count()} CPUs | "
          f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    print(f"best of {repeats} rounds, {args.timer} time; ratios < 1 mean reftorch is faster\n")
    result = {"meta": {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "numpy": np.__version__, "torch": torch.__version__ if torch is not None else None,
        "python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
        "commit": _git_commit(), "repeats": repeats, "timer": args.timer, "quick": args.quick,
        "load_average_start": load0,
        "targets": {"data_vs_numpy": DATA_TARGET, "tiny_vs_torch": TINY_TARGET, "view_o1": O1_TARGET},
    }, "data": [], "views": [], "tiny": []}

    # ---- data movement
    hdr = (f"{'op':<26}{'elements':>10}  {'numpy (fastest formulation)':<36}{'reftorch':>10}"
           f"{'torch':>10}{'rt/np':>8}{'rt/torch':>9}  target<={DATA_TARGET}x")
    print("Data movement (float32)")
    print(hdr)
    print("-" * len(hdr))
    for n in sizes(args.quick):
        for name, np_fns, rt_fn, t_fn, in data_cases(n, rng):
            if not want(name):
                continue
            ref = next(iter(np_fns.values()))()
            _same(ref, *(f() for f in np_fns.values()), rt_fn(), t_fn() if t_fn else None)
            others = {"reftorch": rt_fn}
            if t_fn is not None:
                others["torch"] = t_fn
            best_np, res = race_formulations(np_fns, others, repeats, min_time)
            t_np, t_rt = res["np:" + best_np][0], res["reftorch"][0]
            t_t = res["torch"][0] if "torch" in res else float("nan")
            r_np, r_t = t_rt / t_np, t_rt / t_t
            print(f"{name:<26}{n * n:>10}  {fmt_t(t_np) + ' ' + best_np:<36}{fmt_t(t_rt):>10}"
                  f"{fmt_t(t_t):>10}{fmt_r(r_np):>8}{fmt_r(r_t):>9}  {mark(r_np <= DATA_TARGET)}")
            result["data"].append({
                "op": name, "elements": n * n, "numpy_best": best_np,
                "numpy_s": {k[3:]: v[0] for k, v in res.items() if k.startswith("np:")},
                "numpy_median_s": {k[3:]: v[1] for k, v in res.items() if k.startswith("np:")},
                "reftorch_s": t_rt, "reftorch_median_s": res["reftorch"][1],
                "torch_s": None if t_fn is None else t_t,
                "torch_median_s": res["torch"][1] if "torch" in res else None,
                "ratio_numpy": r_np, "ratio_torch": None if t_fn is None else r_t,
                "target_met": r_np <= DATA_TARGET})
        print()

    # ---- view ops: O(1)
    print(f"View ops (float32): O(1) = shares memory and time(largest)/time(smallest) <= {O1_TARGET}")
    hdr = (f"{'op':<26}{'elements':>10}  {'numpy':>10}{'reftorch':>10}{'torch':>10}"
           f"{'rt/np':>8}{'rt/torch':>9}  shares_memory")
    print(hdr)
    print("-" * len(hdr))
    per_op = {}
    for n in sizes(args.quick):
        for name, np_fn, rt_fn, t_fn, base, rt_res in view_cases(n, rng):
            if not want(name):
                continue
            out = rt_res()
            shares = bool(np.shares_memory(out.numpy(), base))
            fns = {"numpy": np_fn, "reftorch": rt_fn}
            if t_fn is not None:
                fns["torch"] = t_fn
            res = race(fns, repeats, min_time)
            t_np, t_rt = res["numpy"][0], res["reftorch"][0]
            t_t = res["torch"][0] if "torch" in res else float("nan")
            print(f"{name:<26}{n * n:>10}  {fmt_t(t_np):>10}{fmt_t(t_rt):>10}{fmt_t(t_t):>10}"
                  f"{fmt_r(t_rt / t_np):>8}{fmt_r(t_rt / t_t):>9}  {shares}")
            per_op.setdefault(name, []).append((n * n, t_rt, shares))
            result["views"].append({
                "op": name, "elements": n * n, "numpy_s": t_np, "reftorch_s": t_rt,
                "reftorch_median_s": res["reftorch"][1],
                "torch_s": None if t_fn is None else t_t, "shares_memory": shares})
    print()
    o1 = {}
    for name, rows in per_op.items():
        growth = rows[-1][1] / rows[0][1]
        ok = growth <= O1_TARGET and all(s for _, _, s in rows)
        o1[name] = {"growth": growth, "shares_memory": all(s for _, _, s in rows), "target_met": ok}
        print(f"  {name:<26} time {rows[-1][0]:.0e} / {rows[0][0]:.0e} elements = {growth:.2f}x, "
              f"shares memory at every size: {all(s for _, _, s in rows)}  {mark(ok)}")
    result["o1"] = o1
    print()

    # ---- tiny-op overhead
    np_fns, lib_fns = tiny_cases()
    print(f"Per-call overhead, 2x3 float32 (us per call), target reftorch/torch <= {TINY_TARGET}x")
    hdr = f"{'op':<16}{'numpy':>9}{'reftorch':>10}{'torch':>9}{'rt/np':>8}{'rt/torch':>9}  target"
    print(hdr)
    print("-" * len(hdr))
    for op in np_fns:
        if not want(op):
            continue
        fns = {"numpy": np_fns[op], **{lib: fns[op] for lib, fns in lib_fns.items()}}
        res = race(fns, repeats, min_time)
        t_np, t_rt = res["numpy"][0], res["reftorch"][0]
        t_t = res["torch"][0] if "torch" in res else float("nan")
        r_t = t_rt / t_t
        print(f"{op:<16}{t_np * 1e6:>9.2f}{t_rt * 1e6:>10.2f}{('-' if t_t != t_t else f'{t_t * 1e6:.2f}'):>9}{t_rt / t_np:>8.1f}"
              f"{fmt_r(r_t):>9}  {mark(r_t <= TINY_TARGET) if t_t == t_t else '-'}")
        result["tiny"].append({"op": op, "numpy_us": t_np * 1e6, "reftorch_us": t_rt * 1e6,
                               "reftorch_median_us": res["reftorch"][1] * 1e6,
                               "torch_us": None if t_t != t_t else t_t * 1e6,
                               "ratio_torch": None if t_t != t_t else r_t,
                               "target_met": None if t_t != t_t else r_t <= TINY_TARGET})

    load1 = os.getloadavg()
    result["meta"]["load_average_end"] = load1
    result["meta"]["seconds"] = round(time.time() - t_start, 1)
    print(f"\nload average at the end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; "
          f"{time.time() - t_start:.0f} s")
    if args.json:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        path = os.path.join(HERE, "results", f"core-{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d}.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
        print(f"wrote {os.path.relpath(path)}")
    return result


def _git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, timeout=5).stdout.strip() or None
    except Exception:  # noqa: BLE001 - metadata only
        return None


if __name__ == "__main__":
    main()
