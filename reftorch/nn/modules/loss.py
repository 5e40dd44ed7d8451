"""Loss modules. Mirrors ``torch/nn/modules/loss.py``."""
from __future__ import annotations

import math

from ..._warnings import deprecated_class
from .. import functional as F
from .distance import PairwiseDistance
from .linear import Linear
from .module import Module

__all__ = ["MSELoss", "L1Loss", "NLLLoss", "NLLLoss2d", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = F._legacy_reduction(size_average, reduce, reduction)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.weight = weight


class MSELoss(_Loss):
    """Mean squared error ``(input - target) ** 2`` with ``reduction`` ``"mean"`` (default),
    ``"sum"`` or ``"none"``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.MSELoss()(torch.tensor([0., 2.]), torch.tensor([1., 1.]))
        tensor(1.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (pair with ``LogSoftmax``).

    Args:
        weight: a ``(C,)`` weight per class.
        ignore_index: target value that is skipped (default -100).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


@deprecated_class("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and see "
                  "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.")
class NLLLoss2d(NLLLoss):
    """The deprecated name of :class:`NLLLoss` (the same arguments and loss); creating one
    warns a ``FutureWarning``, as in PyTorch.

    Mirrors ``torch.nn.NLLLoss2d``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits: ``LogSoftmax`` and ``NLLLoss`` in one.

    The target holds class indices (int64) or class probabilities (float, same shape as
    the input); see :func:`reftorch.nn.functional.cross_entropy`.

    Args:
        weight: a ``(C,)`` weight per class.
        ignore_index: class index whose targets are skipped (default -100).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        label_smoothing: in ``[0, 1]`` (default 0).

    Examples:
        >>> import reftorch as torch
        >>> loss = torch.nn.CrossEntropyLoss()
        >>> loss(torch.tensor([[2., 0., 0.]]), torch.tensor([0]))
        tensor(0.2395)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in ``[0, 1]`` (pair with ``Sigmoid``)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``Sigmoid`` and ``BCELoss`` in one, computed stably from the logits.

    Args:
        weight: a weight broadcast over the loss elements.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        pos_weight: a weight for the positive term, broadcast over the classes.
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


# ---------------------------------------------------------------------- smooth L1 / Huber
__all__ += ["SmoothL1Loss", "HuberLoss"]


class SmoothL1Loss(_Loss):
    """Smooth L1 loss: ``0.5 * d ** 2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``.

    ``d = input - target``; see :func:`reftorch.nn.functional.smooth_l1_loss`.

    Args:
        size_average: deprecated, use ``reduction``.
        reduce: deprecated, use ``reduction``.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.
        beta: the threshold between the two pieces (default 1.0), non-negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.SmoothL1Loss()(torch.tensor([0., 1., 3.]), torch.tensor([0.5, 0., 0.]))
        tensor(1.0417)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss: ``0.5 * d ** 2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``.

    ``d = input - target``; see :func:`reftorch.nn.functional.huber_loss`.

    Args:
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.
        delta: the threshold between the two pieces (default 1.0), positive.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.HuberLoss(delta=2.0)(torch.tensor([0., 1., 3.]), torch.tensor([0.5, 0., 0.]))
        tensor(1.5417)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


# ---------------------------------------------------------------------- KL divergence
__all__ += ["KLDivLoss"]


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of the log-probabilities ``input`` from ``target``.

    See :func:`reftorch.nn.functional.kl_div`; use ``reduction="batchmean"`` for the
    divergence per sample.

    Args:
        size_average: deprecated, use ``reduction``.
        reduce: deprecated, use ``reduction``.
        reduction: ``"mean"`` (default), ``"batchmean"``, ``"sum"`` or ``"none"``.
        log_target: whether ``target`` holds log-probabilities (default False).

    Examples:
        >>> import reftorch as torch
        >>> loss = torch.nn.KLDivLoss(reduction="batchmean")
        >>> loss(torch.tensor([[-1.0, -2.0], [-0.5, -3.0]]), torch.tensor([[0.3, 0.7], [0.0, 1.0]]))
        tensor(2.0446)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


__all__ += ["MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
            "MultiLabelSoftMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss"]


class MarginRankingLoss(_Loss):
    """:func:`~reftorch.nn.functional.margin_ranking_loss` as a layer:
    ``forward(input1, input2, target)``. Mirrors ``torch.nn.MarginRankingLoss``."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """:func:`~reftorch.nn.functional.hinge_embedding_loss` as a layer. Mirrors
    ``torch.nn.HingeEmbeddingLoss``."""

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """:func:`~reftorch.nn.functional.soft_margin_loss` as a layer. Mirrors ``torch.nn.SoftMarginLoss``."""

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """:func:`~reftorch.nn.functional.cosine_embedding_loss` as a layer:
    ``forward(input1, input2, target)``. Mirrors ``torch.nn.CosineEmbeddingLoss``."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """:func:`~reftorch.nn.functional.triplet_margin_loss` as a layer:
    ``forward(anchor, positive, negative)``. Mirrors ``torch.nn.TripletMarginLoss``.

    Raises:
        ValueError: for a ``margin`` that is not positive.
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False, size_average=None,
                 reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """:func:`~reftorch.nn.functional.multilabel_soft_margin_loss` as a layer, with an optional
    ``(C,)`` weight per label. Mirrors ``torch.nn.MultiLabelSoftMarginLoss``."""

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """:func:`~reftorch.nn.functional.poisson_nll_loss` as a layer. Mirrors ``torch.nn.PoissonNLLLoss``."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """:func:`~reftorch.nn.functional.gaussian_nll_loss` as a layer: ``forward(input, target,
    var)``. Mirrors ``torch.nn.GaussianNLLLoss``."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


__all__ += ["MultiMarginLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"]


class MultiMarginLoss(_WeightedLoss):
    """:func:`~reftorch.nn.functional.multi_margin_loss` as a layer: the multi-class hinge
    loss of ``(N, C)`` scores and ``(N,)`` int64 classes.

    Args:
        p: 1 (default) or 2.
        margin: default 1.
        weight: an optional 1-D ``(C,)`` weight per class (a buffer).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: for ``p`` other than 1 and 2, or a weight that is not 1-D.

    Mirrors ``torch.nn.MultiMarginLoss``.

    Examples:
        >>> import reftorch as torch
        >>> loss = torch.nn.MultiMarginLoss()
        >>> loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3]))
        tensor(0.3250)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """:func:`~reftorch.nn.functional.multilabel_margin_loss` as a layer: the multi-label
    hinge loss of ``(N, C)`` scores and ``(N, C)`` int64 class lists padded with -1.
    Mirrors ``torch.nn.MultiLabelMarginLoss``.

    Examples:
        >>> import reftorch as torch
        >>> loss = torch.nn.MultiLabelMarginLoss()
        >>> loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """:func:`~reftorch.nn.functional.triplet_margin_with_distance_loss` as a layer:
    ``forward(anchor, positive, negative)``.

    Args:
        distance_function: a callable of two tensors returning their distances (keyword
            only; default a :class:`PairwiseDistance` module, which becomes a child module).
        margin: a positive margin (default 1).
        swap: use the smaller of ``d(anchor, negative)`` and ``d(positive, negative)``.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: for a ``margin`` that is not positive.

    Mirrors ``torch.nn.TripletMarginWithDistanceLoss``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.TripletMarginWithDistanceLoss()
        TripletMarginWithDistanceLoss(
          (distance_function): PairwiseDistance()
        )
    """

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False, reduction: str = "mean"):
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)


