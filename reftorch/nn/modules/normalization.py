"""``LayerNorm``, ``RMSNorm`` and ``GroupNorm``. Mirrors ``torch/nn/modules/normalization.py``.

Unlike batch norm, they normalise each sample on its own, so they behave the same in
training and evaluation mode and keep no running statistics.
"""
from __future__ import annotations

import numbers

from ... import _dtype as D
from ..._ops.creation import empty
from ..parameter import Parameter
from .. import functional as F
from .. import init
from ._functions import CrossMapLRN2d as _cross_map_lrn2d
from .module import Module

__all__ = ["LayerNorm", "RMSNorm", "GroupNorm", "LocalResponseNorm", "CrossMapLRN2d"]


def _affine_parameters(module, shape, affine, bias, device, dtype):
    """Register ``weight`` (and ``bias`` when ``bias``) of ``shape`` on ``module`` when
    ``affine``, else register both as ``None`` (as PyTorch's normalisation layers do)."""
    dtype = D.get_default_dtype() if dtype is None else dtype
    if affine:
        module.weight = Parameter(empty(shape, dtype=dtype, device=device))
        if bias:
            module.bias = Parameter(empty(shape, dtype=dtype, device=device))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _set_shape(module, normalized_shape, eps, elementwise_affine):
    """The attributes LayerNorm and RMSNorm share: ``normalized_shape`` as a tuple (an int
    is one dim), ``eps``, ``elementwise_affine``."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    module.normalized_shape = tuple(normalized_shape)
    module.eps = eps
    module.elementwise_affine = elementwise_affine


def _reset_affine(module):
    """The normalisation layers' initialisation: weight 1, bias 0."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.constant_(module.bias, 0.0)


class LayerNorm(Module):
    """Normalise over the last dims (``normalized_shape``) of each sample, then apply an
    element-wise affine map.

    Args:
        normalized_shape: the trailing shape to normalise over (int or sequence).
        eps: added to the variance (default 1e-5).
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of that shape.
        bias: learn ``bias`` too (default ``True``).
        device: where to create the parameters.
        dtype: their dtype.

    Examples:
        >>> import reftorch as torch
        >>> ln = torch.nn.LayerNorm(4)
        >>> ln
        LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
        >>> ln(torch.tensor([[1., 2., 3., 4.]]))
        tensor([[-1.3416, -0.4472,  0.4472,  1.3416]],
               grad_fn=<NativeLayerNormBackward0>)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        _set_shape(self, normalized_shape, eps, elementwise_affine)
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1, bias 0."""
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Scale each sample by the root mean square of its last dims (``normalized_shape``),
    then by an element-wise ``weight``: :func:`~reftorch.nn.functional.rms_norm`.

    Args:
        normalized_shape: the trailing shape to normalise over (int or sequence).
        eps: added to the mean square (default None: ``torch.finfo(dtype).eps``).
        elementwise_affine: learn ``weight`` (ones) of that shape (there is no bias).
        device: where to create the weight.
        dtype: its dtype.

    Examples:
        >>> import reftorch as torch
        >>> norm = torch.nn.RMSNorm(2)
        >>> norm
        RMSNorm((2,), eps=None, elementwise_affine=True)
        >>> norm(torch.tensor([[3., 4.]]))
        tensor([[0.8485, 1.1314]], grad_fn=<MulBackward0>)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        _set_shape(self, normalized_shape, eps, elementwise_affine)
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=D.get_default_dtype() if dtype is None else dtype,
                                          device=device))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalise each sample's channels in ``num_groups`` groups, then apply a
    per-channel affine map.

    Args:
        num_groups: how many groups the channels are split into.
        num_channels: ``C``; must be divisible by ``num_groups``.
        eps: added to the variance (default 1e-5).
        affine: learn per-channel ``weight`` and ``bias`` (default ``True``).
        device: where to create the parameters.
        dtype: their dtype.
        bias: learn ``bias`` when ``affine`` (keyword-only).

    Raises:
        ValueError: if ``num_channels`` is not divisible by ``num_groups``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.GroupNorm(2, 4)
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1, bias 0."""
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Local response normalisation across channels (AlexNet):
    :func:`reftorch.nn.functional.local_response_norm` on ``(N, C, *)``.

    Args:
        size: the number of neighbouring channels.
        alpha: the multiplicative factor (default 1e-4).
        beta: the exponent (default 0.75).
        k: the additive constant (default 1).

    Mirrors ``torch.nn.LocalResponseNorm``.

    Examples:
        >>> import reftorch as torch
        >>> lrn = torch.nn.LocalResponseNorm(2)
        >>> lrn
        LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
        >>> lrn(torch.ones(2, 5, 3, 3)).shape
        torch.Size([2, 5, 3, 3])
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class CrossMapLRN2d(Module):
    """PyTorch's legacy local response normalisation across the channels of a 4-D input
    ``(N, C, H, W)``: ``x / (k + alpha / size * s) ** beta``, ``s`` a sum of squares over
    neighbouring channels. The window and the gradient are PyTorch's own (an off-centre
    window, a hand-written backward that is not the exact derivative, ``grad_fn``
    ``CrossMapLRN2dBackward``); see ``reftorch/nn/modules/_functions.py``. Prefer
    :class:`LocalResponseNorm`.

    Args:
        size: the number of neighbouring channels.
        alpha: the multiplicative factor (default 1e-4).
        beta: the exponent (default 0.75).
        k: the additive constant (default 1).

    Raises:
        ValueError: an input that is not 4-D.

    Mirrors ``torch.nn.CrossMapLRN2d``.

    Examples:
        >>> import reftorch as torch
        >>> lrn = torch.nn.CrossMapLRN2d(3, alpha=1.0)
        >>> lrn
        CrossMapLRN2d(3, alpha=1.0, beta=0.75, k=1)
        >>> lrn(torch.ones(1, 4, 1, 1)).flatten()
        tensor([0.6817, 0.5946, 0.5297, 0.5946])
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _cross_map_lrn2d.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
