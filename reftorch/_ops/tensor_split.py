"""``tensor_split``, ``hsplit``, ``vsplit``, ``dsplit`` (NumPy's ``array_split`` family) and
``ravel``: views of ``input`` along one dim, made with the slicing op of
:mod:`reftorch._ops.indexing` (``SliceBackward0``)."""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, int_arg
from ._common import tensor_input
from .indexing import BasicIndex


def _slice_along(input, d, start, stop):
    """``input[..., start:stop, ...]`` along dim ``d`` (Python's slice rules): a view,
    ``SliceBackward0`` even when it keeps the whole dim (ATen's ``slice``, not indexing)."""
    return BasicIndex.apply(input, key=(slice(None),) * d + (slice(start, stop),), _name="SliceBackward0")


@tensor_input
def tensor_split(input, indices_or_sections, dim=0):
    """Split ``input`` into views along ``dim``: into ``n`` nearly equal parts (an int; the
    first ``size % n`` parts one longer), or at the given indices (a sequence: the parts
    are ``[0:i0]``, ``[i0:i1]``, ..., ``[ik:]``, with Python's slice rules, so they may be
    empty). A 0-D int64 tensor counts as ``n``, a 1-D one as indices. Mirrors
    ``torch.tensor_split`` (``numpy.array_split``'s rules).

    Raises:
        RuntimeError: for ``n < 1``, or a tensor argument that is not int64 or has more
            than one dim.
        IndexError: if ``dim`` is out of range.
        TypeError: for an argument that is neither an int nor a sequence of ints.

    Examples:
        >>> import reftorch as torch
        >>> [t.tolist() for t in torch.tensor_split(torch.arange(7), 3)]
        [[0, 1, 2], [3, 4], [5, 6]]
        >>> [t.tolist() for t in torch.tensor_split(torch.arange(7), [1, 5])]
        [[0], [1, 2, 3, 4], [5, 6]]
    """
    if isinstance(indices_or_sections, Tensor):
        t = indices_or_sections
        if t.dim() > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {t.dim()} dims")
        if t.dtype.name != "int64":
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{D.scalar_name(t.dtype)}")
        indices_or_sections = t.item() if t.dim() == 0 else t.tolist()
    d = _wrap_dim(dim, input.dim())
    if isinstance(indices_or_sections, (list, tuple)):
        cuts = [int_arg(i, "tensor_split", "indices", 2) for i in indices_or_sections]
        return tuple(_slice_along(input, d, a, b) for a, b in zip([0] + cuts, cuts + [None]))
    if isinstance(indices_or_sections, bool) or not isinstance(indices_or_sections, int):
        raise TypeError("tensor_split() received an invalid combination of arguments - got (Tensor, "
                        f"{type(indices_or_sections).__name__}), but expected one of:\n"
                        " * (Tensor input, tuple of ints indices, int dim = 0)\n"
                        " * (Tensor input, Tensor tensor_indices_or_sections, int dim = 0)\n"
                        " * (Tensor input, int sections, int dim = 0)\n")
    sections = indices_or_sections
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    n = input.shape[d]
    small, extra = divmod(n, sections)
    pieces, start = [], 0
    for i in range(sections):
        stop = start + small + (1 if i < extra else 0)
        pieces.append(_slice_along(input, d, start, stop))
        start = stop
    return tuple(pieces)


def _numpy_split(fn, input, indices_or_sections, dim, least):
    """``hsplit``/``vsplit``/``dsplit``: :func:`tensor_split` along ``dim``, but an int must
    divide the dim exactly (NumPy's ``split``)."""
    if input.dim() < least:
        raise RuntimeError(f"torch.{fn} requires a tensor with at least {least} dimension, but got a tensor with "
                           f"{input.dim()} dimensions!")
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        size = input.shape[dim]
        if indices_or_sections != 0 and size % indices_or_sections:
            raise RuntimeError(f"torch.{fn} attempted to split along dimension {dim}, but the size of the dimension "
                               f"{size} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


@tensor_input
def hsplit(input, indices_or_sections):
    """Split horizontally: along dim 1 (dim 0 for a 1-D tensor), an int dividing it exactly
    or split indices. Mirrors ``torch.hsplit`` (``numpy.hsplit``).

    Raises:
        RuntimeError: for a 0-D tensor, or an int that does not divide the dim.

    Examples:
        >>> import reftorch as torch
        >>> [t.shape for t in torch.hsplit(torch.zeros(2, 6), 3)]
        [torch.Size([2, 2]), torch.Size([2, 2]), torch.Size([2, 2])]
    """
    return _numpy_split("hsplit", input, indices_or_sections, 0 if input.dim() == 1 else 1, 1)


@tensor_input
def vsplit(input, indices_or_sections):
    """Split vertically: along dim 0 of a tensor of 2 or more dims. Mirrors ``torch.vsplit``.

    Raises:
        RuntimeError: for fewer than 2 dims, or an int that does not divide dim 0.
    """
    return _numpy_split("vsplit", input, indices_or_sections, 0, 2)


@tensor_input
def dsplit(input, indices_or_sections):
    """Split depth-wise: along dim 2 of a tensor of 3 or more dims. Mirrors ``torch.dsplit``.

    Raises:
        RuntimeError: for fewer than 3 dims, or an int that does not divide dim 2.
    """
    return _numpy_split("dsplit", input, indices_or_sections, 2, 3)


@tensor_input
def ravel(input):
    """The elements as a 1-D tensor, in row-major order: a view when ``input`` is
    contiguous, else a contiguous copy. Mirrors ``torch.ravel``.

    Examples:
        >>> import reftorch as torch
        >>> torch.ravel(torch.tensor([[1, 2], [3, 4]]).t())
        tensor([1, 3, 2, 4])
    """
    return input.contiguous().view(-1)
