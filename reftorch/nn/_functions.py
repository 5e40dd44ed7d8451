"""The differentiable operations behind ``reftorch.nn.functional``.

Each is a :class:`~reftorch.autograd.function.Function` whose ``grad_fn`` name is the one
PyTorch shows (``AddmmBackward0``, ``EmbeddingBackward0``, ``SoftmaxBackward0`` …). The
kernels work on backend arrays through ``xp`` (NumPy on the CPU, CuPy on CUDA) and the
backend's ``index_add`` for scatter-adds, so the same code runs on both devices.
"""
from __future__ import annotations

from ..autograd.function import Function
from .._ops._common import sum_to_shape


def _xp(t):
    return t._backend.xp


# ---------------------------------------------------------------------- linear
class Addmm(Function):
    """``bias + x @ wt`` for a 2-D ``x``; ``wt`` is the transposed weight."""

    name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, bias, x, wt):
        xp = _xp(x)
        ctx.save_for_backward(x if ctx.needs_input_grad[2:3] == (True,) else None,
                              wt if ctx.needs_input_grad[1:2] == (True,) else None)
        ctx.bias_shape = bias._data.shape
        return xp.matmul(x._data, wt._data) + bias._data

    @staticmethod
    def backward(ctx, g):
        x, wt = ctx.saved_tensors
        xp = ctx.xp
        need = ctx.needs_input_grad
        gb = sum_to_shape(xp, g, ctx.bias_shape) if need[0] else None
        gx = xp.matmul(g, xp.matrix_transpose(wt._data)) if need[1] else None
        gw = xp.matmul(xp.matrix_transpose(x._data), g) if need[2] else None
        return gb, gx, gw


