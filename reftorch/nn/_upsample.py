"""The upsampling kernel of ``F.interpolate`` (modes nearest, nearest-exact, linear,
bilinear, trilinear): one :class:`Upsample` node per call, separable over the spatial dims.

Each spatial dim is resampled on its own, innermost first, as PyTorch's CPU kernel
evaluates ``out = (x00*w00 + x01*w01)*w10 + (x10*w00 + x11*w01)*w11``: a gather of the
source rows (``xp.take``) times the weights. The source indices and weights are computed
as PyTorch computes them, in float32 for float32/float16/bfloat16 inputs and in float64
for float64 (``area_pixel_compute_source_index``, ``compute_source_index_and_lambda`` and
``nearest_idx`` in ATen's ``UpSample.h``), so the picked elements and the weights are the
same; the source index is ``floor`` of the real one rounded to float32 (ATen's ``floorf``,
for float64 too). PyTorch's CPU build contracts two steps into fused multiply-adds
(``scale * (dst + 0.5) - 0.5`` and ``x0 * w0 + (x1 * w1)``); :func:`~reftorch._fma.fma`
does the same (float32: exact products in float64, one rounding; float64: the exact
emulation), which makes float32 results, and float64 ones of ``'linear'`` and
``'trilinear'``, equal to PyTorch's bit for bit. Float64 ``'bilinear'`` is within about two
ulps: PyTorch's 2-D kernel rounds its steps in another order. The backward sums the gradient back into the source elements (``index_add``), last step
first; it is linear, so its own gradient is the forward map again.
"""
from __future__ import annotations

from .. import _dtype as _D
from .._fma import fma
from .._layout import memory_format_layout
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction

#: ``grad_fn`` names by (mode, number of spatial dims).
NAMES = {"nearest": "UpsampleNearest{}DBackward0", "nearest-exact": "UpsampleNearestExact{}DBackward0",
         "linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0",
         "trilinear": "UpsampleTrilinear3DBackward0"}


def _scalar(xp, backend, v, dt):
    return xp.asarray(v, dtype=dt, **backend._dev_kw())


def _scale(xp, backend, n_in, n_out, sf, dt):
    """``compute_scales_value``: ``1 / scale_factor`` when one was given, else ``n_in / n_out``,
    in the opmath dtype ``dt``."""
    if sf is not None and sf > 0:
        return _scalar(xp, backend, 1.0 / sf, dt)
    return _scalar(xp, backend, n_in, dt) / _scalar(xp, backend, n_out, dt)


