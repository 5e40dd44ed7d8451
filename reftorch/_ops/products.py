"""Products built on the matrix product: ``outer`` (``ger``), ``inner``, and the fused
``addmm``, ``addmv``, ``baddbmm`` (``beta * input + alpha * product``)."""
from __future__ import annotations

import operator

from .. import _backends
from .._layout import row_major, sum_to_shape
from .._tensor import Tensor
from ..autograd.function import OpFunction as Function
from .._dtype import scalar_name
from ._common import conj_of, tensor_input
from .linalg import _mm_checks, _mv_checks, _no_bool, c_type_name, matmul
from .pointwise import scalar_mul
from .shape import expand
from .. import _autocast
from .._autocast import anywhere as _autocasting


@tensor_input
def outer(input, vec2):
    """The outer product of two 1-D tensors: ``result[i, j] = input[i] * vec2[j]``.

    Computed as PyTorch does, ``input.reshape(-1, 1) * vec2`` (so the dtypes promote and
    the grad_fn is ``MulBackward0``). Mirrors ``torch.outer``; ``torch.ger`` is an alias.

    Raises:
        RuntimeError: if an argument is not 1-D.

    Examples:
        >>> import reftorch as torch
        >>> torch.outer(torch.tensor([1, 2]), torch.tensor([1, 10, 100]))
        tensor([[  1,  10, 100],
                [  2,  20, 200]])
    """
    for name, v in (("self", input), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.dim()}-D")
    return input.reshape(-1, 1) * vec2


@tensor_input
def ger(input, vec2):
    """Alias of :func:`~reftorch.outer`. Mirrors ``torch.ger``.

    Examples:
        >>> import reftorch as torch
        >>> torch.ger(torch.tensor([1., 2.]), torch.tensor([3., 4.]))
        tensor([[3., 4.],
                [6., 8.]])
    """
    return outer(input, vec2)


