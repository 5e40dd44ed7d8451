"""``torch.cpu``: the CPU as a device module, for device-agnostic code that calls
``getattr(torch, device.type).synchronize()``. Mirrors ``torch.cpu``.

Examples:
    >>> import reftorch as torch
    >>> torch.cpu.is_available(), torch.cpu.device_count(), torch.cpu.current_device()
    (True, 1, 'cpu')
"""
from __future__ import annotations

__all__ = ["current_device", "device_count", "is_available", "synchronize"]

from . import amp  # noqa: E402,F401  (torch.cpu.amp: the deprecated GradScaler)


def is_available() -> bool:
    """Always True. Mirrors ``torch.cpu.is_available``."""
    return True


def device_count() -> int:
    """The number of CPU devices (not cores): always 1. Mirrors ``torch.cpu.device_count``."""
    return 1


def current_device() -> str:
    """Always ``'cpu'``. Mirrors ``torch.cpu.current_device``."""
    return "cpu"


def synchronize(device=None) -> None:
    """Nothing to wait for: CPU work is done when its call returns. Mirrors
    ``torch.cpu.synchronize``."""
    return None
