"""``clamp``/``clip``: limit every element to ``[min, max]`` (scalar or tensor bounds)."""
from __future__ import annotations

import numbers

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor
from ..autograd.function import OpFunction
from .. import _scalar
from ._common import sum_to_shape, with_out
from .pointwise import _as_operand, _cast, _python_number
from ._inplace import commit


class ClampScalar(OpFunction):
    """``clamp`` with Python-number bounds (``ClampBackward1``)."""

    name = "ClampBackward1"
    create_graph = True
    elementwise = True
    arity = 1

    @staticmethod
    def forward(ctx, x, lo, hi, dt):
        xp = x._backend.xp
        a = _cast(x, dt)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.save_for_backward(x)
            ctx.lo, ctx.hi, ctx.dt = lo, hi, dt
        b = x._backend
        if lo is not None and hi is not None and lo != 0 and hi != 0:  # (a NaN bound too)
            return xp.clip(a, _number(b, lo, a), _number(b, hi, a))  # both steps in one pass
        out = a
        if lo is not None:
            out = _step(b, out, lo, xp.maximum)
        if hi is not None:
            out = _step(b, out, hi, xp.minimum)
        return xp.asarray(out, copy=True) if out is a else out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        a = x._data
        keep = xp.ones(a.shape, dtype=xp.bool, **x._backend._dev_kw())
        if ctx.lo is not None:
            keep = keep & (a >= ctx.lo)
        if ctx.hi is not None:
            keep = keep & (a <= ctx.hi)
        g = xp.where(keep, g, xp.zeros((), dtype=g.dtype, **x._backend._dev_kw()))
        return g if g.dtype == a.dtype else ctx.backend.astype(g, a.dtype)


def _number(b, v, like):
    return b.xp.asarray(v, dtype=like.dtype, **b._dev_kw())


def _step(b, out, bound, pick):
    """PyTorch's ``out < lo ? lo : out`` (``pick``: ``maximum``) or ``out > hi ? hi : out``
    (``minimum``) for a number bound: the IEEE maximum/minimum (a NaN on either side gives
    NaN, as PyTorch), which may pick either of two zeros where PyTorch keeps ``out``. (With
    two bounds, neither zero, ``xp.clip`` takes both steps at once.)"""
    r = pick(out, _number(b, bound, out))
    if bound == 0 and b.dtype_of(out).is_floating_point:
        r = b.where_into(out == 0, out, r)  # (r is fresh: written in place)
    return r


class ClampTensor(OpFunction):
    """``clamp`` with tensor bounds (``ClampBackward0``); ``lo``/``hi`` may be missing."""

    name = "ClampBackward0"
    create_graph = True
    elementwise = True

    @staticmethod
    def forward(ctx, x, *bounds, has_lo, has_hi, dt):
        xp = x._backend.xp
        lo = bounds[0] if has_lo else None
        hi = bounds[-1] if has_hi else None
        a = _cast(x, dt)
        out = a
        for b, past in ((lo, lambda o, v: o < v), (hi, lambda o, v: o > v)):
            if b is not None:
                v = _cast(b, dt)
                take = past(out, v)
                if dt.is_floating_point:
                    take = take | xp.isnan(v)  # a NaN bound gives NaN, as in PyTorch; NaN input stays NaN
                out = xp.where(take, v, out)
        ctx.save_for_backward(x, lo, hi)
        ctx.dt = dt
        out = xp.broadcast_to(out, _bshape(x, lo, hi))
        return xp.asarray(out, copy=True)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        xp = ctx.xp
        dt = ctx.dt
        a = _cast(x, dt)
        zero = xp.zeros((), dtype=g.dtype, **x._backend._dev_kw())
        keep = xp.ones(g.shape, dtype=xp.bool, **x._backend._dev_kw())
        l = _cast(lo, dt) if lo is not None else None
        h = _cast(hi, dt) if hi is not None else None
        if l is not None:
            keep = keep & (a >= l)
        if h is not None:
            keep = keep & (a <= h)
        grads = [sum_to_shape(xp, xp.where(keep, g, zero), x._data.shape)]
        if l is not None and h is not None:
            grads.append(xp.where((a < l) & (l < h), g, zero))
            grads.append(xp.where((a > h) | (h < l), g, zero))
        elif l is not None:
            grads.append(xp.where(a < l, g, zero))
        else:
            grads.append(xp.where(a > h, g, zero))
        srcs = [x] + [t for t in (lo, hi) if t is not None]
        out = []
        for t, gg in zip(srcs, grads):
            gg = sum_to_shape(xp, gg, t._data.shape)
            out.append(gg if gg.dtype == t._data.dtype else ctx.backend.astype(gg, t._data.dtype))
        return tuple(out)


