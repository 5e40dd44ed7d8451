"""Autograd functions of the legacy layers. Mirrors ``torch/nn/modules/_functions.py``.

:class:`CrossMapLRN2d` is PyTorch's Lua-era local response normalisation across channels,
a custom :class:`~reftorch.autograd.Function` (``grad_fn`` ``CrossMapLRN2dBackward``). It
is written, as there, with running sums over the channels and in-place tensor operations
in the input's dtype, in the same order, so the values are PyTorch's. Its quirks are kept:

* the window of channel ``c`` is not centred: ``scale[0]`` sums the squares of channels
  ``0 .. (size - 1) // 2``; each next channel adds channel ``c + (size - 1) // 2`` (while
  there is one) and removes channel ``c - (size - 1) // 2 - 1`` only once
  ``c > (size - 1) // 2 + 1`` (so channel 0 is never removed);
* the backward is PyTorch's hand-written formula, which is not the derivative of that
  forward (``gradcheck`` fails in PyTorch too), and with ``size == 1`` it fails;
* the backward cannot be differentiated (``create_graph=True`` raises PyTorch's error).
"""
from __future__ import annotations

from ...autograd._custom_function import Function
from ...autograd.grad_mode import is_grad_enabled


class CrossMapLRN2d(Function):
    """``x / (k + alpha / size * scale) ** beta``, ``scale`` a running sum of ``x ** 2``
    over neighbouring channels of a 4-D ``(N, C, H, W)`` input."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        channels = input.size(1)
        square = input.pow(2)
        scale = input.new_zeros(input.shape)
        pre_pad = int((size - 1) / 2 + 1)
        first = scale.select(1, 0)
        for c in range(min(pre_pad, channels)):
            first.add_(square.select(1, c))
        for c in range(1, channels):  # each channel's sum from the previous one
            current = scale.select(1, c)
            current.copy_(scale.select(1, c - 1))
            if c < channels - pre_pad + 1:
                current.add_(square.select(1, c + pre_pad - 1))
            if c > pre_pad:
                current.add_(square.select(1, c - pre_pad), alpha=-1)
        scale.mul_(alpha / size).add_(k)
        output = scale.pow(-beta).mul_(input)
        ctx.scale = scale
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        size, scale = ctx.size, ctx.scale
        channels, height, width = input.shape[1:]
        padded_ratio = input.new_zeros((channels + size - 1, height, width))
        cache_ratio_value = 2 * ctx.alpha * ctx.beta / size
        inverse_pre_pad = int(size - (size - 1) / 2)
        grad_input = scale.pow(-ctx.beta).mul_(grad_output)
        center = padded_ratio.narrow(0, inverse_pre_pad, channels)
        for n in range(input.size(0)):
            if is_grad_enabled() and (grad_output.requires_grad or output.requires_grad):  # (create_graph=True)
                raise RuntimeError("mul(): functions with out=... arguments don't support automatic differentiation, "
                                   "but one of the arguments requires grad.")  # (PyTorch writes into out= tensors)
            center.copy_(grad_output[n] * output[n]).div_(scale[n])
            accum_ratio = padded_ratio.narrow(0, 0, size - 1).sum(0)
            for c in range(channels):
                accum_ratio.add_(padded_ratio[c + size - 1])
                grad_input[n][c].addcmul_(input[n][c], accum_ratio, value=-cache_ratio_value)
                accum_ratio.add_(padded_ratio[c], alpha=-1)
        return grad_input, None, None, None, None
