"""The backend contract: everything op code may ask of a backend beyond its array namespace.

A kernel is written once, over ``backend.xp`` (an array-API namespace) plus the methods
declared here. The methods marked abstract are the *primitives*: the few operations whose
implementation differs between array libraries (host transfers, strided views, item
assignment with integer or boolean keys, scatter-add). Everything else has one generic
implementation below, written over ``xp`` and the primitives.

Every backend has strided views that share memory with their base (NumPy, CuPy, and the
array-api-strict stand-in through the NumPy array it wraps), so a kernel never asks which
backend it runs on: ``device="strict"`` runs exactly the code ``device="cuda"`` runs.

``tests/test_backend_contract.py`` checks every primitive on every backend present.
"""
from __future__ import annotations

import abc
import functools
import math

from .. import _dtype as D
from .._layout import contiguous_strides
from .._warnings import warn_once
from . import _erf

__all__ = ["Backend", "contiguous_strides", "numpy_style_dtypes"]

_NO_DTYPE = object()  # the float16 of a backend without one (matches no dtype)

_COMPLEX_TO_REAL = ("Casting complex values to real discards the imaginary part (Triggered internally at "
                    "/__w/pytorch/pytorch/aten/src/ATen/native/Copy.cpp:307.)")


def warn_complex_to_real():
    """PyTorch's UserWarning for a complex value cast to a real dtype (bool excepted): once
    per process (``TORCH_WARN_ONCE``), attributed to the first line outside reftorch."""
    warn_once(_COMPLEX_TO_REAL, stacklevel=0)


def numpy_style_dtypes(np, bfloat16=None):
    """The dtype table of a NumPy-compatible library (NumPy itself, or CuPy, which uses
    NumPy's dtype objects), with ``bfloat16`` (a NumPy dtype, ``ml_dtypes.bfloat16``) where
    the library computes with it (NumPy does; CuPy has no bfloat16)."""
    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
             "complex64", "complex128")
    table = {n: np.dtype(n) for n in names}
    if bfloat16 is not None:
        table["bfloat16"] = np.dtype(bfloat16)
    return table


class NumpyErrors:
    """NumPy's floating-point error state switched to "ignore" (PyTorch's kernels never warn
    about a division by zero, an overflow or an invalid value; NumPy would print a
    ``RuntimeWarning``). ``enter()`` returns a token for ``exit(token)``; both run around
    every kernel call, so with NumPy >= 2 (which keeps the state in a context variable) they
    are the variable's own C methods, ``set`` bound to the "ignore" state and ``reset``, with
    no Python frame; without it, ``np.errstate``."""

    def __init__(self, np):
        self._np = np
        try:
            from numpy._core._ufunc_config import _extobj_contextvar as var
        except ImportError:  # pragma: no cover - a NumPy without the context variable
            var = None
        if var is not None:
            with np.errstate(all="ignore"):
                ignore = var.get()
            self.enter = functools.partial(var.set, ignore)
            self.exit = var.reset

    def enter(self):  # pragma: no cover - a NumPy without the context variable
        state = self._np.errstate(all="ignore")
        state.__enter__()
        return state

    def exit(self, token):  # pragma: no cover - a NumPy without the context variable
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


