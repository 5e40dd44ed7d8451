"""``torch.cuda.amp``: the deprecated CUDA spellings of :class:`torch.autocast`,
:func:`torch.amp.custom_fwd` / :func:`~torch.amp.custom_bwd` and :class:`torch.amp.GradScaler`.
Mirrors ``torch.cuda.amp``.

A public namespace over :mod:`reftorch.amp`, not part of the low ``reftorch.cuda`` layer:
``reftorch.cuda`` does not import it; the package's ``__init__`` does, once ``amp`` is
loaded, so ``torch.cuda.amp.autocast`` and ``import torch.cuda.amp`` work as in PyTorch.
"""
from __future__ import annotations

from . import autocast_mode, common, grad_scaler  # noqa: F401
from .autocast_mode import autocast, custom_bwd, custom_fwd
from .common import amp_definitely_not_available
from .grad_scaler import GradScaler

__all__ = ["amp_definitely_not_available", "autocast", "custom_bwd", "custom_fwd", "GradScaler"]
