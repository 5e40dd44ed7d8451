"""Host memory: glibc's malloc started in the state it reaches with large arrays.

NumPy takes each array's memory from ``malloc``. glibc serves a request of at least
``M_MMAP_THRESHOLD`` bytes (128 KiB at start) with a fresh ``mmap`` and gives the heap's
free top back to the system once it exceeds ``M_TRIM_THRESHOLD``. Memory obtained either
way costs a page fault per 4 KiB page on its first write. glibc raises both thresholds by
itself when a large mapped block is freed (``M_MMAP_THRESHOLD`` to that block's size, at
most 32 MiB on 64-bit systems, ``M_TRIM_THRESHOLD`` to twice it), but a process that
churns several arrays of one size keeps crossing the trim threshold: a cross-entropy
forward and backward on (512, 1000) logits took ~1400 page faults (~1.5 ms of ~3.7 ms)
per step here, PyTorch's ~150.

:func:`start_at_steady_state` sets the thresholds to the values glibc's own rule reaches
(32 MiB and 64 MiB) when the NumPy backend is created, so freed memory below 64 MiB stays
in the process for the next array of its size. Arrays of 32 MiB and more are still mapped
and unmapped each time, as before. Nothing is changed on a C library other than glibc, or
when the user has chosen malloc settings through the environment. (An allocator preloaded
in glibc's place, such as jemalloc, does not read these settings.)
"""
from __future__ import annotations

import ctypes
import os
import platform
import sys

#: ``mallopt`` parameters (glibc's malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: the values glibc's dynamic thresholds reach on a 64-bit system (DEFAULT_MMAP_THRESHOLD_MAX and twice it)
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
#: environment variables through which a user sets glibc's malloc parameters
_USER_SETTINGS = ("GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                  "MALLOC_MMAP_MAX_")


def start_at_steady_state() -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring); True if they were set.

    Leaves malloc alone (returns False) off Linux/glibc, on a 32-bit build, and when the
    environment already holds malloc settings (``GLIBC_TUNABLES``, ``MALLOC_*_``)."""
    if sys.platform != "linux" or sys.maxsize < 2 ** 32 or platform.libc_ver()[0] != "glibc":
        return False
    if any(os.environ.get(name) for name in _USER_SETTINGS):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # pragma: no cover - a glibc without this soname
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # (the mmap threshold first: setting either turns glibc's dynamic adjustment off)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
