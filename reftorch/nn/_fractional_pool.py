"""``F.fractional_max_pool2d`` / ``F.fractional_max_pool3d``: max pooling over windows of a
fixed size whose starts advance by a pseudo-random, fractional step (Graham, 2014).

Each ``(sample, channel)`` plane has one number ``u`` in ``[0, 1)`` per pooled dim (the
``_random_samples``). Along a dim of input size ``n``, output size ``o`` and window ``k``,
output ``i`` (``i < o - 1``) starts at ``int((i + u) * alpha) - int(u * alpha)`` with
``alpha = (n - k) / (o - 1)``, the last one at ``n - k``: ATen's ``generate_intervals``,
computed in the input's dtype as there (``int`` truncates toward zero). In 2-d the sample
of the width is ``u[0]`` and of the height ``u[1]``; in 3-d ``u[0]``, ``u[1]``, ``u[2]``
belong to the time, height and width. When no samples are given, they are drawn as
PyTorch draws them, ``torch.rand(N, C, 2 or 3, dtype=input.dtype)``, so the same seed
gives the same windows.

Each window keeps its first maximum in row-major order, and a NaN wins (the last NaN:
ATen's ``val > max || isnan(val)`` scan). The gradient adds the output gradient at the
maxima's positions (``FractionalMaxPool2DBackward0``).
"""
from __future__ import annotations

import itertools
import math

from .. import _dtype as _D
from .._ops.sampling import rand as _rand
from .._tensor import Tensor, new_shape as _new_shape
from ..autograd._graph import linear_grad
from ..autograd.grad_mode import is_grad_enabled as _is_grad_enabled
from ..autograd.function import OpFunction
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _starts(backend, u, n, o, k):
    """The window starts along one dim, an int64 array ``u.shape + (o,)`` (``u``: the
    samples of that dim, an array of the input's dtype)."""
    xp = backend.xp
    kw = backend._dev_kw()
    dt = u.dtype
    last = xp.full(tuple(u.shape) + (min(o, 1),), n - k, dtype=xp.int64, **kw)
    if o <= 1:
        return last
    alpha = xp.asarray(n - k, dtype=dt, **kw) / xp.asarray(o - 1, dtype=dt, **kw)
    i = xp.astype(xp.arange(o - 1, dtype=xp.int64, **kw), dt)
    u = u[..., None]
    seq = _to_int(xp, (i + u) * alpha) - _to_int(xp, u * alpha)
    seq = (seq + _INT_MIN_ABS) % (2 * _INT_MIN_ABS) - _INT_MIN_ABS  # (the difference wraps around, as a C int)
    return xp.concat([seq, last], axis=-1)


_INT_MIN_ABS = 2 ** 31


def _to_int(xp, v):
    """C's ``static_cast<int>(v)`` as x86 computes it, in int64: truncation toward zero,
    and ``INT_MIN`` for a NaN or a value outside the range of ``int`` (only samples far
    outside ``[0, 1)`` get there)."""
    t = xp.trunc(v)
    bad = ~((t >= -_INT_MIN_ABS) & (t < _INT_MIN_ABS))  # (NaN compares false)
    return xp.where(bad, -_INT_MIN_ABS, xp.astype(xp.where(bad, 0, t), xp.int64))


