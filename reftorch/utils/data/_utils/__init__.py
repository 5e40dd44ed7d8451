"""Helpers shared by the DataLoader iterators and their worker processes.

Mirrors ``torch/utils/data/_utils/__init__.py``.  One concern per module:

* :mod:`.worker` -- the loop each worker process runs, its seeding and ``get_worker_info``;
* :mod:`.fetch` -- turning one index (or a list of indices) into one collated sample/batch;
* :mod:`.collate` -- ``default_collate`` and ``default_convert``;
* :mod:`.pin_memory` -- the thread that copies batches into page-locked memory;
* :mod:`.signal_handling` -- noticing, in the main process, that a worker died.

NOTE [ Polling interval ]
    Nothing in the DataLoader ever blocks forever.  Every ``get`` on a queue uses a timeout
    of :data:`MP_STATUS_CHECK_INTERVAL` seconds; when it expires, the caller checks that the
    other side is still alive and then waits again.  PyTorch uses 5 seconds.  The value is
    read at call time (``_utils.MP_STATUS_CHECK_INTERVAL``), so tests may patch it to a few
    hundredths of a second and still exercise every fault path in well under a second.
"""

from __future__ import annotations

import atexit
import os
import sys
import traceback

IS_WINDOWS = sys.platform == "win32"

#: Seconds between liveness checks while waiting on a queue (see NOTE [ Polling interval ]).
MP_STATUS_CHECK_INTERVAL = 5.0

#: Set once the interpreter starts shutting down; iterators then skip their clean-up,
#: because the objects they would need (queues, the ``multiprocessing`` module) may be gone.
python_exit_status = False

try:
    import numpy  # noqa: F401

    HAS_NUMPY = True
except ModuleNotFoundError:  # pragma: no cover - numpy is a hard dependency of reftorch
    HAS_NUMPY = False


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    """A ``str`` whose ``repr`` is itself.

    ``KeyError(msg)`` prints ``repr(msg)``; this keeps a multi-line message readable.
    """

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its formatted traceback, in a form that can cross a process boundary.

    Mirrors ``torch._utils.ExceptionWrapper``.  A worker cannot send the exception object
    itself (its traceback holds frames, which do not pickle), so it sends the exception
    type and the text of the traceback; :meth:`reraise` builds a new exception of the same
    type whose message starts ``Caught <Type> in DataLoader worker process <id>.`` followed
    by the original traceback.

    Args:
        exc_info: a ``sys.exc_info()`` triple; by default the exception being handled.
        where: where it happened, e.g. ``"in DataLoader worker process 0"``.
    """

    def __init__(self, exc_info=None, where: str = "in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception again, in the current process.

        Raises:
            The original exception type with the combined message; ``RuntimeError`` when
            that type cannot be built from a single message argument.
        """
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            # Some exception types take the message as a keyword only.
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # The type needs other constructor arguments: fall back to RuntimeError.
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # Break the cycle exception -> traceback -> this frame -> exception.  Otherwise
            # the DataLoader iterator (referenced by the calling frames) becomes cyclic
            # garbage, and the garbage collector finalizes its queues *before* running its
            # __del__, so the workers would only be stopped by the terminate() fallback.
            del exception


def cpu_count() -> int | None:
    """CPUs this process may run on (honours ``taskset``/cgroups where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


from . import collate, fetch, pin_memory, signal_handling, worker  # noqa: E402

__all__ = [
    "MP_STATUS_CHECK_INTERVAL", "ExceptionWrapper", "KeyErrorMessage", "collate", "fetch",
    "pin_memory", "signal_handling", "worker",
]
