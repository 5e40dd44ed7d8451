"""What every backend provides beyond its array namespace."""
from __future__ import annotations

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


class NumpyErrors:
    """NumPy's floating-point error state switched to "ignore" (PyTorch's kernels never warn
    about a division by zero, an overflow or an invalid value; NumPy would print a
    ``RuntimeWarning``). ``enter()`` returns a token for ``exit(token)``; both are cheap
    enough to run around every kernel call (NumPy >= 2 keeps the state in a context
    variable; without it, ``np.errstate``)."""

    def __init__(self, np):
        self._np = np
        try:
            from numpy._core._ufunc_config import _extobj_contextvar as var
        except ImportError:  # pragma: no cover - a NumPy without the context variable
            var = None
        self._var = var
        if var is not None:
            with np.errstate(all="ignore"):
                self._ignore = var.get()

    def enter(self):
        if self._var is not None:
            return self._var.set(self._ignore)
        state = self._np.errstate(all="ignore")  # pragma: no cover
        state.__enter__()  # pragma: no cover
        return state  # pragma: no cover

    def exit(self, token):
        if self._var is not None:
            self._var.reset(token)
        else:  # pragma: no cover
            token.__exit__(None, None, None)


class _Quiet:
    """``with backend.quiet():`` -- a context manager over ``quiet_enter``/``quiet_exit``."""

    __slots__ = ("_backend", "_token")

    def __init__(self, backend):
        self._backend = backend

    def __enter__(self):
        self._token = self._backend.quiet_enter()

    def __exit__(self, *exc):
        self._backend.quiet_exit(self._token)


class Backend:
    """Base class. Subclasses set ``xp``, ``device`` and the dtype table ``_dtypes``."""

    xp = None
    device = None
    #: True when views share memory with their base (False for the strict stand-in).
    has_views = True

    #: the class of this backend's arrays, when every kernel result must be one (NumPy
    #: returns scalars such as ``np.float32`` from 0-d reductions and ufuncs; a tensor always
    #: holds an array, so in-place ops and views work on 0-d results). None: not checked.
    array_type = None

    def as_array(self, out):
        """``out`` as an array of :attr:`array_type` (a 0-d array for a scalar)."""
        return out

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

    # PyTorch's kernels never warn about floating-point faults (log(0), x / 0, overflow):
    # Function.apply and the backward pass run every kernel between quiet_enter() and
    # quiet_exit(token); other code uses ``with backend.quiet():``.
    def quiet_enter(self):
        """Start ignoring floating-point faults; returns a token for :meth:`quiet_exit`."""
        return None

    def quiet_exit(self, token):
        """Restore the floating-point error state that ``quiet_enter`` replaced."""

    def quiet(self):
        """A context manager ignoring floating-point faults (see ``quiet_enter``)."""
        return _Quiet(self)

    def quiet_overflow(self):
        """A context manager silencing overflow warnings (see :meth:`quiet`)."""
        return self.quiet()

    def dtype_of(self, arr):
        return self._from_native[arr.dtype]

    def fmod(self, a, b):
        """C's ``fmod`` (the remainder with the sign of ``a``), which PyTorch's floor division
        and ``remainder`` build on; the array API standard lacks it."""
        xp = self.xp
        f = getattr(xp, "fmod", None)
        if f is not None:
            return f(a, b)
        r = xp.remainder(a, b)  # Python's modulus: the sign of b
        r = xp.where((r != 0) & ((r < 0) != (a < 0)), r - b, r)
        return xp.where(xp.isinf(b) & xp.isfinite(a), a, r)

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
