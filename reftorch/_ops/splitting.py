"""``split`` and ``chunk``: cut a tensor into views along one dimension."""
from __future__ import annotations

from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd.function import OpFunction


class SplitPiece(OpFunction):
    """One piece ``input[..., start:stop, ...]`` of a split: a view of the input."""

    name = "SplitBackward0"
    create_graph = True
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, start, stop):
        ctx.shape, ctx.dim, ctx.start, ctx.stop = x._data.shape, dim, start, stop
        ctx.backend = x._backend
        key = tuple(slice(start, stop) if i == dim else slice(None) for i in range(x._data.ndim))
        return x._data[key]

    @staticmethod
    def backward(ctx, g):
        b, xp, d = ctx.backend, ctx.xp, ctx.dim
        n = ctx.shape[d]

        def zeros(k):
            return xp.zeros(tuple(k if i == d else s for i, s in enumerate(ctx.shape)), dtype=g.dtype,
                            **b._dev_kw())
        return xp.concat([zeros(ctx.start), g, zeros(n - ctx.stop)], axis=d)


def _pieces(input, d, sizes, name):
    out, start = [], 0
    for s in sizes:
        out.append(SplitPiece.apply(input, dim=d, start=start, stop=start + s, _name=name))
        start += s
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    """Cut ``tensor`` along ``dim`` into pieces (views) of ``split_size_or_sections``
    elements each (the last one may be shorter), or of the listed sizes.

    Args:
        tensor: the tensor to cut (at least 1-D).
        split_size_or_sections: an int (size of each piece) or a list/tuple of sizes
            that add up to ``tensor.size(dim)``.
        dim: the dimension to cut along.

    Returns:
        A tuple of views; ``grad_fn`` ``SplitBackward0`` (int) or
        ``SplitWithSizesBackward0`` (sizes).

    Raises:
        RuntimeError: if the sizes do not add up, are negative, or the int is 0 for a
            non-empty dimension (PyTorch's messages).

    Mirrors ``torch.split`` and ``Tensor.split``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(5)
        >>> x.split(2)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
        >>> torch.split(x, [1, 4])
        (tensor([0]), tensor([1, 2, 3, 4]))
    """
    sections = isinstance(split_size_or_sections, (list, tuple))
    if sections and isinstance(dim, bool):
        raise TypeError("split_with_sizes(): argument 'dim' (position 3) must be int, not bool")
    if not sections and (isinstance(split_size_or_sections, bool) or isinstance(dim, bool)):
        raise TypeError(_split_types_error(split_size_or_sections, dim))
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor.dim())
    n = tensor.shape[d]
    if sections:
        sizes = list(split_size_or_sections)
        if sizes and isinstance(sizes[0], bool):  # (PyTorch's parser takes later bools as ints)
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, but "
                            "found element of type bool at pos 0")
        if any(not isinstance(s, int) for s in sizes):
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints")
        if any(s < 0 for s in sizes):
            raise RuntimeError("split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes=[{', '.join(map(str, sizes))}]")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {dim}), but got split_sizes=[{', '.join(map(str, sizes))}]")
        return _pieces(tensor, d, sizes, "SplitWithSizesBackward0")
    size = split_size_or_sections
    if isinstance(size, Tensor):
        size = int(size.item())
    if not isinstance(size, int):
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        return _pieces(tensor, d, [0], "SplitBackward0")
    count = max((n + size - 1) // size, 1)
    sizes = [size] * (count - 1) + [n - size * (count - 1)]
    return _pieces(tensor, d, sizes, "SplitBackward0")


def _split_types_error(size, dim):
    """PyTorch's "invalid combination" text for ``split(size, dim)`` with a bool among them:
    each overload marks (``!type!``) the first argument that does not fit it and all after."""
    got = [type(size).__name__, type(dim).__name__]
    lines = []
    for fits in ((not isinstance(size, bool), not isinstance(dim, bool)), (False, not isinstance(dim, bool))):
        bad = False
        marked = []
        for name, ok in zip(got, fits):
            bad = bad or not ok
            marked.append(f"!{name}!" if bad else name)
        lines.append(f"      didn't match because some of the arguments have invalid types: (Tensor, {', '.join(marked)})")
    return (f"split() received an invalid combination of arguments - got (Tensor, {', '.join(got)}), but expected one "
            f"of:\n * (Tensor input, int split_size, int dim = 0)\n{lines[0]}\n"
            f" * (Tensor input, tuple of ints split_size, int dim = 0)\n{lines[1]}\n")


def chunk(input, chunks, dim=0):
    """Cut ``input`` along ``dim`` into ``chunks`` views of ``ceil(size / chunks)``
    elements (fewer pieces when they run out, the last may be shorter).

    Mirrors ``torch.chunk`` (``grad_fn`` ``SplitBackward0``; ``SplitWithSizesBackward0`` when
    the dimension is empty).

    Args:
        input: the tensor to cut (at least 1-D).
        chunks: the number of pieces wanted (a positive int).
        dim: the dimension to cut along (default 0).

    Raises:
        RuntimeError: for ``chunks <= 0`` or a 0-dim input.

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(6).chunk(4)
        (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
    """
    chunks = int_arg(chunks, "chunk", "chunks", 1)
    dim = int_arg(dim, "chunk", "dim", 2)
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:  # an empty dimension: `chunks` empty pieces
        return _pieces(input, d, [0] * chunks, "SplitWithSizesBackward0")  # PyTorch splits by sizes there
    return split(input, size, d)
