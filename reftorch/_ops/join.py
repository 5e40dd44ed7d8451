"""Joining tensors: ``cat`` (alias ``concat``/``concatenate``) and ``stack``."""
from __future__ import annotations

from operator import attrgetter

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd.function import OpFunction as Function
from ._common import grad_as, row_major, with_out
from ._numpy_names import NOT_GIVEN, dim_from_axis
from .shape import compute_stride, unsqueeze
from .._layout import cat_layout
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _check_devices(tensors):
    dev = tensors[0].device
    for t in tensors[1:]:
        if t.device != dev:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{dev} and {t.device}!")


def _relaid(b, out, arrays):
    """``out``, the backend's ``concat`` of ``arrays``, laid out as PyTorch's ``cat`` lays out
    its result (:func:`cat_layout`). Only a 4-d or 5-d result (channels-last may be
    wanted) or one with a size-1 dim (whose stride row-major order leaves open) needs a
    closer look; any other is row-major in PyTorch, with the only strides a row-major array
    of its shape has (NumPy gives C-contiguous inputs such a result; an empty one gets its
    strides in ``apply``)."""
    if 3 < out.ndim < 6 or 1 in out.shape:
        return cat_layout(b, out, arrays)
    return b.ascontiguousarray(out)  # row-major: a copy if NumPy chose another layout


class Cat(Function):
    """``Cat.apply(tensors, dim, arrays, native, plain)``: ``arrays`` are the arrays to
    join, made ready by ``cat()`` (legacy empty ones left out), ``native`` the result's
    native dtype when they are not all of it (else None); ``plain``: ``cat()`` knows that the
    result has no size-1 dim and is neither 4-d nor 5-d: PyTorch lays it out row-major, with
    the only strides a row-major array of its shape can have (NumPy gives C-contiguous
    inputs such a result; from others, a row-major copy is made)."""

    name = "CatBackward0"
    create_graph = True
    arity = 1
    tensor_list = True
    can_warn = False  # only a cast can (an int64 too large for float16): concat_as casts quietly

    @staticmethod
    def forward(ctx, tensors, dim, arrays, native, plain):
        if ctx.needs_input_grad:  # what backward needs (skipped when no graph is recorded)
            legacy = len(arrays) < len(tensors)  # legacy empty tensors (1-D) were left out
            sizes, dtypes = [], []
            for t in tensors:  # (one plain loop: no comprehension frames)
                a = t._data
                s = a.shape
                sizes.append(None if legacy and s == (0,) else s[dim])  # None: left out
                dtypes.append(a.dtype)
            ctx.dim, ctx.sizes, ctx.dtypes = dim, sizes, dtypes
        b = tensors[0]._backend
        out = b.concat(arrays, dim) if native is None else b.concat_as(arrays, dim, native)
        if plain:  # (_relaid, with what cat() knew of the shapes): row-major, whatever NumPy chose
            return b.ascontiguousarray(out)
        if len(arrays) < len(tensors):  # a legacy empty tensor (1-D) left out: it counts in
            return row_major(b, out)     # the layout, and is not channels-last
        return cat_layout(b, out, arrays)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        out, start = [], 0
        for size, native, need in zip(ctx.sizes, ctx.dtypes, ctx.needs_input_grad):
            if size is None:  # a legacy empty tensor, left out of the join
                out.append(xp.zeros((0,), dtype=native, device=g.device) if need else None)
                continue
            if need:
                key = (slice(None),) * ctx.dim + (slice(start, start + size), Ellipsis)
                out.append(grad_as(xp, g[key], native))
            else:
                out.append(None)
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


def _not_a_tensor(tensors, item):
    """PyTorch's error (its argument parser's) for an element of ``tensors`` that is not a tensor."""
    return TypeError(f"expected Tensor as element {_position(tensors, item)} in argument 0, but got "
                     f"{type(item).__name__}")


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


