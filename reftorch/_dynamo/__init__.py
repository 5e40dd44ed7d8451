"""``torch._dynamo``: the parts of PyTorch's graph capturer that users of ``torch.compile``
meet (its exceptions, the backend list, ``reset``, ``disable``). Mirrors ``torch._dynamo``.

reftorch captures no graphs: compiled code runs eagerly (see :mod:`.eval_frame`).
"""
from __future__ import annotations

from . import eval_frame, exc  # noqa: F401
from .backends.registry import list_backends
from .decorators import disable
from .eval_frame import DisableContext, OptimizedModule  # noqa: F401

__all__ = ["disable", "is_compiling", "list_backends", "reset"]


def reset() -> None:
    """Clear the compile caches (reftorch keeps none: does nothing). Mirrors
    ``torch._dynamo.reset``."""
    return None


def is_compiling() -> bool:
    """Whether compiled code is running (see :func:`torch.compiler.is_compiling`). Mirrors
    ``torch._dynamo.is_compiling``."""
    return eval_frame._is_compiling_flag

