"""``torch.cpu.amp``: the deprecated CPU spelling of :class:`torch.amp.GradScaler`.
Mirrors ``torch.cpu.amp`` (``autocast`` is not implemented)."""
from __future__ import annotations

from . import grad_scaler  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401
