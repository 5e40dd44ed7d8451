"""The differentiable operations behind ``reftorch.nn.functional``.

Each is a :class:`~reftorch.autograd.function.OpFunction` whose ``grad_fn`` name is the one
PyTorch shows (``AddmmBackward0``, ``EmbeddingBackward0``, ``SoftmaxBackward0`` …). The
kernels work on backend arrays through ``xp`` (NumPy on the CPU, CuPy on CUDA) and the
backend's ``index_add`` for scatter-adds, so the same code runs on both devices.
"""
from __future__ import annotations

import math

from .. import _backends
from .. import _dtype as D
from .._backends import select as _select
from .._layout import elementwise_strides as _elementwise_strides, like_input as _like_input
from .._layout import with_strides as _with_strides
from .._ops.indexing import IndexAdd
from .._ops.pointwise import _opmath, sigmoid as _sigmoid, tanh as _tanh
from .._tensor import Tensor
from ..autograd._graph import array_key
from ..autograd.function import OpFunction as Function
from .._ops._common import by_element_blocks, conj_of, sum_to_shape


def _xp(t):
    return t._backend.xp


# ---------------------------------------------------------------------- linear
class Addmm(Function):
    """``bias + x @ wt`` for a 2-D ``x``; ``wt`` is the transposed weight."""

    name = "AddmmBackward0"
    create_graph = True
    arity = 3

    @staticmethod
    def forward(ctx, bias, x, wt):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(x if need[2] else None, wt if need[1] else None)
            ctx.bias_shape = bias._data.shape
        b = x._backend
        a, w, c = x._data, wt._data, bias._data
        if _backends.is_reduced_float(b.xp, a.dtype):  # float16/bfloat16: in float32, rounded once
            f32 = b.xp.float32
            return b.xp.astype(b.mm(b.xp.astype(a, f32), b.xp.astype(w, f32)) + b.xp.astype(c, f32), a.dtype)
        return b.mm(a, w) + c

    @staticmethod
    def backward(ctx, g):
        x, wt = ctx.saved_tensors
        xp = ctx.xp
        need = ctx.needs_input_grad
        gb = sum_to_shape(xp, g, ctx.bias_shape) if need[0] else None
        # PyTorch: grad @ mat2.mH, mat1.mH @ grad (conjugated for complex)
        gx = xp.matmul(g, conj_of(xp, xp.matrix_transpose(wt._data), wt._dtype)) if need[1] else None
        gw = xp.matmul(conj_of(xp, xp.matrix_transpose(x._data), x._dtype), g) if need[2] else None
        return gb, gx, gw


# ---------------------------------------------------------------------- softmax family
from .._ops.softmax import LogSoftmax, Softmax  # noqa: F401  (they live with torch.softmax)


class Softplus(Function):
    name = "SoftplusBackward0"
    create_graph = True
    elementwise = True  # laid out like the input (TensorIterator)
    arity = 1

    @staticmethod
    def kernel(be, a, beta, threshold):
        xp = be.xp
        bx = a * beta
        capped = xp.minimum(bx, xp.full(bx.shape, threshold, dtype=bx.dtype, **be._dev_kw()))
        return xp.where(bx > threshold, a, xp.log1p(xp.exp(capped)) / beta)

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return _half_in_float32(Softplus.kernel, x, beta=beta, threshold=threshold)  # float16: as PyTorch

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gi = _input_grad(SoftplusBackward, ctx, g, x._data, beta=ctx.beta, threshold=ctx.threshold)
        return _laid_out_like_grad(ctx, gi, g, x._data)


def _input_grad(op, ctx, g, x, **params):
    """The gradient ``op.formula(xp, g, x, **params)`` of an element-wise op from its input
    ``x``; on a gradient tensor (``create_graph``) recorded as ``op``, PyTorch's fused node."""
    if isinstance(g, Tensor):
        return op.apply(g, x, **params)
    return _opmath(op.formula, ctx.xp, g, x, **params)


class _InputGrad(Function):
    """``formula(xp, g, x, **params)``, the gradient of an element-wise op, as a graph op
    (``SoftplusBackwardBackward0`` …). Linear in ``g``: its gradient for ``g`` is the same
    op; ``grad_x`` gives the one for ``x`` (over ``xp``, arrays or tensors)."""

    create_graph = True
    elementwise = True

    @classmethod
    def forward(cls, ctx, g, x, **params):
        ctx.save_for_backward(g, x)
        ctx.params = params
        return _opmath(cls.formula, g._backend.xp, g._data, x._data, **params)

    @classmethod
    def backward(cls, ctx, gg):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (_input_grad(cls, ctx, gg, x._data, **ctx.params) if need[0] else None,
                cls.grad_x(ctx.xp, gg, g._data, x._data, **ctx.params) if need[1] else None)


