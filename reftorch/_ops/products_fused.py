"""More products: ``addr`` (``beta * input + alpha * outer(vec1, vec2)``), ``addbmm``
(``beta * input + alpha * sum of batch1[i] @ batch2[i]``), ``vdot``, ``dist`` and the
deprecated ``chain_matmul``.

As with ``addmm``, ``beta = 0`` ignores ``input`` (its nan and inf do not propagate).
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape, sum_to_shape
from .._tensor import Tensor, tensor_arg
from .._warnings import warn_once
from ..autograd.function import OpFunction
from ._common import conj_of
from .linalg import Matmul, c_type_name, dot_checks
from .linalg_products import multi_dot
from .norm import norm_grad, norm_of
from .shape import expand
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _scaled(x, s):
    return x if s == 1 else x * s


class Addr(OpFunction):
    """``beta * input + alpha * outer(vec1, vec2)`` in the promoted dtype (bool: ``(beta and
    input) or (alpha and outer)``). Backward: ``beta * grad``, ``alpha * grad @ vec2`` and
    ``alpha * grad^T @ vec1`` (conjugated), each in its input's dtype."""

    name = "AddrBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, input, vec1, vec2, beta, alpha, dtype):
        b = vec1._backend
        xp = b.xp
        native = b.dtype(dtype)
        i, v1, v2 = (xp.astype(t._data, native) for t in (input, vec1, vec2))
        outer = xp.expand_dims(v1, axis=-1) * xp.expand_dims(v2, axis=0)
        shape = tuple(outer.shape)
        if dtype is D.bool:
            out = outer if alpha else xp.zeros_like(outer)
            if beta:
                out = out | xp.broadcast_to(i, shape)
        else:
            out = _scaled(outer, alpha)
            if beta != 0:  # beta = 0 ignores input, even its nan and inf, as PyTorch does
                out = out + _scaled(xp.broadcast_to(i, shape), beta)
        if ctx.needs_input_grad:
            ctx.arrays, ctx.scales = (input._data, vec1._data, vec2._data), (beta, alpha)
            ctx.v = (v1, v2, dtype)
        return b.copy(out) if out is outer else out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        (i, v1, v2), (beta, alpha) = ctx.arrays, ctx.scales
        c1, c2, dtype = ctx.v
        need = ctx.needs_input_grad
        gi = xp.astype(sum_to_shape(xp, _scaled(g, beta), i.shape), i.dtype) if need[0] else None
        g1 = g2 = None
        if need[1]:
            g1 = xp.astype(_scaled(xp.matmul(g, conj_of(xp, c2, dtype)), alpha), v1.dtype)
        if need[2]:
            g2 = xp.astype(_scaled(xp.matmul(xp.matrix_transpose(g), conj_of(xp, c1, dtype)), alpha), v2.dtype)
        return gi, g1, g2


