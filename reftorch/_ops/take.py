"""``take`` (elements of the flattened input at flat indices), its inverse ``put``, and
``take_along_dim`` (``gather`` after broadcasting the input and the indices against each
other)."""
from __future__ import annotations

from .. import _dtype as D
from .._flags import alert_not_deterministic
from .._layout import broadcast_shape
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction
from ._common import tensor_input, with_out
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


@tensor_input
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
    if index.numel() and n == 0:
        raise IndexError("take(): tried to take from an empty tensor")
    return Take.apply(input, _flat_positions(index, n, input.device))


def _flat_positions(index, n, device):
    """The int64 tensor ``index`` of flat positions into ``n`` elements, negative ones
    wrapped, on ``device``.

    Raises:
        IndexError: PyTorch's "out of range" for an index outside ``[-n, n)``.
    """
    if index.numel():
        b = index._backend
        xp = b.xp
        flat = xp.reshape(index._data, (-1,))
        if not b.indices_in_range(flat, n):
            lo, hi = int(xp.min(flat)), int(xp.max(flat))
            if lo < -n or hi >= n:
                bad = next(int(v) for v in index._host().reshape(-1).tolist() if not -n <= v < n)
                raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
            index = Tensor._wrap(xp.where(index._data < 0, index._data + n, index._data), index.device, b)
    return index.to(device) if index.device != device else index


class Put(OpFunction):
    """``Put.apply(x, index, source, accumulate)`` (``PutBackward0``): a copy of ``x`` with
    ``source``'s elements written (or, with ``accumulate``, added) at the flat positions
    ``index`` (already wrapped into range). The gradient of ``x`` is zero at the written
    positions (all of it passes with ``accumulate``); ``source`` gets the gradient there."""

    name = "PutBackward0"
    nondiff = (1,)
    arity = 3
    can_warn = False

    @staticmethod
    def forward(ctx, x, index, source, accumulate):
        b = x._backend
        xp = b.xp
        shape = x._data.shape
        flat = xp.reshape(index._data, (-1,))
        values = xp.reshape(source._data, (-1,))
        ctx.flat, ctx.accumulate, ctx.source_shape = flat, accumulate, source._data.shape
        if accumulate:
            return b.scatter_add(shape, None, flat, values, into=x._data)
        out = xp.reshape(b.copy(x._data), (-1,))
        b.setitem(out, flat, values)
        return xp.reshape(out, shape)

    @staticmethod
    def backward(ctx, g):
        b, xp = ctx.backend, ctx.xp
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = g
            if not ctx.accumulate:  # (the overwritten elements had no effect)
                gx = xp.reshape(b.copy(g), (-1,))
                b.setitem(gx, ctx.flat, xp.zeros_like(gx[:1]))
                gx = xp.reshape(gx, g.shape)
        if ctx.needs_input_grad[2]:
            gs = xp.reshape(xp.take(xp.reshape(g, (-1,)), ctx.flat), ctx.source_shape)
        return gx, None, gs


@tensor_input
def put(input, index, source, accumulate=False):
    """A copy of ``input`` with the elements of ``source`` written at the flat row-major
    positions ``index`` (negative ones count from the end); with ``accumulate``, added
    there instead (repeated positions add up). The inverse of :func:`take`.

    Mirrors ``torch.put`` / ``torch.Tensor.put`` (``grad_fn`` ``PutBackward0``); ``put_``
    writes into ``input`` itself.

    Args:
        input: the tensor to copy.
        index: an int64 tensor of flat positions in ``[-input.numel(), input.numel())``.
        source: a tensor of ``input``'s dtype with as many elements as ``index``.
        accumulate: add instead of overwrite.

    Raises:
        TypeError: if ``index`` or ``source`` is not a tensor.
        RuntimeError: if ``index`` is not int64, or ``source``'s dtype is not ``input``'s; without
            ``accumulate`` under ``torch.use_deterministic_algorithms(True)`` (PyTorch's "put_ does
            not have a deterministic implementation" error; a warning with ``warn_only``).
        IndexError: if an index is out of range, or ``index`` and ``source`` differ in
            number of elements.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 3)
        >>> x.put(torch.tensor([0, 4, -1]), torch.tensor([1.0, 2.0, 3.0]))
        tensor([[1., 0., 0.],
                [0., 2., 3.]])
        >>> torch.put(torch.zeros(3), torch.tensor([1, 1]), torch.tensor([1.0, 2.0]), accumulate=True)
        tensor([0., 3., 0.])
    """
    for name, pos, v in (("index", 1, index), ("source", 2, source)):
        if not isinstance(v, Tensor):
            raise TypeError(f"put(): argument '{name}' (position {pos}) must be Tensor, not {type(v).__name__}")
    if not accumulate:  # (several writes to one position: which one wins is not specified)
        alert_not_deterministic("put_")
    if index.dtype is not D.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {D.scalar_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{D.scalar_name(input.dtype)} and source.dtype = {D.scalar_name(source.dtype)}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    index = _flat_positions(index, input.numel(), input.device)
    return Put.apply(input, index, source, accumulate)


@tensor_input
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
