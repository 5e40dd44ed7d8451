"""The window functions of signal processing (``torch.hann_window`` and its kin), for
:func:`reftorch.stft` and friends.

Each is computed as PyTorch's ``TensorFactories.cpp`` computes it: ``arange`` in the
requested dtype, then the same sequence of tensor operations (each rounded to the dtype), so
the values are PyTorch's bit for bit. A *periodic* window of length ``N`` is the symmetric
window of length ``N + 1`` without its last value (the form for spectral analysis); lengths
0 and 1 give ``[]`` and ``[1.]``.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import _C_TYPE, int_arg
from ..autograd.grad_mode import no_grad
from ._common import resolve_device
from .creation import arange, empty, ones
from .special_math import i0

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "kaiser_window"]


def _start(fn, window_length, dtype, device):
    """The checked arguments: ``(length, dtype)``, or PyTorch's errors."""
    window_length = int_arg(window_length, fn, "window_length", 1)
    dtype = D.get_default_dtype() if dtype is None else dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        dev, _ = resolve_device(device)
        raise RuntimeError(
            f"{fn} expects floating point dtypes, got: TensorOptions(dtype={_C_TYPE.get(dtype.name, dtype.name)}, "
            f"device={dev}, layout=Strided (default), requires_grad=false (default), pinned_memory=false, "
            "memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{fn} requires non-negative window_length, got window_length={window_length}")
    return window_length, dtype


def _overload(fn, *optional):
    """PyTorch's overloads take the optional positional arguments in order: one given after
    one left out is a TypeError."""
    given = [a is not None for a in optional]
    if given != sorted(given, reverse=True):
        raise TypeError(f"{fn}() received an invalid combination of arguments - got an argument without the ones "
                        "before it (periodic, then the coefficients, must be given in order)")


def _window(fn, window_length, periodic, dtype, device, requires_grad, body):
    """The window: ``body(arange(n), n)`` for the symmetric length ``n`` (one more than
    ``window_length`` when ``periodic``), its last value dropped when ``periodic``."""
    window_length, dtype = _start(fn, window_length, dtype, device)
    if window_length == 0:
        return empty(0, dtype=dtype, device=device, requires_grad=requires_grad)
    if window_length == 1:
        return ones(1, dtype=dtype, device=device, requires_grad=requires_grad)
    periodic = True if periodic is None else periodic
    n = window_length + 1 if periodic else window_length
    with no_grad():
        w = body(arange(n, dtype=dtype, device=device), n)
        if periodic:
            w = w[:n - 1].clone()
    return w.requires_grad_(requires_grad)


