"""Folding an eval-mode batch norm into the convolution or linear layer before it.
Mirrors ``torch.nn.utils.fusion``.

In eval mode ``bn(conv(x))`` is ``conv'(x)`` with ``w' = w * s`` (per output channel) and
``b' = (b - running_mean) * s + bn.bias``, where ``s = bn.weight / sqrt(running_var + eps)``.
"""
from __future__ import annotations

import copy

from ..._ops.creation import ones_like, zeros_like
from ..._ops.unary_math import rsqrt
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of the eval-mode convolution ``conv`` with the eval-mode batch norm ``bn``
    that follows it folded in (``fused(x)`` equals ``bn(conv(x))`` up to rounding).
    Mirrors ``torch.nn.utils.fuse_conv_bn_eval``.

    Args:
        conv: a ``Conv1d/2d/3d`` (or, with ``transpose``, a ``ConvTranspose``) module.
        bn: a ``BatchNorm`` module with running statistics.
        transpose: ``conv`` is a transposed convolution (output channels on dim 1).

    Returns:
        A new convolution module (``conv`` is left alone).

    Raises:
        AssertionError: if either module is in training mode, or ``bn`` keeps no running
            statistics.

    Examples:
        >>> import reftorch as torch
        >>> conv, bn = torch.nn.Conv2d(1, 2, 3).eval(), torch.nn.BatchNorm2d(2).eval()
        >>> x = torch.ones(1, 1, 4, 4)
        >>> fused = torch.nn.utils.fuse_conv_bn_eval(conv, bn)
        >>> torch.allclose(fused(x), bn(conv(x)), atol=1e-6)
        True
    """
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight, fused_conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias, transpose)
    return fused_conv


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose: bool = False):
    """The weight and bias of a convolution with a batch norm folded in. Mirrors
    ``torch.nn.utils.fuse_conv_bn_weights``.

    Args:
        conv_w: the convolution's weight, ``(out, in / groups, *kernel)`` (``(in, out /
            groups, *kernel)`` with ``transpose``).
        conv_b: its bias, or ``None`` (zeros).
        bn_rm: the batch norm's running mean.
        bn_rv: its running variance.
        bn_eps: its ``eps``.
        bn_w: its weight, or ``None`` (ones).
        bn_b: its bias, or ``None`` (zeros).
        transpose: scale dim 1 of the weight instead of dim 0.

    Returns:
        ``(weight, bias)``: new Parameters in the dtypes of ``conv_w`` and ``conv_b``,
        requiring grad as they did (a missing bias: as the running mean does).
    """
    conv_weight_dtype = conv_w.dtype
    conv_bias_dtype = conv_b.dtype if conv_b is not None else conv_weight_dtype
    if conv_b is None:
        conv_b = zeros_like(bn_rm)
    if bn_w is None:
        bn_w = ones_like(bn_rm)
    if bn_b is None:
        bn_b = zeros_like(bn_rm)
    bn_var_rsqrt = rsqrt(bn_rv + bn_eps)
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (len(conv_w.shape) - 2)
    fused_conv_w = (conv_w * (bn_w * bn_var_rsqrt).reshape(shape)).to(dtype=conv_weight_dtype)
    fused_conv_b = ((conv_b - bn_rm) * bn_var_rsqrt * bn_w + bn_b).to(dtype=conv_bias_dtype)
    return Parameter(fused_conv_w, conv_w.requires_grad), Parameter(fused_conv_b, conv_b.requires_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of the eval-mode ``linear`` with the eval-mode batch norm ``bn`` that follows
    it folded in. Mirrors ``torch.nn.utils.fuse_linear_bn_eval``.

    Args:
        linear: a ``Linear`` module.
        bn: a ``BatchNorm`` module with running statistics, over ``linear.out_features``
            features (or one feature, broadcast).

    Returns:
        A new ``Linear`` module (``linear`` is left alone).

    Raises:
        AssertionError: if either module is in training mode, if the feature counts do
            not fit, or if ``bn`` keeps no running statistics.
    """
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_linear = copy.deepcopy(linear)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError("To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
                             f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight, fused_linear.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused_linear


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The weight and bias of a linear layer with a batch norm folded in. Mirrors
    ``torch.nn.utils.fuse_linear_bn_weights``.

    Args:
        linear_w: the layer's weight, ``(out_features, in_features)``.
        linear_b: its bias, or ``None`` (zeros).
        bn_rm: the batch norm's running mean.
        bn_rv: its running variance.
        bn_eps: its ``eps``.
        bn_w: its weight.
        bn_b: its bias.

    Returns:
        ``(weight, bias)``: new Parameters, requiring grad as the inputs did.
    """
    linear_weight_dtype = linear_w.dtype
    linear_bias_dtype = linear_b.dtype if linear_b is not None else linear_weight_dtype
    if linear_b is None:
        linear_b = zeros_like(bn_rm)
    bn_scale = bn_w * rsqrt(bn_rv + bn_eps)
    fused_w = linear_w * bn_scale.unsqueeze(-1).to(dtype=linear_weight_dtype)
    fused_b = ((linear_b - bn_rm) * bn_scale + bn_b).to(dtype=linear_bias_dtype)
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, linear_b.requires_grad)
