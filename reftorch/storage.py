"""Storages: the memory behind tensors, as bytes (``UntypedStorage``) or as elements of
one dtype (``TypedStorage``, deprecated in PyTorch). Mirrors ``torch.storage``.

A tensor's storage is the memory of its root tensor (``reftorch._tensor.storage_root``): its
base for a view, the memory ``set_`` made it view (or, for ``detach()`` and ``.data``, the
storage of the tensor they came from), else its own. A storage object holds a
1-D ``uint8`` array of the tensor's backend viewing that memory, so writes through the
storage are seen by every tensor sharing it, on every device (NumPy, CuPy, the strict
stand-in). Each call of ``untyped_storage()`` makes a new Python object over the same
memory; compare storages by ``data_ptr()``, as in PyTorch.

Deliberate differences from PyTorch:

* a tensor's storage cannot be resized (``resize_`` raises, ``resizable()`` is False, as
  for a PyTorch storage made by ``torch.from_numpy``): NumPy and CuPy cannot grow memory in
  place. ``set_`` beyond the end of a storage raises for the same reason (PyTorch grows the
  storage). Storages made with ``UntypedStorage(n)`` can be resized.
* ``share_memory_`` does not move the memory to shared memory (reftorch has no
  ``torch.multiprocessing``): it marks the storage, so ``is_shared()`` is True afterwards,
  and keeps its address.
* new storages are zero-filled (PyTorch leaves them uninitialised);
* a view taken of a view that ``set_`` moved to other memory reports the storage of its
  base (the view's base, kept by ``set_`` as in PyTorch), not the new memory;
* a tensor sharing memory with another without being a view or a ``set_`` of it
  (``torch.from_numpy(t.numpy())``, a ``Parameter`` made from a view) has a storage of its
  own starting at its first element.
"""
from __future__ import annotations

import math
import warnings

from . import _dtype as D
from ._tensor import _C_TYPE, Tensor, graph_free, storage_root, typename
from ._ops._common import resolve_device
from ._ops._inplace import check_inplace
from ._ops.as_strided import _extent
from ._ops.inplace_shape import _storage as _resized_memory
from ._layout import contiguous_strides

__all__ = ["UntypedStorage", "TypedStorage"]

_REMOVAL = ("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only "
            "storage class. This should only matter to you if you are using storages directly.  To access "
            "UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()")

_always_warn_typed_storage_removal = False
_has_warned = [False]


def _get_always_warn_typed_storage_removal():
    return _always_warn_typed_storage_removal


def _set_always_warn_typed_storage_removal(always_warn):
    """Warn about ``TypedStorage`` on every use (True) or once per process (False, the default)."""
    global _always_warn_typed_storage_removal
    if not isinstance(always_warn, bool):
        raise AssertionError(f"always_warn must be bool, got {type(always_warn)}")
    _always_warn_typed_storage_removal = always_warn


def _warn_typed_storage_removal(stacklevel=2):
    """PyTorch's deprecation ``UserWarning`` for ``TypedStorage``: given once per process
    (whatever the warning filters say), or on every use after
    ``_set_always_warn_typed_storage_removal(True)``; attributed to the caller's caller."""
    if _always_warn_typed_storage_removal or not _has_warned[0]:
        warnings.warn(_REMOVAL, UserWarning, stacklevel=stacklevel + 1)
        _has_warned[0] = True


def _reset_warn_typed_storage_removal():
    _has_warned[0] = False


def _int_key(idx, what):
    if isinstance(idx, int) and not isinstance(idx, bool):
        return idx
    raise TypeError(f"can't index a {what} with {type(idx).__name__}")


def _byte_value(value, fn):
    if not isinstance(value, int):  # (bool is an int)
        raise RuntimeError(f"fill_ expects int, but got {type(value).__name__}" if fn == "fill_" else
                           f"can only set storage content with a int types, but got {type(value).__name__} instead")
    return int(value) % 256


