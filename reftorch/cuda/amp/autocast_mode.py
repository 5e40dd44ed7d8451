"""``torch.cuda.amp.autocast``, ``custom_fwd`` and ``custom_bwd``, deprecated. Mirrors
``torch.cuda.amp.autocast_mode``."""
from __future__ import annotations

import warnings

from ... import _dtype as D
from ...amp import autocast_mode as _autocast_mode

__all__ = ["autocast", "custom_fwd", "custom_bwd"]


def _deprecated(old, new):
    warnings.warn(f"`torch.cuda.amp.{old}(args...)` is deprecated. Please use `{new}` instead.", FutureWarning,
                  stacklevel=3)


class autocast(_autocast_mode.autocast):
    """See :class:`torch.autocast`; creating one warns (a ``FutureWarning``):
    ``torch.cuda.amp.autocast(args...)`` is deprecated, use
    ``torch.amp.autocast("cuda", args...)``. As that one, without a GPU the region warns
    and disables itself (and with one too: reftorch casts under CPU autocast only).
    Mirrors ``torch.cuda.amp.autocast``."""

    def __init__(self, enabled: bool = True, dtype=D.float16, cache_enabled: bool = True):
        _deprecated("autocast", "torch.amp.autocast('cuda', args...)")
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """``torch.amp.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)``, with a
    ``FutureWarning`` (deprecated). Mirrors ``torch.cuda.amp.custom_fwd``."""
    _deprecated("custom_fwd", "torch.amp.custom_fwd(args..., device_type='cuda')")
    return _autocast_mode.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """``torch.amp.custom_bwd(bwd, device_type="cuda")``, with a ``FutureWarning``
    (deprecated). Mirrors ``torch.cuda.amp.custom_bwd``."""
    _deprecated("custom_bwd", "torch.amp.custom_bwd(args..., device_type='cuda')")
    return _autocast_mode.custom_bwd(bwd, device_type="cuda")
