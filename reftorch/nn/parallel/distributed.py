"""``DistributedDataParallel``, as far as it goes without ``torch.distributed``. Mirrors
``torch/nn/parallel/distributed.py``.

DDP synchronises gradients between processes through a process group, which must be set
up first with ``torch.distributed.init_process_group``. reftorch has no
``torch.distributed``, so no process group can exist: the constructor raises what PyTorch
raises when none was initialised.
"""
from __future__ import annotations

from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_NO_PROCESS_GROUP = "Default process group has not been initialized, please make sure to call init_process_group."


class DistributedDataParallel(Module):
    """Data parallelism over processes (one model replica per process); needs a process group.

    Without an initialised process group PyTorch's constructor raises ``ValueError``
    ("Default process group has not been initialized, please make sure to call
    init_process_group."), and reftorch, which has no ``torch.distributed``, always does.
    Its first check, that ``delay_all_reduce_named_params`` and ``param_to_hook_all_reduce``
    are given together, comes before (also ``ValueError``), and giving both
    ``process_group`` and ``device_mesh`` is a ``RuntimeError``. For a single process, use
    the module itself (or :class:`~reftorch.nn.DataParallel`).

    Deliberate difference: a ``process_group`` or ``device_mesh`` object cannot exist in
    reftorch; passing one anyway raises ``NotImplementedError``.

    Mirrors ``torch.nn.parallel.DistributedDataParallel``.

    Args:
        module (Module): the module to wrap.
        process_group: the process group to use (default: the default group, which
            reftorch never has).
        device_mesh: a 1-D device mesh to take the process group from.
        delay_all_reduce_named_params: parameters whose gradient reduction is delayed
            (must come with ``param_to_hook_all_reduce``).
        param_to_hook_all_reduce: the parameter whose hook reduces them.

    PyTorch's other options (``device_ids``, ``output_device``, ``dim``,
    ``broadcast_buffers``, ``find_unused_parameters``, ``static_graph``...) are accepted
    and never used.

    Raises:
        ValueError: no process group (always), or only one of
            ``delay_all_reduce_named_params`` / ``param_to_hook_all_reduce`` given.
        RuntimeError: both ``process_group`` and ``device_mesh`` given.
        NotImplementedError: a ``process_group`` or ``device_mesh`` given.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch import nn
        >>> nn.parallel.DistributedDataParallel(nn.Linear(3, 2))
        Traceback (most recent call last):
            ...
        ValueError: Default process group has not been initialized, please make sure to call init_process_group.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None,
                 device_mesh=None, skip_all_reduce_unused_params=False, bucket_cap_mb_list=None,
                 batched_grad_copy=False, forward_sync_buffers=None):
        super().__init__()
        if (delay_all_reduce_named_params is not None) != (param_to_hook_all_reduce is not None):
            raise ValueError(
                "delay_all_reduce_named_params and param_to_hook_all_reduce need to be set at the same time.")
        if process_group and device_mesh is not None:
            raise RuntimeError("Cannot specify both process_group and device_mesh arguments.")
        if process_group is None and device_mesh is None:
            raise ValueError(_NO_PROCESS_GROUP)
        raise NotImplementedError("reftorch has no torch.distributed: process groups and device meshes do not exist")