def _bshape(*ts):
    shape = ()
    for t in ts:
        if t is not None:
            shape = broadcast_shape(shape, t.shape)
    return tuple(shape)


def clamp(input, min=None, max=None, *, out=None):
    """Limit every element to ``[min, max]``.

    ``min``/``max`` are Python numbers or tensors (broadcast against ``input``); either may
    be ``None``. When ``min > max`` every element becomes ``max``. The result dtype follows
    type promotion (an integer tensor clamped to a float bound is float). NaN stays NaN.
    Mirrors ``torch.clamp`` (alias ``torch.clip``); the gradient flows where the input
    lies inside the bounds (bounds included).

    Args:
        input: the tensor.
        min: the lower bound (number, tensor or ``None``; default ``None``).
        max: the upper bound (number, tensor or ``None``; default ``None``).
        out: a tensor to write the result into (keyword-only).

    Raises:
        RuntimeError: if both bounds are ``None``.
        NotImplementedError: for complex tensors (input or bounds).

    Examples:
        >>> import reftorch as torch
        >>> torch.clamp(torch.tensor([-2., 0.5, 3.]), min=0., max=1.)
        tensor([0.0000, 0.5000, 1.0000])
        >>> torch.tensor([1, 5, 9]).clamp(max=torch.tensor([4, 4, 10]))
        tensor([1, 4, 9])
    """
    if out is not None:
        return with_out("clamp", out, clamp, input, min, max)
    return _clamp(input, min, max, "")


