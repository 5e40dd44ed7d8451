"""``quantile`` and ``nanquantile``: PyTorch's composite of sort, gather and lerp, step by step.

The input is sorted along the reduced dimension (moved last, or the whole tensor
flattened); each ``q`` becomes a fractional rank ``q * (n - 1)`` (in the input's dtype), which
the interpolation mode rounds or splits into the two neighbours the values are read at, and
``lerp`` mixes. A nan in a slice makes its ``quantile`` nan (the rank is moved to the last,
nan, element); ``nanquantile`` counts only the numbers (nan sorts last). The gradient is that
of the composition: through ``lerp`` and ``gather`` back to the sorted positions, and the
result's ``grad_fn`` is PyTorch's last step, an in-place squeeze (``SqueezeBackward4``).
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ._common import tensor_input, with_out
from ._numpy_names import NOT_GIVEN, numpy_names
from .creation import full_like, scalar_tensor
from .indexing import gather, masked_fill
from .pointwise import lerp, logical_not, lt, mul, sub
from .reduction import any as any_, sum as sum_
from .shape import Squeeze, broadcast_tensors, reshape, transpose, unsqueeze
from .sorting import sort
from .unary_math import ceil, floor, isnan, round as round_
from .. import _autocast
from .._autocast import anywhere as _autocasting

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


class SqueezeInPlace(Squeeze):
    """PyTorch's last step, ``values.squeeze_(-1)`` on a tensor of its own: the result is no
    view (an in-place op on it records its own node, not ``CopySlices``)."""

    name = "SqueezeBackward4"
    is_view = False

    @staticmethod
    def forward(ctx, x, axes):
        return x._backend.copy(Squeeze.forward(ctx, x, axes))


def _checks(input, q, interpolation, dim):
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q.dim() > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q.dtype is not input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if q.device != input.device:
        raise RuntimeError("quantile() q tensor must be on the same device as the input tensor")
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    return _wrap_dim(0 if dim is None else dim, input.dim())


def _reduced_shape(input, dim, d, keepdim):
    """The result's shape without the quantiles' leading dimension."""
    shape = list(input.shape)
    if dim is not None and shape:
        if keepdim:
            shape[d] = 1
        else:
            del shape[d]
        return shape
    return [1] * len(shape) if keepdim else []


def _compute(input, q, dim, keepdim, interpolation, ignore_nan):
    d = _checks(input, q, interpolation, dim)
    if input.device.type == "cpu" and not bool((q.detach() >= 0).logical_and(q.detach() <= 1).all()):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    # the reduced dimension last: (*reduced_shape, n)
    if dim is None:
        x = reshape(input, (-1,))
    elif d == input.dim() - 1:
        x = input
    else:
        x = transpose(unsqueeze(input, -1), d, -1)
    n = x.shape[-1] if x.dim() else 1
    if n > 2 ** 24:
        raise RuntimeError("quantile() input tensor is too large")
    x = reshape(x, tuple(_reduced_shape(input, dim, d, keepdim)) + (n,))
    ordered = sort(x, -1).values  # (nan last)

    nan = isnan(ordered)
    if ignore_nan:  # ranks over the numbers of each slice; a slice of nan only reads nan at 0
        ranks = mul(q, sub(sum_(logical_not(nan), -1, True), 1))
        ranks = masked_fill(ranks, lt(ranks, 0), 0)
    else:  # a slice holding nan reads its last element (a nan)
        last = n - 1
        scaled, has_nan = broadcast_tensors(mul(q, last), any_(nan, -1, True))
        ranks = masked_fill(scaled, has_nan, last)
    if interpolation == "lower":
        ranks = floor(ranks)
    elif interpolation == "higher":
        ranks = ceil(ranks)
    elif interpolation == "nearest":
        ranks = round_(ranks)  # (half to even)

    below = ranks.to(D.int64)
    values = gather(ordered, -1, below)
    if interpolation in ("linear", "midpoint"):
        weights = full_like(ranks, 0.5) if interpolation == "midpoint" else sub(ranks, below)
        values = lerp(values, gather(ordered, -1, ceil(ranks).to(D.int64)), weights)
    if q.dim():  # the quantiles (now last) to the front
        values = transpose(unsqueeze(values, 0), 0, -1)
    return SqueezeInPlace.apply(values, (values.dim() - 1,))


def _q_tensor(input, q):
    if isinstance(q, Tensor):
        return q
    if not isinstance(q, (int, float)):  # (bool too, as PyTorch's parser reads it)
        raise TypeError(f"quantile() received an invalid combination of arguments - got (Tensor, "
                        f"{type(q).__name__}), but expected one of:")
    if not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {float(q)}")
    return scalar_tensor(float(q), dtype=input.dtype, device=input.device)


def _quantile(who, input, q, dim, keepdim, interpolation, out, axis, keepdims, ignore_nan):
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names(who, dim, keepdim, axis, keepdims)
    q = _q_tensor(input, q)
    if out is None:
        return _compute(input, q, dim, keepdim, interpolation, ignore_nan)
    _checks(input, q, interpolation, dim)
    if out.dtype is not input.dtype:
        raise RuntimeError("quantile() out tensor must be same dtype as the input tensor")
    res = _compute(input, q, dim, keepdim, interpolation, ignore_nan)
    with_out(who, out, res.detach)  # (resized as PyTorch's resize_output, with its warning)
    if res.requires_grad:  # PyTorch's composite copies into out: a CopyBackwards node
        out.copy_(res)
    return out


@tensor_input
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None,
             axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The ``q``-th quantiles of ``input``: of all elements, or of each slice along ``dim``.

    Each ``q`` in ``[0, 1]`` is the fractional position ``q * (n - 1)`` in the sorted
    values; ``interpolation`` says what is read there: ``"linear"`` (mix the two neighbours),
    ``"lower"``, ``"higher"``, ``"nearest"`` (half to even) or ``"midpoint"`` (their
    mean). A slice holding nan gives nan. Mirrors ``torch.quantile`` (a composite of sort,
    gather and lerp; ``grad_fn=<SqueezeBackward4>``).

    Args:
        input: a float32 or float64 tensor, not empty.
        q: a float, or a 0-d or 1-D tensor of ``input``'s dtype.
        dim: the dimension to reduce; None: all elements.
        keepdim: keep the reduced dimension(s) as size 1.
        interpolation: one of the five modes above.
        out: the tensor to write into (``input``'s dtype).

    Returns:
        The quantiles: for a 1-D ``q``, a leading dimension of ``len(q)`` before the
        reduced shape.

    Raises:
        RuntimeError: for an empty or non-float input, ``q`` out of ``[0, 1]``, of another
            dtype or with more than one dimension, an unknown ``interpolation``, or an
            ``out`` of another dtype.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[0., 1., 2., 3.], [4., 8., 6., 2.]])
        >>> torch.quantile(x, 0.5, dim=1)
        tensor([1.5000, 5.0000])
        >>> x.quantile(torch.tensor([0.25, 1.]), interpolation="lower")
        tensor([1., 8.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("quantile", quantile, locals())
    return _quantile("quantile", input, q, dim, keepdim, interpolation, out, axis, keepdims, False)


@tensor_input
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None,
                axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """:func:`quantile` that ignores nan: each slice's quantiles are those of its numbers
    (nan for a slice of nan only). Mirrors ``torch.nanquantile``.

    Raises:
        RuntimeError: as :func:`quantile`.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.nanquantile(torch.tensor([1., float("nan"), 3.]), 0.5)
        tensor(2.)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("nanquantile", nanquantile, locals())
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, out, axis, keepdims, True)
