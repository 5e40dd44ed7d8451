"""``DataParallel`` and its functional form ``data_parallel``. Mirrors
``torch/nn/parallel/data_parallel.py``.

PyTorch's ``DataParallel`` splits each batch over several GPUs, runs a copy of the module
on each and gathers the outputs. Without a GPU it does none of that: it keeps the module
as its child ``module`` and calls it, which is what most learners meet (and why a
checkpoint saved from the wrapper has ``module.``-prefixed keys). reftorch does the same,
and on a single CUDA GPU (CuPy) runs the module there as PyTorch does; splitting a batch
over several GPUs is not implemented (``NotImplementedError``).
"""
from __future__ import annotations

from itertools import chain
from typing import Generic, TypeVar

import reftorch as torch

from ...utils._pytree import tree_map
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]

T = TypeVar("T", bound=Module)

_MULTI_GPU = "reftorch's DataParallel runs on one GPU: splitting a batch over several GPUs is not implemented"


def _available_device_type():
    """``"cuda"`` when a GPU is usable, else ``None`` (PyTorch's ``_get_available_device_type``)."""
    return "cuda" if torch.cuda.is_available() else None


def _get_device_index(device) -> int:
    """A device (int, ``"cuda:N"``, ``torch.device``) as its index, the current GPU's when it
    has none (PyTorch's ``torch._utils._get_device_index(device, optional=True)``)."""
    if isinstance(device, str):
        device = torch.device(device)
    if isinstance(device, torch.device):
        if device.type == "cpu":
            raise ValueError(f"Expected a non cpu device, but got: {device}")
        device = device.index
    return torch.cuda.current_device() if device is None else device


def _device_indices(device_ids):
    """Each of ``device_ids`` (ints, ``"cuda:N"``, ``torch.device``) as an int; all GPUs
    when it is ``None``."""
    if device_ids is None:
        device_ids = range(torch.cuda.device_count())
    return [_get_device_index(d) for d in device_ids]


def _check_module_device(module: Module, device) -> None:
    """PyTorch's check that every parameter and buffer is on ``device`` (``device_ids[0]``)."""
    for t in chain(module.parameters(), module.buffers()):
        if t.device != device:
            raise RuntimeError(
                "module must have its parameters and buffers "
                f"on device {device} (device_ids[0]) but found one of "
                f"them on device: {t.device}"
            )


def _run_on_one_device(module: Module, inputs: tuple, kwargs: dict, device):
    """What scatter + a single replica amount to on one device: the tensors in ``inputs``
    and ``kwargs`` moved to ``device``, then ``module`` called on them."""
    def move(x):
        return x.to(device) if isinstance(x, torch.Tensor) else x
    return module(*tree_map(move, tuple(inputs)), **tree_map(move, dict(kwargs or {})))


class DataParallel(Module, Generic[T]):
    """Wraps ``module`` to split each input batch over several GPUs (in PyTorch).

    Without a GPU (reftorch on NumPy, or PyTorch's CPU build) the wrapper only keeps
    ``module`` as its child named ``module`` and calls it in :meth:`forward`: outputs and
    gradients are the module's own, ``device_ids`` is ``[]``, and the attributes
    ``output_device`` and ``dim`` are not set at all (as in PyTorch, where they are set only
    when a GPU exists). Because ``module`` is a child, ``state_dict()`` keys start with
    ``module.``; save ``wrapper.module.state_dict()`` to get a checkpoint that loads into
    the plain model, or strip the prefix with
    :func:`~reftorch.nn.modules.utils.consume_prefix_in_state_dict_if_present`.

    With a CUDA GPU, ``device_ids`` defaults to all GPUs, ``output_device`` to
    ``device_ids[0]``; with a single GPU the module is moved there, inputs are moved to it
    and the module runs there. (Deliberate difference: with several GPUs reftorch raises
    ``NotImplementedError`` instead of replicating the module on each.)

    Mirrors ``torch.nn.DataParallel``.

    Args:
        module (Module): the module to wrap.
        device_ids (list of int or torch.device, optional): CUDA devices (default: all);
            ignored without a GPU.
        output_device (int or torch.device, optional): where outputs are gathered
            (default: ``device_ids[0]``); ignored without a GPU.
        dim (int): the batch dimension the inputs are split along (default 0); ignored
            without a GPU.

    Raises:
        RuntimeError: in ``forward`` on a GPU, when a parameter or buffer of ``module`` is
            not on ``device_ids[0]``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch import nn
        >>> model = nn.DataParallel(nn.Linear(3, 2))
        >>> model
        DataParallel(
          (module): Linear(in_features=3, out_features=2, bias=True)
        )
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> model(torch.ones(4, 3)).shape
        torch.Size([4, 2])
    """

    def __init__(self, module: T, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        device_type = _available_device_type()
        if device_type is None:
            self.module = module
            self.device_ids = []
            return
        self.dim = dim
        self.module = module
        self.device_ids = _device_indices(device_ids)
        self.output_device = _get_device_index(self.device_ids[0] if output_device is None else output_device)
        self.src_device_obj = torch.device(device_type, self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        """``module(*inputs, **kwargs)`` (on a GPU: with the tensors moved to ``device_ids[0]``)."""
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        _check_module_device(self.module, self.src_device_obj)
        if len(self.device_ids) > 1:
            raise NotImplementedError(_MULTI_GPU)
        return _run_on_one_device(self.module, inputs, kwargs, self.src_device_obj)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """The functional form of :class:`DataParallel`: ``module(*inputs)`` evaluated over GPUs.

    Unlike the module form it needs a GPU: without one it raises
    ``RuntimeError: device type could not be determined``, as PyTorch's CPU build does.
    ``inputs`` is a tuple of positional arguments (anything else is one argument; ``None``
    none), ``module_kwargs`` a dict of keyword arguments. On a single GPU the module's
    parameters and buffers must already be on ``device_ids[0]``; the inputs are moved there.

    Mirrors ``torch.nn.parallel.data_parallel``.

    Args:
        module (Module): the module to evaluate.
        inputs (Tensor or tuple): its positional inputs.
        device_ids (list of int or torch.device, optional): CUDA devices (default: all).
        output_device (int or torch.device, optional): the output's device (default:
            ``device_ids[0]``).
        dim (int): the batch dimension (default 0).
        module_kwargs (dict, optional): keyword arguments for ``module``.

    Returns:
        The module's output.

    Raises:
        RuntimeError: without a GPU ("device type could not be determined"), or when a
            parameter or buffer of ``module`` is not on ``device_ids[0]``.
        NotImplementedError: with several GPUs (deliberate difference: PyTorch replicates
            the module on each).
    """
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    device_type = _available_device_type()
    if device_type is None:
        raise RuntimeError("device type could not be determined")
    device_ids = _device_indices(device_ids)
    _get_device_index(device_ids[0] if output_device is None else output_device)
    src_device_obj = torch.device(device_type, device_ids[0])
    _check_module_device(module, src_device_obj)
    if len(device_ids) > 1:
        raise NotImplementedError(_MULTI_GPU)
    return _run_on_one_device(module, inputs, module_kwargs, src_device_obj)
