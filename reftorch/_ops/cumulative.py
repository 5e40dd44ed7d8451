"""Running totals and extremes along a dimension: ``cumsum``, ``cumprod``, ``cummax``,
``cummin`` and ``logcumsumexp``."""
from __future__ import annotations

import math

from .. import _backends
from .. import _dtype as D
from .._layout import row_major
from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd.function import OpFunction
from ._common import conj_of, tensor_input, with_out
from .linalg import c_type_name
from ._numpy_names import NOT_GIVEN, dim_from_axis, required_dim
from .reduction import _return_type
from .scatter import flat_positions, scatter_add
from .creation import zeros


def _acc_dtype(input, dtype):
    if dtype is not None:
        return dtype
    if input.dtype.is_floating_point or input.dtype.is_complex:
        return input.dtype
    return D.int64  # bool and integer inputs accumulate in int64, as PyTorch does


def _scan(b, a, axis, prod):
    """Inclusive running sum/product of ``a`` along ``axis`` (sequential, like PyTorch's CPU loop).
    Half precision runs in float32 and rounds each running value, as PyTorch's accumulator."""
    xp = b.xp
    if a.ndim == 0:
        return xp.asarray(a, copy=True)
    if _backends.is_reduced_float(xp, a.dtype):
        return xp.astype(_scan(b, xp.astype(a, xp.float32), axis, prod), a.dtype)
    if not prod:
        return xp.cumulative_sum(a, axis=axis)
    cp = getattr(xp, "cumulative_prod", None)
    if cp is not None:
        return cp(a, axis=axis)
    n = a.shape[axis]  # an array-API namespace without cumulative_prod: one slice at a time
    parts, run = [], None
    for k in range(n):
        key = tuple(slice(k, k + 1) if i == axis else slice(None) for i in range(a.ndim))
        run = a[key] if run is None else run * a[key]
        parts.append(run)
    return xp.concat(parts, axis=axis) if parts else xp.asarray(a, copy=True)


def _flip_scan(b, a, axis):
    """Running sum from the end (the gradient of ``cumsum``)."""
    xp = b.xp
    return xp.flip(_scan(b, xp.flip(a, axis=axis), axis, False), axis=axis)


class Cumsum(OpFunction):
    name = "CumsumBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, dim, native):
        b = x._backend
        a = x._data if x._data.dtype == native else b.astype(x._data, native)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.dim, ctx.in_native, ctx.backend = dim, x._data.dtype, b
        return row_major(b, _scan(b, a, dim, False))  # contiguous, as PyTorch

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        if g.dtype != ctx.in_native:  # PyTorch casts the gradient back first, then sums
            g = ctx.backend.astype(g, ctx.in_native)
        return _flip_scan(ctx.backend, g, ctx.dim)


class Cumprod(OpFunction):
    name = "CumprodBackward0"
    create_graph = True  # the formula reads the input through the saved tensor only
    arity = 1

    @staticmethod
    def forward(ctx, x, dim, native):
        b = x._backend
        a = x._data if x._data.dtype == native else b.astype(x._data, native)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.dim, ctx.in_native, ctx.backend = dim, x._data.dtype, b
            ctx.save_for_backward(x)
            ctx.save_output()  # (PyTorch saves the result too: writing into it in place is refused)
        return row_major(b, _scan(b, a, dim, True))  # contiguous, as PyTorch

    @staticmethod
    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        b, xp, d = ctx.backend, ctx.xp, ctx.dim
        a = xp.astype(x._data, g.dtype) if x._data.dtype != g.dtype else x._data
        a = conj_of(xp, a, x._dtype)  # complex: PyTorch's formula over the conjugates
        if a.ndim == 0 or a.shape[d] <= 1:
            return g
        n = a.shape[d]
        if 0 not in a.shape and bool(xp.all(a != 0)):
            # No zero anywhere: PyTorch's formula reversed_cumsum(out * g) / x (so an inf
            # input gives what PyTorch gives, NaN included, not the exact products below).
            out = _flip_scan(b, _scan(b, a, d, True) * g, d) / a
            return out if out.dtype == ctx.in_native else b.astype(out, ctx.in_native)
        # d out_j / d a_k = prod_{i <= j, i != k} a_i  (j >= k): exact with zeros too.
        parts = []
        for k in range(n):
            key = tuple(slice(k, k + 1) if i == d else slice(None) for i in range(a.ndim))
            one = xp.ones_like(a[key])
            masked = xp.concat([a[tuple(slice(0, k) if i == d else slice(None) for i in range(a.ndim))], one,
                                a[tuple(slice(k + 1, n) if i == d else slice(None) for i in range(a.ndim))]],
                               axis=d)
            partial = _scan(b, masked, d, True)
            w = g * partial
            tail = w[tuple(slice(k, n) if i == d else slice(None) for i in range(a.ndim))]
            parts.append(xp.sum(tail, axis=d, keepdims=True))
        out = xp.concat(parts, axis=d)
        return out if out.dtype == ctx.in_native else b.astype(out, ctx.in_native)


