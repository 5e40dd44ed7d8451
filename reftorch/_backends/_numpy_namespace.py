"""NumPy as the CPU backend's array namespace (``NumpyBackend.xp``), with the functions that
NumPy writes in Python calling the arrays' own methods.

Kernels are written once over ``xp``; on the CPU it is NumPy, where ``np.reshape``,
``np.sum``, ``np.take``, ``np.any`` and the like are Python wrappers (``fromnumeric.py``)
around the method of the same name: about 1 to 3 µs a call on a small array, more than the
work itself. Each function here calls the method directly when its argument is an
ndarray and the call is one the method takes with the same meaning (NumPy's wrapper does
exactly that call), and NumPy's function otherwise. Everything else is NumPy's own.

bfloat16 is ``ml_dtypes.bfloat16`` (``namespace.bfloat16``, a NumPy dtype). Its products
(``matmul``, ``einsum``, ``tensordot``, ``vecdot``) are computed here in float32 and
rounded once to bfloat16, as PyTorch's CPU kernels compute them (ml_dtypes' own give a
float32 ``matmul``, no ``einsum``); ``mean`` sums it in float32 (as NumPy sums float16),
``clip`` keeps bfloat16 and ``isdtype`` knows it as a real floating dtype.
"""
from __future__ import annotations

import types

import ml_dtypes
import numpy as np

_ndarray = np.ndarray
_BF16 = np.dtype(ml_dtypes.bfloat16)

namespace = types.ModuleType(__name__ + ".namespace", "NumPy, with some wrappers replaced by the arrays' methods.")
namespace.__dict__.update({k: v for k, v in vars(np).items() if not k.startswith("__")})


def _numpy_attribute(name):  # (NumPy's lazily loaded submodules and attributes)
    return getattr(np, name)


def reshape(a, /, shape=None, *args, **kwargs):
    if a.__class__ is _ndarray and not args and not kwargs:
        return a.reshape(shape)
    return np.reshape(a, shape, *args, **kwargs)


def astype(x, dtype, /, *, copy=True, device=None):
    if x.__class__ is _ndarray and device is None:
        return x.astype(dtype, copy=copy)
    return np.astype(x, dtype, copy=copy, device=device)


def _reduction(name, default_axis=None):
    fn = getattr(np, name)

    def reduce(a, axis=default_axis, *args, **kwargs):
        if a.__class__ is _ndarray and not args:
            return getattr(a, name)(axis=axis, **kwargs)
        return fn(a, axis, *args, **kwargs)
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"``np.{name}``, through the array's method for an ndarray."
    return reduce


def take(a, indices, axis=None, *args, **kwargs):
    if a.__class__ is _ndarray and not args and not kwargs:
        return a.take(indices, axis)
    return np.take(a, indices, axis, *args, **kwargs)


def permute_dims(a, /, axes=None):
    if a.__class__ is _ndarray:
        return a.transpose(axes)
    return np.permute_dims(a, axes)


def expand_dims(a, /, axis=0):
    if a.__class__ is _ndarray and axis.__class__ is int and -a.ndim - 1 <= axis <= a.ndim:
        if axis < 0:
            axis += a.ndim + 1
        shape = a.shape
        return a.reshape(shape[:axis] + (1,) + shape[axis:])  # (what np.expand_dims ends with)
    return np.expand_dims(a, axis)


def clip(a, /, *args, **kwargs):
    if a.__class__ is _ndarray and len(args) <= 2 and kwargs.keys() <= {"min", "max"}:
        out = a.clip(*args, **kwargs)
        return out if out.dtype == a.dtype or a.dtype != _BF16 else out.astype(_BF16)  # (exact: a bound or a)
    return np.clip(a, *args, **kwargs)


