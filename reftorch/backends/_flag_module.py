"""Modules whose flags are properties, as PyTorch builds ``torch.backends.cudnn`` and
``torch.backends.cuda.matmul``: setting a flag is checked (a bool, PyTorch's message)."""
from __future__ import annotations

import sys
import types


class FlagModule(types.ModuleType):
    """A module whose flags are properties (``torch.backends.cudnn.benchmark = True`` is
    checked, as in PyTorch, where such modules are also module subclasses)."""


def flag(name, setter_name, default):
    """A bool flag property for a :class:`FlagModule` subclass: reads its value, refuses a
    non-bool with PyTorch's ``RuntimeError("<setter_name> expects a bool, but got int")``."""
    def get(self):
        return self._flags.get(name, default)

    def set_(self, value):
        if value.__class__ is not bool:
            raise RuntimeError(f"{setter_name} expects a bool, but got {type(value).__name__}")
        self._flags[name] = value
    return property(get, set_)


def as_flag_module(module_name, cls):
    """Turn the module ``module_name`` into an instance of ``cls`` (a subclass of
    :class:`FlagModule` carrying the flag properties)."""
    module = sys.modules[module_name]
    module._flags = {}
    module.__class__ = cls
