"""``cdist``: the p-norm distance between every row of one batch of row vectors and every
row of another.

Two paths, chosen as PyTorch chooses them. The direct one (``CdistBackward0``) forms all
differences ``x1[i] - x2[j]`` at once and reduces them with the p-norm; its backward is
PyTorch's ``_cdist_backward`` formulas per ``p``. For ``p == 2`` with more than 25 rows
on a side (or ``compute_mode="use_mm_for_euclid_dist"``) PyTorch instead expands
``|a - b|^2 = |a|^2 - 2 a.b + |b|^2`` into one matrix product of padded matrices, recorded
op by op (the result's ``grad_fn`` is ``ViewBackward0``); that path is built here from the
same ops.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._layout import broadcast_shape, sum_to_shape
from ..autograd.function import OpFunction
from ._common import tensor_input
from .creation import ones_like
from .join import cat
from .shape import expand
from .. import _autocast
from .._autocast import anywhere as _autocasting

_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


def pnorm(backend, diff, p):
    """The p-norm of ``diff`` over its last axis (``p`` a float ``>= 0``: 0 counts the
    nonzero entries, inf takes the largest absolute one)."""
    xp = backend.xp
    a = xp.abs(diff)
    if p == 0:
        return xp.sum(xp.astype(diff != 0, diff.dtype), axis=-1)
    if p == 1:
        return xp.sum(a, axis=-1)
    if p == 2:
        return xp.sqrt(xp.sum(diff * diff, axis=-1))
    if math.isinf(p):
        return xp.max(a, axis=-1) if diff.shape[-1] else xp.zeros(diff.shape[:-1], dtype=diff.dtype,
                                                                   **backend._dev_kw())
    return xp.sum(a ** p, axis=-1) ** (1.0 / p)


def pnorm_grad(backend, diff, dist, g, p):
    """The gradient with respect to ``diff`` of :func:`pnorm` (``dist``), given the
    gradient ``g`` of the norms: PyTorch's ``_cdist_backward`` / ``_pdist_backward``
    formulas per ``p`` (zero where the distance is zero)."""
    xp = backend.xp
    zero = xp.zeros((), dtype=diff.dtype, **backend._dev_kw())
    d = xp.expand_dims(dist, axis=-1)
    gg = xp.expand_dims(g, axis=-1)
    if p == 0:
        each = diff * 0
    elif p == 1:
        each = xp.sign(diff) * gg
    elif p == 2:
        each = xp.where(d == 0, zero, diff * gg / xp.where(d == 0, 1, d))
    elif math.isinf(p):
        each = xp.sign(diff) * xp.astype(xp.abs(diff) == d, diff.dtype) * gg
    else:
        a = xp.abs(diff)
        safe = xp.where(d == 0, 1, d)
        if p < 2:
            each = xp.sign(diff) * a ** (p - 1) * gg / safe ** (p - 1)
            each = xp.where((diff == 0) & (p < 1), zero, each)
        else:
            each = diff * a ** (p - 2) * gg / safe ** (p - 1)
        each = xp.where(d == 0, zero, each)
    return each


class Cdist(OpFunction):
    """``Cdist.apply(x1, x2, p, batch)``: the inputs' batch dimensions broadcast to ``batch``
    here (PyTorch records no expand), and their gradients are summed back."""

    name = "CdistBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x1, x2, p, batch):
        b = x1._backend
        xp = b.xp
        a1, a2 = x1._data, x2._data
        if a1.shape[:-2] != batch:
            a1 = xp.broadcast_to(a1, batch + a1.shape[-2:])
        if a2.shape[:-2] != batch:
            a2 = xp.broadcast_to(a2, batch + a2.shape[-2:])
        diff = xp.expand_dims(a1, axis=-2) - xp.expand_dims(a2, axis=-3)  # (..., r1, r2, c)
        dist = pnorm(b, diff, p)
        if ctx.needs_input_grad:
            ctx.p, ctx.diff, ctx.dist = p, diff, dist
            ctx.shapes = (x1._data.shape, x2._data.shape)
        return dist

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        p, diff, dist = ctx.p, ctx.diff, ctx.dist
        each = pnorm_grad(ctx.backend, diff, dist, g, p)
        g1 = sum_to_shape(xp, xp.sum(each, axis=-2), ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        g2 = sum_to_shape(xp, -xp.sum(each, axis=-3), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return g1, g2


def _euclidean_dist(x1, x2):
    """PyTorch's ``_euclidean_dist``: ``[-2 x1, |x1|^2, 1] @ [x2, 1, |x2|^2]^T``, clamped
    at 1e-30 and square-rooted (the matrix-product path of ``cdist`` for ``p == 2``)."""
    x1_norm = x1.pow(2).sum(-1, keepdim=True)
    x2_norm = x2.pow(2).sum(-1, keepdim=True)
    x1_ = cat([x1.mul(-2), x1_norm, ones_like(x1_norm)], -1)
    x2_ = cat([x2, ones_like(x2_norm), x2_norm], -1)
    return x1_.matmul(x2_.mT).clamp_min(1e-30).sqrt()


@tensor_input
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of ``x1`` and each row of ``x2``.

    ``out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p``; leading (batch) dimensions
    broadcast. Mirrors ``torch.cdist`` (``grad_fn`` ``CdistBackward0``). For ``p == 2``
    with more than 25 rows in ``x1`` or ``x2`` (``compute_mode`` default), or always with
    ``compute_mode="use_mm_for_euclid_dist"``, the distances come from one matrix product,
    as in PyTorch: faster, slightly less exact (a zero distance comes out as ``1e-15``), and
    recorded op by op (``grad_fn`` ``ViewBackward0``).

    Args:
        x1: a float tensor of shape ``(..., R1, C)``.
        x2: a float tensor of shape ``(..., R2, C)``, of ``x1``'s dtype.
        p: the norm's order, ``>= 0`` (default 2.0); ``0`` counts differing coordinates,
            ``float("inf")`` takes the largest absolute difference.
        compute_mode: ``"use_mm_for_euclid_dist_if_necessary"`` (default),
            ``"use_mm_for_euclid_dist"`` or ``"donot_use_mm_for_euclid_dist"``.

    Returns:
        A tensor of shape ``(..., R1, R2)`` (the broadcast batch shape) and ``x1``'s dtype.

    Raises:
        RuntimeError: if an input has fewer than 2 dimensions, is not floating point, the
            dtypes or column counts differ, the batch shapes do not broadcast, or ``p`` is
            negative.
        ValueError: if ``compute_mode`` is not one of the three names.
        NotImplementedError: for float16 and bfloat16 inputs, except by the matrix-product
            path (``p=2`` with more than 25 rows, or ``use_mm_for_euclid_dist``), as PyTorch.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.tensor([[0., 0.], [1., 1.]])
        >>> b = torch.tensor([[3., 4.], [1., 0.], [0., 0.]])
        >>> torch.cdist(a, b)
        tensor([[5.0000, 1.0000, 0.0000],
                [3.6056, 1.0000, 1.4142]])
        >>> torch.cdist(a, b, p=1)
        tensor([[7., 1., 0.],
                [5., 1., 2.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cdist", cdist, locals())
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
    for name, t in (("X1", x1), ("X2", x2)):
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {D.scalar_name(t.dtype)}")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"expected scalar type {D.scalar_name(x1.dtype)} but found {D.scalar_name(x2.dtype)}")
    c1, c2 = x1.shape[-1], x2.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    r1, r2 = x1.shape[-2], x2.shape[-2]
    batch = broadcast_shape(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    if p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        a = x1 if tuple(x1.shape[:-2]) == batch else expand(x1, *batch, r1, c1)
        b = x2 if tuple(x2.shape[:-2]) == batch else expand(x2, *batch, r2, c2)
        return _euclidean_dist(a, b).view(*batch, r1, r2)
    if x1.dtype in D.REDUCED_FLOATS:  # (PyTorch's direct CPU kernel has no half precision)
        raise NotImplementedError(f"\"cdist\" not implemented for '{D.scalar_name(x1.dtype)}'")
    if x2.device != x1.device:
        x2 = x2.to(x1.device)
    return Cdist.apply(x1, x2, float(p), batch)


class Pdist(OpFunction):
    """``Pdist.apply(x, p)``: the distances of the row pairs ``i < j`` of a 2-D ``x``, in
    row-major order of the upper triangle; the backward adds each pair's gradient to row
    ``i`` and subtracts it from row ``j``."""

    name = "PdistBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, p):
        b = x._backend
        xp = b.xp
        a = x._data
        n = a.shape[0]
        kw = b._dev_kw()
        rows = xp.arange(n, dtype=xp.int64, **kw)
        upper = xp.reshape(rows, (n, 1)) < xp.reshape(rows, (1, n))
        first = xp.reshape(xp.broadcast_to(xp.reshape(rows, (n, 1)), (n, n)), (-1,))
        second = xp.reshape(xp.broadcast_to(xp.reshape(rows, (1, n)), (n, n)), (-1,))
        keep = xp.reshape(upper, (-1,))
        i, j = first[keep], second[keep]
        diff = xp.take(a, i, axis=0) - xp.take(a, j, axis=0)  # (pairs, c)
        dist = pnorm(b, diff, p)
        if ctx.needs_input_grad:
            ctx.state = (p, diff, dist, i, j, a.shape)
        return dist

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        p, diff, dist, i, j, shape = ctx.state
        each = pnorm_grad(ctx.backend, diff, dist, g, p)
        return ctx.backend.index_add(shape, None, 0, xp.concat([i, j]), xp.concat([each, -each], axis=0))


@tensor_input
def pdist(input, p=2):
    """The p-norm distance between every pair of rows of a 2-D tensor.

    For ``input`` of shape ``(N, M)`` the result has ``N * (N - 1) / 2`` entries:
    ``||input[i] - input[j]||_p`` for ``i < j``, row by row (``(0, 1), (0, 2), ...,
    (1, 2), ...``), the upper triangle of ``cdist(input, input)`` without its diagonal.
    Differentiable (``grad_fn`` ``PdistBackward0``). Mirrors ``torch.pdist`` (also
    ``torch.nn.functional.pdist``).

    Args:
        input: a float32 or float64 tensor of shape ``(N, M)``.
        p: the norm's order, ``>= 0`` (default 2); ``0`` counts differing coordinates,
            ``float("inf")`` takes the largest absolute difference.

    Raises:
        RuntimeError: for an input that is not 2-D or not floating point, or a negative
            ``p``.
        NotImplementedError: for float16 and bfloat16 inputs (as PyTorch's CPU kernel).

    Examples:
        >>> import reftorch as torch
        >>> torch.pdist(torch.tensor([[0., 0.], [3., 4.], [1., 1.]]))
        tensor([5.0000, 1.4142, 3.6056])
    """
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"pdist\" not implemented for '{D.scalar_name(input.dtype)}'")
    return Pdist.apply(input, float(p))
