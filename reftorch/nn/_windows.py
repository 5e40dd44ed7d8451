"""Sliding windows over the trailing (spatial) dimensions of a backend array.

Convolution and pooling both look at the input through a window of ``kernel`` positions
moved by ``stride`` with gaps of ``dilation``. Rather than building strided views (which
not every backend has), the kernels below read the window as ``prod(kernel)`` strided
*slices*: the slice for kernel position ``(i, j)`` holds, for every output position
``(p, q)``, the input element ``x[p * stride + i * dilation, q * stride + j * dilation]``.
Reading a slice is plain basic indexing, and writing gradients back is a slice
``+=``, so the same code runs on NumPy, CuPy and the array-API stand-in device.
"""
from __future__ import annotations

import itertools
import math


def out_size(n, k, s, p_lo, p_hi, d):
    """Output length of a window sweep over ``n`` elements padded by ``p_lo``/``p_hi``."""
    return (n + p_lo + p_hi - d * (k - 1) - 1) // s + 1


def pad_const(backend, a, pads, value=0):
    """``a`` with its last ``len(pads)`` dims padded by ``(lo, hi)`` pairs filled with ``value``."""
    if not any(lo or hi for lo, hi in pads):
        return a
    xp = backend.xp
    nsp = len(pads)
    lead = tuple(a.shape[:a.ndim - nsp])
    sp = a.shape[a.ndim - nsp:]
    shape = lead + tuple(n + lo + hi for n, (lo, hi) in zip(sp, pads))
    out = xp.full(shape, value, dtype=a.dtype, **backend._dev_kw())
    out[(...,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sp, pads))] = a
    return out


def crop(a, pads, sizes):
    """Undo :func:`pad_const`: the ``sizes`` elements after each leading pad."""
    if not any(lo or hi for lo, hi in pads) and tuple(a.shape[a.ndim - len(sizes):]) == tuple(sizes):
        return a
    return a[(...,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(sizes, pads))]


def window_keys(kernel, stride, dilation, out):
    """One index per kernel position (row-major over the kernel): the strided slices that
    pick that position of every window."""
    keys = []
    for pos in itertools.product(*(range(k) for k in kernel)):
        keys.append((...,) + tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                                   for i, s, d, o in zip(pos, stride, dilation, out)))
    return keys


def add_windows(backend, shape, dtype, keys, parts):
    """``zeros(shape)`` with ``parts[k]`` added into the slice ``keys[k]`` (the transpose of
    reading the windows): where windows overlap, contributions accumulate."""
    xp = backend.xp
    out = xp.zeros(shape, dtype=dtype, **backend._dev_kw())
    for key, part in zip(keys, parts):
        out[key] += part
    return out


def numel(shape):
    return math.prod(shape)