class Addbmm(OpFunction):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``. Backward: ``beta * grad``,
    ``alpha * grad @ batch2[i]^H`` and ``alpha * batch1[i]^H @ grad``."""

    name = "AddbmmBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, input, batch1, batch2, beta, alpha):
        xp = batch1._backend.xp
        b1, b2 = batch1._data, batch2._data
        out = _scaled(xp.sum(xp.matmul(b1, b2), axis=0, dtype=b1.dtype), alpha)  # (no int32 -> int64)
        if beta != 0:
            out = out + _scaled(xp.broadcast_to(input._data, tuple(out.shape)), beta)
        if ctx.needs_input_grad:
            ctx.arrays, ctx.scales, ctx.dtype = (input._data.shape, b1, b2), (beta, alpha), batch1.dtype
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        (shape, b1, b2), (beta, alpha) = ctx.arrays, ctx.scales
        need = ctx.needs_input_grad
        gi = sum_to_shape(xp, _scaled(g, beta), shape) if need[0] else None
        g1 = g2 = None
        if need[1]:
            g1 = _scaled(xp.matmul(g, xp.matrix_transpose(conj_of(xp, b2, ctx.dtype))), alpha)
        if need[2]:
            g2 = _scaled(xp.matmul(xp.matrix_transpose(conj_of(xp, b1, ctx.dtype)), g), alpha)
        return gi, g1, g2


class Dist(OpFunction):
    """The ``p``-norm of ``input - other`` (broadcast, in the promoted dtype). Backward:
    the norm's gradient (``norm_grad``) summed to each input's shape, negated for
    ``other``; none at all for ``p = 0``, as in PyTorch."""

    name = "DistBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, input, other, p, dtype):
        b = input._backend
        xp = b.xp
        native = b.dtype(dtype)
        shape = broadcast_shape(tuple(input.shape), tuple(other.shape))
        diff = xp.broadcast_to(xp.astype(input._data, native), shape) - xp.broadcast_to(
            xp.astype(other._data, native), shape)
        axes = tuple(range(len(shape)))
        out = norm_of(b, diff, dtype, p, axes, False)
        if ctx.needs_input_grad:
            ctx.diff, ctx.norm, ctx.p, ctx.axes = diff, out, p, axes
            ctx.dtypes = (input._data.dtype, other._data.dtype, input._data.shape, other._data.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        gd = norm_grad(b, xp, ctx.diff, ctx.norm, g, ctx.p, ctx.axes, False)
        if gd is None:  # p = 0: PyTorch has no gradient, and fails to negate it for other
            if ctx.needs_input_grad[1]:
                raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor in C++) for "
                                   "argument #0 'self'")
            return None, None
        t1, t2, s1, s2 = ctx.dtypes
        need = ctx.needs_input_grad
        g1 = xp.astype(sum_to_shape(xp, gd, s1), t1) if need[0] else None
        g2 = xp.astype(sum_to_shape(xp, -gd, s2), t2) if need[1] else None
        return g1, g2


# ----------------------------------------------------------------------------- public
def _check_scalars(dtype, beta, alpha):
    """PyTorch's checks of ``beta`` and ``alpha`` against the result's dtype."""
    for name, s in (("beta", beta), ("alpha", alpha)):
        if dtype is not D.bool and isinstance(s, bool):
            raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
        if not (dtype.is_floating_point or dtype.is_complex) and isinstance(s, float):
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``: the outer product of two vectors added to
    a matrix. ``input`` broadcasts to ``(n, m)``; ``beta=0`` ignores it (nan and inf in it
    do not propagate). The dtypes promote. For bool tensors: ``(beta and input) or (alpha
    and outer)``.

    Mirrors ``torch.addr`` (and ``Tensor.addr``, ``Tensor.addr_``;
    ``grad_fn=<AddrBackward0>``).

    Args:
        input: a tensor broadcastable to ``(n, m)``.
        vec1: a 1-D tensor of ``n`` elements.
        vec2: a 1-D tensor of ``m`` elements.
        beta: the factor of ``input`` (default 1).
        alpha: the factor of the outer product (default 1).

    Raises:
        RuntimeError: for vectors that are not 1-D, an ``input`` that does not broadcast, a
            float ``beta``/``alpha`` with an integer result or a bool one with a non-bool
            result.

    Examples:
        >>> import reftorch as torch
        >>> torch.addr(torch.ones(2, 3), torch.tensor([1., 2.]), torch.tensor([1., 0., -1.]), alpha=2)
        tensor([[ 3.,  1., -1.],
                [ 5.,  1., -3.]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: addr(out=...) is not supported")
    tensor_arg(input, "addr", "input", 1)
    tensor_arg(vec1, "addr", "vec1", 2)
    tensor_arg(vec2, "addr", "vec2", 3)
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.dim()}-D")
    dtype = D.promote_types(D.promote_types(input.dtype, vec1.dtype), vec2.dtype)
    _check_scalars(dtype, beta, alpha)
    shape = (vec1.shape[0], vec2.shape[0])
    if tuple(input.shape) != shape:
        expand(input, shape)  # (PyTorch's error if it does not broadcast)
    return Addr.apply(input, vec1, vec2, beta, alpha, dtype)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1[0] @ batch2[0] + ... + batch1[b-1] @ batch2[b-1])``:
    the sum of the matrix products of two batches added to a matrix. ``input`` broadcasts
    to ``(n, p)``; ``beta=0`` ignores it.

    Mirrors ``torch.addbmm`` (and ``Tensor.addbmm``, ``Tensor.addbmm_``;
    ``grad_fn=<AddbmmBackward0>``).

    Args:
        input: a tensor broadcastable to ``(n, p)``.
        batch1: a tensor of shape ``(b, n, m)``.
        batch2: a tensor of shape ``(b, m, p)``, of the same dtype.
        beta: the factor of ``input`` (default 1).
        alpha: the factor of the sum of products (default 1).

    Raises:
        RuntimeError: for batches that are not 3-D or do not fit, an ``input`` that does
            not broadcast, or different dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.addbmm(torch.zeros(2, 2), torch.ones(3, 2, 4), torch.ones(3, 4, 2), beta=0)
        tensor([[12., 12.],
                [12., 12.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("addbmm", addbmm, locals())
    if out is not None:
        raise NotImplementedError("reftorch: addbmm(out=...) is not supported")
    for pos, (name, t) in enumerate((("input", input), ("batch1", batch1), ("batch2", batch2))):
        tensor_arg(t, "addbmm", name, pos + 1)
    shape = (batch1.shape[1] if batch1.dim() > 1 else 1, batch2.shape[2] if batch2.dim() > 2 else 1)
    if tuple(input.shape) != shape:
        expand(input, shape)
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.dim() != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1.shape[0]} and "
                           f"{batch2.shape[0]}")
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x{batch1.shape[2]} and "
                           f"{batch2.shape[1]}x{batch2.shape[2]})")
    if input.dtype is not batch2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {D.scalar_name(input.dtype)} and "
                           f"{D.scalar_name(batch2.dtype)}")
    if batch1.dtype is not batch2.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {c_type_name(batch1.dtype)} != "
                           f"{c_type_name(batch2.dtype)}")
    if batch1.dtype is D.bool and batch1.numel() and batch2.numel():
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return Addbmm.apply(input, batch1, batch2, beta, alpha)


def vdot(input, other, *, out=None):
    """The dot product of two 1-D tensors with the first one conjugated: ``sum(conj(input)
    * other)``. Mirrors ``torch.vdot`` (and ``Tensor.vdot``; ``grad_fn=<VdotBackward0>``
    for real tensors).

    Raises:
        RuntimeError: for tensors that are not 1-D, of different sizes or dtypes.
        NotImplementedError: for bool tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.vdot(torch.tensor([1., 2.]), torch.tensor([3., 4.]))
        tensor(11.)
    """
    if out is not None:
        raise NotImplementedError("reftorch: vdot(out=...) is not supported")
    tensor_arg(input, "vdot", "input", 1)
    tensor_arg(other, "vdot", "other", 2)
    dot_checks(input, other)
    if input.dtype.is_complex:
        input = input.conj()
    return Matmul.apply(input, other, _name="VdotBackward0")


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (the shapes broadcast, the dtypes promote): the
    distance between two tensors. Mirrors ``torch.dist`` (and ``Tensor.dist``;
    ``grad_fn=<DistBackward0>``; for ``p = 0`` no gradient for ``input``, and, as in
    PyTorch 2.13, a RuntimeError in backward when ``other`` requires grad).

    Args:
        input: a float or complex tensor (or one that promotes to it with ``other``).
        other: a tensor broadcastable with ``input``.
        p: the norm's order, a number (default 2; ``0``, ``inf``, ``-inf`` too).

    Raises:
        RuntimeError: for shapes that do not broadcast or an integer result.
        TypeError: for a ``p`` that is not a number.

    Examples:
        >>> import reftorch as torch
        >>> torch.dist(torch.tensor([1., 2.]), torch.tensor([4., 6.]))
        tensor(5.)
    """
    tensor_arg(input, "dist", "input", 1)
    tensor_arg(other, "dist", "other", 2)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"dist(): argument 'p' must be Number, not {type(p).__name__}")
    broadcast_shape(tuple(input.shape), tuple(other.shape))
    dtype = D.promote_types(input.dtype, other.dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{D.scalar_name(dtype)} instead.")
    return Dist.apply(input, other, float(p), dtype)


_CHAIN_MATMUL_DEPRECATED = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use torch.linalg.multi_dot "
    "instead, which accepts a list of two or more tensors rather than multiple parameters. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/LinearAlgebra.cpp:1102.)")


def chain_matmul(*matrices, out=None):
    """The product of the 2-D tensors ``matrices``, in the cheapest order:
    :func:`reftorch.linalg.multi_dot` taking the matrices as separate arguments (one matrix
    gives a copy). Mirrors the deprecated ``torch.chain_matmul``, with PyTorch's
    deprecation warning (once).

    Raises:
        RuntimeError: for no matrices, a tensor that is not 2-D, or sizes that do not fit.

    Examples:
        >>> import reftorch as torch
        >>> torch.chain_matmul(torch.ones(2, 3), torch.ones(3, 4), torch.ones(4, 1))
        tensor([[12.],
                [12.]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: chain_matmul(out=...) is not supported")
    warn_once(_CHAIN_MATMUL_DEPRECATED, stacklevel=0)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for t in matrices:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element 0 in argument 0, but got {type(t).__name__}")
        if t.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {t.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(list(matrices))
