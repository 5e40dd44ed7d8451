"""Reductions: ``sum``, ``mean``, ``max``/``min``, ``argmax``/``argmin``."""
from __future__ import annotations

import builtins
import math
from collections import namedtuple

from .. import _dtype as D
from .._layout import preserve_strides, reduction_loop_dims
from .._layout import row_major  # PyTorch's reductions return contiguous results
from .._tensor import Tensor, _wrap_dim
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.function import OpFunction as Function
from ._common import fix_empty_strides, grad_checked, tensor_input
from .binary_math import _need_tensors
from .pointwise import Div, _Binary, _cast, _operands, eq, isclose, ne
from ._numpy_names import NOT_GIVEN, dim_from_axis, numpy_names


def _dims(input, dim):
    nd = input.dim()
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None  # dim=() reduces over every dimension, as in PyTorch 2
        w = [_wrap_dim(d, nd) for d in dim]
        for d in w:
            if w.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(w))
    return (_wrap_dim(dim, nd),)


#: the dtypes a sum keeps (the others sum as int64)
_FLOAT_OR_COMPLEX = frozenset(d for d in D.ALL if d.is_floating_point or d.is_complex)


def _check_keepdim(keepdim, fn):
    if not isinstance(keepdim, bool):
        raise TypeError(f"{fn}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")


def _int_dim_or_all(dim, keepdim, fn):
    """``dim`` of a reduction whose ``dim`` is one int or not given (``max``, ``min``,
    ``prod``, ``median``): None for "all elements". PyTorch's overloads refuse an explicit
    ``None`` and a ``keepdim`` without ``dim``; reftorch can only see a ``keepdim`` that is
    not ``False``.

    Raises:
        TypeError: for ``dim=None``, or ``keepdim=True`` without ``dim``.
    """
    if dim is NOT_GIVEN:
        if keepdim is not False:
            raise TypeError(f"{fn}() received an invalid combination of arguments - got (keepdim={type(keepdim).__name__}, )")
        return None
    if dim is None:
        raise TypeError(f"{fn}(): argument 'dim' must be int, not NoneType")
    return dim


def _all_dims(keepdim, fn):
    """The ``dim`` (None: all elements) of ``sum``/``mean`` called without one: PyTorch's
    all-elements overload has no ``keepdim``, so a ``keepdim`` there is a TypeError (only one
    that is not ``False`` can be seen)."""
    if keepdim:
        raise TypeError(f"{fn}() received an invalid combination of arguments - got (keepdim=bool, )")
    return None


def _keep_dims(xp, g, shape, axes, keepdim):
    """``g``, the gradient of a reduction of an input of ``shape`` over ``axes`` (None: all),
    with the reduced dims back as size 1 (not broadcast)."""
    if keepdim:
        return g
    if axes is None:
        axes = range(len(shape))
    if isinstance(g, Tensor):  # create_graph: PyTorch's nodes, one unsqueeze per reduced dim
        for a in sorted(axes):
            g = xp.expand_dims(g, axis=a)
        return g
    # an array: one view with the size-1 dims (expand_dims is a Python function, ~2 us a dim)
    return xp.reshape(g, tuple([1 if i in axes else n for i, n in enumerate(shape)]))


def _expand_grad(xp, g, shape, axes, keepdim):
    return xp.broadcast_to(_keep_dims(xp, g, shape, axes, keepdim), shape)


def _float_buffer(b, data, axes):
    """Whether ATen's CPU ``sum`` to float16 (bfloat16) goes through a float32 buffer: when the two
    innermost dims of its loop (over the input converted to float16, laid out as ``.to``
    lays it out) are both reduced dims."""
    shape = tuple(data.shape)
    strides = preserve_strides(shape, b.strides(data))
    loop = reduction_loop_dims(shape, strides, range(len(shape)) if axes is None else axes)
    return len(loop) >= 2 and loop[0][1] and loop[1][1]


