"""Joining tensors: ``cat`` (alias ``concat``/``concatenate``) and ``stack``."""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd.function import OpFunction as Function
from ._common import row_major, with_out
from .shape import unsqueeze
from .._layout import cat_layout


def _check_devices(tensors):
    dev = tensors[0].device
    for t in tensors[1:]:
        if t.device != dev:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{dev} and {t.device}!")


class Cat(Function):
    """``Cat.apply(*tensors, dim, arrays)``: ``arrays`` are the arrays to join, made ready by
    ``cat()`` (legacy empty ones left out, all of the result dtype)."""

    name = "CatBackward0"
    create_graph = True
    arity = -2  # the tensors, then dim and arrays
    can_warn = False  # only a cast can (an int64 too large for float16): cat() casts quietly

    @staticmethod
    def forward(ctx, *args):
        dim, arrays = args[-2], args[-1]
        if ctx.needs_input_grad:  # what backward needs (skipped when no graph is recorded)
            tensors = args[:-2]
            if len(arrays) < len(tensors):  # legacy empty tensors were left out
                skip = [t._data.shape == (0,) for t in tensors]
            else:
                skip = [False] * len(tensors)
            ctx.dim, ctx.skip = dim, skip
            ctx.sizes = [0 if s else t._data.shape[dim] for t, s in zip(tensors, skip)]
            ctx.dtypes = [t._data.dtype for t in tensors]
        b = args[0]._backend
        return cat_layout(b, b.concat(arrays, dim), arrays)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        out, start = [], 0
        for size, skip, native, need in zip(ctx.sizes, ctx.skip, ctx.dtypes, ctx.needs_input_grad):
            if not need:
                out.append(None)
            elif skip:
                out.append(xp.zeros((0,), dtype=native, device=g.device))
            else:
                key = (slice(None),) * ctx.dim + (slice(start, start + size), Ellipsis)
                out.append(xp.astype(g[key], native, copy=False))
            start += size
        return tuple(out)


def _position(items, item):
    """The position of ``item`` in ``items`` for an error message: the first one that is it
    (the loops check items in order, so an earlier occurrence would have failed first)."""
    return next(i for i, x in enumerate(items) if x is item)


def _not_a_tensor_list(fn, obj):
    """PyTorch's error for a ``tensors`` argument that is not a list or tuple. It names the
    type as C's ``tp_name`` does: a class defined in Python by its name, a built-in one with
    its module unless that is builtins (``generator``, ``numpy.ndarray``, ``collections.deque``)."""
    t = type(obj)
    if t.__flags__ & (1 << 9) or t.__module__ == "builtins":  # Py_TPFLAGS_HEAPTYPE: defined in Python
        name = t.__name__
    else:
        name = f"{t.__module__}.{t.__qualname__}"
    return TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not {name}")


