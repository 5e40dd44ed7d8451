"""More reductions: ``prod``, ``var``/``std`` (and ``var_mean``/``std_mean``), ``logsumexp``,
``nansum`` and ``nanmean``."""
from __future__ import annotations

import math
import warnings

from .._warnings import user_stacklevel
from .. import _backends
from .. import _dtype as D
from .._layout import row_major
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction as Function
from ._common import conj_of, tensor_input
from .cumulative import _scan
from .reduction import _check_keepdim, _dims, _int_dim_or_all, _expand_grad, _FLOAT_OR_COMPLEX, Mean, ne, sum
from .reduction import _keep_dims as _keep
from ._numpy_names import NOT_GIVEN, numpy_names, required_dim
from .. import _autocast
from .._autocast import anywhere as _autocasting

_DOF_WARNING = ("{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor "
                "(input numel divided by output numel). (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)")


# ------------------------------------------------------------------ prod
class Prod(Function):
    """``Prod.apply(x, axis, keepdim, native)``: the product over ``axis`` (None: all)."""

    name = "ProdBackward0"
    create_graph = True  # the formula reads the input and the result through saved tensors
    arity = 1

    @staticmethod
    def forward(ctx, x, axis, keepdim, native):
        b = x._backend
        xp = b.xp
        a = x._data
        if a.dtype != native:
            a = b.astype(a, native)
        if axis is not None and not a.ndim:
            axis = None
        if _backends.is_reduced_float(xp, native) and a.size:  # PyTorch rounds each running product to half
            flat = xp.reshape(a, (-1,)) if axis is None else a
            ax = 0 if axis is None else axis
            out = _half_prod(xp, flat, ax)
            out = xp.reshape(out, ()) if axis is None else (out if keepdim else xp.squeeze(out, axis=ax))
        else:
            out = xp.prod(a, axis=axis, keepdims=keepdim if axis is not None else False, dtype=native)
        if ctx.needs_input_grad:
            ctx.axis, ctx.keepdim, ctx.in_native = axis, keepdim, x._data.dtype
            ctx.save_for_backward(x)
            ctx.save_output()
        return out if not out.ndim else row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's prod_backward: grad * (result / input) without zeros, else the product
        # of the other elements (running products both ways; the whole input flattened)
        x, out = ctx.saved_tensors
        xp, axis = ctx.xp, ctx.axis
        a = x._data if x._data.dtype == g.dtype else xp.astype(x._data, g.dtype)
        shape = a.shape
        if not shape:
            grad = g
        elif axis is None:
            if not bool(xp.any(a == 0)):
                grad = g * conj_of(xp, out._data / a, x._dtype)
            else:
                others = _others(ctx.backend, xp.reshape(a, (-1,)), 0)
                grad = xp.reshape(g * conj_of(xp, others, x._dtype), shape)
        else:
            gg = _keep(xp, g, shape, (axis,), ctx.keepdim)
            if not bool(xp.any(a == 0)):
                grad = gg * conj_of(xp, _keep(xp, out._data, shape, (axis,), ctx.keepdim) / a, x._dtype)
            else:
                grad = gg * conj_of(xp, _others(ctx.backend, a, axis), x._dtype)
        return grad if grad.dtype == ctx.in_native else xp.astype(grad, ctx.in_native)


def _half_prod(xp, a, axis):
    """The product of float16 ``a`` along ``axis`` (kept as size 1), one factor at a time with
    each running product rounded to float16, as PyTorch's CPU kernel multiplies."""
    run = None
    for k in range(a.shape[axis]):
        part = a[tuple(slice(k, k + 1) if i == axis else slice(None) for i in range(a.ndim))]
        run = part if run is None else xp.astype(xp.astype(run, xp.float32) * xp.astype(part, xp.float32), a.dtype)
    return run


def _others(b, a, axis):
    """Along ``axis``, the product of every element but the one at each position."""
    xp = b.xp
    n = a.shape[axis]

    def exclusive(v):
        run = _scan(b, v, axis, True)
        one = xp.ones(tuple(1 if i == axis else s for i, s in enumerate(v.shape)), dtype=v.dtype,
                      **b._dev_kw())
        head = tuple(slice(0, n - 1) if i == axis else slice(None) for i in range(v.ndim))
        return xp.concat([one, run[head]], axis=axis)

    left = exclusive(a)
    right = xp.flip(exclusive(xp.flip(a, axis=axis)), axis=axis)
    return left * right


