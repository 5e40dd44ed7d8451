"""``F.linear_cross_entropy``: ``cross_entropy(linear(input, weight, bias), target)`` in one
call, with PyTorch's checks, its K-dimensional form and its chunking ``options``.
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype as D
from ..autograd._renamed import renamed
from ..autograd.grad_mode import is_grad_enabled
from .functional import cross_entropy, linear


#: the nodes PyTorch's chunked kernels record (``options`` given)
_CHUNKED_NAME = "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_defaultBackward"
_NO_REDUCTION_NAME = "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction_defaultBackward"


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """The cross entropy of the logits ``linear(input, linear_weight, linear_bias)``.

    Equivalent to ``cross_entropy(linear(input, linear_weight, linear_bias), target,
    ...)``. ``linear_weight`` ``(C, d_1, ..., d_K, in_features)`` with ``K >= 1`` gives the
    K-dimensional loss (logits ``(N, C, d_1, ..., d_K)``; batched input only). The target
    holds class indices, or class probabilities when its shape is the logits' shape.
    ``ignore_index=None`` means -100 for class indices (and is the only value allowed
    with probabilities).

    ``options`` (a :class:`~reftorch.nn.LinearCrossEntropyOptions`) selects PyTorch's
    chunked kernel, which saves memory; reftorch computes the same loss on the reference
    path, with the chunked kernel's ``grad_fn`` name (the values agree with PyTorch's
    chunked results to rounding). As in PyTorch, ``options`` are ignored, with a warning,
    for a K-dimensional loss, label smoothing or a non-int64 target. Unlike PyTorch, a
    second backward pass (after ``retain_graph=True``) through the chunked result works
    without ``allow_retain_graph``, and higher-order gradients work.
    Mirrors ``torch.nn.functional.linear_cross_entropy``.

    Args:
        input (Tensor): ``(in_features,)`` or ``(N, in_features)``.
        linear_weight (Tensor): ``(C, in_features)`` or ``(C, d_1, ..., d_K, in_features)``.
        target (Tensor): class indices ``()``, ``(N,)`` or ``(N, d_1, ..., d_K)`` (int64),
            or class probabilities of the logits' shape.
        linear_bias (Tensor, optional): ``(C, d_1, ..., d_K)``.
        weight (Tensor, optional): a ``(C,)`` weight per class.
        reduction (str): ``"mean"`` (default), ``"sum"`` or ``"none"``.
        ignore_index (int, optional): a class index whose targets are skipped.
        label_smoothing (float): in ``[0, 1]`` (default 0).
        options (LinearCrossEntropyOptions, optional): the chunking options.

    Returns:
        Tensor: the loss (a scalar, or the unreduced ``()``, ``(N,)`` or ``(N, d_1, ..., d_K)``).

    Raises:
        RuntimeError: an input that is not 1-D or 2-D, a weight with fewer than 2 dims,
            mismatched ``in_features`` or bias shape, unbatched input with a K-dimensional
            weight, an ``ignore_index`` with class probabilities.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[1., 0.], [0., 1.]])
        >>> w = torch.tensor([[2., 0.], [0., 2.], [1., 1.]])
        >>> F.linear_cross_entropy(x, w, torch.tensor([0, 2]))
        tensor(0.9076)
    """
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    num_batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not num_batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
                           f"requires batched input, (N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*num_batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    chunked = options is not None
    if chunked and (out_features or reduction not in ("mean", "sum", "none") or label_smoothing != 0.0
                    or target.dtype is not D.int64):
        warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
                      "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features == (). "
                      f"Got reduction={reduction!r}, label_smoothing={label_smoothing}, target.dtype={target.dtype}, "
                      f"out_features={out_features}, tracing=False, linear_bias.shape="
                      f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
        chunked = False
    if out_features:
        linear_weight = linear_weight.reshape((math.prod(out_features, start=num_classes), in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(math.prod(out_features, start=num_classes))
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    loss = cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)
    if chunked and is_grad_enabled():  # (the loss of the reference path, under the chunked node's name)
        loss = renamed(loss, _NO_REDUCTION_NAME if reduction == "none" else _CHUNKED_NAME)
    return loss