# ---------------------------------------------------------------------- softmax family
class Softmax(Function):
    name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        xp = _xp(x)
        a = x._data
        e = xp.exp(a - xp.max(a, axis=dim, keepdims=True))
        y = e / xp.sum(e, axis=dim, keepdims=True)
        ctx.y, ctx.dim = y, dim
        return y

    @staticmethod
    def backward(ctx, g):
        xp, y = ctx.xp, ctx.y
        return y * (g - xp.sum(g * y, axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        xp = _xp(x)
        a = x._data
        shifted = a - xp.max(a, axis=dim, keepdims=True)
        y = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        ctx.y, ctx.dim = y, dim
        return y

    @staticmethod
    def backward(ctx, g):
        xp, y = ctx.xp, ctx.y
        return g - xp.exp(y) * xp.sum(g, axis=ctx.dim, keepdims=True)


class Softplus(Function):
    name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = _xp(x)
        a = x._data
        bx = a * beta
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return xp.where(bx > threshold, a, xp.log1p(xp.exp(xp.minimum(bx, threshold))) / beta).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        (x,) = ctx.saved_tensors
        bx = x._data * ctx.beta
        z = xp.exp(xp.minimum(bx, ctx.threshold))
        return xp.where(bx > ctx.threshold, g, g * z / (z + 1)).astype(g.dtype)


class LeakyRelu(Function):
    name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        xp = _xp(x)
        ctx.save_for_backward(x)
        ctx.slope = slope
        a = x._data
        return xp.where(a > 0, a, a * slope).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ctx.xp.where(x._data > 0, g, g * ctx.slope).astype(g.dtype)


# ---------------------------------------------------------------------- embedding
class Embedding(Function):
    """Row lookup ``weight[indices]``; the backward scatter-adds rows of the gradient."""

    name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        xp = _xp(weight)
        flat = xp.reshape(indices._data, (-1,))
        ctx.flat, ctx.num = flat, weight._data.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        ctx.dtype, ctx.backend = weight.dtype, weight._backend
        out = xp.take(weight._data, flat, axis=0)
        return xp.reshape(out, tuple(indices._data.shape) + (weight._data.shape[1],))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        flat, num = ctx.flat, ctx.num
        rows = xp.reshape(g, (flat.shape[0], -1))
        if ctx.scale:
            # Divide each row's gradient by how often its index occurs in this batch.
            counts = xp.take(xp.bincount(flat, minlength=num), flat, axis=0)
            rows = rows / xp.astype(xp.reshape(counts, (-1, 1)), rows.dtype)
        if ctx.padding_idx is not None and ctx.padding_idx >= 0:
            keep = flat != ctx.padding_idx
            rows = rows[keep]
            flat = flat[keep]
        gw = ctx.backend.index_add((num, rows.shape[1]), ctx.dtype, 0, flat, rows)
        return gw, None


# ---------------------------------------------------------------------- losses
class MseLoss(Function):
    name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, x, y, reduction):
        xp = _xp(x)
        d = x._data - y._data
        ctx.d, ctx.reduction, ctx.n = d, reduction, d.size
        sq = d * d
        if reduction == "mean":
            return xp.mean(sq)
        if reduction == "sum":
            return xp.sum(sq)
        return sq

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        if ctx.reduction == "mean":
            gd = 2 * d * (g / ctx.n)
        else:
            gd = 2 * d * g
        gd = gd.astype(d.dtype) if hasattr(gd, "astype") else gd
        return (gd if ctx.needs_input_grad[0] else None,
                -gd if ctx.needs_input_grad[1] else None)


class NllLoss(Function):
    """``-input[i, target[i]]`` (times the class weight), reduced; ``input`` is (N, C) or (C,)."""

    name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, reduction, ignore_index, out_shape=None):
        xp = _xp(x)
        a = x._data
        t = target._data
        one = a.ndim == 1
        if one:
            a = xp.reshape(a, (1, -1))
            t = xp.reshape(t, (1,))
        n, c = a.shape
        valid = t != ignore_index
        safe = xp.where(valid, t, 0)
        w = xp.ones(c, dtype=a.dtype) if weight is None else weight._data
        wi = xp.where(valid, xp.take(w, safe, axis=0), 0).astype(a.dtype)
        picked = xp.take_along_axis(a, xp.reshape(safe, (-1, 1)), axis=1)[:, 0]
        losses = -picked * wi
        ctx.shape, ctx.one, ctx.safe, ctx.wi = a.shape, one, safe, wi
        ctx.reduction = reduction
        if reduction == "none":
            if out_shape is not None:
                return xp.reshape(losses, out_shape)
            return losses[0] if one else losses
        if reduction == "sum":
            return xp.sum(losses)
        total = xp.sum(wi)
        ctx.total = total
        return xp.sum(losses) / total

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        n, c = ctx.shape
        if ctx.reduction == "none":
            gi = xp.reshape(g, (-1,)) * ctx.wi
        elif ctx.reduction == "sum":
            gi = g * ctx.wi
        else:
            gi = g * ctx.wi / ctx.total
        out = xp.zeros((n, c), dtype=ctx.wi.dtype)
        xp.put_along_axis(out, xp.reshape(ctx.safe, (-1, 1)), xp.reshape(-gi, (-1, 1)).astype(out.dtype), axis=1)
        if ctx.one:
            out = out[0]
        return out, None


class BinaryCrossEntropy(Function):
    name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        xp = _xp(x)
        p, t = x._data, y._data
        logp = xp.maximum(xp.log(p), -100)
        log1mp = xp.maximum(xp.log1p(-p), -100)
        loss = -(t * logp + (1 - t) * log1mp)
        w = None if weight is None else xp.broadcast_to(weight._data, loss.shape)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.reduction, ctx.n = w, reduction, loss.size
        return _reduce(xp, loss.astype(p.dtype), reduction)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        p, t = x._data, y._data
        eps = 1e-12
        gp = (p - t) / xp.maximum((1 - p) * p, eps)
        if ctx.w is not None:
            gp = gp * ctx.w
        gp = _unreduce(xp, gp, g, ctx.reduction, ctx.n).astype(p.dtype)
        gt = None
        if ctx.needs_input_grad[1]:
            gt = (xp.log1p(-p) - xp.log(p))
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _unreduce(xp, gt, g, ctx.reduction, ctx.n).astype(p.dtype)
        return gp, gt


