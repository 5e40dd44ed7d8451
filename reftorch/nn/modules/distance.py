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