@tensor_input
def prod(input, dim=NOT_GIVEN, keepdim=False, *, dtype=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Product of all elements, or along one dimension ``dim``.

    Bool and integer inputs multiply as int64 (unless ``dtype`` is given); floats keep
    their dtype. The gradient is right with zeros in the input (the product of the other
    elements). Mirrors ``torch.prod``.

    Args:
        input: a tensor of any shape.
        dim: one dimension to reduce (an int; negative counts from the end); not given:
            all elements.
        keepdim: keep ``dim`` as size 1 (only with ``dim``).
        dtype: the dtype to multiply in and return.

    Returns:
        A 0-d tensor, or ``input``'s shape without (or with size 1 at) ``dim``.

    Raises:
        IndexError: if ``dim`` is out of range.
        TypeError: if ``dim`` is not an int (``None`` included), or ``keepdim=True`` comes
            without ``dim``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1., 2.], [3., 4.]])
        >>> x.prod(), x.prod(1), torch.prod(torch.tensor([True, True]))
        (tensor(24.), tensor([ 2., 12.]), tensor(1))
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("prod", prod, locals())
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("prod", dim, keepdim, axis, keepdims, NOT_GIVEN)
    _check_keepdim(keepdim, "prod")
    dim = _int_dim_or_all(dim, keepdim, "prod")
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    if dtype is None:
        dtype = input._dtype if input._dtype in _FLOAT_OR_COMPLEX else D.int64
    native = input._backend.dtype(dtype)
    if dim is None:
        return Prod.apply(input, None, False, native)
    axis = _wrap_dim(dim, input.dim())
    return Prod.apply(input, axis, keepdim, native, _name="ProdBackward1")


# ------------------------------------------------------------------ var / std
class Var(Function):
    """``Var.apply(x, axes, correction, keepdim, root, grad_n)``: variance (``root``: its
    square root); ``grad_n`` is the count PyTorch's backward divides by along ``dim``
    (None: no ``dim``, the count of all elements)."""

    name = "VarBackward0"
    create_graph = True  # the formula reads the input (and std's result) through saved tensors
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim, root, grad_n):
        b = x._backend
        xp = b.xp
        a = _var_input(xp, x._data)
        shape = a.shape
        n = math.prod(shape) if axes is None else math.prod([shape[i] for i in axes])
        d = _centred(b, a, axes, n)
        sq = d * d if not x._dtype.is_complex else xp.real(d) ** 2 + xp.imag(d) ** 2
        out = b.sum(sq, axes, keepdim, None) / max(n - correction, 0)
        if root:
            out = xp.sqrt(out)
        if a.dtype != x._data.dtype:
            out, d = xp.astype(out, x._data.dtype), xp.astype(d, x._data.dtype)
        if ctx.needs_input_grad:
            ctx.axes, ctx.keepdim, ctx.root, ctx.n = axes, keepdim, root, n
            ctx.correction, ctx.grad_n, ctx.d = correction, grad_n, d
            ctx.save_for_backward(x)
            if root:
                ctx.save_output()
        return out if not out.ndim else row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's var_backward: 2 / (N - correction) * grad * (x - mean), where N counts
        # the elements along dim; without dim and N - correction <= 0, grad times nan where
        # x is the mean, inf elsewhere. std_backward first turns grad into grad / (2 * std),
        # 0 where std is 0.
        saved = ctx.saved_tensors
        x = saved[0]
        xp = ctx.xp
        kw = ctx.backend._dev_kw()
        a = x._data
        shape = a.shape
        g = _keep(xp, g, shape, ctx.axes, ctx.keepdim)
        if ctx.root:
            s = _keep(xp, saved[1]._data, shape, ctx.axes, ctx.keepdim)
            g = xp.where(s == 0, xp.zeros((), dtype=g.dtype, **kw), g / (s * 2))
        if ctx.grad_n is None and ctx.n - ctx.correction <= 0:
            wide = _var_input(xp, a)
            nan, inf = (xp.full((), v, dtype=g.dtype, **kw) for v in (math.nan, math.inf))
            return g * xp.where(wide == _mean_keep(ctx.backend, wide, ctx.axes, ctx.n), nan, inf)
        div = (ctx.n if ctx.grad_n is None else ctx.grad_n) - ctx.correction
        if isinstance(g, Tensor):  # create_graph: x - mean again, from the saved input (in the graph)
            d = _centred(ctx.backend, _var_input(xp, a), ctx.axes, ctx.n)
            d = d if d.dtype == a.dtype else xp.astype(d, a.dtype)
        else:  # the forward's x - mean (an array, kept on ctx: read only here, never as a constant)
            d = ctx.d
        return (2.0 / div if div else math.inf) * g * d


