"""``reftorch.cuda``: the CUDA (CuPy) device. Mirrors the parts of ``torch.cuda`` reftorch uses."""
from __future__ import annotations

from .._backends.cupy_backend import cupy_available


def is_available() -> bool:
    """True when CuPy is installed and a CUDA GPU is usable.

    Mirrors ``torch.cuda.is_available``.

    Examples:
        >>> import reftorch as torch
        >>> isinstance(torch.cuda.is_available(), bool)
        True
    """
    return cupy_available()


def device_count() -> int:
    """The number of CUDA GPUs CuPy can see (0 without CuPy or a GPU)."""
    if not cupy_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def current_device() -> int:
    if not cupy_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    return cupy.cuda.runtime.getDevice()


def synchronize(device=None) -> None:
    """Wait for all queued GPU work to finish."""
    if cupy_available():
        import cupy
        cupy.cuda.runtime.deviceSynchronize()


def manual_seed(seed) -> None:
    """Accepted for compatibility: CUDA tensors draw from the CPU generator in reftorch."""


manual_seed_all = manual_seed
