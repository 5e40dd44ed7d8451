"""The CUDA backend: CuPy, used through ``array_api_compat.cupy``.

Only imported when a ``cuda`` device is used. Without CuPy, or without a usable GPU,
creating the backend raises the error PyTorch raises in the same situation.
"""
from __future__ import annotations

from .._device import device
from .base import Backend, numpy_style_dtypes

_NO_CUDA = "Torch not compiled with CUDA enabled"
_NO_DRIVER = ("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU "
              "and installed a driver from http://www.nvidia.com/Download/index.aspx")


def cupy_available() -> bool:
    try:
        import cupy
    except Exception:
        return False
    try:
        return bool(cupy.is_available())
    except Exception:
        return False


def make_cupy_backend(index: int):
    try:
        import cupy  # noqa: F401
    except ImportError:
        raise AssertionError(_NO_CUDA) from None
    if not cupy_available():
        raise RuntimeError(_NO_DRIVER)
    return CupyBackend(index)


class CupyBackend(Backend):
    name = "cupy"

    def __init__(self, index: int):
        import array_api_compat.cupy as xp
        import cupy
        import cupyx
        import numpy as np
        self._cupy, self._cupyx, self._np = cupy, cupyx, np
        self.xp = xp
        self.index = index
        self.device = device("cuda", index)
        self._cuda_dev = cupy.cuda.Device(index)
        super().__init__(numpy_style_dtypes(np))

    def _dev_kw(self):
        return {"device": self._cuda_dev}

    def from_host(self, arr, copy=False):
        with self._cuda_dev:
            return self._cupy.array(arr, copy=True)

    def to_host(self, arr):
        return self._cupy.asnumpy(arr)

    def strides(self, arr):
        isz = arr.itemsize
        return tuple(s // isz for s in arr.strides)

    def as_strided(self, arr, shape, strides):
        isz = arr.itemsize
        return self._cupy.lib.stride_tricks.as_strided(
            arr, shape=tuple(shape), strides=tuple(s * isz for s in strides))

    def reshape_view(self, arr, shape):
        out = arr.view()
        out.shape = tuple(shape)  # raises AttributeError when a copy would be needed
        return out

    def data_ptr(self, arr):
        return arr.data.ptr

    def scatter_add(self, shape, d, flat_index, values, n=None):
        import math
        with self._cuda_dev:
            out = self._cupy.zeros(math.prod(shape), dtype=self.dtype(d))
            self._cupyx.scatter_add(out, flat_index, values)
            return out.reshape(shape)

    def index_add(self, shape, d, axis, index, values):
        with self._cuda_dev:
            out = self._cupy.zeros(shape, dtype=self.dtype(d))
            key = (slice(None),) * axis + (index,)
            self._cupyx.scatter_add(out, key, values)
            return out

    def pin_memory(self, host_arr):
        """Copy a NumPy array into page-locked host memory (``cupyx.empty_pinned``)."""
        out = self._cupyx.empty_pinned(host_arr.shape, dtype=host_arr.dtype)
        out[...] = host_arr
        return out

    def index_put_add(self, shape, g, key):
        with self._cuda_dev:
            out = self._cupy.zeros(shape, dtype=g.dtype)
            self._cupyx.scatter_add(out, key, g)
            return out
