"""``reftorch.cuda``: the CUDA device (CuPy arrays). Mirrors ``torch.cuda``.

Without a usable GPU (no CuPy, or CuPy without a device) every function behaves as in a
CPU-only PyTorch 2.13 build: the queries answer (``is_available()`` is ``False``,
``device_count()`` is ``0``, ``memory_allocated()`` is ``0``), seeding is accepted, and
what needs a GPU raises PyTorch's error (``AssertionError: Torch not compiled with CUDA
enabled`` for ``synchronize``/``current_device``/``get_device_name`` …,
``RuntimeError`` for ``Event``).

With a GPU these are CuPy calls: ``synchronize`` is ``cudaDeviceSynchronize`` on the
device, ``set_device``/``device(...)`` switch CuPy's current device, ``Event`` wraps
``cupy.cuda.Event``.
"""
from __future__ import annotations

from .. import _dtype as _D
from .._backends import _cache as _backend_cache
from .._backends.cupy_backend import cupy_available, gpu_count
from .._device import device as _device
from .._tensor import _TYPE_NAMES, LEGACY_DTYPES, Tensor as _Tensor, _LegacyTensorType
from .random import initial_seed, manual_seed, manual_seed_all, seed, seed_all
from .streams import Event

__all__ = [
    "Event",
    "current_device",
    "device",
    "device_count",
    "device_of",
    "empty_cache",
    "get_arch_list",
    "get_device_capability",
    "get_device_name",
    "get_device_properties",
    "initial_seed",
    "is_available",
    "is_bf16_supported",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "memory_allocated",
    "memory_reserved",
    "seed",
    "seed_all",
    "set_device",
    "synchronize",
]

_NO_CUDA = "Torch not compiled with CUDA enabled"
#: What a CPU build of PyTorch raises (RuntimeError) for ``t.type(torch.cuda.FloatTensor)``.
_NO_ATEN_CUDA = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared libraries: "
    "a CPU library and a CUDA library; this error has occurred because you are trying to use some CUDA "
    "functionality, but the CUDA library has not been loaded by the dynamic linker for some reason.  The CUDA "
    "library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA library! One common "
    "culprit is a lack of -Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic "
    "library dependencies if you don't depend on any of their symbols.  You can check if this has occurred by "
    "using ldd on your binary to see if there is a dependency on *_cuda.so library.")
_state = {"current": 0, "initialized": False}


def is_available() -> bool:
    """True when CuPy is installed and a CUDA GPU is usable.

    Mirrors ``torch.cuda.is_available``.

    Examples:
        >>> import reftorch as torch
        >>> isinstance(torch.cuda.is_available(), bool)
        True
    """
    return cupy_available()


def _lazy_init():
    """Raise as PyTorch's CPU build does when a GPU is needed and there is none."""
    if not is_available():
        raise AssertionError(_NO_CUDA)
    _state["initialized"] = True


def is_initialized() -> bool:
    """Whether CUDA has been set up in this process (``False`` until a GPU is used)."""
    if not _state["initialized"]:
        _state["initialized"] = any(key[0] == "cuda" for key in _backend_cache)  # a CUDA tensor was made
    return _state["initialized"]


def device_count() -> int:
    """The number of CUDA GPUs CuPy can see (0 without CuPy or a GPU). Mirrors
    ``torch.cuda.device_count``."""
    return gpu_count()


def current_device() -> int:
    """The index of the current CUDA device (set by :func:`set_device` or a
    :class:`device` block).

    Raises:
        AssertionError: without a GPU ("Torch not compiled with CUDA enabled").
    """
    _lazy_init()
    return _state["current"]


def _get_device_index(dev, optional=False):
    """An int, ``"cuda:N"`` or ``torch.device`` -> its index (``None`` when the device has
    none and ``optional``); ``ValueError`` for a non-CUDA device, as PyTorch."""
    if isinstance(dev, str):
        dev = _device(dev)
    if isinstance(dev, _device):
        if dev.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {dev}")
        return dev.index
    return dev


def set_device(device) -> None:
    """Make ``device`` (an int, ``"cuda:N"`` or ``torch.device``) the current CUDA device:
    ``"cuda"`` without an index means it from now on. A negative index does nothing.

    Raises:
        ValueError: for a non-CUDA device.
        AttributeError: without a GPU (what PyTorch's CPU build raises).
    """
    idx = _get_device_index(device)
    if idx is None or idx < 0:
        return
    if not is_available():
        raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice'")
    import cupy
    cupy.cuda.Device(idx).use()
    _state["current"] = idx
    _state["initialized"] = True