def _cat_sorted(tensors, dim):
    """What ``cat()`` does when the devices differ, ``dim`` is out of range, the first
    tensor is 0-d or a legacy empty one, or the backend could not join the arrays (shapes
    that do not fit, a legacy empty tensor among others): PyTorch's errors, in its order,
    then the wrapped ``dim`` and the arrays to join (legacy empty tensors left out, unless
    all are such)."""
    dev = tensors[0]._device
    kept = []
    ref = rshape = None
    mixed = uneven = False
    for t in tensors:
        a = t._data
        s = a.shape
        if not s:
            raise RuntimeError(f"zero-dimensional tensor (at position {_position(tensors, t)}) cannot be "
                               "concatenated")
        if t._device is not dev:  # (one device object per device: nothing to compare)
            mixed = True
        if s == (0,):  # a legacy empty tensor: skipped
            continue
        kept.append(a)
        if rshape is None:
            ref, rshape = t, s
        elif s != rshape:
            uneven = True
    if mixed:
        _check_devices(tensors)
    if ref is None:  # only empty 1-D tensors: PyTorch does not even check ``dim``; all are kept
        return 0, [t._data for t in tensors]
    d = _wrap_dim(dim, len(rshape))
    if uneven:
        _check_shapes(tensors, ref, d)
    return d, kept


def _scan(tensors):
    """One pass over ``stack``'s inputs (``cat`` writes it out): returns the arrays,
    the first shape, the promoted dtype, whether some shape or device differs from the
    first one's (``odd``: sorted out by the caller) and whether some dtype differs (``cast``).

    Raises:
        TypeError: PyTorch's error for an element that is not a tensor.
    """
    arrays = []
    shape = dtype = dev = None
    odd = cast = False
    for t in tensors:
        if t.__class__ is not Tensor and not isinstance(t, Tensor):
            raise _not_a_tensor(tensors, t)
        a = t._data
        arrays.append(a)
        if dtype is None:  # the first tensor
            shape, dtype, dev = a.shape, t._dtype, t._device
        else:
            odd = odd or a.shape != shape or t._device is not dev  # (one device object per device)
            if t._dtype is not dtype:
                dtype, cast = D.promote_types(dtype, t._dtype), True
    return arrays, shape, dtype, odd, cast