class Sum(Function):
    """``Sum.apply(x, axes, keepdim, native)``: ``native`` is the backend dtype of the sum,
    or None for the input's own (a float or complex input summed in its dtype; float16 and
    bfloat16 accumulated in float32, as PyTorch), or ``torch.float16``/``torch.bfloat16``
    itself for ``dtype=`` one of them (summed as inputs of that dtype are)."""

    name = "SumBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, keepdim, native):
        b = x._backend
        data = x._data
        if ctx.needs_input_grad:
            ctx.shape, ctx.axes, ctx.keepdim = data.shape, axes, keepdim
            ctx.native = data.dtype
        if axes is not None and not data.ndim:
            data = b.xp.reshape(data, (1,))
        reduced = native if native.__class__ is D.dtype else (
            x._dtype if native is None and x._dtype in D.REDUCED_FLOATS else None)
        if reduced is not None:
            # PyTorch casts to float16 first, then adds in float32 and rounds the sum once;
            # but where its loop would meet two reduced dims first, it sums the input
            # converted to float32 instead (no rounding to float16 before the sum)
            half, single = b.dtype(reduced), b.dtype(D.float32)
            if data.dtype != half and data.size and _float_buffer(b, data, axes):
                # (added in float64 and rounded to float32: closer to PyTorch's cascade sum
                # than NumPy's float32 loop over several axes)
                data = data if data.dtype == single else b.astype(data, single)
                out = b.astype(b.sum(data, axes, keepdim, b.dtype(D.float64)), single)
            else:
                out = b.sum(data if data.dtype == half else b.astype(data, half), axes, keepdim, single)
            out = b.astype(out, half)
        else:
            out = b.sum(data, axes, keepdim, native)
        return out if not out.ndim else row_major(b, out)  # (a 0-d result is laid out already)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        g = grad_checked(xp, g, ctx.native)
        if not ctx.shape:
            return xp.reshape(g, ())
        return _expand_grad(xp, g, ctx.shape, ctx.axes, ctx.keepdim)


@tensor_input
def sum(input, dim=NOT_GIVEN, keepdim=False, *, dtype=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Sum of all elements, or along ``dim`` (an int or a tuple of ints).

    Bool and integer inputs are summed as int64. Mirrors ``torch.sum``.

    Raises:
        IndexError: if a dim is out of range.
        TypeError: for ``keepdim=True`` without ``dim`` (``dim=None`` is allowed).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1., 2.], [3., 4.]])
        >>> x.sum(), x.sum(0), x.sum(-1, keepdim=True)
        (tensor(10.), tensor([4., 6.]), tensor([[3.],
                [7.]]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("sum", dim, keepdim, axis, keepdims, NOT_GIVEN)
    if keepdim.__class__ is not bool:
        _check_keepdim(keepdim, "sum")
    if dim is NOT_GIVEN:
        dim = _all_dims(keepdim, "sum")
    if dim is None:
        axes = None
    else:
        axes = _dims(input, dim)
        if axes is not None and not input._data.shape:
            axes = None
    if dtype is None:  # float and complex inputs sum in their dtype, the others as int64
        native = None if input._dtype in _FLOAT_OR_COMPLEX else input._backend.dtype(D.int64)
    else:
        if not (dtype.is_floating_point or dtype.is_complex) and input._requires_grad and is_grad_enabled():
            raise RuntimeError(f"Autograd not support dtype: {_scalar_name(dtype)}")
        native = dtype if dtype in D.REDUCED_FLOATS else input._backend.dtype(dtype)
    return Sum.apply(input, axes, keepdim, native, _name="SumBackward0" if dim is None else "SumBackward1")


class Mean(Function):
    name = "MeanBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = x._backend.xp
        shape = x._data.shape
        count = math.prod(shape) if axes is None else math.prod([shape[a] for a in axes])
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.shape, ctx.axes, ctx.keepdim, ctx.count = shape, axes, keepdim, count
        if count == 0:  # nan, as PyTorch gives, without NumPy's "Mean of empty slice" warning
            total = xp.sum(x._data, axis=axes, keepdims=keepdim)
            return row_major(x._backend, total / xp.zeros((), dtype=total.dtype, **x._backend._dev_kw()))
        return row_major(x._backend, x._backend.mean(x._data, axes, keepdim, count))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if not ctx.shape:
            return g
        if isinstance(g, Tensor):  # create_graph: PyTorch's expand, then a division by a number
            x, n, dt = _operands(_expand_grad(xp, g, ctx.shape, ctx.axes, ctx.keepdim), ctx.count, true_div=True)
            return Div.apply(x, n, dt=dt, _name="DivBackward1")
        return _expand_grad(xp, g / ctx.count, ctx.shape, ctx.axes, ctx.keepdim)


@tensor_input
def mean(input, dim=NOT_GIVEN, keepdim=False, *, dtype=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Arithmetic mean of all elements, or along ``dim``. Mirrors ``torch.mean``.

    Raises:
        RuntimeError: for integer or bool inputs ("mean(): could not infer output dtype …").
        TypeError: for ``keepdim=True`` without ``dim`` (``dim=None`` is allowed).

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1., 2.], [3., 4.]]).mean(dim=0)
        tensor([2., 3.])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("mean", dim, keepdim, axis, keepdims, NOT_GIVEN)
    _check_keepdim(keepdim, "mean")
    if dim is NOT_GIVEN:
        dim = _all_dims(keepdim, "mean")
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating "
                               f"point or complex dtype. Got: {_scalar_name(dtype)}")
        input = input.to(dtype)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {_scalar_name(input.dtype)}")
    axes = _dims(input, dim)
    if input.dim() == 0:
        axes = None
    name = "MeanBackward0" if dim is None else "MeanBackward1"
    return Mean.apply(input, axes=axes, keepdim=bool(keepdim), _name=name)


