"""The intra-op thread count (``torch.get_num_threads``), kept in the base layer so that the
kernels which reproduce PyTorch's split of a range over threads (``arange``) can read it;
the public getter and setters are in ``reftorch/_parallel.py``."""
from __future__ import annotations

import os
from concurrent.futures.thread import ThreadPoolExecutor


def _default_threads() -> int:
    """PyTorch's default (as its CPU build behaves): ``MKL_NUM_THREADS``, else
    ``OMP_NUM_THREADS`` (a positive int; anything else is ignored), else :func:`_cpus`; never
    more than :func:`_cpus`."""
    cpus = _cpus()
    for var in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return min(int(value), cpus)
    return cpus


def _cpus() -> int:
    """The number of CPUs this process may run on (PyTorch counts physical cores)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - no sched_getaffinity (macOS, Windows)
        return os.cpu_count() or 1


#: ``[n]``: the threads a CPU kernel may use (``set_num_threads`` writes it)
intra_op = [_default_threads()]


def get_num_threads() -> int:
    """The number of threads a CPU kernel may use (intra-op parallelism).

    By default ``MKL_NUM_THREADS`` or ``OMP_NUM_THREADS`` when set, capped at the number of
    CPUs the process may run on, else that number (PyTorch counts physical cores). Mirrors
    ``torch.get_num_threads``.
    """
    return intra_op[0]


# ---------------------------------------------------------------------------
# The worker threads of the few kernels that spread over threads (the float32 ``normal_``
# fill). NumPy releases the GIL inside each pass, so passes over pieces of a few hundred
# KB on two threads overlap; for the ~10 us passes of smaller pieces the GIL hand-over
# costs about as much as it saves.
_workers: dict = {"pool": None, "size": 0}


def worker_pool(size: int):
    """A process-wide :class:`concurrent.futures.ThreadPoolExecutor` of ``size`` threads,
    made on first use and made again for another size or after a fork (a forked child,
    such as a ``DataLoader`` worker, has none of its parent's threads)."""
    if _workers["size"] != size:
        old = _workers["pool"]
        _workers["pool"], _workers["size"] = ThreadPoolExecutor(size, thread_name_prefix="reftorch"), size
        if old is not None:
            old.shutdown(wait=False)
    return _workers["pool"]


def _forget_workers() -> None:
    _workers["pool"], _workers["size"] = None, 0


if hasattr(os, "register_at_fork"):  # (not on Windows)
    os.register_at_fork(after_in_child=_forget_workers)