class FractionalMaxPool(OpFunction):
    """Fractional max pooling of ``x`` (``(N, C) + size`` or ``(C,) + size``) with the window
    starts drawn from ``samples`` (an array ``(>= N, C, nd)``); ``box`` receives the flat
    indices of the maxima within each plane. Applied with
    ``_name=FractionalMaxPool{nd}DBackward0``."""

    name = "FractionalMaxPool2DBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, kernel, out_size, samples, box):
        backend = x._backend
        xp = backend.xp
        a = x._data
        nd = len(kernel)
        batch, channels = (a.shape[0], a.shape[1]) if a.ndim == nd + 2 else (1, a.shape[0])
        size = tuple(a.shape[-nd:])
        order = (1, 0) if nd == 2 else (0, 1, 2)  # which sample drives each dim
        starts = [_starts(backend, samples[:batch, :, j], n, o, k)
                  for j, n, o, k in zip(order, size, out_size, kernel)]

        def plane_index(offsets):
            """The flat in-plane position of window offset ``offsets``, over the output grid."""
            idx = 0
            for d, (s, off, n) in enumerate(zip(starts, offsets, size)):
                shape = (batch, channels) + tuple(out_size[d] if e == d else 1 for e in range(nd))
                idx = idx * n + xp.reshape(s + off, shape)
            return idx

        out_shape = (batch, channels) + tuple(out_size)
        best = xp.broadcast_to(plane_index((0,) * nd), out_shape)
        m = xp.full(out_shape, -float("inf"), dtype=a.dtype, **backend._dev_kw())
        flat = xp.reshape(a, (batch, channels, math.prod(size)))
        rows = (batch, channels, math.prod(out_size))
        for offsets in itertools.product(*(range(k) for k in kernel)):  # row-major, as ATen's loops
            pos = xp.broadcast_to(plane_index(offsets), out_shape)
            v = xp.reshape(backend.take_along_axis(flat, xp.reshape(pos, rows), axis=2), out_shape)
            take = (v > m) | xp.isnan(v)
            m = xp.where(take, v, m)
            best = xp.where(take, pos, best)
        shape = tuple(a.shape[:-nd]) + tuple(out_size)
        best = xp.reshape(best, shape)
        box.append(best)
        if ctx.needs_input_grad:
            ctx.state = (best, tuple(a.shape), nd)
        return xp.reshape(m, shape)

    @staticmethod
    def backward(ctx, g):
        nd = ctx.state[2]
        return linear_grad(ctx, g, _scatter, _gather, ctx.state,
                           f"FractionalMaxPool{nd}DBackwardBackward0", f"FractionalMaxPool{nd}DBackward0")


