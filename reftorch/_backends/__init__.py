"""Array backends: one per device type.

A backend owns the array namespace ``xp`` used by every kernel (NumPy for ``cpu``, CuPy
through ``array_api_compat.cupy`` for ``cuda``, and ``array_api_strict`` on its
``device1`` for the ``strict`` stand-in accelerator used in tests) and the few
operations the array API standard lacks (strided views, scatter-add, host copies).
Kernels receive the backend through the tensor's device and never import numpy or cupy.
"""
from __future__ import annotations

from .._device import device as _device_cls

_cache: dict = {}


def get(dev) -> "Backend":  # noqa: F821
    """Return the backend for a ``reftorch.device`` (created on first use)."""
    # "cuda" and "cuda:0" are one device (reftorch has no current-device switch), so one backend
    key = (dev.type, dev.index or 0) if dev.type == "cuda" else (dev.type, dev.index)
    b = _cache.get(key)
    if b is None:  # a device's backend module is imported on the device's first use (CuPy's only for cuda)
        if dev.type == "cpu":
            from .numpy_backend import NumpyBackend
            b = NumpyBackend()
        elif dev.type == "cuda":
            from .cupy_backend import make_cupy_backend
            b = make_cupy_backend(dev.index or 0)
        elif dev.type == "strict":
            from .strict_backend import StrictBackend
            b = StrictBackend()
        else:
            raise RuntimeError(f"reftorch has no backend for device type '{dev.type}'")
        _cache[key] = b
    return b


def of_namespace(xp):
    """The backend whose array namespace ``xp`` is, or None (the namespace of tensors that a
    formula written over ``xp`` gets under ``create_graph``)."""
    for backend in _cache.values():  # (one per device in use)
        if backend.xp is xp:
            return backend
    return None


def select(xp, mask, a, b):
    """``xp.where(mask, a, b)`` through :meth:`Backend.select` of the backend whose array
    namespace ``xp`` is: for a formula written over ``xp``, which runs on arrays, or on
    tensors under ``create_graph`` (no backend: plain ``where``)."""
    backend = of_namespace(xp)
    return xp.where(mask, a, b) if backend is None else backend.select(mask, a, b)


def is_reduced_float(xp, native):
    """Whether the native dtype ``native`` is namespace ``xp``'s float16 or bfloat16: the
    types PyTorch's CPU kernels compute in float32 and round once (``at::opmath_type``).
    A namespace without them (the strict stand-in has neither, CuPy no bfloat16) has none.
    The answer is kept per namespace and dtype: comparing a dtype with a scalar type costs
    ~0.1 us, and hot ops ask once per call. (Per namespace: the strict stand-in's dtypes
    hash as NumPy's and warn when compared with them.)"""
    known = _REDUCED.get(xp)
    if known is None:
        known = _REDUCED[xp] = {}
    reduced = known.get(native)
    if reduced is None:
        reduced = known[native] = native == getattr(xp, "float16", None) or native == getattr(xp, "bfloat16", None)
    return reduced


_REDUCED = {}  # array namespace -> {native dtype: is_reduced_float's answer}


def cpu():
    return get(_device_cls("cpu"))
