"""``Identity`` and ``Linear``. Mirrors ``torch/nn/modules/linear.py``."""
from __future__ import annotations

import math

from ... import _dtype as D
from ..._ops.creation import empty
from ..parameter import Parameter
from .. import functional as F
from .. import init
from .module import Module

__all__ = ["Identity", "Linear"]  # (NonDynamicallyQuantizableLinear: not in torch.nn either)


class Identity(Module):
    """Returns its input unchanged; accepts (and ignores) any constructor arguments.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1., 2.])
        >>> torch.nn.Identity(54, unused="x")(x) is x
        True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """The affine map ``y = x @ weight.T + bias``.

    Args:
        in_features: size of the last dimension of the input.
        out_features: size of the last dimension of the output.
        bias: whether to learn an additive bias (default ``True``).
        device: where to create the parameters.
        dtype: the parameters' dtype (default float32).

    Attributes:
        weight: ``(out_features, in_features)``, initialised as PyTorch does with
            ``kaiming_uniform_(a=sqrt(5))``, i.e. ``U(-1/sqrt(in), 1/sqrt(in))``.
        bias: ``(out_features,)`` from ``U(-1/sqrt(in), 1/sqrt(in))``.

    Shape:
        input ``(*, in_features)`` → output ``(*, out_features)``.

    Examples:
        >>> import reftorch as torch
        >>> fc = torch.nn.Linear(3, 2)
        >>> fc
        Linear(in_features=3, out_features=2, bias=True)
        >>> fc(torch.zeros(5, 3)).shape
        torch.Size([5, 2])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = D.get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weight and bias with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` under another name: the output projection of
    :class:`~reftorch.nn.MultiheadAttention` (PyTorch uses the name to keep dynamic
    quantization away from it). Mirrors ``torch.nn.modules.linear.NonDynamicallyQuantizableLinear``."""
