"""``torch.compiler``: the user-facing switches of ``torch.compile``. Mirrors
``torch.compiler``.

reftorch has no compiler: :func:`torch.compile` runs the model eagerly (same results, no
speed-up), so these functions only keep code written for PyTorch running unchanged.

Examples:
    >>> import reftorch as torch
    >>> @torch.compile
    ... def f(x):
    ...     return x + 1, torch.compiler.is_compiling()
    >>> f(torch.zeros(2))
    (tensor([1., 1.]), True)
    >>> torch.compiler.is_compiling()
    False
"""
from __future__ import annotations

from .. import _dynamo
from .._dynamo import list_backends  # noqa: F401

__all__ = ["disable", "is_compiling", "is_dynamo_compiling", "list_backends", "reset"]


def disable(fn=None, recursive=True, *, reason=None):
    """Keep ``fn`` out of compilation: it runs as plain Python even when called from
    compiled code (there :func:`is_compiling` is False). Usable as ``disable(fn)``,
    ``@disable`` and ``@disable(recursive=False)``.

    Args:
        fn: the function (or module) to disable; ``None`` returns a decorator.
        recursive: whether the functions ``fn`` calls are disabled too (reftorch runs
            everything eagerly: both choices behave as ``True``).
        reason: a note on why (kept for PyTorch compatibility).

    Returns:
        A wrapping function (``__wrapped__`` is ``fn``), an ``OptimizedModule`` for a module,
        or a decorator when ``fn`` is None.

    Mirrors ``torch.compiler.disable``.

    Examples:
        >>> import reftorch as torch
        >>> @torch.compiler.disable
        ... def log_step(x):
        ...     return torch.compiler.is_compiling()
        >>> @torch.compile
        ... def step(x):
        ...     return log_step(x)
        >>> step(torch.ones(1))
        False
    """
    return _dynamo.disable(fn, recursive, reason=reason)


def reset() -> None:
    """Clear the compiler's in-memory caches (reftorch keeps none: does nothing). Mirrors
    ``torch.compiler.reset``."""
    _dynamo.reset()


def is_compiling() -> bool:
    """Whether the code calling it runs as part of a compiled function or module (``True``
    inside ``torch.compile`` d code, outside :func:`disable` d functions; ``False``
    elsewhere). Mirrors ``torch.compiler.is_compiling``."""
    return _dynamo.is_compiling()


def is_dynamo_compiling() -> bool:
    """Same as :func:`is_compiling` (reftorch has no ``torch.export``). Mirrors
    ``torch.compiler.is_dynamo_compiling``."""
    return _dynamo.is_compiling()
