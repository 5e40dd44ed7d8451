"""The CPU backend: plain NumPy (NumPy 2 implements the array API standard)."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided as _as_strided

from .._device import device
from .base import Backend


class NumpyBackend(Backend):
    xp = np
    device = device("cpu")
    name = "numpy"

    def __init__(self):
        super().__init__({
            "bool": np.dtype(np.bool_), "uint8": np.dtype(np.uint8), "int8": np.dtype(np.int8),
            "int16": np.dtype(np.int16), "int32": np.dtype(np.int32), "int64": np.dtype(np.int64),
            "float16": np.dtype(np.float16), "float32": np.dtype(np.float32),
            "float64": np.dtype(np.float64), "complex64": np.dtype(np.complex64),
            "complex128": np.dtype(np.complex128),
        })

    # host <-> backend
    def from_host(self, arr, copy=False):
        return np.array(arr, copy=True) if copy else np.asarray(arr)

    def to_host(self, arr):
        return arr

    # strided views
    def strides(self, arr):
        isz = arr.itemsize
        return tuple(s // isz for s in arr.strides)

    def as_strided(self, arr, shape, strides):
        isz = arr.itemsize
        return _as_strided(arr, shape=tuple(shape), strides=tuple(s * isz for s in strides),
                           writeable=arr.flags.writeable)

    def reshape_view(self, arr, shape):
        return np.reshape(arr, shape, copy=False)

    def data_ptr(self, arr):
        return arr.__array_interface__["data"][0]

    def scatter_add(self, shape, d, flat_index, values, n=None):
        out = np.zeros(int(np.prod(shape)), dtype=self.dtype(d))
        np.add.at(out, flat_index, values)
        return out.reshape(shape)

    def index_add(self, shape, d, axis, index, values):
        out = np.zeros(shape, dtype=self.dtype(d))
        key = (slice(None),) * axis + (index,)
        np.add.at(out, key, values)
        return out

    def pin_memory(self, arr):
        return arr

    def index_put_add(self, shape, g, key):
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, key, g)
        return out