def _var_input(xp, a):
    """``a`` as var computes it: half precision in float32, as PyTorch accumulates it."""
    return xp.astype(a, xp.float32) if _backends.is_reduced_float(xp, a.dtype) else a


def _centred(b, a, axes, n):
    """``a`` minus its mean over ``axes``."""
    return a - _mean_keep(b, a, axes, n)


def _mean_keep(b, a, axes, n):
    """The mean of ``a`` over ``axes`` (the reduced dims kept; nan for an empty reduction)."""
    xp = b.xp
    total = xp.sum(a, axis=axes, keepdims=True)
    return total / n if n else total * xp.asarray(math.nan, dtype=total.dtype, **b._dev_kw())


def _var_args(input, dim, unbiased, keepdim, correction, who):
    """The reduced axes, the correction, and the count PyTorch's backward divides by."""
    if isinstance(dim, bool):  # var(x, False): the (input, unbiased) overload
        dim, unbiased = None, dim
    if unbiased is None:  # (not the same as not given: no overload takes it)
        raise TypeError(f"{who}() received an invalid combination of arguments - got (unbiased=NoneType)")
    if unbiased is not NOT_GIVEN and correction is not None:
        raise TypeError(f"{who}(): cannot take both 'unbiased' and 'correction'")
    _check_keepdim(keepdim, who)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        what = who if who.endswith("_mean") else "std and var"
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is NOT_GIVEN or unbiased else 0
    axes = _dims(input, dim)
    if input.dim() == 0:
        axes = None
    shape = tuple(input.shape)
    n = math.prod(shape) if axes is None else math.prod([shape[i] for i in axes])
    if n - correction <= 0:
        warnings.warn(_DOF_WARNING.format(who), UserWarning, stacklevel=user_stacklevel())
    # PyTorch's var_backward counts an empty dim list (``dim=()``, which reduces over all
    # elements) as N = 1, so its gradient there divides by 1 - correction; reftorch agrees.
    # Without dim (or for a 0-dim input) it takes another path: grad_n None.
    if dim is None or input.dim() == 0:
        grad_n = None
    else:
        grad_n = 1 if isinstance(dim, (tuple, list)) and len(dim) == 0 else n
    return axes, correction, grad_n


@tensor_input
def var(input, dim=None, unbiased=NOT_GIVEN, keepdim=False, *, correction=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Variance over all elements or along ``dim``: ``sum((x - mean)**2) / (N - correction)``.

    ``correction`` defaults to 1 (Bessel's correction); ``unbiased=False`` means
    ``correction=0``. Mirrors ``torch.var``; when ``N - correction <= 0`` the result is
    nan or inf and a ``UserWarning`` is issued, as in PyTorch.

    Args:
        input: a floating-point or complex tensor (complex gives a real result).
        dim: an int or a tuple of ints (None: all elements).
        unbiased: the older spelling of ``correction`` (True: 1, False: 0).
        keepdim: keep the reduced dims as size 1.
        correction: the difference between the count and the divisor.

    Raises:
        RuntimeError: for integer or bool inputs.
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1., 2., 3.], [4., 6., 8.]])
        >>> x.var(), x.var(1), x.var(1, correction=0)
        (tensor(6.8000), tensor([1., 4.]), tensor([0.6667, 2.6667]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("var", dim, keepdim, axis, keepdims)
    axes, correction, grad_n = _var_args(input, dim, unbiased, keepdim, correction, "var")
    return Var.apply(input, axes, correction, keepdim, False, grad_n)


@tensor_input
def std(input, dim=None, unbiased=NOT_GIVEN, keepdim=False, *, correction=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Standard deviation: the square root of :func:`~reftorch.var` (same arguments).

    Mirrors ``torch.std``.

    Raises:
        RuntimeError: for integer or bool inputs.
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1., 3.], [5., 9.]]).std(0)
        tensor([2.8284, 4.2426])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("std", dim, keepdim, axis, keepdims)
    axes, correction, grad_n = _var_args(input, dim, unbiased, keepdim, correction, "std")
    return Var.apply(input, axes, correction, keepdim, True, grad_n, _name="StdBackward0")