def _out_dtype(out, dtype):
    """The dtype a running sum or product into ``out`` computes in: ``out``'s (PyTorch casts
    the input to it first), which a given ``dtype`` must be."""
    if dtype is not None and dtype is not out.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {c_type_name(dtype)}, but got "
                           f"{c_type_name(out.dtype)} instead")
    return out.dtype


def _cum(cls, input, dim, dtype, name):
    if dim is None:  # PyTorch's argument parser words it this way
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    d = _wrap_dim(dim, input.dim())
    dt = _acc_dtype(input, dtype)
    return cls.apply(input, dim=d, native=input._backend.dtype(dt))


@tensor_input
def cumsum(input, dim=None, *, dtype=None, out=None, axis=NOT_GIVEN):
    """Running sum along ``dim``: ``out[i] = input[0] + … + input[i]``.

    Integer and bool inputs give int64 (unless ``dtype`` says otherwise). Mirrors
    ``torch.cumsum`` (``grad_fn`` ``CumsumBackward0``; the gradient is the running sum of
    the incoming gradient taken from the end).

    Args:
        input: the tensor.
        dim: the dimension to accumulate along (required).
        dtype: the dtype of the result, the input is cast to it first (keyword-only).
        out: a tensor to write the result into (keyword-only).

    Raises:
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1, 2, 3, 4]).cumsum(0)
        tensor([ 1,  3,  6, 10])
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("cumsum", dim, axis)
    if out is not None:
        return with_out("cumsum", out, cumsum, input, dim, dtype=_out_dtype(out, dtype))
    return _cum(Cumsum, input, dim, dtype, "cumsum")


@tensor_input
def cumprod(input, dim=None, *, dtype=None, out=None, axis=NOT_GIVEN):
    """Running product along ``dim``. Mirrors ``torch.cumprod`` (``grad_fn``
    ``CumprodBackward0``; exact gradients when the input holds zeros).

    Args:
        input: the tensor.
        dim: the dimension to accumulate along (required).
        dtype: the dtype of the result, the input is cast to it first (keyword-only).
        out: a tensor to write the result into (keyword-only).

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1., 2., 3., 4.]).cumprod(0)
        tensor([ 1.,  2.,  6., 24.])
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("cumprod", dim, axis)
    if out is not None:
        return with_out("cumprod", out, cumprod, input, dim, dtype=_out_dtype(out, dtype))
    return _cum(Cumprod, input, dim, dtype, "cumprod")


# ------------------------------------------------------------------------ cummax, cummin
cummax_rt = _return_type("cummax")
cummin_rt = _return_type("cummin")


