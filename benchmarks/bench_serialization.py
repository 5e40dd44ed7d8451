"""Save and load of a 100 MB state_dict: reftorch against PyTorch CPU (issue 7).

The state_dict holds 25 float32 tensors of 1,000 x 1,000 (4 MB each, 100 MB in all),
plus a view sharing the first tensor's storage. Each library saves it to a file in a
temporary folder (``torch.save`` / ``reftorch.save``) and loads it back
(``torch.load(..., weights_only=True)`` / ``reftorch.load``).

* time: wall clock (``time.perf_counter``), best of ``--repeats`` rounds; the file is
  removed before each save, and read back right after it (so the page cache is warm for
  both libraries alike);
* memory: the peak of Python-visible allocations during one save and one load of
  reftorch (``tracemalloc``: NumPy reports its buffers to it), divided by the data size.
  PyTorch allocates outside Python's allocator, so its peak is not measured this way.

Targets: each time ≤ 1.5x PyTorch's; reftorch's peak ≤ 2x the data.

Run: ``python benchmarks/bench_serialization.py [--repeats 5] [--mb 100]``.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import tracemalloc

import numpy as np
from _timing import best_of  # benchmarks/_timing.py


def _state_dict(lib, mb):
    n = max(1, mb // 4)
    rng = np.random.default_rng(0)
    sd = {f"layer{i}.weight": lib.from_numpy(rng.standard_normal((1000, 1000), dtype=np.float32))
          for i in range(n)}
    sd["layer0.view"] = sd["layer0.weight"][10:20]
    return sd


def _time_lib(lib, sd, path, repeats, load_kw):
    def save():
        if os.path.exists(path):
            os.remove(path)
        lib.save(sd, path)

    save_s = best_of(save, repeats)
    load_s = best_of(lambda: lib.load(path, **load_kw), repeats)
    return save_s, load_s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--mb", type=int, default=100)
    args = ap.parse_args()

    import reftorch
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:  # the PyTorch columns stay empty
        torch = None

    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        sd = _state_dict(reftorch, args.mb)
        data_mb = sum(v.nbytes for k, v in sd.items() if not k.endswith("view")) / 2 ** 20
        r_save, r_load = _time_lib(reftorch, sd, os.path.join(tmp, "r.pt"), args.repeats, {})
        t_save = t_load = None
        if torch is not None:
            tsd = _state_dict(torch, args.mb)
            t_save, t_load = _time_lib(torch, tsd, os.path.join(tmp, "t.pt"), args.repeats,
                                       {"weights_only": True})
            # cross-check: each library reads the other's file with the same values
            a = torch.load(os.path.join(tmp, "r.pt"), weights_only=True)
            b = reftorch.load(os.path.join(tmp, "t.pt"))
            assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)

        # memory peaks (reftorch), one fresh run each
        path = os.path.join(tmp, "m.pt")
        os.remove(os.path.join(tmp, "r.pt"))
        tracemalloc.start()
        reftorch.save(sd, path)
        save_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        loaded = reftorch.load(path)
        load_peak = (tracemalloc.get_traced_memory()[1] - base) / 2 ** 20
        tracemalloc.stop()
        del loaded

        def ratio(a, b):
            return f"{a / b:.2f}x" if b else "-"

        def ms(x):
            return f"{x * 1e3:.0f}" if x is not None else "-"

        rows.append(("save", ms(r_save), ms(t_save), ratio(r_save, t_save), f"{save_peak:.1f} MB "
                     f"({save_peak / data_mb:.2f}x data)"))
        rows.append(("load", ms(r_load), ms(t_load), ratio(r_load, t_load), f"{load_peak:.1f} MB "
                     f"({load_peak / data_mb:.2f}x data)"))
        print(f"state_dict of {data_mb:.0f} MB, best of {args.repeats}")
        print("| op | reftorch ms | PyTorch ms | ratio | reftorch peak (tracemalloc) |")
        print("| --- | --- | --- | --- | --- |")
        for r in rows:
            print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
