"""``torch.set_default_tensor_type``: the deprecated way of choosing the default float dtype.

Mirrors ``torch.set_default_tensor_type`` (``torch/__init__.py`` and
``torch/csrc/tensor/python_tensor.cpp``): a legacy tensor type (``torch.DoubleTensor``) or
its dotted name sets the default dtype, with a once-per-process deprecation warning.
"""
from __future__ import annotations

import importlib
import sys

from . import _dtype as D
from ._tensor import LEGACY_TYPES
from ._warnings import warn_once

_DEPRECATED = ("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
               "torch.set_default_dtype() and torch.set_default_device() as alternatives. "
               "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)")


def set_default_tensor_type(t, /):
    """Set the default float dtype from a floating-point legacy tensor type (deprecated: use
    ``torch.set_default_dtype``). ``torch.set_default_tensor_type(torch.DoubleTensor)``
    is ``torch.set_default_dtype(torch.float64)``; ``t`` may also be the type's dotted name
    (``"torch.DoubleTensor"``, imported as PyTorch does; ``torch.`` names reftorch's types).

    Warns once per process (a ``UserWarning``) that the function is deprecated.
    Mirrors ``torch.set_default_tensor_type``.

    Raises:
        TypeError: if ``t`` is not a legacy tensor type, or not a floating-point one.
        ModuleNotFoundError, AttributeError: for a name that does not import.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_default_dtype(torch.float64)  # what set_default_tensor_type(torch.DoubleTensor) does
        >>> torch.tensor([1.5]).dtype
        torch.float64
        >>> torch.set_default_dtype(torch.float32)
    """
    if isinstance(t, str):
        t = _import_dotted_name(t)
    warn_once(_DEPRECATED)
    if t not in LEGACY_TYPES.values():
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    D.set_default_dtype(t.dtype)


def _import_dotted_name(name):
    """The object a dotted name stands for (``torch._utils._import_dotted_name``); a leading
    ``torch`` is reftorch."""
    first, *rest = name.split(".")
    obj = sys.modules[__package__] if first == "torch" else importlib.import_module(first)
    for part in rest:
        if not hasattr(obj, part):
            raise AttributeError(f"module '{first}' has no attribute '{part}'")
        obj = getattr(obj, part)
    return obj
