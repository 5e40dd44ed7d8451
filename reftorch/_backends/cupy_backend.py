"""The CUDA backend: CuPy, used through ``array_api_compat.cupy``.

Only imported when a ``cuda`` device is used. Without CuPy, or without a usable GPU,
creating the backend raises the error PyTorch raises in the same situation.

CuPy's arrays are NumPy-like (strides in bytes, ``flags``, ``base``), so the primitives
mirror the NumPy backend's; scatter-add is ``cupy.add.at`` as NumPy's ``add.at`` (before
CuPy 14, ``cupyx.scatter_add``, which CuPy 14 deprecates).
Two CuPy differences matter and are handled by the callers: out-of-range integer indices
wrap instead of raising (op code checks ranges with :meth:`indices_in_range` first), and
item assignment with repeated indices keeps an unspecified one of the values.
"""
from __future__ import annotations

import math

from .._device import device
from .base import Backend, numpy_style_dtypes

_NO_CUDA = "Torch not compiled with CUDA enabled"
_NO_DRIVER = ("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU "
              "and installed a driver from http://www.nvidia.com/Download/index.aspx")


def _usable_cupy():
    """The ``cupy`` module when it imports and sees a usable GPU (``cupy.is_available()``), else None."""
    try:
        import cupy
    except Exception:
        return None
    try:
        return cupy if cupy.is_available() else None
    except Exception:
        return None


def cupy_available() -> bool:
    """True when CuPy imports and sees a usable GPU (``cupy.is_available()``)."""
    return _usable_cupy() is not None


def gpu_count() -> int:
    """The number of CUDA GPUs CuPy can see (0 without CuPy or a GPU)."""
    cupy = _usable_cupy()
    return 0 if cupy is None else cupy.cuda.runtime.getDeviceCount()


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
        self._cupy, self._cupyx = cupy, cupyx
        major = int(cupy.__version__.split(".")[0])
        self._add_at = cupy.add.at if major >= 14 else cupyx.scatter_add
        self.xp = xp
        self.index = index
        self.device = device("cuda", index)
        self._cuda_dev = cupy.cuda.Device(index)
        super().__init__(numpy_style_dtypes(np))

    def _dev_kw(self):
        return {"device": self._cuda_dev}

    # host <-> backend
    def from_host(self, host, copy=False):
        with self._cuda_dev:
            return self._cupy.array(host, copy=True)

    def to_host(self, arr):
        return self._cupy.asnumpy(arr)

    def pin_memory(self, host):
        """Copy a NumPy array into page-locked host memory (``cupyx.empty_pinned``)."""
        out = self._cupyx.empty_pinned(host.shape, dtype=host.dtype)
        out[...] = host
        return out

    # memory layout
    def strides(self, arr):
        isz = arr.itemsize
        return tuple(s // isz for s in arr.strides)

    def as_strided(self, arr, shape, strides):
        isz = arr.itemsize
        return self._cupy.lib.stride_tricks.as_strided(
            arr, shape=tuple(shape), strides=tuple(s * isz for s in strides))

    def reshape_view(self, arr, shape):
        out = arr.view()
        out.shape = tuple(shape)  # CuPy's shape setter raises AttributeError when a copy would be needed
        return out

    def data_ptr(self, arr):
        return arr.data.ptr

    def is_c_contiguous(self, arr):
        return arr.flags.c_contiguous

    def owns_memory(self, arr):
        flags = arr.flags
        return arr.base is None and flags.owndata and flags.c_contiguous

    def copy(self, arr):
        with self._cuda_dev:
            return arr.copy()

    # in-place kernels (``out=``, as NumPy's)
    def matmul_into(self, a, b, out):
        return self._cupy.matmul(a, b, out=out)

    def subtract_into(self, a, b, out):
        return self._cupy.subtract(a, b, out=out)

    def tanh_(self, arr):
        return self._cupy.tanh(arr, out=arr)

    # writes
    def setitem(self, arr, key, value):
        with self._cuda_dev:
            arr[key] = value

    def scatter_add(self, shape, d, flat_index, values, into=None):
        with self._cuda_dev:
            dt = values.dtype if d is None else self.dtype(d)
            out = self._cupy.zeros(math.prod(shape), dtype=dt) if into is None else into.astype(dt).reshape(-1)
            self._add_at(out, flat_index, values)
            return out.reshape(tuple(shape))

    def index_add(self, shape, d, axis, index, values):
        with self._cuda_dev:
            out = self._cupy.zeros(tuple(shape), dtype=values.dtype if d is None else self.dtype(d))
            self._add_at(out, (slice(None),) * axis + (index,), values)
            return out

    def index_put_add(self, shape, g, key):
        with self._cuda_dev:
            out = self._cupy.zeros(tuple(shape), dtype=g.dtype)
            self._add_at(out, key, g)
            return out
