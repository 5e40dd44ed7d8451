"""``rrelu``: the randomized leaky ReLU, one op (``RreluWithNoiseBackward0``, in place
``…Backward1``) as ATen's ``rrelu_with_noise``.

In training mode every element ``x <= 0`` is multiplied by its own slope drawn from
``U(lower, upper)``, in memory order, one ``random64()`` each (53 bits scaled to
``[lower, upper)`` in double, then rounded to the computation type): the same draws as
PyTorch's CPU kernel after the same seed. Positive elements keep slope 1. In evaluation
mode the slope is the mean ``(lower + upper) / 2`` (a leaky ReLU).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .. import random as _random
from ..autograd.function import OpFunction as Function
from . import _functions as _F
from ._activations import _maybe_inplace
from .._ops._common import tensor_input as _tensor_input

_MANTISSA53 = np.uint64((1 << 53) - 1)


def _draw_slopes(input, lower, upper, generator=None):
    """The ``(noise, slopes)`` host arrays of a training call: ``noise`` (input's dtype) is
    what the backward multiplies by; ``slopes`` (the computation type) what the forward does."""
    host = np.ascontiguousarray(input._host())
    op = np.float64 if host.dtype == np.float64 else np.float32  # (at::opmath_type)
    lo, hi = float(op(lower)), float(op(upper))
    negative = host <= 0
    r64 = _random._engine(generator).random64(int(np.count_nonzero(negative)))
    unit = (r64 & _MANTISSA53).astype(np.float64) * 2.0 ** -53
    slopes = np.ones(host.shape, dtype=op)
    slopes[negative] = (unit * (hi - lo) + lo).astype(op)
    return slopes.astype(host.dtype), slopes


class RreluWithNoise(Function):
    """``x * noise`` (training) or a leaky ReLU of slope ``(lower + upper) / 2``."""

    name = "RreluWithNoiseBackward0"
    elementwise = True
    arity = 1

    @staticmethod
    def forward(ctx, x, lower, upper, training, generator=None):
        b = x._backend
        a = x._data
        ctx.save_for_backward(x)
        ctx.lower, ctx.upper, ctx.training = lower, upper, training
        if not training:
            return _F.LeakyRelu.kernel(b, a, (lower + upper) / 2)
        noise, slopes = _draw_slopes(x, lower, upper, generator)
        ctx.noise = b.from_host(noise)
        product = b.astype(a, b.dtype(D.float64 if slopes.dtype == np.float64 else D.float32)) * b.from_host(slopes)
        return b.astype(product, a.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.training and ctx.upper - ctx.lower > 1e-6:
            return g * ctx.noise
        slope = (ctx.lower + ctx.upper) / 2  # (ATen's backward: a leaky ReLU's, even after a training call)
        return ctx.xp.where(x._data > 0, g, g * slope)


@_tensor_input
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: ``x`` where positive, ``a * x`` elsewhere, with ``a`` drawn
    from ``U(lower, upper)`` for each element in training mode and ``(lower + upper) / 2``
    otherwise.

    Args:
        input: a float32 or float64 tensor.
        lower: the lower bound of the slopes (default 1/8).
        upper: the upper bound (default 1/3).
        training: draw the slopes (default ``False``: the mean slope).
        inplace: overwrite ``input`` with the result.

    Raises:
        RuntimeError: if ``lower > upper``.
        NotImplementedError: for an integer or float16 input.

    Mirrors ``torch.nn.functional.rrelu``; the slopes drawn in training mode equal
    PyTorch's after the same ``torch.manual_seed``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.rrelu(torch.tensor([-3.0, 2.0]), lower=0.1, upper=0.3)
        tensor([-0.6000,  2.0000])
    """
    return rrelu_with_generator(input, lower, upper, training, inplace, None)


def rrelu_with_generator(input, lower, upper, training, inplace, generator):
    """:func:`rrelu` drawing the slopes from ``generator`` (None: the global one), as
    ``torch.rrelu`` can."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if training:
        if input.dtype not in (D.float32, D.float64):
            raise NotImplementedError(f"\"rrelu_with_noise_out_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    elif not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"leaky_relu_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    out = RreluWithNoise.apply(input, lower=lower, upper=upper, training=training, generator=generator,
                               _name="RreluWithNoiseBackward1" if inplace else "RreluWithNoiseBackward0")
    return _maybe_inplace(input, out, inplace)


@_tensor_input
def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`. Mirrors ``torch.nn.functional.rrelu_``."""
    return rrelu(input, lower, upper, training, inplace=True)