def cat(tensors, dim=0, *, axis=NOT_GIVEN, out=None):
    """Concatenate tensors along an existing dimension ``dim``.

    All tensors must have the same number of dimensions and the same size in every
    dimension except ``dim``; the result's size along ``dim`` is the sum of theirs. Inputs
    of shape exactly ``(0,)`` are skipped whatever the shapes of the others (a legacy rule
    PyTorch keeps), but their dtype still takes part in the promotion. The result dtype is
    the promotion of the inputs' dtypes.
    Mirrors ``torch.cat`` (aliases ``torch.concat`` and ``torch.concatenate``).

    Args:
        tensors: a non-empty list or tuple of tensors.
        dim: the dimension to join along (default 0); negative values count from the end.

    Returns:
        Tensor: a new tensor (never a view of the inputs).

    Raises:
        TypeError: if ``tensors`` is not a list or tuple of tensors, or ``dim`` not an int.
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
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cat", cat, locals())
    if out is not None:
        return with_out("cat", out, cat, tensors, dim, axis=axis)
    if tensors.__class__ is not list and tensors.__class__ is not tuple and not isinstance(tensors, (list, tuple)):
        raise _not_a_tensor_list("cat", tensors)
    if axis is not NOT_GIVEN:  # NumPy's name, which PyTorch accepts
        dim = dim_from_axis("cat", dim, axis, 0)
    # :func:`_scan`, written out (a call less per ``cat``), without the shapes but the first
    # one's: the backend's join checks the others (below)
    arrays = []
    rshape = dtype = dev = None
    mixed = cast = False
    for t in tensors:
        if t.__class__ is not Tensor and not isinstance(t, Tensor):
            raise _not_a_tensor(tensors, t)
        a = t._data
        arrays.append(a)
        if dtype is None:  # the first tensor
            rshape, dtype, dev = a.shape, t._dtype, t._device
        else:
            if t._device is not dev:  # (one device object per device: nothing to compare)
                mixed = True
            if t._dtype is not dtype:
                dtype, cast = D.promote_types(dtype, t._dtype), True
    # PyTorch's order: the argument parser's errors (elements, then ``dim``), then the op's.
    if dim.__class__ is not int:
        dim = int_arg(dim, "cat", "dim", 2)
    if not arrays:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    native = tensors[0]._backend.dtype(dtype) if cast else None
    n = len(rshape)
    # One device, ``dim`` in range, the first tensor neither 0-d nor a legacy empty one (an
    # ``n`` of 0 fails the range test first): join. The backend's join fails where the
    # other shapes do not fit the first one's (outside ``dim``); then the checked path
    # below gives PyTorch's error, or the result if that came from a legacy empty tensor.
    if not mixed and -n <= dim < n and (n > 1 or rshape[0]):
        d = dim % n
        # plain: no size-1 dim in the result (none in the first shape, and its ``dim`` size
        # is not 0) and neither 4-d nor 5-d (see Cat)
        plain = 1 not in rshape and rshape[d] != 0 and not 3 < n < 6
        try:
            return Cat.apply(tensors, d, arrays, native, plain)
        except Exception:  # (a failed join has no effect: the checked path runs it again)
            pass
    d, arrays = _cat_sorted(tensors, dim)
    return Cat.apply(tensors, d, arrays, native, False)


concat = concatenate = cat


class Stack(Function):
    """``Stack.apply(tensors, dim, arrays, native)``: ``arrays`` are the inputs' arrays,
    ``dim`` the new dimension, wrapped, and ``native`` the result's native dtype when the
    arrays are not all of it (else None), as for :class:`Cat`.

    As PyTorch does, a new dim before the last one is a ``cat`` along that dim viewed with
    the dim split in two (the result is laid out as ``cat``'s), and a new last dim a ``cat``
    of the inputs with a size-1 dim (stride 1) added there."""

    name = "StackBackward0"
    create_graph = True
    arity = 1
    tensor_list = True
    can_warn = False  # only a cast can: concat_as casts quietly

    @staticmethod
    def forward(ctx, tensors, dim, arrays, native):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.dim = dim
            ctx.dtypes = list(map(_dtype_of, arrays))  # (the inputs' own: concat_as casts)
        b = tensors[0]._backend
        shape = arrays[0].shape
        if dim < len(shape):
            out = b.concat(arrays, dim) if native is None else b.concat_as(arrays, dim, native)
            if 3 < out.ndim < 6 or 1 in out.shape:  # (_relaid, written out)
                out = cat_layout(b, out, arrays)
                new = shape[:dim] + (len(arrays),) + shape[dim:]
                return b.as_strided(out, new, compute_stride(tuple(out.shape), b.strides(out), new))
            # row-major (a copy if NumPy chose another layout) has PyTorch's strides, and so
            # has any view of it
            return b.reshape_rows(b.ascontiguousarray(out), shape[:dim] + (len(arrays),) + shape[dim:])
        views = [a[_NEW_LAST] for a in arrays]
        out = b.concat(views, dim) if native is None else b.concat_as(views, dim, native)
        if 3 < out.ndim < 6:  # channels-last (3-d) when all the inputs, unsqueezed, suggest it
            views = [b.as_strided(a, tuple(a.shape) + (1,), b.strides(a) + (1,)) for a in arrays]
            return cat_layout(b, out, views)
        return _relaid(b, out, arrays)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        out = []
        for i, (native, need) in enumerate(zip(ctx.dtypes, ctx.needs_input_grad)):
            key = (slice(None),) * ctx.dim + (i, Ellipsis)
            out.append(grad_as(xp, g[key], native) if need else None)
        return tuple(out)


_NEW_LAST = (Ellipsis, None)  # the index that adds a size-1 last dim (a view)
_dtype_of = attrgetter("dtype")  # for map(): no Python frame per array


def stack(tensors, dim=0, *, axis=NOT_GIVEN, out=None):
    """Join tensors of identical shape along a *new* dimension ``dim``.

    The result has one more dimension than the inputs; ``dim`` ranges over
    ``[-(n + 1), n]`` for inputs with ``n`` dimensions. The result dtype is the promotion
    of the inputs' dtypes. Mirrors ``torch.stack``.

    Args:
        tensors: a non-empty list or tuple of tensors of one shape.
        dim: the position of the new dimension (default 0); negative values count from the
            end of the result.

    Returns:
        Tensor: a new tensor (never a view of the inputs).

    Raises:
        TypeError: if ``tensors`` is not a list or tuple of tensors, or ``dim`` not an int.
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
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("stack", stack, locals())
    if out is not None:
        return with_out("stack", out, stack, tensors, dim, axis=axis)
    if tensors.__class__ is not list and tensors.__class__ is not tuple and not isinstance(tensors, (list, tuple)):
        raise _not_a_tensor_list("stack", tensors)
    if axis is not NOT_GIVEN:  # NumPy's name, which PyTorch accepts
        dim = dim_from_axis("stack", dim, axis, 0)
    arrays, shape, dtype, odd, cast = _scan(tensors)
    # PyTorch's order: the argument parser's errors, the empty list, ``dim``, the shapes, the devices.
    if dim.__class__ is not int:
        dim = int_arg(dim, "stack", "dim", 2)
    if not arrays:
        raise RuntimeError("stack expects a non-empty TensorList")
    n = len(shape) + 1
    d = dim % n if -n <= dim < n else _wrap_dim(dim, n)  # (the in-range test without a call)
    if odd:
        for i, a in enumerate(arrays):
            if a.shape != shape:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"[{', '.join(map(str, shape))}] at entry 0 and "
                                   f"[{', '.join(map(str, a.shape))}] at entry {i}")
        _check_devices(tensors)
    return Stack.apply(tensors, d, arrays, tensors[0]._backend.dtype(dtype) if cast else None)


