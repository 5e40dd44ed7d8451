"""The padding layers: ``F.pad`` with a fixed padding. Mirrors ``torch/nn/modules/padding.py``.

Every layer stores ``padding`` as a tuple of ``2 * d`` ints, last dimension first
(``(left, right)``, ``(left, right, top, bottom)``, ...): an int gives the same amount on
every side. The layers have no parameters or buffers (an empty ``state_dict``).
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]


def _ntuple(padding, n):
    """An int repeated ``n`` times; a sequence as a tuple (PyTorch's ``_pair``/``_quadruple``)."""
    try:
        return tuple(padding)
    except TypeError:
        return (padding,) * n


class _CircularPadNd(Module):
    __constants__ = ["padding"]
    _dims = ()

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, 2 * (self._dims[0] - 1))

    def forward(self, input):
        if input.dim() not in self._dims:
            raise ValueError(f"expected {self._dims[0]}D or {self._dims[1]}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")

    def extra_repr(self) -> str:
        return f"{self.padding}"


class CircularPad1d(_CircularPadNd):
    """Pad the last dimension by wrapping around (the first elements follow the last).

    Args:
        padding: an int, or ``(left, right)``.

    Shape:
        ``(C, W)`` or ``(N, C, W)`` to ``(..., W + left + right)``.

    Raises:
        ValueError: for an input that is not 2D or 3D.

    Mirrors ``torch.nn.CircularPad1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.CircularPad1d((1, 2))(torch.tensor([[1., 2., 3.]]))
        tensor([[3., 1., 2., 3., 1., 2.]])
    """

    _dims = (2, 3)


class CircularPad2d(_CircularPadNd):
    """Pad the last two dimensions by wrapping around.

    Args:
        padding: an int, or ``(left, right, top, bottom)``.

    Shape:
        ``(C, H, W)`` or ``(N, C, H, W)`` to ``(..., H + top + bottom, W + left + right)``.

    Raises:
        ValueError: for an input that is not 3D or 4D.

    Mirrors ``torch.nn.CircularPad2d``.
    """

    _dims = (3, 4)


