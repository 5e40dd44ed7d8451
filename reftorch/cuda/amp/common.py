"""``torch.cuda.amp.common``. Mirrors ``torch.cuda.amp.common``."""
from __future__ import annotations

from ... import cuda as _cuda

__all__ = ["amp_definitely_not_available"]


def amp_definitely_not_available() -> bool:
    """True without a usable GPU (PyTorch also counts ``torch_xla``, which has no place in
    reftorch). Mirrors ``torch.cuda.amp.common.amp_definitely_not_available``."""
    return not _cuda.is_available()
