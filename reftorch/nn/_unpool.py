"""``F.max_unpool1d/2d/3d``: the partial inverse of max pooling.

Each value of the pooled input is written, in an all-zero output of ``output_size``, at
the flat position its index names (the ``indices`` that ``max_pool*d(...,
return_indices=True)`` returns, flat within each ``H * W`` plane or ``D * H * W``
volume). The gradient reads the output gradient back at those positions
(``MaxUnpool2DBackward0``; under ``create_graph`` a gather and a view, as PyTorch
records it).
"""
from __future__ import annotations

import math

from .. import _dtype as _D
from .._flags import alert_not_deterministic
from .._memory_format import lay_out_like
from .._tensor import Tensor
from ..autograd.function import OpFunction
from .. import _autocast
from .._autocast import anywhere as _autocasting


class MaxUnpool(OpFunction):
    """Scatter ``x``'s values to ``idx`` in zeros of ``out_size`` (the trailing dims). Where
    indices repeat, which value lands is unspecified (in PyTorch too). Applied with
    ``_name=MaxUnpool{nd}DBackward0``."""

    name = "MaxUnpool2DBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, idx, out_size):
        b = x._backend
        xp = b.xp
        a = x._data
        nd = len(out_size)
        lead = tuple(a.shape[:a.ndim - nd])
        rows, m = math.prod(lead), math.prod(out_size)
        flat_idx = xp.reshape(idx, (rows, math.prod(a.shape[a.ndim - nd:])))
        if flat_idx.size:
            lo, hi = int(xp.min(flat_idx)), int(xp.max(flat_idx))
            if lo < 0 or hi >= m:
                bad = lo if lo < 0 else hi
                raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                                   f"{'x'.join(map(str, out_size))})")
        pos = flat_idx + xp.reshape(xp.arange(rows, dtype=xp.int64, **b._dev_kw()) * m, (-1, 1))
        y = xp.zeros((rows * m,), dtype=a.dtype, **b._dev_kw())
        b.setitem(y, xp.reshape(pos, (-1,)), xp.reshape(a, (-1,)))
        ctx.state = (idx, lead, nd, m)
        return xp.reshape(y, lead + tuple(out_size))

    @staticmethod
    def backward(ctx, g):
        idx, lead, nd, m = ctx.state
        if isinstance(g, Tensor):  # recorded with PyTorch's ops: a gather along the flattened volume, a view
            t = Tensor._wrap(idx, g.device, g._backend)
            return g.flatten(-nd).gather(-1, t.flatten(-nd)).view(t.shape)
        xp = ctx.xp
        rows = math.prod(lead)
        gf = xp.reshape(g, (rows, m))
        return xp.reshape(xp.take_along_axis(gf, xp.reshape(idx, (rows, math.prod(idx.shape) // max(rows, 1))), axis=-1),
                          idx.shape)


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _output_size(input, kernel, stride, padding, output_size):
    """PyTorch's ``_unpool_output_size``: the default size inverts max pooling's shape
    formula; a requested one must lie within a stride of it."""
    nd = len(kernel)
    default = [(input.shape[d - nd] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(nd)]
    if output_size is None:
        return default
    size = list(output_size)
    if len(size) == nd + 2:
        size = size[2:]
    if len(size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a length "
                         f"of '{len(size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < size[d] < hi:
            raise ValueError(f'invalid output_size "{tuple(size) if isinstance(output_size, tuple) else size}" '
                             f"(dim {d} must be between {lo} and {hi})")
    return size


def _unpool(input, indices, out, nd, name):
    """PyTorch's checks of ``max_unpool{nd}d`` (2-d and 3-d kernels) and the op."""
    alert_not_deterministic(f"max_unpooling{nd}d_forward_out")  # (first, as in PyTorch)
    if indices.dtype is not _D.int64:
        raise RuntimeError("elements in indices should be type int64" +
                           (f" but got: {_D.scalar_name(indices.dtype)}" if nd == 2 else ""))
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a tensor "
                           f"with {input.dim()} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    for d in range(1, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"max_unpooling{nd}d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(input.shape)} with dimension {d} being empty.")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_D.scalar_name(input.dtype)}'")
    return MaxUnpool.apply(input, idx=indices._data, out_size=tuple(int(o) for o in out),
                           _name=f"MaxUnpool{nd}DBackward0")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """:func:`max_unpool2d` over the last dim of ``(N, C, L)`` or ``(C, L)`` (as PyTorch, a
    2-d unpooling of the input with a trailing size-1 dim).

    Mirrors ``torch.nn.functional.max_unpool1d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.max_unpool1d(torch.tensor([[5., 7.]]), torch.tensor([[1, 2]]), 2)
        tensor([[0., 5., 7., 0.]])
    """
    kernel = _tuple(kernel_size, 1)
    stride = kernel if stride is None else _tuple(stride, 1)
    out = _output_size(input, kernel, stride, _tuple(padding, 1), output_size)
    return _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), list(out) + [1], 2, "max_unpool2d").squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place the values of ``input`` ``(N, C, H, W)`` (or ``(C, H, W)``) at ``indices`` (flat
    positions in each output plane, as ``max_pool2d(..., return_indices=True)`` gives
    them) in zeros of the output size; the other positions stay 0.

    Args:
        input: the pooled values.
        indices: int64, the shape of ``input``.
        kernel_size, stride, padding: those of the max pooling (``stride`` defaults to
            ``kernel_size``); they give the default output size
            ``(in - 1) * stride + kernel_size - 2 * padding``.
        output_size: the output's ``(H, W)`` (or full shape), within ``stride`` of the
            default (pooling maps several sizes to one).

    Returns:
        ``(N, C, H_out, W_out)``; ``grad_fn``: ``MaxUnpool2DBackward0``.

    Raises:
        ValueError: for a bad ``output_size``.
        RuntimeError: for non-int64 indices, a wrong rank, indices of another shape, an
            empty non-batch dim, or an index outside the output plane (PyTorch's messages).
        NotImplementedError: for integer inputs.

    Mirrors ``torch.nn.functional.max_unpool2d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[[[1., 5.], [3., 2.]]]])
        >>> values, idx = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(values, idx, 2)
        tensor([[[[0., 5.],
                  [0., 0.]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("max_unpool2d", max_unpool2d, locals())
    kernel = _tuple(kernel_size, 2)
    stride = kernel if stride is None else _tuple(stride, 2)
    out = _output_size(input, kernel, stride, _tuple(padding, 2), output_size)
    return lay_out_like(_unpool(input, indices, out, 2, "max_unpool2d"), input)  # (channels-last stays so)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """:func:`max_unpool2d` for ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (indices flat in each
    ``D * H * W`` volume, as :func:`max_pool3d` gives them); ``grad_fn``:
    ``MaxUnpool3DBackward0``.

    Mirrors ``torch.nn.functional.max_unpool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.max_unpool3d(torch.tensor([[[[9.]]]]), torch.tensor([[[[6]]]]), 2).flatten()
        tensor([0., 0., 0., 0., 0., 0., 9., 0.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("max_unpool3d", max_unpool3d, locals())
    kernel = _tuple(kernel_size, 3)
    stride = kernel if stride is None else _tuple(stride, 3)
    padding = _tuple(padding, 3)
    out = _output_size(input, kernel, stride, padding, output_size)
    if indices.dtype is _D.int64 and input.dim() in (4, 5) and min(stride) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(stride)}")
    return _unpool(input, indices, out, 3, "max_unpool3d")