class VarMean(Function):
    """``VarMean.apply(x, axes, correction, keepdim, root, grad_n)``: ``(var, mean)`` (``root``:
    ``(std, mean)``) with one graph node for both, as PyTorch's ``VarMeanBackward0``; the
    input's gradient is the sum of :class:`Var`'s and :class:`Mean`'s for the results that got one."""

    name = "VarMeanBackward0"
    multi_output = True
    arity = 1
    create_graph = True

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim, root, grad_n):
        # (both set ctx.shape / axes / keepdim alike; Var adds its own, Mean the count)
        return Var.forward(ctx, x, axes, correction, keepdim, root, grad_n), Mean.forward(ctx, x, axes, keepdim)

    @staticmethod
    def backward(ctx, g_var, g_mean):
        gx = None
        if g_var is not None:
            gx = Var.backward(ctx, g_var)
        if g_mean is not None:
            gm = Mean.backward(ctx, g_mean)
            gx = gm if gx is None else gx + gm
        return gx


def _with_mean(input, dim, unbiased, keepdim, correction, who, root):
    axes, correction, grad_n = _var_args(input, dim, unbiased, keepdim, correction, who)
    return VarMean.apply(input, axes, correction, keepdim, root, grad_n,
                         _name="StdMeanBackward0" if root else "VarMeanBackward0")


