"""The window functions of ``torch.signal.windows`` (``torch/signal/windows/windows.py``).

Like PyTorch's, each is a composition of tensor ops: a ``linspace`` of the window's
abscissae (``requires_grad`` is set on it, so the window is differentiable with respect to
it), put through the waveform. SciPy's conventions: ``sym=True`` (the default) gives a
symmetric window for filter design, ``sym=False`` a periodic one for spectral analysis
(the symmetric window of ``M + 1`` points without its last). Only float32 and float64.

``torch.hann_window`` and friends (``reftorch/_ops/windows.py``) compute the same shapes
with other formulas (ATen's ``0.5 - 0.5 cos``, not this module's sum of cosines): their
values can differ in the last bits, as in PyTorch, so these are not built on them.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from ... import _dtype as D
from ..._ops.creation import arange, empty, linspace, ones, tensor
from ..._ops.pointwise import abs as _abs, cos, exp, sin, sqrt
from ..._ops.reduction import minimum
from ..._ops.special_math import i0

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]


def _checks(name, M, dtype, layout):
    """The checks every window makes first; the dtype to use (default: the default dtype)."""
    dtype = D.get_default_dtype() if dtype is None else dtype
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (D.float32, D.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return dtype


def _trivial(M, dtype, device, requires_grad, one=True):
    """The window of 0 points (empty), or of 1 point (``[1.]``) where ``one``; else None."""
    if M == 0:
        return empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if M == 1 and one:
        return ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    return None


def _span(M, sym):
    """The denominator of the abscissae: ``M - 1`` points apart when symmetric, ``M`` when
    periodic (a periodic window of one point is symmetric)."""
    return M if not sym and M > 1 else M - 1


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The exponential (Poisson) window ``exp(-|n - center| / tau)``, ``center`` by default
    the middle (``(M - 1) / 2``, or ``M / 2`` when periodic). Mirrors
    ``torch.signal.windows.exponential``.

    Raises:
        ValueError: for ``M < 0``, a dtype other than float32/float64, ``tau <= 0``, or a
            ``center`` with ``sym=True``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.exponential(5)
        tensor([0.1353, 0.3679, 1.0000, 0.3679, 0.1353])
    """
    dtype = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    if center is None:
        center = _span(M, sym) / 2.0
    scale = 1 / tau
    k = linspace(-center * scale, (-center + (M - 1)) * scale, M, dtype=dtype, device=device,
                 requires_grad=requires_grad)
    return exp(-_abs(k))


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The cosine (sine) window ``sin(pi (n + 1/2) / M)`` (``M + 1`` when periodic), as
    SciPy's. Mirrors ``torch.signal.windows.cosine``.

    Raises:
        ValueError: for ``M < 0`` or a dtype other than float32/float64.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.cosine(4)
        tensor([0.3827, 0.9239, 0.9239, 0.3827])
    """
    dtype = _checks("cosine", M, dtype, layout)
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    scale = math.pi / (M + 1 if not sym and M > 1 else M)
    k = linspace(0.5 * scale, (0.5 + (M - 1)) * scale, M, dtype=dtype, device=device, requires_grad=requires_grad)
    return sin(k)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Gaussian window ``exp(-(n - c)**2 / (2 std**2))`` centred on the middle.
    Mirrors ``torch.signal.windows.gaussian``.

    Raises:
        ValueError: for ``M < 0``, a dtype other than float32/float64, or ``std <= 0``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.gaussian(5)
        tensor([0.1353, 0.6065, 1.0000, 0.6065, 0.1353])
    """
    dtype = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    start = -_span(M, sym) / 2.0
    scale = 1 / (std * math.sqrt(2))
    k = linspace(start * scale, (start + (M - 1)) * scale, M, dtype=dtype, device=device,
                 requires_grad=requires_grad)
    return exp(-(k ** 2))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Kaiser window ``I0(beta sqrt(1 - (2n / (M - 1) - 1)**2)) / I0(beta)`` (``I0``:
    the modified Bessel function of order 0). Mirrors ``torch.signal.windows.kaiser``.

    Raises:
        ValueError: for ``M < 0``, a dtype other than float32/float64, or ``beta < 0``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.kaiser(5, beta=2.0)
        tensor([0.4387, 0.8348, 1.0000, 0.8348, 0.4387])
    """
    dtype = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    beta = tensor(beta, dtype=dtype, device=device)  # (in the dtype: no nan from a rounded end)
    start = -beta
    step = 2.0 * beta / (M if not sym else M - 1)
    end = minimum(beta, start + (M - 1) * step)
    k = linspace(start, end, M, dtype=dtype, device=device, requires_grad=requires_grad)
    return i0(sqrt(beta * beta - k ** 2)) / i0(beta)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The generalised cosine window ``sum_i (-1)**i a[i] cos(2 pi i n / (M - 1))`` (``M``
    when periodic), differentiable also with respect to the coefficients. Mirrors
    ``torch.signal.windows.general_cosine``.

    Raises:
        ValueError: for ``M < 0``, a dtype other than float32/float64, or no coefficients.
        TypeError: if ``a`` is not iterable.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.general_cosine(5, a=[0.5, 0.5])
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    dtype = _checks("general_cosine", M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    step = 2 * math.pi / (M if not sym else M - 1)
    k = linspace(0, (M - 1) * step, M, dtype=dtype, device=device, requires_grad=requires_grad)
    a_i = tensor([(-1) ** i * w for i, w in enumerate(a)], device=device, dtype=dtype, requires_grad=requires_grad)
    i = arange(a_i.shape[0], dtype=a_i.dtype, device=a_i.device, requires_grad=a_i.requires_grad)
    return (a_i.unsqueeze(-1) * cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The generalised Hamming window ``alpha - (1 - alpha) cos(2 pi n / (M - 1))``: a
    :func:`general_cosine` with the coefficients ``[alpha, 1 - alpha]``. Mirrors
    ``torch.signal.windows.general_hamming``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.general_hamming(5, alpha=0.6)
        tensor([0.2000, 0.6000, 1.0000, 0.6000, 0.2000])
    """
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hamming window: :func:`general_hamming` with ``alpha=0.54``. Mirrors
    ``torch.signal.windows.hamming``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.hamming(5)
        tensor([0.0800, 0.5400, 1.0000, 0.5400, 0.0800])
    """
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Hann window: :func:`general_hamming` with ``alpha=0.5``. Mirrors
    ``torch.signal.windows.hann``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.hann(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Blackman window: :func:`general_cosine` with the coefficients
    ``[0.42, 0.5, 0.08]``. Mirrors ``torch.signal.windows.blackman``.

    Raises:
        ValueError: for ``M < 0`` or a dtype other than float32/float64.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.blackman(5, sym=False)
        tensor([-1.4901e-08,  2.0077e-01,  8.4923e-01,  8.4923e-01,  2.0077e-01])
    """
    dtype = _checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """The Bartlett (triangular) window ``1 - |2n / (M - 1) - 1|``. Mirrors
    ``torch.signal.windows.bartlett``.

    Raises:
        ValueError: for ``M < 0`` or a dtype other than float32/float64.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.bartlett(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    dtype = _checks("bartlett", M, dtype, layout)
    trivial = _trivial(M, dtype, device, requires_grad)
    if trivial is not None:
        return trivial
    step = 2 / (M if not sym else M - 1)
    k = linspace(-1, -1 + (M - 1) * step, M, dtype=dtype, device=device, requires_grad=requires_grad)
    return 1 - _abs(k)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window: :func:`general_cosine` with the
    coefficients ``[0.3635819, 0.4891775, 0.1365995, 0.0106411]``. Mirrors
    ``torch.signal.windows.nuttall``.

    Examples:
        >>> import reftorch as torch
        >>> torch.signal.windows.nuttall(5)
        tensor([3.6280e-04, 2.2698e-01, 1.0000e+00, 2.2698e-01, 3.6280e-04])
    """
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype,
                          layout=layout, device=device, requires_grad=requires_grad)