class Backend(abc.ABC):
    """What every backend provides. Subclasses set ``name``, ``xp`` and ``device`` and pass
    their dtype table (reftorch dtype name -> native dtype) to ``__init__``.

    Attributes:
        name (str): the array library (``"numpy"``, ``"cupy"``, ``"array_api_strict"``).
        xp: the array namespace kernels compute with.
        device (reftorch.device): the device this backend serves.
        _from_native (dict): native dtype -> ``reftorch.dtype`` (read directly on hot paths).
    """

    name: str = ""
    xp = None
    device = None

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
        # astype's detour to float16 and bfloat16: source dtype -> the dtype to round to first
        self._half = dtypes.get("float16", _NO_DTYPE)
        self._bfloat16 = dtypes.get("bfloat16", _NO_DTYPE)
        self._via = {dtypes[n]: dtypes["float32"] for n in ("float64", "int64", "int32")}
        self._complex = {dtypes["complex64"], dtypes["complex128"]}
        self._complex_or_bool = self._complex | {dtypes["bool"]}
        # Read on every op call: copied from the class to the instance, where CPython 3.11
        # specializes the look-up (a class attribute read through an instance is not).
        self.xp, self.array_type = self.xp, self.array_type

    # ----------------------------------------------------------- dtypes and devices
    def dtype(self, d):
        """The native dtype for ``reftorch.dtype`` ``d``.

        Raises:
            TypeError: if this backend has no such dtype (float16 on the stand-in).
        """
        try:
            return self._to_native[d]
        except KeyError:
            raise TypeError(f"reftorch does not support {d} on {self.device}") from None

    def dtype_of(self, arr):
        """The ``reftorch.dtype`` of array ``arr``."""
        return self._from_native[arr.dtype]

    def _dev_kw(self):
        """Keyword arguments that place a new array on this backend's device
        (``xp.zeros(shape, dtype=..., **b._dev_kw())``)."""
        return {}

    def astype(self, arr, native, copy=True):
        """``xp.astype(arr, native, copy=copy)`` converted as PyTorch converts:

        * a float64 (or int64, int32) value bound for float16 or bfloat16 is rounded to
          float32 first, because PyTorch's ``c10::Half`` and ``c10::BFloat16`` are built
          from a float (``13700.000000000002`` becomes 13696 in float16, not 13704 as a
          single rounding gives);
        * a complex value bound for a real dtype other than bool keeps its real part, with
          PyTorch's warning (once per process) rather than NumPy's ``ComplexWarning``.

        Every cast whose destination may be float16 or bfloat16, or whose source may be
        complex, goes through here; other casts may call ``xp.astype`` directly."""
        if arr.dtype in self._complex and native not in self._complex_or_bool:
            warn_complex_to_real()
            arr = self.xp.real(arr)
        if native is self._half or native is self._bfloat16:
            via = self._via.get(arr.dtype)
            if via is not None:
                arr = self.xp.astype(arr, via)
        return self.xp.astype(arr, native, copy=copy)

    def zeros(self, shape, d):
        """A new array of zeros of ``shape`` and ``reftorch.dtype`` ``d``."""
        return self.xp.zeros(shape, dtype=self.dtype(d), **self._dev_kw())

    def full(self, shape, native, value):
        """A new array of ``shape`` and native dtype ``native`` holding the number ``value``
        everywhere (one that fits: the caller checks, as ``torch.full`` does); a backend
        may fill more directly (it runs once per ``ones``/``full``)."""
        return self.xp.full(shape, value, dtype=native, **self._dev_kw())

    # ----------------------------------------------------------- host transfers (primitives)
    @abc.abstractmethod
    def from_host(self, host, copy=False):
        """The NumPy array ``host`` as an array of this backend (a copy unless the backend is
        the host itself and ``copy`` is false)."""

    @abc.abstractmethod
    def to_host(self, arr):
        """``arr`` as a NumPy array (``arr`` itself on the CPU, else a copy)."""

    def pin_memory(self, host):
        """``host`` (a NumPy array) in page-locked host memory; backends without a GPU
        return it unchanged."""
        return host

    def is_pinned(self, arr):
        """True when ``arr`` lies in page-locked host memory (only CPU arrays can)."""
        return False

    # ----------------------------------------------------------- memory layout (primitives)
    @abc.abstractmethod
    def strides(self, arr):
        """The strides of ``arr`` in elements (not bytes), as a tuple of ints."""

    @abc.abstractmethod
    def as_strided(self, arr, shape, strides):
        """A view of ``arr``'s memory with ``shape`` and ``strides`` (in elements, counted
        from ``arr``'s first element). Writeable exactly when ``arr`` is."""

    @abc.abstractmethod
    def reshape_view(self, arr, shape):
        """``arr`` reshaped without copying.

        Raises:
            ValueError or AttributeError: if no view of ``arr`` has that shape.
        """

    def reshape_rows(self, arr, shape):
        """A row-major contiguous ``arr`` reshaped (always a view: ``shape`` has as many
        elements); a backend may call its kernel more directly (it runs once per ``view``)."""
        return self.reshape_view(arr, shape)

    def permute(self, arr, dims):
        """``xp.permute_dims(arr, dims)``: a view with the dims reordered (``dims`` a tuple);
        a backend may call its kernel more directly (it runs once per ``permute``/``t``)."""
        return self.xp.permute_dims(arr, dims)

    def mm(self, a, b):
        """``xp.matmul(a, b)`` of two 2-D arrays; a backend may call its kernel more
        directly (it runs once per ``Linear`` call)."""
        return self.xp.matmul(a, b)

    def select(self, mask, a, b):
        """``xp.where(mask, a, b)``: the bits of ``a`` where ``mask`` holds, of ``b`` elsewhere
        (signed zeros and nan payloads included). Where ``mask`` is boolean and ``a``, ``b``
        are arrays of one dtype, all of one shape, a backend may pick the bits without a
        branch per element (NumPy's ``where`` mispredicts one on a random mask, ~5 ns an
        element); anything else is ``where``'s own case (broadcasting, casts)."""
        return self.xp.where(mask, a, b)

    def where_into(self, mask, src, dst):
        """``xp.where(mask, src, dst)`` (arrays of one dtype and shape), where ``dst`` is a
        fresh array the caller owns: a backend may write ``src`` into it in place (NumPy's
        ``copyto(where=)``: no third array, ~0.3 us less on small arrays)."""
        return self.xp.where(mask, src, dst)

    # In-place kernels of the recurrent layers' time loop (reftorch/nn/modules/rnn.py): the
    # standard has no ``out=``, so these write a fresh result back; NumPy and CuPy write
    # straight into the destination (no temporary per call).
    def matmul_into(self, a, b, out):
        """``out[...] = xp.matmul(a, b)`` (``b`` may be a stack, ``out`` a strided view);
        returns ``out``."""
        out[...] = self.xp.matmul(a, b)
        return out

    def subtract_into(self, a, b, out):
        """``out[...] = a - b``; returns ``out``."""
        out[...] = a - b
        return out

    def tanh_(self, arr):
        """``arr[...] = xp.tanh(arr)``; returns ``arr``."""
        arr[...] = self.xp.tanh(arr)
        return arr

    def sigmoid_(self, arr, out=None):
        """The logistic sigmoid ``1 / (1 + exp(-arr))`` of the real floating ``arr``, written
        to ``out`` (``arr`` itself when None; returned). ``exp`` overflows to inf below about
        -88 (float32), giving PyTorch's exact 0: run it in the quiet state. (Not ``0.5 *
        tanh(0.5 * arr) + 0.5``: that loses the small values, 0 from about -17.)"""
        if out is None:
            out = arr
        out[...] = 1 / (1 + self.xp.exp(-arr))
        return out

    def squeeze(self, arr, axes):
        """``xp.squeeze(arr, axis=axes)``: a view without the size-1 dims ``axes`` (a
        non-empty tuple), the other strides kept; a backend may call its kernel more
        directly (it runs once per ``Tensor.squeeze``)."""
        return self.xp.squeeze(arr, axis=axes)

    def concat(self, arrays, axis):
        """``xp.concat(arrays, axis=axis)``: the arrays (a list, of one dtype) joined along
        ``axis``; a backend may call its kernel more directly (it runs once per ``cat``)."""
        return self.xp.concat(arrays, axis=axis)

    def concat_as(self, arrays, axis, native):
        """``concat`` of ``arrays`` (a list, of any dtypes) cast to the native dtype
        ``native`` as ``xp.astype`` casts, with no floating-point warning (an int64 beyond
        float16's range gives inf quietly, as in PyTorch); a backend may cast while it joins."""
        xp = self.xp
        with self.quiet():
            return self.concat([a if a.dtype == native else xp.astype(a, native) for a in arrays], axis)

    def view_dtype(self, arr, native):
        """``arr``'s memory read as the native dtype ``native`` (``Tensor.view(dtype)``;
        the caller checked PyTorch's conditions for another element size)."""
        return arr.view(native)

    @abc.abstractmethod
    def data_ptr(self, arr):
        """The address of ``arr``'s first element (an int); views report their offset."""

    def is_c_contiguous(self, arr):
        """True when ``arr`` is row-major contiguous (NumPy's notion: size-1 dims may have
        any stride)."""
        expected = 1
        for n, st in zip(reversed(arr.shape), reversed(self.strides(arr))):
            if n != 1 and st != expected:
                return 0 in arr.shape
            expected *= n
        return True

    def ascontiguousarray(self, arr):
        """``arr`` itself when it is row-major contiguous (as :meth:`is_c_contiguous` says),
        else a row-major copy of it (NumPy's and CuPy's ``ascontiguousarray``); ``arr`` has
        at least one dim. A backend binds its library's function where it has one: on a
        contiguous array that is cheaper than reading the flag (NumPy: ~0.03 against ~0.1 us)."""
        return arr if self.is_c_contiguous(arr) else self.copy(arr)

    def owns_memory(self, arr):
        """True when ``arr`` is a writeable row-major array owning its memory (not a view):
        autograd may then keep it as ``.grad`` without a copy. False: unknown, copy."""
        return False

    @abc.abstractmethod
    def copy(self, arr):
        """A new writeable array with ``arr``'s values, laid out row-major (whatever
        ``arr``'s layout: ``xp.asarray(copy=True)`` may keep it)."""

    # ----------------------------------------------------------- reads and writes by key
    def getitem(self, arr, key):
        """``arr[key]`` for every key NumPy accepts (the array API standard allows integer
        arrays only together with ints, and a mask only alone): ints, slices, ``None``,
        ``Ellipsis``, integer arrays and boolean masks, mixed as in NumPy."""
        return arr[key]

    @abc.abstractmethod
    def setitem(self, arr, key, value):
        """``arr[key] = value`` in place, for every key NumPy accepts: ints, slices,
        ``None``, ``Ellipsis``, integer arrays and boolean masks (arrays of this backend).
        ``value`` is a scalar or an array of ``arr``'s dtype broadcastable to ``arr[key]``.
        With repeated indices, which value lands is unspecified (as on a GPU)."""

    @abc.abstractmethod
    def scatter_add(self, shape, d, flat_index, values, into=None):
        """An array of ``shape`` and ``reftorch.dtype`` ``d`` (``None``: the dtype of
        ``values``), zero (or a copy of ``into``, an array of ``shape`` and that dtype)
        except that each ``values[i]`` is added at the row-major flat position
        ``flat_index[i]``. Repeated indices accumulate; a backend that adds one value at a
        time adds them in index order, after ``into``'s value. ``flat_index`` is a 1-D
        int64 array; ``values`` a 1-D array of the same length."""

    def index_add(self, shape, d, axis, index, values):
        """``zeros(shape)`` with ``values`` added at positions ``index`` along ``axis``.

        ``values`` has ``shape`` except ``len(index)`` along ``axis``; repeated indices
        accumulate, as in ``Tensor.index_add_``. With ``axis=0`` this is "scatter-add rows"
        (the backward of an embedding lookup).
        """
        xp = self.xp
        outer = math.prod(shape[:axis])
        inner = math.prod(shape[axis + 1:])
        k = index.shape[0]
        idx = xp.astype(index, xp.int64)
        o = xp.reshape(xp.arange(outer, dtype=xp.int64, **self._dev_kw()), (outer, 1, 1))
        i = xp.reshape(xp.arange(inner, dtype=xp.int64, **self._dev_kw()), (1, 1, inner))
        flat = (o * shape[axis] + xp.reshape(idx, (1, k, 1))) * inner + i
        return self.scatter_add(tuple(shape), d, xp.reshape(flat, (-1,)), xp.reshape(values, (-1,)))

    def index_put_add(self, shape, g, key):
        """The gradient of ``x[key]`` for an ``x`` of ``shape``: zeros with ``g`` added at the
        positions ``x[key]`` read (repeated positions accumulate). ``key`` is a tuple
        as in :meth:`setitem`."""
        xp = self.xp
        n = math.prod(shape)
        pos = self.getitem(xp.reshape(xp.arange(n, dtype=xp.int64, **self._dev_kw()), tuple(shape)), key)
        return self.scatter_add(tuple(shape), None, xp.reshape(pos, (-1,)), xp.reshape(g, (-1,)))

    # ----------------------------------------------------------- indices
    def indices_in_range(self, idx, size):
        """True when every value of the non-empty integer array ``idx`` lies in ``[0, size)``."""
        xp = self.xp
        return int(xp.min(idx)) >= 0 and int(xp.max(idx)) < size

    def take_in_range(self, arr, idx, axis=None):
        """``xp.take`` for indices already checked to lie in range."""
        return self.xp.take(arr, idx, axis=axis)

    def take_offsets(self, flat, index, base, scale, size):
        """``flat[index * scale + base]``, shaped like ``index``, or None when some index lies
        outside ``[0, size)`` (then nothing else is promised; the caller raises).

        The kernel of ``gather`` on a row-major input: ``flat`` is the 1-D input,
        ``index`` a non-empty int64/int32 array of at least one dimension, ``scale`` (an
        int) the input's stride along the gathered dimension and ``base`` (an int64 array
        broadcastable to ``index``, or None for 0) the offsets of the other coordinates.
        """
        if not self.indices_in_range(index, size):
            return None
        xp = self.xp
        off = xp.astype(index, xp.int64, copy=False)
        if scale != 1:
            off = off * scale
        if base is not None:
            off = off + base
        return xp.reshape(self.take_in_range(flat, xp.reshape(off, (-1,))), index.shape)

    # ----------------------------------------------------------- reductions
    def sum(self, arr, axis, keepdims, dtype):
        """``xp.sum(arr, axis=axis, keepdims=keepdims, dtype=dtype)``: ``dtype`` native, or
        None for ``arr``'s own (``arr`` then of a float or complex dtype); a bool ``arr`` is
        summed as int64 cast to ``dtype`` (the array API sums numbers only). A backend may
        call its kernel more directly (it runs once per ``Tensor.sum``)."""
        xp = self.xp
        if arr.dtype == xp.bool:
            arr = xp.astype(arr, xp.int64)
        return xp.sum(arr, axis=axis, keepdims=keepdims, dtype=dtype)

    def amax(self, arr, axis, keepdims):
        """``xp.max(arr, axis=axis, keepdims=keepdims)`` (NaN propagates; ``axis``: an int, a
        tuple or None); of a bool ``arr``, ``xp.any`` (the array API's max takes real numbers
        only). A backend may call its kernel more directly (it runs once per ``softmax``,
        ``amax``, ``logsumexp``)."""
        xp = self.xp
        if arr.dtype == xp.bool:
            return xp.any(arr, axis=axis, keepdims=keepdims)
        return xp.max(arr, axis=axis, keepdims=keepdims)

    def amin(self, arr, axis, keepdims):
        """``xp.min(arr, axis=axis, keepdims=keepdims)``, as :meth:`amax` (bool: ``xp.all``)."""
        xp = self.xp
        if arr.dtype == xp.bool:
            return xp.all(arr, axis=axis, keepdims=keepdims)
        return xp.min(arr, axis=axis, keepdims=keepdims)

    def maximum(self, a, b):
        """``xp.maximum(a, b)`` (NaN propagates); of bool arrays, ``xp.logical_or`` (the
        array API's maximum takes real numbers only)."""
        xp = self.xp
        if a.dtype == xp.bool and b.dtype == xp.bool:
            return xp.logical_or(a, b)
        return xp.maximum(a, b)

    def minimum(self, a, b):
        """``xp.minimum(a, b)``, as :meth:`maximum` (bool: ``xp.logical_and``)."""
        xp = self.xp
        if a.dtype == xp.bool and b.dtype == xp.bool:
            return xp.logical_and(a, b)
        return xp.minimum(a, b)

    def best_position(self, arr, axis, keepdims, largest):
        """``xp.argmax`` (``largest``) or ``xp.argmin`` of ``arr`` along ``axis`` (None: of the
        flattened array), int64: the first of equal values, a NaN before any number (for both). A
        backend may call its kernel more directly (it runs once per ``argmax``/``max(dim)``)."""
        xp = self.xp
        find = xp.argmax if largest else xp.argmin
        if arr.dtype == xp.bool:  # (the array API's argmax/argmin take real numbers only)
            arr = xp.astype(arr, xp.uint8)
        return xp.astype(find(arr, axis=axis, keepdims=keepdims), xp.int64, copy=False)

    def argsort(self, arr, axis):
        """``xp.argsort(arr, axis=axis, stable=True)``: a stable ascending sort's positions
        (NaN last); a bool ``arr`` is read as uint8 (the array API sorts real numbers only)."""
        xp = self.xp
        if arr.dtype == xp.bool:
            arr = xp.astype(arr, xp.uint8)
        return xp.argsort(arr, axis=axis, stable=True)

    def take_along_axis(self, arr, idx, axis):
        """``xp.take_along_axis(arr, idx, axis=axis)``: ``idx`` (an integer array of
        ``arr``'s number of dims, indices in range) picks along ``axis``; a backend may build
        the indexing more directly (it runs once per ``max(dim)``, ``sort``, ``topk``)."""
        return self.xp.take_along_axis(arr, idx, axis=axis)

    def best_positions(self, arr, m, axis, largest):
        """Positions along ``axis`` of ``m`` elements (``0 < m <= arr.shape[axis]``) that no
        other element beats: larger ones when ``largest``, smaller ones otherwise, NaN above
        every number. In no particular order, and any of the equal values at the boundary.
        ``topk``'s first step (a partial sort); the array API has none, so here a full
        ``argsort`` (NaN last, as NumPy and CuPy sort)."""
        xp = self.xp
        order = xp.argsort(arr, axis=axis)
        n = arr.shape[axis]
        keep = slice(n - m, n) if largest else slice(0, m)
        return order[tuple(keep if i == axis else slice(None) for i in range(arr.ndim))]

    #: Arrays of at most this many bytes are one block of :meth:`row_blocks` (None: every
    #: array is, as here: a GPU runs a whole array at once).
    one_block_bytes = None

    def row_blocks(self, rows, row_bytes):
        """``(start, stop)`` ranges covering ``range(rows)`` in order: the rows a row-wise
        kernel of several passes (layer norm) should take at a time, so that each pass
        finds the block in the cache. Here one block: a GPU runs a whole array at once."""
        return ((0, rows),)

    def mean(self, arr, axis, keepdims, count):
        """``xp.mean(arr, axis=axis, keepdims=keepdims)`` of a floating or complex ``arr``
        (``count``: how many elements each mean takes, not 0). A backend may call its kernels
        more directly (it runs once per ``Tensor.mean``)."""
        return self.xp.mean(arr, axis=axis, keepdims=keepdims)

    # ----------------------------------------------------------- errors
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

    # ----------------------------------------------------------- arithmetic
    def fmod(self, a, b):
        """C's ``fmod`` (the remainder with the sign of ``a``), which PyTorch's floor division
        and ``remainder`` build on; the array API standard lacks it (``remainder`` of the
        magnitudes, with ``a``'s sign, is the same)."""
        xp = self.xp
        f = getattr(xp, "fmod", None)
        if f is not None:
            return f(a, b)
        r = xp.remainder(xp.abs(a), xp.abs(b))  # Python's modulus of two non-negatives is C's
        if xp.isdtype(r.dtype, "real floating"):
            return xp.copysign(r, a)  # (a zero too: fmod(-3, 0.75) is -0.)
        return xp.where(a < 0, -r, r)

    def erf(self, a):
        """The error function of a real floating array (PyTorch's ``erf``), in ``a``'s dtype;
        the array API standard and NumPy lack it (generic version: fdlibm's algorithm over
        ``xp``, see ``_erf.py``; run it in the quiet state)."""
        return _erf.erf(self, a)

    def erfc(self, a):
        """``1 - erf(a)``, accurate where ``erf`` is near 1 (PyTorch's ``erfc``); see :meth:`erf`."""
        return _erf.erfc(self, a)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name} on {self.device}>"