def _clamp(input, min, max, kind):
    """``clamp`` recorded as ``Clamp{kind}Backward*`` (``kind`` is "", "Min" or "Max")."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) != isinstance(max, Tensor) and min is not None and max is not None:
        # One tensor, one number: PyTorch's Scalar overload, which takes a 0-dim tensor only.
        t = min if isinstance(min, Tensor) else max
        if t.dim():
            other = max if t is min else min
            kinds = ", ".join(type(v).__name__ if not isinstance(v, Tensor) else "Tensor" for v in (input, min, max))
            raise TypeError(f"clamp() received an invalid combination of arguments - got ({kinds}), but expected "
                            f"one of: (Tensor input, Tensor min = None, Tensor max = None) or (Tensor input, "
                            f"Number min = None, Number max = None); got {type(other).__name__} beside a Tensor")
        min, max = (v.item() if isinstance(v, Tensor) else v for v in (min, max))
    tensor_bounds = isinstance(min, Tensor) or isinstance(max, Tensor)
    if input.dtype.is_complex and not (tensor_bounds and kind):  # (clamp_min/max(Tensor) go to maximum/minimum)
        raise NotImplementedError("clamp is not supported for complex types")
    if tensor_bounds:
        dt = D.result_type(*(v for v in (input, min, max) if v is not None))
        if (dt is D.bool or dt.is_complex) and min is not None and max is not None:  # one bool bound is max/min
            raise NotImplementedError(f'"clamp_cpu" not implemented for \'{D.scalar_name(dt)}\'')
        if dt.is_complex:  # (one bound: PyTorch's maximum/minimum kernels)
            raise NotImplementedError(f'"{"maximum" if max is None else "minimum"}_cpu" not implemented for '
                                      f"'{D.scalar_name(dt)}'")
        bounds = [_tensorize(v, input, dt) for v in (min, max) if v is not None]
        _bshape(input, *bounds)  # PyTorch's error for shapes that do not broadcast (before any kernel)
        return _fn(ClampTensor, kind).apply(input, *bounds, has_lo=min is not None, has_hi=max is not None, dt=dt)
    min, max = _number_bound(min), _number_bound(max)
    dt = D.result_type(input, min) if max is None else \
        D.result_type(input, max) if min is None else D.result_type(input, min, max)
    if dt is D.bool:  # (PyTorch's kernel names: clamp_scalar, clamp_min_scalar, clamp_max_scalar)
        kernel = "clamp" if min is not None and max is not None else "clamp_min" if max is None else "clamp_max"
        raise NotImplementedError(f'"{kernel}_scalar_cpu" not implemented for \'Bool\'')
    return _fn(ClampScalar, kind).apply(input, _bound(min, dt), _bound(max, dt), dt)


_PLAIN_NUMBERS = frozenset((int, float, bool))


def _number_bound(v):
    """A number bound as PyTorch reads it: NumPy's scalars as the Python number.

    Raises:
        TypeError: for a bound that is not a real number (PyTorch's text, which names
            ``min`` for either bound).
    """
    if v is None or v.__class__ in _PLAIN_NUMBERS:
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, (int, float)):
        v = _python_number(v)
    if not isinstance(v, (bool, int, float)):
        raise TypeError(f"clamp(): argument 'min' must be Number, not {type(v).__name__}")
    return v


def _bound(v, dt):
    """A number bound checked and converted as PyTorch converts it to ``dt`` (the rules in
    ``reftorch._scalar``; an int beyond the 64-bit range fails as PyTorch's argument parser does)."""
    if v is None:
        return v
    if isinstance(v, int) and not isinstance(v, bool) and v >= 2 ** 64:
        raise OverflowError("int too big to convert")
    _scalar.check_fill_value(v, dt)
    return _scalar.store_value(v, dt)


class ClampMinScalar(ClampScalar):
    """``clamp_min`` with a number bound."""

    name = "ClampMinBackward0"


class ClampMaxScalar(ClampScalar):
    """``clamp_max`` with a number bound."""

    name = "ClampMaxBackward0"


class ClampMinTensor(ClampTensor):
    """``clamp_min`` with a tensor bound."""

    name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    """``clamp_max`` with a tensor bound."""

    name = "ClampMaxBackward1"


_FUNCTIONS = {(ClampScalar, ""): ClampScalar, (ClampScalar, "Min"): ClampMinScalar,
              (ClampScalar, "Max"): ClampMaxScalar, (ClampTensor, ""): ClampTensor,
              (ClampTensor, "Min"): ClampMinTensor, (ClampTensor, "Max"): ClampMaxTensor}


def _fn(base, kind):
    return _FUNCTIONS[(base, kind)]


def _tensorize(v, ref, dt):
    if isinstance(v, Tensor):
        return v
    return _as_operand(v, ref, dt)


clip = clamp


def clamp_(input, min=None, max=None):
    """In-place :func:`clamp` (the result must keep ``input``'s dtype)."""
    return commit(input, clamp(input, min, max))


clip_ = clamp_


def clamp_min(input, min):
    """``clamp(input, min=min)``, recorded as ``ClampMinBackward0`` (number) or
    ``ClampMinBackward1`` (tensor), as in PyTorch."""
    return _clamp(input, min, None, "Min")


def clamp_max(input, max):
    """``clamp(input, max=max)``, recorded as ``ClampMaxBackward0`` (number) or
    ``ClampMaxBackward1`` (tensor), as in PyTorch."""
    return _clamp(input, None, max, "Max")
