"""``torch.backends.mkldnn``: oneDNN (MKL-DNN). PyTorch's CPU builds have it, so
``is_available()`` answers True as theirs does; reftorch's kernels are NumPy's. Mirrors
``torch.backends.mkldnn``.

Examples:
    >>> import reftorch as torch
    >>> torch.backends.mkldnn.is_available()
    True
"""
from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """True, as in PyTorch's CPU builds. Mirrors ``torch.backends.mkldnn.is_available``."""
    return True
