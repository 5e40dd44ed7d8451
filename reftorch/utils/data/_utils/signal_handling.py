"""Noticing in the main process that a DataLoader worker died (mirrors PyTorch's module).

NOTE [ Why the main process watches SIGCHLD ]
    The main process spends most of its time blocked in ``queue.get`` waiting for the next
    batch.  If a worker is killed (the kernel's out-of-memory killer, a segfault in some
    extension, ``kill -9``), no batch will ever come.  Two mechanisms turn that into an
    error instead of a hang:

    1. the polling loop in the iterator (see NOTE [ Polling interval ]) checks
       ``Process.is_alive()`` every :data:`MP_STATUS_CHECK_INTERVAL` seconds and raises
       ``DataLoader worker (pid(s) ...) exited unexpectedly``;
    2. a ``SIGCHLD`` handler, installed once per process, reacts at once: the kernel sends
       ``SIGCHLD`` to the parent whenever a child exits, Python runs the handler in the main
       thread as soon as the blocking call is interrupted, and the handler raises
       ``RuntimeError`` if one of the registered worker pids exited with a non-zero status
       or was killed by a signal.

    PyTorch implements the handler's check in C++; here it is :func:`_error_if_any_worker_fails`
    in Python, using ``os.waitid(..., WNOWAIT)`` so that the child is *not* reaped: the
    ``multiprocessing.Process`` object still gets to ``join`` it, and no zombie is left.

    Pids are registered by the iterator once its workers started and removed *before* it
    terminates them itself, so a deliberate shutdown never raises.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import threading

from . import IS_WINDOWS

#: id(iterator) -> tuple of its worker pids.
_worker_pids: dict[int, tuple[int, ...]] = {}

_SIGCHLD_handler_set = False
"""Whether the SIGCHLD handler is installed (one handler serves every DataLoader)."""


def _set_worker_pids(key: int, pids) -> None:
    """Register the worker ``pids`` of the iterator whose ``id()`` is ``key``."""
    if key in _worker_pids:
        raise RuntimeError("_set_worker_pids should be called only once for each _BaseDataLoaderIter.")
    _worker_pids[key] = tuple(pids)


def _remove_worker_pids(key: int) -> None:
    """Forget the pids of one iterator (called before it stops its workers on purpose)."""
    if _worker_pids.pop(key, None) is None:
        raise RuntimeError("Cannot find worker information for _BaseDataLoaderIter with id " + str(key))


def _error_if_any_worker_fails() -> None:
    """Raise ``RuntimeError`` if a registered worker exited abnormally.

    A worker that exited with status 0 is fine (it was asked to stop).  The child is left
    unreaped (``WNOWAIT``) so that ``Process.join`` still works.

    Raises:
        RuntimeError: ``DataLoader worker (pid N) is killed by signal: Killed. `` or
            ``DataLoader worker (pid N) exited unexpectedly with exit code C. ...``.
    """
    for key, pids in list(_worker_pids.items()):
        for pid in pids:
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except (ChildProcessError, OSError):
                continue  # already reaped, or not our child
            if info is None or info.si_pid == 0:
                continue  # still running
            if info.si_code == os.CLD_EXITED and info.si_status != 0:
                message = (
                    f"DataLoader worker (pid {pid}) exited unexpectedly with exit code "
                    f"{info.si_status}. Details are lost due to multiprocessing. Rerunning "
                    "with num_workers=0 may give better error trace."
                )
            elif info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
                message = (
                    f"DataLoader worker (pid {pid}) is killed by signal: "
                    f"{signal.strsignal(info.si_status)}. "
                )
            else:
                continue
            # Forget these pids, so that the other workers dying as a consequence do not
            # raise again from inside the clean-up.
            _worker_pids[key] = ()
            raise RuntimeError(message)


def _set_worker_signal_handlers() -> None:
    """In a worker: report fatal signals (segfault, bus error...) on stderr before dying.

    PyTorch installs small C handlers that print e.g. ``ERROR: Unexpected segmentation
    fault encountered in worker.``; the standard library's :mod:`faulthandler` does the same
    job here (it prints the Python traceback of the crash).
    """
    try:
        faulthandler.enable()
    except Exception:  # e.g. stderr closed or replaced by an object without a fileno
        pass


def _set_SIGCHLD_handler() -> None:
    """Install the SIGCHLD handler once, chaining to any handler that was there before."""
    if IS_WINDOWS:
        return
    # Signal handlers can only be set from the main thread.
    if threading.current_thread() is not threading.main_thread():
        return
    global _SIGCHLD_handler_set
    if _SIGCHLD_handler_set:
        return
    previous_handler = signal.getsignal(signal.SIGCHLD)
    if not callable(previous_handler):
        previous_handler = None

    def handler(signum, frame):
        _error_if_any_worker_fails()
        if previous_handler is not None:
            previous_handler(signum, frame)

    signal.signal(signal.SIGCHLD, handler)
    _SIGCHLD_handler_set = True
