"""``meshgrid``: coordinate grids from 1-D tensors, each a view (expanded, no copy) of its
input, recorded as ``ExpandBackward0`` as in PyTorch."""
from __future__ import annotations


from .._tensor import Tensor
from .._warnings import warn_once
from .shape import expand, view

_INDEXING_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. "
                     "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4215.)")


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: for ``N`` tensors of sizes ``s0 … s(N-1)``, ``N`` tensors of one
    common shape where the ``i``-th varies only along the dimension of input ``i``.

    With ``indexing="ij"`` (matrix indexing) the grids have shape ``(s0, s1, …)``; with
    ``"xy"`` (Cartesian indexing, as ``numpy.meshgrid``'s default) the first two sizes
    swap: ``(s1, s0, s2, …)``. Each grid is an expanded view of its input (stride 0 along
    the other dimensions), so writing into it is not allowed; clone it first. Omitting
    ``indexing`` means ``"ij"`` and gives PyTorch's warning, once per process. Mirrors
    ``torch.meshgrid``.

    Args:
        *tensors: 0-D or 1-D tensors of one dtype and device (a 0-D tensor counts as size
            1), given separately or as one list/tuple.
        indexing: ``"ij"`` or ``"xy"`` (keyword-only; default ``None``: ``"ij"`` with a
            ``UserWarning``).

    Returns:
        A tuple of ``N`` tensors, all of the shape above.

    Raises:
        RuntimeError: if no tensor is given, the dtypes or devices differ, a tensor has
            more than one dimension, or ``indexing`` is not ``"ij"``/``"xy"``.
        TypeError: if an element is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x, y = torch.meshgrid(torch.tensor([1, 2, 3]), torch.tensor([4, 5]), indexing="ij")
        >>> x
        tensor([[1, 1],
                [2, 2],
                [3, 3]])
        >>> y
        tensor([[4, 5],
                [4, 5],
                [4, 5]])
        >>> torch.meshgrid(torch.tensor([1, 2, 3]), torch.tensor([4, 5]), indexing="xy")[0]
        tensor([[1, 2, 3],
                [1, 2, 3]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type(t).__name__}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if any(t.device != tensors[0].device for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same device")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if indexing is None:
        warn_once(_INDEXING_WARNING, stacklevel=2)  # (TORCH_WARN_ONCE)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    n = len(tensors)
    axis = list(range(n))
    if indexing == "xy" and n >= 2:
        axis[0], axis[1] = 1, 0  # input 0 varies along dimension 1, input 1 along dimension 0
    shape = [0] * n
    for i, t in enumerate(tensors):
        shape[axis[i]] = t.numel()
    grids = []
    for i, t in enumerate(tensors):
        one = [1] * n
        one[axis[i]] = shape[axis[i]]
        grids.append(expand(view(t, *one), *shape))
    return tuple(grids)
