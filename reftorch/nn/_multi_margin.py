"""``multi_margin_loss`` and ``multilabel_margin_loss``: the multi-class hinge losses, each
one op with its own backward (``MultiMarginLossBackward0``,
``MultilabelMarginLossBackward0``) as in PyTorch (ATen's ``LossMultiMargin.cpp`` and
``LossMultiLabelMargin.cpp``), with their shape, dtype and range checks.

Both take an input ``(C,)`` or ``(N, C)`` and divide each sample's sum over the classes by
``C``; the reduced forms add the per-sample losses in float64, as ATen's accumulator does.
"""
from __future__ import annotations

from .. import _dtype as D
from ..autograd.function import OpFunction as Function
from ..autograd.grad_mode import is_grad_enabled
from .._ops._common import tensor_input as _tensor_input
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _frames(name, input):
    """``(nframe, dim)`` of a ``(C,)``/``(N, C)`` input (a 0-d input counts as ``(1,)``)."""
    shape = tuple(input.shape)
    nd = len(shape)
    if not ((nd == 2 and shape[1] != 0) or (nd == 1 and shape[0] != 0) or nd == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(shape)}")
    if nd == 2:
        return shape
    return 1, (shape[0] if nd == 1 else 1)


def _check_floating(kernel, input):
    if input.dtype not in (D.float32, D.float64):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(input.dtype)}'")


def _check_long(target):
    if target.dtype != D.int64:
        raise RuntimeError(f"expected scalar type Long but found {D.scalar_name(target.dtype)}")


def _reduce(b, losses, reduction, nframe, out_shape):
    """The per-sample losses ``(N,)`` reduced as ATen does (a float64 sum), or reshaped."""
    xp = b.xp
    if reduction == "none":
        return xp.reshape(losses, out_shape)
    total = xp.sum(b.astype(losses, b.dtype(D.float64)))
    if reduction == "mean":
        total = total / nframe
    return b.astype(total, losses.dtype)


def _scale(reduction, nframe, dim):
    return 1.0 / (nframe * dim) if reduction == "mean" else 1.0 / dim


def _times_grad(b, grad_in, g, reduction, nframe):
    """Multiply the input gradient ``(N, C)`` by the output gradient (one per sample for
    ``"none"``)."""
    xp = b.xp
    if reduction == "none":
        return grad_in * xp.reshape(g, (nframe, 1))
    return grad_in * g


class MultiMarginLoss(Function):
    """``sum_{i != y} max(0, margin - x[y] + x[i]) ** p * w[y] / C`` per sample."""

    name = "MultiMarginLossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, input, target, p, margin, weight, reduction, out_shape):
        b = input._backend
        xp = b.xp
        nframe, dim = _frames("multi_margin_loss", input)
        x = xp.reshape(input._data, (nframe, dim))
        t = xp.reshape(target._data, (nframe,))
        if nframe and (bool(xp.any(t < 0)) or bool(xp.any(t >= dim))):
            raise RuntimeError("target out of range")
        x_target = b.take_along_axis(x, t[:, None], 1)  # (N, 1)
        z = margin - x_target + x
        others = t[:, None] != xp.arange(dim, dtype=t.dtype, **b._dev_kw())[None, :]
        active = others & (z > 0)
        h = z if p == 1 else z * z
        if weight is not None:
            h = h * b.take_in_range(weight, t, 0)[:, None]
        h = xp.where(active, h, xp.zeros((), dtype=x.dtype, **b._dev_kw()))
        losses = xp.sum(h, axis=1) / dim
        ctx.save_for_backward(input, target)
        ctx.p, ctx.margin, ctx.weight, ctx.reduction = p, margin, weight, reduction
        return _reduce(b, losses, reduction, nframe, out_shape)

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        b = input._backend
        xp = b.xp
        nframe, dim = _frames("multi_margin_loss", input)
        x = xp.reshape(input._data, (nframe, dim))
        t = xp.reshape(target._data, (nframe,))
        scale = _scale(ctx.reduction, nframe, dim)
        x_target = b.take_along_axis(x, t[:, None], 1)
        z = ctx.margin - x_target + x
        is_target = t[:, None] == xp.arange(dim, dtype=t.dtype, **b._dev_kw())[None, :]
        active = ~is_target & (z > 0)
        h = xp.full(z.shape, scale, dtype=x.dtype, **b._dev_kw()) if ctx.p == 1 else 2 * scale * z
        if ctx.weight is not None:
            h = h * b.take_in_range(ctx.weight, t, 0)[:, None]
        h = xp.where(active, h, xp.zeros((), dtype=x.dtype, **b._dev_kw()))
        grad = xp.where(is_target, -xp.sum(h, axis=1, keepdims=True), h)
        grad = _times_grad(b, grad, g, ctx.reduction, nframe)
        return xp.reshape(grad, input._data.shape), None


