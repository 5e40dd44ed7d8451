"""``torch.utils.deterministic``: the one setting of deterministic mode that is not a
function, :attr:`fill_uninitialized_memory` (a module property, as in PyTorch)."""
from __future__ import annotations

import sys
import types

from .. import _flags


class _Deterministic(types.ModuleType):
    @property
    def fill_uninitialized_memory(self) -> bool:
        """Whether, under ``torch.use_deterministic_algorithms(True)``, ``empty``,
        ``empty_like``, ``empty_strided``, ``new_empty`` and the memory ``resize_`` adds are
        filled: with nan (integers: their largest value; bool: True). Default True. Mirrors
        ``torch.utils.deterministic.fill_uninitialized_memory``.

        Raises:
            RuntimeError: when set to anything but a bool ("expected a bool, but got int").
        """
        return _flags.fill_uninitialized_memory[0]

    @fill_uninitialized_memory.setter
    def fill_uninitialized_memory(self, mode) -> None:
        if mode.__class__ is not bool:
            raise RuntimeError(f"expected a bool, but got {type(mode).__name__}")
        _flags.fill_uninitialized_memory[0] = mode


sys.modules[__name__].__class__ = _Deterministic
