"""``torch.amp``: automatic mixed precision: :class:`autocast` regions (CPU) and
:class:`GradScaler` (loss scaling). Mirrors ``torch.amp``."""
from __future__ import annotations

from . import autocast_mode  # noqa: F401
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
