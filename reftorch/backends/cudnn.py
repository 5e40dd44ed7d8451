"""``torch.backends.cudnn``: the cuDNN switches. reftorch never calls cuDNN: as in a
CPU-only PyTorch, ``is_available()`` is False and ``version()`` None; the flags
(``enabled``, ``benchmark``, ``deterministic``, ``allow_tf32``) keep what is set (bools
only, PyTorch's errors) and change no result. Mirrors ``torch.backends.cudnn``.

Examples:
    >>> import reftorch as torch
    >>> torch.backends.cudnn.deterministic = True
    >>> torch.backends.cudnn.benchmark = False
    >>> torch.backends.cudnn.deterministic, torch.backends.cudnn.enabled, torch.backends.cudnn.is_available()
    (True, True, False)
    >>> torch.backends.cudnn.deterministic = False
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

from ._flag_module import FlagModule, as_flag_module, flag

__all__ = ["flags", "is_acceptable", "is_available", "version"]

benchmark_limit = None  #: (PyTorch without cuDNN: None; any value may be set)


def is_available() -> bool:
    """Whether cuDNN can be used: always False in reftorch (PyTorch's answer without a GPU).
    Mirrors ``torch.backends.cudnn.is_available``."""
    return False


def version():
    """The cuDNN version: None, as in PyTorch without cuDNN. Mirrors
    ``torch.backends.cudnn.version``."""
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN would take ``tensor``: False (no cuDNN). Mirrors
    ``torch.backends.cudnn.is_acceptable``."""
    return False


@contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags inside a ``with`` block, the previous values back after it (note
    PyTorch's default ``enabled=False``). Mirrors ``torch.backends.cudnn.flags``."""
    module = sys.modules[__name__]
    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    before = [getattr(module, n) for n in names] + [module.benchmark_limit]
    for n, v in zip(names, (enabled, benchmark, deterministic, allow_tf32)):
        setattr(module, n, v)
    module.benchmark_limit = benchmark_limit
    try:
        yield
    finally:
        for n, v in zip(names, before):
            setattr(module, n, v)
        module.benchmark_limit = before[-1]


class CudnnModule(FlagModule):
    enabled = flag("enabled", "set_enabled_cudnn", True)
    benchmark = flag("benchmark", "set_benchmark_cudnn", False)
    deterministic = flag("deterministic", "set_deterministic_cudnn", False)
    allow_tf32 = flag("allow_tf32", "set_allow_tf32_cublas", True)  # (PyTorch's message names cuBLAS)


as_flag_module(__name__, CudnnModule)
