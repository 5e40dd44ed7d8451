"""DataLoader throughput: reftorch against PyTorch, same dataset, same run.

Usage::

    python benchmarks/bench_dataloader.py [--repeats 3] [--batch-size 32]

For each per-sample cost (about 50 us and 250 us of pure-Python CPU work in
``__getitem__``) and each ``num_workers`` in 0, 1, 2, one epoch is timed, worker start-up
and shutdown included, best of ``--repeats``; reftorch and PyTorch runs alternate so that
both see the same machine load.  Each sample is a float32 NumPy array of 64 values and an
int label, collated by each library's ``default_collate``.

Targets (issue 4): reftorch >= 0.9x PyTorch at every setting; 2 workers never slower than
0; at 250 us per sample, 2 workers >= 1.4x faster than 0 on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import reftorch  # noqa: E402
import reftorch.utils.data as rdata  # noqa: E402

try:
    import torch
    import torch.utils.data as tdata
except ImportError:  # pragma: no cover
    torch = tdata = None


class BusyDataset:
    """``n`` samples, each costing ``cost_us`` microseconds of CPU before it is returned."""

    def __init__(self, n: int, cost_us: float):
        self.n = n
        self.cost = cost_us * 1e-6
        self.features = np.random.default_rng(0).standard_normal((n, 64)).astype(np.float32)

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        end = time.perf_counter() + self.cost
        while time.perf_counter() < end:  # stands for decoding/augmentation work
            pass
        return self.features[i], i % 10


def epoch_seconds(data_module, dataset, num_workers: int, batch_size: int) -> float:
    loader = data_module.DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=num_workers)
    start = time.perf_counter()
    count = 0
    for x, y in loader:
        count += len(y)
    elapsed = time.perf_counter() - start
    assert count == len(dataset)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    engines = [("reftorch", rdata)] + ([("torch", tdata)] if tdata is not None else [])
    print(f"cpus available: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}"
          f", batch size {args.batch_size}, best of {args.repeats}")
    print(f"{'cost/sample':>11} {'workers':>7} " + " ".join(f"{name + ' samples/s':>18}" for name, _ in engines)
          + f" {'ratio':>6}")
    results = {}
    for cost_us, n in [(50, 6144), (250, 2048)]:
        dataset = BusyDataset(n, cost_us)
        for workers in (0, 1, 2):
            best = {name: float("inf") for name, _ in engines}
            for _ in range(args.repeats):
                for name, module in engines:  # alternate engines within each repeat
                    best[name] = min(best[name], epoch_seconds(module, dataset, workers, args.batch_size))
            rates = {name: n / best[name] for name in best}
            results[(cost_us, workers)] = rates
            ratio = rates["reftorch"] / rates["torch"] if "torch" in rates else float("nan")
            print(f"{cost_us:>9}us {workers:>7} " + " ".join(f"{rates[name]:>18,.0f}" for name, _ in engines)
                  + f" {ratio:>6.2f}")
    for cost_us in (50, 250):
        speedup = results[(cost_us, 2)]["reftorch"] / results[(cost_us, 0)]["reftorch"]
        print(f"reftorch 2 workers vs 0 at {cost_us}us/sample: {speedup:.2f}x")


if __name__ == "__main__":
    main()
