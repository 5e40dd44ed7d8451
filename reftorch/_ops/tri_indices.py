"""``tril_indices`` and ``triu_indices``: the coordinates of a matrix's lower or upper
triangle, row by row."""
from __future__ import annotations

from .. import _dtype as D
from .creation import arange
from .join import stack
from .nonzero import nonzero


def _indices(name, row, col, offset, dtype, device, lower):
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dtype = D.int64 if dtype is None else dtype
    if dtype not in (D.int64, D.int32):
        raise NotImplementedError(f"\"{name}\" not implemented for '{D.scalar_name(dtype)}'")
    r = arange(row, device=device).unsqueeze(1)
    c = arange(col, device=device).unsqueeze(0)
    keep = (c - r <= offset) if lower else (c - r >= offset)
    return stack(nonzero(keep, as_tuple=True)).to(dtype)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The coordinates of the lower triangle of a ``row`` x ``col`` matrix, as a
    ``(2, N)`` tensor: first the row indices, then the column indices, in row-major order.

    Position ``(i, j)`` is included when ``j - i <= offset``: ``offset=0`` includes the
    main diagonal, a positive ``offset`` diagonals above it, a negative one leaves out
    diagonals below it. Mirrors ``torch.tril_indices``; ``x[tuple(torch.tril_indices(…))]``
    reads the elements ``x.tril(offset)`` keeps.

    Args:
        row: the number of rows.
        col: the number of columns.
        offset: which diagonal bounds the triangle (default 0).
        dtype: ``torch.int64`` (default) or ``torch.int32`` (keyword-only).
        device: the device of the result (keyword-only).
        layout: accepted for compatibility (keyword-only).

    Raises:
        RuntimeError: if ``row`` or ``col`` is negative.
        NotImplementedError: for a dtype other than int64/int32.

    Examples:
        >>> import reftorch as torch
        >>> torch.tril_indices(3, 3)
        tensor([[0, 1, 1, 2, 2, 2],
                [0, 0, 1, 0, 1, 2]])
    """
    return _indices("tril_indices", row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The coordinates of the upper triangle of a ``row`` x ``col`` matrix, as a
    ``(2, N)`` tensor (row indices, then column indices, in row-major order).

    Position ``(i, j)`` is included when ``j - i >= offset``. Mirrors
    ``torch.triu_indices``; see :func:`tril_indices` for the arguments.

    Raises:
        RuntimeError: if ``row`` or ``col`` is negative.
        NotImplementedError: for a dtype other than int64/int32.

    Examples:
        >>> import reftorch as torch
        >>> torch.triu_indices(3, 4, 1)
        tensor([[0, 0, 0, 1, 1, 2],
                [1, 2, 3, 2, 3, 3]])
    """
    return _indices("triu_indices", row, col, offset, dtype, device, False)
