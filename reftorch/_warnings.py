"""PyTorch's once-per-process warnings (``TORCH_WARN_ONCE``).

Many of PyTorch's warnings come from C++ through ``TORCH_WARN_ONCE``: the first call in a
process warns, every later one is silent, whatever Python's warning filters say
(``warnings.simplefilter("always")`` included). :func:`warn_once` gives reftorch's
copies of those warnings the same behaviour; a warning that PyTorch raises from Python
with ``warnings.warn`` (every call, subject to the filters) stays a plain
``warnings.warn``.

Tests that need a fresh process's state clear :data:`_given`.
"""
from __future__ import annotations

import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep  # reftorch's own directory

#: The messages warned about so far in this process.
_given = set()
#: ``torch.set_warn_always(True)``: warn every time
always = False


def warn_once(message: str, stacklevel: int = 1, category=UserWarning) -> None:
    """Warn with ``message`` (a ``category``) unless this process already did.

    Args:
        message: the warning's full text (PyTorch's, including its "(Triggered internally
            at ...)" suffix where PyTorch has one); also the key of "already warned".
        stacklevel: as for :func:`warnings.warn` called where :func:`warn_once` is called
            (1: that line); 0 attributes the warning to the first frame outside reftorch,
            the user's line.
        category: the warning class (default ``UserWarning``).
    """
    if message in _given and not always:
        return
    _given.add(message)
    if stacklevel == 0:
        stacklevel = user_stacklevel() - 1  # (counted from here: one frame less from our caller)
    warnings.warn(message, category, stacklevel=stacklevel + 1)


def deprecated_class(message: str, category=FutureWarning):
    """A class decorator giving PyTorch's ``@typing_extensions.deprecated(message)``
    behaviour: creating an instance of the class itself (not of a subclass) and defining
    a subclass each warn ``message`` (every time, subject to the filters), attributed to
    the caller's line; the class's ``__deprecated__`` is ``message``."""
    def decorate(cls):
        base_new = cls.__new__

        def __new__(klass, *args, **kwargs):
            if klass is cls:
                warnings.warn(message, category, stacklevel=2)
            return base_new(klass) if base_new is object.__new__ else base_new(klass, *args, **kwargs)

        def __init_subclass__(klass, **kwargs):
            warnings.warn(message, category, stacklevel=2)
            super(cls, klass).__init_subclass__(**kwargs)

        cls.__new__ = staticmethod(__new__)
        cls.__init_subclass__ = classmethod(__init_subclass__)
        cls.__deprecated__ = message
        return cls
    return decorate


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a ``warnings.warn`` in the calling function name the
    first frame outside reftorch: the user's line (PyTorch's warnings, given in C++ or with
    a fixed level, name it too)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
