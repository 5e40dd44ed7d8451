"""NumPy as the CPU backend's array namespace (``NumpyBackend.xp``), with the functions that
NumPy writes in Python calling the arrays' own methods.

Kernels are written once over ``xp``; on the CPU it is NumPy, where ``np.reshape``,
``np.sum``, ``np.take``, ``np.any`` and the like are Python wrappers (``fromnumeric.py``)
around the method of the same name: about 1 to 3 µs a call on a small array, more than the
work itself. Each function here calls the method directly when its argument is an
ndarray and the call is one the method takes with the same meaning (NumPy's wrapper does
exactly that call), and NumPy's function otherwise. Everything else is NumPy's own.
"""
from __future__ import annotations

import types

import numpy as np

_ndarray = np.ndarray

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
        return a.clip(*args, **kwargs)
    return np.clip(a, *args, **kwargs)


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


namespace.__getattr__ = _numpy_attribute
namespace.expand_dims, namespace.clip, namespace.broadcast_to = expand_dims, clip, broadcast_to
namespace.zeros_like, namespace.ones_like = _filled_like("zeros_like", 0), _filled_like("ones_like", 1)
namespace.reshape, namespace.astype, namespace.take, namespace.permute_dims = reshape, astype, take, permute_dims
for _name in ("sum", "any", "all", "max", "min", "prod", "squeeze"):
    setattr(namespace, _name, _reduction(_name))
namespace.argsort = _reduction("argsort", -1)  # (along the last axis unless told; not sort: the method sorts in place)
