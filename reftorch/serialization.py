"""``torch.save`` and ``torch.load`` in PyTorch's zip checkpoint format.

A checkpoint is a zip archive (written and read by the standard library's :mod:`zipfile`)
with these records, all under one top-level folder (``archive`` for file objects, the
file's stem for paths)::

    archive/data.pkl                 the object, pickled (protocol 2)
    archive/data/0, data/1, ...      the raw bytes of each storage, one record per storage
    archive/byteorder                "little" or "big"
    archive/version                  "3"
    archive/.format_version          "1"
    archive/.data/serialization_id   an identifier of this save

Inside ``data.pkl`` a tensor is the call
``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
backward_hooks)`` whose ``storage`` is a *persistent id*: the tuple
``("storage", torch.FloatStorage, "0", "cpu", numel)`` naming the record ``data/0``.
Tensors that view one memory block share one storage record, so a loaded checkpoint
keeps them sharing memory.

Loading is safe by default (``weights_only=True``, as in PyTorch 2.13): the unpickler
only resolves the globals a checkpoint of tensors, containers and plain values needs, and
refuses anything else (``os.system`` through ``__reduce__``, arbitrary classes) with
:class:`pickle.UnpicklingError` before it could run.
"""
from __future__ import annotations

import _compat_pickle
import collections
import importlib
import io
import os
import pickle
import sys
import time
import zipfile

import numpy as np  # (host side: checkpoints hold host arrays)

from . import _dtype as D
from . import cuda
from ._device import device as _device_cls
from ._size import Size
from ._tensor import Tensor
from .nn.parameter import Parameter, is_lazy
from .storage import TypedStorage, UntypedStorage

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

#: ``FloatStorage`` … : the legacy typed-storage names PyTorch writes, per dtype.
_STORAGE_NAMES = {D.BY_NAME[dt]: scalar + "Storage" for dt, scalar in D.SCALAR_NAMES.items()}
_STORAGE_DTYPES = {name: dt for dt, name in _STORAGE_NAMES.items()}

_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from "
    "`False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.")
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
#: modules whose globals are refused outright, whatever their name (PyTorch's blocklist).
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")


# ====================================================================== saving
class _Global:
    """A name written into the pickle as a ``GLOBAL`` opcode (``torch._utils _rebuild_tensor_v2``).

    The standard pickler writes a global only after checking that importing it gives back
    the same object, which cannot hold for PyTorch's names inside reftorch; these stand-ins
    are written by :meth:`_Pickler._save_global_name` instead.
    """

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle requires reduce functions to be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints, not a function")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")
_SIZE = _Global("torch", "Size")
_DEVICE = _Global("torch", "device")


class _StorageRecord:
    """One storage of the checkpoint: a contiguous block of host memory and its dtype."""

    __slots__ = ("key", "array", "dtype", "location")

    def __init__(self, key, array, dtype, location):
        self.key, self.array, self.dtype, self.location = key, array, dtype, location


