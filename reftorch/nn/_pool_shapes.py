"""Shapes and checks that the 2-d and 3-d pooling functions share: output sizes, the
divisors of average pooling, and the argument checks of adaptive pooling (PyTorch's
messages)."""
from __future__ import annotations

import math

from .. import _dtype as _D
from .._tensor import new_shape as _new_shape


def pool_out(n, k, s, p, d, ceil_mode):
    """PyTorch's ``pooling_output_shape``: the last window must start inside the input
    or its left padding."""
    num = n + 2 * p - d * (k - 1) - 1 + ((s - 1) if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def avg_divisors(sizes, kernel, stride, padding, out, count_include_pad):
    """Each window's divisor, one list per dim (multiplied by :func:`window_divisors`):
    the window's extent, clipped to the padded input (to the input without
    ``count_include_pad``)."""
    per_dim = []
    for n, k, s, p, o in zip(sizes, kernel, stride, padding, out):
        dim = []
        for i in range(o):
            start = i * s - p
            end = min(start + k, n + p)
            dim.append(min(end, n) - max(start, 0) if not count_include_pad else end - start)
        per_dim.append(dim)
    return per_dim


def window_divisors(per_dim):
    """The products of the per-dim divisors over the output grid (nested lists), or one
    number when they are all equal."""
    def outer(dims, scale):
        return [float(scale * v) for v in dims[0]] if len(dims) == 1 else [outer(dims[1:], scale * v) for v in dims[0]]
    if all(len(set(d)) == 1 for d in per_dim):
        return float(math.prod(d[0] for d in per_dim))
    return outer(per_dim, 1)


def adaptive_size(name, input, output_size, nd=2):
    """The output size of ``adaptive_{avg,max}_pool{nd}d`` (``None`` entries keep the
    input's size), after PyTorch's checks of the input rank and of ``output_size``."""
    if input.dim() not in (nd + 1, nd + 2):
        sep = ": " if "max" in name else " "
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{sep}{list(input.shape)}")
    size = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(size) != nd:
        if "max" in name:
            raise RuntimeError(f"{name}(): internal error: output_size.size() must be {nd}")
        raise RuntimeError(f"{name}: output_size must be {nd}")
    out = tuple(n if o is None else o for n, o in zip(input.shape[-nd:], size))
    if min(out) < 0:
        if "max" in name:  # (PyTorch's max pooling fails making its output)
            _new_shape(tuple(input.shape[:-nd]) + out, name)
        shown = f"{out[0]}, {out[1]}" if nd == 2 else f"{out[0]}, {out[1]},{out[2]}"  # (PyTorch's spacing)
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{shown}}}")
    return out


def check_not_empty(name, input, dims):
    """PyTorch's error for an adaptive pooling over an empty dim (of ``dims``)."""
    for d in dims:
        if input.shape[d] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {d} being empty")


def check_floating(kernel, input):
    """PyTorch's error for an integer input to a pooling kernel without integer support."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_D.scalar_name(input.dtype)}'")


def check_avg_dtype(kernel, input):
    """Average pooling takes floating inputs and int64 (PyTorch's error for the others)."""
    if not input.dtype.is_floating_point and input.dtype is not _D.int64:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_D.scalar_name(input.dtype)}'")
