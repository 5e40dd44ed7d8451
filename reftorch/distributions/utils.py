"""Helpers shared by the distributions. Mirrors ``torch.distributions.utils``."""
from __future__ import annotations

import functools
import numbers

from .. import _dtype as D
from .._size import Size
from .._tensor import Tensor
from .._type_info import finfo
from .._ops.creation import arange, empty, tensor
from .._ops.shape import broadcast_tensors
from ..autograd.grad_mode import enable_grad

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits", "tril_matrix_to_vec",
           "vec_to_tril_matrix"]

euler_constant = 0.57721566490153286060  # Euler–Mascheroni constant


def broadcast_all(*values):
    """Broadcast tensors and numbers together. Numbers become tensors of the first tensor's
    dtype and device (the default dtype if there is none). Mirrors
    ``torch.distributions.utils.broadcast_all``.

    Raises:
        ValueError: if a value is neither a number nor a tensor.
    """
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    first = next((v for v in values if isinstance(v, Tensor)), None)
    options = (dict(dtype=D.get_default_dtype()) if first is None
               else dict(dtype=first.dtype, device=first.device))
    return broadcast_tensors(*(v if isinstance(v, Tensor) else tensor(v, **options) for v in values))


def _standard_normal(shape, dtype, device):
    """Standard normal draws of ``shape``, filled in place as PyTorch does
    (``empty(shape).normal_()``), so the random stream matches."""
    return empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: ``sigmoid`` for binary log-odds, else ``softmax`` over the
    last dimension. Mirrors ``torch.distributions.utils.logits_to_probs``."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def clamp_probs(probs):
    """Clamp probabilities into ``[eps, 1 - eps]`` (``eps`` of their dtype). Mirrors
    ``torch.distributions.utils.clamp_probs``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.utils import clamp_probs
        >>> clamp_probs(torch.tensor([0.0, 0.5, 1.0]))
        tensor([1.1921e-07, 5.0000e-01, 1.0000e+00])
    """
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (clamped first): log-odds ``log(p) - log1p(-p)`` for the
    binary case, else ``log(p)``. Mirrors ``torch.distributions.utils.probs_to_logits``."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


class lazy_property:
    """A property computed (with grad enabled) on first access and then stored on the
    instance, so ``probs`` of a distribution given by ``logits`` is computed once.
    Mirrors ``torch.distributions.utils.lazy_property``."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _as_size(shape):
    return shape if isinstance(shape, Size) else Size(shape)


def _tril_mask(n, diag, device):
    """The ``(n, n)`` bool mask of the entries on or below the ``diag``-th diagonal."""
    index = arange(n, device=device)
    return index < index.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The entries of ``mat`` (``(..., D, D)``) on or below its ``diag``-th diagonal, in row
    order, as a ``(..., N)`` vector. Mirrors ``torch.distributions.utils.tril_matrix_to_vec``.

    Raises:
        ValueError: if ``diag`` is outside ``[-D, D - 1]``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.utils import tril_matrix_to_vec
        >>> tril_matrix_to_vec(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1., 3., 4.])
    """
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag=0):
    """The ``(..., D, D)`` lower-triangular matrix whose entries on or below the ``diag``-th
    diagonal are those of ``vec`` (``(..., N)``) in row order; zeros elsewhere. Mirrors
    ``torch.distributions.utils.vec_to_tril_matrix``.

    Raises:
        ValueError: if ``N`` is not the size of such a triangle.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.utils import vec_to_tril_matrix
        >>> vec_to_tril_matrix(torch.tensor([1.0, 2.0, 3.0]))
        tensor([[1., 0.],
                [2., 3.]])
    """
    # the positive root of D**2 + (1 + 2 diag) D - |diag| (diag + 1) - 2 N = 0
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
