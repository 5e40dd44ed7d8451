"""``diff`` (differences of neighbours) and ``cross`` (the 3-vector cross product)."""
from __future__ import annotations


from .. import _dtype as D
from .._layout import row_major, sum_to_shape
from .._tensor import Tensor, _wrap_dim
from .._warnings import warn_once
from ..autograd.function import OpFunction as Function
from ._common import conj_of, tensor_input, with_out
from .creation import empty_like
from .join import cat
from .pointwise import logical_xor
from .shape import broadcast_tensors
from ._numpy_names import NOT_GIVEN, dim_from_axis

_CROSS_DIM_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release. (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)")


@tensor_input
def diff(input, n=1, dim=-1, prepend=None, append=None, *, axis=NOT_GIVEN):
    """The ``n``-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, ``n`` times.

    ``prepend`` and ``append`` are joined to ``input`` along ``dim`` first. Bool inputs
    give ``x[i + 1] != x[i]``. Each step is a subtraction of two slices, so the grad_fn is
    ``SubBackward0`` as in PyTorch. Mirrors ``torch.diff``.

    Args:
        input: a tensor with at least one dimension.
        n: how many times to take differences (``>= 0``).
        dim: the dimension (default: the last).
        prepend: a tensor joined before ``input`` (the same shape except along ``dim``).
        append: a tensor joined after ``input``.

    Returns:
        A tensor whose size along ``dim`` is ``max(length - n, 0)``.

    Raises:
        RuntimeError: for a 0-dim ``input``, a negative ``n``, or ``prepend``/``append``
            of another number of dimensions or shape.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.diff(torch.tensor([1, 4, 9, 16]))
        tensor([3, 5, 7])
        >>> torch.diff(torch.tensor([1, 4, 9, 16]), n=2)
        tensor([2, 2])
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("diff", dim, axis, -1)
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.dim())
    parts = []
    for extra in (prepend, append):
        if extra is None:
            continue
        if extra.dim() != input.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i in range(input.dim()):
            if i != d and extra.shape[i] != input.shape[i]:
                raise RuntimeError("diff expects the shape of tensor to prepend or append to match that of input "
                                   f"except along the differencing dimension; input.size({i}) = {input.shape[i]}, "
                                   f"but got tensor.size({i}) = {extra.shape[i]}")
    if prepend is not None or append is not None:
        parts = ([prepend] if prepend is not None else []) + [input] + ([append] if append is not None else [])
        input = cat(parts, d)
    if n == 0:  # a copy (PyTorch's grad_fn: CopyBackwards)
        return empty_like(input).copy_(input)
    out = input
    for _ in range(n):
        length = out.shape[d]
        if length == 0:
            break
        hi, lo = out.narrow(d, 1, length - 1), out.narrow(d, 0, length - 1)
        out = logical_xor(hi, lo) if out.dtype is D.bool else hi - lo
    return out


class LinalgCross(Function):
    name = "LinalgCrossBackward0"
    create_graph = True  # the formula reads the operands through saved tensors
    arity = 2

    @staticmethod
    def forward(ctx, a, b, dim):
        be = a._backend
        if ctx.needs_input_grad:
            ctx.dim = dim
            ctx.save_for_backward(a, b)
        return row_major(be, _cross(be.xp, a._data, b._data, dim))

    @staticmethod
    def backward(ctx, g):
        # PyTorch's formulas: cross(other.conj(), grad) and cross(grad, input.conj()), summed
        # back to a broadcast operand's shape; on tensors (create_graph) recorded as crosses
        a, b = ctx.saved_tensors
        xp, dim = ctx.xp, ctx.dim
        need = ctx.needs_input_grad
        if isinstance(g, Tensor):  # create_graph: each gradient is a cross product node again
            def cross(u, v):
                return LinalgCross.apply(u, v, dim)
        else:
            def cross(u, v):
                return _cross(xp, u, v, dim)
        ga = gb = None
        if need[0]:
            ga = sum_to_shape(xp, cross(conj_of(xp, b._data, b._dtype), g), a._data.shape)
        if need[1]:
            gb = sum_to_shape(xp, cross(g, conj_of(xp, a._data, a._dtype)), b._data.shape)
        return ga, gb


def _cross(xp, a, b, dim):
    a, b = xp.broadcast_arrays(a, b)

    def part(v, i):
        return v[(slice(None),) * dim + (slice(i, i + 1),)]

    a0, a1, a2 = (part(a, i) for i in range(3))
    b0, b1, b2 = (part(b, i) for i in range(3))
    return xp.concat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=dim)


@tensor_input
def cross(input, other, dim=None, *, axis=NOT_GIVEN):
    """The cross product of 3-vectors along ``dim`` (the operands broadcast).

    Without ``dim`` the first dimension of size 3 is used and, as PyTorch does, a
    ``UserWarning`` says so (``torch.linalg.cross`` uses the last dimension). Mirrors
    ``torch.cross`` (grad_fn ``LinalgCrossBackward0``).

    Raises:
        RuntimeError: if the dtypes or the numbers of dimensions differ, or ``dim`` does not
            have size 3.

    Examples:
        >>> import reftorch as torch
        >>> torch.cross(torch.tensor([1., 0., 0.]), torch.tensor([0., 1., 0.]), dim=0)
        tensor([0., 0., 1.])
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("cross", dim, axis)
    _same_dtype(input, other)
    if dim is None:
        warn_once(_CROSS_DIM_WARNING, stacklevel=0)  # (TORCH_WARN_ONCE; 0: the user's line)
        sizes = [s for s in input.shape]
        if 3 not in sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes.index(3)
    return _linalg_cross(input, other, dim)


def _same_dtype(input, other):
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {D.scalar_name(input.dtype)} but found "
                           f"{D.scalar_name(other.dtype)}")


def _linalg_cross(input, other, dim):
    _same_dtype(input, other)
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    broadcast_tensors(input, other)  # PyTorch's error when the other dims do not broadcast
    return LinalgCross.apply(input, other, d)


def linalg_cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim`` (default: the last), the operands broadcast.

    Mirrors ``torch.linalg.cross`` (grad_fn ``LinalgCrossBackward0``): ``torch.cross`` with
    a default ``dim`` of -1 and no warning.

    Args:
        input: a tensor with size 3 at ``dim``.
        other: a tensor of the same dtype and number of dimensions, size 3 at ``dim``.
        dim: the dimension of the vectors (keyword-only).
        out: a tensor to write the result into (keyword-only).

    Raises:
        RuntimeError: if the dtypes or the numbers of dimensions differ, ``dim`` does not
            have size 3, or the other dimensions do not broadcast.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.cross(torch.tensor([[1., 0., 0.]]), torch.tensor([[0., 1., 0.], [0., 0., 1.]]))
        tensor([[ 0.,  0.,  1.],
                [ 0., -1.,  0.]])
    """
    if out is not None:
        return with_out("linalg_cross", out, linalg_cross, input, other, dim=dim)
    return _linalg_cross(input, other, dim)
