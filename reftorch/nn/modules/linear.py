"""``Identity`` and ``Linear``. Mirrors ``torch/nn/modules/linear.py``."""
from __future__ import annotations

import math

from ... import _dtype as D
from ..._ops.creation import empty
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter, UninitializedParameter
from .. import functional as F
from .. import init
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]  # (NonDynamicallyQuantizableLinear: not in torch.nn either)


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


class Bilinear(Module):
    """The bilinear map ``y = x1^T A x2 + b`` with a learned ``(in1, in2)`` matrix ``A`` per
    output feature: :func:`~reftorch.nn.functional.bilinear`.

    Args:
        in1_features: size of the last dim of the first input.
        in2_features: size of the last dim of the second input.
        out_features: size of the last dim of the output.
        bias: learn an additive bias (default ``True``).
        device: where to create the parameters.
        dtype: their dtype.

    Attributes:
        weight: ``(out_features, in1_features, in2_features)`` from
            ``U(-1/sqrt(in1), 1/sqrt(in1))``.
        bias: ``(out_features,)`` from the same interval.

    Shape:
        ``(*, in1_features)`` and ``(*, in2_features)`` → ``(*, out_features)``.

    Raises:
        ValueError: if ``in1_features`` is not positive.

    Examples:
        >>> import reftorch as torch
        >>> m = torch.nn.Bilinear(3, 4, 2)
        >>> m
        Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)
        >>> m(torch.zeros(5, 3), torch.zeros(5, 4)).shape
        torch.Size([5, 2])
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        dtype = D.get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(empty((out_features, in1_features, in2_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw weight and bias from ``U(-1/sqrt(in1), 1/sqrt(in1))``."""
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    """A :class:`Linear` whose ``in_features`` is read from the last dim of its first
    input; ``weight`` and ``bias`` are drawn then (the same values as
    ``Linear(in_features, out_features)`` would draw) and the module becomes a
    :class:`Linear`.

    Args:
        out_features: the size of each output sample.
        bias: learn an additive bias (default ``True``).
        device: where to create the parameters.
        dtype: their dtype (default float32).

    Raises:
        ValueError: if the parameters are used (e.g. by an optimizer step) before the
            first call.

    Mirrors ``torch.nn.LazyLinear``.

    Examples:
        >>> import reftorch as torch
        >>> fc = torch.nn.LazyLinear(2)
        >>> fc
        LazyLinear(in_features=0, out_features=2, bias=True)
        >>> fc.weight
        <UninitializedParameter>
        >>> fc(torch.ones(4, 3)).shape
        torch.Size([4, 2])
        >>> fc, fc.weight.shape
        (Linear(in_features=3, out_features=2, bias=True), torch.Size([2, 3]))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__(0, 0, False)  # no bias: it would be replaced at once
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """Draw the parameters as :class:`Linear` does, once they have a shape."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        """Set ``in_features`` from ``input.shape[-1]``, then materialize and draw the
        parameters."""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:  # parameters loaded from a state dict
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                                     f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = input.shape[-1]
