"""``histc`` and ``histogram``: counts (or summed weights) of values in bins.

Both follow PyTorch's one-dimensional ``histogramdd`` kernel: the outer edges come from the
arguments or from the data's minimum and maximum (an empty range widened), the edges are a
``linspace`` in the input's dtype, and an element ``v`` inside them falls in bin
``int((v - first) * bins / (last - first))`` computed in the input's dtype (``histc``);
``histogram`` then corrects that guess against its neighbouring edges, and with a tensor of
edges it searches them. The last bin holds its right edge; nan and values outside are
skipped. The counts are one scatter-add of the backend.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor, int_arg
from ..autograd.function import OpFunction
from ._common import tensor_input, with_out
from .creation import linspace
from .reduction import _return_type

histogram_rt = _return_type("histogram", ("hist", "bin_edges"))
_FLOATS = (D.float16, D.bfloat16, D.float32, D.float64)


def _c_double(v):
    """A double as C++'s ``ostream`` prints it (6 significant digits)."""
    return f"{v:g}"


def _bin_positions(b, v, edges, search):
    """The bin of each element of ``v`` (1-D, inside the outer edges): the linear guess,
    corrected by the edges around it (``search="local"``) or found by a binary search over
    them (``"binary"``); the last bin keeps its right edge."""
    xp = b.xp
    nb = edges.shape[0] - 1
    if search == "binary":
        pos = xp.astype(xp.searchsorted(edges, v, side="right"), xp.int64) - 1
    else:
        first, last = edges[0], edges[nb]
        scale = xp.asarray(nb, dtype=v.dtype, **b._dev_kw())
        pos = xp.astype((v - first) * scale / (last - first), xp.int64)  # (truncates, as C++'s cast)
        if search == "local":  # std::upper_bound over edges[pos - 1 : pos + 2]
            lo = xp.clip(pos - 1, 0, None)
            count = xp.zeros_like(pos)
            for k in range(3):
                at = lo + k
                inside = at < xp.clip(pos + 2, None, nb + 1)
                edge = xp.take(edges, xp.clip(at, 0, nb))
                count = count + xp.astype(inside & (edge <= v), xp.int64)
            pos = lo + count - 1
    return xp.where(pos == nb, pos - 1, pos)


def _counts(input, edges, weight, density, search):
    """The histogram of ``input`` over the 1-D ``edges`` array (``input``'s dtype)."""
    b = input._backend
    xp = b.xp
    native = b.dtype(input.dtype)
    nb = edges.shape[0] - 1
    v = xp.reshape(input._data, (-1,))
    inside = (v >= edges[0]) & (v <= edges[nb])  # (nan: neither)
    w = xp.ones_like(v) if weight is None else xp.reshape(weight._data, (-1,))
    w = w[inside]
    pos = _bin_positions(b, v[inside], edges, search)
    hist = b.scatter_add((nb,), input.dtype, pos, w) if w.shape[0] else xp.zeros((nb,), dtype=native, **b._dev_kw())
    if density:
        total = xp.sum(hist)
        hist = hist / total / (edges[1:] - edges[:-1])
    return hist


def _check_bins(bins, d=0):
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension {d}")


def _outer_edges(input, lo, hi):
    """The data's minimum and maximum as Python floats (``lo, hi`` when there is no data)."""
    if input.numel():
        xp = input._backend.xp
        return float(xp.min(input._data)), float(xp.max(input._data))
    return lo, hi


