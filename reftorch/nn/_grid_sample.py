"""``F.affine_grid`` and ``F.grid_sample``: the sampling grid of an affine map, and sampling
an input at the points of a grid (spatial transformers).

``affine_grid`` is PyTorch's ``affine_grid_generator``: a base grid of normalized
coordinates ``(x, y[, z], 1)`` (``linspace(-1, 1, n)``, scaled by ``(n - 1) / n`` unless
``align_corners``) times ``theta`` transposed, one node ``AffineGridGeneratorBackward0``.

``grid_sample`` follows ATen's CPU kernels (``GridSampler.h``, ``GridSamplerKernel.cpp``):
each grid coordinate is unnormalized to a source position (``(c + 1) * (size - 1) / 2``
with ``align_corners``, ``(c + 1) * size / 2 - 0.5`` without), then clipped (``'border'``)
or reflected and clipped (``'reflection'``); the gradient of that map is kept for the grid's
gradient. ``'bilinear'`` mixes the ``2**d`` neighbours, ``'nearest'`` picks the one at
``round`` (half to even, as ``nearbyint``), ``'bicubic'`` (4-D only) mixes 4x4 neighbours
with the cubic convolution kernel (``A = -0.75``), each tap padded on its own. Neighbours
outside the input count as zero. Half-precision inputs are computed in float32. One node
``GridSampler2DBackward0`` / ``GridSampler3DBackward0`` gives the gradients of the input
(the weighted values added back, ``index_add``) and of the grid (the weights' derivatives).
"""
from __future__ import annotations

import itertools
import math
import warnings

from .. import _dtype as _D
from .._ops import creation as _creation
from .._tensor import Tensor
from ..autograd.function import OpFunction
from .. import _autocast
from .._autocast import anywhere as _autocasting

_DEFAULT_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                    "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                    "grid_sample for details.")
_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75


# ----------------------------------------------------------------------------- affine_grid
class AffineGridGenerator(OpFunction):
    """``grid[n, ..., :] = theta[n] @ (x, y[, z], 1)`` over the base grid ``base`` (an array of
    shape ``(H*W, 3)`` or ``(D*H*W, 4)``)."""

    name = "AffineGridGeneratorBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, theta, base, out_shape):
        xp = theta._backend.xp
        ctx.base = base
        grid = xp.matmul(xp.expand_dims(base, axis=0), xp.permute_dims(theta._data, (0, 2, 1)))
        return xp.reshape(grid, out_shape)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        base = ctx.base
        n = g.shape[0]
        g = xp.reshape(g, (n, base.shape[0], g.shape[-1]))
        # summed in float64 (a sum over every grid point: exact cancellations stay zero)
        wide = xp.float64 if g.dtype != xp.float64 else g.dtype
        bt = xp.expand_dims(xp.permute_dims(xp.astype(base, wide), (1, 0)), axis=0)
        return xp.astype(xp.permute_dims(xp.matmul(bt, xp.astype(g, wide)), (0, 2, 1)), g.dtype)


def _linspace_from_neg_one(theta, steps, align_corners):
    """ATen's ``linspace_from_neg_one``: ``[0]`` for one step, else ``linspace(-1, 1)``,
    scaled by ``(steps - 1) / steps`` unless ``align_corners``."""
    if steps <= 1:
        return _creation.zeros(1, dtype=theta.dtype, device=theta.device)._data
    r = _creation.linspace(-1, 1, steps, dtype=theta.dtype, device=theta.device)._data
    if not align_corners:
        xp = theta._backend.xp
        r = r * xp.asarray(steps - 1, dtype=r.dtype, **theta._backend._dev_kw())
        r = r / xp.asarray(steps, dtype=r.dtype, **theta._backend._dev_kw())
    return r


