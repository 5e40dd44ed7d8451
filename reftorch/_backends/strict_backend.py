"""A stand-in accelerator for CPU-only test runs: ``array_api_strict`` on ``device1``.

It behaves like a GPU namespace that is *not* NumPy: ``np.asarray`` on its arrays raises,
mixing devices raises, fancy item assignment raises, and only the array API standard is
available. Running the test suite on it catches kernels that call NumPy directly, copy to
the host silently, or use NumPy-only features, while running exactly the kernel code the
CUDA backend runs.

Like CuPy's, its arrays have strided memory: ``array_api_strict`` keeps a NumPy array in
each of its arrays (``_array``), and its slicing, ``permute_dims``, ``reshape`` and
``broadcast_to`` return views of it. The primitives that the standard lacks (strides,
strided views, data pointers, assignment with array keys, scatter-add) are implemented here
on that NumPy array; this module is the only place that reaches inside.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._device import device
from .base import Backend, NumpyErrors


class StrictBackend(Backend):
    name = "array_api_strict"

    def __init__(self):
        import array_api_strict as xp
        import numpy as np
        self._np = np
        self.xp = xp
        self.device = device("strict")
        self._dev = xp.Device("device1")
        probe = xp.zeros((1,), device=self._dev)
        if not isinstance(getattr(probe, "_array", None), np.ndarray):
            raise RuntimeError(f"array_api_strict {xp.__version__} no longer keeps a NumPy array in "
                               "`_array`: the strict stand-in device needs updating")
        self._array_type = type(probe)
        super().__init__({
            "bool": xp.bool, "uint8": xp.uint8, "int8": xp.int8, "int16": xp.int16,
            "int32": xp.int32, "int64": xp.int64, "float32": xp.float32,
            "float64": xp.float64, "complex64": xp.complex64, "complex128": xp.complex128,
        })
        errors = NumpyErrors(np)  # array_api_strict computes with NumPy
        self.quiet_enter, self.quiet_exit = errors.enter, errors.exit

    def _dev_kw(self):
        return {"device": self._dev}

    def _wrap(self, np_arr):
        """A NumPy array (or a view of one) as an array of this device, sharing memory."""
        return self.xp.asarray(np_arr, device=self._dev, copy=False)

    # host <-> backend: the only sanctioned transfers
    def from_host(self, host, copy=False):
        host = self._np.asarray(host)
        self.dtype(D.BY_NAME[host.dtype.name])  # TypeError for dtypes this device lacks (float16)
        return self._wrap(self._np.array(host, copy=True))

    def to_host(self, arr):
        cpu = self.xp.asarray(arr, device=self.xp.Device("CPU_DEVICE"))
        return self._np.asarray(cpu)

    # memory layout
    def strides(self, arr):
        mem = arr._array
        isz = mem.itemsize
        return tuple([s // isz for s in mem.strides])

    def as_strided(self, arr, shape, strides):
        mem = arr._array
        isz = mem.itemsize
        view = self._np.lib.stride_tricks.as_strided(
            mem, shape=tuple(shape), strides=tuple(s * isz for s in strides), writeable=mem.flags.writeable)
        return self._wrap(view)

    def reshape_view(self, arr, shape):
        return self._wrap(arr._array.reshape(tuple(shape), copy=False))

    def view_dtype(self, arr, native):
        return self._wrap(arr._array.view(self._np.dtype(self._from_native[native].name)))

    def data_ptr(self, arr):
        return arr._array.__array_interface__["data"][0]

    def copy(self, arr):
        # array_api_strict's own copies keep the source's memory order; the contract says row-major.
        return self._wrap(self._np.array(arr._array, order="C", copy=True))

    def is_c_contiguous(self, arr):
        return arr._array.flags.c_contiguous

    # reads and writes by key
    def _mem_key(self, key):
        unwrap = self._unwrap
        return tuple(unwrap(k) for k in key) if isinstance(key, tuple) else unwrap(key)

    def getitem(self, arr, key):
        try:
            return arr[key]  # what the standard allows
        except IndexError:
            # NumPy's mixes (index arrays with slices, masks with other keys) are read on the
            # wrapped array, as CuPy reads them.
            return self._wrap(arr._array[self._mem_key(key)])

    def setitem(self, arr, key, value):
        try:
            arr[key] = value  # what the standard allows: ints, slices, None and Ellipsis
        except (IndexError, RuntimeError):  # RuntimeError: a mask key on device1
            # Integer-array and mask keys are written on the wrapped array, as CuPy writes them.
            arr._array[self._mem_key(key)] = self._unwrap(value)

    def _unwrap(self, a):
        if isinstance(a, self._array_type):
            if a.device != self._dev:
                raise ValueError(f"array on {a.device} used with an array on {self._dev}")
            return a._array
        return a

    def scatter_add(self, shape, d, flat_index, values, into=None):
        # Standard-only: out += one_hot(index)^T @ values, a chunk of indices at a time so that
        # the one-hot matrix stays small (about 2**22 elements).
        xp = self.xp
        n = math.prod(shape)
        dt = values.dtype if d is None else self.dtype(d)
        pos = xp.reshape(xp.arange(n, dtype=xp.int64, device=self._dev), (1, -1))
        out = xp.zeros((n, 1), dtype=dt, device=self._dev) if into is None else xp.reshape(xp.astype(into, dt), (n, 1))
        step = max(1, 2**22 // max(n, 1))
        k = flat_index.shape[0]
        for start in range(0, k, step):
            stop = min(start + step, k)  # the standard has no out-of-range slice bounds
            idx = xp.reshape(flat_index[start:stop], (-1, 1))
            vals = xp.reshape(xp.astype(values[start:stop], dt), (-1, 1))
            out = out + xp.matmul(xp.matrix_transpose(xp.astype(idx == pos, dt)), vals)
        return xp.reshape(out, tuple(shape))
