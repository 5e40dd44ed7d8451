"""``torch.cuda.amp.GradScaler``, deprecated. Mirrors ``torch.cuda.amp.grad_scaler``."""
from __future__ import annotations

import warnings

from ...amp import grad_scaler as _grad_scaler

__all__ = ["GradScaler"]


class GradScaler(_grad_scaler.GradScaler):
    """See :class:`torch.amp.GradScaler`; creating one warns (a ``FutureWarning``):
    ``torch.cuda.amp.GradScaler(args...)`` is deprecated, use
    ``torch.amp.GradScaler("cuda", args...)``. Mirrors ``torch.cuda.amp.GradScaler``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. "
                      "Please use `torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor, backoff_factor=backoff_factor,
                         growth_interval=growth_interval, enabled=enabled)
