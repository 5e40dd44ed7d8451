"""``index_copy`` / ``index_copy_``: the slices of ``source`` written into ``self`` at
``index`` along ``dim`` (``self[..., index[k], ...] = source[..., k, ...]``).

It is :func:`~reftorch._ops.scatter.scatter` with ``index`` spread over ``source``'s shape
(:func:`expanded_index`): the last write to a place wins, as in PyTorch's serial loop, and the
gradients are PyTorch's (``self``'s zero where written; ``source`` reads the gradient at
``index``).
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, int_arg
from ._common import tensor_input, with_out
from ._inplace import commit
from .scatter import Scatter
from .. import _autocast
from .._autocast import anywhere as _autocasting


def expanded_index(index, source, d):
    """``index`` (a vector along ``d``) broadcast to ``source``'s shape (a 0-d source counts
    as one element), as the int64 index tensor of a scatter along ``d``."""
    b = index._backend
    xp = b.xp
    shape = tuple(source.shape) or (1,)
    idx = xp.astype(xp.reshape(index._data, (-1,)), xp.int64)
    idx = xp.reshape(idx, tuple(idx.shape[0] if i == d else 1 for i in range(len(shape))))
    return Tensor._wrap(b.copy(xp.broadcast_to(idx, shape)), index.device, b)


def _sizes(shape):
    return " ".join(str(n) for n in shape)


def _check(input, dim, index, source):
    for name, pos, t in (("index", 2, index), ("source", 3, source)):
        if not isinstance(t, Tensor):
            raise TypeError(f"index_copy(): argument '{name}' (position {pos + 1}) must be Tensor, "
                            f"not {type(t).__name__}")
    d = _wrap_dim(int_arg(dim, "index_copy", "dim", 2), input.dim())
    if index.dim() >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.dim()})")
    count = index.numel()
    if source.dim() == 0 and count != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element (got {count})")
    if source.dim() != input.dim() and source.dim() and input.dim():
        raise IndexError("index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({source.dim()}), destination dimensionality ({input.dim()})")
    if index.dtype is not D.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {D.scalar_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{D.scalar_name(input.dtype)} and (source) {D.scalar_name(source.dtype)}")
    dest = [n for i, n in enumerate(input.shape) if i != d]
    src = [n for i, n in enumerate(source.shape) if i != d]
    if dest != src:
        raise RuntimeError("index_copy_(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {_sizes(dest)} at dimension {d} and source slice shape: {_sizes(src)} at "
                           "dimension 0.")
    if source.dim() and count != source.shape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({count}) should be equal to source.size(dim) "
                         f"({source.shape[d]})")
    size = input.shape[d] if input.dim() else 1
    b = index._backend
    if count and not b.indices_in_range(b.xp.reshape(index._data, (-1,)), size):
        bad = next(int(v) for v in index._host().reshape(-1) if not 0 <= v < size)
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {size}")
    return d


@tensor_input
def index_copy(input, dim, index, source, *, out=None):
    """``input`` with the slices of ``source`` copied in at ``index`` along ``dim``.

    For a 2-D ``input`` and ``dim == 0``: ``out[index[k], :] = source[k, :]``; with a
    repeated index the last slice wins. Mirrors ``torch.index_copy``
    (``grad_fn=<IndexCopyBackward0>``; ``Tensor.index_copy_`` writes into ``input``).

    Args:
        input: the tensor to copy into.
        dim: the dimension along which to index.
        index: a 1-D (or 0-d) int64 tensor, one index per slice of ``source``.
        source: a tensor of ``input``'s dtype and shape except ``len(index)`` along ``dim``.
        out: the tensor to write the result into.

    Raises:
        IndexError: for an index of more than one dimension or out of range, a count of
            indices that is not ``source``'s size along ``dim``, or sources of another
            number of dimensions.
        RuntimeError: for an index that is not int64, another dtype or other slice shapes.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(3, 2).index_copy(0, torch.tensor([2, 0]), torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[3., 4.],
                [0., 0.],
                [1., 2.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("index_copy", index_copy, locals())
    if out is not None:
        return with_out("index_copy", out, index_copy, input, dim, index, source)
    d = _check(input, dim, index, source)
    if source.device != input.device:
        source = source.to(input.device)
    d = d if input.dim() else 0
    res = Scatter.apply(input, expanded_index(index, source, d), source, dim=d, op="last", include_self=False,
                        _name="IndexCopyBackward0")
    if res.grad_fn is not None:
        res.grad_fn.ctx.src_shape_dtype = tuple(source.shape)
        res.grad_fn.ctx.grad_name = "IndexCopyBackward0"
    return res


def index_copy_(self, dim, index, source):
    """In-place :func:`index_copy`: writes into ``self`` and returns it."""
    return commit(self, index_copy(self, dim, index, source))
