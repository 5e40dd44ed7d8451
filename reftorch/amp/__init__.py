"""``torch.amp``: automatic mixed precision. reftorch has :class:`GradScaler` (loss scaling);
``autocast`` is not implemented. Mirrors ``torch.amp``."""
from __future__ import annotations

from .grad_scaler import GradScaler

__all__ = ["GradScaler"]
