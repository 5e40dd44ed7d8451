"""``split``, ``chunk`` and ``unbind``: cut a tensor into views along one dimension, one graph
node for all the pieces (as PyTorch records them)."""
from __future__ import annotations

import operator

from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd.function import OpFunction
from ._common import tensor_input
from ._numpy_names import NOT_GIVEN, dim_from_axis


class Split(OpFunction):
    """``Split.apply(x, dim, sizes)``: the views of ``x`` along ``dim`` with ``sizes``
    elements each, in order; one graph node for all of them (``SplitBackward0``), whose
    backward puts the pieces' gradients back together in one concatenation."""

    name = "SplitBackward0"
    multi_output = True
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, dim, sizes):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.shape, ctx.dim, ctx.sizes = x._data.shape, dim, sizes
        data = x._data
        pre = (slice(None),) * dim
        out = []
        start = 0
        for s in sizes:
            out.append(data[pre + (slice(start, start + s), Ellipsis)])
            start += s
        return out

    @staticmethod
    def backward(ctx, *grads):
        # A piece no gradient reached contributes zeros (PyTorch's split_backward).
        return _join(ctx, grads, ctx.xp.concat, lambda s: tuple(s if i == ctx.dim else n for i, n in
                                                                enumerate(ctx.shape)))


class SplitWithSizes(Split):
    """``split`` by a list of sizes (PyTorch names its node apart)."""

    name = "SplitWithSizesBackward0"


class Unbind(OpFunction):
    """``Unbind.apply(x, dim)``: the views ``x.select(dim, i)`` for every ``i``; one graph node
    (``UnbindBackward0``) whose backward stacks the gradients."""

    name = "UnbindBackward0"
    multi_output = True
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, dim):
        data = x._data
        n = data.shape[dim]
        if ctx.needs_input_grad:
            ctx.shape, ctx.dim, ctx.sizes = data.shape, dim, (1,) * n
        pre = (slice(None),) * dim
        return [data[pre + (i, Ellipsis)] for i in range(n)]

    @staticmethod
    def backward(ctx, *grads):
        return _join(ctx, grads, ctx.xp.stack, lambda s: tuple(n for i, n in enumerate(ctx.shape) if i != ctx.dim))


def _join(ctx, grads, join, piece_shape):
    """The input's gradient from the pieces' ``grads``: ``join`` (concat or stack along
    ``ctx.dim``) of them, zeros of ``piece_shape(size)`` for a piece that got none."""
    b, xp = ctx.backend, ctx.xp
    dtype = next(g for g in grads if g is not None).dtype
    parts = [xp.zeros(piece_shape(s), dtype=dtype, **b._dev_kw()) if g is None else g
             for g, s in zip(grads, ctx.sizes)]
    return join(parts, axis=ctx.dim)


def _pieces(input, d, sizes, cls):
    """The views of ``input`` along dim ``d`` with ``sizes`` elements each, in order."""
    return cls.apply(input, d, tuple(sizes))


def _even_sizes(n, size):
    """The sizes of the pieces of ``size`` elements (the last one shorter) that make ``n``:
    one empty piece when ``n`` is 0."""
    count = (n + size - 1) // size
    if count <= 1:
        return (n,)
    return [size] * (count - 1) + [n - size * (count - 1)]


def _dim(tensor, dim, fn):
    """``dim`` wrapped for ``tensor`` (PyTorch's error for a 0-d one)."""
    n = tensor._data.ndim
    if not n:
        raise RuntimeError(f"{fn} expects at least a 1-dimensional tensor")
    if dim.__class__ is int and -n <= dim < n:  # (the in-range test without a call)
        return dim % n
    return _wrap_dim(dim, n)


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
    return _split(tensor, split_size_or_sections, dim, Split, SplitWithSizes)


def _split(tensor, size, dim, even, sized):
    """:func:`split` recording the pieces with the Function ``even`` (an int size) or
    ``sized`` (a list of sizes)."""
    if size.__class__ is not int or dim.__class__ is not int:
        _check_split_types(size, dim)
    d = _dim(tensor, dim, "split")
    n = tensor._data.shape[d]
    if size.__class__ is not int:
        if isinstance(size, (list, tuple)):
            return _pieces(tensor, d, _checked_sizes(size, n, dim), sized)
        if isinstance(size, Tensor) and size.numel() == 1:  # (PyTorch's Tensor.split: int(size))
            size = int(size.item())
        if not isinstance(size, int):
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not "
                            f"{type(size).__name__}")
    if size > 0:
        return _pieces(tensor, d, _even_sizes(n, size), even)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    return _pieces(tensor, d, (0,), even)


@tensor_input
def split_with_sizes(input, split_sizes, dim=0):
    """Cut ``input`` along ``dim`` into views of the listed sizes (which must add up to
    ``input.size(dim)``). Mirrors ``torch.split_with_sizes`` / ``Tensor.split_with_sizes``
    (``grad_fn`` ``SplitWithSizesBackward0``): :func:`split` with a list.

    Raises:
        TypeError: if ``split_sizes`` is not a list or tuple of ints.
        RuntimeError: if the sizes are negative or do not add up (PyTorch's messages).

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(5).split_with_sizes([2, 3])
        (tensor([0, 1]), tensor([2, 3, 4]))
    """
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return split(input, split_sizes, dim)


def split_method(self, split_size, dim=0):
    """``Tensor.split``: :func:`split`, whose size argument is named ``split_size`` here
    (``x.split(split_size=2)``), as in PyTorch's method."""
    return split(self, split_size, dim)