def _root(arr):
    """The NumPy array that owns the memory ``arr`` views (``arr`` itself if it owns it)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


class _Pickler(pickle._Pickler):
    """The standard library's (pure-Python) pickler, with reftorch tensors written the way
    PyTorch writes its own and their memory collected into storage records."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.records = []  # _StorageRecord, in key order
        self._by_root = {}  # id(host root array) -> (root array, _StorageRecord)
        self._device_blocks = []  # (device, address, nbytes, root array, _StorageRecord) of device memory

    # --- globals PyTorch names (see _Global)
    def _save_global_name(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = _save_global_name

    # --- tensors, dtypes, sizes, devices
    def reducer_override(self, obj):
        if is_lazy(obj):  # no data to store: rebuilt from its class and requires_grad, as in PyTorch
            return obj.__reduce_ex__(2)
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, (UntypedStorage, TypedStorage)):
            raise pickle.PicklingError("reftorch.save cannot save a storage object (PyTorch can): save the tensor "
                                       "that views it instead")
        if type(obj) is Size:
            return (_SIZE, (tuple(obj),))
        if isinstance(obj, _device_cls):
            return (_DEVICE, (str(obj),))
        return NotImplemented

    def _save_dtype(self, obj):
        self._save_global_name(_Global("torch", obj.name))

    dispatch[D.dtype] = _save_dtype

    def _reduce_tensor(self, t):
        if isinstance(t, Parameter):
            return (_REBUILD_PARAMETER, (t.detach(), t.requires_grad, collections.OrderedDict()))
        record, offset, stride = self._storage_of(t)
        return (_REBUILD_TENSOR, (record, offset, tuple(t.shape), stride, t.requires_grad,
                                  collections.OrderedDict()))

    def _storage_of(self, t):
        """The storage record holding ``t``'s elements, ``t``'s offset in it and its strides
        (in elements). Tensors viewing one block of memory share one record: on the CPU the
        block is the NumPy array at the end of the ``.base`` chain (this also finds sharing
        made outside autograd, e.g. by ``from_numpy``); on other devices it is the memory
        of the tensor's root base (``t._base``), located with the backend's ``data_ptr``
        and ``strides`` and copied to the host once."""
        if t.device.type == "cpu":
            return self._host_storage_of(t)
        return self._device_storage_of(t)

    def _new_record(self, array, t):
        location = "cuda:%d" % (t.device.index or 0) if t.device.type == "cuda" else "cpu"
        record = _StorageRecord(str(len(self.records)), array, t.dtype, location)
        self.records.append(record)
        return record

    @staticmethod
    def _check_same_type(record, t):
        if record.dtype != t.dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as "
                               "different types")

    def _private_copy(self, t):
        """A record of its own holding a contiguous host copy of ``t``'s elements."""
        arr = np.ascontiguousarray(t._host())
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        return self._new_record(arr, t), 0, tuple(s // arr.itemsize for s in arr.strides)

    def _host_storage_of(self, t):
        arr = t._host()
        itemsize = arr.itemsize
        root = _root(arr)
        shareable = (root.flags.c_contiguous and root.dtype.isnative
                     and all(s >= 0 and s % itemsize == 0 for s in arr.strides)
                     and root.nbytes % itemsize == 0)
        if shareable:
            start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            shareable = start % itemsize == 0 and (arr.size == 0 or start >= 0)
        if not shareable:
            return self._private_copy(t)
        found = self._by_root.get(id(root))
        if found is None:
            record = self._new_record(root, t)
            self._by_root[id(root)] = (root, record)  # keeps root alive: ids stay unique
        else:
            record = found[1]
            self._check_same_type(record, t)
        return record, start // itemsize, tuple(s // itemsize for s in arr.strides)

    def _device_storage_of(self, t):
        b, data = t._backend, t._data
        root = (t._base if t._base is not None else t)._data
        itemsize = t.element_size()
        if t.numel() == 0 or root.dtype != data.dtype or not b.is_c_contiguous(root):
            return self._private_copy(t)
        start = b.data_ptr(root)
        strides = b.strides(data)
        offset, rest = divmod(b.data_ptr(data) - start, itemsize)
        last = offset + sum((n - 1) * st for n, st in zip(data.shape, strides))
        if rest or offset < 0 or any(st < 0 for st in strides) or last >= root.size:
            return self._private_copy(t)
        # A block already saved that holds this root (e.g. the base of a detached view) is reused.
        for dev, block_start, block_size, _, record in self._device_blocks:
            if dev == t.device and block_start <= start and start + root.size * itemsize <= block_start + block_size:
                self._check_same_type(record, t)
                offset += (start - block_start) // itemsize
                break
        else:
            record = self._new_record(np.ascontiguousarray(b.to_host(root)), t)
            # (root is kept alive, so no other block takes its address while saving)
            self._device_blocks.append((t.device, start, root.size * itemsize, root, record))
        return record, offset, tuple(strides)

    def persistent_id(self, obj):
        if type(obj) is _StorageRecord:
            numel = obj.array.nbytes // obj.dtype.itemsize
            return ("storage", _Global("torch", _STORAGE_NAMES[obj.dtype]), obj.key, obj.location, numel)
        return None


def _open_for(f, mode):
    """``(file object, should close, archive folder name)`` for a path or a file object."""
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        if "w" in mode:  # PyTorch's errors (its archive writer opens the file)
            parent = os.path.dirname(path)
            if parent and not os.path.isdir(parent):
                raise RuntimeError(f"Parent directory {parent} does not exist.")
            if not os.path.basename(path):
                raise RuntimeError(f"[enforce fail at inline_container.cc:720] . invalid file name: {path}")
            if os.path.isdir(path):
                raise RuntimeError("[enforce fail at inline_container.cc:747] . open file failed with strerror: "
                                   "Is a directory")
        return open(path, mode), True, name
    if "w" in mode and not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")
    if "r" in mode and not hasattr(f, "read"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'read' attribute")
    return f, False, "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state_dicts, containers, plain values) to a checkpoint file.

    Mirrors ``torch.save``: the file is PyTorch's zip format, so ``torch.load`` reads it
    (with ``weights_only=True`` when ``obj`` holds only tensors, containers, dtypes, sizes,
    devices and plain Python values). Tensors that view one memory block are stored once
    and stay views of one block after loading. A tensor's whole memory block is saved, as
    in PyTorch: save ``t.clone()`` to store only a small view of a big tensor.

    Args:
        obj: the object to save.
        f: a path (``str`` or ``os.PathLike``) or a binary file object with ``write``.
        pickle_module: accepted for compatibility; the standard :mod:`pickle` is used.
        pickle_protocol: the pickle protocol of ``data.pkl`` (default 2, as PyTorch).

    Raises:
        RuntimeError: if two tensors view the same memory with different dtypes.
        AttributeError: if ``f`` is neither a path nor writable.

    Examples:
        >>> import io, reftorch as torch
        >>> buf = io.BytesIO()
        >>> torch.save({"w": torch.ones(2)}, buf)
        >>> _ = buf.seek(0)
        >>> torch.load(buf)
        {'w': tensor([1., 1.])}
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("reftorch writes only the zip checkpoint format")
    data = io.BytesIO()
    pickler = _Pickler(data, pickle_protocol)
    pickler.dump(obj)
    fobj, close, folder = _open_for(f, "wb")
    try:
        with zipfile.ZipFile(fobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr(f"{folder}/data.pkl", data.getbuffer())
            zf.writestr(f"{folder}/.format_version", "1")
            if not _disable_byteorder_record:
                zf.writestr(f"{folder}/byteorder", sys.byteorder)
            for record in pickler.records:
                with zf.open(f"{folder}/data/{record.key}", "w", force_zip64=True) as out:
                    out.write(memoryview(record.array.reshape(-1).view("uint8")))
            zf.writestr(f"{folder}/version", "3")
            zf.writestr(f"{folder}/.data/serialization_id", f"{time.time_ns():040d}"[-40:])
    finally:
        if close:
            fobj.close()


# ====================================================================== loading
class _StorageType:
    """What ``torch.FloatStorage`` & co. unpickle to: the storage's dtype."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


class _LoadedStorage:
    """A storage record read from the checkpoint: a flat 1-D tensor on its target device.

    ``map_location`` callables receive it as ``storage`` and may return ``storage.cpu()``,
    ``storage.cuda(i)`` or ``storage.to(device)`` (or ``None`` for the saved location).
    """

    __slots__ = ("flat", "location")

    def __init__(self, flat, location):
        self.flat, self.location = flat, location

    @property
    def device(self):
        return self.flat.device

    def to(self, device):
        return _LoadedStorage(self.flat.to(device), self.location)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to(_device_cls("cuda", device) if isinstance(device, int) else (device or "cuda"))

    def nbytes(self):
        return self.flat.nbytes

    def size(self):
        return self.flat.numel()

    def __len__(self):
        return self.flat.numel()


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    """A tensor viewing ``storage`` (``torch._utils._rebuild_tensor_v2``), bounds-checked."""
    flat = storage.flat
    try:
        size, stride, offset = tuple(map(int, size)), tuple(map(int, stride)), int(storage_offset)
    except (TypeError, ValueError):
        raise RuntimeError("corrupt checkpoint: a tensor's size, stride or offset is not a sequence "
                           "of integers") from None
    n = flat.numel()
    if len(size) != len(stride) or offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"corrupt checkpoint: invalid tensor geometry (size {list(size)}, stride "
                           f"{list(stride)}, offset {offset})")
    if 0 not in size:
        last = offset + sum((sz - 1) * st for sz, st in zip(size, stride))
        if last >= n:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                               f"{offset}, and itemsize {flat.element_size()} requiring a storage size of "
                               f"{(last + 1) * flat.element_size()} are out of bounds for storage of size "
                               f"{n * flat.element_size()}")
    backend = flat._backend
    arr = backend.as_strided(flat._data[min(offset, n):], size, stride)
    metadata = metadata or {}
    if metadata.get("conj"):  # PyTorch's conjugate (negative) bit: the values are the storage's
        arr = backend.xp.conj(arr)  # conjugate (negative), materialised here (a copy, no longer a view)
    if metadata.get("neg"):
        arr = -arr
    t = Tensor._wrap(arr, flat.device, backend)
    if metadata.get("conj"):
        t._conj_bit = True
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    """``torch._utils._rebuild_parameter`` (and ``_rebuild_parameter_with_state``)."""
    p = Parameter(data, requires_grad)
    if state:
        for k, v in (state.items() if isinstance(state, dict) else ()):
            setattr(p, k, v)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2``: a tensor rebuilt by ``func``, then its
    Python attributes (``state``) restored."""
    t = func(*args)
    if isinstance(state, dict):
        for k, v in state.items():
            setattr(t, k, v)
    return t


def _make_size(*args):
    return Size(*args)


def _safe_globals():
    """The globals a ``weights_only`` checkpoint may name, mapped to reftorch objects."""
    table = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Tensor": Tensor,
        "torch.Size": _make_size,
        "torch.device": _device_cls,
        "torch.storage.UntypedStorage": _StorageType(D.uint8),
        "_codecs.encode": __import__("_codecs").encode,  # how protocol 2 writes bytes
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
    }
    for d in D.ALL:
        table[f"torch.{d.name}"] = d
    for d, name in _STORAGE_NAMES.items():
        table[f"torch.{name}"] = _StorageType(d)
    return table


_SAFE = None
#: globals allowed by the user (``add_safe_globals``), by ``"module.qualname"``.
_USER_SAFE = {}


def _global_name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Allow more globals (classes, functions) in ``weights_only`` loads. Mirrors
    ``torch.serialization.add_safe_globals``.

    Args:
        safe_globals: a list of objects, or of ``(object, "module.name")`` pairs for an
            object saved under another name.

    Examples:
        >>> import argparse, io, reftorch as torch
        >>> buf = io.BytesIO()
        >>> torch.save({"args": argparse.Namespace(lr=0.1)}, buf)
        >>> _ = buf.seek(0)
        >>> torch.serialization.add_safe_globals([argparse.Namespace])
        >>> torch.load(buf)
        {'args': Namespace(lr=0.1)}
        >>> torch.serialization.clear_safe_globals()
    """
    for item in safe_globals:
        if isinstance(item, tuple):
            obj, name = item
            _USER_SAFE[name] = obj
        else:
            _USER_SAFE[_global_name(item)] = item


def get_safe_globals():
    """The objects allowed by :func:`add_safe_globals`."""
    return list(_USER_SAFE.values())


def clear_safe_globals():
    """Forget every object allowed by :func:`add_safe_globals`."""
    _USER_SAFE.clear()


class safe_globals:
    """Context manager: :func:`add_safe_globals` for the ``with`` block only."""

    def __init__(self, safe_globals):
        self._globals = safe_globals

    def __enter__(self):
        self._saved = dict(_USER_SAFE)
        add_safe_globals(self._globals)

    def __exit__(self, *exc):
        _USER_SAFE.clear()
        _USER_SAFE.update(self._saved)


def _safe():
    global _SAFE
    if _SAFE is None:
        _SAFE = _safe_globals()
    return _SAFE


def _weights_only_message(message):
    """PyTorch's wording around an unpickler refusal."""
    if "was not an allowed global by default" in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                f"\n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please "
                "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message + _DOCS_MESSAGE)
    text = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        text += ("Please file an issue with the following so that we can make `weights_only=True` "
                 "compatible with your use case: WeightsUnpickler error: ")
    return text + "\n\n" + message + _DOCS_MESSAGE


class _Unpickler(pickle.Unpickler):
    """The standard library's unpickler with PyTorch's names mapped to reftorch and, when
    ``weights_only``, every other global refused (the documented way to restrict pickle:
    ``find_class`` is the only door through which a pickle reaches code)."""

    def __init__(self, file, weights_only, load_storage):
        super().__init__(file)
        self._weights_only = weights_only
        self._load_storage = load_storage

    def find_class(self, module, name):
        # Protocol 2 writes Python 2 names (``__builtin__.set``): translate them first,
        # as the standard unpickler's own find_class does.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if self._weights_only:
            if module in _BLOCKED_MODULES:
                raise pickle.UnpicklingError(
                    f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked.")
            try:
                return _safe()[full]
            except KeyError:
                if full in _USER_SAFE:
                    return _USER_SAFE[full]
                shown = full[len("builtins."):] if full.startswith("builtins.") else full
                raise pickle.UnpicklingError(
                    f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
                    f"`torch.serialization.add_safe_globals([{shown}])` or the "
                    f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this "
                    "global if you trust this class/function.") from None
        if full in _safe():
            return _safe()[full]
        if module == "torch" or module.startswith("torch."):
            obj = importlib.import_module("reftorch" + module[len("torch"):])
            for part in name.split("."):
                obj = getattr(obj, part)
            return obj
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)):
            raise pickle.UnpicklingError("unsupported persistent id encountered")
        return self._load_storage(pid[1].dtype, pid[2], str(pid[3]), pid[4])


def _target_device(map_location, storage, location):
    """Apply ``map_location`` to one loaded CPU storage saved at ``location``."""
    if map_location is None:
        dev = location
    elif isinstance(map_location, (str, _device_cls)):
        dev = map_location
    elif isinstance(map_location, dict):
        dev = map_location.get(location, location)
    elif callable(map_location):
        result = map_location(storage, location)
        if result is None:
            dev = location
        elif isinstance(result, _LoadedStorage):
            return result
        else:
            raise TypeError(f"map_location should return a storage or None, got {type(result).__name__}")
    else:  # checked by load
        raise ValueError(f"map_location of type {type(map_location).__name__}")
    dev = _device_cls(dev)
    if dev.type == "cuda":
        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                "If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
    return storage if dev.type == "cpu" else storage.to(dev)


def _read_record(zf, name, nbytes):
    """The bytes of record ``name`` in a fresh writable NumPy array, read in chunks (the
    peak memory stays at the data's size plus one chunk)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found") from None
    if info.file_size != nbytes:
        raise RuntimeError(f"corrupt checkpoint: record {name} holds {info.file_size} bytes, "
                           f"expected {nbytes}")
    out = np.empty(nbytes, dtype=np.uint8)
    view = memoryview(out)
    pos = 0
    with zf.open(info) as src:
        # Storage bytes are not CRC-checked, as PyTorch's reader does not check them either
        # (the check costs about as much as the read; data.pkl, read with zf.read, is checked).
        if hasattr(src, "_expected_crc"):
            src._expected_crc = None
        while pos < nbytes:
            chunk = src.read(min(1 << 24, nbytes - pos))
            if not chunk:
                raise RuntimeError(f"corrupt checkpoint: record {name} is truncated")
            view[pos:pos + len(chunk)] = chunk
            pos += len(chunk)
    return out


def _load_zip(zf, map_location, weights_only):
    names = zf.namelist()
    pkl = [n for n in names if n.count("/") == 1 and n.endswith("/data.pkl")]
    if not pkl:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    folder = pkl[0][:-len("/data.pkl")]
    byteorder = "little"
    if f"{folder}/byteorder" in names:
        byteorder = zf.read(f"{folder}/byteorder").decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise ValueError("Unknown endianness type: " + byteorder)

    loaded = {}  # key -> (_LoadedStorage as mapped, host bytes)

    def load_storage(dtype, key, location, numel):
        if not isinstance(numel, int) or numel < 0:
            raise RuntimeError("corrupt checkpoint: invalid storage size")
        if key in loaded:
            storage, raw = loaded[key]
            if storage.flat.dtype == dtype:
                return storage
        else:
            raw = _read_record(zf, f"{folder}/data/{key}", numel * dtype.itemsize)
        np_dtype = np.dtype(dtype.name)
        if len(raw) % np_dtype.itemsize:
            raise RuntimeError(f"corrupt checkpoint: storage {key} is not a whole number of {dtype} elements")
        typed = raw.view(np_dtype)
        if byteorder != sys.byteorder and np_dtype.itemsize > 1:
            typed.byteswap(inplace=True)
        storage = _target_device(map_location, _LoadedStorage(Tensor._wrap(typed), location), location)
        loaded[key] = (storage, raw)
        return storage

    data = zf.read(f"{folder}/data.pkl")
    unpickler = _Unpickler(io.BytesIO(data), weights_only, load_storage)
    if weights_only:
        try:
            return unpickler.load()
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(_weights_only_message(str(e))) from None
        except (RuntimeError, EOFError, TypeError):  # ours (bounds, records) or the dtype check
            raise
        except Exception as e:  # a damaged data.pkl: whatever the opcodes happened to do
            raise RuntimeError(f"corrupt checkpoint: data.pkl could not be unpickled "
                               f"({type(e).__name__}: {e})") from None
    return unpickler.load()


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by :func:`save` or by ``torch.save``.

    Mirrors ``torch.load``. Tensors come back with their dtype, shape, strides and
    ``requires_grad``; tensors that shared memory when saved share one block again.

    Args:
        f: a path (``str`` or ``os.PathLike``) or a binary file object with ``read`` and
            ``seek`` (e.g. ``io.BytesIO``).
        map_location: where the tensors go: ``None`` (where they were saved), a device
            string or :class:`reftorch.device` (all of them there), a dict mapping saved
            locations to new ones (``{"cuda:0": "cpu"}``), or a callable
            ``(storage, location) -> storage or None``.
        pickle_module: accepted for compatibility; the standard :mod:`pickle` is used.
        weights_only: ``True`` (the default when ``None``, as in PyTorch 2.13) allows only
            tensors, containers (dict, list, tuple, set, ``OrderedDict``), dtypes, sizes,
            devices and plain Python values; ``False`` unpickles anything, which runs
            code named by the file: only for files you trust.
        mmap: not supported (``True`` raises ``NotImplementedError``).

    Returns:
        The saved object.

    Raises:
        pickle.UnpicklingError: when ``weights_only`` and the file asks for anything else
            than what is listed above; nothing from the file has run.
        RuntimeError: for a file that is not a zip checkpoint (legacy or corrupt), a
            missing or truncated record, a tensor outside its storage, or a CUDA
            location without a GPU (use ``map_location="cpu"``).
        EOFError: for an empty file.

    Examples:
        >>> import io, reftorch as torch
        >>> base = torch.arange(6.0)
        >>> buf = io.BytesIO()
        >>> torch.save([base, base[2:4]], buf)
        >>> _ = buf.seek(0)
        >>> a, b = torch.load(buf)
        >>> a[2] = 100.0
        >>> b
        tensor([100.,   3.])
    """
    if mmap:
        raise NotImplementedError("reftorch.load does not support mmap=True")
    if weights_only is None:
        weights_only = True
    if not (map_location is None or isinstance(map_location, (str, _device_cls, dict)) or callable(map_location)):
        raise ValueError("map_location should be either None, a string, a torch.device, a dict or a "
                         f"callable, but got {type(map_location).__name__}")
    fobj, close, _ = _open_for(f, "rb")
    try:
        start = fobj.tell() if hasattr(fobj, "tell") else 0
        head = fobj.read(4)
        if not head:
            raise EOFError("Ran out of input")
        fobj.seek(start)
        if head[:1] == b"\x80" and head[2:3] == b"\x8a":  # a pickled magic number: the legacy format
            raise RuntimeError("reftorch.load reads only the zip checkpoint format; this file is in PyTorch's "
                               "legacy format (torch.save(..., _use_new_zipfile_serialization=False)): "
                               "load it with PyTorch and save it again without that option")
        if head[:2] != b"PK":
            raise RuntimeError("Invalid magic number; corrupt file? (reftorch.load reads only the zip "
                               "checkpoint format of torch.save)")
        try:
            zf = zipfile.ZipFile(fobj)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {e}. The checkpoint file "
                               "is likely truncated or corrupt.") from None
        with zf:
            try:
                return _load_zip(zf, map_location, weights_only)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as e:
                raise RuntimeError(f"PytorchStreamReader failed reading a record: {e}. The checkpoint file "
                                   "is likely truncated or corrupt.") from None
    finally:
        if close:
            fobj.close()
