"""Activation modules. Mirrors ``torch/nn/modules/activation.py``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "Softplus", "Softmax", "LogSoftmax", "LeakyReLU"]


class ReLU(Module):
    """``max(x, 0)`` element-wise.

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReLU()(torch.tensor([-1., 2.]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"negative_slope={self.negative_slope}{inplace_str}"


class Tanh(Module):
    """Element-wise hyperbolic tangent, with values in ``(-1, 1)``."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """Element-wise ``1 / (1 + exp(-x))``, with values in ``(0, 1)``."""

    def forward(self, input):
        return F.sigmoid(input)


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``: a smooth ReLU.

    Args:
        beta: sharpness (default 1).
        threshold: where ``beta * x > threshold`` the output is ``x`` itself (default 20).
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """Softmax along ``dim``: non-negative outputs that sum to 1 along that dimension.

    Args:
        dim: the dimension to normalise; ``None`` is deprecated (see ``F.softmax``).
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``log(softmax(x))`` along ``dim``, computed stably."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# ---------------------------------------------------------------------- gelu, silu
__all__ += ["GELU", "SiLU"]


class GELU(Module):
    """Gaussian Error Linear Unit ``x * Phi(x)`` (see :func:`reftorch.nn.functional.gelu`).

    Args:
        approximate: ``'none'`` (exact, through ``erf``) or ``'tanh'``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """Sigmoid Linear Unit ``x * sigmoid(x)`` (see :func:`reftorch.nn.functional.silu`).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.SiLU()(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


# ---------------------------------------------------------------------- elu, hardtanh, mish
__all__ += ["ELU", "Hardtanh", "Mish", "ReLU6"]


class ELU(Module):
    """Exponential Linear Unit (see :func:`reftorch.nn.functional.elu`).

    Args:
        alpha: the output tends to ``-alpha`` for very negative inputs (default 1).
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ELU(alpha=0.5)
        ELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"alpha={self.alpha}{inplace_str}"


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]`` (see :func:`reftorch.nn.functional.hardtanh`).

    Args:
        min_val: the lower end (default -1).
        max_val: the upper end (default 1).
        inplace: overwrite the input instead of allocating the output.

    Raises:
        AssertionError: ``max_val`` is not greater than ``min_val``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardtanh(-2.0, 2.0)
        Hardtanh(min_val=-2.0, max_val=2.0)
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if not self.max_val > self.min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace_str}"


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``: a :class:`Hardtanh` from 0 to 6.

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReLU6()(torch.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Mish(Module):
    """``x * tanh(softplus(x))`` (see :func:`reftorch.nn.functional.mish`).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Mish()
        Mish()
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.mish(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""
