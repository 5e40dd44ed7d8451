"""Anomaly detection: where in the forward pass a failing backward came from. Mirrors
``torch.autograd.anomaly_mode`` (and ``torch.is_anomaly_enabled`` & co.).

While it is on, every recorded node keeps the Python stack of the forward call that made
it (:func:`forward_trace`); when that node's backward raises, the engine warns
``Error detected in <node>. Traceback of forward call that caused the error: ...`` before
the error propagates, and with ``check_nan`` (the default) a backward returning nan is
itself an error: ``Function '<node>' returned nan values in its <i>th output.``
Frames inside reftorch are left out of the stack, as PyTorch's own frames are (they are
C++ there).
"""
from __future__ import annotations

import os
import traceback
import warnings

from .._grad_state import anomaly as _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off for the whole process.

    Mirrors ``torch.set_anomaly_enabled``. Prefer the context managers
    :class:`detect_anomaly` and :class:`set_detect_anomaly`.

    Args:
        enabled: record forward stacks and report them when a backward fails.
        check_nan: with ``enabled``, make a backward returning nan an error (default True).
    """
    _anomaly.enabled = bool(enabled)
    _anomaly.check_nan = bool(check_nan)


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on. Mirrors ``torch.is_anomaly_enabled``."""
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward results for nan. Mirrors
    ``torch.is_anomaly_check_nan_enabled`` (True by default, even while detection is off)."""
    return _anomaly.check_nan


class detect_anomaly:
    """Context manager that turns anomaly detection on inside its block.

    Mirrors ``torch.autograd.detect_anomaly``. Creating it warns that the mode is slow
    (``UserWarning``: "Anomaly Detection has been enabled. ..."). Inside the block, each
    recorded operation keeps the stack of its forward call; if its backward later raises,
    a ``UserWarning`` shows that stack ("Error detected in MulBackward0. Traceback of
    forward call that caused the error: ..."), and with ``check_nan`` a backward that
    returns nan raises ``RuntimeError("Function 'DivBackward0' returned nan values in its
    1th output.")``.

    Args:
        check_nan: make nan gradients an error (default True).

    Examples:
        >>> import warnings
        >>> import reftorch as torch
        >>> x = torch.tensor([0.0, 1.0], requires_grad=True)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     with torch.autograd.detect_anomaly():
        ...         y = (x / x).sum()
        ...         y.backward()
        Traceback (most recent call last):
            ...
        RuntimeError: Function 'DivBackward0' returned nan values in its 1th output.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off; as a context manager, until the block ends.

    Mirrors ``torch.autograd.set_detect_anomaly``: the setting takes effect when the
    object is created (so ``torch.autograd.set_detect_anomaly(True)`` alone switches it on
    for the rest of the program), and leaving a ``with`` block restores the previous one.
    See :class:`detect_anomaly` for what the mode does.

    Args:
        mode: True to turn detection on, False to turn it off.
        check_nan: make nan gradients an error (default True).
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


def forward_trace() -> list:
    """The stack of the running forward call, without reftorch's own frames (what a node
    keeps while anomaly detection is on)."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_PACKAGE_DIR)]
    return traceback.format_list(frames)


def report_failed_node(node) -> None:
    """The warning PyTorch's engine gives when ``node``'s backward raises in anomaly mode."""
    name = node.name().rsplit("::", 1)[-1]
    trace = getattr(node, "_trace", None)
    if trace is None:
        warnings.warn(f"Error detected in {name}. No forward pass information available. Enable detect anomaly "
                      "during forward pass for more information.", stacklevel=4)
    else:
        warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the error:\n"
                      + "".join(trace), stacklevel=4)


def check_nan(node, grads, backend) -> None:
    """Raise PyTorch's error when a backward result of ``node`` holds a nan."""
    xp = backend.xp
    for i, g in enumerate(grads):
        if g is None:
            continue
        a = getattr(g, "_data", g)  # (tensors under create_graph)
        if bool(xp.any(xp.isnan(a))):
            name = node.name().rsplit("::", 1)[-1]
            raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")
