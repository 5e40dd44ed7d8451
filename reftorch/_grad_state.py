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
