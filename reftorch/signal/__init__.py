"""``torch.signal``: signal-processing helpers (today, as in PyTorch, only ``windows``)."""
from . import windows  # noqa: F401

__all__ = ["windows"]
