"""Utilities mirroring ``torch.utils``: :mod:`reftorch.utils.data`, :mod:`reftorch.utils.hooks` and
:mod:`reftorch.utils.checkpoint` (built over ``nn``, which imports ``hooks``: the package
``reftorch`` imports it once ``nn`` is loaded)."""

from . import data
from . import deterministic
from . import hooks

__all__ = ["checkpoint", "data", "deterministic", "hooks"]
