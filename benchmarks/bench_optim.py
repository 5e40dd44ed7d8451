"""``Adam.step()`` on 10 M float32 parameters in 20 tensors: reftorch against PyTorch.

Usage::

    python benchmarks/bench_optim.py [--repeats 7] [--numel 10000000] [--tensors 20]

Both libraries get the same parameters and gradients (``from_numpy``) and one warm-up step
(which creates the state); then ``--repeats`` rounds of one ``step()`` each, alternating the
libraries round by round, and the best round is reported (wall clock, ``time.perf_counter``:
PyTorch's default uses several threads, so process CPU time would not compare).

Two settings: each library at its default threads (PyTorch: ``torch.get_num_threads()``,
each kernel split over the threads; reftorch: one NumPy thread per parameter at a time, the
parameters spread over a pool with one thread per available core), and both on one thread
(``torch.set_num_threads(1)``; reftorch's pool switched off through
``reftorch.optim.optimizer.PARALLEL_MIN_NUMEL``). PyTorch runs its default CPU path, which is the
single-tensor (``foreach=False``) update, the one reftorch mirrors.

Target (issue 7): reftorch <= 1.5x PyTorch.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import best, race  # benchmarks/_timing.py

import reftorch
from reftorch.optim import optimizer as ref_optimizer

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def build(lib, inits, grads):
    params = [lib.nn.Parameter(lib.from_numpy(a.copy())) for a in inits]
    for p, g in zip(params, grads):
        p.grad = lib.from_numpy(g.copy())
    opt = lib.optim.Adam(params, lr=1e-3)
    opt.step()  # warm-up: creates exp_avg / exp_avg_sq
    return opt


def best_of(opts, repeats):
    """The best of ``repeats`` rounds of one ``step()`` per optimizer, the optimizers in turn."""
    return best(race({name: opt.step for name, opt in opts.items()}, repeats, number=1, gc_off=False))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--numel", type=int, default=10_000_000)
    ap.add_argument("--tensors", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = args.numel // args.tensors
    inits = [rng.standard_normal(n, dtype=np.float32) for _ in range(args.tensors)]
    grads = [rng.standard_normal(n, dtype=np.float32) for _ in range(args.tensors)]
    print(f"Adam.step() on {args.tensors} x {n:,} float32 = {args.tensors * n:,} parameters; "
          f"best of {args.repeats}; load average {os.getloadavg()[0]:.2f}")
    opts = {"reftorch": build(reftorch, inits, grads)}
    rows = []
    if torch is not None:
        threads = torch.get_num_threads()
        opts["torch"] = build(torch, inits, grads)
        best = best_of(opts, args.repeats)
        rows.append((f"default threads ({ref_optimizer._threads()} / {threads})", best["reftorch"], best["torch"]))
        torch.set_num_threads(1)
        saved, ref_optimizer.PARALLEL_MIN_NUMEL = ref_optimizer.PARALLEL_MIN_NUMEL, float("inf")
        best = best_of(opts, args.repeats)
        rows.append(("single thread (1 / 1)", best["reftorch"], best["torch"]))
        torch.set_num_threads(threads)
        ref_optimizer.PARALLEL_MIN_NUMEL = saved
    else:
        best = best_of(opts, args.repeats)
        rows.append(("reftorch only", best["reftorch"], float("nan")))
    print(f"{'setting (threads: reftorch / torch)':<36} {'reftorch ms':>12} {'torch ms':>10} {'rt/torch':>9}")
    for name, r, t in rows:
        print(f"{name:<36} {r * 1e3:12.1f} {t * 1e3:10.1f} {r / t:9.2f}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
