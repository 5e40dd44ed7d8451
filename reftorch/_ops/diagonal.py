"""Picking along dimensions and diagonals: ``select``, ``diagonal``, ``diag``, ``diagflat``, ``trace``."""
from __future__ import annotations

from .. import _backends
from .. import _dtype as D
from .._layout import row_major
from .._tensor import _wrap_dim
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction as Function
from ._common import tensor_input
from .indexing import BasicIndex
from .. import _autocast
from .._autocast import anywhere as _autocasting


@tensor_input
def select(input, dim, index):
    """The slice of ``input`` at ``index`` along ``dim``, as a view without that dimension.

    ``x.select(0, i)`` is ``x[i]``; ``x.select(1, i)`` is ``x[:, i]``. The result shares
    memory with ``input`` and records ``SelectBackward0``. Mirrors ``torch.select``.

    Args:
        input: a tensor with at least one dimension.
        dim: the dimension to pick from (negative counts from the end).
        index: the position along ``dim`` (negative counts from the end).

    Returns:
        A view with ``input``'s shape minus ``dim``.

    Raises:
        IndexError: for a 0-dim ``input``, or if ``dim`` or ``index`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6).reshape(2, 3)
        >>> x.select(1, -1), torch.select(x, 0, 0)
        (tensor([2, 5]), tensor([0, 1, 2]))
    """
    nd = input.dim()
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    index = int(index)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} "
                         f"at dimension {d}")
    # (a slice for every other dim: the array API does not fill in trailing ones)
    key = (slice(None),) * d + (index if index >= 0 else index + size,) + (slice(None),) * (input.dim() - d - 1)
    return BasicIndex.apply(input, key, _name="SelectBackward0")


def _diag_geometry(shape, offset, d1, d2):
    """The length of the diagonal and the (d1, d2) position of its first element."""
    n1, n2 = shape[d1], shape[d2]
    if offset >= 0:
        length = max(min(n1, n2 - offset), 0)
        start = (0, min(offset, n2))
    else:
        length = max(min(n1 + offset, n2), 0)
        start = (min(-offset, n1), 0)
    return length, start


class Diagonal(Function):
    """A view of the elements ``(i, i + offset)`` of dims ``d1``, ``d2``, as a last dim."""

    name = "DiagonalBackward0"
    create_graph = True  # the gradient is linear and does not depend on the input
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        if ctx.needs_input_grad:
            ctx.state = (x._data.shape, offset, d1, d2)
        return _diagonal_view(x._backend, x._data, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _embed, _pick, ctx.state, "DiagonalBackwardBackward0", "DiagonalBackward0")


def _diagonal_view(b, a, offset, d1, d2):
    """The diagonal ``offset`` of dims ``d1``, ``d2`` of array ``a``, a view, as its last dim."""
    shape = a.shape
    length, (s1, s2) = _diag_geometry(shape, offset, d1, d2)
    key = tuple(slice(s1, None) if i == d1 else slice(s2, None) if i == d2 else slice(None)
                for i in range(a.ndim))
    start = a[key]  # a view beginning at the diagonal's first element
    strides = b.strides(a)
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    new_shape = tuple(shape[i] for i in keep) + (length,)
    new_strides = tuple(strides[i] for i in keep) + (strides[d1] + strides[d2],)
    if start.size == 0:  # nothing to point at: an empty array of that shape
        return b.xp.zeros(new_shape, dtype=a.dtype, **b._dev_kw())
    return b.as_strided(start, new_shape, new_strides)


def _embed(b, g, state):
    """The gradient of a diagonal (``state``: the input's shape, offset, d1, d2): ``g`` on
    the diagonal of zeros (PyTorch's ``diagonal_backward``)."""
    return _diag_embed(b, g, *state)


def _pick(b, a, state):
    """The adjoint of :func:`_embed`: a row-major copy of the diagonal of ``a``."""
    _, offset, d1, d2 = state
    return b.copy(_diagonal_view(b, a, offset, d1, d2))


