"""Running totals: ``cumsum`` and ``cumprod`` along a dimension."""
from __future__ import annotations

from .. import _dtype as D
from .._layout import row_major
from .._tensor import _wrap_dim
from ..autograd.function import OpFunction
from ._common import conj_of, with_out
from .linalg import c_type_name
from ._numpy_names import NOT_GIVEN, dim_from_axis


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
    half = getattr(xp, "float16", None)  # (the strict stand-in has no float16)
    if half is not None and a.dtype == half:
        return xp.astype(_scan(b, xp.astype(a, xp.float32), axis, prod), half)
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
