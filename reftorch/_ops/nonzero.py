"""``nonzero``/``argwhere``/``count_nonzero``: where a tensor is not zero."""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor


def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the nonzero elements.

    Args:
        input: the tensor (any dtype; a value counts when it is not zero/``False``).
        out: an int64 tensor to write the result into (keyword-only).
        as_tuple: return one index tensor per dimension (default ``False``).

    Returns:
        An int64 tensor of shape ``(n, input.dim())``, one row per nonzero element in
        row-major order; or, with ``as_tuple=True``, a tuple of ``input.dim()`` 1-D index
        tensors (a 0-dim input counts as 1-D), usable as ``input[...]`` indices.

    Mirrors ``torch.nonzero`` (not differentiable).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[0., 1.], [2., 0.]])
        >>> x.nonzero()
        tensor([[0, 1],
                [1, 0]])
        >>> torch.nonzero(x, as_tuple=True)
        (tensor([0, 1]), tensor([1, 0]))
    """
    if out is not None:
        from ._common import with_out
        return with_out("nonzero", out, nonzero, input)
    b = input._backend
    xp = b.xp
    a = input._data
    i64 = b.dtype(D.int64)
    truth = a != 0 if a.dtype != xp.bool else a
    if a.ndim == 0:
        hit = bool(truth)
        if as_tuple:
            return (Tensor._wrap(xp.zeros((1 if hit else 0,), dtype=i64, **b._dev_kw()), input.device, b),)
        return Tensor._wrap(xp.zeros((1 if hit else 0, 0), dtype=i64, **b._dev_kw()), input.device, b)
    coords = xp.nonzero(truth)
    coords = [xp.astype(c, i64) for c in coords]
    if as_tuple:
        return tuple(Tensor._wrap(c, input.device, b) for c in coords)
    # PyTorch's result is column-major (strides (1, n)): one contiguous row of indices per dim
    out = xp.permute_dims(xp.stack(coords, axis=0), (1, 0))
    return Tensor._wrap(out, input.device, b)


def argwhere(input):
    """``nonzero(input)``. Mirrors ``torch.argwhere``."""
    return nonzero(input)


def count_nonzero(input, dim=None):
    """How many elements are nonzero (along ``dim``). Mirrors ``torch.count_nonzero``."""
    from .pointwise import ne
    from .reduction import sum
    return sum(ne(input, 0), dim=dim)
