"""Small helpers shared by the op modules."""
from __future__ import annotations

from .. import _backends
from .. import _dtype as D
from .._device import device as _device_cls, CPU
from .._layout import contiguous_strides


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
    if arr.ndim and 0 in arr.shape:
        want = contiguous_strides(arr.shape)
        if backend.strides(arr) != want:
            return backend.as_strided(arr, arr.shape, want)
    return arr


def with_out(name, out, fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` and write the result into ``out`` (PyTorch's ``out=``).

    ``out`` is resized when its shape differs (with PyTorch's warning if it was not empty).

    Raises:
        RuntimeError: if gradients are being recorded and an argument requires grad, or if
            the result's dtype cannot be cast to ``out``'s.
    """
    import warnings
    from .._tensor import Tensor
    from ..autograd.grad_mode import is_grad_enabled
    from .._tensor_inplace import _store
    _scalar_name = D.scalar_name

    def tensors(a):
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            for x in a:
                yield from tensors(x)

    if is_grad_enabled() and (out.requires_grad or any(t.requires_grad for a in args for t in tensors(a))):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    res = fn(*args, **kwargs)
    if not D.can_cast(res.dtype, out.dtype):
        raise RuntimeError(f"result type {_scalar_name(res.dtype)} can't be cast to the desired output type "
                           f"{_scalar_name(out.dtype)}")
    if tuple(out.shape) != tuple(res.shape):
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape [{', '.join(map(str, out.shape))}], "
                f"which does not match the required output shape [{', '.join(map(str, res.shape))}]. This behavior "
                "is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero "
                "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=3)
        out._data = out._backend.zeros(tuple(res.shape), out.dtype)
    _store(out, res._data)
    return out


def row_major(backend, arr):
    """``arr`` laid out row-major with PyTorch's strides (size-1 dims included): ``arr``
    itself, a restrided view of it, or a row-major copy.

    NumPy keeps the layout of its inputs in ``concat``/``where``/``sum``; PyTorch's ``cat``,
    ``stack``, ``masked_fill`` and reductions return contiguous tensors.
    """
    if arr.ndim == 0:
        return arr
    shape = arr.shape
    if backend.is_c_contiguous(arr) and 1 not in shape and 0 not in shape:
        return arr  # fast path: no size-1 or empty dim, so row-major strides are PyTorch's
    want = contiguous_strides(shape)
    have = backend.strides(arr)
    if have == want:
        return arr
    if all(h == w for h, w, n in zip(have, want, arr.shape) if n != 1):
        return backend.as_strided(arr, arr.shape, want)  # only size-1 dims differ: no copy
    return backend.copy(arr)