def _diag_embed(b, g, shape, offset, d1, d2):
    """Zeros of ``shape`` with ``g`` (diagonal last) written on the diagonal of dims d1, d2."""
    xp = b.xp
    n1, n2 = shape[d1], shape[d2]
    kw = b._dev_kw()
    length = g.shape[-1]
    n = max(n1, n2)
    if length < n:  # pad the diagonal with zeros to the longer side
        pad = xp.zeros(g.shape[:-1] + (n - length,), dtype=g.dtype, **kw)
        g = xp.concat([g, pad], axis=-1)
    rows = xp.reshape(xp.arange(n1, **kw), (n1, 1))
    cols = xp.reshape(xp.arange(n2, **kw), (1, n2))
    on = (cols - rows) == offset
    if offset >= 0:  # element (r, r + offset) is diagonal entry r
        vals = xp.expand_dims(g[..., :n1], axis=-1)
    else:  # element (c - offset, c) is diagonal entry c
        vals = xp.expand_dims(g[..., :n2], axis=-2)
    full = xp.where(on, vals, xp.zeros((), dtype=g.dtype, **kw))  # (..., n1, n2)
    # move the last two dims back to d1 and d2
    keep = [i for i in range(len(shape)) if i not in (d1, d2)]
    order = keep + [d1, d2]  # the dims of ``full`` in terms of ``shape``
    perm = tuple(order.index(i) for i in range(len(shape)))
    return xp.permute_dims(full, perm)


@tensor_input
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of ``input`` in the plane of ``dim1`` and ``dim2``, as a view.

    The diagonal becomes the last dimension of the result. ``offset > 0`` picks a diagonal
    above the main one, ``offset < 0`` one below. The result shares memory with ``input``
    and records ``DiagonalBackward0``. Mirrors ``torch.diagonal``.

    Args:
        input: a tensor with at least two dimensions.
        offset: which diagonal (0: the main one).
        dim1: the first dimension of the plane.
        dim2: the second dimension of the plane.

    Returns:
        A view of shape ``input``'s other dims + ``(length,)``.

    Raises:
        IndexError: if a dim is out of range.
        RuntimeError: if ``dim1`` and ``dim2`` are the same dimension.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(9).reshape(3, 3)
        >>> x.diagonal(), x.diagonal(1), torch.diagonal(x, -1)
        (tensor([0, 4, 8]), tensor([1, 5]), tensor([3, 7]))
    """
    nd = input.dim()
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


class DiagEmbed(Function):
    """A 1-D ``v`` placed on diagonal ``offset`` of a square matrix of zeros."""

    name = "DiagEmbedBackward0"
    create_graph = True  # the gradient is linear and does not depend on the input
    arity = 1

    @staticmethod
    def forward(ctx, v, offset):
        b = v._backend
        n = v._data.shape[0] + abs(offset)
        ctx.state = ((n, n), offset, 0, 1)
        return row_major(b, _diag_embed(b, v._data, (n, n), offset, 0, 1))

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _pick, _embed, ctx.state, "DiagonalBackward0", "DiagonalBackwardBackward0")


class DiagonalCopy(Function):
    """A copy of diagonal ``offset`` of a 2-D ``x`` (PyTorch's ``diagonal_copy``)."""

    name = "DiagonalBackward0_copy"
    create_graph = True  # the gradient is linear and does not depend on the input
    arity = 1

    @staticmethod
    def forward(ctx, x, offset):
        ctx.state = (x._data.shape, offset, 0, 1)
        return _diag_of(x._backend, x._data, offset)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _embed, _pick, ctx.state, "DiagonalBackwardBackward0", "DiagonalBackward0")


def _diag_of(b, a, offset):
    """A copy of the diagonal ``offset`` of the 2-D array ``a``."""
    xp = b.xp
    length, (s1, s2) = _diag_geometry(a.shape, offset, 0, 1)
    i = xp.arange(length, **b._dev_kw())
    n2 = a.shape[1]
    flat = xp.reshape(a, (-1,))
    return xp.take(flat, (i + s1) * n2 + (i + s2)) if length else xp.zeros((0,), dtype=a.dtype, **b._dev_kw())


