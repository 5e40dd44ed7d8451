"""``atleast_1d``/``atleast_2d``/``atleast_3d`` and the stacking functions built on them,
``column_stack`` and ``dstack`` (``hstack``/``vstack`` are in ``join.py``)."""
from __future__ import annotations

from .._tensor import Tensor
from .join import cat
from .shape import reshape, unsqueeze


def _each(name, tensors, one):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(one(t) for t in _checked(name, tensors[0]))
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return one(tensors[0])
    return tuple(one(t) for t in _checked(name, tensors))


def _checked(name, tensors):
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        got = type(tensors[0]).__name__
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one "
                        f"of:\n * (Tensor input)\n      didn't match because some of the arguments have invalid "
                        f"types: (!{got}!)\n * (tuple of Tensors tensors)\n      didn't match because some of the "
                        f"arguments have invalid types: (!{got}!)\n")
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type(t).__name__}")
    return tensors


def _one_1d(t):
    return reshape(t, (1,)) if t.dim() == 0 else t


def _one_2d(t):
    if t.dim() == 0:
        return reshape(t, (1, 1))
    return unsqueeze(t, 0) if t.dim() == 1 else t


def _one_3d(t):
    if t.dim() == 0:
        return reshape(t, (1, 1, 1))
    if t.dim() == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if t.dim() == 2 else t


def atleast_1d(*tensors):
    """Each tensor with at least one dimension: a 0-dim tensor becomes shape ``(1,)``
    (a view), others are returned as they are.

    Mirrors ``torch.atleast_1d``: one tensor in, one out; several (or one list/tuple) in, a
    tuple out.

    Raises:
        TypeError: if an argument is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.atleast_1d(torch.tensor(5.))
        tensor([5.])
        >>> torch.atleast_1d(torch.tensor(1), torch.tensor([2, 3]))
        (tensor([1]), tensor([2, 3]))
    """
    return _each("atleast_1d", tensors, _one_1d)


def atleast_2d(*tensors):
    """Each tensor with at least two dimensions: 0-dim becomes ``(1, 1)``, 1-D ``(n,)``
    becomes ``(1, n)`` (views); others are returned as they are.

    Mirrors ``torch.atleast_2d`` (one tensor in, one out; several, a tuple).

    Raises:
        TypeError: if an argument is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.atleast_2d(torch.tensor([1, 2, 3]))
        tensor([[1, 2, 3]])
    """
    return _each("atleast_2d", tensors, _one_2d)


def atleast_3d(*tensors):
    """Each tensor with at least three dimensions: 0-dim becomes ``(1, 1, 1)``, 1-D
    ``(n,)`` becomes ``(1, n, 1)`` and 2-D ``(m, n)`` becomes ``(m, n, 1)`` (views); others
    are returned as they are.

    Mirrors ``torch.atleast_3d`` (one tensor in, one out; several, a tuple).

    Raises:
        TypeError: if an argument is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.atleast_3d(torch.tensor([1, 2])).shape
        torch.Size([1, 2, 1])
    """
    return _each("atleast_3d", tensors, _one_3d)


def _tensor_list(name, tensors):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type(t).__name__}")
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def column_stack(tensors):
    """Stack tensors side by side as columns: 0-D and 1-D tensors become columns
    ``(n, 1)``, then all are concatenated along dimension 1.

    Mirrors ``torch.column_stack`` (dtypes promote as in ``cat``; ``grad_fn``
    ``CatBackward0``).

    Args:
        tensors: a non-empty list or tuple of tensors with the same number of rows.

    Returns:
        A new 2-D (or higher) tensor.

    Raises:
        RuntimeError: if ``tensors`` is empty or the row counts differ.
        TypeError: if ``tensors`` is not a list/tuple of tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.column_stack([torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])])
        tensor([[1, 4],
                [2, 5],
                [3, 6]])
    """
    tensors = _tensor_list("column_stack", tensors)
    return cat([reshape(t, (t.numel(), 1)) if t.dim() <= 1 else t for t in tensors], 1)


def dstack(tensors):
    """Stack tensors depth-wise: each becomes at least 3-D (:func:`atleast_3d`), then all
    are concatenated along dimension 2.

    Mirrors ``torch.dstack`` (dtypes promote as in ``cat``; ``grad_fn``
    ``CatBackward0``).

    Args:
        tensors: a non-empty list or tuple of tensors of matching shapes.

    Returns:
        A new tensor with at least 3 dimensions.

    Raises:
        RuntimeError: if ``tensors`` is empty or the shapes do not match outside dimension 2.
        TypeError: if ``tensors`` is not a list/tuple of tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.dstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
        tensor([[[1, 3],
                 [2, 4]]])
    """
    tensors = _tensor_list("dstack", tensors)
    return cat([_one_3d(t) for t in tensors], 2)
