"""Small helpers shared by the op modules."""
from __future__ import annotations

from .. import _backends
from .. import _dtype as D
from .._device import device as _device_cls, CPU


def resolve_device(dev):
    """``None``/str/int/device -> (device, backend); CUDA devices get index 0 by default."""
    if dev is None:
        d = CPU
    elif isinstance(dev, _device_cls):
        d = dev
    else:
        d = _device_cls(dev)
    if d.type == "cuda" and d.index is None:
        d = _device_cls("cuda", 0)
    return d, _backends.get(d)


def check_dtype(dtype):
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise TypeError(f"dtype must be torch.dtype, not {type(dtype).__name__}")
    return dtype


def sum_to_shape(xp, g, shape):
    """Sum a broadcast gradient ``g`` back to ``shape`` (the input's shape)."""
    if tuple(g.shape) == tuple(shape):
        return g
    extra = len(g.shape) - len(shape)
    if extra > 0:
        g = xp.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, (gs, s) in enumerate(zip(g.shape, shape)) if s == 1 and gs != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    return g


def fix_empty_strides(backend, arr):
    """NumPy gives new arrays with no elements all-zero strides; PyTorch reports the
    row-major ones (``torch.zeros(0, 3).stride() == (3, 1)``). Return ``arr`` with those."""
    if backend.has_views and arr.ndim and 0 in arr.shape:
        want, acc = [], 1
        for n in reversed(arr.shape):
            want.append(acc)
            acc *= max(n, 1)
        want = tuple(reversed(want))
        if backend.strides(arr) != want:
            return backend.as_strided(arr, arr.shape, want)
    return arr
