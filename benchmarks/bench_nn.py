"""nn benchmarks: reftorch against PyTorch CPU, same inputs, same run.

Usage::

    python benchmarks/bench_nn.py [--repeats 20] [--only embedding|rnn|activations]

Each case is timed as the best of ``--repeats`` runs (after a warm-up), alternating
reftorch and PyTorch so both see the same machine load; the ratio is reftorch / PyTorch
(below 1 means reftorch is faster). Both libraries run single-threaded
(``torch.set_num_threads(1)``; NumPy's BLAS is limited the same way through the usual
environment variables when set) unless ``--threads`` says otherwise.

* Embedding (issue 3): a 50,000 x 256 float32 table, 64 x 128 int64 indices; forward, and
  forward + backward of ``out.sum()``. Target: forward + backward no slower than PyTorch.
* Activations on 2**20 float32 values (GELU, erf, leaky ReLU, sigmoid, SiLU, ELU, smooth L1),
  no target: where NumPy's formulations stand.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import best, race  # benchmarks/_timing.py

import reftorch  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def compare(name: str, make_fn, repeats: int, rows: list) -> None:
    """Time ``make_fn(lib)()`` for reftorch and torch, alternating, and record the ratio."""
    libs = [("reftorch", reftorch)] + ([("torch", torch)] if torch is not None else [])
    times = best(race({label: make_fn(lib) for label, lib in libs}, repeats, gc_off=False))
    ratio = times["reftorch"] / times["torch"] if "torch" in times else float("nan")
    rows.append((name, times["reftorch"], times.get("torch", float("nan")), ratio))


# --------------------------------------------------------------------------- Embedding
EMB_ROWS, EMB_DIM, EMB_BATCH, EMB_SEQ = 50_000, 256, 64, 128


def embedding_cases(repeats: int, rows: list) -> None:
    rng = np.random.default_rng(0)
    table = rng.standard_normal((EMB_ROWS, EMB_DIM)).astype(np.float32)
    ids = rng.integers(0, EMB_ROWS, (EMB_BATCH, EMB_SEQ))

    def make(lib, backward):
        emb = lib.nn.Embedding(EMB_ROWS, EMB_DIM)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(table))
        x = lib.tensor(ids)

        def fwd():
            with lib.no_grad():
                emb(x)

        def fwd_bwd():
            emb.weight.grad = None
            emb(x).sum().backward()

        return fwd_bwd if backward else fwd

    compare("Embedding forward (50000x256, 64x128 ids)", lambda lib: make(lib, False), repeats, rows)
    compare("Embedding forward+backward", lambda lib: make(lib, True), repeats, rows)


# --------------------------------------------------------------------------- activations
ACT_SHAPE = (1024, 1024)  # 2**20 float32 values: an activation of a mid-sized layer


def activation_cases(repeats: int, rows: list) -> None:
    """Elementwise functions on 2**20 float32 values (standard normal), forward under
    ``no_grad``; GELU also forward + backward. These are where NumPy's formulations lose
    most (see benchmarks/README.md, "Large tensors")."""
    data = np.random.default_rng(0).standard_normal(ACT_SHAPE).astype(np.float32)
    cases = [("F.gelu", lambda F, x, y: F.gelu(x)), ("torch.erf", lambda F, x, y: x.erf()),
             ("F.leaky_relu", lambda F, x, y: F.leaky_relu(x)), ("F.sigmoid", lambda F, x, y: F.sigmoid(x)),
             ("F.silu", lambda F, x, y: F.silu(x)), ("F.elu", lambda F, x, y: F.elu(x)),
             ("F.smooth_l1_loss", lambda F, x, y: F.smooth_l1_loss(x, y))]

    def make(lib, fn):
        x, y = lib.tensor(data), lib.tensor(data[::-1].copy())

        def run():
            with lib.no_grad():
                fn(lib.nn.functional, x, y)
        return run

    for name, fn in cases:
        compare(f"{name} (1024x1024)", lambda lib, fn=fn: make(lib, fn), repeats, rows)

    def make_bwd(lib):
        x = lib.tensor(data, requires_grad=True)

        def run():
            x.grad = None
            lib.nn.functional.gelu(x).sum().backward()
        return run

    compare("F.gelu forward+backward (1024x1024)", make_bwd, repeats, rows)


SECTIONS = {"embedding": embedding_cases, "activations": activation_cases}
from _bench_rnn import rnn_cases  # noqa: E402  (RNN/LSTM/GRU section, benchmarks/_bench_rnn.py)

SECTIONS["rnn"] = lambda repeats, rows: rnn_cases(compare, repeats, rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--only", choices=sorted(SECTIONS), default=None)
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(args.threads)
    rows: list = []
    for key, run in SECTIONS.items():
        if args.only is None or args.only == key:
            run(args.repeats, rows)
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'reftorch ms':>11}  {'torch ms':>9}  {'ratio':>6}")
    for name, r, t, ratio in rows:
        print(f"{name:<{width}}  {r * 1e3:11.2f}  {t * 1e3:9.2f}  {ratio:6.2f}")


if __name__ == "__main__":
    main()
