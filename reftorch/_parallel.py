"""Intra-op threads on the CPU: ``torch.get_num_threads`` / ``set_num_threads`` and the
inter-op pair.

PyTorch runs a large CPU kernel on up to ``get_num_threads()`` threads (by default one per
physical core, or ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` when set). reftorch's kernels
are NumPy calls, which run on one thread each, except the BLAS ones (``matmul`` and
friends), which OpenBLAS or MKL spread over their own threads. So ``set_num_threads(n)``
limits the BLAS library's threads to ``n`` (through ``threadpoolctl``): after
``torch.set_num_threads(1)`` a matrix product is single-threaded, as in PyTorch.
``DataLoader`` workers call ``set_num_threads(1)``, as PyTorch's do.

One kernel of reftorch's own spreads over ``get_num_threads()`` threads: the float32
``normal_`` fill (``randn``), on pieces of 2**17 values, each thread drawing the next
piece's words in turn and filling it. NumPy releases the GIL inside each pass, and passes
of that size (~30 us) are long enough for the GIL hand-over between threads to pay; for
pieces a tenth of that size, two threads were slower than one.
"""
from __future__ import annotations

from ._threads import _cpus, get_num_threads, intra_op

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads", "set_num_interop_threads"]


_interop = {"threads": None}  # None until set (PyTorch allows one call, before inter-op work)


def _thread_count(value, fn: str) -> int:
    """PyTorch's argument check for the thread-count setters."""
    from ._tensor import Tensor  # (PyTorch refuses a tensor, even a 0-d int one)
    if value.__class__ is bool or not hasattr(value, "__index__") or isinstance(value, Tensor):
        raise RuntimeError(f"{fn} expects an int, but got {type(value).__name__}")
    n = value.__index__()
    if not -2 ** 63 <= n < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    if not -2 ** 31 <= n < 2 ** 31:
        raise ValueError("Overflow when unpacking long")
    if n <= 0:
        raise RuntimeError(f"{fn} expects a positive integer")
    return n


def set_num_threads(n: int) -> None:
    """Set the number of threads CPU kernels may use; also limits the BLAS library's threads
    (``matmul``, ``mm``, ``Linear``, the recurrent layers) to ``n``.

    Mirrors ``torch.set_num_threads``. ``DataLoader`` workers call ``set_num_threads(1)``.

    Raises:
        RuntimeError: "set_num_threads expects a positive integer" for ``n <= 0``, and
            "set_num_threads expects an int, but got float" for a non-int (a bool or a
            tensor included).
        ValueError: for a value beyond a 32-bit int, as PyTorch's argument parser.
    """
    n = _thread_count(n, "set_num_threads")
    intra_op[0] = n
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=n, user_api="blas")  # kept until the next call (no restore)


def get_num_interop_threads() -> int:
    """The number of threads for inter-op parallelism (PyTorch's JIT interpreter; reftorch
    runs no inter-op work, so the number is only recorded). Mirrors
    ``torch.get_num_interop_threads``."""
    n = _interop["threads"]
    return _cpus() if n is None else n  # (the environment variables do not count here)


def set_num_interop_threads(n: int) -> None:
    """Record the number of inter-op threads; allowed once, as in PyTorch.

    Mirrors ``torch.set_num_interop_threads``.

    Raises:
        RuntimeError: "set_num_interop_threads expects a positive integer" for ``n <= 0``,
            "… expects an int, but got str" for a non-int, and PyTorch's "Error: cannot set
            number of interop threads after parallel work has started or
            set_num_interop_threads called" for a second call.
    """
    n = _thread_count(n, "set_num_interop_threads")
    if _interop["threads"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _interop["threads"] = n
