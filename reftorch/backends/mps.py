"""``torch.backends.mps``: Apple's Metal backend, which reftorch lacks (as PyTorch on a
machine other than a Mac). Mirrors ``torch.backends.mps``.

Examples:
    >>> import reftorch as torch
    >>> torch.backends.mps.is_available(), torch.backends.mps.is_built()
    (False, False)
"""
from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Whether an MPS device can be used: False. Mirrors ``torch.backends.mps.is_available``."""
    return False


def is_built() -> bool:
    """Whether this build supports MPS: False. Mirrors ``torch.backends.mps.is_built``."""
    return False
