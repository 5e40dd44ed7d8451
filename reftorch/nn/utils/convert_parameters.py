"""``parameters_to_vector`` and ``vector_to_parameters``. Mirrors
``torch/nn/utils/convert_parameters.py``: all of a model's parameters as one flat vector
(for second-order methods, evolution strategies, or just counting), and back."""
from __future__ import annotations

from ..._ops.join import cat
from ..._tensor import Tensor
from ..modules.module import _typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _same_device(param, device):
    """The parameters' common device, checked as each one comes (PyTorch refuses a mix)."""
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter, flattened, in the order given.

    The result is a new tensor joined with ``cat`` (``grad_fn=<CatBackward0>``): writing to
    it does not change the parameters. Mirrors ``torch.nn.utils.parameters_to_vector``.

    Raises:
        ValueError: for no parameters at all.
        TypeError: for parameters on different devices.

    Examples:
        >>> import reftorch as torch
        >>> layer = torch.nn.Linear(3, 2)
        >>> torch.nn.utils.parameters_to_vector(layer.parameters()).shape
        torch.Size([8])
    """
    device, pieces = None, []
    for param in parameters:
        device = _same_device(param, device)
        pieces.append(param.view(-1))
    return cat(pieces)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into the parameters, in order: each parameter's
    ``.data`` becomes a view of its slice (so ``vec`` and the parameters share memory).

    Mirrors ``torch.nn.utils.vector_to_parameters``.

    Raises:
        TypeError: if ``vec`` is not a tensor, or the parameters are on different devices.
        RuntimeError: if ``vec`` is too short for a parameter.

    Examples:
        >>> import reftorch as torch
        >>> p = [torch.nn.Parameter(torch.zeros(2, 2)), torch.nn.Parameter(torch.zeros(3))]
        >>> torch.nn.utils.vector_to_parameters(torch.arange(7.), p)
        >>> p[1]
        Parameter containing:
        tensor([4., 5., 6.], requires_grad=True)
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device, pointer = None, 0
    for param in parameters:
        device = _same_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
