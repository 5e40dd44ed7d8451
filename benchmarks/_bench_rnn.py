"""The RNN/LSTM/GRU section of ``bench_nn.py`` (issue 3).

Two layers, hidden size 256 (input size 256), batch 32, sequence length 50, float32:

* forward: ``model(x)`` under ``no_grad``;
* forward + backward: ``output.sum().backward()`` into every weight (``.grad`` reset to
  ``None`` before each run).

Targets: RNN and GRU within 1.5x of PyTorch CPU, LSTM within 2x (PyTorch fuses the LSTM
cell, through oneDNN on x86).
"""
from __future__ import annotations

import numpy as np

LAYERS, HIDDEN, INPUT, BATCH, SEQ = 2, 256, 256, 32, 50


def rnn_cases(compare, repeats: int, rows: list) -> None:
    """Append the RNN/LSTM/GRU rows to ``rows`` using bench_nn's ``compare``."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)

    for kind in ("RNN", "GRU", "LSTM"):
        def make(lib, backward, kind=kind):
            lib.manual_seed(0)
            model = getattr(lib.nn, kind)(INPUT, HIDDEN, num_layers=LAYERS)
            x = lib.tensor(x_np)

            def fwd():
                with lib.no_grad():
                    model(x)

            def fwd_bwd():
                for p in model.parameters():
                    p.grad = None
                out, _ = model(x)
                out.sum().backward()

            return fwd_bwd if backward else fwd

        label = f"{kind} forward ({LAYERS} layers, H={HIDDEN}, B={BATCH}, T={SEQ})"
        compare(label, lambda lib: make(lib, False), repeats, rows)
        compare(f"{kind} forward+backward", lambda lib: make(lib, True), repeats, rows)
