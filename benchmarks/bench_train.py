"""One training step of a word-level language model: reftorch against PyTorch CPU (issue 7).

Model: ``Embedding(5000, 128)`` → ``LSTM(128, 256, num_layers=2, batch_first=True)`` →
``Linear(256, 5000)``; loss: cross entropy over every position; optimizer: ``Adam``
(lr 1e-3). Batch: 32 sequences of 50 token ids, targets the same shape. One step is
``zero_grad()``, forward, loss, ``backward()``, ``step()``.

Both libraries start from the same weights (PyTorch's initialisation, copied into
reftorch through ``load_state_dict``) and the same batch; before timing, the losses of
the first three steps are checked to agree (``rtol=1e-4``).

Timing: wall clock (``time.perf_counter``), ``--repeats`` rounds of ``--steps`` steps each
after two warm-up steps; the table shows the best round's time per step. Both libraries
run with ``--threads`` threads (default 1): PyTorch through ``torch.set_num_threads``,
NumPy's BLAS through ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``,
set before NumPy is imported. (On the 2-core shared machine of the figures, OpenBLAS with
its default thread count took 11 ms for one (32 x 256) @ (256 x 1024) product instead of
0.5 ms: its threads wait for cores busy with other work. That made the step 6x slower.)

Target: ≤ 1.5x PyTorch.

Run: ``python benchmarks/bench_train.py [--repeats 5] [--steps 3] [--threads 1]``.
"""
from __future__ import annotations

import argparse
import os
import sys

from _timing import best_of  # benchmarks/_timing.py (imports no NumPy)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

VOCAB, EMBED, HIDDEN, LAYERS, BATCH, SEQ = 5000, 128, 256, 2, 32, 50


def build(lib, state=None):
    nn = lib.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, HIDDEN, num_layers=LAYERS, batch_first=True)
            self.head = nn.Linear(HIDDEN, VOCAB)

        def forward(self, x):
            out, _ = self.lstm(self.embed(x))
            return self.head(out)

    lib.manual_seed(0)
    model = LM()
    if state is not None:
        model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in state.items()})
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x).reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        optimizer.step()
        return loss.item()

    return model, step


def time_steps(step, x, y, repeats, steps):
    """Seconds per step: the best of ``repeats`` rounds of ``steps`` steps (after two warm-up steps)."""
    step(x, y)
    return best_of(lambda: step(x, y), repeats, number=steps)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="threads for both libraries")
    args = ap.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    if "numpy" in sys.modules:
        raise RuntimeError("numpy was imported before its thread count could be set")

    import numpy as np
    import torch

    import reftorch
    torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    x_np = rng.integers(0, VOCAB, size=(BATCH, SEQ))
    y_np = rng.integers(0, VOCAB, size=(BATCH, SEQ))

    t_model, t_step = build(torch)
    state = {k: v.detach().numpy() for k, v in t_model.state_dict().items()}
    r_model, r_step = build(reftorch, state)
    tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)
    rx, ry = reftorch.from_numpy(x_np), reftorch.from_numpy(y_np)
    for _ in range(3):
        a, b = r_step(rx, ry), t_step(tx, ty)
        assert abs(a - b) <= 1e-4 * abs(b), (a, b)

    r = time_steps(r_step, rx, ry, args.repeats, args.steps)
    t = time_steps(t_step, tx, ty, args.repeats, args.steps)
    print(f"one training step, batch ({BATCH}, {SEQ}), PyTorch threads: {torch.get_num_threads()}, "
          f"best of {args.repeats} rounds of {args.steps} steps")
    print("| step | reftorch ms | PyTorch ms | ratio | target 1.5x |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| Embedding → LSTM(2 layers) → Linear → cross entropy → Adam | {r * 1e3:.0f} | {t * 1e3:.0f} | "
          f"{r / t:.2f}x | {'ok' if r <= 1.5 * t else 'MISS'} |")


if __name__ == "__main__":
    main()
