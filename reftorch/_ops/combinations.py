"""``combinations``: the length-``r`` subsequences of a vector, as ``itertools.combinations``
(or ``combinations_with_replacement``) gives them, in PyTorch's composition: ``r`` grids of
``meshgrid``, each read where the grid indices increase, stacked as columns."""
from __future__ import annotations

from .._tensor import Tensor
from ._common import tensor_input
from .creation import empty
from .join import stack
from .masked_select import masked_select
from .meshgrid import meshgrid


def _increasing_mask(input, n, r, with_replacement):
    """The bool tensor of shape ``(n,) * r`` that is True where ``i1 < i2 < ...`` (``<=``
    with replacement)."""
    b = input._backend
    xp = b.xp
    mask = xp.ones((n,) * r, dtype=xp.bool, **b._dev_kw())
    pos = xp.arange(n, dtype=xp.int64, **b._dev_kw())
    for k in range(r - 1):
        left = xp.reshape(pos, tuple(n if i == k else 1 for i in range(r)))
        right = xp.reshape(pos, tuple(n if i == k + 1 else 1 for i in range(r)))
        mask = mask & ((left <= right) if with_replacement else (left < right))
    return Tensor._wrap(mask, input.device, b)


@tensor_input
def combinations(input, r=2, with_replacement=False):
    """The combinations of ``r`` elements of the 1-D ``input``, one per row, in
    lexicographic order of positions. Mirrors ``torch.combinations``
    (``grad_fn=<StackBackward0>``); ``r=0`` gives an empty 1-D tensor.

    Args:
        input: a 1-D tensor.
        r: the number of elements in each combination.
        with_replacement: allow an element to repeat.

    Returns:
        A tensor of shape ``(number of combinations, r)``.

    Raises:
        RuntimeError: if ``input`` is not 1-D or ``r`` is negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.combinations(torch.tensor([1, 2, 3]))
        tensor([[1, 2],
                [1, 3],
                [2, 3]])
        >>> torch.combinations(torch.tensor([1, 2]), with_replacement=True)
        tensor([[1, 1],
                [1, 2],
                [2, 2]])
    """
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape [{', '.join(map(str, input.shape))}]")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return empty(0, dtype=input.dtype, device=input.device)
    mask = _increasing_mask(input, input.numel(), r, with_replacement)
    grids = meshgrid(*([input] * r), indexing="ij")
    return stack([masked_select(g, mask) for g in grids], 1)