class UntypedStorage:
    """A block of memory as bytes: what ``Tensor.untyped_storage()`` returns, shared by a
    tensor and its views. Mirrors ``torch.UntypedStorage``.

    ``UntypedStorage()`` is empty, ``UntypedStorage(n)`` has ``n`` zero bytes (PyTorch's
    are uninitialised), ``UntypedStorage(sequence)`` holds the ints of a sequence (or
    ``bytes``), each modulo 256. ``device`` (keyword) places it (default: the CPU).

    Reading gives ints (``s[i]``, ``tolist()``, iteration); a slice ``s[a:b]`` is a storage
    sharing the memory. Writing (``s[i] = v``, ``fill_``, ``copy_``) changes every tensor
    viewing the memory.

    Raises:
        RuntimeError: for a negative size, or one argument that is neither an int nor a
            sequence.
        TypeError: for more than one argument, or a keyword other than ``device``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1., 2.])
        >>> s = x.untyped_storage()
        >>> s.nbytes(), s.data_ptr() == x.data_ptr()
        (8, True)
        >>> s[0:4].tolist()
        [0, 0, 128, 63]
    """

    is_sparse = False
    is_sparse_csr = False

    def __init__(self, *args, device=None):
        dev, b = resolve_device("cpu" if device is None else device)
        native = b.dtype(D.uint8)
        if not args:
            arr = b.zeros((0,), D.uint8)
        elif len(args) == 1 and isinstance(args[0], int) and not isinstance(args[0], bool):
            n = args[0]
            if n < 0:
                raise RuntimeError("[enforce fail at alloc_cpu.cpp:98] ((ptrdiff_t)nbytes) >= 0. alloc_cpu() seems "
                                   f"to have been called with negative number: {n % 2**64}")
            arr = b.zeros((n,), D.uint8)
        elif len(args) == 1 and hasattr(args[0], "__len__") and not isinstance(args[0], (str, Tensor)):
            arr = b.xp.asarray([_byte_value(v, "set") for v in args[0]], dtype=native, **b._dev_kw())
        elif len(args) == 1:
            raise RuntimeError(f"torch.UntypedStorage(): Expected a sequence type, but got {type(args[0]).__name__}")
        else:
            raise TypeError("torch.UntypedStorage() received an invalid combination of arguments")
        self._init(arr, b, dev, None)

    def _init(self, arr, backend, device, root):
        self._bytes = arr  # a 1-D uint8 array of ``backend``
        self._backend = backend
        self.device = device
        self._root = root  # the tensor whose memory this is (None: a storage of its own)
        self._viewed = root is not None  # whether a tensor views the memory (then no resize_)
        self._shared = False
        return self

    @classmethod
    def _of(cls, arr, backend, device, root):
        return object.__new__(cls)._init(arr, backend, device, root)

    # ----------------------------------------------------------------- sizes and place
    def nbytes(self) -> int:
        """The size in bytes."""
        return self._bytes.shape[0]

    def size(self) -> int:
        """The size in bytes (as ``nbytes()``)."""
        return self._bytes.shape[0]

    def __len__(self) -> int:
        return self._bytes.shape[0]

    def element_size(self) -> int:
        """1: an untyped storage counts bytes."""
        return 1

    def data_ptr(self) -> int:
        """The address of the first byte (a tensor's ``data_ptr()`` is this plus its
        ``storage_offset() * element_size()``)."""
        return self._backend.data_ptr(self._bytes)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def get_device(self):
        return self.device.index

    def type(self, dtype=None, non_blocking=False):
        """``'torch.storage.UntypedStorage'``."""
        return typename(self)

    def untyped(self):
        return self

    def resizable(self) -> bool:
        """Whether ``resize_`` may change the size: only for a storage made with
        ``UntypedStorage(...)`` that no tensor views (reftorch cannot grow a tensor's memory
        in place)."""
        return not self._viewed

    def is_pinned(self, device=None) -> bool:
        return False

    # ----------------------------------------------------------------- reading
    def _host_list(self, arr=None):
        return self._backend.to_host(self._bytes if arr is None else arr).tolist()

    def __getitem__(self, idx):
        n = self.nbytes()
        if isinstance(idx, slice):
            start, stop, step = idx.indices(n)
            if step != 1:
                raise RuntimeError(f"Trying to slice with a step of {step}, but only a step of 1 is supported")
            return UntypedStorage._of(self._bytes[start:max(start, stop)], self._backend, self.device, self._root)
        i = _int_key(idx, "torch.UntypedStorage")
        if i < 0:
            i += n
        if not 0 <= i < n:  # (PyTorch names the index after adding the size to a negative one)
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return self._host_list(self._bytes[i:i + 1])[0]

    def __iter__(self):
        return iter(self._host_list())

    def tolist(self):
        """The bytes as a list of ints."""
        return self._host_list()

    def __repr__(self):
        info = f"[{typename(self)}(device={self.device}) of size {len(self)}]"
        return " " + "\n ".join(map(str, self._host_list())) + "\n" + info

    # ----------------------------------------------------------------- writing
    def __setitem__(self, idx, value):
        n = self.nbytes()
        value = _byte_value(value, "set")
        if isinstance(idx, slice):
            start, stop, step = idx.indices(n)
            if step != 1:
                raise RuntimeError(f"Trying to slice with a step of {step}, but only a step of 1 is supported")
            self._backend.setitem(self._bytes, slice(start, max(start, stop)), value)
            return
        i = _int_key(idx, "torch.UntypedStorage")
        if not 0 <= i < n:  # (PyTorch refuses negative indices here)
            raise RuntimeError("out of bounds")
        self._backend.setitem(self._bytes, slice(i, i + 1), value)

    def fill_(self, value):
        """Set every byte to ``value`` (an int, modulo 256); returns ``self``."""
        self._backend.setitem(self._bytes, slice(None), _byte_value(value, "fill_"))
        return self

    def copy_(self, source, non_blocking=None):
        """Copy the bytes of ``source`` (a storage of the same size, any device); returns
        ``self``.

        Raises:
            TypeError: if ``source`` is not a storage.
            RuntimeError: if the sizes differ.
        """
        if isinstance(source, TypedStorage):
            source = source._untyped_storage
        if not isinstance(source, UntypedStorage):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be torch.Storage, not {type(source).__name__}")
        if source.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src was "
                               f"{source.nbytes()} bytes")
        src = source._bytes
        if source._backend is not self._backend:
            src = self._backend.from_host(source._backend.to_host(src), copy=True)
        self._backend.setitem(self._bytes, slice(None), src)
        return self

    def resize_(self, size):
        """Change the size to ``size`` bytes, keeping the first bytes (new ones are zero);
        only for a storage no tensor views (see :meth:`resizable`). Returns ``self``.

        Raises:
            RuntimeError: for a tensor's storage, or a negative size.
        """
        if not self.resizable():
            raise RuntimeError("Trying to resize storage that is not resizable")
        b = self._backend
        new = UntypedStorage(size, device=self.device)._bytes
        keep = min(size, self.nbytes())
        b.setitem(new, slice(0, keep), self._bytes[:keep])
        self._bytes = new
        return self

    # ----------------------------------------------------------------- copies and sharing
    def clone(self):
        """A copy in new memory, on the same device."""
        return UntypedStorage(self.nbytes(), device=self.device).copy_(self)

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        return self.clone()

    def __reduce__(self):
        # (plain pickle: a copy of the bytes; ``torch.save`` refuses storages)
        return (_rebuild_untyped_storage, (bytes(self.tolist()), str(self.device)))

    def cpu(self):
        """``self`` on the CPU, else a CPU copy."""
        if self.device.type == "cpu":
            return self
        return UntypedStorage(self.nbytes()).copy_(self)

    def is_shared(self) -> bool:
        """Whether :meth:`share_memory_` marked this memory (always True off the CPU, as
        for PyTorch's CUDA storages)."""
        if self.device.type != "cpu":
            return True
        if self._root is not None:
            return getattr(self._root, "_shared", False)
        return self._shared

    def share_memory_(self):
        """Mark the memory as shared and return ``self``. reftorch has no
        ``torch.multiprocessing``: the memory stays where it is (PyTorch moves it to shared
        memory, and its address changes)."""
        if self._root is not None:
            self._root._shared = True
        else:
            self._shared = True
        return self


