"""``Resize``: the function behind the deprecated ``Tensor.resize`` and ``Tensor.resize_as``
(``grad_fn=<ResizeBackward>``). Mirrors ``torch.autograd._functions.tensor.Resize``."""
from __future__ import annotations

import functools
import operator

from ..._size import Size
from .._custom_function import Function


class Resize(Function):
    """The input's elements, read row-major, in a new shape with as many elements; the
    gradient is the output's gradient in the input's shape."""

    @staticmethod
    def forward(ctx, tensor, sizes):
        ctx.sizes = sizes
        ctx.numel = functools.reduce(operator.mul, sizes, 1)
        if len(sizes) == 1 and isinstance(sizes[0], Size):
            ctx.numel = sizes[0]  # (PyTorch's Size keeps its type when multiplied; a tuple would not)
        if tensor.numel() != ctx.numel:
            # (PyTorch's message, also when the sizes come as one tuple, which this refuses)
            raise RuntimeError(
                f"requested resize to {'x'.join(map(str, sizes))} ({ctx.numel} elements in total), but the given "
                f"tensor has a size of {'x'.join(map(str, tensor.size()))} ({tensor.numel()} elements). autograd's "
                "resize can only change the shape of a given tensor, while preserving the number of elements. ")
        ctx.input_sizes = tensor.size()
        return tensor.contiguous().view(*sizes)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.contiguous().view(ctx.input_sizes), None
