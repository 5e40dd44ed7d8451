"""``Dropout``. Mirrors ``torch/nn/modules/dropout.py``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]


class _DropoutNd(Module):
    """What every dropout layer holds: ``p`` and ``inplace`` (PyTorch's ``_DropoutNd``)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
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

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """During training, zero whole channels of ``(N, C, L)`` (or ``(C, L)``) with
    probability ``p`` and scale the others by ``1 / (1 - p)``; identity in evaluation mode.

    Args:
        p: the probability of zeroing a channel (default 0.5).
        inplace: modify the input in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Dropout1d(0.2)
        Dropout1d(p=0.2, inplace=False)
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """During training, zero whole channels (feature maps) of ``(N, C, H, W)`` with
    probability ``p`` and scale the others by ``1 / (1 - p)``; identity in evaluation mode.
    Seeded masks equal PyTorch's.

    Args:
        p: the probability of zeroing a channel (default 0.5).
        inplace: modify the input in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.nn.Dropout2d()(torch.ones(1, 4, 1, 2))
        tensor([[[[0., 0.]],
        <BLANKLINE>
                 [[0., 0.]],
        <BLANKLINE>
                 [[2., 2.]],
        <BLANKLINE>
                 [[0., 0.]]]])
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """During training, zero whole channels (3-d feature maps) of ``(N, C, D, H, W)`` (or
    ``(C, D, H, W)``) with probability ``p`` and scale the others by ``1 / (1 - p)``;
    identity in evaluation mode. Seeded masks equal PyTorch's.

    Args:
        p: the probability of zeroing a channel (default 0.5).
        inplace: modify the input in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Mirrors ``torch.nn.Dropout3d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Dropout3d(0.1)
        Dropout3d(p=0.1, inplace=False)
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


__all__ += ["AlphaDropout", "FeatureAlphaDropout"]


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks (:func:`~reftorch.nn.functional.alpha_dropout`): in
    training mode dropped elements take SELU's saturation value and the output keeps the
    mean and variance of the input; in evaluation mode the input is returned.

    Args:
        p: the probability of dropping an element (default 0.5).
        inplace: kept for the repr; as in PyTorch, the layer never works in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Mirrors ``torch.nn.AlphaDropout``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AlphaDropout(0.2)
        AlphaDropout(p=0.2, inplace=False)
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """:class:`AlphaDropout` of whole channels (:func:`~reftorch.nn.functional.feature_alpha_dropout`):
    one draw per ``(N, C)`` pair.

    Args:
        p: the probability of dropping a channel (default 0.5).
        inplace: kept for the repr; as in PyTorch, the layer never works in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Mirrors ``torch.nn.FeatureAlphaDropout``.
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
