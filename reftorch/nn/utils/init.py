"""Building a module without initializing its parameters. Mirrors ``torch.nn.utils.init``."""
from __future__ import annotations

import inspect

from ...random import get_rng_state, set_rng_state
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Build ``module_cls(*args, **kwargs)`` with uninitialized parameters and buffers
    (``torch.empty`` memory), leaving the random number generator as it was. Mirrors
    ``torch.nn.utils.skip_init``.

    PyTorch builds the module on the ``meta`` device, where initialization does nothing,
    then calls ``to_empty``. reftorch has no meta device: it builds the module on the CPU,
    puts the CPU generator back to its state from before (so the random numbers drawn
    afterwards are PyTorch's), then calls ``to_empty(device=...)``. The result is the same;
    the initialization is computed and thrown away.

    Args:
        module_cls: a Module class whose constructor takes a ``device`` argument.
        *args: its positional arguments.
        **kwargs: its keyword arguments; ``device`` (default ``"cpu"``) is where the
            uninitialized tensors are.

    Returns:
        The module.

    Raises:
        RuntimeError: if ``module_cls`` is not a Module class or takes no ``device``.

    Examples:
        >>> import reftorch as torch
        >>> lin = torch.nn.utils.skip_init(torch.nn.Linear, 4, 2)
        >>> lin.weight.shape
        torch.Size([2, 4])
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    kwargs["device"] = "cpu"
    state = get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        set_rng_state(state)
    return module.to_empty(device=final_device)
