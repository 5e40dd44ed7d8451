"""``torch.cpu.amp.autocast``, deprecated. Mirrors ``torch.cpu.amp.autocast_mode``."""
from __future__ import annotations

import warnings

from ... import _dtype as D
from ...amp import autocast_mode as _autocast_mode

__all__ = ["autocast"]


class autocast(_autocast_mode.autocast):
    """See :class:`torch.autocast`; creating one warns (a ``FutureWarning``):
    ``torch.cpu.amp.autocast(args...)`` is deprecated, use
    ``torch.amp.autocast("cpu", args...)``. Mirrors ``torch.cpu.amp.autocast``."""

    def __init__(self, enabled: bool = True, dtype=D.bfloat16, cache_enabled: bool = True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. "
                      "Please use `torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
