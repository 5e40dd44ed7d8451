"""``reftorch.nn.parallel``: the data-parallel wrappers. Mirrors ``torch.nn.parallel``.

reftorch runs one process on one device and has no ``torch.distributed``:
:class:`DataParallel` and :func:`data_parallel` behave as PyTorch's do on a machine
without GPUs (and on a single GPU), and :class:`DistributedDataParallel` only as far as
its constructor gets without an initialised process group. PyTorch's multi-GPU helpers
(``replicate``, ``scatter``, ``parallel_apply``, ``gather``) are not provided.
"""
from __future__ import annotations

from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["data_parallel", "DataParallel", "DistributedDataParallel"]
