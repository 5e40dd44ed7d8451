"""The per-thread autograd switches: whether operations are recorded (grad mode) and
whether new tensors are inference tensors (inference mode).

Plain state with no imports, so that ``Tensor`` (``_tensor.py``) can read it while sitting
below the autograd package; the public switches over it (``no_grad``, ``enable_grad``,
``inference_mode`` …) are in ``reftorch/autograd/grad_mode.py``. The flags are
thread-local, as in PyTorch.
"""
from __future__ import annotations

import threading


class _State(threading.local):
    enabled = True  # class default: a thread's first read finds it without an AttributeError
    inference = False  # inside ``inference_mode()``: new tensors are inference tensors


#: The switches of the running thread (``state.enabled``, ``state.inference``).
state = _State()


class _Counts:
    """Process-wide figures read on every tensor creation, where the thread-local look-up
    (~40 ns) would cost more than the check it guards."""

    def __init__(self):
        # (an instance attribute: its look-up is specialized, a class attribute's is not)
        self.inference_threads = 0  #: threads inside inference mode now (0: no tensor can be one)


counts = _Counts()
_lock = threading.Lock()


def set_inference(flag: bool):
    """Turn the running thread's inference flag on or off (the one writer of
    ``state.inference``: it keeps ``counts.inference_threads`` in step)."""
    with _lock:
        if flag != state.inference:
            counts.inference_threads += 1 if flag else -1
        state.inference = flag


class _Anomaly:
    """Anomaly detection's two switches (``torch.autograd.detect_anomaly``): process-wide,
    as PyTorch's ``AnomalyMode``; the public functions are in
    ``reftorch/autograd/anomaly_mode.py``."""

    def __init__(self):
        self.enabled = False  #: record each node's forward stack; report it when its backward fails
        self.check_nan = True  #: with ``enabled``: a backward returning nan is an error


anomaly = _Anomaly()
