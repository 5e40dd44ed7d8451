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
        frame, stacklevel = sys._getframe(1), 1
        while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
            frame, stacklevel = frame.f_back, stacklevel + 1
    warnings.warn(message, category, stacklevel=stacklevel + 1)
