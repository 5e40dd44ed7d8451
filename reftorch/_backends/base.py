"""What every backend provides beyond its array namespace."""
from __future__ import annotations

import contextlib
import math

from .. import _dtype as D


def numpy_style_dtypes(np):
    """The dtype table of a NumPy-compatible library (NumPy itself, or CuPy, which uses
    NumPy's dtype objects)."""
    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
             "complex64", "complex128")
    return {n: np.dtype(n) for n in names}


def contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


class Backend:
    """Base class. Subclasses set ``xp``, ``device`` and the dtype table ``_dtypes``."""

    xp = None
    device = None
    #: True when views share memory with their base (False for the strict stand-in).
    has_views = True

    def __init__(self, dtypes):
        self._to_native = {}
        self._from_native = {}
        for name, native in dtypes.items():
            d = D.BY_NAME[name]
            self._to_native[d] = native
            self._from_native[native] = d

    # ----------------------------------------------------------- dtypes
    def dtype(self, d):
        try:
            return self._to_native[d]
        except KeyError:
            raise TypeError(f"reftorch does not support {d} on {self.device}") from None

    def indices_in_range(self, idx, size):
        """True when every value of the non-empty integer array ``idx`` lies in ``[0, size)``."""
        xp = self.xp
        return int(xp.min(idx)) >= 0 and int(xp.max(idx)) < size

    def take_in_range(self, arr, idx, axis=None):
        """``xp.take`` for indices already checked to lie in range."""
        return self.xp.take(arr, idx, axis=axis)

    def is_c_contiguous(self, arr):
        """True when ``arr`` is known to be row-major contiguous (False: unknown, take the slow path)."""
        return False

    def owns_memory(self, arr):
        """True when ``arr`` is a writeable row-major array owning its memory (not a view):
        autograd may then keep it as ``.grad`` without a copy. False: unknown, copy."""
        return False

    def is_pinned(self, arr):
        """True when ``arr`` lies in page-locked host memory (only CPU arrays can)."""
        return False

    def quiet_overflow(self):
        """A context manager silencing overflow warnings (PyTorch's kernels never warn)."""
        return contextlib.nullcontext()

    def dtype_of(self, arr):
        return self._from_native[arr.dtype]

    # ----------------------------------------------------------- generic kernels
    def zeros(self, shape, d):
        return self.xp.zeros(shape, dtype=self.dtype(d), **self._dev_kw())

    def _dev_kw(self):
        return {}

    def scatter_add(self, shape, d, flat_index, values):
        """A 1-D array of ``math.prod(shape)`` zeros with ``values`` added at ``flat_index``
        (duplicates accumulate), reshaped to ``shape``."""
        raise NotImplementedError

    def index_add(self, shape, d, axis, index, values):
        """``zeros(shape)`` with ``values`` added at positions ``index`` along ``axis``.

        ``values`` has ``shape`` except ``len(index)`` along ``axis``. Duplicate indices
        accumulate, as in ``Tensor.index_add_``.
        """
        xp = self.xp
        n = math.prod(shape)
        # Flatten to (outer, len, inner) and compute flat offsets.
        outer = math.prod(shape[:axis])
        inner = math.prod(shape[axis + 1:])
        k = index.shape[0]
        idx = xp.astype(index, xp.int64)
        o = xp.reshape(xp.arange(outer, dtype=xp.int64, **self._dev_kw()), (outer, 1, 1))
        i = xp.reshape(xp.arange(inner, dtype=xp.int64, **self._dev_kw()), (1, 1, inner))
        flat = (o * shape[axis] + xp.reshape(idx, (1, k, 1))) * inner + i
        return self.scatter_add(shape, d, xp.reshape(flat, (-1,)), xp.reshape(values, (-1,)), n)