@tensor_input
def var_mean(input, dim=None, unbiased=NOT_GIVEN, keepdim=False, *, correction=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """``(var, mean)`` in one call, with the arguments of :func:`~reftorch.var`.

    Mirrors ``torch.var_mean``: both results share one ``VarMeanBackward0`` node
    (``output_nr`` 0 and 1).

    Raises:
        RuntimeError: for integer or bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.var_mean(torch.tensor([1., 2., 6.]))
        (tensor(7.), tensor(3.))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("var_mean", dim, keepdim, axis, keepdims)
    return _with_mean(input, dim, unbiased, keepdim, correction, "var_mean", False)


@tensor_input
def std_mean(input, dim=None, unbiased=NOT_GIVEN, keepdim=False, *, correction=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """``(std, mean)`` in one call, with the arguments of :func:`~reftorch.std`.

    Mirrors ``torch.std_mean`` (one ``StdMeanBackward0`` node for both results).

    Raises:
        RuntimeError: for integer or bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.std_mean(torch.tensor([[1., 3.], [5., 9.]]), dim=1)
        (tensor([1.4142, 2.8284]), tensor([2., 7.]))
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("std_mean", dim, keepdim, axis, keepdims)
    return _with_mean(input, dim, unbiased, keepdim, correction, "std_mean", True)


# ------------------------------------------------------------------ logsumexp
class Logsumexp(Function):
    name = "LogsumexpBackward0"
    create_graph = True  # the formula reads the input and the result through saved tensors
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        b = x._backend
        xp = b.xp
        a = x._data
        if a.size:
            top = b.amax(a, axes, True)
        else:  # (an empty reduction: sum(exp) is 0 and the result -inf)
            top = xp.zeros(_keep(xp, xp.sum(a, axis=axes), a.shape, axes, False).shape, dtype=a.dtype, **b._dev_kw())
        zero = xp.zeros((), dtype=a.dtype, **b._dev_kw())
        top = xp.where(xp.isinf(top), zero, top)  # PyTorch: an infinite max shifts by 0
        e = xp.exp(a - top)
        if _backends.is_reduced_float(xp, a.dtype):  # float16/bfloat16: summed in float32, as PyTorch
            s = xp.astype(xp.sum(xp.astype(e, xp.float32), axis=axes, keepdims=True), a.dtype)
        else:
            s = xp.sum(e, axis=axes, keepdims=True)
        out = xp.log(s) + top
        if ctx.needs_input_grad:
            ctx.axes, ctx.keepdim = axes, keepdim
            ctx.save_for_backward(x)
            ctx.save_output()
        if not keepdim:
            out = xp.reshape(out, tuple(s for i, s in enumerate(a.shape) if axes is not None and i not in axes))
        return out if not out.ndim else row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's logsumexp_backward: grad * exp(input - result), reduced dims restored
        x, out = ctx.saved_tensors
        xp = ctx.xp
        shape = x._data.shape
        res = _keep(xp, out._data, shape, ctx.axes, ctx.keepdim)
        return _keep(xp, g, shape, ctx.axes, ctx.keepdim) * conj_of(xp, xp.exp(x._data - res), x._dtype)


@tensor_input
def logsumexp(input, dim=NOT_GIVEN, keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """``log(sum(exp(input), dim))``, computed without overflow (shifted by the max).

    Integer and bool inputs give the default float dtype. Mirrors ``torch.logsumexp``.

    Args:
        input: a tensor.
        dim: an int or a tuple of ints (required).
        keepdim: keep the reduced dims as size 1.

    Raises:
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.logsumexp(torch.tensor([[0., 0.], [1000., 1000.]]), dim=1)
        tensor([6.9315e-01, 1.0007e+03])
    """
    if dim is NOT_GIVEN or dim is None or axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("logsumexp", dim, keepdim, axis, keepdims, NOT_GIVEN)
        dim = required_dim("logsumexp", dim, NOT_GIVEN)
    _check_keepdim(keepdim, "logsumexp")
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        input = input.to(D.get_default_dtype())
    axes = _dims(input, dim)
    if input.dim() == 0:
        axes = None
    elif axes is None:
        axes = tuple(range(input.dim()))
    return Logsumexp.apply(input, axes, keepdim)


# ------------------------------------------------------------------ nansum / nanmean
class Nansum(Function):
    name = "NansumBackward0"
    create_graph = True  # the gradient depends on the input only through its nan mask, a constant
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, keepdim, native):
        b = x._backend
        xp = b.xp
        a = x._data
        nan = xp.isnan(a)
        a = xp.where(nan, xp.zeros((), dtype=a.dtype, **b._dev_kw()), a)
        if a.dtype != native:
            a = b.astype(a, native)
        if ctx.needs_input_grad:
            ctx.shape, ctx.axes, ctx.keepdim, ctx.nan, ctx.in_native = x._data.shape, axes, keepdim, nan, x._data.dtype
        if _backends.is_reduced_float(xp, a.dtype):  # PyTorch accumulates half in float32
            out = xp.astype(xp.sum(xp.astype(a, xp.float32), axis=axes, keepdims=keepdim), a.dtype)
        else:
            out = xp.sum(a, axis=axes, keepdims=keepdim)
        return out if not out.ndim else row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        g = _expand_grad(xp, g, ctx.shape, ctx.axes, ctx.keepdim)
        if g.dtype != ctx.in_native:
            g = xp.astype(g, ctx.in_native)
        return g * xp.astype(xp.logical_not(ctx.nan), g.dtype)  # PyTorch's grad * ~isnan (inf * 0 is nan)


@tensor_input
def nansum(input, dim=None, keepdim=False, *, dtype=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Sum treating nan as zero. Integer and bool inputs sum as int64, as ``sum`` does.

    Mirrors ``torch.nansum``.

    Raises:
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.nansum(torch.tensor([1., float('nan'), 2.]))
        tensor(3.)
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("nansum", dim, keepdim, axis, keepdims)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        return sum(input, dim, keepdim, dtype=dtype)
    _check_keepdim(keepdim, "nansum")
    axes = _dims(input, dim)
    if input.dim() == 0:
        axes = None
    native = input._backend.dtype(dtype if dtype is not None else input._dtype)
    return Nansum.apply(input, axes, keepdim, native)


@tensor_input
def nanmean(input, dim=None, keepdim=False, *, dtype=None, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """Mean of the elements that are not nan (nan where every element is nan).

    Computed as PyTorch does: ``nansum(input) / (number of non-nan elements)``, so the
    result records ``DivBackward0``. Mirrors ``torch.nanmean``.

    Raises:
        RuntimeError: for integer or bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1., float('nan')], [2., 4.]]).nanmean(1)
        tensor([1., 3.])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("nanmean", dim, keepdim, axis, keepdims)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{D.scalar_name(input.dtype)}")
    count = sum(ne(input.detach(), input.detach()).logical_not(), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count

