"""The margin and likelihood losses of ``torch.nn.functional`` beyond the common ones:
``margin_ranking_loss``, ``hinge_embedding_loss``, ``soft_margin_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss``, ``multilabel_soft_margin_loss``,
``poisson_nll_loss`` and ``gaussian_nll_loss``.

Each is composed of reftorch's ops in the order of PyTorch's own composite (ATen's
``Loss.cpp`` or ``torch/nn/functional.py``), so values, gradients and grad_fn names follow;
``soft_margin_loss`` is one op with its own backward (``SoftMarginLossBackward0``), as in
PyTorch.
"""
from __future__ import annotations

import math

from .._ops import creation, pointwise
from .._ops.reduction import minimum
from ..autograd.function import OpFunction as Function
from ..autograd.grad_mode import is_grad_enabled, no_grad
from .._ops._common import tensor_input as _tensor_input
from .. import _autocast
from .._autocast import anywhere as _autocasting

_EPSILON = 1e-12  # cosine_embedding_loss's guard on the squared norms (ATen's EPSILON)


def _reduction(size_average, reduce, reduction):
    from .functional import _check_reduction, _legacy_reduction
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return reduction


def _reduce(loss, reduction):
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 wants ``input1`` ranked
    higher by ``margin``, -1 lower. Mirrors ``torch.nn.functional.margin_ranking_loss``.

    Raises:
        RuntimeError: for inputs of different numbers of dims.
        ValueError: for an unknown ``reduction``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.margin_ranking_loss(torch.tensor([2., 1.]), torch.tensor([1., 3.]), torch.tensor([1., 1.]), reduction="none")
        tensor([0., 2.])
    """
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return margin_ranking(input1, input2, target, margin, reduction)


def margin_ranking(input1, input2, target, margin, reduction):
    """:func:`margin_ranking_loss` after the check of its Python layer (``torch.margin_ranking_loss``)."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("margin_ranking_loss", margin_ranking, locals())
    # (ATen adds ``margin`` as a double: integer inputs give a float loss)
    return _reduce((-target * (input1 - input2) + float(margin)).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1 (for
    distances: similar pairs pulled together, dissimilar ones pushed past ``margin``).
    Mirrors ``torch.nn.functional.hinge_embedding_loss``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.hinge_embedding_loss(torch.tensor([0.3, 0.4]), torch.tensor([1., -1.]), reduction="none")
        tensor([0.3000, 0.6000])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("hinge_embedding_loss", hinge_embedding_loss, locals())
    reduction = _reduction(size_average, reduce, reduction)
    zeros = creation.zeros_like(input)
    # ATen's ``margin - input`` is C++'s ``empty_like(input).fill_(margin).sub_(input)``: the
    # margin is stored in the input's dtype first, so an integer input keeps its dtype (and its
    # mean raises), the margin truncated; a margin that does not fit raises
    margin_clamp = (creation.full_like(input, float(margin)) - input).clamp_min(0)
    output = pointwise.where(target != 1, margin_clamp, zeros) + pointwise.where(target != -1, input, zeros)
    return _reduce(output, reduction)


class SoftMarginLoss(Function):
    """``log(1 + exp(-target * input))``, reduced (``grad_fn`` ``SoftMarginLossBackward0``)."""

    name = "SoftMarginLossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, input, target, reduction):
        xp = input._backend.xp
        x, t = input._data, target._data
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        loss = xp.log1p(xp.exp(-x * t))
        if reduction == "mean":
            return xp.mean(loss)
        return xp.sum(loss) if reduction == "sum" else loss

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        xp = ctx.xp
        x, t = input._data, target._data
        norm = 1.0 / x.size if ctx.reduction == "mean" else 1.0
        z = xp.exp(-t * x)
        return t * (-norm * z / (1.0 + z) * g), None  # (the target gets no gradient, as in PyTorch)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The logistic loss ``log(1 + exp(-target * input))`` for targets of 1 or -1.
    Mirrors ``torch.nn.functional.soft_margin_loss``.

    Raises:
        RuntimeError: for a ``target`` that requires grad (no gradient is defined for it).

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.soft_margin_loss(torch.tensor([2., -1.]), torch.tensor([1., 1.]))
        tensor(0.7201)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("soft_margin_loss", soft_margin_loss, locals())
    reduction = _reduction(size_average, reduce, reduction)
    if target.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    return SoftMarginLoss.apply(input, target, reduction=reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos(x1, x2) - margin)`` where it
    is -1; the cosine is taken along the last dim of ``(N, D)`` inputs (``(D,)`` with a 0-D
    target). Mirrors ``torch.nn.functional.cosine_embedding_loss``.

    Raises:
        RuntimeError: for a target of 2 or more dims, or inputs of the wrong dims.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> a, b = torch.tensor([[1., 0.], [1., 1.]]), torch.tensor([[1., 0.], [-1., 1.]])
        >>> F.cosine_embedding_loss(a, b, torch.tensor([1., -1.]), reduction="none")
        tensor([0., 0.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cosine_embedding_loss", cosine_embedding_loss, locals())
    reduction = _reduction(size_average, reduce, reduction)
    dim = target.dim()
    if dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    wanted = 2 if dim == 1 else 1
    if input1.dim() != wanted or input2.dim() != wanted:
        raise RuntimeError(f"{dim}D target tensor expects {wanted}D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(dim)
    mag_square1 = (input1 * input1).sum(dim) + _EPSILON
    mag_square2 = (input2 * input2).sum(dim) + _EPSILON
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = creation.zeros_like(cos)
    output = pointwise.where(target == 1, 1 - cos, zeros) + pointwise.where(target == -1, (cos - margin).clamp_min(0),
                                                                             zeros)
    return _reduce(output, reduction)


@_tensor_input
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with ``d`` the
    ``p``-norm :func:`pairwise_distance`; ``swap`` also tries ``d(positive, negative)``
    as the negative distance. Mirrors ``torch.nn.functional.triplet_margin_loss``.

    Raises:
        ValueError: for a ``margin`` that is not positive, or an unknown ``reduction``.
        RuntimeError: for inputs of different numbers of dims.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> a, p, n = torch.tensor([[0., 0.]]), torch.tensor([[3., 4.]]), torch.tensor([[6., 8.]])
        >>> F.triplet_margin_loss(a, p, n, margin=1.0)
        tensor(0.)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("triplet_margin_loss", triplet_margin_loss, locals())
    from .functional import pairwise_distance
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D "
                           "inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """:func:`triplet_margin_loss` with any distance: ``max(0, margin + d(anchor, positive)
    - d(anchor, negative))``, ``d`` being ``distance_function`` (default
    :func:`pairwise_distance`, the Euclidean distance); ``swap`` also tries
    ``d(positive, negative)`` as the negative distance.

    Args:
        anchor, positive, negative: tensors of the same number of dims.
        distance_function: a callable of two tensors returning their distances.
        margin: a positive margin (default 1).
        swap: use the smaller of the two negative distances (default ``False``).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: for an unknown ``reduction`` or a ``margin`` that is not positive.
        RuntimeError: for inputs of different numbers of dims.

    Mirrors ``torch.nn.functional.triplet_margin_with_distance_loss``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> a, p, n = torch.tensor([[0., 0.]]), torch.tensor([[3., 4.]]), torch.tensor([[1., 1.]])
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1))
        tensor(6.)
    """
    from .functional import pairwise_distance
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D "
                           "inputs")
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance_function(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """The binary cross-entropy of each of ``C`` labels on logits, averaged over the labels:
    ``-(t log sigmoid(x) + (1 - t) log sigmoid(-x))``, ``(N, C)`` → ``(N,)`` before the
    reduction. Mirrors ``torch.nn.functional.multilabel_soft_margin_loss``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.multilabel_soft_margin_loss(torch.tensor([[0., 0.]]), torch.tensor([[1., 0.]]))
        tensor(0.6931)
    """
    from .functional import _legacy_reduction, logsigmoid
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


@_tensor_input
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """The negative log-likelihood of ``target`` counts under a Poisson distribution:
    ``exp(input) - target * input`` with ``log_input`` (the default: ``input`` is the log
    rate), else ``input - target * log(input + eps)``; ``full`` adds Stirling's term for
    targets above 1. Mirrors ``torch.nn.functional.poisson_nll_loss``.

    Raises:
        ValueError: for an unknown ``reduction``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.poisson_nll_loss(torch.tensor([0., 1.]), torch.tensor([1., 2.]), reduction="none")
        tensor([1.0000, 0.7183])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("poisson_nll_loss", poisson_nll_loss, locals())
    from .functional import _legacy_reduction
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """The negative log-likelihood of ``target`` under Gaussians of mean ``input`` and
    variance ``var``: ``0.5 * (log(var) + (input - target) ** 2 / var)`` (plus ``0.5 *
    log(2 pi)`` with ``full``); ``var`` is clamped to ``eps`` (without gradient there) and
    may be a float, one per sample, or broadcastable in one dim. Mirrors
    ``torch.nn.functional.gaussian_nll_loss``.

    Raises:
        ValueError: for a negative variance, a ``var`` of the wrong size, or an unknown
            ``reduction``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.gaussian_nll_loss(torch.tensor([0., 1.]), torch.tensor([1., 1.]), torch.tensor([1., 1.]))
        tensor(0.2500)
    """
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * creation.ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(b for a, b in zip(input.shape, var.shape) if a != b) == 1:
            pass  # one dim of size 1 broadcasts (heteroscedastic)
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
           "poisson_nll_loss", "gaussian_nll_loss"]