@tensor_input
def inner(input, other):
    """Sum of products over the last dimension of both tensors.

    A 0-dim operand multiplies element-wise. Otherwise the result has shape
    ``input.shape[:-1] + other.shape[:-1]``, computed as a matrix product and reshaped
    (grad_fn ``ViewBackward0``, as in PyTorch). Mirrors ``torch.inner``.

    Raises:
        RuntimeError: if the last dimensions differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.inner(torch.tensor([1., 2.]), torch.tensor([3., 4.]))
        tensor(11.)
        >>> torch.inner(torch.ones(2, 3), torch.ones(4, 3)).shape
        torch.Size([2, 4])
    """
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    k1, k2 = input.shape[-1], other.shape[-1]
    if k1 != k2:
        raise RuntimeError("inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    out = matmul(input.reshape(-1, k1), other.reshape(-1, k2).t())
    return out.reshape(tuple(input.shape[:-1]) + tuple(other.shape[:-1]))


class AddMatmul(Function):
    """``beta * input + alpha * (m1 @ m2)`` for ``addmm``, ``addmv`` and ``baddbmm``."""

    name = "AddmmBackward0"
    create_graph = True  # the formula reads the factors through saved tensors
    arity = 3

    @staticmethod
    def forward(ctx, input, m1, m2, beta, alpha):
        b = m1._backend
        xp = b.xp
        a1, a2, c = m1._data, m2._data, input._data
        native = a1.dtype
        reduced = _backends.is_reduced_float(xp, native)
        if reduced:  # float16/bfloat16: in float32, rounded once, as PyTorch's CPU kernels
            a1, a2, c = (xp.astype(v, xp.float32) for v in (a1, a2, c))
        prod = xp.matmul(a1, a2)
        if alpha != 1:
            prod = prod * alpha
        if beta != 0:  # beta = 0 ignores input, even its nan and inf, as PyTorch does
            prod = prod + (c if beta == 1 else c * beta)
        if reduced:
            prod = xp.astype(prod, native)
        need = ctx.needs_input_grad
        if need:  # (no attribute set at all when no graph is recorded)
            ctx.in_shape, ctx.beta, ctx.alpha = input._data.shape, beta, alpha
            ctx.save_for_backward(m1 if need[2] else None, m2 if need[1] else None)
        return row_major(b, prod)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's: grad * conj(beta); alpha's conjugate times grad @ m2.mH (addmv: the
        # outer product of grad and conj(vec)) and m1.mH @ grad
        m1, m2 = ctx.saved_tensors
        xp = ctx.xp
        need = ctx.needs_input_grad
        beta, alpha = ctx.beta.conjugate(), ctx.alpha.conjugate()
        # (times a number: on tensors recorded as PyTorch's MulBackward1)
        times = scalar_mul if isinstance(g, Tensor) else operator.mul
        gi = g1 = g2 = None
        if need[0]:
            gi = sum_to_shape(xp, g if beta == 1 else times(g, beta), ctx.in_shape)
        if need[1]:
            v = conj_of(xp, m2._data, m2._dtype)
            if v.ndim == 1:  # addmv: the outer product of g and vec
                g1 = xp.expand_dims(g, axis=-1) * xp.expand_dims(v, axis=0)
            else:
                g1 = xp.matmul(g, xp.matrix_transpose(v))
            if alpha != 1:
                g1 = times(g1, alpha)
        if need[2]:
            g2 = xp.matmul(xp.matrix_transpose(conj_of(xp, m1._data, m1._dtype)), g)
            if alpha != 1:
                g2 = times(g2, alpha)
        return gi, g1, g2


def _broadcast_input(input, shape):
    """PyTorch's check that ``input`` expands to the result's shape (its error on failure)."""
    if tuple(input.shape) != tuple(shape):
        expand(input, shape)


@tensor_input
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices ``mat1`` (n, m) and ``mat2`` (m, p).

    ``input`` broadcasts to (n, p); with ``beta=0`` it is ignored (nan and inf in it do
    not propagate). Mirrors ``torch.addmm`` (grad_fn ``AddmmBackward0``).

    Raises:
        RuntimeError: if the shapes do not fit, or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.addmm(torch.ones(2, 2), torch.eye(2), torch.tensor([[1., 2.], [3., 4.]]), alpha=2)
        tensor([[3., 5.],
                [7., 9.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("addmm", addmm, locals())
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.dim() != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.dim()}-D tensor")
    _mm_checks(tuple(mat1.shape), tuple(mat2.shape), mat1.dtype, mat2.dtype, mat1.numel() * mat2.numel())
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {scalar_name(input.dtype)} and "
                           f"{scalar_name(mat2.dtype)}")
    _broadcast_input(input, (mat1.shape[0], mat2.shape[1]))
    return AddMatmul.apply(input, mat1, mat2, beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)`` for a matrix ``mat`` (n, m) and a vector ``vec`` (m,).

    ``input`` broadcasts to (n,); ``beta=0`` ignores it. Mirrors ``torch.addmv``
    (grad_fn ``AddmvBackward0``).

    Raises:
        RuntimeError: if the shapes do not fit, or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.addmv(torch.tensor([1., 1.]), torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([1., 1.]))
        tensor([4., 8.])
    """
    if mat.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}")
    if input.dim() == 1 and input.shape[0] not in (1, mat.shape[0]) or input.dim() > 1:
        raise RuntimeError(f"size mismatch, got input ({', '.join(map(str, input.shape))}), "
                           f"mat ({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")
    _mv_checks(mat.shape[0], mat.shape[1], vec.shape[0], mat.dtype, vec.dtype, mat.numel())
    if input.dtype is not mat.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {scalar_name(input.dtype)}, "
                           f"{scalar_name(mat.dtype)}, and {scalar_name(vec.dtype)}")
    _broadcast_input(input, (mat.shape[0],))
    return AddMatmul.apply(input, mat, vec, beta, alpha, _name="AddmvBackward0")


@tensor_input
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * (batch1 @ batch2)`` for batches (b, n, m) and (b, m, p).

    ``input`` broadcasts to (b, n, p); ``beta=0`` ignores it. Mirrors ``torch.baddbmm``
    (grad_fn ``BaddbmmBackward0``).

    Raises:
        RuntimeError: if the operands are not 3-D, the shapes do not fit, or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.baddbmm(torch.zeros(1, 2, 2), torch.ones(1, 2, 3), torch.ones(1, 3, 2), beta=0.5)
        tensor([[[3., 3.],
                 [3., 3.]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("baddbmm", baddbmm, locals())
    if batch1.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    bs, n, m = batch1.shape
    _broadcast_input(input, (bs, n, batch2.shape[2]))  # (PyTorch checks this first)
    if batch2.shape[0] != bs or batch2.shape[1] != m:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{bs}, {m}] but got: "
                           f"[{batch2.shape[0]}, {batch2.shape[1]}].")
    _no_bool(batch1, "baddbmm_cpu", batch2)
    if batch1.dtype is not batch2.dtype or input.dtype is not batch1.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {c_type_name(input.dtype)}, batch1: "
                           f"{c_type_name(batch1.dtype)}, batch2: {c_type_name(batch2.dtype)}")
    return AddMatmul.apply(input, batch1, batch2, beta, alpha, _name="BaddbmmBackward0")
