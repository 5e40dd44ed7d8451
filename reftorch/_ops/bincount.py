"""``bincount``: how many times each non-negative integer occurs (or the sum of its weights).

The result's length is ``max(input) + 1`` (at least ``minlength``), read back to the host;
the counts are one scatter-add of the backend.
"""
from __future__ import annotations


from .. import _dtype as D
from .._tensor import Tensor, int_arg
from .._backends.base import warn_complex_to_real
from ..autograd.function import OpFunction

_INTEGRAL = frozenset((D.uint8, D.int8, D.int16, D.int32, D.int64))
_ONE_D = "bincount only supports 1-d non-negative integral inputs."


class BincountWeights(OpFunction):
    """``BincountWeights.apply(weights, input, length, dtype)``: the weights summed by the
    value of ``input``. PyTorch records its ``NotImplemented`` node: backward raises."""

    name = "torch::autograd::NotImplemented"
    nondiff = (1,)
    arity = 2

    @staticmethod
    def forward(ctx, w, x, length, dtype):
        b = w._backend
        xp = b.xp
        values = w._data
        if values.dtype != b.dtype(dtype):
            values = xp.astype(values, b.dtype(dtype))
        return b.scatter_add((length,), dtype, xp.astype(x._data, b.dtype(D.int64)), values)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::bincount is not implemented")


def bincount(input, weights=None, minlength=0):
    """Count the occurrences of each value in a 1-D tensor of non-negative integers.

    ``out[n]`` is the number of elements of ``input`` equal to ``n`` or, with ``weights``,
    the sum of ``weights[i]`` over those elements. Mirrors ``torch.bincount`` /
    ``torch.Tensor.bincount``.

    Args:
        input: a 1-D tensor of an integer dtype (uint8, int8, int16, int32, int64) with no
            negative values.
        weights: an optional 1-D tensor as long as ``input``. float32 weights give a
            float32 result; weights of any other dtype are summed in float64 (a float64
            result). Complex weights lose their imaginary part, with PyTorch's warning.
        minlength: the least length of the result (default 0).

    Returns:
        A 1-D tensor of length ``max(int(input.max()) + 1, minlength)`` (``minlength`` for an
        empty input): int64 counts without ``weights``, else float32/float64 sums.

    Raises:
        RuntimeError: if ``input`` is not 1-D or holds a negative value, if ``weights`` is
            not 1-D of ``input``'s length, or if ``minlength`` is negative.
        NotImplementedError: if ``input`` is not of an integer dtype (floats, bool).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1, 3, 1, 0, 5])
        >>> torch.bincount(x)
        tensor([1, 2, 0, 1, 0, 1])
        >>> x.bincount(minlength=8)
        tensor([1, 2, 0, 1, 0, 1, 0, 0])
        >>> torch.bincount(x, weights=torch.tensor([0.5, 1.0, 2.0, 3.0, 4.0]))
        tensor([3.0000, 2.5000, 0.0000, 1.0000, 0.0000, 4.0000])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"bincount(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if weights is not None and not isinstance(weights, Tensor):
        raise TypeError(f"bincount(): argument 'weights' (position 2) must be Tensor, not {type(weights).__name__}")
    minlength = int_arg(minlength, "bincount", "minlength", 3)
    if input.dtype not in _INTEGRAL:
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{D.scalar_name(input.dtype)}\'')
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.dim() != 1:
        raise RuntimeError(_ONE_D)
    b = input._backend
    xp = b.xp
    n = input.shape[0]
    if n and int(xp.min(input._data)) < 0:
        raise RuntimeError(_ONE_D)
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != n):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    length = max(int(xp.max(input._data)) + 1 if n else 0, minlength)
    if weights is None:
        ones = xp.ones((n,), dtype=b.dtype(D.int64), **b._dev_kw())
        counts = b.scatter_add((length,), D.int64, xp.astype(input._data, b.dtype(D.int64)), ones)
        return Tensor._wrap(counts, input.device, b)
    if weights.dtype.is_complex:
        warn_complex_to_real()
        weights = weights.real
    if weights.device != input.device:
        weights = weights.to(input.device)
    dtype = D.float32 if weights.dtype is D.float32 else D.float64
    return BincountWeights.apply(weights, input, length, dtype)
