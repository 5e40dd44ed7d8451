"""``F.lp_pool1d`` / ``F.lp_pool2d`` / ``F.lp_pool3d`` (power-average pooling) and
``F.local_response_norm``: compositions of the pooling functions, in the order of
PyTorch's own, so that values, gradients and ``grad_fn`` names match."""
from __future__ import annotations

import math

from . import functional as F  # (imported by functional at its end: every name below exists by then)


def _lp(input, norm_type, kernel_size, stride, ceil_mode, nd):
    max_pool, avg_pool = ((F.max_pool1d, F.avg_pool1d), (F.max_pool2d, F.avg_pool2d),
                          (F.max_pool3d, F.avg_pool3d))[nd - 1]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    k = kernel_size if nd == 1 else math.prod(tuple(kernel_size) if isinstance(kernel_size, (tuple, list))
                                              else (kernel_size,) * nd)
    return (out.sign() * F.relu(out.abs())).mul(k).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last dim of ``(N, C, L)`` or ``(C, L)``: each window
    gives ``(sum of x ** p) ** (1 / p)`` with ``p = norm_type`` (``inf``: the maximum of
    ``|x|``). Computed as PyTorch computes it, from :func:`avg_pool1d` of ``x ** p``
    (negative window sums clamp to 0).

    Mirrors ``torch.nn.functional.lp_pool1d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.lp_pool1d(torch.tensor([[3., 4., 1., 0.]]), 2, 2)
        tensor([[5., 1.]])
    """
    return _lp(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)``
    (see :func:`lp_pool1d`; ``norm_type=1`` is sum pooling, ``2`` the L2 norm of each
    window).

    Mirrors ``torch.nn.functional.lp_pool2d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.lp_pool2d(torch.ones(1, 4, 4), 1, 2)
        tensor([[[4., 4.],
                 [4., 4.]]])
    """
    return _lp(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last three dims of ``(N, C, D, H, W)`` or
    ``(C, D, H, W)`` (see :func:`lp_pool1d`).

    Mirrors ``torch.nn.functional.lp_pool3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.lp_pool3d(torch.ones(1, 2, 2, 2), 2, 2)
        tensor([[[[2.8284]]]])
    """
    return _lp(input, norm_type, kernel_size, stride, ceil_mode, 3)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalisation (AlexNet): each element divided by
    ``(k + alpha / size * sum of x ** 2 over size neighbouring channels) ** beta``, the
    window of channels ``c - size // 2 .. c + (size - 1) // 2`` (zero-padded at the ends).
    Composed as PyTorch composes it (an average pooling of ``x * x``).

    Args:
        input: ``(N, C, *)`` with at least 3 dims.
        size: the number of neighbouring channels.
        alpha: the multiplicative factor (default 1e-4).
        beta: the exponent (default 0.75).
        k: the additive constant (default 1).

    Raises:
        ValueError: for inputs with fewer than 3 dims.

    Mirrors ``torch.nn.functional.local_response_norm``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.local_response_norm(torch.ones(1, 3, 1), 2, alpha=1.0, beta=1.0)
        tensor([[[0.6667],
                 [0.5000],
                 [0.5000]]])
    """
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = F.pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = F.pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div
