"""``Tensor.unfold``: every window of ``size`` consecutive elements along one dimension,
``step`` apart, as a view (PyTorch's ``unfold``, ``UnfoldBackward0``)."""
from __future__ import annotations

from .._tensor import _wrap_dim, int_arg
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction as Function


def _geometry(shape, dim, size, step):
    """The windows' shape: ``dim`` becomes the number of windows, a last dim of ``size``
    is added (a 0-d input counts as one element)."""
    n = shape[dim] if shape else 1
    count = (n - size) // step + 1
    if not shape:
        return (size,)
    return shape[:dim] + (count,) + shape[dim + 1:] + (size,)


def _windows(b, a, dim, size, step):
    """The view of array ``a`` holding its windows."""
    out_shape = _geometry(a.shape, dim, size, step)
    if not a.shape:
        return b.reshape_view(a, (1,))[:size]
    strides = b.strides(a)
    out_strides = strides[:dim] + (strides[dim] * step,) + strides[dim + 1:] + (strides[dim],)
    if a.size == 0:
        return b.xp.zeros(out_shape, dtype=a.dtype, **b._dev_kw())
    return b.as_strided(a, out_shape, out_strides)


def _fold(b, g, state):
    """The gradient: each window's gradient added back at the elements it covers."""
    shape, dim, size, step = state
    xp = b.xp
    flat_shape = shape if shape else (1,)
    out = xp.zeros(flat_shape, dtype=g.dtype, **b._dev_kw())
    count = (flat_shape[dim] - size) // step + 1
    for k in range(size):
        key = tuple(slice(k, k + step * (count - 1) + 1, step) if i == dim else slice(None)
                    for i in range(len(flat_shape)))
        part = b.getitem(g, (Ellipsis, k))
        if not shape:
            part = b.reshape_view(part, (1,))
        b.setitem(out, key, b.getitem(out, key) + part)
    return b.reshape_view(out, shape) if not shape else out


def _copy_windows(b, a, state):
    """The adjoint of :func:`_fold`: the windows of ``a``, copied."""
    shape, dim, size, step = state
    return b.copy(_windows(b, a, dim, size, step))


class Unfold(Function):
    """The windows of one dimension, a view; its gradient sums them back."""

    name = "UnfoldBackward0"
    create_graph = True  # the gradient is linear and does not depend on the input
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, dim, size, step):
        if ctx.needs_input_grad:
            ctx.state = (x._data.shape, dim, size, step)
        return _windows(x._backend, x._data, dim, size, step)

    @staticmethod
    def backward(ctx, g):
        return linear_grad(ctx, g, _fold, _copy_windows, ctx.state, "UnfoldBackwardBackward0", "UnfoldBackward0")


def unfold(input, dimension, size, step):
    """Every slice of ``size`` consecutive elements along ``dimension``, starting every
    ``step`` elements, as a new last dimension. A view: no data is copied, and windows that
    overlap (``step < size``) share elements.

    The result has ``dimension`` replaced by the number of windows,
    ``(input.size(dimension) - size) // step + 1``, and a last dimension of ``size``.
    Mirrors ``Tensor.unfold`` (``grad_fn`` ``UnfoldBackward0``; the gradient of an element
    is the sum over the windows that contain it). Not to be confused with
    ``nn.functional.unfold``, which extracts the patches of a convolution.

    Args:
        dimension: the dimension to slide along.
        size: the window length (``>= 0``, at most the dimension's size).
        step: the distance between window starts (``> 0``).

    Raises:
        IndexError: if ``dimension`` is out of range.
        RuntimeError: if ``size`` is negative or larger than the dimension, or ``step <= 0``.
        TypeError: for a non-integer argument.

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(7).unfold(0, 3, 2)
        tensor([[0, 1, 2],
                [2, 3, 4],
                [4, 5, 6]])
    """
    dimension = int_arg(dimension, "unfold", "dimension", 1)
    size = int_arg(size, "unfold", "size", 2)
    step = int_arg(step, "unfold", "step", 3)
    shape = input._data.shape
    dim = _wrap_dim(dimension, len(shape))
    n = shape[dim] if shape else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim, size, step)