def _scatter(backend, g, state):
    """The gradient: each output gradient added at its maximum's position, in output order."""
    xp = backend.xp
    best, shape, nd = state
    planes, plane = math.prod(shape[:-nd]), math.prod(shape[-nd:])
    base = xp.reshape(xp.arange(planes, dtype=xp.int64, **backend._dev_kw()) * plane, (planes, 1))
    flat = xp.reshape(xp.reshape(best, (planes, best.size // max(planes, 1))) + base, (best.size,))
    return backend.scatter_add(shape, None, flat, xp.reshape(g, (-1,)))


def _gather(backend, gg, state):
    """The adjoint of :func:`_scatter`: ``gg`` read at each maximum's position."""
    xp = backend.xp
    best, shape, nd = state
    planes = math.prod(shape[:-nd])
    rows = xp.reshape(gg, (planes, math.prod(shape[-nd:])))
    idx = xp.reshape(best, (planes, best.size // max(planes, 1)))
    return xp.reshape(backend.take_along_axis(rows, idx, axis=1), best.shape)


def _int_tuple(name, arg, position, v, nd):
    """``v`` (an int, repeated ``nd`` times, or a sequence of ints) as a tuple; PyTorch's
    argument-parser error for a float."""
    t = tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd
    for p, e in enumerate(t):
        if not isinstance(e, int) or isinstance(e, bool):
            if isinstance(v, (tuple, list)):
                raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be tuple of ints, but found "
                                f"element of type {type(e).__name__} at pos {p}")
            raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be tuple of ints, not "
                            f"{type(v).__name__}")
    return t


def _fractional(name, input, kernel_size, output_size, output_ratio, samples, nd):
    """PyTorch's ``fractional_max_pool{nd}d_with_indices``: the output size, the samples
    (drawn when not given), then ATen's checks, in its order and words."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2:
            if len(output_ratio) > 2:  # (a float has no len(), as in PyTorch)
                raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
            ratio = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * 2
        else:
            ratio = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * 3
        output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    if samples is None:
        batch = 1 if input.dim() == nd + 1 else input.size(0)
        samples = _rand(batch, input.size(-nd - 1), nd, dtype=input.dtype, device=input.device)
    kernel = _int_tuple(name, "kernel_size", 2, kernel_size, nd)
    out = _int_tuple(name, "output_size", 3, output_size, nd)
    if samples.requires_grad and _is_grad_enabled():  # (PyTorch's autograd layer checks first)
        raise RuntimeError(f"The function '{name}' is not differentiable with respect to argument "
                           "'random_samples'. This input cannot have requires_grad True.")
    three = "" if nd == 2 else " three"
    if len(kernel) != nd:
        raise RuntimeError(f"{name}: kernel_size must either be a single Int or tuple of{three} Ints")
    if len(out) != nd:
        raise RuntimeError(f"{name}: output_size must either be a single Int or tuple of{three} Ints")
    where = name + ("()" if nd == 2 else "_out()")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    for d in range(1, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch dimensions, but got"
                               f"{list(input.shape)} with dimension {d} being empty.")
    size = tuple(input.shape[-nd:])
    dims = ("height", "width") if nd == 2 else ("time", "width", "height")
    for dim in dims:  # (2-d allows the windows to reach the end; 3-d stops one short)
        d = ("time", "height", "width")[-nd:].index(dim)
        if not (out[d] + kernel[d] - 1 <= size[d] if nd == 2 else out[d] + kernel[d] - 1 < size[d]):
            raise RuntimeError(f"{where}: pool {dim} {kernel[d]} too large relative to input {dim} {size[d]}")
    _new_shape(tuple(input.shape[:-nd]) + out, name)  # (PyTorch's error for a negative size)
    _check_samples(input, samples, nd)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"fractional_max_pool{nd}d_out_frame\" not implemented for "
                                  f"'{_D.scalar_name(input.dtype)}'")
    return kernel, out, samples


def _check_samples(input, samples, nd):
    """ATen's ``fractional_max_pool_check_shape``."""
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    n, c, d = samples.shape
    batch, channels = (1, input.size(0)) if input.dim() == nd + 1 else (input.size(0), input.size(1))
    if n < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if c != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if d != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {d}.")


def _pool(input, kernel_size, output_size, output_ratio, samples, nd):
    name = f"fractional_max_pool{nd}d"
    kernel, out, samples = _fractional(name, input, kernel_size, output_size, output_ratio, samples, nd)
    box = []
    values = FractionalMaxPool.apply(input, kernel=kernel, out_size=out, samples=samples._data, box=box,
                                     _name=f"FractionalMaxPool{nd}DBackward0")
    return values, Tensor._wrap(box[0], input.device, input._backend)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """:func:`fractional_max_pool2d` that always returns ``(values, indices)``.

    Mirrors ``torch.nn.functional.fractional_max_pool2d_with_indices``.
    """
    return _pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """2-d fractional max pooling of ``(N, C, H, W)`` or ``(C, H, W)``: ``kH x kW`` windows
    whose starts advance by a pseudo-random, fractional step, so that the output has
    ``output_size`` (Graham, "Fractional Max-Pooling", 2014).

    Along a dim of input size ``n``, output size ``o`` and window ``k``, with one sample
    ``u`` in ``[0, 1)`` per plane and dim, window ``i < o - 1`` starts at
    ``int((i + u) * alpha) - int(u * alpha)``, ``alpha = (n - k) / (o - 1)``, and the last one
    at ``n - k`` (ATen's arithmetic, in the input's dtype). ``_random_samples[n, c]`` holds
    ``(u_W, u_H)``; when it is None the samples are drawn with ``torch.rand(N, C, 2,
    dtype=input.dtype)``, the numbers PyTorch draws after the same seed. Samples outside
    ``[0, 1)``, even NaN, give PyTorch's windows (its C ``int`` conversions as x86 does
    them: the two truncations cancel, and the windows stay inside the input).

    Args:
        input: a floating-point tensor ``(N, C, H, W)`` or ``(C, H, W)``, no empty dim
            except ``N``.
        kernel_size: the window size, an int or ``(kH, kW)``.
        output_size: the output size ``(oH, oW)`` or one int for both.
        output_ratio: the output size as a fraction of the input size: a pair (a float
            fails on ``len()``, as in PyTorch); used when ``output_size`` is None
            (``int(H * r0)``, ``int(W * r1)``).
        return_indices: also return the flat ``h * W + w`` positions of the maxima (int64),
            for :func:`max_unpool2d`.
        _random_samples: the samples, a tensor ``(>= N, C, 2)`` of the input's dtype.

    Returns:
        the maxima ``(N, C, oH, oW)`` (``(C, oH, oW)``), or ``(values, indices)``.

    Raises:
        ValueError: neither ``output_size`` nor ``output_ratio`` given, or ``output_ratio``
            longer than 2.
        RuntimeError: a wrong rank, an empty dim, ``oH + kH - 1 > H`` (or for the width),
            samples of the wrong shape or dtype (PyTorch's messages).
        NotImplementedError: an integer input.

    Mirrors ``torch.nn.functional.fractional_max_pool2d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.arange(25.).view(1, 1, 5, 5)
        >>> u = torch.tensor([[[0.5, 0.5]]])
        >>> F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=u)
        tensor([[[[ 6.,  8.,  9.],
                  [16., 18., 19.],
                  [21., 23., 24.]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fractional_max_pool2d", fractional_max_pool2d, locals())
    values, indices = _pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return (values, indices) if return_indices else values


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """:func:`fractional_max_pool3d` that always returns ``(values, indices)``.

    Mirrors ``torch.nn.functional.fractional_max_pool3d_with_indices``.
    """
    return _pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """3-d fractional max pooling of ``(N, C, T, H, W)`` or ``(C, T, H, W)``: as
    :func:`fractional_max_pool2d` with ``kT x kH x kW`` windows. ``_random_samples[n, c]``
    holds ``(u_T, u_H, u_W)`` (drawn with ``torch.rand(N, C, 3, dtype=input.dtype)`` when
    None). Unlike the 2-d form, PyTorch requires ``oT + kT - 1 < T`` (strictly, and so for
    the height and width). ``output_ratio`` may be one float here.

    Args:
        input: a floating-point tensor ``(N, C, T, H, W)`` or ``(C, T, H, W)``.
        kernel_size: the window size, an int or ``(kT, kH, kW)``.
        output_size: the output size ``(oT, oH, oW)`` or one int for all three.
        output_ratio: the output size as a fraction of the input size (a float or a
            triple), used when ``output_size`` is None.
        return_indices: also return the flat ``(t * H + h) * W + w`` positions of the
            maxima, for :func:`max_unpool3d`.
        _random_samples: the samples, a tensor ``(>= N, C, 3)`` of the input's dtype.

    Returns:
        the maxima ``(N, C, oT, oH, oW)`` (``(C, oT, oH, oW)``), or ``(values, indices)``.

    Raises:
        ValueError: neither ``output_size`` nor ``output_ratio`` given.
        RuntimeError: as :func:`fractional_max_pool2d`.
        NotImplementedError: an integer input.

    Mirrors ``torch.nn.functional.fractional_max_pool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.arange(64.).view(1, 1, 4, 4, 4)
        >>> u = torch.tensor([[[0.5, 0.5, 0.5]]])
        >>> F.fractional_max_pool3d(x, 2, output_size=2, _random_samples=u).flatten()
        tensor([21., 23., 29., 31., 53., 55., 61., 63.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fractional_max_pool3d", fractional_max_pool3d, locals())
    values, indices = _pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return (values, indices) if return_indices else values
