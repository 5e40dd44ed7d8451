"""``BatchNorm1d`` and ``BatchNorm2d``. Mirrors ``torch/nn/modules/batchnorm.py``.

The learnable ``weight``/``bias`` are parameters; the running statistics
(``running_mean``, ``running_var``, ``num_batches_tracked``) are *buffers*: saved in the
``state_dict`` and moved by ``.to()``, but not returned by ``parameters()`` and never
touched by an optimiser. They change only in a forward pass in training mode.
"""
from __future__ import annotations

from ... import _dtype as D
from ..._ops.creation import empty, ones, tensor, zeros
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter, UninitializedBuffer, UninitializedParameter
from .. import functional as F
from .. import init
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
           "SyncBatchNorm"]


class _NormBase(Module):
    """Parameters, buffers, repr and state-dict upgrades shared by the batch norms."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        dtype = D.get_default_dtype() if dtype is None else dtype
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = Parameter(empty(num_features, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(num_features, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=D.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean.fill_(0)
            self.running_var.fill_(1)
            self.num_batches_tracked.fill_(0)

    def reset_parameters(self) -> None:
        """Reset the running statistics; weight 1 and bias 0."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.constant_(self.bias, 0.0)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        version = local_metadata.get("version", None) if local_metadata else None
        if (version is None or version < 2) and self.track_running_stats:
            # state dicts from before num_batches_tracked existed: count from 0
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else tensor(0, dtype=D.long))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs, assign)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
            else:
                factor = self.momentum
        if self.training:
            bn_training = True
        else:
            bn_training = self.running_mean is None and self.running_var is None
        use_buffers = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_buffers else None,
                            self.running_var if use_buffers else None, self.weight, self.bias,
                            bn_training, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over ``(N, C)`` or ``(N, C, L)``: each channel is normalised
    with its batch mean and (biased) variance in training mode, and with the running
    estimates in evaluation mode; then scaled by ``weight`` and shifted by ``bias``.

    Args:
        num_features: ``C``.
        eps: added to the variance (default 1e-5).
        momentum: weight of each new batch in the running statistics (default 0.1);
            ``None`` gives a cumulative (equal-weight) average.
        affine: learn ``weight`` and ``bias`` (default ``True``).
        track_running_stats: keep running statistics (default ``True``); without them
            evaluation mode uses batch statistics too.
        device: where to create parameters and buffers.
        dtype: their dtype (default float32).
        bias: learn ``bias`` when ``affine`` (keyword-only, default ``True``).

    Raises:
        ValueError: for input that is not 2-D or 3-D, or a single value per channel in
            training mode.

    Examples:
        >>> import reftorch as torch
        >>> bn = torch.nn.BatchNorm1d(3)
        >>> bn
        BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        >>> list(bn.state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over ``(N, C, H, W)``, per channel (arguments as
    :class:`BatchNorm1d`).

    Raises:
        ValueError: for input that is not 4-D.

    Examples:
        >>> import reftorch as torch
        >>> bn = torch.nn.BatchNorm2d(2)
        >>> y = bn(torch.arange(16.).view(2, 2, 2, 2))
        >>> bn.running_mean, int(bn.num_batches_tracked)
        (tensor([0.5500, 0.9500]), 1)
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalisation over ``(N, C, D, H, W)``, per channel (arguments as
    :class:`BatchNorm1d`).

    Raises:
        ValueError: for input that is not 5-D.

    Mirrors ``torch.nn.BatchNorm3d``.

    Examples:
        >>> import reftorch as torch
        >>> bn = torch.nn.BatchNorm3d(2)
        >>> bn
        BatchNorm3d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        >>> bn(torch.randn(4, 2, 3, 5, 5)).shape
        torch.Size([4, 2, 3, 5, 5])
    """

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _LazyNormBase(LazyModuleMixin, _NormBase):
    """What the lazy batch and instance norms share: ``num_features`` is read from dim 1
    of the first input, then the parameters and running statistics are materialized."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None,
                 *, bias=True):
        # built without parameters or statistics, which get placeholders below
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=D.long, device=device)

    def reset_parameters(self) -> None:
        """Reset as the non-lazy norm does, once the parameters have a shape."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        """Set ``num_features`` from ``input.shape[1]``, then materialize and reset."""
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            if self.affine:
                self.weight.materialize((self.num_features,))
                if self.bias is not None:
                    self.bias.materialize((self.num_features,))
            if self.track_running_stats:
                self.running_mean.materialize((self.num_features,))
                self.running_var.materialize((self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """A :class:`BatchNorm1d` whose ``num_features`` is read from dim 1 of its first
    input; it then becomes a ``BatchNorm1d``. The arguments are those of
    :class:`BatchNorm1d` without ``num_features``.

    Mirrors ``torch.nn.LazyBatchNorm1d``.

    Examples:
        >>> import reftorch as torch
        >>> bn = torch.nn.LazyBatchNorm1d()
        >>> bn.running_mean
        <UninitializedBuffer>
        >>> bn(torch.zeros(4, 3)).shape, bn.running_mean
        (torch.Size([4, 3]), tensor([0., 0., 0.]))
    """

    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """A :class:`BatchNorm2d` whose ``num_features`` is read from its first input; it then
    becomes a ``BatchNorm2d`` (see :class:`LazyBatchNorm1d`).

    Mirrors ``torch.nn.LazyBatchNorm2d``.
    """

    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """A :class:`BatchNorm3d` whose ``num_features`` is read from its first input; it then
    becomes a ``BatchNorm3d`` (see :class:`LazyBatchNorm1d`).

    Mirrors ``torch.nn.LazyBatchNorm3d``.
    """

    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation whose statistics PyTorch synchronises across the processes of
    a distributed job. reftorch has no ``torch.distributed``, so there is never a
    process group to synchronise with: as PyTorch does when ``torch.distributed`` is not
    initialised, every call (training mode on the CPU included) is plain
    :func:`reftorch.nn.functional.batch_norm`, as :class:`BatchNorm1d` /
    :class:`BatchNorm2d` / :class:`BatchNorm3d`, on any input of at least 2 dims.

    Args:
        num_features: ``C``, the size of dim 1.
        eps: added to the variance (default 1e-5).
        momentum: weight of each new batch in the running statistics (default 0.1);
            ``None`` gives a cumulative average.
        affine: learn ``weight`` and ``bias`` (default ``True``).
        track_running_stats: keep running statistics (default ``True``).
        process_group: kept as the attribute ``process_group`` (unused).
        device: where to create parameters and buffers.
        dtype: their dtype (default float32).
        bias: learn ``bias`` when ``affine`` (keyword-only, default ``True``).

    Raises:
        ValueError: an input of fewer than 2 dims, or with no channels.

    Mirrors ``torch.nn.SyncBatchNorm``.

    Examples:
        >>> import reftorch as torch
        >>> bn = torch.nn.SyncBatchNorm(2)
        >>> bn
        SyncBatchNorm(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        >>> bn(torch.tensor([[1., 2.], [3., 6.]]))
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device=device, dtype=dtype,
                         bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        return super().forward(input)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every batch norm layer in ``module`` (itself included) by a
        :class:`SyncBatchNorm` sharing its parameters and buffers (the same tensors) and
        its training flag. Returns ``module``, changed in place, or the new layer when
        ``module`` is itself a batch norm.

        Args:
            module: the model (an :class:`~reftorch.nn.Module`).
            process_group: given to each new layer.

        Mirrors ``torch.nn.SyncBatchNorm.convert_sync_batchnorm``.

        Examples:
            >>> import reftorch as torch
            >>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 1), torch.nn.BatchNorm2d(4))
            >>> torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
            Sequential(
              (0): Conv2d(3, 4, kernel_size=(1, 1), stride=(1, 1))
              (1): SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
            )
        """
        out = module
        if isinstance(module, _BatchNorm):
            out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                with no_grad():
                    out.weight = module.weight
                    out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