class BinaryCrossEntropyWithLogits(Function):
    name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        xp = _xp(x)
        z, t = x._data, y._data
        # log(sigmoid(z)) = -softplus(-z), computed stably.
        log_sig = -(xp.maximum(-z, 0) + xp.log1p(xp.exp(-xp.abs(z))))
        log_1m_sig = log_sig - z
        if pos_weight is not None:
            lw = 1 + (pos_weight._data - 1) * t
            loss = (1 - t) * z - lw * log_sig
        else:
            loss = (1 - t) * z - log_sig
        w = None if weight is None else xp.broadcast_to(weight._data, loss.shape)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.pw = w, (None if pos_weight is None else pos_weight._data)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(xp, loss.astype(z.dtype), reduction)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        z, t = x._data, y._data
        sig = 1 / (1 + xp.exp(-z))
        if ctx.pw is not None:
            lw = 1 + (ctx.pw - 1) * t
            gz = (1 - t) - lw * (1 - sig)
        else:
            gz = sig - t
        if ctx.w is not None:
            gz = gz * ctx.w
        gz = _unreduce(xp, gz, g, ctx.reduction, ctx.n).astype(z.dtype)
        gt = None
        if ctx.needs_input_grad[1]:
            if ctx.pw is not None:
                log_sig = -(xp.maximum(-z, 0) + xp.log1p(xp.exp(-xp.abs(z))))
                gt = -z - (ctx.pw - 1) * log_sig
            else:
                gt = -z
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _unreduce(xp, gt, g, ctx.reduction, ctx.n).astype(p.dtype)
        return gp, gt


class BinaryCrossEntropyWithLogits(Function):
    name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        xp = _xp(x)
        z, t = x._data, y._data
        # log(sigmoid(z)) = -softplus(-z), computed stably.
        log_sig = -(xp.maximum(-z, 0) + xp.log1p(xp.exp(-xp.abs(z))))
        log_1m_sig = log_sig - z
        if pos_weight is not None:
            lw = 1 + (pos_weight._data - 1) * t
            loss = (1 - t) * z - lw * log_sig
        else:
            loss = (1 - t) * z - log_sig
        w = None if weight is None else xp.broadcast_to(weight._data, loss.shape)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.pw = w, (None if pos_weight is None else pos_weight._data)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(xp, loss.astype(z.dtype), reduction)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, y = ctx.saved_tensors
        z, t = x._data, y._data
        sig = 1 / (1 + xp.exp(-z))
        if ctx.pw is not None:
            lw = 1 + (ctx.pw - 1) * t
            gz = (1 - t) - lw * (1 - sig)
        else:
            gz = sig - t
        if ctx.w is not None:
            gz = gz * ctx.w
        gz = _unreduce(xp, gz, g, ctx.reduction, ctx.n).astype(z.dtype)
        gt = None
        if ctx.needs_input_grad[1]:
            if ctx.pw is not None:
                log_sig = -(xp.maximum(-z, 0) + xp.log1p(xp.exp(-xp.abs(z))))
                gt = -(ctx.pw * log_sig) + (log_sig - z)
                gt = gt * 1.0
            else:
                gt = -z
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _unreduce(xp, gt, g, ctx.reduction, ctx.n).astype(z.dtype)
        return gz, gt


def _reduce(xp, loss, reduction):
    if reduction == "mean":
        return xp.mean(loss)
    if reduction == "sum":
        return xp.sum(loss)
    return loss


def _unreduce(xp, gl, g, reduction, n):
    if reduction == "mean":
        return gl * (g / n)
    return gl * g
