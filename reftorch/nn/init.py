"""``reftorch.nn.init``: fill parameters in place. Mirrors ``torch.nn.init``.

Every function runs without recording gradients and draws from the same generator as
PyTorch, in the same order, so ``manual_seed(s)`` followed by the same initialisation gives
the same numbers as PyTorch on x86-64 CPUs.
"""
from __future__ import annotations

import math
import warnings

from ..autograd.grad_mode import no_grad
from .._ops import creation as _creation
from .._tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table).

    ``linear``/``conv*``/``sigmoid`` → 1, ``tanh`` → 5/3, ``relu`` → √2,
    ``leaky_relu`` → √(2 / (1 + slope²)) (slope 0.01 by default), ``selu`` → 3/4.

    Raises:
        ValueError: for an unknown nonlinearity or a bad ``param``.

    Examples:
        >>> from reftorch.nn import init
        >>> init.calculate_gain("relu")
        1.4142135623730951
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    num_input_fmaps = tensor.size(1)
    num_output_fmaps = tensor.size(0)
    receptive_field_size = 1
    if tensor.dim() > 2:
        for s in tensor.shape[2:]:
            receptive_field_size *= s
    return num_input_fmaps * receptive_field_size, num_output_fmaps * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with numbers drawn uniformly from ``[a, b)``; returns ``tensor``."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with numbers drawn from ``N(mean, std²)``; returns ``tensor``."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor, val):
    """Fill with ``val``; returns ``tensor``."""
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor):
    """Fill with zeros; returns ``tensor``."""
    with no_grad():
        return tensor.zero_()


def ones_(tensor):
    """Fill with ones; returns ``tensor``."""
    with no_grad():
        return tensor.fill_(1.0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix; returns ``tensor``.

    Raises:
        ValueError: if ``tensor`` is not 2-D.
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        tensor.copy_(_creation.eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: ``U(-a, a)`` with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: ``N(0, std²)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: ``U(-bound, bound)`` with ``bound = gain * sqrt(3 / fan)``.

    ``nn.Linear`` uses ``kaiming_uniform_(weight, a=math.sqrt(5))``.
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    with no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: ``N(0, std²)`` with ``std = gain / sqrt(fan)``."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    with no_grad():
        return tensor.normal_(0, std, generator=generator)


__all__ += ["orthogonal_"]


def orthogonal_(tensor, gain=1, generator=None):
    """Fill ``tensor`` with a (semi-)orthogonal matrix times ``gain``: its rows, or its
    columns when there are fewer columns, are orthonormal.

    As PyTorch: draw a ``(rows, numel // rows)`` standard normal matrix, take the ``Q`` of
    its QR decomposition (of its transpose when wider than tall) with the signs of ``R``'s
    diagonal multiplied in, and copy it into ``tensor`` viewed as that matrix. The normal
    draw is PyTorch's; the QR is the backend's LAPACK (NumPy's or CuPy's), equal to
    PyTorch's up to rounding. Mirrors ``torch.nn.init.orthogonal_``.

    Raises:
        ValueError: for a tensor with fewer than 2 dims.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.init.orthogonal_(torch.empty(3, 5))
        >>> torch.allclose(w @ w.T, torch.eye(3), atol=1e-6)
        True
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
        b = flat._backend
        a = flat._data.T if rows < cols else flat._data
        q, r = b.xp.linalg.qr(a)
        q = q * b.xp.sign(b.xp.linalg.diagonal(r))  # (each column by the sign of R's diagonal)
        q = q.T if rows < cols else q
        tensor.view(rows, cols).copy_(Tensor._wrap(b.ascontiguousarray(q), flat._device, b))
        tensor.mul_(gain)
    return tensor
