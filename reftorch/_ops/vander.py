"""``vander``: the Vandermonde matrix of a vector, in PyTorch's composition (a column of
ones, then the running products of ``x`` written into a slice, flipped unless increasing)."""
from __future__ import annotations

from .. import _dtype as D
from ._common import tensor_input
from .creation import empty
from .cumulative import cumprod
from .indexing import narrow
from .reorder import flip
from .shape import unsqueeze


@tensor_input
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of ``x``: its columns are the powers ``x ** (N - 1)``, ...,
    ``x ** 0`` (``increasing``: from ``x ** 0`` up).

    Integer and bool inputs give int64 (the running product is PyTorch's ``cumprod``).
    Mirrors ``torch.vander`` (``grad_fn`` ``FlipBackward0``, or ``CopySlices`` when
    ``increasing``). As in PyTorch 2.13, whose composition overwrites the slice its
    ``cumprod`` saved, backward through a result with more than one column raises
    RuntimeError.

    Args:
        x: a 1-D tensor.
        N: the number of columns (default: ``len(x)``).
        increasing: powers from 0 up instead of down.

    Returns:
        A tensor of shape ``(len(x), N)``.

    Raises:
        RuntimeError: if ``x`` is not 1-D or ``N`` is negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.vander(torch.tensor([1, 2, 3]))
        tensor([[1, 1, 1],
                [4, 2, 1],
                [9, 3, 1]])
        >>> torch.vander(torch.tensor([2., 3.]), N=3, increasing=True)
        tensor([[1., 2., 4.],
                [1., 3., 9.]])
    """
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    result = empty(x.shape[0], n, dtype=D.promote_types(x.dtype, D.int64), device=x.device)
    if n > 0:
        result.fill_(1)  # (as PyTorch: its version count shows in the error its backward raises)
    if n > 1:
        narrow(result, 1, 1, n - 1).copy_(unsqueeze(x, 1))
        powers = narrow(result, 1, 1, n - 1)
        powers.copy_(cumprod(powers, 1))
    return result if increasing else flip(result, (1,))
