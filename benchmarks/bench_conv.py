"""Convolution, pooling and batch-norm benchmarks: reftorch against PyTorch CPU (issue 8).

Usage::

    python benchmarks/bench_conv.py [--repeats 15] [--only conv|lenet|bn|maxpool]
    python benchmarks/bench_conv.py --threads 1     # one mode only (default: both modes)

Without ``--threads`` the script runs itself twice: once with each library at its default
thread count, once single-threaded (the BLAS thread variables set to 1 before NumPy is
imported, ``torch.set_num_threads(1)``), and prints both tables.

Cases (float32, the same inputs for both libraries, targets from issue 8):

* ``conv``: ``Conv2d(3, 16, 3, padding=1)`` on (64, 3, 32, 32), forward + backward (≤ 2x);
* ``lenet``: one LeNet training step, batch 64 of 1x32x32: forward, cross-entropy,
  backward, ``optim.SGD(lr=0.01, momentum=0.9)`` step (≤ 2x);
* ``bn``: ``BatchNorm2d(16)`` in training mode on (64, 16, 32, 32), forward + backward (≤ 1.5x);
* ``maxpool``: ``MaxPool2d(2)`` on (64, 16, 32, 32), forward + backward (≤ 2x).

Each case is timed as the best of ``--repeats`` runs after a warm-up, alternating the two
libraries so both see the same machine load. Single-threaded runs use the process's CPU
time (``time.process_time``), which waiting for a busy CPU does not inflate; runs at the
default thread count use the wall clock (CPU time would add up the threads).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

TARGETS = {"conv": 2.0, "lenet": 2.0, "bn": 1.5, "maxpool": 2.0}


def _setup_threads(threads):
    if threads is not None:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(threads)


def lenet(T):
    nn = T.nn

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = T.nn.functional.max_pool2d(T.relu(self.conv1(x)), 2)
            x = T.nn.functional.max_pool2d(T.relu(self.conv2(x)), 2)
            x = x.view(x.size(0), -1)
            return self.fc3(T.relu(self.fc2(T.relu(self.fc1(x)))))
    return LeNet()


def make_cases(np):
    rng = np.random.default_rng(0)
    x_conv = rng.standard_normal((64, 3, 32, 32)).astype(np.float32)
    x_img = rng.standard_normal((64, 1, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    x_map = rng.standard_normal((64, 16, 32, 32)).astype(np.float32)

    def conv(T):
        T.manual_seed(0)
        m = T.nn.Conv2d(3, 16, 3, padding=1)
        x = T.from_numpy(x_conv).requires_grad_()

        def run():
            y = m(x)
            y.backward(T.ones_like(y))
        return run

    def lenet_step(T):
        T.manual_seed(0)
        model = lenet(T)
        opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = T.from_numpy(x_img), T.from_numpy(labels)
        loss_fn = T.nn.CrossEntropyLoss()

        def run():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        return run

    def bn(T):
        m = T.nn.BatchNorm2d(16)
        x = T.from_numpy(x_map).requires_grad_()

        def run():
            y = m(x)
            y.backward(T.ones_like(y))
        return run

    def maxpool(T):
        m = T.nn.MaxPool2d(2)
        x = T.from_numpy(x_map).requires_grad_()

        def run():
            y = m(x)
            y.backward(T.ones_like(y))
        return run

    return {"conv": conv, "lenet": lenet_step, "bn": bn, "maxpool": maxpool}


def run_mode(threads, repeats, only):
    _setup_threads(threads)
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import reftorch
    import torch
    if threads is not None:
        torch.set_num_threads(threads)
    label = f"{threads} thread" if threads else f"default threads (torch: {torch.get_num_threads()})"
    clock = time.process_time if threads == 1 else time.perf_counter
    print(f"## {label}, {'CPU time' if threads == 1 else 'wall clock'}, best of {repeats}\n")
    print("| case | reftorch | PyTorch | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    for name, make in make_cases(np).items():
        if only and only not in name:
            continue
        fns = {"reftorch": make(reftorch), "torch": make(torch)}
        best = {k: float("inf") for k in fns}
        for fn in fns.values():
            fn()  # warm-up
        for _ in range(repeats):
            for k, fn in fns.items():
                t0 = clock()
                fn()
                best[k] = min(best[k], clock() - t0)
        ratio = best["reftorch"] / best["torch"]
        ok = "ok" if ratio <= TARGETS[name] else "MISSED"
        print(f"| {name} | {best['reftorch'] * 1e3:.2f} ms | {best['torch'] * 1e3:.2f} ms | "
              f"**{ratio:.2f}x** | ≤ {TARGETS[name]}x {ok} |")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--only", default="")
    ap.add_argument("--threads", type=int, default=None, help="run one mode with this many threads")
    ap.add_argument("--default-threads", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.threads is not None or args.default_threads:
        run_mode(args.threads, args.repeats, args.only)
        return
    for extra in (["--default-threads"], ["--threads", "1"]):  # fresh processes: BLAS reads env at import
        subprocess.run([sys.executable, os.path.abspath(__file__), "--repeats", str(args.repeats),
                        "--only", args.only] + extra, check=True)


if __name__ == "__main__":
    main()
