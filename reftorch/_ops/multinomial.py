"""``torch.multinomial``: draw category indices from rows of weights, bit-exact with
PyTorch's CPU kernel after ``manual_seed``.

All draws come from the CPU generator on the host (as the other samplers do), and the
result is moved to the input's device:

* without replacement, or for a single sample: PyTorch's "exponential trick". One
  ``Exp(1)`` variate ``q = -log1p(-u)`` per weight (``u`` from the float64 uniform
  stream, in the memory order of ``empty_like(input)``: row by row unless transposed),
  and the ``num_samples`` largest ``weight / q`` win (``topk``);
* with replacement: per row, the running sum of the weights (in the weights' dtype,
  float32 for half) divided by the total, then one float64 uniform per sample located
  by binary search.
"""
from __future__ import annotations

import math

import numpy as _np  # host-side: the generator produces NumPy arrays

from .. import _backends
from .._tensor import Tensor
from ..random import _engine
from .._device import CPU
from .._dtype import scalar_name
from .._layout import preserve_strides
from ._common import tensor_input, with_out
from .sorting import _as_pytorch_picks


def _host(t):
    return _np.asarray(t._host())


def _in_memory_order(input, draws):
    """``draws`` (one per element of ``input``) placed as PyTorch's ``exponential_`` fills
    ``empty_like(input)``: in that tensor's memory order (a transposed input is filled
    column by column), returned as an array of ``input``'s shape."""
    shape = tuple(input._data.shape)
    want = preserve_strides(shape, input._backend.strides(input._data))
    order = sorted(range(len(shape)), key=lambda d: -want[d])
    placed = draws.reshape(tuple(shape[d] for d in order))
    return _np.transpose(placed, sorted(range(len(order)), key=order.__getitem__))


@tensor_input
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample ``num_samples`` category indices from each row of non-negative weights.

    Args:
        input: 1-D (one distribution) or 2-D (one per row) floating point weights; they
            need not sum to 1.
        num_samples: how many indices to draw per row.
        replacement: draw with replacement (an index may repeat).
        generator: the generator to draw from (default: the global one).

    Returns:
        int64 indices of shape ``(num_samples,)`` or ``(rows, num_samples)``.

    Raises:
        RuntimeError: for integer weights, more than 2 dimensions, ``num_samples <= 0``,
            more samples than categories without replacement, or invalid weights
            (negative, inf/NaN, all zero), with PyTorch's messages.

    Without replacement, a row with fewer positive weights than ``num_samples`` ends with
    zero-weight categories, in the order PyTorch's ``topk`` leaves them.

    Mirrors ``torch.multinomial``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.multinomial(torch.tensor([0.1, 0.6, 0.3]), 4, replacement=True)
        tensor([2, 2, 1, 2])
    """
    if out is not None:
        return with_out("multinomial", out, multinomial, input, num_samples, replacement, generator=generator)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{scalar_name(input.dtype)}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = input.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    w = _host(input)
    rows = w.reshape(-1, n_cat)
    eng = _engine(generator)
    if not replacement or num_samples == 1:
        if rows.size and not (_np.all(rows < math.inf) and _np.all(rows >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if _np.any(rows.sum(axis=1, dtype=_np.float64) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        u = _in_memory_order(input, eng.uniform(rows.size, 0.0, 1.0, dtype=_np.float64)).reshape(-1)
        # glibc's log1p, as libtorch calls it (NumPy's own may differ in the last bit).
        q = _np.array([-math.log1p(-x) for x in u.tolist()], dtype=_np.float64).astype(w.dtype)
        with _np.errstate(over="ignore", divide="ignore"):  # (float16: inf, silently, as in PyTorch)
            scores = rows / q.reshape(rows.shape)
        if num_samples == 1:  # ATen: argmax (the first largest)
            res = _np.argmax(scores, axis=1)[:, None]
        else:  # ATen: topk, whose choice among equal scores (zero weights) is PyTorch's own
            order = _np.argsort(-scores, axis=1, kind="stable")
            res = _as_pytorch_picks(_backends.get(CPU), scores, order, order[:, :num_samples].copy(), 1,
                                    num_samples, True, True)
    else:
        acc = _np.float32 if w.dtype == _np.float16 else w.dtype
        res = _np.empty((rows.shape[0], num_samples), dtype=_np.int64)
        for r in range(rows.shape[0]):
            row = rows[r].astype(acc)
            bad = ~((row >= 0) & _np.isfinite(row))
            if bad.any():  # the C loop stops at the first bad entry; NaN fails its ">= 0" test
                if not row[int(_np.argmax(bad))] >= 0:
                    raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
                raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity "
                                   "or NaN)")
            cum = _np.cumsum(row, dtype=acc)  # sequential, as the C loop
            total = cum[-1]
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = (cum / total).astype(_np.float64)
            cum[-1] = 1.0
            u = eng.uniform(num_samples, 0.0, 1.0, dtype=_np.float64)
            res[r] = _np.searchsorted(cum, u, side="left")
    res = res.astype(_np.int64).reshape(tuple(input.shape[:-1]) + (num_samples,))
    b = input._backend
    arr = res if input.device.type == "cpu" else b.from_host(res)
    return Tensor._wrap(arr, input.device, b)


