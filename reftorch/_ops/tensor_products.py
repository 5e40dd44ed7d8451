"""Products of whole tensors: ``kron``, ``tensordot`` and ``cartesian_prod``, written with
the public ops (their ``grad_fn`` names are those of PyTorch's compositions)."""
from __future__ import annotations

import math

from .._tensor import Tensor, _wrap_dim
from ._common import with_out
from .join import stack
from .linalg import matmul
from .meshgrid import meshgrid
from .pointwise import mul
from .shape import UnsafeView, permute, reshape


def kron(input, other):
    """The Kronecker product of ``input`` and ``other``.

    For 2-D tensors, the block matrix whose block ``(i, j)`` is ``input[i, j] * other``;
    in general the result has shape ``input.shape[k] * other.shape[k]`` in every
    dimension, the shorter shape padded with leading ones. Dtypes promote. Mirrors
    ``torch.kron`` (``grad_fn`` ``UnsafeViewBackward0``).

    Args:
        input: the first tensor.
        other: the second tensor.

    Returns:
        A new tensor with ``max(input.dim(), other.dim())`` dimensions.

    Raises:
        TypeError: if an argument is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.kron(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1]]))
        tensor([[1, 1, 2, 2],
                [3, 3, 4, 4]])
    """
    for name, pos, t in (("input", 1, input), ("other", 2, other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"kron(): argument '{name}' (position {pos}) must be Tensor, not {type(t).__name__}")
    nd = max(input.dim(), other.dim())
    a_shape = (1,) * (nd - input.dim()) + tuple(input.shape)
    b_shape = (1,) * (nd - other.dim()) + tuple(other.shape)
    a_view = reshape(input, tuple(s for n in a_shape for s in (n, 1)))
    b_view = reshape(other, tuple(s for n in b_shape for s in (1, n)))
    out_shape = tuple(m * n for m, n in zip(a_shape, b_shape))
    return UnsafeView.apply(mul(a_view, b_view), shape=out_shape)


def _dims_arg(dims, a, b):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(a.dim() - dims, a.dim())), list(range(dims))
    if isinstance(dims, (list, tuple)) and len(dims) == 2:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        return da, db
    raise RuntimeError(f"tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
                       f"containing two lists, but got dims={dims}")


def tensordot(a, b, dims=2, out=None):
    """Contract ``a`` and ``b`` over the given dimensions: a generalised matrix product.

    With an int ``dims=n`` the last ``n`` dimensions of ``a`` are summed against the first
    ``n`` of ``b``; with two lists ``([i, …], [j, …])`` dimension ``i`` of ``a`` against
    dimension ``j`` of ``b``, pair by pair. The result's dimensions are ``a``'s free ones
    then ``b``'s. A contracted dimension of size 1 on one side is summed over on the other
    side. Mirrors ``torch.tensordot`` (one matrix product; ``grad_fn`` ``ViewBackward0``).

    Args:
        a: the first tensor.
        b: the second tensor, of ``a``'s dtype.
        dims: an int ``>= 0`` (default 2), or a pair of lists of dimensions.
        out: a tensor to write the result into.

    Returns:
        A tensor of shape ``a``'s free sizes + ``b``'s free sizes.

    Raises:
        RuntimeError: if the dtypes differ, ``dims`` is negative, too large or malformed,
            the two lists differ in length, or contracted sizes do not match.
        IndexError: if a dimension is out of range.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.arange(6.).reshape(2, 3)
        >>> torch.tensordot(a, a, dims=([1], [1]))
        tensor([[ 5., 14.],
                [14., 50.]])
        >>> torch.tensordot(a, torch.ones(3, 2), dims=1)
        tensor([[ 3.,  3.],
                [12., 12.]])
    """
    if out is not None:
        return with_out("tensordot", out, tensordot, a, b, dims)
    da, db = _dims_arg(dims, a, b)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da = [_wrap_dim(d, a.dim()) for d in da]
    db = [_wrap_dim(d, b.dim()) for d in db]
    for i, j in zip(da, db):
        s1, s2 = a.shape[i], b.shape[j]
        if s1 == s2:
            continue
        if s2 == 1:
            a = a.sum(i, keepdim=True)
        elif s1 == 1:
            b = b.sum(j, keepdim=True)
        else:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {i} and "
                               f"second has size {s2} in dim {j}")
    free_a = [d for d in range(a.dim()) if d not in da]
    free_b = [d for d in range(b.dim()) if d not in db]
    size_a = [a.shape[d] for d in free_a]
    size_b = [b.shape[d] for d in free_b]
    k = math.prod(a.shape[d] for d in da)
    t1 = reshape(permute(a, *(free_a + da)), (math.prod(size_a), k))
    t2 = reshape(permute(b, *(db + free_b)), (k, math.prod(size_b)))
    return reshape(matmul(t1, t2), tuple(size_a + size_b))


def cartesian_prod(*tensors):
    """The Cartesian product of 1-D tensors, as rows: like ``itertools.product``.

    Mirrors ``torch.cartesian_prod``: for ``N`` tensors of sizes ``n0 … n(N-1)``, a tensor
    of shape ``(n0 * … * n(N-1), N)`` (``grad_fn`` ``StackBackward0``); a single tensor
    is returned as it is.

    Args:
        *tensors: 1-D tensors of one dtype.

    Returns:
        The product rows, or the one input.

    Raises:
        RuntimeError: if no tensor is given, a tensor is not 1-D, or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([5, 6, 7]))
        tensor([[1, 5],
                [1, 6],
                [1, 7],
                [2, 5],
                [2, 6],
                [2, 7]])
    """
    for t in tensors:
        if isinstance(t, Tensor) and t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape [{', '.join(map(str, t.shape))}]")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)