def _rebuild_untyped_storage(data, device):
    """What a pickled :class:`UntypedStorage` unpickles with: a new storage of the bytes."""
    return UntypedStorage(data, device=device)


class TypedStorage:
    """A storage read as elements of one dtype: what the deprecated ``Tensor.storage()``
    returns (PyTorch's deprecation ``UserWarning`` is given on first use, once per
    process). Mirrors ``torch.TypedStorage``.

    ``TypedStorage(n, dtype=...)`` has ``n`` zero elements, ``TypedStorage(sequence,
    dtype=...)`` holds the values (default dtype: ``torch.get_default_dtype()``);
    ``_untyped_storage`` (also ``untyped()``) is the bytes underneath.

    Examples:
        >>> import warnings
        >>> import reftorch as torch
        >>> x = torch.tensor([1., 2.])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     s = x.storage()
        ...     print(s.dtype, s.size(), s.tolist())
        torch.float32 2 [1.0, 2.0]
    """

    is_sparse = False

    def __init__(self, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        if not _internal:
            _warn_typed_storage_removal()
        if wrap_storage is not None:
            if args or device is not None:
                raise RuntimeError("TypedStorage.__init__ received arguments besides wrap_storage and dtype")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError("expected a torch.UntypedStorage for argument 'wrap_storage', "
                                f"but got {type(wrap_storage).__name__}")
            self._untyped_storage, self.dtype = wrap_storage, dtype or D.get_default_dtype()
            return
        dtype = dtype or D.get_default_dtype()
        if not args:
            n = 0
        elif len(args) == 1 and isinstance(args[0], int) and not isinstance(args[0], bool):
            n = args[0]
        else:
            t = Tensor._legacy_new(dtype, args, device)
            self._untyped_storage, self.dtype = t.untyped_storage(), dtype
            return
        self._untyped_storage = UntypedStorage(n * dtype.itemsize, device=device)
        self.dtype = dtype

    def _elements(self):
        """The memory as a 1-D array of this storage's dtype."""
        s = self._untyped_storage
        b = s._backend
        n = s.nbytes() // self.dtype.itemsize
        return b.view_dtype(s._bytes[:n * self.dtype.itemsize], b.dtype(self.dtype))

    def _tensor(self):
        """A 1-D tensor over the elements (what writes go through)."""
        s = self._untyped_storage
        return Tensor._wrap(self._elements(), s.device, s._backend)

    def _size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    # ----------------------------------------------------------------- sizes and place
    def size(self) -> int:
        """The number of elements."""
        _warn_typed_storage_removal()
        return self._size()

    def __len__(self) -> int:
        _warn_typed_storage_removal()
        return self._size()

    def nbytes(self) -> int:
        _warn_typed_storage_removal()
        return self._untyped_storage.nbytes()

    def element_size(self) -> int:
        _warn_typed_storage_removal()
        return self.dtype.itemsize

    def data_ptr(self) -> int:
        _warn_typed_storage_removal()
        return self._untyped_storage.data_ptr()

    @property
    def device(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.device

    @property
    def is_cuda(self) -> bool:
        _warn_typed_storage_removal()
        return self._untyped_storage.device.type == "cuda"

    def get_device(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.device.index

    def untyped(self):
        """The bytes underneath (an :class:`UntypedStorage` over the same memory)."""
        _warn_typed_storage_removal()
        return self._untyped_storage

    def _pickle_storage_type(self):
        return D.scalar_name(self.dtype) + "Storage"

    def pickle_storage_type(self) -> str:
        """The legacy class name, ``'FloatStorage'`` for float32."""
        _warn_typed_storage_removal()
        return self._pickle_storage_type()

    def type(self, dtype=None, non_blocking=False):
        """The legacy type name, ``'torch.FloatStorage'`` for float32."""
        _warn_typed_storage_removal()
        return "torch." + self._pickle_storage_type()

    def resizable(self) -> bool:
        _warn_typed_storage_removal()
        return self._untyped_storage.resizable()

    def resize_(self, size):
        _warn_typed_storage_removal()
        self._untyped_storage.resize_(size * self.dtype.itemsize)

    def is_shared(self) -> bool:
        _warn_typed_storage_removal()
        return self._untyped_storage.is_shared()

    def share_memory_(self):
        _warn_typed_storage_removal()
        self._untyped_storage.share_memory_()
        return self

    def is_pinned(self, device=None) -> bool:
        _warn_typed_storage_removal()
        return False

    # ----------------------------------------------------------------- reading
    def _values(self):
        s = self._untyped_storage
        return s._backend.to_host(self._elements()).tolist()

    def __getitem__(self, idx):
        _warn_typed_storage_removal()
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        i = _int_key(idx, "torch.TypedStorage")
        n = self._size()
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return self._values()[i]

    def __iter__(self):
        _warn_typed_storage_removal()
        return iter(self._values())

    def tolist(self):
        """The elements as a list of Python numbers."""
        _warn_typed_storage_removal()
        return self._values()

    def __str__(self):
        _warn_typed_storage_removal()
        info = (f"[{typename(self)}(dtype={self.dtype}, device={self._untyped_storage.device}) "
                f"of size {self._size()}]")
        return " " + "\n ".join(map(str, self._values())) + "\n" + info

    def __repr__(self):
        _warn_typed_storage_removal()
        return self.__str__()

    # ----------------------------------------------------------------- writing
    def __setitem__(self, idx, value):
        _warn_typed_storage_removal()
        if not isinstance(idx, (int, slice)):
            raise RuntimeError(f"can't index a {self.type()} with {type(idx).__name__}")
        self._tensor()[idx] = value

    def fill_(self, value):
        """Set every element to ``value``; returns ``self``."""
        _warn_typed_storage_removal()
        self._tensor().fill_(value)
        return self

    def copy_(self, source, non_blocking=None):
        """Copy the bytes of ``source`` (a storage of the same size in bytes)."""
        _warn_typed_storage_removal()
        self._untyped_storage.copy_(source)
        return self

    # ----------------------------------------------------------------- copies
    def _new_wrapped_storage(self, untyped_storage):
        return TypedStorage(wrap_storage=untyped_storage, dtype=self.dtype, _internal=True)

    def clone(self):
        """A copy in new memory."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        return self.clone()

    def __reduce__(self):
        return (_rebuild_typed_storage, (self._untyped_storage, self.dtype))

    def cpu(self):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.cpu())


def _rebuild_typed_storage(untyped, dtype):
    """What a pickled :class:`TypedStorage` unpickles with."""
    return TypedStorage(wrap_storage=untyped, dtype=dtype, _internal=True)


class _LegacyStorageMeta(type):
    """The metaclass of ``torch.FloatStorage`` and friends: calling the class makes a
    :class:`TypedStorage` of its dtype, ``isinstance(s, torch.FloatStorage)`` is True for a
    CPU float32 :class:`TypedStorage`."""

    def __call__(cls, *args, **kwargs):
        _warn_typed_storage_removal()
        return TypedStorage(*args, dtype=cls.dtype, _internal=True, **kwargs)

    def __instancecheck__(cls, obj):
        return (type(obj) is TypedStorage and obj.dtype is cls.dtype
                and obj._untyped_storage.device.type == "cpu")

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


#: ``torch.FloatStorage``, ``torch.LongStorage`` … (one per dtype reftorch has).
LEGACY_STORAGES = {D.scalar_name(d) + "Storage": _LegacyStorageMeta(D.scalar_name(d) + "Storage", (), {
    "dtype": d, "__module__": "torch", "__doc__": f"Legacy CPU storage of {d} elements (a TypedStorage)."})
    for d in D.ALL}


# ----------------------------------------------------------------------- Tensor methods
def _memory(t):
    """``(root, bytes)``: the tensor whose memory is ``t``'s storage and a 1-D uint8 array
    over all of that memory (as far as its root's layout reaches; after a ``resize_`` down,
    the memory it was resized from, which PyTorch's storage keeps)."""
    root = storage_root(t)
    b = root._backend
    mem = _resized_memory(b, root)
    flat = b.as_strided(mem, (_extent(mem.shape, b.strides(mem)),), (1,))
    return root, b.view_dtype(flat, b.dtype(D.uint8))


def untyped_storage(self):
    """The memory this tensor views, as bytes: shared by the tensor, its views and the
    tensors ``set_`` made view it. Mirrors ``torch.Tensor.untyped_storage``.

    ``x.data_ptr()`` is ``x.untyped_storage().data_ptr() + x.storage_offset() *
    x.element_size()``; two tensors share memory when their storages have the same
    ``data_ptr()``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6.)
        >>> v = x.view(2, 3)[1]
        >>> v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        True
        >>> x.untyped_storage().nbytes()
        24
    """
    root, arr = _memory(self)
    return UntypedStorage._of(arr, root._backend, root._device, graph_free(root))


def storage(self):
    """The memory as a :class:`TypedStorage` of this tensor's dtype, with PyTorch's
    deprecation ``UserWarning`` (once per process). Mirrors ``torch.Tensor.storage``."""
    _warn_typed_storage_removal(stacklevel=2)
    return _typed_storage(self)


def _typed_storage(self):
    """``Tensor._typed_storage()``: :func:`storage` without the warning (as PyTorch's)."""
    return TypedStorage(wrap_storage=untyped_storage(self), dtype=self.dtype, _internal=True)


def storage_type(self):
    """The legacy storage class of this tensor's dtype (``torch.FloatStorage`` for
    float32). Mirrors ``torch.Tensor.storage_type``."""
    return LEGACY_STORAGES[D.scalar_name(self.dtype) + "Storage"]


def is_shared(self) -> bool:
    """Whether the memory was marked shared by ``share_memory_`` (always True off the
    CPU). Mirrors ``torch.Tensor.is_shared``."""
    return untyped_storage(self).is_shared()


def share_memory_(self):
    """Mark this tensor's memory as shared (``is_shared()`` becomes True for it and every
    tensor sharing its storage) and return ``self``. Mirrors ``torch.Tensor.share_memory_``,
    which moves CPU memory into shared memory for ``torch.multiprocessing``; reftorch has
    none, so the memory and ``data_ptr()`` stay as they are."""
    untyped_storage(self).share_memory_()
    return self


def is_set_to(self, tensor) -> bool:
    """Whether ``tensor`` views exactly the same memory as this tensor: the same storage,
    storage offset, size and strides. Mirrors ``torch.Tensor.is_set_to``.

    Raises:
        TypeError: if ``tensor`` is not a tensor.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"is_set_to(): argument 'tensor' (position 1) must be Tensor, not {typename(tensor)}")
    a, b = untyped_storage(self), untyped_storage(tensor)
    return (a.device == b.device and a.data_ptr() == b.data_ptr() and a.nbytes() == b.nbytes()
            and self.storage_offset() == tensor.storage_offset() and self.shape == tensor.shape
            and self.stride() == tensor.stride())


def _set_args_error(args):
    return TypeError(f"set_() received an invalid combination of arguments - got "
                     f"({', '.join(type(a).__name__ for a in args)}), but expected one of: (), (torch.Storage source), "
                     "(torch.Storage source, int storage_offset, tuple of ints size, tuple of ints stride = None), "
                     "(Tensor source), (Tensor source, int storage_offset, tuple of ints size, "
                     "tuple of ints stride = None)")


def _forget_storage_root(t):
    if getattr(t, "_storage_root", None) is not None:
        del t._storage_root


def set_(self, source=None, storage_offset=None, size=None, stride=None):
    """Make this tensor view the memory of ``source`` (a tensor's storage, or a storage)
    with the given ``storage_offset`` (elements), ``size`` and ``stride`` (default: the
    source tensor's own, or all of the storage; a ``size`` without ``stride`` keeps this
    tensor's strides when the size is its own, as PyTorch does, else is row-major).
    ``set_()`` gives it new empty memory. Mirrors ``torch.Tensor.set_``; returns
    ``self``, which is not a view (``_base`` unchanged) but shares ``source``'s storage.

    Raises:
        RuntimeError: for a dtype or device that differs from ``source``'s, a negative
            offset or size, sizes and strides of different lengths, a view reaching past the
            end of the storage (PyTorch grows the storage: reftorch cannot), or an in-place
            change of a leaf that requires grad.
        TypeError: for other arguments.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6.)
        >>> y = torch.empty(0).set_(x.untyped_storage(), 2, (2, 2))
        >>> y
        tensor([[2., 3.],
                [4., 5.]])
        >>> y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        True
    """
    given = tuple(a for a in (source, storage_offset, size, stride) if a is not None)
    if source is None:
        if given:
            raise _set_args_error(given)
        check_inplace(self)
        b = self._backend
        self._data = b.zeros((0,), self._dtype)
        _forget_storage_root(self)
        self._bump_version()
        return self
    if storage_offset is not None and size is None:
        raise _set_args_error(given)
    itemsize = self._dtype.itemsize
    if isinstance(source, Tensor):
        if source.dtype != self._dtype:
            raise RuntimeError(f"Could not set tensor of type {_C_TYPE[source.dtype.name]} to a tensor of type "
                               f"{_C_TYPE[self._dtype.name]}")
        if size is None:
            storage_offset, size, stride = source.storage_offset(), tuple(source.shape), source.stride()
        source = untyped_storage(source)
    elif isinstance(source, TypedStorage):
        if source.dtype != self._dtype:
            raise RuntimeError(f"Expected a Storage of type {_C_TYPE[self._dtype.name]} or an UntypedStorage, but "
                               f"got type {D.scalar_name(source.dtype)} for argument 1 'storage'")
        source = source._untyped_storage
    elif not isinstance(source, UntypedStorage):
        raise _set_args_error(given)
    if source.device != self._device:
        raise RuntimeError(f"Expected a Storage of device {self._device} but got {source.device} for argument 1 "
                           "'storage'")
    if size is None:
        storage_offset, size = 0, (source.nbytes() // itemsize,)
    size = tuple(int(n) for n in size)
    if stride is None:  # PyTorch keeps the tensor's strides when its size stays the same
        stride = self.stride() if tuple(self.shape) == size else contiguous_strides(size)
    stride = tuple(int(s) for s in stride)
    storage_offset = int(storage_offset)
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length ({len(stride)})")
    if any(n < 0 for n in size):
        raise RuntimeError("numel: integer multiplication overflow")
    if math.prod(size) and (storage_offset + _extent(size, stride)) * itemsize > source.nbytes():
        raise RuntimeError("Trying to resize storage that is not resizable")
    check_inplace(self)
    b = source._backend
    elements = TypedStorage(wrap_storage=source, dtype=self._dtype, _internal=True)._elements()
    root = source._root
    if root is None or root._data.dtype != elements.dtype or b.data_ptr(root._data) != b.data_ptr(elements):
        root = Tensor._wrap(elements, source.device, b)  # the memory, as a tensor of this dtype
        root._shared = source.is_shared()
        source._root, source._viewed = root, True
    start = min(storage_offset, elements.shape[0])  # (an empty view may start past the end)
    self._data = b.as_strided(elements[start:], size, stride)
    if root is self:
        _forget_storage_root(self)
    else:
        self._storage_root = graph_free(root)
    self._bump_version()
    return self