__all__ += ["CTCLoss"]


class CTCLoss(_Loss):
    """:func:`~reftorch.nn.functional.ctc_loss` as a layer: the Connectionist Temporal
    Classification loss of ``(T, N, C)`` log-probabilities and unaligned target sequences.

    Args:
        blank: the blank class (default 0).
        reduction: ``"mean"`` (default: each loss divided by its target length, then
            averaged), ``"sum"`` or ``"none"``.
        zero_infinity: replace infinite losses and their gradients by zero.

    ``forward(log_probs, targets, input_lengths, target_lengths)`` as in
    :func:`~reftorch.nn.functional.ctc_loss`. Mirrors ``torch.nn.CTCLoss``.

    Examples:
        >>> import reftorch as torch
        >>> ctc = torch.nn.CTCLoss()
        >>> lp = torch.tensor([[[0.5, 0.5]], [[0.5, 0.5]]]).log()
        >>> ctc(lp, torch.tensor([[1]]), torch.tensor([2]), torch.tensor([1]))
        tensor(0.2877)
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)


__all__ += ["LinearCrossEntropyLoss"]


class LinearCrossEntropyLoss(_WeightedLoss):
    """A linear layer and the cross-entropy loss of its logits in one module.

    Holds ``linear``, a bias-free (by default) :class:`~reftorch.nn.Linear` from
    ``in_features`` to ``num_classes * prod(out_features)``; its weight is reshaped to
    ``(num_classes, *out_features, in_features)`` for
    :func:`~reftorch.nn.functional.linear_cross_entropy`. Mirrors
    ``torch.nn.LinearCrossEntropyLoss`` (repr, ``state_dict`` keys ``linear.weight`` and
    ``linear.bias``).

    Args:
        in_features (int): the size of each input sample.
        num_classes (int): the number of classes ``C``.
        out_features (tuple[int]): ``(d_1, ..., d_K)`` for a K-dimensional loss (default ``()``).
        bias (bool): whether the linear layer has a bias (default False).
        device: device of the linear weight.
        dtype: dtype of the linear weight.
        reduction (str): ``"mean"`` (default), ``"sum"`` or ``"none"``.
        weight (Tensor, optional): a ``(C,)`` weight per class.
        ignore_index (int, optional): a class index whose targets are skipped.
        label_smoothing (float): in ``[0, 1]`` (default 0).
        options (LinearCrossEntropyOptions, optional): the chunking options.

    Raises:
        RuntimeError: a ``weight`` that is not ``(C,)``, a ``label_smoothing`` outside ``[0, 1]``.

    Examples:
        >>> import reftorch as torch
        >>> loss = torch.nn.LinearCrossEntropyLoss(4, 3)
        >>> loss
        LinearCrossEntropyLoss(
          in_features=4, num_classes=3, out_features=(), bias=False, reduction=mean, ignore_index=None, label_smoothing=0.0, options=None
          (linear): Linear(in_features=4, out_features=3, bias=False)
        )
        >>> loss(torch.randn(2, 4), torch.tensor([0, 2])).shape
        torch.Size([])
    """

    def __init__(self, in_features: int, num_classes: int, *, out_features=(), bias: bool = False, device=None,
                 dtype=None, reduction: str = "mean", weight=None, ignore_index=None, label_smoothing: float = 0.0,
                 options=None):
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got {label_smoothing}")
        super().__init__(weight=weight, size_average=None, reduce=None, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        # the weight is stored 2-D (nn.Linear's) and reshaped in forward
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias, device=device,
                             dtype=dtype)
        self.options = options

    def forward(self, input, target):
        linear_weight = self.linear.weight.reshape((self.num_classes, *self.out_features, self.linear.in_features))
        linear_bias = (self.linear.bias.reshape((self.num_classes, *self.out_features))
                       if self.linear.bias is not None else None)
        return F.linear_cross_entropy(input, linear_weight, target, linear_bias=linear_bias, weight=self.weight,
                                      reduction=self.reduction, ignore_index=self.ignore_index,
                                      label_smoothing=self.label_smoothing, options=self.options)

    def extra_repr(self):
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
