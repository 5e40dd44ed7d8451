"""``fliplr``, ``flipud`` and ``rot90``: mirror and rotate the first dimensions of a tensor."""
from __future__ import annotations

import builtins

from .._tensor import _wrap_dim
from ..autograd.function import OpFunction
from ._common import tensor_input
from .reorder import flip


@tensor_input
def fliplr(input):
    """``input`` mirrored left to right: ``flip(input, (1,))``.

    Mirrors ``torch.fliplr`` (a copy, ``grad_fn`` ``FlipBackward0``).

    Raises:
        RuntimeError: if ``input`` has fewer than 2 dimensions ("Input must be >= 2-d.").

    Examples:
        >>> import reftorch as torch
        >>> torch.fliplr(torch.tensor([[1, 2, 3], [4, 5, 6]]))
        tensor([[3, 2, 1],
                [6, 5, 4]])
    """
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@tensor_input
def flipud(input):
    """``input`` mirrored upside down: ``flip(input, (0,))``.

    Mirrors ``torch.flipud`` (a copy, ``grad_fn`` ``FlipBackward0``).

    Raises:
        RuntimeError: if ``input`` is 0-dim ("Input must be >= 1-d.").

    Examples:
        >>> import reftorch as torch
        >>> torch.flipud(torch.tensor([[1, 2, 3], [4, 5, 6]]))
        tensor([[4, 5, 6],
                [1, 2, 3]])
    """
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _rot90_array(xp, b, a, k, d0, d1):
    """``a`` rotated ``k`` (0…3) quarter turns from ``d0`` towards ``d1``: a fresh array, or
    a transposed view of one (PyTorch's layout: ``flip`` then ``transpose``)."""
    if k == 0:
        return b.copy(a)
    if k == 2:
        return b.copy(xp.flip(a, axis=(d0, d1)))
    axes = list(range(a.ndim))
    axes[d0], axes[d1] = d1, d0
    return xp.permute_dims(b.copy(xp.flip(a, axis=d1 if k == 1 else d0)), tuple(axes))


class Rot90(OpFunction):
    """``Rot90.apply(x, k, d0, d1)`` (``Rot90Backward0``): the backward rotates back."""

    name = "Rot90Backward0"
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, k, d0, d1):
        ctx.k, ctx.d0, ctx.d1 = k, d0, d1
        return _rot90_array(x._backend.xp, x._backend, x._data, k, d0, d1)

    @staticmethod
    def backward(ctx, g):
        return _rot90_array(ctx.xp, ctx.backend, g, (4 - ctx.k) % 4, ctx.d0, ctx.d1)


@tensor_input
def rot90(input, k=1, dims=(0, 1)):
    """``input`` rotated by ``k`` quarter turns in the plane of ``dims``, from the first
    dimension towards the second (counter-clockwise for a matrix shown as rows).

    Mirrors ``torch.rot90`` / ``torch.Tensor.rot90`` (a copy, ``grad_fn``
    ``Rot90Backward0``). ``k`` is taken modulo 4; a negative ``k`` turns the other way.

    Args:
        input: a tensor with at least 2 dimensions.
        k: the number of quarter turns (default 1).
        dims: the two dimensions of the plane (default ``(0, 1)``).

    Returns:
        A tensor whose sizes along ``dims`` are swapped when ``k`` is odd.

    Raises:
        RuntimeError: if ``dims`` does not hold two different dimensions, or ``input`` has
            fewer than 2 dimensions.
        IndexError: if a dimension is out of range.
        TypeError: if ``k`` is not an int.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 2], [3, 4]])
        >>> torch.rot90(x)
        tensor([[2, 4],
                [1, 3]])
        >>> x.rot90(-1)
        tensor([[3, 1],
                [4, 2]])
    """
    if type(k) is builtins.bool or not hasattr(k, "__index__"):
        raise TypeError(f"rot90(): argument 'k' must be int, not {type(k).__name__}")
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    n = input.dim()
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n), _wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    return Rot90.apply(input, k.__index__() % 4, d0, d1)
