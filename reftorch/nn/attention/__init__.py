"""``torch.nn.attention``: which implementations ("backends") ``scaled_dot_product_attention``
may use. Mirrors ``torch.nn.attention``.

PyTorch has several kernels for :func:`~reftorch.nn.functional.scaled_dot_product_attention`;
on the CPU it picks its fused flash-attention kernel when the inputs suit it and the math
(composite) path otherwise. :func:`sdpa_kernel` restricts that choice. reftorch always
computes the math formula, but it follows PyTorch's choice on the CPU, so a restriction
fails where PyTorch's does: with neither ``FLASH_ATTENTION`` nor ``MATH`` allowed, a
RuntimeError; with ``FLASH_ATTENTION`` but not ``MATH`` allowed and inputs the flash kernel
does not take (not 4-D, dropout, different last dims, batch sizes or head counts, a 3-D
mask, a last dim of stride other than 1), PyTorch's two UserWarnings saying why, then a
RuntimeError.

``WARN_FOR_UNFUSED_KERNELS`` (default False) is PyTorch's switch for warnings about the
attention-bias subclasses (``torch.nn.attention.bias``), which reftorch does not have: it
can be set and read and changes nothing.
"""
from __future__ import annotations

import contextlib
import enum

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The backends of ``scaled_dot_product_attention``, for :func:`sdpa_kernel`:
    ``ERROR`` (-1), ``MATH`` (0), ``FLASH_ATTENTION`` (1), ``EFFICIENT_ATTENTION`` (2),
    ``CUDNN_ATTENTION`` (3) and ``OVERRIDEABLE`` (4). Mirrors
    ``torch.nn.attention.SDPBackend``.

    As PyTorch's (a C++ enum), a member prints as ``SDPBackend.MATH``, converts with
    ``int()`` and is not equal to its number. Unlike PyTorch's, the class is an ordinary
    Python enum: it can be iterated, and ``SDPBackend(7)`` raises ValueError.
    """

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self):
        return self.value

    __index__ = __int__

    def __hash__(self):
        return hash(self.value)


# The backends PyTorch enables by default, and its default priority order (the order a GPU
# tries them in; the CPU always tries flash attention, then math).
_BACKENDS = (SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
             SDPBackend.MATH, SDPBackend.OVERRIDEABLE)
_enabled = set(_BACKENDS)
_priority = [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH,
             SDPBackend.CUDNN_ATTENTION, SDPBackend.OVERRIDEABLE]


def _enabled_backends(with_priority=False) -> list:
    backends = [b for b in _BACKENDS if b in _enabled]
    return sorted(backends, key=_priority.index) if with_priority else backends


def _set_backends(backends, set_priority) -> None:
    _enabled.clear()
    _enabled.update(b for b in _BACKENDS if b in backends)
    if set_priority:
        _priority[:] = [b for b in backends if b in _BACKENDS] + [b for b in _priority if b not in backends]


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Within the ``with`` block, let ``scaled_dot_product_attention`` use only ``backends``
    (one :class:`SDPBackend` or a list of them); on leaving, the previous choice comes back.
    Mirrors ``torch.nn.attention.sdpa_kernel``.

    With ``set_priority=True`` the list's order becomes the order the backends are tried in
    (the others after them); PyTorch's CPU path ignores it (flash attention, then math).
    The ``with`` statement binds an empty dict. See the module's description for what the
    restriction does to ``scaled_dot_product_attention``.

    Args:
        backends: an :class:`SDPBackend` or a list of them (repeats are ignored).
        set_priority: whether the list's order is the order of preference.

    Raises:
        AssertionError: when ``backends`` is neither an :class:`SDPBackend` nor a list.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> from reftorch.nn.attention import SDPBackend, sdpa_kernel
        >>> q = torch.tensor([[[[1., 0.], [0., 1.]]]])
        >>> with sdpa_kernel(SDPBackend.MATH):
        ...     F.scaled_dot_product_attention(q, q, q)
        tensor([[[[0.6698, 0.3302],
                  [0.3302, 0.6698]]]])
        >>> with sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION]):
        ...     F.scaled_dot_product_attention(q, q, q)
        Traceback (most recent call last):
            ...
        RuntimeError: No viable backend for scaled_dot_product_attention was found. This is likely due to turning off both the math kernel and the fused kernels.
    """
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    backends = list(dict.fromkeys([backends] if isinstance(backends, SDPBackend) else backends))
    previous = _enabled_backends(with_priority=set_priority)
    try:
        _set_backends(backends, set_priority)
        yield {}
    finally:
        _set_backends(previous, set_priority)
