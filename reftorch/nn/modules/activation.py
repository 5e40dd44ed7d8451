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


__all__ += ["CELU", "GLU", "Hardsigmoid", "Hardswish", "LogSigmoid", "PReLU", "SELU", "Softmin", "Softsign",
            "Threshold"]


class _Inplace(Module):
    """An activation with only an ``inplace`` flag; ``_fn`` names the functional form."""

    _fn = ""
    _show_inplace = True

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return getattr(F, self._fn)(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace and self._show_inplace else ""


class SELU(_Inplace):
    """Scaled ELU, ``scale * elu(x, alpha)`` with fixed ``alpha`` and ``scale`` (see
    :func:`reftorch.nn.functional.selu`).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Mirrors ``torch.nn.SELU``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.SELU()(torch.tensor([-1.0, 2.0]))
        tensor([-1.1113,  2.1014])
    """

    _fn = "selu"


class CELU(Module):
    """Continuously differentiable ELU ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        alpha: the negative saturation value is ``-alpha`` (default 1).
        inplace: overwrite the input instead of allocating the output.

    Mirrors ``torch.nn.CELU``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.CELU(0.5)
        CELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Hardswish(_Inplace):
    """``x * min(max(x + 3, 0), 6) / 6`` (see :func:`reftorch.nn.functional.hardswish`).

    Args:
        inplace: overwrite the input instead of allocating the output (not shown in the repr,
            as in PyTorch).

    Mirrors ``torch.nn.Hardswish``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardswish()(torch.tensor([-1.0, 1.0]))
        tensor([-0.3333,  0.6667])
    """

    _fn = "hardswish"
    _show_inplace = False


class Hardsigmoid(_Inplace):
    """``min(max(x + 3, 0), 6) / 6`` (see :func:`reftorch.nn.functional.hardsigmoid`).

    Args:
        inplace: overwrite the input instead of allocating the output (not shown in the repr).

    Mirrors ``torch.nn.Hardsigmoid``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardsigmoid()(torch.tensor([-1.0, 1.0]))
        tensor([0.3333, 0.6667])
    """

    _fn = "hardsigmoid"
    _show_inplace = False


class Softmin(Module):
    """``softmax(-x, dim)``: the smallest input gets the largest weight.

    Args:
        dim: the dimension whose entries sum to 1 (``None``: PyTorch's deprecated implicit
            choice, with its warning).

    Mirrors ``torch.nn.Softmin``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Softmin(dim=0)(torch.tensor([1.0, 2.0]))
        tensor([0.7311, 0.2689])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSigmoid(Module):
    """``log(sigmoid(x))``, without overflow (see :func:`reftorch.nn.functional.logsigmoid`).

    Mirrors ``torch.nn.LogSigmoid``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.LogSigmoid()(torch.tensor([0.0]))
        tensor([-0.6931])
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``.

    Mirrors ``torch.nn.Softsign``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Softsign()(torch.tensor([-3.0, 1.0]))
        tensor([-0.7500,  0.5000])
    """

    def forward(self, input):
        return F.softsign(input)


class Threshold(Module):
    """``x`` where ``x > threshold``, ``value`` elsewhere.

    Args:
        threshold: the value to compare with.
        value: the replacement.
        inplace: overwrite the input instead of allocating the output.

    Mirrors ``torch.nn.Threshold``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Threshold(0.1, 20.0)
        Threshold(threshold=0.1, value=20.0)
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """Gated linear unit: the first half of ``dim`` times the sigmoid of the second half.

    Args:
        dim: the dimension to halve (default -1); its size must be even.

    Shape:
        ``(*, 2N, *)`` to ``(*, N, *)``.

    Mirrors ``torch.nn.GLU``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.GLU()(torch.tensor([[1.0, 2.0, 0.0, 100.0]]))
        tensor([[0.5000, 2.0000]])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """Parametric ReLU: ``x`` where positive, ``weight * x`` elsewhere, with a learned slope.

    Args:
        num_parameters: 1 (one slope for all channels, default) or the number of channels
            (dim 1 of the input).
        init: the initial slope (default 0.25).
        device: where to create ``weight``.
        dtype: ``weight``'s dtype.

    Attributes:
        weight: the learnable slopes, shape ``(num_parameters,)``.

    Mirrors ``torch.nn.PReLU``.

    Examples:
        >>> import reftorch as torch
        >>> m = torch.nn.PReLU()
        >>> m
        PReLU(num_parameters=1)
        >>> m(torch.tensor([-2.0, 3.0]))
        tensor([-0.5000,  3.0000], grad_fn=<PreluKernelBackward0>)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        from ..._ops import creation
        from ..parameter import Parameter
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        from .. import init
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
