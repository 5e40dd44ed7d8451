"""A stand-in accelerator for CPU-only test runs: ``array_api_strict`` on ``device1``.

It behaves like a GPU namespace that is *not* NumPy: ``np.asarray`` on its arrays raises,
mixing devices raises, and only the array API standard is available. Running the test
suite on it catches kernels that call NumPy directly or copy to the host silently.
It has no strided views: "views" on this device are copies, so it is used to check
kernels, not aliasing.
"""
from __future__ import annotations

import math

from .._device import device
from .base import Backend, NumpyErrors, contiguous_strides


class StrictBackend(Backend):
    name = "array_api_strict"
    has_views = False

    def __init__(self):
        import array_api_strict as xp
        import numpy as np
        self._np = np
        self.xp = xp
        self.device = device("strict")
        self._dev = xp.Device("device1")
        super().__init__({
            "bool": xp.bool, "uint8": xp.uint8, "int8": xp.int8, "int16": xp.int16,
            "int32": xp.int32, "int64": xp.int64, "float32": xp.float32,
            "float64": xp.float64, "complex64": xp.complex64, "complex128": xp.complex128,
        })
        errors = NumpyErrors(np)  # array_api_strict computes with NumPy
        self.quiet_enter, self.quiet_exit = errors.enter, errors.exit

    def _dev_kw(self):
        return {"device": self._dev}

    def from_host(self, arr, copy=False):
        # The one sanctioned host -> device transfer.
        return self.xp.asarray(self._np.array(arr, copy=True), device=self._dev)

    def to_host(self, arr):
        # The one sanctioned device -> host transfer.
        cpu = self.xp.asarray(arr, device=self.xp.Device("CPU_DEVICE"))
        return self._np.asarray(cpu)

    def strides(self, arr):
        return contiguous_strides(arr.shape)

    def as_strided(self, arr, shape, strides):
        xp = self.xp
        flat = xp.reshape(arr, (-1,))
        idx = xp.zeros((), dtype=xp.int64, device=self._dev)
        for k, (n, s) in enumerate(zip(shape, strides)):
            ar = xp.arange(n, dtype=xp.int64, device=self._dev) * s
            idx = xp.expand_dims(idx, axis=-1) + ar if k else ar
        if not shape:
            return xp.reshape(flat[0:1], ())
        return xp.reshape(xp.take(flat, xp.reshape(idx, (-1,))), tuple(shape))

    def reshape_view(self, arr, shape):
        return self.xp.reshape(arr, tuple(shape))

    def data_ptr(self, arr):
        return id(arr)

    def scatter_add(self, shape, d, flat_index, values, n=None):
        # A standard-only scatter-add: one_hot(index)^T @ values.
        xp = self.xp
        n = math.prod(shape)
        pos = xp.arange(n, dtype=xp.int64, device=self._dev)
        onehot = xp.astype(xp.reshape(flat_index, (-1, 1)) == xp.reshape(pos, (1, -1)), values.dtype)
        out = xp.matmul(xp.matrix_transpose(onehot), xp.reshape(values, (-1, 1)))
        return xp.reshape(out, tuple(shape))

    def pin_memory(self, arr):
        return arr

    def index_put_add(self, shape, g, key):
        # Which flat positions did the forward read? Index an arange the same way.
        xp = self.xp
        n = math.prod(shape)
        pos = xp.reshape(xp.arange(n, dtype=xp.int64, device=self._dev), tuple(shape))[key]
        return self.scatter_add(shape, None, xp.reshape(pos, (-1,)), xp.reshape(g, (-1,)))