class SoftplusBackward(_InputGrad):
    name = "SoftplusBackwardBackward0"

    @staticmethod
    def formula(xp, g, x, beta, threshold):
        bx = x * beta
        z = xp.exp(xp.where(bx > threshold, xp.zeros_like(bx), bx))
        return xp.where(bx > threshold, g, g * z / (z + 1))

    @staticmethod
    def grad_x(xp, gg, g, x, beta, threshold):
        bx = x * beta
        z = xp.exp(xp.where(bx > threshold, xp.zeros_like(bx), bx))
        s = z / (z + 1)  # sigmoid(beta * x)
        return xp.where(bx > threshold, xp.zeros_like(bx), gg * g * beta * s * (1 - s))


class LeakyRelu(Function):
    name = "LeakyReluBackward0"
    create_graph = True
    elementwise = True  # laid out like the input (TensorIterator), size-1 dims included
    arity = 1

    @staticmethod
    def kernel(be, a, slope):
        xp = be.xp
        if 2.0 ** -24 <= slope <= 1:  # the where's values (signed zeros, inf, nan: the slope is no
            return xp.maximum(a, a * slope)  # 0 in the dtype) without its branch per element (~10x a multiply)
        return xp.where(a > 0, a, a * slope)

    @staticmethod
    def forward(ctx, x, slope, inplace=False):
        ctx.save_for_backward(x)
        ctx.slope, ctx.inplace = slope, inplace
        return _half_in_float32(LeakyRelu.kernel, x, slope=slope)  # (float16: the slope a float, as PyTorch)

    @staticmethod
    def backward(ctx, g):
        if ctx.inplace and ctx.slope < 0:  # (PyTorch's in-place node keeps the result, whose sign a
            raise RuntimeError(_LEAKY_INPLACE_NEGATIVE)  # negative slope has flipped)
        (x,) = ctx.saved_tensors
        return _laid_out_like_grad(ctx, _input_grad(LeakyReluBackward, ctx, g, x._data, slope=ctx.slope), g, x._data)


_LEAKY_INPLACE_NEGATIVE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is "
    "caused by calling in-place forward function with a negative slope, please call out-of-place version instead. "
    "File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward "
    "calculation with negative slope")


class LeakyReluBackward(_InputGrad):
    name = "LeakyReluBackwardBackward0"

    @staticmethod
    def formula(xp, g, x, slope):
        return _select(xp, x > 0, g, g * slope)

    @staticmethod
    def grad_x(xp, gg, g, x, slope):
        return xp.zeros_like(x)  # piecewise linear: zero, but in the graph as in PyTorch


# ---------------------------------------------------------------------- embedding
class Embedding(Function):
    """Row lookup ``weight[indices]``; the backward scatter-adds rows of the gradient."""

    name = "EmbeddingBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        xp = _xp(weight)
        flat = xp.reshape(indices._data, (-1,))
        ctx.flat, ctx.num = flat, weight._data.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        if scale_grad_by_freq:
            # PyTorch's double backward of this case leaves out the division by the counts;
            # rather than differ from it, reftorch does not offer create_graph here.
            ctx.create_graph = False
        ctx.dtype, ctx.backend = weight.dtype, weight._backend
        out = weight._backend.take_in_range(weight._data, flat, 0)  # embedding() checked the indices
        return xp.reshape(out, tuple(indices._data.shape) + (weight._data.shape[1],))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        flat, num = ctx.flat, ctx.num
        rows = xp.reshape(g, (flat.shape[0], g.shape[-1]))  # (-1 is ambiguous for an empty batch)
        if ctx.scale:
            # Divide each row's gradient by how often its index occurs in this batch.
            ones = xp.ones(flat.shape, dtype=rows.dtype, **ctx.backend._dev_kw())
            counts = xp.take(ctx.backend.index_add((num,), ctx.dtype, 0, flat, ones), flat, axis=0)
            rows = rows / xp.astype(xp.reshape(counts, (-1, 1)), rows.dtype)
        pad = ctx.padding_idx if ctx.padding_idx is not None and ctx.padding_idx >= 0 else None
        if isinstance(g, Tensor):  # create_graph: the row sums recorded under PyTorch's node name
            if pad is not None:
                keep = flat != pad
                rows = rows[keep]
                flat = flat[keep]
            return IndexAdd.apply(rows, shape=(num, rows.shape[1]), dtype=ctx.dtype, axis=0, index=array_key(flat),
                                  _name="EmbeddingDenseBackwardBackward0"), None
        out = ctx.backend.index_add((num, rows.shape[1]), ctx.dtype, 0, flat, rows)
        if pad is not None:
            # The padding row gets no gradient: add every row (no copy of the gradient
            # without the padding rows), then zero that one row. The other rows' sums are
            # the same, in the same order.
            ctx.backend.setitem(out, pad, 0)
        return out, None


