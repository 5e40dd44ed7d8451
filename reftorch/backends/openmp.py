"""``torch.backends.openmp``: whether PyTorch was built with OpenMP (its CPU builds are;
reftorch's threads are NumPy's and its own, see ``torch.set_num_threads``). Mirrors
``torch.backends.openmp``.

Examples:
    >>> import reftorch as torch
    >>> torch.backends.openmp.is_available()
    True
"""
from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """True, as in PyTorch's CPU builds. Mirrors ``torch.backends.openmp.is_available``."""
    return True
