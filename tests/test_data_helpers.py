"""Shared helpers for the ``tests/test_data_*.py`` files (no tests in here).

* :func:`to_py` turns a batch of either library into plain Python (tensors become
  ``("tensor", dtype name, shape, values)``), so reftorch and PyTorch results compare with ``==``.
* :func:`no_leftover_processes` asserts that no child process is running or left a zombie.
"""

from __future__ import annotations

import gc
import os
import time

import pytest

import torch  # the oracle: the test command installs it, so its absence fails loudly
import torch.utils.data as tdata

import reftorch
import reftorch.utils.data as rdata


#: The two implementations, for parametrised tests: (reftorch-like module, its utils.data).
ENGINES = [pytest.param((reftorch, rdata), id="reftorch"), pytest.param((torch, tdata), id="torch")]


def to_py(x):
    """A batch as plain Python: nested lists/dicts/tuples, tensors as tagged tuples."""
    if isinstance(x, (reftorch.Tensor, torch.Tensor)):
        return ("tensor", str(x.dtype).replace("torch.", ""), tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return {k: to_py(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(to_py(v) for v in x))
    if isinstance(x, tuple):
        return tuple(to_py(v) for v in x)
    if isinstance(x, list):
        return [to_py(v) for v in x]
    return x


def child_states() -> dict[int, str]:
    """pid -> state letter (``R``, ``S``, ``Z``...) of every child of this process (Linux)."""
    me = os.getpid()
    states = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ..." -- comm may contain spaces, so split after ')'.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == me and not _is_multiprocessing_helper(name):
            states[int(name)] = fields[0]
    return states


def _is_multiprocessing_helper(pid: str) -> bool:
    """The resource tracker / forkserver that ``multiprocessing`` keeps for the whole session.

    They are started once by the first "spawn"/"forkserver" context (a docs example, for
    instance) and live until the interpreter exits; they are not DataLoader workers.
    """
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
    except OSError:
        return False
    return b"resource_tracker" in cmdline or b"forkserver" in cmdline


def _reap_exited_non_reftorch_children() -> None:
    """Reap exited child processes that are not reftorch DataLoader workers.

    PyTorch's ``_shutdown_workers`` joins each worker with ``MP_STATUS_CHECK_INTERVAL`` as
    the timeout and, if it is still alive, terminates it *without joining again*. With the
    0.05 s interval these tests patch in, a loaded machine (CI) sometimes hits that path and
    the terminated PyTorch worker stays a zombie until Python's next ``Process.start()``.
    That is PyTorch's behaviour, not reftorch's, so those processes are reaped here;
    reftorch's workers (named ``reftorch-DataLoader-worker-N``) are never touched and must
    be reaped by reftorch itself.
    """
    import multiprocessing.process as mp_process

    for proc in list(mp_process._children):
        if not proc.name.startswith("reftorch-DataLoader-worker-"):
            proc.join(timeout=0)  # reaps it if it has exited; no wait otherwise


def no_leftover_processes(timeout: float = 5.0) -> None:
    """Assert that every child of this process has exited and been reaped.

    Collects garbage first (iterators shut their workers down in ``__del__``), then waits
    up to ``timeout`` seconds, which a correct shutdown never needs.
    """
    gc.collect()
    deadline = time.monotonic() + timeout
    while True:
        _reap_exited_non_reftorch_children()
        states = child_states()
        if not states:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"child processes left behind (pid: state): {states}")
        time.sleep(0.02)
        gc.collect()


@pytest.fixture
def fast_polling(monkeypatch):
    """Make both DataLoaders poll every 0.05 s instead of 5 s, so fault paths finish fast."""
    monkeypatch.setattr(rdata._utils, "MP_STATUS_CHECK_INTERVAL", 0.05)
    monkeypatch.setattr(tdata._utils, "MP_STATUS_CHECK_INTERVAL", 0.05)
    yield
    no_leftover_processes()