def _running_extreme(b, a, axis, largest):
    """``(values, indices)`` of the running maximum (``largest``) or minimum of ``a`` along
    ``axis``: PyTorch's rules, a later equal value takes over (its index) and a nan sticks.

    A Hillis-Steele scan: ``log2(n)`` rounds, each combining every position with the one
    ``step`` before it over whole arrays (the combination, "the later position wins when
    its value is at least as large, or nan, unless the earlier one is nan and it is not",
    is associative: it picks the last position of the range's extreme)."""
    xp = b.xp
    n = a.shape[axis]
    order = tuple(i for i in range(a.ndim) if i != axis) + (axis,)
    back = tuple(order.index(i) for i in range(a.ndim))
    v = b.copy(xp.permute_dims(a, order))
    idx = b.copy(xp.broadcast_to(xp.arange(n, dtype=xp.int64, **b._dev_kw()), v.shape))
    keys = xp.astype(v, xp.uint8) if v.dtype == xp.bool else v  # (bool compares as 0/1)
    floating = xp.isdtype(v.dtype, "real floating")
    step = 1
    while step < n:
        earlier, later = keys[..., :-step], keys[..., step:]
        wins = later >= earlier if largest else later <= earlier
        if floating:
            wins = (wins & ~xp.isnan(earlier)) | xp.isnan(later)
        v = xp.concat([v[..., :step], xp.where(wins, v[..., step:], v[..., :-step])], axis=-1)
        keys = xp.concat([keys[..., :step], xp.where(wins, later, earlier)], axis=-1)
        idx = xp.concat([idx[..., :step], xp.where(wins, idx[..., step:], idx[..., :-step])], axis=-1)
        step *= 2
    return row_major(b, xp.permute_dims(v, back)), row_major(b, xp.permute_dims(idx, back))


class CumExtreme(OpFunction):
    """The values of ``cummax``/``cummin``; the gradient goes to the position each running
    extreme came from (summed: ``zeros.scatter_add(dim, indices, grad)``)."""

    name = "CummaxBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, index, dim, values):
        ctx.save_for_backward(index)
        ctx.dim, ctx.shape = dim, x._data.shape
        return values

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        if not ctx.shape:
            return g, None
        if isinstance(g, Tensor):  # (recorded as PyTorch records it: ScatterAddBackward0)
            return scatter_add(zeros(ctx.shape, dtype=g.dtype, device=g.device), ctx.dim, index._data, g), None
        b = index._backend
        xp = b.xp
        pos = flat_positions(b, ctx.shape, ctx.dim, index._data)
        flat = b.scatter_add((math.prod(ctx.shape),), b.dtype_of(g), xp.reshape(pos, (-1,)), xp.reshape(g, (-1,)))
        return xp.reshape(flat, ctx.shape), None


def _cum_extreme(input, dim, largest):
    fn = "cummax" if largest else "cummin"
    d = _wrap_dim(int_arg(dim, fn, "dim", 1), input.dim())
    b = input._backend
    if not input._data.ndim:
        values, idx = b.copy(input._data), b.xp.zeros((), dtype=b.xp.int64, **b._dev_kw())
    else:
        values, idx = _running_extreme(b, input._data, d, largest)
    index = Tensor._wrap(idx, input._device, b)
    out = CumExtreme.apply(input, index, dim=d, values=values, _name="CummaxBackward0" if largest
                           else "CumminBackward0")
    return (cummax_rt if largest else cummin_rt)(out, index)


@tensor_input
def cummax(input, dim=NOT_GIVEN, *, axis=NOT_GIVEN):
    """The running maximum along ``dim`` and where each came from:
    ``torch.return_types.cummax(values, indices)``.

    Among equal values the later index is taken, and once a nan is met it stays (with its
    index), as in PyTorch. Mirrors ``torch.cummax`` (``grad_fn=<CummaxBackward0>``).

    Raises:
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.cummax(torch.tensor([1., 3., 3., 2.]), 0)
        torch.return_types.cummax(
        values=tensor([1., 3., 3., 3.]),
        indices=tensor([0, 1, 2, 2]))
    """
    if dim is NOT_GIVEN or axis is not NOT_GIVEN:
        dim = required_dim("cummax", dim, axis)
    return _cum_extreme(input, dim, True)


@tensor_input
def cummin(input, dim=NOT_GIVEN, *, axis=NOT_GIVEN):
    """The running minimum along ``dim`` and where each came from (the rules of
    :func:`cummax`). Mirrors ``torch.cummin`` (``grad_fn=<CumminBackward0>``).

    Examples:
        >>> import reftorch as torch
        >>> torch.cummin(torch.tensor([3., 1., 1., 2.]), 0).indices
        tensor([0, 1, 2, 2])
    """
    if dim is NOT_GIVEN or axis is not NOT_GIVEN:
        dim = required_dim("cummin", dim, axis)
    return _cum_extreme(input, dim, False)