@_tensor_input
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """The multi-class hinge loss: for each sample with class ``y``,
    ``sum over i != y of max(0, margin - x[y] + x[i]) ** p``, times ``weight[y]``, divided
    by the number of classes ``C``.

    Args:
        input: the scores, ``(C,)`` or ``(N, C)``, float32 or float64.
        target: the class of each sample, int64, ``()``/``(1,)`` or ``(N,)``.
        p: 1 or 2 (default 1).
        margin: default 1.
        weight: an optional ``(C,)`` weight per class (the target's class weights each
            sample).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (the target's shape).

    Raises:
        ValueError: for ``p`` other than 1 and 2, a weight that is not 1-D, or an unknown
            ``reduction``.
        RuntimeError: for a target of the wrong size or dtype, a class out of range, a
            weight of the wrong size or dtype.
        NotImplementedError: for an input that is not float32 or float64.

    Mirrors ``torch.nn.functional.multi_margin_loss``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> F.multi_margin_loss(x, torch.tensor([3]))
        tensor(0.3250)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("multi_margin_loss", multi_margin_loss, locals())
    from .functional import _check_reduction, _legacy_reduction
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nframe, dim = _frames("multi_margin_loss", input)
    if target.dim() > 1 or target.numel() != nframe:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{nframe}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None:
        if weight.numel() != dim:
            raise RuntimeError(f"inconsistent weight size, expected {dim} but got {list(weight.shape)}")
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError("The function 'multi_margin_loss' is not differentiable with respect to argument "
                               "'weight'. This input cannot have requires_grad True.")
    _check_floating("multi_margin_loss_cpu_kernel", input)
    _check_long(target)
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {D.scalar_name(input.dtype)} but found "
                           f"{D.scalar_name(weight.dtype)}")
    return MultiMarginLoss.apply(input, target, p=p, margin=margin,
                                 weight=None if weight is None else weight._data, reduction=reduction,
                                 out_shape=tuple(target.shape))


def _targets(b, t, dim):
    """``(valid, is_target)`` of the ``(N, C)`` target indices ``t``: ``valid`` marks the
    positions before the first -1, ``is_target`` the classes named there."""
    xp = b.xp
    positions = xp.arange(dim, dtype=t.dtype, **b._dev_kw())
    first_end = xp.min(xp.where(t < 0, positions[None, :], dim), axis=1, keepdims=True)  # (dim: no -1)
    valid = positions[None, :] < first_end
    named = (t[:, :, None] == positions[None, None, :]) & valid[:, :, None]
    return valid, xp.any(named, axis=1)


class MultilabelMarginLoss(Function):
    """``sum over targets j, non-targets i of max(0, 1 - (x[y_j] - x[i])) / C`` per sample."""

    name = "MultilabelMarginLossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, input, target, reduction, out_shape):
        b = input._backend
        xp = b.xp
        nframe, dim = _frames("multilabel_margin_loss", input)
        x = xp.reshape(input._data, (nframe, dim))
        t = xp.reshape(target._data, (nframe, dim))
        valid, is_target = _targets(b, t, dim)
        x_target = b.take_along_axis(x, xp.where(valid, t, 0), 1)  # (N, C): x[y_j] per target position
        z = 1 - x_target[:, :, None] + x[:, None, :]  # (N, position j, class i)
        counts = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
        losses = xp.sum(xp.sum(xp.where(counts, z, xp.zeros((), dtype=x.dtype, **b._dev_kw())), axis=2), axis=1) / dim
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        return _reduce(b, losses, reduction, nframe, out_shape)

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        b = input._backend
        xp = b.xp
        nframe, dim = _frames("multilabel_margin_loss", input)
        x = xp.reshape(input._data, (nframe, dim))
        t = xp.reshape(target._data, (nframe, dim))
        valid, is_target = _targets(b, t, dim)
        safe = xp.where(valid, t, 0)
        x_target = b.take_along_axis(x, safe, 1)
        z = 1 - x_target[:, :, None] + x[:, None, :]
        counts = b.astype(valid[:, :, None] & ~is_target[:, None, :] & (z > 0), x.dtype)
        scale = _scale(ctx.reduction, nframe, dim)
        plus = xp.sum(counts, axis=1) * scale  # each active pair adds to the non-target class...
        per_position = xp.sum(counts, axis=2) * scale  # ...and takes from the target class
        classes = safe[:, :, None] == xp.arange(dim, dtype=t.dtype, **b._dev_kw())[None, None, :]
        minus = xp.sum(xp.where(classes, per_position[:, :, None], xp.zeros((), dtype=x.dtype, **b._dev_kw())), axis=1)
        grad = _times_grad(b, plus - minus, g, ctx.reduction, nframe)
        return xp.reshape(grad, input._data.shape), None


@_tensor_input
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The multi-label hinge loss: ``target`` lists each sample's classes, ended by the
    first -1; for each listed class ``j`` and each class ``i`` not listed,
    ``max(0, 1 - (x[j] - x[i]))``, summed and divided by the number of classes ``C``.

    Args:
        input: the scores, ``(C,)`` or ``(N, C)``, float32 or float64.
        target: int64 class indices of ``input``'s shape, padded with -1.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (one loss per sample).

    Raises:
        RuntimeError: for a target of another shape or dtype, or an index out of
            ``[-1, C)``.
        ValueError: for an unknown ``reduction``.
        NotImplementedError: for an input that is not float32 or float64.

    Mirrors ``torch.nn.functional.multilabel_margin_loss``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> F.multilabel_margin_loss(x, torch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("multilabel_margin_loss", multilabel_margin_loss, locals())
    from .functional import _check_reduction, _legacy_reduction
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    nframe, dim = _frames("multilabel_margin_loss", input)
    nd = input.dim()
    if (nd <= 1 and not (target.dim() <= 1 and target.numel() == dim)) or \
            (nd == 2 and tuple(target.shape) != (nframe, dim)):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    _check_floating("multilabel_margin_loss_forward_out_frame", input)
    _check_long(target)
    if target.numel() and (int(target.min()) < -1 or int(target.max()) >= dim):
        raise RuntimeError("argument #2 'target' is out of range")
    return MultilabelMarginLoss.apply(input, target, reduction=reduction,
                                      out_shape=(nframe,) if nd == 2 else ())
