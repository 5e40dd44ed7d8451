"""``take`` (elements of the flattened input at flat indices) and ``take_along_dim``
(``gather`` after broadcasting the input and the indices against each other)."""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction
from ._common import with_out
from .indexing import gather
from .shape import expand, view


class Take(OpFunction):
    """``Take.apply(x, index)`` (``TakeBackward0``): ``x.flatten()[index]`` with the
    indices already wrapped into ``[0, x.numel())``; the backward adds the gradient back at
    those flat positions (repeats accumulate)."""

    name = "TakeBackward0"
    nondiff = (1,)
    arity = 2
    can_warn = False

    @staticmethod
    def forward(ctx, x, index):
        b = x._backend
        xp = b.xp
        flat = xp.reshape(index._data, (-1,))
        if ctx.needs_input_grad:
            ctx.flat, ctx.shape = flat, x._data.shape
        return xp.reshape(xp.take(xp.reshape(x._data, (-1,)), flat), index._data.shape)

    @staticmethod
    def backward(ctx, g):
        return ctx.backend.scatter_add(ctx.shape, None, ctx.flat, ctx.xp.reshape(g, (-1,)))


def take(input, index):
    """The elements of ``input``, read as a flat row-major sequence, at the positions
    ``index``.

    Mirrors ``torch.take`` / ``torch.Tensor.take`` (``grad_fn`` ``TakeBackward0``).
    Negative indices count from the end, as for a Python list.

    Args:
        input: the tensor to read (any shape; its row-major order counts, whatever its
            strides).
        index: an int64 tensor of flat positions in ``[-input.numel(), input.numel())``.

    Returns:
        A new tensor of ``index``'s shape and ``input``'s dtype.

    Raises:
        RuntimeError: if ``index`` is not int64 ("take(): Expected a long tensor for index,
            but got Int").
        IndexError: if an index is out of range ("out of range: tried to access index 6 on a
            tensor of 6 elements."), or ``input`` is empty and ``index`` is not.
        TypeError: if ``index`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[10, 30, 20], [60, 40, 50]])
        >>> torch.take(x, torch.tensor([0, 5, -1]))
        tensor([10, 50, 50])
        >>> x.take(torch.tensor([[1], [3]]))
        tensor([[30],
                [60]])
    """
    if not isinstance(index, Tensor):
        raise TypeError(f"take(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    if index.dtype is not D.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {D.scalar_name(index.dtype)}")
    n = input.numel()
    if index.numel():
        if n == 0:
            raise IndexError("take(): tried to take from an empty tensor")
        b = index._backend
        xp = b.xp
        flat = xp.reshape(index._data, (-1,))
        if not b.indices_in_range(flat, n):
            lo, hi = int(xp.min(flat)), int(xp.max(flat))
            if lo < -n or hi >= n:
                bad = next(int(v) for v in index._host().reshape(-1).tolist() if not -n <= v < n)
                raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
            index = Tensor._wrap(xp.where(index._data < 0, index._data + n, index._data), index.device, b)
    if index.device != input.device:
        index = index.to(input.device)
    return Take.apply(input, index)


def take_along_dim(input, indices, dim=None, *, out=None):
    """Pick values of ``input`` at ``indices`` along ``dim``, as ``gather`` does, after
    broadcasting ``input`` and ``indices`` against each other in every other dimension.

    Designed for the indices ``argmax``/``argsort``/``topk`` return with ``keepdim``-style
    shapes. With ``dim=None`` both are flattened first (``input`` must be viewable as 1-D).
    Along ``dim`` the indices are taken modulo ``input.size(dim)`` (so ``-1`` is the last
    element), as PyTorch 2.13 does; with ``dim=None`` they must lie in
    ``[0, input.numel())``. Mirrors ``torch.take_along_dim`` /
    ``torch.Tensor.take_along_dim`` (``grad_fn`` ``GatherBackward0``).

    Args:
        input: the tensor to read.
        indices: an int64 tensor with as many dimensions as ``input`` (any shape when
            ``dim`` is ``None``).
        dim: the dimension to pick along; ``None`` (default) for the flattened input.
        out: a tensor to write the result into (keyword-only).

    Returns:
        With ``dim``, a tensor of the broadcast shape of ``input`` and ``indices`` except
        ``indices.size(dim)`` along ``dim``; with ``dim=None``, a 1-D tensor of
        ``indices.numel()`` elements.

    Raises:
        RuntimeError: if ``indices`` is not int64, has another number of dimensions than
            ``input`` (with ``dim``), the shapes do not broadcast, an index is out of range
            (``dim=None``), ``input.size(dim)`` is 0, or ``input`` cannot be viewed as 1-D
            (``dim=None``).
        IndexError: if ``dim`` is out of range, or given for a 0-dim input.
        TypeError: if ``indices`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[10., 30., 20.], [60., 40., 50.]])
        >>> torch.take_along_dim(x, x.argmax(dim=1, keepdim=True), dim=1)
        tensor([[30.],
                [60.]])
        >>> torch.take_along_dim(x, x.argsort(dim=0), dim=0)
        tensor([[10., 30., 20.],
                [60., 40., 50.]])
        >>> x.take_along_dim(torch.tensor([5, 0]))
        tensor([50., 10.])
    """
    if not isinstance(indices, Tensor):
        raise TypeError(f"take_along_dim(): argument 'indices' (position 2) must be Tensor, "
                        f"not {type(indices).__name__}")
    if out is not None:
        return with_out("take_along_dim", out, take_along_dim, input, indices, dim)
    if indices.dtype is not D.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{D.scalar_name(indices.dtype)}")
    if dim is None:
        return gather(view(input, -1), 0, view(indices, -1))
    if input.dim() != indices.dim():
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.dim()} dimensions for input, and {indices.dim()} dimensions for indices")
    if input.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, input.dim())
    in_shape, idx_shape = tuple(input.shape), tuple(indices.shape)
    idx_to = broadcast_shape(in_shape[:d] + idx_shape[d:d + 1] + in_shape[d + 1:], idx_shape)
    in_to = broadcast_shape(idx_shape[:d] + in_shape[d:d + 1] + idx_shape[d + 1:], in_shape)
    size = in_shape[d]
    b = indices._backend
    if indices.numel():
        if size == 0:
            raise RuntimeError("ZeroDivisionError")
        indices = Tensor._wrap(indices._data % size, indices.device, b)  # floor modulo, as Python's %
    if idx_to != idx_shape:
        indices = expand(indices, idx_to)
    x = input if in_to == in_shape else expand(input, in_to)
    return gather(x, d, indices)
