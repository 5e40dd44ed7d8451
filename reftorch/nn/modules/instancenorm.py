"""``InstanceNorm1d``, ``InstanceNorm2d`` and ``InstanceNorm3d``. Mirrors
``torch/nn/modules/instancenorm.py``.

Each channel of each sample is normalised on its own, over the spatial dims (style
transfer, GANs); unlike the batch norms, the defaults learn no ``weight``/``bias`` and keep
no running statistics.
"""
from __future__ import annotations

import warnings

from .. import functional as F
from .batchnorm import _LazyNormBase, _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d"]


class _InstanceNorm(_NormBase):
    #: the number of dims of an input without the batch dim (set by each subclass)
    _no_batch_dim = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        n = self._no_batch_dim
        if input.dim() not in (n, n + 1):
            raise ValueError(f"expected {n}D or {n + 1}D input (got {input.dim()}D input)")

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          UserWarning, stacklevel=2)
        if input.dim() == self._no_batch_dim:  # unbatched: one sample
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` or unbatched ``(C, L)``: each ``(sample,
    channel)`` row normalised over ``L``. Mirrors ``torch.nn.InstanceNorm1d``.

    Args:
        num_features: ``C``.
        eps: added to the variance (default 1e-5).
        momentum: for the running statistics (default 0.1; None: cumulative average).
        affine: learn per-channel ``weight`` and ``bias`` (default False).
        track_running_stats: keep running statistics, used in eval mode (default False).
        device: where to create the parameters and buffers.
        dtype: their dtype.
        bias: learn ``bias`` when ``affine`` (keyword-only).

    Raises:
        ValueError: for inputs of other dims, a channel count other than ``num_features``
            with ``affine``, or a single element per channel in training.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.InstanceNorm1d(3)
        InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` or ``(C, H, W)``, over ``H, W`` (arguments
    as :class:`InstanceNorm1d`). Mirrors ``torch.nn.InstanceNorm2d``."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (arguments as
    :class:`InstanceNorm1d`). Mirrors ``torch.nn.InstanceNorm3d``."""

    _no_batch_dim = 4


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """An :class:`InstanceNorm1d` whose ``num_features`` is read from dim 1 of its first
    input; it then becomes an ``InstanceNorm1d``. Unlike ``InstanceNorm1d``, ``affine``
    and ``track_running_stats`` default to ``True`` (as in PyTorch).

    Mirrors ``torch.nn.LazyInstanceNorm1d``.
    """

    cls_to_become = InstanceNorm1d
    _no_batch_dim = 2


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """An :class:`InstanceNorm2d` whose ``num_features`` is read from its first input; it
    then becomes an ``InstanceNorm2d`` (see :class:`LazyInstanceNorm1d`).

    Mirrors ``torch.nn.LazyInstanceNorm2d``.
    """

    cls_to_become = InstanceNorm2d
    _no_batch_dim = 3


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """An :class:`InstanceNorm3d` whose ``num_features`` is read from its first input; it
    then becomes an ``InstanceNorm3d`` (see :class:`LazyInstanceNorm1d`).

    Mirrors ``torch.nn.LazyInstanceNorm3d``.
    """

    cls_to_become = InstanceNorm3d
    _no_batch_dim = 4