def _base_grid(theta, spatial, align_corners):
    """The ``(prod(spatial), d + 1)`` array of ``(x, y[, z], 1)``, x along the last dim."""
    backend = theta._backend
    xp = backend.xp
    nd = len(spatial)
    cols = []
    for k in range(nd):  # k = 0: x, along the last spatial dim
        axis = nd - 1 - k
        r = _linspace_from_neg_one(theta, spatial[axis], align_corners)
        shape = [1] * nd
        shape[axis] = r.shape[0]
        cols.append(xp.broadcast_to(xp.reshape(r, tuple(shape)), tuple(spatial)))
    cols.append(xp.ones(tuple(spatial), dtype=cols[0].dtype, **backend._dev_kw()))
    return xp.reshape(xp.stack(cols, axis=-1), (-1, nd + 1))


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of a batch of affine maps, for :func:`grid_sample`.

    ``theta`` of shape ``(N, 2, 3)`` maps output positions ``(x, y, 1)`` to input positions
    (2-D, ``size`` ``(N, C, H, W)``, result ``(N, H, W, 2)``); ``(N, 3, 4)`` does the same
    in 3-D (``size`` ``(N, C, D, H, W)``, result ``(N, D, H, W, 3)``). Positions are
    normalized to ``[-1, 1]``: the centers of the corner pixels with ``align_corners=True``,
    the corners of the corner pixels otherwise (the default, with a warning when left at
    ``None``). Differentiable in ``theta`` (``AffineGridGeneratorBackward0``).
    Mirrors ``torch.nn.functional.affine_grid``.

    Raises:
        ValueError: for a ``theta`` that is not floating point or does not fit ``size``, or
            a size with a zero.
        NotImplementedError: for a ``size`` of other than 4 or 5 entries.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> theta = torch.tensor([[[1., 0., 0.], [0., 1., 0.]]])   # the identity
        >>> F.affine_grid(theta, (1, 1, 2, 2), align_corners=False)
        tensor([[[[-0.5000, -0.5000],
                  [ 0.5000, -0.5000]],
        <BLANKLINE>
                 [[-0.5000,  0.5000],
                  [ 0.5000,  0.5000]]]])
    """
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) in (4, 5):
        nd = len(size) - 2
        if theta.dim() != 3 or theta.shape[-2] != nd or theta.shape[-1] != nd + 1:
            raise ValueError(f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[2:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, size, align_corners)


def affine_grid_generator(theta, size, align_corners):
    """:func:`affine_grid` after the checks and warnings of its Python layer: PyTorch's
    operator ``torch.affine_grid_generator``."""
    size = tuple(size)
    nd = len(size) - 2
    spatial = size[2:]
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {nd + 1}] but got: [{theta.shape[0]}, {nd + 1}].")
    base = _base_grid(theta, spatial, align_corners)
    return AffineGridGenerator.apply(theta, base=base, out_shape=(size[0],) + tuple(spatial) + (nd,))


# ----------------------------------------------------------------------------- grid_sample
def _scalar(xp, backend, v, dt):
    return xp.asarray(v, dtype=dt, **backend._dev_kw())


def _clip(xp, backend, ix, size, dt):
    """``clip_coordinates`` (NaN to 0) and its gradient multiplier (0 on and past the ends)."""
    zero, top = _scalar(xp, backend, 0, dt), _scalar(xp, backend, size - 1, dt)
    lo = xp.where(ix > zero, ix, zero)
    res = xp.where(lo < top, lo, top)
    return res, xp.astype((lo != zero) & (res != top), dt)


def _reflect(xp, backend, ix, size, align_corners, dt):
    """``reflect_coordinates`` into ``[0, size - 1]`` (``align_corners``) or
    ``[-0.5, size - 0.5]``, and its gradient multiplier (+-1)."""
    if align_corners and size <= 1:
        zero = xp.zeros_like(ix)
        return zero, zero
    low = _scalar(xp, backend, 0 if align_corners else -0.5, dt)
    span2 = _scalar(xp, backend, 2 * (size - 1) if align_corners else 2 * size, dt)
    shifted = ix - low
    neg = shifted < 0
    a = xp.abs(shifted)
    extra = a - xp.trunc(a / span2) * span2
    other = span2 - extra
    flip = extra > other
    one = xp.ones_like(ix)
    return xp.where(flip, other, extra) + low, xp.where(flip ^ neg, -one, one)


def _unnormalize(xp, backend, coord, size, align_corners, dt):
    """The source position of normalized ``coord`` and ``d position / d coord``."""
    one = _scalar(xp, backend, 1, dt)
    if align_corners:
        scale = _scalar(xp, backend, size - 1, dt) / 2
        return (coord + one) * scale, scale
    scale = _scalar(xp, backend, size, dt) / 2
    return (coord + one) * scale - _scalar(xp, backend, 0.5, dt), scale


def _source(xp, backend, coord, size, padding, align_corners, dt):
    """``compute_source_index`` with its gradient multiplier ``d position / d coord``."""
    ix, mult = _unnormalize(xp, backend, coord, size, align_corners, dt)
    if padding == "border":
        ix, m = _clip(xp, backend, ix, size, dt)
        mult = mult * m
    elif padding == "reflection":
        ix, m1 = _reflect(xp, backend, ix, size, align_corners, dt)
        ix, m2 = _clip(xp, backend, ix, size, dt)
        mult = mult * m1 * m2
    return ix, mult


def _pad_tap(xp, backend, i, size, padding, align_corners, dt):
    """A bicubic tap's integer position (as a float) after the padding mode
    (``get_value_bounded``'s ``compute_coordinates``)."""
    if padding == "border":
        return _clip(xp, backend, i, size, dt)[0]
    if padding == "reflection":
        return _clip(xp, backend, _reflect(xp, backend, i, size, align_corners, dt)[0], size, dt)[0]
    return i


def _cubic(xp, t):
    """The four cubic-convolution weights of fraction ``t`` and their derivatives with
    respect to ``-t`` (``get_cubic_coefficients_grad``: each of ATen's four forms)."""
    A = _CUBIC_A

    def near(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    one = xp.ones_like(t)
    ws = (far(t + one), near(t), near(one - t), far(one - t + one))
    x0, x1, x2, x3 = -one - t, -t, one - t, 2 * one - t
    ds = ((-3 * A * x0 - 10 * A) * x0 - 8 * A, (-3 * (A + 2) * x1 - 2 * (A + 3)) * x1,
          (3 * (A + 2) * x2 - 2 * (A + 3)) * x2, (3 * A * x3 - 10 * A) * x3 + 8 * A)
    return ws, ds


class GridSampler(OpFunction):
    """``grid_sample`` of a ``(N, C, *S)`` input at the points of a ``(N, *O, d)`` grid."""

    name = "GridSampler2DBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, input, grid, mode, padding, align_corners):
        backend = input._backend
        xp = backend.xp
        a, gr = input._data, grid._data
        dt = xp.float64 if input.dtype == _D.float64 else xp.float32
        n, c = a.shape[:2]
        spatial = a.shape[2:]
        out_sp = gr.shape[1:-1]
        nd = len(spatial)
        p = math.prod(out_sp)
        length = math.prod(spatial)
        coords = xp.reshape(xp.astype(gr, dt), (n, p, nd))
        # the input as (C, N * L): one flat index per (batch, position)
        flat = xp.reshape(xp.permute_dims(xp.reshape(xp.astype(a, dt), (n, c, length)), (1, 0, 2)), (c, n * length))
        base = xp.reshape(xp.arange(n, dtype=xp.int64, **backend._dev_kw()) * length, (n, 1))
        taps, post, pairs = _taps(xp, backend, coords, spatial, mode, padding, align_corners, dt)
        vals = []
        out = None
        for idx, valid, w, _ in taps:
            v = _gather(xp, backend, flat, base + idx, valid, n, p)
            vals.append(v)
            term = v * w[:, None, :]
            out = term if out is None else out + term
        if out is None:
            out = xp.zeros((n, c, p), dtype=dt, **backend._dev_kw())
        ctx.state = (taps, post, pairs, vals, dt, tuple(a.shape), tuple(gr.shape), base)
        return xp.astype(xp.reshape(out, (n, c) + tuple(out_sp)), a.dtype)

    @staticmethod
    def backward(ctx, g):
        taps, post, pairs, vals, dt, in_shape, grid_shape, base = ctx.state
        backend = ctx.backend
        xp = backend.xp
        n, c = in_shape[:2]
        length = math.prod(in_shape[2:])
        p = math.prod(grid_shape[1:-1])
        nd = grid_shape[-1]
        go = xp.reshape(xp.astype(g, dt), (n, c, p))
        need = ctx.needs_input_grad
        g_in = g_grid = None
        if need[0]:
            idx = xp.concat([xp.reshape(xp.where(valid, base + i, 0), (-1,)) for i, valid, _, _ in taps])
            parts = []
            for _, valid, w, _ in taps:
                part = go * xp.where(valid, w, xp.zeros_like(w))[:, None, :]
                parts.append(xp.reshape(xp.permute_dims(part, (1, 0, 2)), (c, n * p)))
            acc = backend.index_add((c, n * length), None, 1, idx, xp.concat(parts, axis=1))
            acc = xp.permute_dims(xp.reshape(acc, (c, n, length)), (1, 0, 2))
            g_in = xp.astype(xp.reshape(acc, in_shape), g.dtype)
        if need[1]:
            total = (_bilinear_2d_grid_grad(vals, go, pairs) if pairs is not None and nd == 2
                     else _tap_grid_grad(vals, taps, go, nd))
            cols = [t * m if t is not None else xp.zeros((n, p), dtype=dt, **backend._dev_kw())
                    for t, m in zip(total, post)]
            g_grid = xp.astype(xp.reshape(xp.stack(cols, axis=-1), grid_shape), g.dtype)
        return g_in, g_grid


def _tap_grid_grad(vals, taps, go, nd):
    """``d out / d position`` per grid coordinate, summed against ``go``: one term per
    channel and tap (``value * go * d weight``), accumulated channel by channel as ATen's 3-D
    and bicubic kernels do. None for a coordinate without terms (``'nearest'``)."""
    total = [None] * nd
    for ch in range(go.shape[1]):
        for v, (_, _, _, dws) in zip(vals, taps):
            if dws is None:
                continue
            s = v[:, ch, :] * go[:, ch, :]  # (N, P)
            for k in range(nd):
                sign, factors = dws[k]
                term = s
                for f in factors:
                    term = term * f
                if total[k] is None:
                    total[k] = -term if sign < 0 else term
                else:
                    total[k] = total[k] - term if sign < 0 else total[k] + term
    return total


def _bilinear_2d_grid_grad(vals, go, pairs):
    """The same for 2-D ``'bilinear'`` in the form of ATen's vectorized kernel:
    ``gx += ((ne - nw) * s + (se - sw) * n) * go``, ``gy += ((sw - nw) * e + (se - ne) * w) * go``
    (differences of neighbours: exact zeros where they are equal)."""
    (e, w), (s, n) = pairs
    gx = gy = None
    for ch in range(go.shape[1]):
        nw, ne, sw, se = (v[:, ch, :] for v in vals)
        g = go[:, ch, :]
        tx = ((ne - nw) * s + (se - sw) * n) * g
        ty = ((sw - nw) * e + (se - ne) * w) * g
        gx, gy = (tx, ty) if gx is None else (gx + tx, gy + ty)
    return [gx, gy]


def _gather(xp, backend, flat, idx, valid, n, p):
    """The ``(N, C, P)`` values at flat positions ``idx`` (``(N, P)``), zero where not
    ``valid``."""
    c = flat.shape[0]
    safe = xp.reshape(xp.where(valid, idx, 0), (-1,))
    if safe.shape[0] == 0 or c == 0:
        return xp.zeros((n, c, p), dtype=flat.dtype, **backend._dev_kw())
    v = xp.permute_dims(xp.reshape(xp.take(flat, safe, axis=1), (c, n, p)), (1, 0, 2))
    return xp.where(valid[:, None, :], v, xp.zeros_like(v))


def _taps(xp, backend, coords, spatial, mode, padding, align_corners, dt):
    """The neighbours each output point mixes: ``(flat index, in range, weight, d weight /
    d grid per dim or None)``, each an ``(N, P)`` array (the derivatives a list of them)."""
    nd = len(spatial)
    sizes = spatial[::-1]  # sizes[k]: the size along grid coordinate k (x: the last dim)
    strides = [math.prod(sizes[:k]) for k in range(nd)]
    if mode == "bicubic":
        return _bicubic_taps(xp, backend, coords, sizes, strides, padding, align_corners, dt)
    pos, mult = [], []
    for k in range(nd):
        ix, m = _source(xp, backend, coords[..., k], sizes[k], padding, align_corners, dt)
        pos.append(ix)
        mult.append(m)
    if mode == "nearest":
        idx, valid = 0, True
        for k in range(nd):
            r = xp.round(pos[k])
            valid = valid & (r >= 0) & (r < sizes[k])
            idx = idx + xp.astype(xp.where(valid, r, xp.zeros_like(r)), xp.int64) * strides[k]
        return [(idx, valid, xp.ones_like(pos[0]), None)], mult, None
    lo, frac = [], []
    for k in range(nd):
        f = xp.floor(pos[k])
        lo.append(f)
        frac.append(pos[k] - f)
    taps = []
    one = _scalar(xp, backend, 1, dt)
    for bits in itertools.product((0, 1), repeat=nd):  # z, y, x order: nw, ne, sw, se in 2-D
        bits = bits[::-1]  # bits[k] for coordinate k
        idx, valid = 0, True
        ws = []
        for k in range(nd):
            i = lo[k] + bits[k]
            valid = valid & (i >= 0) & (i < sizes[k])
            idx = idx + xp.astype(xp.where(valid, i, xp.zeros_like(i)), xp.int64) * strides[k]
            ws.append(frac[k] if bits[k] else one - frac[k])
        w = ws[nd - 1]
        for k in range(nd - 2, -1, -1):
            w = w * ws[k]
        dws = [(1 if bits[k] else -1, tuple(ws[j] for j in range(nd) if j != k)) for k in range(nd)]
        taps.append((idx, valid, w, dws))
    return taps, mult, [(one - f, f) for f in frac]


def _bicubic_taps(xp, backend, coords, sizes, strides, padding, align_corners, dt):
    """The 4x4 taps of ``'bicubic'`` (2-D): positions unnormalized without padding, each
    integer tap padded on its own (``get_value_bounded``)."""
    pos, scale, lo, ws, ds = [], [], [], [], []
    for k in range(2):
        ix, s = _unnormalize(xp, backend, coords[..., k], sizes[k], align_corners, dt)
        f = xp.floor(ix)
        w, d = _cubic(xp, ix - f)
        pos.append(ix)
        scale.append(s)
        lo.append(f)
        ws.append(w)
        ds.append(d)
    taps = []
    for j in range(4):
        for i in range(4):
            idx, valid = 0, True
            for k, t in ((0, i), (1, j)):
                q = _pad_tap(xp, backend, lo[k] + (t - 1), sizes[k], padding, align_corners, dt)
                valid = valid & (q >= 0) & (q < sizes[k])
                idx = idx + xp.astype(xp.where(valid, q, xp.zeros_like(q)), xp.int64) * strides[k]
            w = ws[0][i] * ws[1][j]
            dws = [(-1, (ds[0][i], ws[1][j])), (-1, (ds[1][j], ws[0][i]))]
            taps.append((idx, valid, w, dws))
    return taps, scale, None


def _check_grid_sampler(input, grid, mode):
    for pos, (name, t) in enumerate((("input", input), ("grid", grid)), start=1):
        if not isinstance(t, Tensor):
            raise TypeError(f"grid_sampler(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {type(t).__name__}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {_D.scalar_name(input.dtype)} but found "
                           f"{_D.scalar_name(grid.dtype)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but "
                           f"got grid with sizes {list(grid.shape)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {i} being empty")
    nd = 4 if input.dim() == 4 else 5
    if input.dim() != nd or grid.dim() != nd:
        raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if nd == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.is_floating_point():
        kernel = "grid_sampler_2d_cpu_kernel_impl" if nd == 4 else "grid_sampler3d_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_D.scalar_name(input.dtype)}\'')


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the normalized positions of ``grid``.

    ``input`` ``(N, C, H, W)`` and ``grid`` ``(N, H_out, W_out, 2)`` give ``(N, C, H_out,
    W_out)``; in 3-D ``(N, C, D, H, W)`` and ``(N, D_out, H_out, W_out, 3)``. ``grid[..., 0]``
    is the x position (along W), ``grid[..., 1]`` y, ``grid[..., 2]`` z, each in ``[-1, 1]``
    over the input (see ``align_corners`` in :func:`affine_grid`; ``None`` means ``False``
    with a warning). ``mode``: ``'bilinear'`` (default), ``'nearest'`` or ``'bicubic'``
    (4-D only); ``padding_mode``: ``'zeros'`` (outside points read 0), ``'border'`` (clamped
    to the edge) or ``'reflection'`` (mirrored at the edges). Differentiable in ``input`` and
    ``grid`` (``GridSampler2DBackward0`` / ``GridSampler3DBackward0``); the grid's gradient
    is zero for ``'nearest'``. Mirrors ``torch.nn.functional.grid_sample``.

    Raises:
        ValueError: for an unknown ``mode`` or ``padding_mode``.
        RuntimeError: for inputs of other dims, batch sizes or dtypes than the grid's,
            empty spatial dims, or ``'bicubic'`` on a 5-D input.
        NotImplementedError: for integer inputs.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[[[1., 2.], [3., 4.]]]])
        >>> grid = torch.tensor([[[[0., 0.], [-1., -1.]]]])   # the center, the top-left corner
        >>> F.grid_sample(x, grid, align_corners=True)
        tensor([[[[2.5000, 1.0000]]]])
        >>> F.grid_sample(x, grid, align_corners=False)
        tensor([[[[2.5000, 0.2500]]]])
    """
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py), after the
        return _autocast.run("grid_sampler", grid_sample, locals())  # Python-level checks, as in PyTorch
    _check_grid_sampler(input, grid, mode)
    name = "GridSampler2DBackward0" if input.dim() == 4 else "GridSampler3DBackward0"
    return GridSampler.apply(input, grid, mode=mode, padding=padding_mode, align_corners=bool(align_corners),
                             _name=name)