def _check_shapes(tensors, ref, d):
    """PyTorch's errors for tensors whose shapes differ from ``ref``'s (the first tensor
    that is not a legacy empty one) elsewhere than along dim ``d``."""
    rshape = ref._data.shape
    for t in tensors:
        tshape = t._data.shape
        if tshape == rshape or tshape == (0,):  # (0,): a legacy empty tensor, skipped
            continue
        if len(tshape) != len(rshape):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.dim()} and {t.dim()}")
        if tshape[:d] == rshape[:d] and tshape[d + 1:] == rshape[d + 1:]:
            continue  # every size but dim d matches, checked on the raw shape tuples
        for k in range(ref.dim()):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref.shape[k]} but got size {t.shape[k]} for tensor number "
                                   f"{_position(tensors, t)} in the list.")


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenate tensors along an existing dimension ``dim``.

    All tensors must have the same number of dimensions and the same size in every
    dimension except ``dim``; the result's size along ``dim`` is the sum of theirs. 1-D
    tensors with zero elements are skipped whatever their shape (a legacy rule PyTorch
    keeps). The result dtype is the promotion of the inputs' dtypes.
    Mirrors ``torch.cat`` (aliases ``torch.concat`` and ``torch.concatenate``).

    Args:
        tensors: a non-empty sequence of tensors.
        dim: the dimension to join along; negative values count from the end.

    Returns:
        Tensor: a new tensor (never a view of the inputs).

    Raises:
        ValueError: if ``tensors`` is empty.
        IndexError: if ``dim`` is out of range.
        RuntimeError: if the shapes do not match outside ``dim``, the numbers of dimensions
            differ, or an input is zero-dimensional.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.tensor([[1, 2]])
        >>> b = torch.tensor([[3, 4], [5, 6]])
        >>> torch.cat([a, b])
        tensor([[1, 2],
                [3, 4],
                [5, 6]])
        >>> torch.cat([a, a], dim=-1)
        tensor([[1, 2, 1, 2]])
    """
    if out is not None:
        return with_out("cat", out, cat, tensors, dim, axis=axis)
    if tensors.__class__ is not list and not isinstance(tensors, (list, tuple)):
        raise _not_a_tensor_list("cat", tensors)
    if axis is not None:  # NumPy-style alias accepted by PyTorch
        dim = axis
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # One pass (per-call overhead): the type and 0-dim checks in order, the arrays, the first
    # shape that is not a legacy empty one, the promoted dtype; what differs is looked at after.
    arrays = []
    rshape = ref = dev0 = dtype = None
    legacy = uneven = cast = mixed = False
    for t in tensors:  # (no enumerate: an error finds the position with _position)
        if t.__class__ is not Tensor and not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {_position(tensors, t)} in argument 0, but got "
                            f"{type(t).__name__}")
        a = t._data
        arrays.append(a)
        tshape = a.shape
        if tshape != rshape:
            if not tshape:
                raise RuntimeError(f"zero-dimensional tensor (at position {_position(tensors, t)}) cannot be "
                                   "concatenated")
            if tshape == (0,):  # a legacy empty tensor: skipped
                legacy = True
            elif rshape is None:
                rshape, ref = tshape, t
            else:
                uneven = True
        if t._dtype is not dtype:
            if dtype is None:
                dtype, dev0 = t._dtype, t._device
            else:
                dtype, cast = D.promote_types(dtype, t._dtype), True
        if t._device is not dev0:  # (one device object: nothing to compare)
            mixed = True
    if mixed:
        _check_devices(tensors)
    if ref is None:  # only empty 1-D tensors: PyTorch does not even check ``dim``; all are kept
        d = 0
    else:
        d = _wrap_dim(dim if dim.__class__ is int else int_arg(dim, "cat", "dim", 2), len(rshape))
        if uneven:
            _check_shapes(tensors, ref, d)
        if legacy:
            arrays = [a for a in arrays if a.shape != (0,)]
    if cast:
        b = tensors[0]._backend
        native, xp = b.dtype(dtype), b.xp
        with b.quiet():
            arrays = [a if a.dtype == native else xp.astype(a, native) for a in arrays]
    return Cat.apply(*tensors, d, arrays)


concat = concatenate = cat


class Stack(Function):
    name = "StackBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, *tensors, dim, dtype):
        xp = tensors[0]._backend.xp
        native = tensors[0]._backend.dtype(dtype)
        ctx.dim = dim
        ctx.dtypes = [t._backend.dtype(t.dtype) for t in tensors]
        b = tensors[0]._backend
        out = xp.stack([xp.astype(t._data, native, copy=False) for t in tensors], axis=dim)
        if dim == out.ndim - 1 == 3:
            # PyTorch stacks along a new last dim as cat of the inputs unsqueezed there (a new
            # stride of 1): four-dim arrays, laid out channels-last when all suggest it
            views = [b.as_strided(t._data, tuple(t._data.shape) + (1,), b.strides(t._data) + (1,))
                     for t in tensors]
            return cat_layout(b, out, views)
        return row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        out = []
        for i, (native, need) in enumerate(zip(ctx.dtypes, ctx.needs_input_grad)):
            key = (slice(None),) * ctx.dim + (i, Ellipsis)
            out.append(xp.astype(g[key], native, copy=False) if need else None)
        return tuple(out)


def stack(tensors, dim=0, *, axis=None, out=None):
    """Join tensors of identical shape along a *new* dimension ``dim``.

    The result has one more dimension than the inputs; ``dim`` ranges over
    ``[-(n + 1), n]`` for inputs with ``n`` dimensions. Mirrors ``torch.stack``.

    Raises:
        RuntimeError: if the list is empty or the shapes differ.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> a, b = torch.tensor([1, 2]), torch.tensor([3, 4])
        >>> torch.stack([a, b])
        tensor([[1, 2],
                [3, 4]])
        >>> torch.stack([a, b], dim=1)
        tensor([[1, 3],
                [2, 4]])
    """
    if out is not None:
        return with_out("stack", out, stack, tensors, dim, axis=axis)
    if axis is not None:  # NumPy-style alias accepted by PyTorch
        dim = axis
    if not isinstance(tensors, (list, tuple)):
        raise _not_a_tensor_list("stack", tensors)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got [{', '.join(map(str, first.shape))}] "
                               f"at entry 0 and [{', '.join(map(str, t.shape))}] at entry {i}")
    _check_devices(tensors)
    d = _wrap_dim(int_arg(dim, "stack", "dim", 2), first.dim() + 1)
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = D.promote_types(dtype, t.dtype)
    return Stack.apply(*tensors, dim=d, dtype=dtype)


def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-D inputs). Mirrors ``torch.hstack``."""
    tensors = [t.reshape(1) if t.dim() == 0 else t for t in tensors]  # atleast_1d
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    """Concatenate along dim 0 after making 0-D and 1-D inputs rows (``atleast_2d``).
    Mirrors ``torch.vstack``."""
    return cat([t.reshape(1, 1) if t.dim() == 0 else unsqueeze(t, 0) if t.dim() == 1 else t for t in tensors], 0)
