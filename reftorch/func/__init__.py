"""``reftorch.func``: function transforms. Mirrors ``torch.func``: :func:`vmap` (a
per-sample loop), :func:`grad`, :func:`grad_and_value`, :func:`vjp`, :func:`jvp`,
:func:`jacrev`, :func:`jacfwd`, :func:`hessian`, :func:`linearize` (all on reftorch's
reverse-mode autograd), :func:`functional_call` and :func:`stack_module_state`."""
from __future__ import annotations

from collections.abc import Sequence

from ..nn.utils.stateless import _functional_call
from ._grad import grad, grad_and_value
from ._jacobians import hessian, jacfwd, jacrev
from ._jvp import jvp, linearize
from ._stack_module_state import stack_module_state
from ._vjp import vjp
from ._vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "vmap", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "linearize", "stack_module_state"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with the given tensors in place of its own
    parameters and buffers (by dotted name; the ones not given are used as they are).
    The module is left as it was afterwards. Mirrors ``torch.func.functional_call``.

    Args:
        module: the module to call.
        parameter_and_buffer_dicts: ``{dotted name: tensor}``, or a list or tuple of such
            dicts (no name in two of them).
        args: the positional arguments (a tuple, or one argument that is not a tuple).
        kwargs: the keyword arguments.
        tie_weights: a tensor given for one name of a group of tied parameters or
            buffers stands for all of them.
        strict: require exactly the module's parameters and buffers.

    Returns:
        What the module returns.

    Raises:
        ValueError: if ``parameter_and_buffer_dicts`` is not a dict or a sequence of
            dicts, if a name is in two of the dicts, or (``tie_weights``) if tied names
            get different tensors.
        RuntimeError: with ``strict``, on missing or unexpected names.

    Examples:
        >>> import reftorch as torch
        >>> lin = torch.nn.Linear(2, 1)
        >>> params = {"weight": torch.ones(1, 2), "bias": torch.zeros(1)}
        >>> torch.func.functional_call(lin, params, (torch.tensor([[1.0, 2.0]]),))
        tensor([[3.]])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        parameters_and_buffers = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        parameters_and_buffers = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