def mean(a, /, axis=None, *args, **kwargs):
    """``np.mean``; a bfloat16 ``a`` summed in float32 and rounded once, as NumPy does for
    float16 (and PyTorch for both)."""
    if getattr(a, "dtype", None) == _BF16 and not args and "dtype" not in kwargs and "out" not in kwargs:
        return np.mean(a.astype(np.float32), axis, **kwargs).astype(_BF16)
    return np.mean(a, axis, *args, **kwargs)


def isdtype(dtype, kind):
    """``np.isdtype``, knowing bfloat16 as a real floating dtype."""
    if dtype != _BF16:
        return np.isdtype(dtype, kind)
    return any(k == _BF16 or k in ("real floating", "numeric") for k in (kind if isinstance(kind, tuple) else (kind,)))


def broadcast_to(a, /, shape):
    # NumPy's builds the view through an nditer (~3 us); for a row-major array the view is
    # its buffer with stride 0 on the new and the stretched dims, read-only as NumPy's
    if a.__class__ is _ndarray and a.size and a.flags.c_contiguous:
        shape = tuple(shape)
        k = len(shape) - a.ndim
        if k >= 0:
            have, steps = a.shape, a.strides
            strides = [0] * k
            for i in range(a.ndim):
                m, n = have[i], shape[k + i]
                if m == n:
                    strides.append(steps[i])
                elif m == 1 and n >= 0:
                    strides.append(0)
                else:
                    return np.broadcast_to(a, shape)  # (NumPy's error)
            out = _ndarray(shape, a.dtype, a, 0, tuple(strides))
            out.flags.writeable = False
            return out
    return np.broadcast_to(a, shape)


def _filled_like(name, value):
    fn = getattr(np, name)

    def filled_like(a, /, dtype=None, *args, **kwargs):  # NumPy's: empty_like, then the value
        if a.__class__ is _ndarray and not args and not kwargs:
            out = np.empty_like(a, dtype)
            out.fill(value)
            return out
        return fn(a, dtype, *args, **kwargs)
    filled_like.__name__ = filled_like.__qualname__ = name
    return filled_like


def _bfloat16_in_float32(name):
    """NumPy's product ``name``, computed in float32 and rounded once to bfloat16 when an
    array operand is bfloat16 (and no ``out`` is given)."""
    fn = getattr(np, name)

    def product(*args, **kwargs):
        if len(args) == 2 and not kwargs:  # (the common call, checked cheaply)
            a, b = args
            if a.__class__ is _ndarray and b.__class__ is _ndarray and a.dtype is not _BF16 and b.dtype is not _BF16:
                return fn(a, b)
        if "out" in kwargs or not any(getattr(a, "dtype", None) == _BF16 for a in args):
            return fn(*args, **kwargs)
        single = [a.astype(np.float32) if getattr(a, "dtype", None) == _BF16 else a for a in args]
        return fn(*single, **kwargs).astype(_BF16)
    product.__name__ = product.__qualname__ = name
    product.__doc__ = f"``np.{name}``; bfloat16 operands in float32, the result rounded once."
    return product


namespace.__getattr__ = _numpy_attribute
namespace.bfloat16, namespace.isdtype, namespace.mean = _BF16, isdtype, mean
namespace.finfo = ml_dtypes.finfo  # (NumPy's, knowing bfloat16 too)
for _name in ("matmul", "einsum", "tensordot", "vecdot", "dot", "inner", "outer", "vdot"):
    setattr(namespace, _name, _bfloat16_in_float32(_name))
namespace.expand_dims, namespace.clip, namespace.broadcast_to = expand_dims, clip, broadcast_to
namespace.zeros_like, namespace.ones_like = _filled_like("zeros_like", 0), _filled_like("ones_like", 1)
namespace.reshape, namespace.astype, namespace.take, namespace.permute_dims = reshape, astype, take, permute_dims
for _name in ("sum", "any", "all", "max", "min", "prod", "squeeze"):
    setattr(namespace, _name, _reduction(_name))
namespace.argsort = _reduction("argsort", -1)  # (along the last axis unless told; not sort: the method sorts in place)
