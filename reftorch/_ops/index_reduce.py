"""``index_reduce`` / ``index_reduce_``: the slices of ``source`` reduced (``prod``, ``mean``,
``amax``, ``amin``) into ``self`` at ``index`` along ``dim``.

It is :func:`~reftorch._ops.scatter.scatter_reduce` with ``index`` spread over ``source``'s
shape, so values and gradients follow the same rules (integer ``mean`` rounds down; ties of
``amax``/``amin`` share the gradient evenly).
"""
from __future__ import annotations

from .._warnings import warn_once
from ._common import with_out
from ._inplace import commit
from .index_add import check_index_func
from .index_copy import expanded_index
from .scatter import Scatter

_BETA = ("index_reduce() is in beta and the API may change at any time. (Triggered internally at "
         "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:1523.)")


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """``input`` with the slices of ``source`` reduced into it at ``index`` along ``dim``.

    For a 2-D ``input`` and ``dim == 0`` with ``reduce="prod"``:
    ``out[index[k], :] *= source[k, :]``. ``include_self=False`` leaves ``input``'s own
    values out of the places ``index`` names. Mirrors ``torch.index_reduce``
    (``grad_fn=<IndexReduceBackward0>``, with PyTorch's once-per-process beta warning;
    ``Tensor.index_reduce_`` writes into ``input``).

    Args:
        input: the tensor to reduce into.
        dim: the dimension along which to index.
        index: a 1-D (or 0-d) int64 or int32 tensor, one index per slice of ``source``.
        source: a tensor of ``input``'s dtype and shape except ``len(index)`` along ``dim``.
        reduce: ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``.
        include_self: whether ``input``'s values at those places take part.
        out: the tensor to write the result into.

    Raises:
        RuntimeError: for another ``reduce``, an index that is not int32/int64, another
            dtype or shape of ``source``, or a count of indices that does not match.
        IndexError: for an index of more than one dimension or out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.ones(3)
        >>> x.index_reduce(0, torch.tensor([0, 2, 0]), torch.tensor([2., 3., 4.]), "prod")
        tensor([8., 1., 3.])
        >>> x.index_reduce(0, torch.tensor([0, 2, 0]), torch.tensor([2., 3., 4.]), "mean", include_self=False)
        tensor([3., 1., 3.])
    """
    if out is not None:
        return with_out("index_reduce", out, index_reduce, input, dim, index, source, reduce,
                        include_self=include_self)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    d, index, source = check_index_func("index_reduce", input, dim, index, source)
    size = input.shape[d] if input.dim() else 1
    b = input._backend
    if index.numel() and not b.indices_in_range(b.xp.reshape(index._data, (-1,)), size):
        raise IndexError("index out of range in self")
    warn_once(_BETA, stacklevel=0)
    d = d if input.dim() else 0
    res = Scatter.apply(input, expanded_index(index, source, d), source, dim=d, op=reduce,
                        include_self=bool(include_self), _name="IndexReduceBackward0")
    if res.grad_fn is not None:
        res.grad_fn.ctx.src_shape_dtype = tuple(source.shape)
        res.grad_fn.ctx.grad_name = "IndexReduceBackward0"
    return res


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    """In-place :func:`index_reduce`: writes into ``self`` and returns it."""
    return commit(self, index_reduce(self, dim, index, source, reduce, include_self=include_self))
