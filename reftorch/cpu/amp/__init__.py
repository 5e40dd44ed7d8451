"""``torch.cpu.amp``: the deprecated CPU spellings of :class:`torch.autocast` and
:class:`torch.amp.GradScaler`. Mirrors ``torch.cpu.amp``."""
from __future__ import annotations

from . import autocast_mode, grad_scaler  # noqa: F401
from .autocast_mode import autocast  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401
