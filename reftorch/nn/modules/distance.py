"""Distance modules. Mirrors ``torch/nn/modules/distance.py``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity"]


class CosineSimilarity(Module):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``.

    See :func:`reftorch.nn.functional.cosine_similarity`.

    Args:
        dim: the dimension of the vectors (default 1).
        eps: the smallest norm (default 1e-8).

    Examples:
        >>> import reftorch as torch
        >>> cos = torch.nn.CosineSimilarity(dim=0)
        >>> cos(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0]))
        tensor(0.7071)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


__all__ += ["PairwiseDistance"]


class PairwiseDistance(Module):
    """The ``p``-norm distance between ``x1`` and ``x2`` along their last dimension.

    See :func:`reftorch.nn.functional.pairwise_distance`.

    Args:
        p: the exponent of the norm (default 2.0).
        eps: added to the difference (default 1e-6).
        keepdim: keep the reduced last dimension with size 1 (default False).

    Examples:
        >>> import reftorch as torch
        >>> dist = torch.nn.PairwiseDistance(p=1.0)
        >>> dist(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]))
        tensor([7.0000])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