# ------------------------------------------------------------------------ logcumsumexp
def _log_add_exp(xp, x, y):
    """PyTorch's ``_log_add_exp_helper``: ``log(exp(x) + exp(y))`` as ``max + log1p(exp(min - max))``,
    ``x`` itself when both are the same infinity (nan propagates)."""
    lo, hi = xp.minimum(x, y), xp.maximum(x, y)
    return xp.where((lo != hi) | xp.isfinite(lo), xp.log1p(xp.exp(lo - hi)) + hi, x)


def _log_scan(b, a, axis):
    """Running ``log(sum(exp(a)))`` along ``axis``, stable: a Hillis-Steele scan of
    :func:`_log_add_exp` (associative), ``log2(n)`` rounds over whole arrays."""
    xp = b.xp
    n = a.shape[axis] if a.ndim else 1
    v = a
    step = 1
    while step < n:
        head = tuple(slice(0, step) if i == axis else slice(None) for i in range(a.ndim))
        later = tuple(slice(step, None) if i == axis else slice(None) for i in range(a.ndim))
        earlier = tuple(slice(0, n - step) if i == axis else slice(None) for i in range(a.ndim))
        v = xp.concat([v[head], _log_add_exp(xp, v[later], v[earlier])], axis=axis)
        step *= 2
    return v


class Logcumsumexp(OpFunction):
    """``Logcumsumexp.apply(x, dim)``; the backward is PyTorch's: the running sums, from the
    end, of ``exp(log|g| - result)`` for the positive and the negative parts of ``g`` apart."""

    name = "LogcumsumexpBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        b = x._backend
        xp = b.xp
        a = x._data
        half = a.dtype != xp.float32 and a.dtype != xp.float64  # (float16: in float32, rounded once)
        out = _log_scan(b, xp.astype(a, xp.float32) if half else a, dim)
        out = xp.astype(out, a.dtype) if half else xp.asarray(out, copy=True)
        if ctx.needs_input_grad:
            ctx.dim = dim
            ctx.save_for_backward(x)
            ctx.save_output()
        return row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        b = x._backend
        xp, d = b.xp, ctx.dim
        if not g.ndim or not g.size:
            return g
        lowest = xp.asarray(xp.finfo(g.dtype).min, dtype=g.dtype, **b._dev_kw())
        log_abs = xp.log(xp.abs(g))

        def part(mask):
            logs = xp.where(mask, log_abs, lowest) - out._data
            return xp.exp(xp.flip(_log_scan(b, xp.flip(logs, axis=d), d), axis=d) + x._data)
        return part(g > 0) - part(g < 0)


@tensor_input
def logcumsumexp(input, dim=NOT_GIVEN, *, out=None, axis=NOT_GIVEN):
    """Running ``log(sum(exp(input)))`` along ``dim``, computed stably (no overflow for large
    values, no ``log(0)`` for very negative ones).

    Mirrors ``torch.logcumsumexp`` (``grad_fn=<LogcumsumexpBackward0>``). Complex inputs,
    which PyTorch accepts, are not supported.

    Args:
        input: a real floating-point tensor.
        dim: the dimension to accumulate along (required).
        out: a tensor of ``input``'s dtype to write the result into.

    Raises:
        NotImplementedError: for integer, bool and complex inputs.
        IndexError: if ``dim`` is out of range.
        TypeError: if ``dim`` is not given.

    Examples:
        >>> import reftorch as torch
        >>> torch.logcumsumexp(torch.tensor([-1000., 0., 1000.]), 0)
        tensor([-1000.,     0.,  1000.])
    """
    dim = required_dim("logcumsumexp", dim, axis)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    if out is not None:
        if out.dtype is not input.dtype:
            raise RuntimeError(f"expected scalar_type {D.scalar_name(input.dtype)} but found "
                               f"{D.scalar_name(out.dtype)}")
        return with_out("logcumsumexp", out, logcumsumexp, input, dim)
    d = _wrap_dim(dim, input.dim())
    return Logcumsumexp.apply(input, d if input.dim() else 0)
