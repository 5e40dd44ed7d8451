"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``.

Mirrors ``torch/nn/utils/clip_grad.py``.
"""
from __future__ import annotations

import math
import warnings

from ..._tensor import Tensor
from ..._ops.creation import tensor as _tensor
from ...autograd.grad_mode import no_grad
from ..._tensor_inplace import _store

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    return params, [p.grad for p in params if p.grad is not None]


def _vector_norm(xp, arr, norm_type):
    if norm_type == math.inf:
        return xp.max(xp.abs(arr)) if math.prod(arr.shape) else xp.sum(arr)
    if norm_type == -math.inf:
        return xp.min(xp.abs(arr))
    if norm_type == 2:
        return xp.sqrt(xp.sum(arr * arr))
    if norm_type == 1:
        return xp.sum(xp.abs(arr))
    if norm_type == 0:
        return xp.astype(xp.sum(arr != 0), arr.dtype)
    return xp.sum(xp.abs(arr) ** norm_type) ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector.

    Raises:
        RuntimeError: if ``error_if_nonfinite`` and the norm is nan or inf.
    """
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return _tensor(0.0)
    first = tensors[0]
    xp = first._backend.xp
    with first._backend.quiet():  # (huge gradients: the squares overflow to inf, as PyTorch's, silently)
        norms = xp.stack([xp.astype(_vector_norm(xp, t._data, norm_type), first._data.dtype) for t in tensors])
        total = _vector_norm(xp, norms, norm_type)
    total_t = Tensor._wrap(xp.asarray(total, dtype=first._data.dtype), first.device, first._backend)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot "
            "be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    return total_t


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients in place by ``min(1, max_norm / (total_norm + 1e-6))``."""
    _, grads = _grads(parameters)
    if not grads:
        return
    backend = grads[0]._backend
    xp = backend.xp
    coef = float(max_norm) / (total_norm._data + 1e-6)
    coef = xp.where(coef > 1.0, xp.ones_like(coef), coef)  # clamp(max=1), which keeps a nan coefficient
    with no_grad(), backend.quiet():  # (an inf gradient times a coefficient of 0: nan, quietly)
        for g in grads:
            _store(g, g._data * xp.astype(coef, g._data.dtype))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients so that their total norm is at most ``max_norm`` (in place).

    The total norm is taken over all gradients together, as if they were one vector. If it
    exceeds ``max_norm``, every gradient is multiplied by ``max_norm / (total_norm + 1e-6)``.
    Call it after ``backward()`` and before ``optimizer.step()``.

    Args:
        parameters: a tensor or an iterable of tensors (e.g. ``model.parameters()``).
        max_norm: the largest allowed norm.
        norm_type: the p of the p-norm (``float('inf')`` for the max norm).
        error_if_nonfinite: raise if the total norm is nan or inf.
        foreach: ignored (PyTorch's fused-kernel switch).

    Returns:
        The total norm of the gradients *before* clipping, as a 0-dim tensor.

    Raises:
        RuntimeError: if ``error_if_nonfinite`` and the norm is nan or inf.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.tensor([3., 4.], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> torch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
        tensor(10.)
        >>> w.grad
        tensor([0.6000, 0.8000])
    """
    params, grads = _grads(parameters)
    norm_type = float(norm_type)  # (first, as PyTorch: a bad norm_type fails without gradients too)
    if not grads:
        return _tensor(0.0)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_` (warns, as PyTorch does)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into ``[-clip_value, clip_value]`` (in place).

    Examples:
        >>> import reftorch as torch
        >>> w = torch.tensor([1., 1.], requires_grad=True)
        >>> (w * torch.tensor([5., -0.5])).sum().backward()
        >>> torch.nn.utils.clip_grad_value_([w], 1.0)
        >>> w.grad
        tensor([ 1.0000, -0.5000])
    """
    clip_value = float(clip_value)
    _, grads = _grads(parameters)
    with no_grad():
        for g in grads:
            xp = g._backend.xp
            _store(g, xp.clip(g._data, -clip_value, clip_value))
