"""``Dropout``. Mirrors ``torch/nn/modules/dropout.py``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """During training, zero each element with probability ``p`` and scale the others by
    ``1 / (1 - p)``; in evaluation mode (``model.eval()``) return the input unchanged.

    Args:
        p: the probability of zeroing an element (default 0.5).
        inplace: modify the input in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Examples:
        >>> import reftorch as torch
        >>> drop = torch.nn.Dropout(0.5).eval()
        >>> drop(torch.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