@tensor_input
def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of ``input``'s elements in ``bins`` equal bins between ``min`` and ``max``.

    ``min == max`` (the default) takes the data's minimum and maximum; an empty range is
    widened by 1 each way. Elements outside the range, and nan, are not counted. Mirrors
    ``torch.histc`` (not differentiable: the result has no ``grad_fn``).

    Args:
        input: a floating-point tensor of any shape.
        bins: the number of bins (an int > 0).
        min: the lower end of the range.
        max: the upper end of the range.
        out: the tensor to write the counts into.

    Returns:
        A 1-D tensor of ``bins`` counts, of ``input``'s dtype.

    Raises:
        RuntimeError: if ``bins <= 0``, the range is not finite or ``min > max``.
        NotImplementedError: for integer or bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.histc(torch.tensor([1., 2., 1., 2.5, 4.]), bins=3)
        tensor([2., 2., 1.])
        >>> torch.histc(torch.tensor([1., 2., 1.]), bins=4, min=0, max=4)
        tensor([0., 2., 1., 0.])
    """
    if out is not None:  # (not differentiable: an input that requires grad is no error)
        return with_out("histc", out, histc, input.detach(), bins, min, max)
    bins = int_arg(bins, "histc", "bins", 2)
    if input.dtype not in _FLOATS:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    _check_bins(bins)
    lo, hi = float(min), float(max)
    if lo == hi:
        lo, hi = _outer_edges(input, lo, hi)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_c_double(lo)}, {_c_double(hi)}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = linspace(lo, hi, bins + 1, dtype=input.dtype, device=input.device)._data
    return Tensor._wrap(_counts(input.detach(), edges, None, False, "linear"), input.device, input._backend)


class Histogram(OpFunction):
    """``Histogram.apply(input, weight, edges, density, search)``: ``(hist, bin_edges)``.
    PyTorch records its ``NotImplemented`` node for both: backward raises."""

    name = "torch::autograd::NotImplemented"
    multi_output = True
    arity = 1

    @staticmethod
    def forward(ctx, x, weight, edges, density, search):
        xp = x._backend.xp
        return _counts(x, edges, weight, density, search), xp.asarray(edges, copy=True)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::histogram is not implemented")


def _check_dtype(input):
    if input.dtype not in (D.float32, D.float64):
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{D.scalar_name(input.dtype)}'")


def _check_range(range, nd):
    if range is not None and len(range) != 2 * nd:
        raise RuntimeError(f"torch.histogramdd: for a {nd}-dimensional histogram range should have {2 * nd} "
                           f"elements, but got {len(range)}")


def _dim_bins(bins, d):
    """PyTorch's checks of dimension ``d``'s ``bins`` (an int or a tensor of edges)."""
    if isinstance(bins, Tensor):
        if bins.dim() != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but got "
                               f"{bins.dim()} dimensions in the bins tensor for dimension {d}")
        _check_bins(bins.numel() - 1, d)
        return bins
    bins = int_arg(bins, "histogram", "bins", 2)
    _check_bins(bins, d)
    return bins


def _dim_edges(values, bins, range, d):
    """The edges array and the search of dimension ``d`` (``values``: its samples, a
    tensor; ``range``: the ``(min, max)`` pair or None), after PyTorch's checks."""
    if isinstance(bins, Tensor):
        if bins.dtype is not values.dtype:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
                               f"got input with dtype {D.scalar_name(values.dtype).lower()} and bins for dimension "
                               f"{d} with dtype {D.scalar_name(bins.dtype).lower()}")
        return bins.detach()._data, "binary"
    if range is not None:
        lo, hi = float(range[0]), float(range[1])
    else:
        lo, hi = _outer_edges(values, 0.0, 1.0)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{_c_double(lo)}, {_c_double(hi)}] is not "
                           f"finite")
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_c_double(lo)} "
                           f"max {_c_double(hi)} for dimension {d}")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return linspace(lo, hi, bins + 1, dtype=values.dtype, device=values.device)._data, "local"


def _histogram_args(input, bins, range, weight):
    """The edges array and the search of a ``histogram`` call, after PyTorch's checks."""
    _check_dtype(input)
    n = input.numel()
    bins = _dim_bins(bins, 0)
    if weight is not None:
        if weight.dtype is not input.dtype:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({D.scalar_name(input.dtype).lower()}), "
                               f"and weight({D.scalar_name(weight.dtype).lower()})")
        if weight.numel() != n:  # (both flattened)
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as "
                               "the input tensor excluding its innermost dimension, but got input with shape "
                               f"[{n}, 1] and weight with shape [{weight.numel()}]")
    _check_range(range, 1)
    return _dim_edges(input, bins, range, 0)


@tensor_input
def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """A histogram of ``input``'s elements: ``torch.return_types.histogram(hist, bin_edges)``.

    ``bins`` is a number of equal bins (between ``range``, or the data's minimum and maximum;
    an empty range is widened by 0.5 each way) or a 1-D tensor of increasing edges. Each
    bin holds ``[left, right)``, the last one ``[left, right]``; ``weight`` gives each
    element's contribution (default 1); ``density`` divides by the total and the bin
    widths. Mirrors ``torch.histogram`` (not differentiable: an input that requires grad
    gives results whose backward raises, as PyTorch's ``NotImplemented`` node).

    Args:
        input: a float32 or float64 tensor of any shape.
        bins: an int > 0, or a 1-D tensor of at least 2 edges of ``input``'s dtype.
        range: ``(min, max)`` for int ``bins``.
        weight: a tensor of ``input``'s dtype and number of elements.
        density: normalise to a probability density.
        out: a ``(hist, bin_edges)`` pair of tensors to write into.

    Returns:
        ``hist`` (``input``'s dtype) and ``bin_edges``.

    Raises:
        RuntimeError: for bins that are not positive or not 1-D, a range that is not finite
            or decreasing, or weights or edges of another dtype or shape.
        NotImplementedError: for other input dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.histogram(torch.tensor([1., 2., 1.]), bins=4, range=(0., 3.))
        torch.return_types.histogram(
        hist=tensor([0., 2., 1., 0.]),
        bin_edges=tensor([0.0000, 0.7500, 1.5000, 2.2500, 3.0000]))
    """
    edges, search = _histogram_args(input, bins, range, weight)
    if out is not None:
        return _histogram_out(input, edges, weight, density, search, out)
    return histogram_rt(*Histogram.apply(input, weight, edges, density, search))


histogram_out_rt = _return_type("histogram_out", ("hist", "bin_edges"))