def _axis_plan(backend, mode, n_in, n_out, sf, align_corners, dt, fast):
    """The source indices (and, for the linear modes, weights) of one spatial dim of ``nsp``.

    PyTorch copies a dim whose size does not change in the linear modes, and in 2D
    ``'nearest'`` (which also halves the index for a doubled size); its 1D and 3D nearest
    kernels and ``'nearest-exact'`` always apply the scale, so a ``scale_factor`` of 1.2
    that leaves a size 4 unchanged still repeats an element there. PyTorch's nearest
    *backward* kernels take the fast paths in every rank (``fast=True``): there the
    gradient goes to the element the forward would have copied without the scale."""
    xp = backend.xp
    kw = backend._dev_kw()
    last = n_in - 1
    if mode == "nearest" and fast and n_out in (n_in, 2 * n_in):
        idx = xp.arange(n_out, dtype=xp.int64, **kw)
        return (idx if n_out == n_in else idx // 2,)
    if n_out == n_in and not mode.startswith("nearest"):
        idx = xp.arange(n_out, dtype=xp.int64, **kw)
        return (idx, idx, xp.ones(n_out, dtype=dt, **kw), xp.zeros(n_out, dtype=dt, **kw))
    dst = xp.arange(n_out, dtype=dt, **kw)
    if mode in ("nearest", "nearest-exact"):
        scale = _scale(xp, backend, n_in, n_out, sf, dt)
        src = xp.floor((dst + _scalar(xp, backend, 0.5, dt)) * scale if mode == "nearest-exact" else dst * scale)
        return (xp.clip(xp.astype(src, xp.int64), None, last),)
    if align_corners:
        scale = (_scalar(xp, backend, n_in - 1, dt) / _scalar(xp, backend, n_out - 1, dt) if n_out > 1
                 else _scalar(xp, backend, 0, dt))
        real = scale * dst
    else:
        half = _scalar(xp, backend, 0.5, dt)
        scale = _scale(xp, backend, n_in, n_out, sf, dt)
        real = fma(xp, scale, dst + half, -half)
        real = xp.where(real < 0, xp.zeros_like(real), real)
    # (ATen's guard_index_and_lambda takes ``floorf``: a float64 index is rounded to float32 first)
    i0 = xp.clip(xp.astype(xp.floor(xp.astype(real, xp.float32)), xp.int64), None, last)
    lam = xp.clip(real - xp.astype(i0, dt), 0, 1)
    i1 = i0 + xp.astype(i0 < last, xp.int64)
    return (i0, i1, 1 - lam, lam)


def _bcast(xp, w, axis, nd):
    return xp.reshape(w, (-1,) + (1,) * (nd - axis - 1))


def _resample(backend, a, state):
    """The forward map: each spatial dim resampled, innermost first."""
    xp = backend.xp
    plans, _, dt, _ = state
    out_dt = a.dtype
    for axis, _, plan in plans:
        if len(plan) == 1:
            a = xp.take(a, plan[0], axis=axis)
            continue
        i0, i1, w0, w1 = plan
        nd = a.ndim
        a32 = xp.astype(a, dt) if a.dtype != dt else a
        a = fma(xp, xp.take(a32, i0, axis=axis), _bcast(xp, w0, axis, nd),
                     xp.take(a32, i1, axis=axis) * _bcast(xp, w1, axis, nd))
    return xp.astype(a, out_dt) if a.dtype != out_dt else a


def _resample_grad(backend, g, state):
    """Its adjoint: each weighted copy added back into its source element."""
    xp = backend.xp
    plans, dtype, _, back = state
    for axis, shape, plan in reversed(back or plans):
        nd = g.ndim
        if len(plan) == 1:
            idx, vals = plan[0], g
        else:
            i0, i1, w0, w1 = plan
            gw0 = g * xp.astype(_bcast(xp, w0, axis, nd), g.dtype)
            gw1 = g * xp.astype(_bcast(xp, w1, axis, nd), g.dtype)
            idx, vals = xp.concat([i0, i1]), xp.concat([gw0, gw1], axis=axis)
        g = backend.index_add(shape, dtype, axis, idx, vals)
    return g


class Upsample(OpFunction):
    """``F.interpolate`` in one of the modes of :data:`NAMES`, to ``sizes`` (one per spatial
    dim), with the ``scale_factors`` PyTorch passes to its kernel (``None`` entries when
    the size was given or the scale recomputed)."""

    name = "UpsampleNearest2DBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, mode, sizes, scale_factors, align_corners):
        backend = x._backend
        xp = backend.xp
        a = x._data
        nsp = len(sizes)
        dt = xp.float64 if x.dtype == _D.float64 else xp.float32
        plans, back = [], []  # in the order applied: innermost dim first
        shape = list(a.shape)
        for k in reversed(range(nsp)):
            axis = a.ndim - nsp + k
            args = (backend, mode, a.shape[axis], sizes[k], scale_factors[k], align_corners, dt)
            plans.append((axis, tuple(shape), _axis_plan(*args, nsp == 2)))
            back.append((axis, tuple(shape), _axis_plan(*args, True)))
            shape[axis] = sizes[k]
        state = (tuple(plans), x.dtype, dt, tuple(back) if mode == "nearest" and nsp != 2 else None)
        ctx.state = state
        if ctx.needs_input_grad:
            name = NAMES[mode].format(nsp)
            ctx.names = (name[:-len("Backward0")] + "BackwardBackward0", name)
        return memory_format_layout(backend, _resample(backend, a, state), a)  # (PyTorch's layout)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _resample_grad, _resample, ctx.state, *ctx.names)
