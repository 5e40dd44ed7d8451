"""DataLoader throughput: reftorch against PyTorch, same dataset, same run.

Usage::

    python benchmarks/bench_dataloader.py [--repeats 5] [--batch-size 32]

For each per-sample cost (about 50 us and 250 us of pure-Python CPU work in
``__getitem__``) and each ``num_workers`` in 0, 1, 2, samples per second are measured
two ways, best of ``--repeats`` epochs, alternating reftorch and PyTorch epoch by epoch
so that both see the same machine load:

* **steady**: one loader per library with ``persistent_workers=True`` (when there are
  workers), one warm-up epoch, then timed epochs -- the throughput of a training run;
* **cold**: a new loader for every epoch, worker start-up and shutdown included.

Each sample is a float32 NumPy array of 64 values and an int label, collated by each
library's ``default_collate``.

Targets (issue 4): reftorch >= 0.9x PyTorch at every setting; 2 workers never slower than
0; at 250 us per sample, 2 workers >= 1.4x faster than 0 on a 2-core machine.  On a
shared machine the worker rows depend on how busy the other processes keep the cores;
the load average is printed before and after.
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


def epoch_seconds(loader) -> float:
    """Time one full pass over ``loader``."""
    start = time.perf_counter()
    count = 0
    for x, y in loader:
        count += len(y)
    elapsed = time.perf_counter() - start
    assert count == len(loader.dataset)
    return elapsed


def measure(engines, dataset, workers: int, batch_size: int, repeats: int, steady: bool) -> dict:
    """Best samples/s of each engine over ``repeats`` alternating epochs."""

    def make(module):
        return module.DataLoader(dataset, batch_size=batch_size, num_workers=workers,
                                 persistent_workers=steady and workers > 0)

    loaders = {name: make(module) for name, module in engines} if steady else {}
    if steady:
        for loader in loaders.values():
            epoch_seconds(loader)  # warm-up: start the workers
    best = {name: float("inf") for name, _ in engines}
    for _ in range(repeats):
        for name, module in engines:
            loader = loaders[name] if steady else make(module)
            best[name] = min(best[name], epoch_seconds(loader))
    loaders.clear()
    return {name: len(dataset) / seconds for name, seconds in best.items()}


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    engines = [("reftorch", rdata)] + ([("torch", tdata)] if tdata is not None else [])
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cpus available: {cpus}, batch size {args.batch_size}, best of {args.repeats}, "
          f"load average {load_average()}")
    header = f"{'mode':>6} {'cost':>6} {'workers':>7} " + " ".join(f"{name + ' samples/s':>18}" for name, _ in engines)
    print(header + f" {'ratio':>6}")
    results = {}
    for steady in (True, False):
        mode = "steady" if steady else "cold"
        for cost_us, n in [(50, 4096), (250, 1024)]:
            dataset = BusyDataset(n, cost_us)
            for workers in (0, 1, 2):
                rates = measure(engines, dataset, workers, args.batch_size, args.repeats, steady)
                results[(mode, cost_us, workers)] = rates
                ratio = rates["reftorch"] / rates["torch"] if "torch" in rates else float("nan")
                print(f"{mode:>6} {cost_us:>4}us {workers:>7} "
                      + " ".join(f"{rates[name]:>18,.0f}" for name, _ in engines) + f" {ratio:>6.2f}")
    for mode in ("steady", "cold"):
        for cost_us in (50, 250):
            for name, _ in engines:
                speedup = results[(mode, cost_us, 2)][name] / results[(mode, cost_us, 0)][name]
                print(f"{mode}: {name} 2 workers vs 0 at {cost_us}us/sample: {speedup:.2f}x")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