_scalar_name = D.scalar_name


def _all_any(input, dim, keepdim, which):
    if not isinstance(input, Tensor):
        raise TypeError(f"{which}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    axes = _dims(input, dim)
    if input.dim() == 0:
        axes = None
    elif isinstance(dim, (tuple, list)) and not dim:  # dim=(): no dimension, unlike sum's (all of them)
        axes = ()
    b = input._backend
    xp = b.xp
    truth = xp.astype(input._data, xp.bool)  # nonzero (nan included) is True
    out = (xp.all if which == "all" else xp.any)(truth, axis=axes, keepdims=bool(keepdim))
    if input.dtype is D.uint8:  # PyTorch keeps uint8 for uint8 inputs
        out = xp.astype(out, b.dtype(D.uint8))
    return Tensor._wrap(row_major(b, out), input.device, b)


def all(input, dim=None, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Whether every element is nonzero (``True``), over all elements or along ``dim``.

    ``dim`` may be an int or a tuple of ints. The result is bool (uint8 for uint8 inputs)
    and outside the autograd graph. An empty reduction gives ``True``. Mirrors ``torch.all``.

    Raises:
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 0], [1, 1]])
        >>> torch.all(x), x.all(dim=1), x.all(0, keepdim=True)
        (tensor(False), tensor([False,  True]), tensor([[ True, False]]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("all", dim, keepdim, axis, keepdims)
    return _all_any(input, dim, keepdim, "all")


def any(input, dim=None, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Whether some element is nonzero, over all elements or along ``dim``.

    ``dim`` may be an int or a tuple of ints. The result is bool (uint8 for uint8 inputs)
    and outside the autograd graph. An empty reduction gives ``False``. Mirrors ``torch.any``.

    Raises:
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[0, 0], [1, 0]])
        >>> torch.any(x), x.any(dim=1), x.any(0, keepdim=True)
        (tensor(True), tensor([False,  True]), tensor([[ True, False]]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("any", dim, keepdim, axis, keepdims)
    return _all_any(input, dim, keepdim, "any")


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of :func:`~reftorch.isclose` is ``True``: a Python bool.

    Mirrors ``torch.allclose``; the same arguments and errors as ``isclose``.

    Examples:
        >>> import reftorch as torch
        >>> torch.allclose(torch.tensor([1., 2.]), torch.tensor([1., 2.00001]))
        True
        >>> torch.allclose(torch.tensor([1., 2.]), torch.tensor([1., 2.0001]))
        False
    """
    close = isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return builtins.bool(all(close).item())


# ------------------------------------------------------------------ max / min
class _ReturnType:
    """Named results such as ``torch.return_types.max(values=…, indices=…)``."""


def _return_type(name, fields=("values", "indices")):
    """The named tuple PyTorch returns as ``torch.return_types.<name>`` (printed as PyTorch does)."""
    base = namedtuple(name, fields)

    class R(base):
        __slots__ = ()

        def __repr__(self):
            parts = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
            return f"torch.return_types.{name}(\n{parts})"

    R.__name__ = R.__qualname__ = name
    return R


max_rt, min_rt = _return_type("max"), _return_type("min")


class MaxAll(Function):
    name = "MaxBackward1"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, largest):
        backend = x._backend
        out = backend.amax(x._data, None, False) if largest else backend.amin(x._data, None, False)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.save_for_backward(x)
            ctx.save_output()
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = ctx.xp
        # PyTorch's evenly_distribute_backward: a nan result spreads over the nan inputs
        hit = xp.isnan(x._data) if bool(xp.isnan(out._data)) else x._data == out._data
        mask = xp.astype(hit, g.dtype)
        if isinstance(g, Tensor):  # create_graph: PyTorch's zeros.masked_fill_(mask, g / count)
            return xp.zeros_like(mask).masked_fill(hit, g / xp.sum(mask))
        return mask * (g / xp.sum(mask))


class MaxDim(Function):
    name = "MaxBackward0"
    create_graph = True
    nondiff = (1,)
    arity = 2

    @staticmethod
    def forward(ctx, x, index, dim, keepdim):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.shape, ctx.dim, ctx.keepdim = x._data.shape, dim, keepdim
            ctx.save_for_backward(index)
        if not x._data.shape:  # a 0-dim input is its own max
            return x._backend.xp.asarray(x._data, copy=True)
        b = x._backend
        out = b.take_along_axis(x._data, index._data, dim)  # index keeps dim
        return out if keepdim else b.squeeze(out, (dim,))

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        if not ctx.shape:
            return g
        b = index._backend
        xp = b.xp
        idx = index._data
        gg = g if ctx.keepdim else xp.expand_dims(g, axis=ctx.dim)
        if isinstance(g, Tensor):  # create_graph: zeros.scatter(dim, indices, g), as PyTorch records it
            return xp.zeros(ctx.shape, dtype=g.dtype).scatter(ctx.dim, idx, gg)
        n = ctx.shape[ctx.dim]
        pos = xp.reshape(xp.arange(n, **b._dev_kw()), tuple(n if i == ctx.dim else 1 for i in range(len(ctx.shape))))
        zero = xp.zeros((), dtype=g.dtype, **b._dev_kw())
        return xp.where(pos == idx, gg, zero)


def _arg(input, dim, keepdim, largest, who=None):
    """The int64 array of ``argmax``/``argmin`` (``largest``) of ``input`` along ``dim``
    (None: of the flattened tensor), with PyTorch's errors worded for ``who`` (``max``/
    ``min``; None: ``argmax``/``argmin``, which also refuse a bool input)."""
    data = input._data
    shape = data.shape
    if who is None:
        if input._dtype is D.bool:
            raise RuntimeError(f"{'argmax' if largest else 'argmin'}(): does not support bool input")
        who = "argmax" if largest else "argmin"
    if keepdim.__class__ is not bool:
        _check_keepdim(keepdim, who)
    b = input._backend
    if dim is None:
        if not data.size:
            raise IndexError(f"{who}(): Expected reduction dim to be specified for input.numel() == 0.")
        r = b.best_position(b.reshape_rows(data, (-1,)), None, False, largest)
        return b.xp.reshape(r, (1,) * len(shape)) if keepdim else r
    d = _wrap_dim(dim, len(shape))
    if not shape:
        return b.xp.zeros((), dtype=b.xp.int64, **b._dev_kw())
    if shape[d] == 0:
        raise IndexError(f"{who}(): Expected reduction dim {d} to have non-zero size.")
    r = b.best_position(data, d, keepdim, largest)
    return r if r.size else fix_empty_strides(b, r)


@tensor_input
def argmax(input, dim=None, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Index of the largest value (of the flattened tensor when ``dim`` is None).

    Ties give the first index; the result is int64 and outside the autograd graph. With
    ``dim``, one index per slice (``keepdim=True`` keeps ``dim`` with size 1). Mirrors
    ``torch.argmax``.

    Raises:
        IndexError: if ``dim`` is out of range or of size 0, or for an empty tensor
            without ``dim``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 5], [7, 7]])
        >>> torch.argmax(x), torch.argmax(x, dim=1)
        (tensor(2), tensor([1, 0]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("argmax", dim, keepdim, axis, keepdims)
    return Tensor._wrap(_arg(input, dim, keepdim, True), input._device, input._backend)


@tensor_input
def argmin(input, dim=None, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Index of the smallest value (of the flattened tensor when ``dim`` is None).

    Ties give the first index; the result is int64 and outside the autograd graph. The
    counterpart of :func:`~reftorch.argmax`, with the same arguments and errors. Mirrors
    ``torch.argmin``.

    Examples:
        >>> import reftorch as torch
        >>> torch.argmin(torch.tensor([[3, 1], [1, 2]]), dim=0, keepdim=True)
        tensor([[1, 0]])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("argmin", dim, keepdim, axis, keepdims)
    return Tensor._wrap(_arg(input, dim, keepdim, False), input._device, input._backend)


def _max_min(input, dim, keepdim, largest):
    who = "max" if largest else "min"
    if dim is NOT_GIVEN or dim is None:
        _int_dim_or_all(dim, keepdim, who)
        if input.numel() == 0:
            raise RuntimeError(f"{'max' if largest else 'min'}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        return MaxAll.apply(input, largest=largest, _name="MaxBackward1" if largest else "MinBackward1")
    if isinstance(dim, Tensor):
        return (maximum if largest else minimum)(input, dim)
    if keepdim.__class__ is not bool:
        _check_keepdim(keepdim, who)
    b = input._backend
    d = _wrap_dim(dim, input._data.ndim)
    idx = Tensor._wrap(_arg(input, d, True, largest, who="max" if largest else "min"), input._device, b)
    vals = MaxDim.apply(input, idx, dim=d, keepdim=keepdim, _name="MaxBackward0" if largest else "MinBackward0")
    if not keepdim and input._data.ndim:
        idx = Tensor._wrap(b.squeeze(idx._data, (d,)), input._device, b)
    return (max_rt if largest else min_rt)(vals, idx)


@tensor_input
def max(input, dim=NOT_GIVEN, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The largest value, or ``(values, indices)`` along ``dim``. Mirrors ``torch.max``.

    Three forms: ``max(input)`` is a 0-D tensor (gradient split evenly between ties);
    ``max(input, dim, keepdim=False)`` a named tuple ``(values, indices)`` (indices int64,
    the first of ties); ``max(input, other)`` is :func:`~reftorch.maximum`.

    Raises:
        IndexError: if ``dim`` is out of range.
        RuntimeError: for an empty tensor without ``dim``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 5], [7, 2]])
        >>> x.max()
        tensor(7)
        >>> x.max(dim=1).indices
        tensor([1, 0])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("max", dim, keepdim, axis, keepdims, NOT_GIVEN)
    return _max_min(input, dim, keepdim, True)


@tensor_input
def min(input, dim=NOT_GIVEN, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The smallest value, or ``(values, indices)`` along ``dim``. Mirrors ``torch.min``.

    The counterpart of :func:`~reftorch.max`, with the same three forms and errors
    (``min(input, other)`` is :func:`~reftorch.minimum`).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 5], [7, 2]])
        >>> x.min()
        tensor(1)
        >>> x.min(dim=1)
        torch.return_types.min(
        values=tensor([1, 2]),
        indices=tensor([0, 1]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("min", dim, keepdim, axis, keepdims, NOT_GIVEN)
    return _max_min(input, dim, keepdim, False)


class Maximum(Function):
    """Element-wise maximum/minimum; where both are equal each side gets half the gradient."""

    name = "MaximumBackward0"
    create_graph = True
    elementwise = True
    arity = 2

    @staticmethod
    def forward(ctx, x, y, dt, largest):
        a, b, dt = _Binary._setup(ctx, x, y, dt)
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.save_for_backward(x, y)
            ctx.dt, ctx.largest = dt, largest
        backend = x._backend
        return backend.maximum(a, b) if largest else backend.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = ctx.xp
        a, b = _cast(x, ctx.dt), _cast(y, ctx.dt)
        # PyTorch's formulas: ties split the gradient; a nan operand keeps it on both sides
        base = xp.where(a == b, g / 2, g)
        zero = xp.zeros((), dtype=g.dtype, **ctx.backend._dev_kw())
        lose_x, lose_y = ((a < b), (a > b)) if ctx.largest else ((a > b), (a < b))
        return _Binary._reduce(ctx, xp.where(lose_x, zero, base), xp.where(lose_y, zero, base))


@tensor_input
def maximum(input, other):
    """Element-wise maximum of two tensors (with broadcasting and type promotion).

    Mirrors ``torch.maximum``; where the inputs are equal the gradient is split evenly.

    Examples:
        >>> import reftorch as torch
        >>> torch.maximum(torch.tensor([1, 5]), torch.tensor([3, 2]))
        tensor([3, 5])
    """
    if other.__class__ is not Tensor:  # (no Number overload: a float is refused, as in PyTorch)
        _need_tensors("maximum", input, other)
    x, y, dt = _operands(input, other)
    return Maximum.apply(x, y, dt, True)


@tensor_input
def minimum(input, other):
    """Element-wise minimum of two tensors (with broadcasting and type promotion).

    Mirrors ``torch.minimum``; where the inputs are equal the gradient is split evenly.

    Examples:
        >>> import reftorch as torch
        >>> torch.minimum(torch.tensor([1, 5]), torch.tensor([3, 2]))
        tensor([1, 2])
    """
    if other.__class__ is not Tensor:  # (no Number overload: a float is refused, as in PyTorch)
        _need_tensors("minimum", input, other)
    x, y, dt = _operands(input, other)
    return Maximum.apply(x, y, dt, False, _name="MinimumBackward0")


def equal(input, other):
    """True if both tensors have the same shape and the same values (dtypes may differ).

    Mirrors ``torch.equal``.

    Raises:
        TypeError: if ``input`` or ``other`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1, 2]).equal(torch.tensor([1.0, 2.0]))
        True
        >>> torch.tensor([1, 2]).equal(torch.tensor([[1, 2]]))
        False
    """
    if input.__class__ is not Tensor and not isinstance(input, Tensor):
        raise TypeError(f"equal(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if other.__class__ is not Tensor and not isinstance(other, Tensor):
        raise TypeError(f"equal(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    a, b = input._data, other._data
    if a.shape != b.shape:
        return False
    xp = input._backend.xp
    if input._dtype is other._dtype and input._device is other._device:  # nothing to promote
        return bool(xp.all(a == b))
    return bool(xp.all(eq(input, other)._data))


@tensor_input
def count_nonzero(input, dim=None, *, axis=NOT_GIVEN):
    """How many elements are nonzero (along ``dim``). Mirrors ``torch.count_nonzero``."""
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("count_nonzero", dim, axis)
    return sum(ne(input, 0), dim=dim)


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, a shape ``input`` could be broadcast from: the
    inverse of ``expand``. Mirrors ``Tensor.sum_to_size`` (PyTorch's ``sum_to``: summed
    with ``keepdim`` over the leading dims and the dims where ``size`` has 1, then viewed
    as ``size``; ``input`` itself when the shapes are equal).

    Args:
        size: the target shape, as ints or one sequence.

    Raises:
        RuntimeError: if ``input`` cannot be seen as a broadcast of ``size``.

    Examples:
        >>> import reftorch as torch
        >>> torch.ones(3, 2).sum_to_size(1, 2)
        tensor([[3., 3.]])
    """
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    shape = tuple(input.shape)
    lead = len(shape) - len(size)
    if lead < 0 or builtins.any(s != 1 and s != n for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
                           f"{{[{', '.join(map(str, shape))}]}}.")
    if size == shape:
        return input
    dims = list(range(lead)) + [lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1]
    out = input.sum(dims, keepdim=True) if dims else input
    return out.view(size) if lead else out