def hamming_window(window_length, periodic=None, alpha=None, beta=None, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    r"""The generalized Hamming window
    :math:`w[n] = \alpha - \beta \cos\left(\frac{2 \pi n}{N - 1}\right)`, ``N`` being
    ``window_length`` (``window_length + 1`` when ``periodic``).

    Args:
        window_length: the number of values (``>= 0``).
        periodic: ``True`` (the default) for the window of spectral analysis (the symmetric
            window one longer, its last value dropped); ``False`` for the symmetric window.
        alpha: the constant coefficient (default: Hamming's 0.54); as in PyTorch, only with
            ``periodic`` given too (else TypeError).
        beta: the cosine's coefficient (default: Hamming's 0.46); only with ``alpha``.
        dtype: a floating point dtype (default: the default dtype).
        device: the device (default: the default device).
        requires_grad: make the window a leaf that requires grad (default ``False``).

    Returns:
        A 1-D tensor of ``window_length`` values.

    Raises:
        RuntimeError: for a negative length or a non-floating dtype.

    Mirrors ``torch.hamming_window``.

    Examples:
        >>> import reftorch as torch
        >>> torch.hamming_window(4)
        tensor([0.0800, 0.5400, 1.0000, 0.5400])
    """
    _overload("hamming_window", periodic, alpha, beta)
    alpha = 0.54 if alpha is None else alpha
    beta = 0.46 if beta is None else beta

    def body(k, n):
        return k.mul_(math.pi * 2.0 / (n - 1)).cos_().mul_(-beta).add_(alpha)
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad, body)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    r"""The Hann window :math:`w[n] = \frac{1}{2}\left(1 - \cos\frac{2 \pi n}{N - 1}\right)`
    (:func:`hamming_window` with ``alpha = beta = 0.5``), ``N`` being ``window_length``
    (``window_length + 1`` when ``periodic``).

    Args:
        window_length: the number of values (``>= 0``).
        periodic: ``True`` (the default): the periodic window of spectral analysis;
            ``False``: the symmetric one.
        dtype: a floating point dtype (default: the default dtype).
        device: the device (default: the default device).
        requires_grad: make the window a leaf that requires grad (default ``False``).

    Returns:
        A 1-D tensor of ``window_length`` values.

    Raises:
        RuntimeError: for a negative length or a non-floating dtype.

    Mirrors ``torch.hann_window``.

    Examples:
        >>> import reftorch as torch
        >>> torch.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
        >>> torch.hann_window(5, periodic=False)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    def body(k, n):
        return k.mul_(math.pi * 2.0 / (n - 1)).cos_().mul_(-0.5).add_(0.5)
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, body)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    r"""The Blackman window
    :math:`w[n] = 0.42 - 0.5 \cos\frac{2 \pi n}{N - 1} + 0.08 \cos\frac{4 \pi n}{N - 1}`,
    ``N`` being ``window_length`` (``window_length + 1`` when ``periodic``).

    Args:
        window_length: the number of values (``>= 0``).
        periodic: ``True`` (the default): the periodic window; ``False``: the symmetric one.
        dtype: a floating point dtype (default: the default dtype).
        device: the device (default: the default device).
        requires_grad: make the window a leaf that requires grad (default ``False``).

    Returns:
        A 1-D tensor of ``window_length`` values.

    Raises:
        RuntimeError: for a negative length or a non-floating dtype.

    Mirrors ``torch.blackman_window``.

    Examples:
        >>> import reftorch as torch
        >>> torch.blackman_window(4, periodic=False)
        tensor([-2.9802e-08,  6.3000e-01,  6.3000e-01, -2.9802e-08])
    """
    def body(k, n):
        k = k.mul_(math.pi / (n - 1))
        return k.mul(4).cos_().mul_(0.08) - k.mul(2).cos_().mul_(0.5) + 0.42
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, body)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    r"""The Bartlett (triangular) window: :math:`w[n] = \frac{2n}{N - 1}` rising to 1 in the
    first half, :math:`2 - \frac{2n}{N - 1}` in the second, ``N`` being ``window_length``
    (``window_length + 1`` when ``periodic``).

    Args:
        window_length: the number of values (``>= 0``).
        periodic: ``True`` (the default): the periodic window; ``False``: the symmetric one.
        dtype: a floating point dtype (default: the default dtype).
        device: the device (default: the default device).
        requires_grad: make the window a leaf that requires grad (default ``False``).

    Returns:
        A 1-D tensor of ``window_length`` values.

    Raises:
        RuntimeError: for a negative length or a non-floating dtype.

    Mirrors ``torch.bartlett_window``.

    Examples:
        >>> import reftorch as torch
        >>> torch.bartlett_window(5, periodic=False)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    def body(k, n):
        k = k.mul_(2.0 / (n - 1))
        first = ((n - 1) >> 1) + 1
        k[first:].mul_(-1).add_(2)
        return k
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, body)


def kaiser_window(window_length, periodic=None, beta=None, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    r"""The Kaiser window
    :math:`w[n] = I_0\left(\beta \sqrt{1 - \left(\frac{n - N/2}{N/2}\right)^2}\right) / I_0(\beta)`,
    with :math:`I_0` the modified Bessel function of order 0 (:func:`reftorch.i0`) and
    ``N = window_length - 1`` (``window_length`` when ``periodic``).

    Args:
        window_length: the number of values (``>= 0``).
        periodic: ``True`` (the default): the periodic window; ``False``: the symmetric one.
        beta: the shape parameter (default 12.0; larger: narrower); as in PyTorch, only
            with ``periodic`` given too (else TypeError).
        dtype: a floating point dtype (default: the default dtype).
        device: the device (default: the default device).
        requires_grad: make the window a leaf that requires grad (default ``False``).

    Returns:
        A 1-D tensor of ``window_length`` values.

    Raises:
        RuntimeError: for a negative length or a non-floating dtype.

    Mirrors ``torch.kaiser_window``.

    Examples:
        >>> import reftorch as torch
        >>> torch.kaiser_window(5, periodic=False, beta=3.0)
        tensor([0.2049, 0.7269, 1.0000, 0.7269, 0.2049])
    """
    _overload("kaiser_window", periodic, beta)
    beta = 12.0 if beta is None else beta

    def body(k, n):
        alpha = (n - 1) / 2.0
        t = k.sub_(alpha).div_(alpha)
        return i0(t.mul_(t).neg_().add_(1).abs_().sqrt_().mul_(beta)).div_(i0(k.new_full((), beta)))
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, body)
