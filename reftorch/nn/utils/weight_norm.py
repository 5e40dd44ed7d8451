"""``torch.nn.utils.weight_norm`` / ``remove_weight_norm``: the older, hook-based weight
normalization (deprecated in PyTorch in favour of
:func:`reftorch.nn.utils.parametrizations.weight_norm`). Mirrors
``torch/nn/utils/weight_norm.py``.

The weight parameter is replaced by two parameters, ``<name>_g`` (magnitude) and
``<name>_v`` (direction), and a forward pre-hook recomputes the plain attribute
``<name> = g * v / ||v||`` before every call.
"""
from __future__ import annotations

import warnings

from ..._ops.weight_norm import _weight_norm, norm_except_dim
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: it sets ``module.<name>`` from
    ``<name>_g`` and ``<name>_v``. Mirrors ``torch.nn.utils.weight_norm.WeightNorm``."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        """``g * v / ||v||`` from the module's ``<name>_g`` and ``<name>_v``."""
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name, dim):
        """Set weight normalization up on ``module.<name>`` (warns: deprecated)."""
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        """Make ``module.<name>`` a plain parameter again (its current value)."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Weight normalization with a forward pre-hook (deprecated: PyTorch and reftorch warn
    with a ``FutureWarning``; use :func:`reftorch.nn.utils.parametrizations.weight_norm`).

    ``module.<name>`` is replaced by the parameters ``<name>_g`` (the norms over every
    dimension but ``dim``; all of them for ``dim=None``) and ``<name>_v`` (the weight);
    ``module.<name>`` becomes a plain tensor attribute, ``g * v / ||v||``, recomputed
    before each forward call. The state dict holds ``<name>_g`` and ``<name>_v``.

    Args:
        module: the module holding the weight.
        name: the parameter's name (default ``"weight"``).
        dim: the dimension that keeps its own norm (default 0), or ``None``.

    Returns:
        ``module``.

    Raises:
        RuntimeError: if ``name`` already has weight normalization.

    Mirrors ``torch.nn.utils.weight_norm``.

    Examples:
        >>> import warnings
        >>> import reftorch as torch
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     m = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
        >>> list(m.state_dict())
        ['bias', 'weight_g', 'weight_v']
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo :func:`weight_norm`: ``module.<name>`` becomes one parameter again, holding the
    current normalized weight. Mirrors ``torch.nn.utils.remove_weight_norm``.

    Returns:
        ``module``.

    Raises:
        ValueError: if ``name`` has no weight normalization.
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