# ---------------------------------------------------------------------- losses
def _kw(t):
    """Device keyword for creating arrays next to tensor ``t``."""
    return t._backend._dev_kw()


def _reduce(xp, loss, reduction):
    if reduction == "mean":
        if math.prod(loss.shape) == 0:  # the mean of nothing: nan, as PyTorch (no NumPy warning)
            return xp.sum(loss) / xp.zeros((), dtype=loss.dtype, device=loss.device)
        return xp.mean(loss)
    if reduction == "sum":
        return xp.sum(loss)
    return loss


def _unreduce(gl, g, reduction, n):
    """The gradient of a reduced loss with respect to its elements ``gl``."""
    if reduction == "mean":
        return gl * (g / n)
    return gl * g


def _log_sigmoid(xp, z):
    """``log(sigmoid(z)) = -(max(-z, 0) + log1p(exp(-|z|)))``, stable for large ``|z|``."""
    zero = xp.zeros_like(z)
    return -(xp.maximum(-z, zero) + xp.log1p(xp.exp(-xp.abs(z))))


class MseLoss(Function):
    name = "MseLossBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, y, reduction):
        xp = _xp(x)
        d = x._data - y._data
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.n = reduction, math.prod(d.shape)
        return _reduce(xp, d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph: PyTorch's fused node
            gd = MseLossBackward.apply(g, x._data, y._data, reduction=ctx.reduction, n=ctx.n)
        else:
            gd = MseLossBackward.formula(g, x._data, y._data, ctx.reduction, ctx.n)
        return (gd if ctx.needs_input_grad[0] else None,
                -gd if ctx.needs_input_grad[1] else None)


class MseLossBackward(Function):
    """The gradient of ``mse_loss`` for its input, ``(g, x, y) -> 2 (x - y) g`` (over ``n``
    for ``'mean'``), as a graph op (``MseLossBackwardBackward0``)."""

    name = "MseLossBackwardBackward0"
    create_graph = True
    arity = 3

    @staticmethod
    def formula(g, x, y, reduction, n):
        # PyTorch's kernel: ``norm * (x - y) * g`` with ``norm = 2 / n`` (mean) or 2, in the
        # input's dtype: scaled before the product with g, so 3e38 gives 8.6e37 and not inf
        norm = 2.0 / n if reduction == "mean" else 2.0
        return norm * (x - y) * g

    @staticmethod
    def forward(ctx, g, x, y, reduction, n):
        ctx.save_for_backward(g, x, y)
        ctx.reduction, ctx.n = reduction, n
        return MseLossBackward.formula(g._data, x._data, y._data, reduction, n)

    @staticmethod
    def backward(ctx, gg):
        g, x, y = ctx.saved_tensors
        xp, need = ctx.xp, ctx.needs_input_grad
        gg_g = gx = None
        if need[0]:
            gg_g = 2 * (x._data - y._data) * gg
            if ctx.reduction != "none":
                gg_g = xp.sum(gg_g) / ctx.n if ctx.reduction == "mean" else xp.sum(gg_g)
        if need[1] or need[2]:
            gx = _unreduce(2 * gg, g._data, ctx.reduction, ctx.n)
        return gg_g, gx if need[1] else None, -gx if need[2] else None


class _NllState:
    """What ``nll_loss``'s gradient needs from its forward: the input's shape ``dims``, its
    ``(n, c, hw)`` view (``hw``: the spatial size of ``nll_loss2d``'s ``(N, C, H, W)``, 1
    otherwise), each of the ``n * hw`` targets (``safe``: 0 where ignored), ``valid`` (not
    ignored), its weight ``wi`` (0 where ignored), the summed weight ``total`` (``mean``),
    and the forward's arguments, to compute the loss again as the gradient's own gradient
    (``create_graph``)."""

    __slots__ = ("dims", "shape", "safe", "valid", "wi", "total", "kw", "op", "target", "weight", "reduction",
                 "ignore_index")


def _nll_forward(st, b, a, t, w, reduction, ignore_index):
    """``nll_loss`` of the array ``a`` (``(C,)``, ``(N, C)`` or ``nll_loss2d``'s ``(N, C,
    H, W)``) for the targets ``t`` (``()``/``(1,)``, ``(N,)``, ``(N, H, W)``) on backend
    ``b``, filling ``st`` (an :class:`_NllState`, or None)."""
    xp, kw = b.xp, b._dev_kw()
    dims = tuple(a.shape)
    n = dims[0] if len(dims) > 1 else 1
    c = dims[1] if len(dims) > 1 else dims[0]
    hw = math.prod(dims[2:])
    t = b.astype(xp.reshape(t, (-1,)), b.dtype(D.int64), copy=False)
    if ignore_index is None:  # no target is ignored (the caller checked): all valid, safe as they are
        valid, safe = None, t
        wi = None if w is None else b.take_in_range(w, t, 0)  # (None: a weight of 1 everywhere)
    else:
        valid = t != ignore_index
        safe = xp.where(valid, t, 0)
        if w is None:  # a weight of 1 per class: 1 where the target counts, 0 where ignored
            wi = b.astype(valid, a.dtype)
        else:
            wi = xp.where(valid, b.take_in_range(w, safe, 0), xp.zeros((), dtype=a.dtype, **kw))
    if not c:  # no class at all: every target is ignored (the caller checked)
        picked = xp.zeros((n * hw,), dtype=a.dtype, **kw)
    elif len(dims) == 2:  # (a flat take: cheaper than take_along_axis on a batch of rows)
        picked = b.take_in_range(xp.reshape(a, (-1,)), xp.arange(0, n * c, c, dtype=xp.int64, **kw) + safe)
    else:
        a = xp.reshape(a, (n, c, hw))
        picked = b.reshape_rows(b.take_along_axis(a, b.reshape_rows(safe, (n, 1, hw)), 1), (-1,))
    losses = -picked if wi is None else -picked * wi  # (-x * 1 is -x, bit for bit)
    if valid is not None:  # an ignored target's loss is +0 (-x * 0 would be -0. for a positive x)
        losses = xp.where(valid, losses, xp.zeros((), dtype=losses.dtype, **kw))
    if st is not None:
        st.dims, st.shape, st.safe, st.valid, st.wi, st.kw = dims, (n, c, hw), safe, valid, wi, kw
    if reduction == "none":
        if len(dims) == 4:
            return b.reshape_rows(losses, (n,) + dims[2:])
        return losses[0] if len(dims) == 1 else losses
    if reduction == "sum":
        return b.sum(losses, None, False, None)
    # the summed weights (with a weight of 1 each: the count, as PyTorch's total_weight)
    total = xp.asarray(float(n * hw), dtype=a.dtype, **kw) if wi is None else b.sum(wi, None, False, None)
    if st is not None:
        st.total = total
    if not (n * hw if wi is None else bool(total != 0)):  # every target ignored (or none): nan, as in PyTorch,
        zero = xp.zeros((), dtype=a.dtype, **kw)  # whose 0 / 0 gives the machine's own nan (x86: sign bit set)
        return zero / zero
    return b.sum(losses, None, False, None) / total


def _nll_grad(b, g, st):
    """The gradient of ``nll_loss`` for the incoming gradient array ``g``, as PyTorch's CPU
    kernel writes it into zeros: ``-w * g`` at each row's target (``none``), ``w * -(g /
    total)`` (``mean``; ``nan`` for a zero weight when all weights sum to zero), ``w * -g``
    (``sum``), zero elsewhere and in an ignored row. The signs of zeros are PyTorch's too
    (a zero gradient gives ``-0.`` at the targets)."""
    xp = b.xp
    n, c, hw = st.shape
    if st.reduction == "none":
        v = -xp.reshape(g, (-1,)) if st.wi is None else -st.wi * xp.reshape(g, (-1,))
    else:  # (with a weight of 1 everywhere: the one value, repeated; w * v is v bit for bit)
        v = -g if st.reduction == "sum" else -(g / st.total)
        v = xp.broadcast_to(v, (n * hw,)) if st.wi is None else st.wi * v
    if st.valid is not None:
        v = xp.where(st.valid, v, xp.zeros_like(v))  # an ignored row stays +0 (its weight is 0)
    # one scatter, no (N, C) mask; adding into zeros turns a -0. into +0., so a gradient
    # with a negative zero (rare: a zero incoming gradient or class weight) is placed by a mask
    rows = xp.arange(n * hw, dtype=xp.int64, **st.kw)
    if hw == 1:
        pos = rows * c + st.safe
    else:  # row i * hw + k is element (i, target, k) of the (N, C, hw) gradient
        pos = (rows // hw * c + st.safe) * hw + rows % hw
    out = b.scatter_add((n, c, hw), b.dtype_of(v), pos, v)
    if bool(xp.any(v == 0)) and bool(xp.any(xp.signbit(v) & (v == 0))):
        at = xp.reshape(xp.arange(c, dtype=xp.int64, **st.kw), (1, c, 1)) == xp.reshape(st.safe, (n, 1, hw))
        if st.valid is not None:
            at = at & xp.reshape(st.valid, (n, 1, hw))
        out = xp.where(at, xp.reshape(v, (n, 1, hw)), out)
    return xp.reshape(out, st.dims)


class NllLoss(Function):
    """``-input[i, target[i]]`` (times the class weight), reduced; ``input`` is (N, C) or (C,).
    Its gradient, under ``create_graph``, is the node :class:`NllLossBackward`
    (``NllLossBackwardBackward0``), as in PyTorch."""

    name = "NllLossBackward0"
    create_graph = True
    arity = 2
    nondiff = (1,)  # the target: no edge in next_functions

    @classmethod
    def forward(cls, ctx, x, target, weight, reduction, ignore_index):
        st = _NllState()
        st.op, st.target, st.weight, st.reduction, st.ignore_index = cls, target, weight, reduction, ignore_index
        out = _nll_forward(st, x._backend, x._data, target._data, None if weight is None else weight._data,
                           reduction, ignore_index)
        ctx.save_for_backward(x)  # (PyTorch saves it: an in-place change of x is an error)
        ctx.nll = st
        return out

    @staticmethod
    def backward(ctx, g):
        st = ctx.nll
        if isinstance(g, Tensor):  # create_graph: a node of its own, on g and (formally) x
            x = ctx.saved_tensors[0]._data
            return NllLossBackward.apply(g, x, st=st, _name=st.op.grad_name), None
        return _nll_grad(ctx.backend, g, st), None


NllLoss.grad_name = "NllLossBackwardBackward0"


class NllLoss2d(NllLoss):
    """:class:`NllLoss` of an ``(N, C, H, W)`` input (PyTorch's ``nll_loss2d``)."""

    name = "NllLoss2DBackward0"
    grad_name = "NllLoss2DBackwardBackward0"


class NllLossBackward(Function):
    """The gradient of ``nll_loss`` as a graph op (``create_graph``), on the incoming gradient
    ``g`` and nll_loss's input ``x``: linear in ``g``, whose own gradient is the loss again
    (``nll_loss(gg, target, ...)``), and constant in ``x`` (a zero gradient, as PyTorch's)."""

    name = "NllLossBackwardBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, g, x, st):
        ctx.nll = st
        return _nll_grad(g._backend, g._data, st)

    @staticmethod
    def backward(ctx, gg):
        st = ctx.nll
        need = ctx.needs_input_grad
        dg = dx = None
        if need[0]:
            if isinstance(gg, Tensor):
                dg = st.op.apply(gg, st.target, weight=st.weight, reduction=st.reduction,
                                 ignore_index=st.ignore_index)
            else:
                b = ctx.backend
                dg = _nll_forward(None, b, gg, st.target._data,
                                  None if st.weight is None else st.weight._data, st.reduction, st.ignore_index)
        if need[1]:
            dx = ctx.xp.zeros_like(gg)
        return dg, dx


class BinaryCrossEntropy(Function):
    name = "BinaryCrossEntropyBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        xp = _xp(x)
        p, t = x._data, y._data
        floor = xp.full(p.shape, -100.0, dtype=p.dtype, **_kw(x))
        ones = xp.ones_like(p)
        # log(p) and log(1 - p) clamped at -100 (PyTorch's rule), without evaluating log(0)
        log_p = xp.maximum(xp.where(p > 0, xp.log(xp.where(p > 0, p, ones)), floor), floor)
        log_1mp = xp.maximum(xp.where(p < 1, xp.log1p(-xp.where(p < 1, p, xp.zeros_like(p))), floor), floor)
        loss = -(t * log_p + (1 - t) * log_1mp)
        w = None if weight is None else xp.broadcast_to(weight._data, loss.shape)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.reduction, ctx.n, ctx.kw = w, reduction, math.prod(loss.shape), _kw(x)
        return _reduce(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        p, t = x._data, y._data
        eps = xp.full(p.shape, 1e-12, dtype=p.dtype, **ctx.kw)
        gp = (p - t) / xp.maximum((1 - p) * p, eps)
        if ctx.w is not None:
            gp = gp * ctx.w
        gp = _unreduce(gp, g, ctx.reduction, ctx.n)
        gt = None
        if ctx.needs_input_grad[1]:
            gt = xp.log1p(-p) - xp.log(p)
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _unreduce(gt, g, ctx.reduction, ctx.n)
        return gp, gt


class BinaryCrossEntropyWithLogits(Function):
    """``(1 - t) * z - lw * log(sigmoid(z))`` with ``lw = 1 + (pos_weight - 1) * t``."""

    name = "BinaryCrossEntropyWithLogitsBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        xp = _xp(x)
        z, t = x._data, y._data
        log_sig = _log_sigmoid(xp, z)
        if pos_weight is not None:
            loss = (1 - t) * z - (1 + (pos_weight._data - 1) * t) * log_sig
        else:
            loss = (1 - t) * z - log_sig
        w = None if weight is None else xp.broadcast_to(weight._data, loss.shape)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.pw = w, (None if pos_weight is None else pos_weight._data)
        ctx.reduction, ctx.n = reduction, math.prod(loss.shape)
        return _reduce(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        z, t = x._data, y._data
        sig = 1 / (1 + xp.exp(-z))
        if ctx.pw is not None:
            gz = (1 - t) - (1 + (ctx.pw - 1) * t) * (1 - sig)
        else:
            gz = sig - t
        if ctx.w is not None:
            gz = gz * ctx.w
        gz = _unreduce(gz, g, ctx.reduction, ctx.n)
        gt = None
        if ctx.needs_input_grad[1]:
            gt = -z if ctx.pw is None else -z - (ctx.pw - 1) * _log_sigmoid(xp, z)
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _unreduce(gt, g, ctx.reduction, ctx.n)
        return gz, gt


# ---------------------------------------------------------------------- smooth L1 / Huber
class SmoothL1Loss(Function):
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = x - y``), reduced.

    With ``huber=True`` it is the Huber loss (``HuberLossBackward0``): ``0.5 d**2`` where
    ``|d| < delta``, else ``delta (|d| - 0.5 delta)``; ``beta`` then holds ``delta``.
    """

    name = "SmoothL1LossBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, y, reduction, beta, huber=False):
        b = x._backend
        xp = b.xp
        native = x._data.dtype

        def elements(a, c):  # (element-wise: by blocks of elements)
            z = xp.abs(a - c)
            if huber:
                loss = b.select(z < beta, 0.5 * z * z, beta * (z - 0.5 * beta))
                return loss if loss.dtype == native else xp.astype(loss, native)  # (stored as the input)
            return b.select(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
        loss = by_element_blocks(b, elements, (x._data, y._data))
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.n, ctx.beta, ctx.huber = reduction, math.prod(loss.shape), beta, huber
        return _reduce(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        beta = ctx.beta
        cap = beta if ctx.huber else 1.0
        b = ctx.backend

        def elements(a, c):  # (element-wise: by blocks of elements)
            d = a - c
            one = xp.ones_like(d)
            return b.select(d <= -beta, -cap * one, b.select(d >= beta, cap * one, d if ctx.huber else d / beta))
        gd = _unreduce(by_element_blocks(b, elements, (x._data, y._data)), g, ctx.reduction, ctx.n)
        gx = gd if ctx.needs_input_grad[0] else None
        gy = -gd if ctx.needs_input_grad[1] else None
        if gx is not None and gx.dtype != x._data.dtype:  # huber of mixed float dtypes
            gx = xp.astype(gx, x._data.dtype)
        if gy is not None and gy.dtype != y._data.dtype:
            gy = xp.astype(gy, y._data.dtype)
        return gx, gy


# ---------------------------------------------------------------------- gelu, silu
_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 2 / math.sqrt(math.pi) * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi)
_GELU_BETA = math.sqrt(2) * 2 / math.sqrt(math.pi) * 0.5  # sqrt(2 / pi)
_GELU_KAPPA = 0.044715


def _half_in_float32(f, x, **params):
    """``f(backend, a, **params)``, an element-wise kernel, on ``x``'s array; float16 and
    bfloat16 computed in float32 and rounded once, as PyTorch's CPU kernels do (its
    ``opmath`` type). A row-major array goes by blocks of elements (``by_element_blocks``)."""
    be = x._backend
    xp = be.xp
    if _backends.is_reduced_float(xp, x._data.dtype):
        half = x._data.dtype

        def fn(a):
            return xp.astype(f(be, xp.astype(a, xp.float32), **params), half)
    else:
        def fn(a):
            return f(be, a, **params)
    return by_element_blocks(be, fn, (x._data,))


class Gelu(Function):
    """``x * Phi(x)`` (``approximate='none'``, Phi the normal CDF through ``erf``) or its
    ``tanh`` approximation ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""

    name = "GeluBackward0"
    create_graph = True
    elementwise = True
    arity = 1

    @staticmethod
    def kernel(be, a, approximate):
        xp = be.xp
        with be.quiet():
            if approximate == "tanh":
                inner = _GELU_BETA * (a + _GELU_KAPPA * (a * a * a))
                return 0.5 * a * (1 + xp.tanh(inner))
            return a * 0.5 * (1 + be.erf(a * _SQRT1_2))

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        ctx.be = x._backend  # the array backend (erf), also when backward runs on tensors
        return _half_in_float32(Gelu.kernel, x, approximate=approximate)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gi = _input_grad(GeluBackward, ctx, g, x._data, approximate=ctx.approximate, be=ctx.be)
        return _laid_out_like_grad(ctx, gi, g, x._data)


class GeluBackward(_InputGrad):
    name = "GeluBackwardBackward0"

    @staticmethod
    def formula(xp, g, x, approximate, be):
        with be.quiet():
            if approximate == "tanh":
                x_sq = x * x
                tanh_inner = xp.tanh(_GELU_BETA * (x + _GELU_KAPPA * x_sq * x))
                right = 1 + tanh_inner
                right_derivative = (1 - tanh_inner * tanh_inner) * (_GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq))
                return g * (0.5 * right + 0.5 * x * right_derivative)
            cdf = 0.5 * (1 + be.erf(x * _SQRT1_2))
            pdf = xp.exp(-0.5 * x * x) * _GELU_PDF
            return g * (cdf + x * pdf)

    @staticmethod
    def grad_x(xp, gg, g, x, approximate, be):
        with be.quiet():  # cosh overflows to inf for large |x|, as in PyTorch
            return GeluBackward._grad_x(xp, gg, g, x, approximate)

    @staticmethod
    def _grad_x(xp, gg, g, x, approximate):
        # the second derivative of gelu, times g and gg, in PyTorch's terms (gelu_double_backward)
        if approximate == "tanh":
            inner = _GELU_BETA * (x + _GELU_KAPPA * (x * x * x))
            tanh_inner = xp.tanh(inner)
            sech_inner = 1 / xp.cosh(inner)
            f = 0.5 * x
            gt = 1 - tanh_inner * tanh_inner
            h = _GELU_BETA * (1 + 3 * _GELU_KAPPA * x * x)
            f_prime_gh = 0.5 * gt * h
            g_prime = (2 * sech_inner) * (-sech_inner * tanh_inner) * h
            g_prime_fh = f * h * g_prime
            h_prime = 6 * _GELU_KAPPA * x * _GELU_BETA
            h_prime_fg = f * gt * h_prime
            return gg * g * (f_prime_gh + f_prime_gh + g_prime_fh + h_prime_fg)
        pdf = _GELU_PDF * xp.exp(-0.5 * (x * x))
        return gg * g * (2 * pdf + x * (-x * pdf))


class _SelfGated(Function):
    """An activation ``x * f(x)`` (SiLU, Mish) whose gradient PyTorch computes with one fused
    formula, and under ``create_graph`` op by op. A subclass gives the array ``kernel(be, a)``
    and ``formula(xp, g, x)``, and the tensor ``composite(g, a)``."""

    create_graph = True
    elementwise = True
    arity = 1

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return _half_in_float32(cls.kernel, x)

    @classmethod
    def backward(cls, ctx, g):
        (x,) = ctx.saved_tensors
        a = x._data
        if isinstance(g, Tensor):  # create_graph: PyTorch's composite, recorded op by op
            return cls.composite(g, a)
        with x._backend.quiet():
            return _laid_out_like_grad(ctx, _opmath(cls.formula, ctx.xp, g, a), g, a)


class Silu(_SelfGated):
    """``x * sigmoid(x)``, computed as ``x / (1 + exp(-x))`` like PyTorch's kernel."""

    name = "SiluBackward0"

    @staticmethod
    def kernel(be, a):
        with be.quiet():
            return a / (1 + be.xp.exp(-a))

    @staticmethod
    def formula(xp, g, x):
        s = 1 / (1 + xp.exp(-x))
        return g * s * (1 + x * (1 - s))

    @staticmethod
    def composite(g, a):
        s = _sigmoid(a)
        return g * s * (1.0 + a * (1.0 - s))


# ---------------------------------------------------------------------- elu, hardtanh, mish
def _laid_out_like_grad(ctx, gi, g, x):
    """``gi`` (computed with ``where``, whose layout NumPy does not take from its operands)
    laid out as PyTorch's TensorIterator lays out the result of ``(g, x)``."""
    if isinstance(g, Tensor) or gi.ndim < 2:
        return gi
    be = ctx.backend
    want = _elementwise_strides(tuple(gi.shape), [(tuple(a.shape), be.strides(a)) for a in (g, x)])
    return _with_strides(be, gi, want)


class Elu(Function):
    """``scale * x`` where positive, ``scale * alpha * (exp(input_scale * x) - 1)`` elsewhere
    (``expm1``, as PyTorch's ``elu``; SELU and CELU are ELU with a ``scale`` or an
    ``input_scale``)."""

    name = "EluBackward0"  # the in-place form is recorded as ``EluBackward1``
    create_graph = True
    elementwise = True
    arity = 1

    @staticmethod
    def kernel(be, a, alpha, scale=1.0, input_scale=1.0):
        xp = be.xp
        with be.quiet():
            if scale == 1.0 and input_scale == 1.0:
                return be.select(a <= 0, xp.expm1(a) * alpha, a)
            kw = be._dev_kw()
            neg = xp.asarray(alpha, dtype=a.dtype, **kw) * xp.asarray(scale, dtype=a.dtype, **kw)  # PyTorch's negcoef
            return be.select(a <= 0, xp.expm1(a * input_scale) * neg, a * scale)

    @staticmethod
    def forward(ctx, x, alpha, scale=1.0, input_scale=1.0):
        ctx.save_for_backward(x)
        ctx.params = params = dict(alpha=alpha, scale=scale, input_scale=input_scale)
        return _half_in_float32(Elu.kernel, x, **params)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _laid_out_like_grad(ctx, _input_grad(EluBackward, ctx, g, x._data, **ctx.params), g, x._data)


class EluBackward(_InputGrad):
    name = "EluBackwardBackward0"

    @staticmethod
    def formula(xp, g, x, alpha, scale=1.0, input_scale=1.0):
        if scale == 1.0 and input_scale == 1.0:
            return _select(xp, x <= 0, g * alpha * xp.exp(x), g)
        return _select(xp, x <= 0, g * input_scale * (alpha * scale) * xp.exp(x * input_scale), g * scale)

    @staticmethod
    def grad_x(xp, gg, g, x, alpha, scale=1.0, input_scale=1.0):
        c = alpha * scale * input_scale * input_scale
        return xp.where(x < 0, gg * g * c * xp.exp(x * input_scale), xp.zeros_like(x))  # PyTorch: x < 0


class Hardtanh(Function):
    """``x`` clamped to ``[min_val, max_val]`` (NaN stays NaN); integer tensors too. The
    result is laid out like the input, size-1 dims included (PyTorch: ``empty_like``)."""

    name = "HardtanhBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        xp = _xp(x)
        ctx.save_for_backward(x)
        ctx.min_val, ctx.max_val = min_val, max_val
        a = x._data
        if not x.dtype.is_floating_point:
            info = xp.iinfo(a.dtype)  # bounds outside the dtype's range clamp nothing
            min_val = min(max(math.ceil(min_val), info.min), info.max)
            max_val = max(min(math.floor(max_val), info.max), info.min)
        lo, hi = xp.full_like(a, min_val), xp.full_like(a, max_val)
        return _like_input(x._backend, xp.where(a < lo, lo, xp.where(a > hi, hi, a)), a)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gi = _input_grad(HardtanhBackward, ctx, g, x._data, min_val=ctx.min_val, max_val=ctx.max_val)
        return _laid_out_like_grad(ctx, gi, g, x._data)


class HardtanhBackward(_InputGrad):
    name = "HardtanhBackwardBackward0"

    @staticmethod
    def formula(xp, g, x, min_val, max_val):
        return _select(xp, (x <= min_val) | (x >= max_val), xp.zeros_like(g), g)

    @staticmethod
    def grad_x(xp, gg, g, x, min_val, max_val):
        return xp.zeros_like(x)  # piecewise linear: zero, but in the graph as in PyTorch


class Mish(_SelfGated):
    """``x * tanh(softplus(x))``, computed as ``x * tanh(log1p(exp(x)))`` like PyTorch's kernel."""

    name = "MishBackward0"

    @staticmethod
    def kernel(be, a):
        xp = be.xp
        with be.quiet():
            return a * xp.tanh(xp.log1p(xp.exp(a)))

    @staticmethod
    def formula(xp, g, x):
        s = 1 / (1 + xp.exp(-x))
        t = xp.tanh(xp.log1p(xp.exp(x)))
        return g * (t + x * s * (1 - t * t))

    @staticmethod
    def composite(g, a):
        s = _sigmoid(a)
        t = _tanh(Softplus.apply(a, beta=1.0, threshold=20.0))
        return g * (t + a * s * (1.0 - t * t))
