"""Gradient interface: the gradients of a convolution with respect to its input and its
weight, given the gradient of its output. Mirrors ``torch.nn.grad``.

They are the two kernels of the convolution's own backward pass
(:class:`~reftorch.nn._conv.ConvolutionInputGrad` and
:class:`~reftorch.nn._conv.ConvolutionWeightGrad`, PyTorch's ``convolution_backward``),
so they are differentiable again (``grad_fn`` ``ConvolutionBackwardBackward0``).
"""
from __future__ import annotations

from .. import _dtype as D
from ._conv import ConvolutionInputGrad, ConvolutionWeightGrad, _Geom

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input", "conv3d_weight"]


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _geometry(n, input_shape, weight_shape, grad_output, stride, padding, dilation, groups):
    """The convolution's geometry, checked against the shape of ``grad_output``."""
    input_shape, weight_shape = tuple(input_shape), tuple(weight_shape)
    if len(input_shape) != n + 2 or len(weight_shape) != n + 2 or grad_output.dim() != n + 2:
        raise RuntimeError(f"conv{n}d gradients expect {n + 2}-D input, weight and grad_output, got sizes "
                           f"{list(input_shape)}, {list(weight_shape)} and {list(grad_output.shape)}")
    if input_shape[1] != weight_shape[1] * groups or weight_shape[0] % groups != 0:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight_shape)}, expected input"
                           f"{list(input_shape)} to have {weight_shape[1] * groups} channels")
    pads = tuple((p, p) for p in _ntuple(padding, n))
    geom = _Geom(input_shape, weight_shape, _ntuple(stride, n), pads, _ntuple(dilation, n), groups)
    expected = (input_shape[0], weight_shape[0]) + geom.out
    if tuple(grad_output.shape) != expected:
        raise RuntimeError(f"grad_output of size {list(grad_output.shape)} does not match the output size "
                           f"{list(expected)} of the convolution")
    return geom


def _same_dtype(expected, found):
    if expected.dtype != found.dtype:
        raise RuntimeError(f"expected scalar type {D.scalar_name(expected.dtype)} but found "
                           f"{D.scalar_name(found.dtype)}")


def _input(n, input_size, weight, grad_output, stride, padding, dilation, groups):
    _same_dtype(grad_output, weight)
    geom = _geometry(n, input_size, weight.shape, grad_output, stride, padding, dilation, groups)
    return ConvolutionInputGrad.apply(grad_output, weight, geom=geom)


def _weight(n, input, weight_size, grad_output, stride, padding, dilation, groups):
    _same_dtype(grad_output, input)
    geom = _geometry(n, input.shape, weight_size, grad_output, stride, padding, dilation, groups)
    return ConvolutionWeightGrad.apply(grad_output, input, geom=geom)


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv1d`` with respect to its input: a transposed convolution of
    ``grad_output``, with the input's shape given explicitly. Mirrors
    ``torch.nn.grad.conv1d_input``.

    Args:
        input_size: the shape of the input, ``(N, C_in, L)``.
        weight (Tensor): ``(C_out, C_in / groups, kL)``.
        grad_output (Tensor): the gradient of the output, ``(N, C_out, L_out)``.
        stride: the convolution's stride (int or 1-tuple, default 1).
        padding: the convolution's zero padding (int or 1-tuple, default 0).
        dilation: the convolution's dilation (int or 1-tuple, default 1).
        groups: the convolution's groups (default 1).

    Returns:
        Tensor: ``(N, C_in, L)``.

    Raises:
        RuntimeError: mismatched dtypes, or shapes that do not belong to one convolution.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.grad.conv1d_input((1, 1, 3), torch.ones(1, 1, 2), torch.ones(1, 1, 2))
        tensor([[[1., 2., 1.]]])
    """
    return _input(1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of ``conv1d`` with respect to its weight, with the weight's shape given
    explicitly. Mirrors ``torch.nn.grad.conv1d_weight``.

    Args:
        input (Tensor): ``(N, C_in, L)``.
        weight_size: the shape of the weight, ``(C_out, C_in / groups, kL)``.
        grad_output (Tensor): the gradient of the output, ``(N, C_out, L_out)``.
        stride: the convolution's stride (int or 1-tuple, default 1).
        padding: the convolution's zero padding (int or 1-tuple, default 0).
        dilation: the convolution's dilation (int or 1-tuple, default 1).
        groups: the convolution's groups (default 1).

    Returns:
        Tensor: of shape ``weight_size``.

    Raises:
        RuntimeError: mismatched dtypes, or shapes that do not belong to one convolution.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[[1., 2., 3.]]])
        >>> torch.nn.grad.conv1d_weight(x, (1, 1, 2), torch.ones(1, 1, 2))
        tensor([[[3., 5.]]])
    """
    return _weight(1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """:func:`conv1d_input` for ``conv2d``: ``input_size`` ``(N, C_in, H, W)``, ``weight``
    ``(C_out, C_in / groups, kH, kW)``, ``grad_output`` ``(N, C_out, H_out, W_out)``.
    Mirrors ``torch.nn.grad.conv2d_input``."""
    return _input(2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """:func:`conv1d_weight` for ``conv2d``: ``input`` ``(N, C_in, H, W)``, ``weight_size``
    ``(C_out, C_in / groups, kH, kW)``. Mirrors ``torch.nn.grad.conv2d_weight``."""
    return _weight(2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """:func:`conv1d_input` for ``conv3d``: ``input_size`` ``(N, C_in, D, H, W)``, ``weight``
    ``(C_out, C_in / groups, kD, kH, kW)``. Mirrors ``torch.nn.grad.conv3d_input``."""
    return _input(3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """:func:`conv1d_weight` for ``conv3d``: ``input`` ``(N, C_in, D, H, W)``,
    ``weight_size`` ``(C_out, C_in / groups, kD, kH, kW)``. Mirrors
    ``torch.nn.grad.conv3d_weight``."""
    return _weight(3, input, weight_size, grad_output, stride, padding, dilation, groups)