def _histogram_out(input, edges, weight, density, search, out):
    hist, bin_edges = out
    with_out("histogram", hist, lambda: Tensor._wrap(_counts(input.detach(), edges, weight, density, search),
                                                      input.device, input._backend))
    with_out("histogram", bin_edges, lambda: Tensor._wrap(edges, input.device, input._backend))
    return histogram_out_rt(hist, bin_edges)


histogramdd_rt = _return_type("histogramdd", ("hist", "bin_edges"))


class HistogramDD(OpFunction):
    """``HistogramDD.apply(input, weight, edges, searches, density)``: ``(hist, *edges)``.
    Not differentiable (PyTorch's ``NotImplemented`` node)."""

    name = "torch::autograd::NotImplemented"
    multi_output = True
    arity = 1

    @staticmethod
    def forward(ctx, x, weight, edges, searches, density):
        b = x._backend
        xp = b.xp
        nd = len(edges)
        points = xp.reshape(x._data, (-1, nd))
        shape = tuple(e.shape[0] - 1 for e in edges)
        inside = xp.ones((points.shape[0],), dtype=xp.bool, **b._dev_kw())
        for d, e in enumerate(edges):
            v = points[:, d]
            inside = inside & (v >= e[0]) & (v <= e[-1])  # (nan: neither)
        flat = xp.zeros((int(xp.sum(xp.astype(inside, xp.int64))),), dtype=xp.int64, **b._dev_kw())
        for d, (e, search) in enumerate(zip(edges, searches)):
            flat = flat * shape[d] + _bin_positions(b, points[:, d][inside], e, search)
        w = xp.ones((points.shape[0],), dtype=points.dtype, **b._dev_kw()) if weight is None \
            else xp.reshape(weight._data, (-1,))
        w = w[inside]
        size = math.prod(shape)
        hist = b.scatter_add((size,), x.dtype, flat, w) if w.shape[0] else \
            xp.zeros((size,), dtype=points.dtype, **b._dev_kw())
        hist = xp.reshape(hist, shape)
        if density:
            hist = hist / xp.sum(hist)
            for d, e in enumerate(edges):
                widths = e[1:] - e[:-1]
                hist = hist / xp.reshape(widths, (-1,) + (1,) * (nd - 1 - d))
        return (hist,) + tuple(xp.asarray(e, copy=True) for e in edges)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::_histogramdd_from_bin_cts is not implemented")


@tensor_input
def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """A multi-dimensional histogram of points: ``input``'s innermost dimension holds each
    point's ``D`` coordinates. Returns ``torch.return_types.histogramdd(hist, bin_edges)``:
    ``hist`` of shape ``(bins_0, ..., bins_{D-1})`` and a tuple of ``D`` edge tensors.
    Mirrors ``torch.histogramdd`` (not differentiable, as in PyTorch).

    Each dimension's bins are as for :func:`histogram`: a number of equal bins between that
    dimension's pair of ``range`` (``[min_0, max_0, min_1, max_1, ...]``) or its data's
    minimum and maximum, or a 1-D tensor of increasing edges. A point outside any
    dimension's edges (or with a nan coordinate) is skipped.

    Args:
        input: a float32 or float64 tensor of shape ``(..., D)``, at least 2-D.
        bins: an int for every dimension, or a sequence of ``D`` ints or 1-D edge tensors.
        range: ``2 * D`` floats for int bins.
        weight: a tensor of ``input.shape[:-1]`` and ``input``'s dtype (default: weight 1).
        density: normalise to a probability density.

    Raises:
        RuntimeError: for an input of fewer than 2 dimensions, ``bins`` or ``range`` of the
            wrong length, bins that are not positive, a range that is not finite or
            decreasing, weights of another shape or dtype.
        NotImplementedError: for other input dtypes.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]])
        >>> torch.histogramdd(x, bins=[2, 2])
        torch.return_types.histogramdd(
        hist=tensor([[0., 1.],
                [2., 1.]]),
        bin_edges=(tensor([0., 1., 2.]), tensor([0., 1., 2.])))
    """
    if input.dim() < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    _check_dtype(input)
    nd = input.shape[-1]
    if isinstance(bins, (list, tuple)):
        if len(bins) != nd:
            raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
        bins = list(bins)
    else:
        bins = [bins] * nd
    bins = [_dim_bins(v, d) for d, v in enumerate(bins)]
    if weight is not None:
        if weight.dtype is not input.dtype:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({D.scalar_name(input.dtype).lower()}), "
                               f"and weight({D.scalar_name(weight.dtype).lower()})")
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as "
                               "the input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(input.shape)} and weight with shape {list(weight.shape)}")
    _check_range(range, nd)
    columns = input.detach().reshape(-1, nd)
    edges, searches = zip(*(_dim_edges(columns[:, d], v, None if range is None else range[2 * d:2 * d + 2], d)
                            for d, v in enumerate(bins)))
    hist, *bin_edges = HistogramDD.apply(input, weight, list(edges), list(searches), density)
    return histogramdd_rt(hist, tuple(bin_edges))