class device:
    """A context manager that makes ``device`` current inside a ``with`` block.

    ``device(-1)`` (and ``device_of`` a CPU tensor) does nothing. Mirrors
    ``torch.cuda.device``.

    Args:
        device: an int, ``"cuda:N"`` or ``torch.device``.

    Raises:
        ValueError: for a non-CUDA device.
        RuntimeError: on entering the block without a GPU ("PyTorch was compiled
            without CUDA support").

    Examples:
        >>> import reftorch as torch
        >>> torch.cuda.device("cuda:1").idx
        1
    """

    def __init__(self, device):
        self.idx = _get_device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:  # (None raises TypeError here, as in PyTorch)
            return
        if not is_available():
            raise RuntimeError("PyTorch was compiled without CUDA support")
        self.prev_idx = _state["current"]
        if self.idx != self.prev_idx:
            set_device(self.idx)
        return

    def __exit__(self, type, value, traceback):
        if self.prev_idx >= 0 and self.prev_idx != self.idx:
            set_device(self.prev_idx)
        return False


class device_of(device):
    """``device(tensor's device)``: a no-op for CPU tensors. Mirrors ``torch.cuda.device_of``."""

    def __init__(self, obj):
        idx = obj.get_device() if obj.is_cuda else -1
        super().__init__(idx)


def synchronize(device=None) -> None:
    """Wait until all work queued on a CUDA device has finished (``cudaDeviceSynchronize``).

    GPU work runs asynchronously: time a GPU computation only after synchronizing (or
    with :class:`Event`).

    Args:
        device: the device (default: the current one).

    Raises:
        AssertionError: without a GPU ("Torch not compiled with CUDA enabled").
    """
    _lazy_init()
    import cupy
    idx = _get_device_index(device, optional=True) if device is not None else None
    with cupy.cuda.Device(_state["current"] if idx is None else idx):
        cupy.cuda.runtime.deviceSynchronize()


def _properties(device=None):
    _lazy_init()
    import cupy
    idx = _get_device_index(device, optional=True) if device is not None else None
    return cupy.cuda.runtime.getDeviceProperties(_state["current"] if idx is None else idx)


def get_device_name(device=None) -> str:
    """The GPU's name, e.g. ``"NVIDIA H100 80GB HBM3"``.

    Raises:
        AssertionError: without a GPU.
    """
    name = _properties(device)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def get_device_capability(device=None) -> tuple:
    """The GPU's compute capability ``(major, minor)``.

    Raises:
        AssertionError: without a GPU.
    """
    p = _properties(device)
    return (p["major"], p["minor"])


class _DeviceProperties:
    """What :func:`get_device_properties` returns (the fields PyTorch users read most)."""

    def __init__(self, p):
        name = p["name"]
        self.name = name.decode() if isinstance(name, bytes) else str(name)
        self.major, self.minor = p["major"], p["minor"]
        self.total_memory = p["totalGlobalMem"]
        self.multi_processor_count = p["multiProcessorCount"]

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    """Name, compute capability, total memory and multiprocessor count of a GPU.

    Raises:
        AssertionError: without a GPU.
    """
    return _DeviceProperties(_properties(device))


def empty_cache() -> None:
    """Return the cached, unused GPU memory of CuPy's memory pool to the driver."""
    if is_available() and is_initialized():
        import cupy
        cupy.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes of GPU memory held by tensors (CuPy's pool: ``used_bytes``); 0 without a GPU."""
    if not (is_available() and is_initialized()):
        return 0
    import cupy
    return cupy.get_default_memory_pool().used_bytes()


def max_memory_allocated(device=None) -> int:
    """The largest :func:`memory_allocated` seen: CuPy keeps no peak, so reftorch reports
    the pool's reserved bytes (an upper bound); 0 without a GPU."""
    return memory_reserved(device)


def memory_reserved(device=None) -> int:
    """Bytes reserved by CuPy's memory pool (``total_bytes``); 0 without a GPU."""
    if not (is_available() and is_initialized()):
        return 0
    import cupy
    return cupy.get_default_memory_pool().total_bytes()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Whether bfloat16 works on the GPU: ``False`` in reftorch (CuPy has no bfloat16)."""
    return False


def get_arch_list() -> list:
    """The CUDA architectures this build targets (``[]`` without CUDA, as PyTorch's CPU build)."""
    return []


# ---------------------------------------------------------------- legacy tensor types
def _legacy_types():
    """``torch.cuda.FloatTensor`` and friends: ``isinstance`` checks for CUDA tensors of a
    dtype; calling one builds a CUDA tensor (``TypeError`` without a GPU)."""
    class _CudaLegacyTensorType(_LegacyTensorType):
        def __instancecheck__(cls, obj):
            return isinstance(obj, _Tensor) and obj.dtype is cls.dtype and obj.device.type == "cuda"

        def __call__(cls, *args, device=None):
            if not is_available():
                raise TypeError(f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA enabled.")
            return _LegacyTensorType.__call__(cls, *args, device="cuda" if device is None else device)

        def __repr__(cls):
            return f"<class 'torch.cuda.{cls.__name__}'>"

    return {name: _CudaLegacyTensorType(name, (), {
        "dtype": _D.BY_NAME[dt], "is_cuda": True, "__module__": "torch.cuda",
        "__doc__": f"Legacy constructor of CUDA {dt} tensors."}) for dt, name in _TYPE_NAMES.items()
        if dt in LEGACY_DTYPES}


globals().update(_legacy_types())