@tensor_input
def diag(input, diagonal=0):
    """A 1-D ``input`` as the diagonal of a square matrix, or the diagonal of a 2-D ``input``.

    For a vector of length ``n`` the result is ``(n + |diagonal|, n + |diagonal|)`` with
    ``input`` on diagonal ``diagonal`` (grad_fn ``DiagEmbedBackward0``); for a matrix it is
    a copy of :func:`~reftorch.diagonal` ``(input, diagonal)`` (not a view; grad_fn
    ``DiagonalBackward0_copy``, as PyTorch names it). Mirrors ``torch.diag``.

    Raises:
        RuntimeError: if ``input`` is not 1-D or 2-D.

    Examples:
        >>> import reftorch as torch
        >>> torch.diag(torch.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
        >>> torch.diag(torch.tensor([[1, 2], [3, 4]]), 1)
        tensor([2])
    """
    nd = input.dim()
    if nd == 1:
        return DiagEmbed.apply(input, int(diagonal))
    if nd == 2:
        return DiagonalCopy.apply(input, int(diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


@tensor_input
def diagflat(input, offset=0):
    """All elements of ``input`` (flattened) on diagonal ``offset`` of a square matrix of
    zeros. Mirrors ``torch.diagflat`` (``diag`` of the flattened input:
    ``grad_fn=<DiagEmbedBackward0>``).

    Examples:
        >>> import reftorch as torch
        >>> torch.diagflat(torch.tensor([[1, 2], [3, 4]]), 1)
        tensor([[0, 1, 0, 0, 0],
                [0, 0, 2, 0, 0],
                [0, 0, 0, 3, 0],
                [0, 0, 0, 0, 4],
                [0, 0, 0, 0, 0]])
    """
    return diag(input.contiguous().reshape(-1), offset)


@tensor_input
def trace(input):
    """The sum of the main diagonal of a 2-D ``input``.

    Integer inputs sum as int64, floats keep their dtype. Mirrors ``torch.trace``
    (grad_fn ``TraceBackward0``).

    Raises:
        RuntimeError: if ``input`` is not 2-D.
        NotImplementedError: for bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.trace(torch.tensor([[1., 2.], [3., 4.]]))
        tensor(5.)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("trace", trace, locals())
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    if input.dtype is D.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


class Trace(Function):
    name = "TraceBackward0"
    create_graph = True  # the gradient is linear and does not depend on the input
    arity = 1

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        xp = b.xp
        a = x._data
        ctx.shape = a.shape
        d = _diag_of(b, a, 0)
        if not (xp.isdtype(a.dtype, "real floating") or xp.isdtype(a.dtype, "complex floating")):
            return xp.sum(d, dtype=xp.int64)
        if _backends.is_reduced_float(xp, a.dtype):  # PyTorch accumulates half in float32
            return xp.astype(xp.sum(xp.astype(d, xp.float32)), a.dtype)
        return xp.sum(d)  # (float32/64: PyTorch's summation order differs in the last bits)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's trace_backward ends in a view (its gradient, a sum over the diagonal)
        return linear_grad(ctx, g, _trace_grad, _trace_of, ctx.shape, "ViewBackward0", "SumBackward0")


def _trace_grad(b, g, shape):
    """The gradient of a trace: the 0-d ``g`` on the main diagonal of zeros of ``shape``."""
    xp = b.xp
    n = min(shape)
    return _diag_embed(b, xp.broadcast_to(xp.reshape(g, (1,)), (n,)), shape, 0, 0, 1)


def _trace_of(b, a, shape):
    """The adjoint of :func:`_trace_grad`: the sum of the main diagonal of ``a``."""
    return b.xp.sum(_diag_of(b, a, 0))


def fill_diagonal_(input, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal of ``input`` (the elements ``(i, i, ..., i)``),
    in place. Mirrors ``Tensor.fill_diagonal_``.

    For a 2-D matrix taller than it is wide, ``wrap=True`` continues the diagonal below:
    it restarts every ``ncols + 1`` rows (PyTorch's rule, as NumPy's ``fill_diagonal``).
    Each stretch is written through a diagonal view, so autograd records ``CopySlices``
    as in PyTorch.

    Args:
        fill_value: a number.
        wrap: continue the diagonal of a tall matrix (default False).

    Raises:
        RuntimeError: for fewer than 2 dimensions, or more than 2 of unequal lengths.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(5, 3).fill_diagonal_(1.0, wrap=True)
        tensor([[1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.],
                [0., 0., 0.],
                [1., 0., 0.]])
    """
    shape = input.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(n != shape[0] for n in shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    diag = input
    for _ in range(len(shape) - 1):  # (i, i, ..., i): one diagonal view per extra dimension
        diag = diag.diagonal(0, 0, -1)
    diag.fill_(fill_value)
    height, width = shape[0], shape[1]
    if wrap and len(shape) == 2 and height > width + 1:
        for start in range(width + 1, height, width + 1):
            input[start:].diagonal().fill_(fill_value)
    return input
