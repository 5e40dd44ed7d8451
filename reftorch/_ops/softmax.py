"""``torch.softmax``/``torch.log_softmax`` and their methods; ``F.softmax`` shares the code."""
from __future__ import annotations

import warnings

from .. import _backends
from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import OpFunction
from ._common import by_row_blocks, tensor_input
from .._layout import row_major
from ._numpy_names import NOT_GIVEN, required_dim


def _cname(d):
    return D.scalar_name(d)


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", UserWarning, stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def softmax_impl(input, dim, dtype, name, stacklevel=3):
    """The shared body of ``torch.softmax``, ``Tensor.softmax`` and ``F.softmax`` (and the
    ``log_softmax`` trio): checks, the ``dtype=`` cast, the kernel."""
    if dim is None:
        dim = _implicit_dim(name, input.dim(), stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    if not input._dtype.is_floating_point and input._data.size:  # (empty input passes, as in PyTorch)
        last = "lastdim_" if not nd or d == nd - 1 else ""
        raise NotImplementedError(f'"{name}_{last}kernel_impl" not implemented for \'{_cname(input.dtype)}\'')
    fn = Softmax if name == "softmax" else LogSoftmax
    return fn.apply(input, dim=d if nd else None)  # (a 0-dim tensor: over its one element)


def _compute_dtype(xp, a):
    """Half precision is computed in float32 and rounded at the end, as PyTorch's CPU kernels."""
    return xp.float32 if _backends.is_reduced_float(xp, a.dtype) else None


def _forward(ctx, x, dim, from_shifted):
    """The forward shared by softmax and log_softmax: ``from_shifted(backend, x - max, dim)``
    along ``dim``, computed in float32 for half precision; the output is saved for the
    backward."""
    b = x._backend
    xp = b.xp
    a = x._data
    up = _compute_dtype(xp, a)
    if up is not None:
        a = xp.astype(a, up)
    if a.size == 0:  # nothing to take the max of
        y = xp.asarray(a, copy=True)
    else:
        y = _by_rows(b, lambda a, d: from_shifted(b, a - b.amax(a, d, True), d), (a,), dim)
    if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
        ctx.dim, ctx.native, ctx.up = dim, x._data.dtype, up
        ctx.save_output()
    return row_major(b, y if up is None else xp.astype(y, x._data.dtype))  # contiguous, as PyTorch


def _by_rows(b, fn, arrays, dim):
    """``fn(*arrays, dim)``, a formula of independent rows along ``dim``: on the whole
    arrays, or, where ``dim`` is the last dim of row-major arrays, a block of rows at a time
    (:meth:`Backend.row_blocks`: each pass of the formula finds its block in the cache; the
    same bits, since no row reads another)."""
    a = arrays[0]
    if a.ndim < 2 or dim != a.ndim - 1:
        return fn(*arrays, dim)
    shape = a.shape
    n = shape[-1]
    if not n:
        return fn(*arrays, dim)
    rows = a.size // n
    blocks = b.row_blocks(rows, n * b.dtype_of(a).itemsize)
    if len(blocks) == 1 or not all([b.is_c_contiguous(x) for x in arrays]):
        return fn(*arrays, dim)
    flat = [b.reshape_rows(x, (rows, n)) for x in arrays]
    return b.reshape_rows(by_row_blocks(b, lambda *blocks_of: fn(*blocks_of, 1), flat, blocks), shape)


def _backward(ctx, g, grad_op):
    """``grad_op.formula(xp, g, y, dim)`` on the saved output ``y``, in float32 for half
    precision (as PyTorch), returned in the input's dtype. On a gradient tensor
    (``create_graph``) the formula is recorded as the op ``grad_op``, PyTorch's fused node."""
    (y,) = ctx.saved_tensors
    xp, y = ctx.xp, y._data
    if isinstance(g, Tensor):  # (the op upcasts half precision inside, as PyTorch's kernel)
        return grad_op.apply(g, y, dim=ctx.dim)
    if ctx.up is not None:
        y, g = xp.astype(y, ctx.up), xp.astype(g, ctx.up)
    out = _by_rows(ctx.backend, lambda g, y, d: grad_op.formula(xp, g, y, d), (g, y), ctx.dim)
    return out if out.dtype == ctx.native else xp.astype(out, ctx.native)


class _GradData(OpFunction):
    """The gradient ``formula(xp, g, y, dim)`` of softmax / log_softmax from the incoming
    gradient ``g`` and the saved output ``y``, as a graph op (``create_graph``):
    ``grad_g``/``grad_y`` are its derivatives, times the incoming ``gg``, over ``xp``."""

    create_graph = True
    arity = 2

    @classmethod
    def forward(cls, ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        xp = g._backend.xp
        a, b = g._data, y._data
        up = _compute_dtype(xp, b)
        if up is not None:  # half precision: computed in float32, rounded at the end
            out = xp.astype(cls.formula(xp, xp.astype(a, up), xp.astype(b, up), dim), b.dtype)
        else:
            out = cls.formula(xp, a, b, dim)
        return out

    @classmethod
    def backward(cls, ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (cls.grad_g(ctx.xp, gg, g._data, y._data, ctx.dim) if need[0] else None,
                cls.grad_y(ctx.xp, gg, g._data, y._data, ctx.dim) if need[1] else None)


class SoftmaxBackwardData(_GradData):
    name = "SoftmaxBackwardDataBackward0"

    @staticmethod
    def formula(xp, g, y, dim):  # (arrays: the difference is a fresh array, scaled in place)
        d = g - xp.sum(g * y, axis=dim, keepdims=True)
        d *= y
        return d

    @staticmethod
    def grad_g(xp, gg, g, y, dim):  # the map is symmetric in g: the same op again
        if isinstance(gg, Tensor):
            return SoftmaxBackwardData.apply(gg, y, dim=dim)
        return SoftmaxBackwardData.formula(xp, gg, y, dim)

    @staticmethod
    def grad_y(xp, gg, g, y, dim):
        # PyTorch's softmax_double_backward, in its order of operations
        return g * gg - xp.sum(y * g, axis=dim, keepdims=True) * gg - g * xp.sum(y * gg, axis=dim, keepdims=True)


class LogSoftmaxBackwardData(_GradData):
    name = "LogSoftmaxBackwardDataBackward0"

    @staticmethod
    def formula(xp, g, y, dim):
        # g - exp(y) * sum(g), in the one fresh array exp(y): g + (-(e * s)) is g - e * s
        # bit for bit, and a second full-size result would cost page faults as well as a pass
        e = xp.exp(y)
        e *= -xp.sum(g, axis=dim, keepdims=True)
        e += g
        return e

    @staticmethod
    def grad_g(xp, gg, g, y, dim):
        return gg - xp.sum(gg * xp.exp(y), axis=dim, keepdims=True)

    @staticmethod
    def grad_y(xp, gg, g, y, dim):
        return -xp.sum(g, axis=dim, keepdims=True) * xp.exp(y) * gg


class Softmax(OpFunction):
    """``exp(x - max) / sum(exp(x - max))`` along ``dim`` (``grad_fn`` ``SoftmaxBackward0``)."""

    name = "SoftmaxBackward0"
    create_graph = True  # the output is saved as a tensor (see autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        xp, native = x._backend.xp, x._data.dtype
        # Half precision along a dim other than the last: PyTorch's kernel stores the
        # exponentials in the output's dtype (rounded), sums them unrounded in float32,
        # then divides the rounded ones by that sum (float32, rounded once at the end).
        nd = x._data.ndim
        inner = nd > 1 and dim % nd != nd - 1 and _compute_dtype(xp, x._data) is not None

        def from_shifted(b, shifted, dim):
            e = b.xp.exp(shifted)
            total = b.sum(e, dim, True, None)
            if inner:
                e = b.xp.astype(b.xp.astype(e, native), e.dtype)
            e /= total  # (in place: one full-size temporary fewer)
            return e
        return _forward(ctx, x, dim, from_shifted)

    @staticmethod
    def backward(ctx, g):
        return _backward(ctx, g, SoftmaxBackwardData)


class LogSoftmax(OpFunction):
    """``x - max - log(sum(exp(x - max)))`` along ``dim`` (``grad_fn`` ``LogSoftmaxBackward0``)."""

    name = "LogSoftmaxBackward0"
    create_graph = True  # the output is saved as a tensor (see autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        def from_shifted(b, shifted, dim):  # (shifted is a fresh array: written in place)
            shifted -= b.xp.log(b.sum(b.xp.exp(shifted), dim, True, None))
            return shifted
        return _forward(ctx, x, dim, from_shifted)

    @staticmethod
    def backward(ctx, g):
        return _backward(ctx, g, LogSoftmaxBackwardData)


@tensor_input
def softmax(input, dim=NOT_GIVEN, dtype=None, *, axis=NOT_GIVEN):
    """``exp(x) / exp(x).sum(dim)``: probabilities along ``dim``.

    Args:
        input: a floating point tensor (cast to ``dtype`` first when given).
        dim: the dimension whose entries sum to 1 (required, unlike ``F.softmax``).
        dtype: the dtype to compute in (e.g. ``torch.float64``).

    Returns:
        A tensor of ``input``'s shape; ``grad_fn`` is ``SoftmaxBackward0``.

    Raises:
        NotImplementedError: for integer input.
        IndexError: if ``dim`` is out of range.

    Mirrors ``torch.softmax`` and ``Tensor.softmax``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1., 2., 3.]).softmax(0)
        tensor([0.0900, 0.2447, 0.6652])
    """
    if dim is NOT_GIVEN or dim is None or axis is not NOT_GIVEN:
        dim = required_dim("softmax", dim, axis)
    return softmax_impl(input, dim, dtype, "softmax")


@tensor_input
def log_softmax(input, dim=NOT_GIVEN, dtype=None, *, axis=NOT_GIVEN):
    """``log(softmax(x))`` computed stably. Mirrors ``torch.log_softmax`` and
    ``Tensor.log_softmax`` (see :func:`softmax` for the arguments).

    Args:
        input: a floating point tensor (cast to ``dtype`` first when given).
        dim: the dimension along which ``exp`` of the result sums to 1.
        dtype: the dtype to compute in (e.g. ``torch.float64``).

    Examples:
        >>> import reftorch as torch
        >>> torch.log_softmax(torch.tensor([1., 2., 3.]), dim=0)
        tensor([-2.4076, -1.4076, -0.4076])
    """
    if dim is NOT_GIVEN or dim is None or axis is not NOT_GIVEN:
        dim = required_dim("log_softmax", dim, axis)
    return softmax_impl(input, dim, dtype, "log_softmax")