def _at_least(fn, tensors, nd):
    """``tensors`` (PyTorch's errors for ``fn`` if they are not a non-empty list or tuple of
    tensors), the ones with fewer than ``nd`` dims made ``nd``-dim as ``atleast_1d`` /
    ``atleast_2d`` do (0-d: ``reshape``; 1-D: ``unsqueeze(0)``). The same list when none is."""
    if tensors.__class__ is not list and tensors.__class__ is not tuple and not isinstance(tensors, (list, tuple)):
        raise _not_a_tensor_list(fn, tensors)
    out = None
    for i, t in enumerate(tensors):
        if t.__class__ is not Tensor and not isinstance(t, Tensor):
            raise _not_a_tensor(tensors, t)
        if t._data.ndim < nd:
            if out is None:
                out = list(tensors)
            out[i] = t.reshape((1,) * nd) if not t._data.ndim else unsqueeze(t, 0)
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return tensors if out is None else out


def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-D inputs), 0-d inputs taken as 1-D.
    Mirrors ``torch.hstack``.

    Raises:
        TypeError: if ``tensors`` is not a list or tuple of tensors.
        RuntimeError: if it is empty, or as ``cat`` does.

    Examples:
        >>> import reftorch as torch
        >>> torch.hstack([torch.tensor([1, 2]), torch.tensor([3])])
        tensor([1, 2, 3])
    """
    tensors = _at_least("hstack", tensors, 1)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Concatenate along dim 0 after making 0-D and 1-D inputs rows (``atleast_2d``).
    Mirrors ``torch.vstack``.

    Raises:
        TypeError: if ``tensors`` is not a list or tuple of tensors.
        RuntimeError: if it is empty, or as ``cat`` does.

    Examples:
        >>> import reftorch as torch
        >>> torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return cat(_at_least("vstack", tensors, 2), 0)


def row_stack(tensors):
    """An alias of :func:`vstack`. Mirrors ``torch.row_stack``.

    Examples:
        >>> import reftorch as torch
        >>> torch.row_stack((torch.tensor([1, 2]), torch.tensor([3, 4])))
        tensor([[1, 2],
                [3, 4]])
    """
    if not isinstance(tensors, (list, tuple)):
        raise _not_a_tensor_list("row_stack", tensors)
    return vstack(tensors)