def _checked_sizes(sections, n, dim):
    """The list of sizes ``sections`` as ints (anything with ``__index__``: bools and 1-element
    integer tensors too), with PyTorch's errors when one is not, one is negative or they do
    not add up to ``n``."""
    sizes = []
    for i, s in enumerate(sections):
        if s.__class__ is not int:
            try:
                s = operator.index(s)
            except TypeError:
                name = type(s).__name__
                if i == 0:
                    raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, "
                                    f"but found element of type {name} at pos 0") from None
                raise TypeError(f"split_with_sizes(): argument 'split_sizes' failed to unpack the object at pos "
                                f'{i + 1} with error "type must be tuple of ints,but got {name}"') from None
        sizes.append(s)
    if any(s < 0 for s in sizes):
        raise RuntimeError("split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes=[{', '.join(map(str, sizes))}]")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                           f"at dimension {dim}), but got split_sizes=[{', '.join(map(str, sizes))}]")
    return sizes


def _check_split_types(size, dim):
    """PyTorch's argument-parser TypeErrors of ``split`` for bools: a bool ``dim``, a bool
    ``size``, or a bool first size in a list (later bools are taken as ints)."""
    sections = isinstance(size, (list, tuple))
    if sections and isinstance(dim, bool):
        raise TypeError("split_with_sizes(): argument 'dim' (position 3) must be int, not bool")
    if not sections and (isinstance(size, bool) or isinstance(dim, bool)):
        raise TypeError(_split_types_error(size, dim))
    if sections and size and isinstance(size[0], bool):
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, but "
                        "found element of type bool at pos 0")


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


@tensor_input
def chunk(input, chunks, dim=0, *, axis=NOT_GIVEN):
    """Cut ``input`` along ``dim`` into ``chunks`` views of ``ceil(size / chunks)``
    elements (fewer pieces when they run out, the last may be shorter).

    Mirrors ``torch.chunk`` (``grad_fn`` ``SplitBackward0``; ``SplitWithSizesBackward0`` when
    the dimension is empty).

    Args:
        input: the tensor to cut (at least 1-D).
        chunks: the number of pieces wanted (a positive int).
        dim: the dimension to cut along (default 0).

    Raises:
        TypeError: if ``chunks`` is not an int.
        RuntimeError: for ``chunks <= 0`` or a 0-dim input.

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(6).chunk(4)
        (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("chunk", dim, axis, 0)
    return _chunk(input, chunks, dim, Split, SplitWithSizes)


def _chunk(input, chunks, dim, even, sized):
    """:func:`chunk` recording the pieces with ``even`` or ``sized`` (as :func:`_split`)."""
    if chunks.__class__ is not int:  # (the argument parser's errors come first)
        chunks = int_arg(chunks, "chunk", "chunks", 1)
    if dim.__class__ is not int:
        dim = int_arg(dim, "chunk", "dim", 2)
    d = _dim(input, dim, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:  # an empty dimension: `chunks` empty pieces
        return _pieces(input, d, [0] * chunks, sized)  # PyTorch splits by sizes there
    return _pieces(input, d, _even_sizes(n, size), even)



class UnsafeSplit(Split):
    """``unsafe_split``/``unsafe_chunk``: the pieces of :class:`Split`, sharing the input's
    memory but not recorded as views (PyTorch's "unsafe" ops: writing into a piece in place is
    allowed, and autograd is not told that the input changed)."""

    name = "UnsafeSplitBackward0"
    is_view = False


class UnsafeSplitWithSizes(UnsafeSplit):
    name = "UnsafeSplitWithSizesBackward0"



@tensor_input
def unsafe_split(input, split_size, dim=0):
    """:func:`split` by an int size whose pieces share ``input``'s memory without being
    recorded as views (``grad_fn`` ``UnsafeSplitBackward0``): PyTorch's "unsafe" variant, for
    code that writes into the pieces in place. Mirrors ``torch.unsafe_split`` and
    ``Tensor.unsafe_split``.

    Examples:
        >>> import reftorch as torch
        >>> torch.unsafe_split(torch.arange(5), 2)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    """
    if isinstance(split_size, (list, tuple)):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return _split(input, split_size, dim, UnsafeSplit, UnsafeSplitWithSizes)


@tensor_input
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """:func:`split_with_sizes` whose pieces are not recorded as views
    (``UnsafeSplitWithSizesBackward0``; see :func:`unsafe_split`). Mirrors
    ``torch.unsafe_split_with_sizes`` and ``Tensor.unsafe_split_with_sizes``.

    Examples:
        >>> import reftorch as torch
        >>> torch.unsafe_split_with_sizes(torch.arange(5), [2, 3])
        (tensor([0, 1]), tensor([2, 3, 4]))
    """
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError("unsafe_split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return _split(input, split_sizes, dim, UnsafeSplit, UnsafeSplitWithSizes)


@tensor_input
def unsafe_chunk(input, chunks, dim=0):
    """:func:`chunk` whose pieces are not recorded as views (``UnsafeSplitBackward0``; see
    :func:`unsafe_split`). Mirrors ``torch.unsafe_chunk`` and ``Tensor.unsafe_chunk``.

    Examples:
        >>> import reftorch as torch
        >>> torch.unsafe_chunk(torch.arange(6), 3)
        (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
    """
    return _chunk(input, chunks, dim, UnsafeSplit, UnsafeSplitWithSizes)
