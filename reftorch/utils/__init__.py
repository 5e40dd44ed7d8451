"""Utilities mirroring ``torch.utils``: :mod:`reftorch.utils.data` and :mod:`reftorch.utils.hooks`."""

from . import data
from . import hooks

__all__ = ["data", "hooks"]