class CircularPad3d(_CircularPadNd):
    """Pad the last three dimensions by wrapping around.

    Args:
        padding: an int, or ``(left, right, top, bottom, front, back)``.

    Raises:
        ValueError: for an input that is not 4D or 5D.

    Mirrors ``torch.nn.CircularPad3d``.
    """

    _dims = (4, 5)


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]

    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with the constant ``value``; a negative amount crops.

    Args:
        padding: an int, or ``(left, right)``.
        value: the fill value, cast to the input's dtype.

    Shape:
        any shape ``(..., W)`` to ``(..., W + left + right)``.

    Mirrors ``torch.nn.ConstantPad1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ConstantPad1d((1, 2), 9.)(torch.tensor([[1., 2., 3.]]))
        tensor([[9., 1., 2., 3., 9., 9.]])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _ntuple(padding, 2)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with the constant ``value``; a negative amount crops.

    Args:
        padding: an int, or ``(left, right, top, bottom)``.
        value: the fill value, cast to the input's dtype.

    Shape:
        ``(..., H, W)`` to ``(..., H + top + bottom, W + left + right)``.

    Mirrors ``torch.nn.ConstantPad2d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ConstantPad2d((1, 0, 0, 1), -1.)(torch.ones(1, 2, 2))
        tensor([[[-1.,  1.,  1.],
                 [-1.,  1.,  1.],
                 [-1., -1., -1.]]])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _ntuple(padding, 4)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with the constant ``value``.

    Args:
        padding: an int, or ``(left, right, top, bottom, front, back)``.
        value: the fill value, cast to the input's dtype.

    Mirrors ``torch.nn.ConstantPad3d``.
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _ntuple(padding, 6)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros (``ConstantPad1d`` with ``value=0.0``).

    Args:
        padding: an int, or ``(left, right)``.

    Shape:
        any shape ``(..., W)`` to ``(..., W + left + right)``.

    Mirrors ``torch.nn.ZeroPad1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ZeroPad1d(1)(torch.tensor([[1., 2.]]))
        tensor([[0., 1., 2., 0.]])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros (``ConstantPad2d`` with ``value=0.0``).

    Args:
        padding: an int, or ``(left, right, top, bottom)``.

    Shape:
        ``(..., H, W)`` to ``(..., H + top + bottom, W + left + right)``.

    Mirrors ``torch.nn.ZeroPad2d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ZeroPad2d((1, 1, 0, 1))
        ZeroPad2d((1, 1, 0, 1))
        >>> torch.nn.ZeroPad2d((1, 1, 0, 1))(torch.ones(1, 1, 2)).shape
        torch.Size([1, 2, 4])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros (``ConstantPad3d`` with ``value=0.0``).

    Args:
        padding: an int, or ``(left, right, top, bottom, front, back)``.

    Mirrors ``torch.nn.ZeroPad3d``.
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CopyPadNd(Module):
    """The reflection and replication layers: ``F.pad`` in mode ``_mode``."""

    __constants__ = ["padding"]
    _mode = ""
    _n = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReflectionPadNd(_CopyPadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """Pad the last dimension with its mirror image, the edge element not repeated.

    Args:
        padding: an int, or ``(left, right)``; each must be smaller than the width.

    Shape:
        ``(C, W)`` or ``(N, C, W)`` to ``(..., W + left + right)``.

    Raises:
        RuntimeError: for a padding not smaller than the width.
        NotImplementedError: for an input that is not 2D or 3D.

    Mirrors ``torch.nn.ReflectionPad1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReflectionPad1d(2)(torch.tensor([[1., 2., 3., 4.]]))
        tensor([[3., 2., 1., 2., 3., 4., 3., 2.]])
    """


class ReflectionPad2d(_ReflectionPadNd):
    """Pad the last two dimensions with their mirror image, the edges not repeated.

    Args:
        padding: an int, or ``(left, right, top, bottom)``; each must be smaller than
            its dimension.

    Shape:
        ``(C, H, W)`` or ``(N, C, H, W)`` to ``(..., H + top + bottom, W + left + right)``.

    Raises:
        RuntimeError: for a padding not smaller than its dimension.
        NotImplementedError: for an input that is not 3D or 4D.

    Mirrors ``torch.nn.ReflectionPad2d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReflectionPad2d(1)(torch.arange(4.).reshape(1, 2, 2))
        tensor([[[3., 2., 3., 2.],
                 [1., 0., 1., 0.],
                 [3., 2., 3., 2.],
                 [1., 0., 1., 0.]]])
    """

    _n = 4


class ReflectionPad3d(_ReflectionPadNd):
    """Pad the last three dimensions with their mirror image, the edges not repeated.

    Args:
        padding: an int, or ``(left, right, top, bottom, front, back)``.

    Mirrors ``torch.nn.ReflectionPad3d``.
    """

    _n = 6


class _ReplicationPadNd(_CopyPadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """Pad the last dimension by repeating its edge elements.

    Args:
        padding: an int, or ``(left, right)``.

    Shape:
        ``(C, W)`` or ``(N, C, W)`` to ``(..., W + left + right)``.

    Raises:
        NotImplementedError: for an input that is not 2D or 3D.

    Mirrors ``torch.nn.ReplicationPad1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReplicationPad1d((1, 2))(torch.tensor([[1., 2., 3.]]))
        tensor([[1., 1., 2., 3., 3., 3.]])
    """


class ReplicationPad2d(_ReplicationPadNd):
    """Pad the last two dimensions by repeating their edge elements.

    Args:
        padding: an int, or ``(left, right, top, bottom)``.

    Shape:
        ``(C, H, W)`` or ``(N, C, H, W)`` to ``(..., H + top + bottom, W + left + right)``.

    Raises:
        NotImplementedError: for an input that is not 3D or 4D.

    Mirrors ``torch.nn.ReplicationPad2d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReplicationPad2d((0, 1, 1, 0))(torch.arange(4.).reshape(1, 2, 2))
        tensor([[[0., 1., 1.],
                 [0., 1., 1.],
                 [2., 3., 3.]]])
    """

    _n = 4


class ReplicationPad3d(_ReplicationPadNd):
    """Pad the last three dimensions by repeating their edge elements.

    Args:
        padding: an int, or ``(left, right, top, bottom, front, back)``.

    Mirrors ``torch.nn.ReplicationPad3d``.
    """

    _n = 6
