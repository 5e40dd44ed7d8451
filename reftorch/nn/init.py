"""``reftorch.nn.init``: fill parameters in place. Mirrors ``torch.nn.init``.

Every function runs without recording gradients and draws from the same generator as
PyTorch, in the same order, so ``manual_seed(s)`` followed by the same initialisation gives
the same numbers as PyTorch on x86-64 CPUs.
"""
from __future__ import annotations

import math
import warnings

from ..autograd.grad_mode import no_grad
from .._ops import creation as _creation, pointwise as _pointwise, sampling as _sampling
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


__all__ += ["trunc_normal_"]


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill ``tensor`` with draws from the normal distribution ``N(mean, std**2)``
    truncated to ``[a, b]``. Mirrors ``torch.nn.init.trunc_normal_``.

    PyTorch 2.13's algorithm, draw for draw (so ``manual_seed`` gives PyTorch's values):
    where the interval holds more than 30% of the distribution, ``normal_`` draws with the
    values outside ``[a, b]`` (the bounds rounded to the tensor's dtype) drawn again until
    none is left; otherwise uniform draws on ``[a, b]``, each kept with probability
    ``exp(log_pdf - log_pdf(mode))`` (a second uniform draw), the rejected ones drawn
    again. (Earlier PyTorch versions used ``uniform_`` and ``erfinv_``; the values
    differ.)

    Args:
        tensor: the tensor to fill (in place).
        mean: the mean of the normal distribution (default 0).
        std: its standard deviation (default 1).
        a: the lower bound (default -2).
        b: the upper bound (default 2).
        generator: the random number generator (default: the global one).

    Returns:
        ``tensor``.

    Warns:
        UserWarning: when ``mean`` is more than ``2 * std`` outside ``[a, b]``.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.init.trunc_normal_(torch.empty(2, 3), std=0.02, a=-0.04, b=0.04)
        >>> bool(w.abs().max() <= 0.04)
        True
    """
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        if norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3:
            # the bounds in the tensor's dtype, so that the test agrees with its values
            lo = tensor.new_tensor(a, device="cpu").item()
            hi = tensor.new_tensor(b, device="cpu").item()
            result = tensor.normal_(mean, std, generator=generator)
            while True:
                outside = (result < lo) | (result > hi)
                if not outside.any():
                    break
                redraw = _creation.empty_like(result).normal_(mean, std, generator=generator)
                result = _pointwise.where(outside, redraw, result)
            if tensor is not result:
                tensor.copy_(result)
            return tensor
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        candidates = _creation.empty_like(tensor)
        accept = _creation.empty_like(tensor)

        def log_ratio(c):  # log_pdf(c) - log_pdf(mode), in place, in PyTorch's order
            return c.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)

        tensor.uniform_(a, b, generator=generator)
        candidates.copy_(tensor)
        log_ratio(candidates)
        pending = _pointwise.log(accept.uniform_(generator=generator)).gt(candidates)
        if pending.any():
            result = tensor
            while True:
                candidates.uniform_(a, b, generator=generator)
                result = _pointwise.where(pending, candidates, result)
                log_ratio(candidates)
                pending = _pointwise.where(pending, _pointwise.log(accept.uniform_(generator=generator)).gt(candidates),
                                           pending)
                if not pending.any():
                    break
            tensor.copy_(result)
        return tensor


__all__ += ["dirac_", "sparse_"]


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: a convolution with it
    copies its input channels to its output channels (as many as fit, in each of
    ``groups`` groups of output channels). Mirrors ``torch.nn.init.dirac_``.

    Args:
        tensor: the weight, ``(out_channels, in_channels, *kernel)``.
        groups: the number of groups of output channels.

    Returns:
        ``tensor``.

    Raises:
        ValueError: if ``tensor`` is not 3-, 4- or 5-D, or ``groups`` does not divide
            its first dimension.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.init.dirac_(torch.empty(2, 2, 3))
        tensor([[[0., 1., 0.],
                 [0., 0., 0.]],
        <BLANKLINE>
                [[0., 0., 0.],
                 [0., 1., 0.]]])
    """
    dimensions = tensor.dim()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    centre = tuple(n // 2 for n in sizes[2:])
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min_dim):
                tensor[(g * out_chans_per_grp + d, d) + centre] = 1
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor with draws from ``N(0, std**2)``, then zero
    ``ceil(sparsity * rows)`` randomly chosen entries of each column. Mirrors
    ``torch.nn.init.sparse_``.

    The draws are PyTorch's, in its order: ``normal_`` over the whole tensor (from
    ``generator``), then one ``randperm(rows)`` per column, whose first entries are the
    rows zeroed. As in PyTorch, the permutations come from the global generator even when
    ``generator`` is given.

    Args:
        tensor: the 2-D tensor to fill (in place).
        sparsity: the fraction of each column set to zero.
        std: the standard deviation of the normal draws (default 0.01).
        generator: the generator of the normal draws (default: the global one).

    Returns:
        ``tensor``.

    Raises:
        ValueError: if ``tensor`` is not 2-D.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.init.sparse_(torch.empty(4, 3), sparsity=0.5)
        >>> (w == 0).sum(0)
        tensor([2, 2, 2])
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        for col_idx in range(cols):
            row_indices = _sampling.randperm(rows)
            tensor[row_indices[:num_zeros], col_idx] = 0
    return tensor


def _deprecated(fn):
    """PyTorch's deprecated name without the trailing underscore (``nn.init.uniform``): a
    ``FutureWarning``, then ``fn``."""
    new_name = fn.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
                      FutureWarning, stacklevel=2)
        return fn(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = (f"Deprecated alias of :func:`{new_name}` (a ``FutureWarning``). "
                               f"Mirrors ``torch.nn.init.{old_name}``.")
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
dirac = _deprecated(dirac_)
sparse = _deprecated(sparse_)
