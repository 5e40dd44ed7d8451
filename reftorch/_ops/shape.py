"""Shape and memory-layout operations: ``view``, ``reshape``, ``squeeze``, ``permute`` …

The view ops return tensors that share memory with their input (``is_view = True``).
Whether ``view`` is possible is decided with PyTorch's own stride rule
(``computeStride`` in ``aten/src/ATen/TensorUtils.cpp``), so reftorch refuses exactly the
views PyTorch refuses.
"""
from __future__ import annotations

import math

from .. import _dtype as D

from .._layout import copy_with_strides, preserve_strides
from .._layout import dense_order as _dense_order, relayout_like_operands  # noqa: F401 (re-exported)
from .._layout import broadcast_shape, row_major, sum_to_shape
from .._memory_format import check_memory_format, contiguous_format, format_strides, keep_empty_strides, preserve_format
from .._size import Size
from .._tensor import Tensor, _as_shape, _wrap_dim, int_arg, tensor_string
from ..autograd.function import OpFunction as Function
from ._common import tensor_input
from ._numpy_names import NOT_GIVEN, dim_from_axis, required_dim
from .. import _autocast
from .._autocast import anywhere as _autocasting

_VIEW_ERR = ("view size is not compatible with input tensor's size and stride (at least one dimension "
             "spans across two contiguous subspaces). Use .reshape(...) instead.")


def infer_size(shape, numel, fn=None, name="size"):
    """``shape`` (ints, or one tuple, list or ``Size``) as a tuple of ints with its one
    ``-1`` resolved against ``numel`` (PyTorch's ``infer_size``). Plain ints and one ``-1``
    take one loop (per-call overhead: ``x.view(-1)`` and ``x.view(n, -1)`` are common).
    ``fn`` and ``name`` (``"view"``, ``"size"``) only word the TypeError.

    Raises:
        RuntimeError: PyTorch's errors for more than one ``-1``, a negative size, or sizes
            that do not give ``numel`` elements (see :func:`_shape_error`).
        TypeError: for a size that is not an int (PyTorch's argument parser).
    """
    n = 1
    infer = False
    for s in shape:
        if s.__class__ is not int:  # one tuple, or an int-like object (a 0-d tensor, a NumPy int)
            if len(shape) == 1 and isinstance(s, (tuple, list)):
                return infer_size(s, numel)
            return infer_size(tuple([int(v) for v in _as_shape(shape, fn, name)]), numel)
        if s < 0:
            if s != -1 or infer:
                _shape_error(shape, numel)
            infer = True
        else:
            n *= s
    if infer:
        if n == 0 or numel % n:
            _shape_error(shape, numel)
        shape = list(shape)
        shape[shape.index(-1)] = numel // n
        return tuple(shape)
    if n != numel:
        _shape_error(shape, numel)
    return shape if shape.__class__ is tuple else tuple(shape)


def _shape_error(shape, numel):
    """Raise PyTorch's error for the int sizes ``shape`` that :func:`infer_size` rejects."""
    text = ", ".join(map(str, shape))
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape [{text}]")
    if infer is not None and known == 0 and numel == 0:
        raise RuntimeError(f"cannot reshape tensor of 0 elements into shape [{text}] because the unspecified "
                           "dimension size -1 can be any value and is ambiguous")
    raise RuntimeError(f"shape '[{text}]' is invalid for input of size {numel}")


def compute_stride(oldshape, oldstride, newshape):
    """The strides a view of shape ``newshape`` needs, or ``None`` if no view is possible.

    A transcription of ATen's ``computeStride``: the old shape is cut into chunks of
    dimensions that are contiguous with each other, and every new dimension must fit inside
    one chunk.
    """
    if not oldshape:
        return (1,) * len(newshape)
    numel = math.prod(oldshape)
    if numel == 0 and tuple(oldshape) == tuple(newshape):
        return tuple(oldstride)
    newstride = [0] * len(newshape)
    if numel == 0:
        for d in range(len(newshape) - 1, -1, -1):
            newstride[d] = 1 if d == len(newshape) - 1 else max(newshape[d + 1], 1) * newstride[d + 1]
        return tuple(newstride)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1 and
                             oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


# A "plain contiguous" array: row-major with no size-1 dim (whose stride could be anything)
# and no empty dim. Its strides are PyTorch's, and NumPy's view of it to any shape gets
# PyTorch's row-major strides (what compute_stride returns for a contiguous input). The test,
# ``b.is_c_contiguous(data) and 1 not in shape and 0 not in shape``, is written out where it
# is used (view, reshape, Unsqueeze): it runs once per call.


def _restride(x, shape, strides):
    """A view of ``x`` with ``shape`` and PyTorch's ``strides`` (from :func:`compute_stride`);
    ``strides=None`` for a plain contiguous input."""
    b = x._backend
    if strides is None:
        return b.reshape_view(x._data, shape)
    try:
        out = b.reshape_view(x._data, shape)
    except (ValueError, AttributeError):  # NumPy cannot express it as a reshape
        return b.as_strided(x._data, shape, strides)
    # NumPy may pick other strides for size-1 (or empty) dims; report PyTorch's.
    return out if b.strides(out) == strides else b.as_strided(x._data, shape, strides)


# ------------------------------------------------------------------ Functions
class View(Function):
    """``View.apply(x, shape, strides)``: ``strides`` from :func:`compute_stride`, or None
    for a plain contiguous input (see above)."""

    name = "ViewBackward0"
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, shape, strides):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.in_shape = x._data.shape
        if strides is None:
            return x._backend.reshape_rows(x._data, shape)
        return _restride(x, shape, strides)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.reshape(g, ctx.in_shape)


class UnsafeView(Function):
    """The last step of ``reshape`` when no view is possible: PyTorch copies the input
    (``CloneBackward0``) and reinterprets the fresh copy (``UnsafeViewBackward0``), which
    is not recorded as a view of it."""

    name = "UnsafeViewBackward0"
    create_graph = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, shape):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.in_shape = x._data.shape
        return x._backend.reshape_view(x._data, shape)  # x is a fresh row-major copy

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.reshape(g, ctx.in_shape)


class Squeeze(Function):
    name = "SqueezeBackward0"
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, axes):
        data = x._data
        if ctx.needs_input_grad:
            ctx.in_shape = data.shape
        return x._backend.squeeze(data, axes) if axes else x._backend.reshape_view(data, data.shape)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.reshape(g, ctx.in_shape)


class Unsqueeze(Function):
    name = "UnsqueezeBackward0"
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, dim):
        if ctx.needs_input_grad:
            ctx.dim = dim
        b = x._backend
        data = x._data
        shp = data.shape
        if b.is_c_contiguous(data) and 1 not in shp and 0 not in shp:  # plain contiguous: NumPy's
            return b.reshape_rows(data, shp[:dim] + (1,) + shp[dim:])  # row-major strides are PyTorch's
        out = b.xp.expand_dims(data, axis=dim)
        # PyTorch's stride for the new dim: size * stride of the dim it goes before.
        shp, st = x._data.shape, b.strides(x._data)
        new = st[:dim] + ((shp[dim] * st[dim]) if dim < len(shp) else 1,) + st[dim:]
        if b.strides(out) != new:
            out = b.as_strided(x._data, out.shape, new)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.squeeze(g, axis=ctx.dim)


class Permute(Function):
    name = "PermuteBackward0"
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, dims):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.dims = dims
        return x._backend.permute(x._data, dims)

    @classmethod
    def backward(cls, ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        if isinstance(g, Tensor):  # create_graph: the same kind of node, as PyTorch records it
            return cls.apply(g, dims=tuple(inv))
        return ctx.xp.permute_dims(g, tuple(inv))


class Transpose(Permute):
    """``transpose``: a permutation swapping two dims (its gradient is a transpose again)."""

    name = "TransposeBackward0"


class MatrixT(Permute):
    """``t()`` (its gradient is a ``t()`` again)."""

    name = "TBackward0"


class Expand(Function):
    name = "ExpandBackward0"
    create_graph = True
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, x, shape):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.in_shape = x._data.shape
        b = x._backend
        # a writeable view with PyTorch's strides (NumPy's broadcast_to is read-only)
        return b.as_strided(x._data, shape, _expand_strides(x._data.shape, b.strides(x._data), shape))

    @staticmethod
    def backward(ctx, g):
        return sum_to_shape(ctx.xp, g, ctx.in_shape)


def _expand_strides(shape, strides, sizes):
    """PyTorch's strides for ``expand`` (ATen ``inferExpandGeometry``)."""
    n, nd = len(sizes), len(shape)
    out = [0] * n
    if nd == 0:
        return tuple(out)  # a 0-dim tensor expands with stride 0 everywhere
    for i in range(n - 1, -1, -1):
        d = nd - n + i
        if d >= 0:
            size, st = shape[d], strides[d]
        else:
            size, st = 1, (1 if i == n - 1 else sizes[i + 1] * out[i + 1])
        if size != sizes[i]:
            st = 0
        out[i] = st
    return tuple(out)


class Clone(Function):
    """A copy. ``contiguous=True`` gives a row-major copy (``contiguous()``), ``strides``
    one with those (dense) strides; otherwise the layout of a dense input is kept, as
    ``torch.clone`` (``preserve_format``) does."""

    name = "CloneBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, contiguous=False, strides=None):
        b = x._backend
        arr = x._data
        if strides is not None:  # (a memory format's strides, see clone)
            return copy_with_strides(b, arr, strides)
        if contiguous or (b.is_c_contiguous(arr) and 1 not in arr.shape) or not arr.ndim:
            return b.copy(arr)  # row-major
        # PyTorch's preserve_format: the same strides for a dense input, else a dense copy
        # with the dims in the same memory order.
        return copy_with_strides(b, arr, preserve_strides(tuple(arr.shape), b.strides(arr)))

    @staticmethod
    def backward(ctx, g):
        return g


class Repeat(Function):
    name = "RepeatBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, sizes):
        xp = x._backend.xp
        shp = (1,) * (len(sizes) - x._data.ndim) + tuple(x._data.shape)
        ctx.in_shape, ctx.shp, ctx.sizes = x._data.shape, shp, sizes
        return row_major(x._backend, xp.tile(xp.reshape(x._data, shp), sizes))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        inter = []
        for r, n in zip(ctx.sizes, ctx.shp):
            inter += [r, n]
        g = xp.sum(xp.reshape(g, tuple(inter)), axis=tuple(range(0, 2 * len(ctx.sizes), 2)))
        return g if tuple(g.shape) == tuple(ctx.in_shape) else xp.reshape(g, ctx.in_shape)


def repeat(input, *sizes):
    """Tile ``input``: dimension ``i`` is repeated ``sizes[i]`` times (new leading
    dimensions are added when ``sizes`` is longer than ``input.dim()``). A copy.

    Mirrors ``torch.Tensor.repeat``.

    Raises:
        RuntimeError: if fewer sizes than dimensions are given, or a size is negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    sizes = _as_shape(sizes, "repeat", "repeats")
    if len(sizes) < input.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    if any(r < 0 for r in sizes):  # PyTorch reports the first negative size of the result
        shp = (1,) * (len(sizes) - input.dim()) + tuple(input.shape)
        out = [n * r for n, r in zip(shp, sizes)]
        bad = next((n for n in out if n < 0), None)
        if bad is not None:
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                               f"[{', '.join(map(str, out))}]")
        sizes = tuple(max(r, 0) for r in sizes)  # (a negative repeat of an empty dim: still empty)
    return Repeat.apply(input, sizes=sizes)


class Alias(Function):
    name = "AliasBackward0"
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x):
        return x._backend.reshape_view(x._data, x._data.shape)

    @staticmethod
    def backward(ctx, g):
        return g


# ------------------------------------------------------------------ public functions
def _view_dtype(input, dtype):
    """``x.view(dtype)``: the same memory read as another dtype (not differentiable: the
    result never requires grad). Elements of another size change the last dimension, with
    PyTorch's conditions and errors."""
    b = input._backend
    old, new = input.dtype.itemsize, dtype.itemsize
    if old != new:
        what = f"to view {D.scalar_name(input.dtype)} as {D.scalar_name(dtype)} (different element sizes)"
        if input.dim() == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        strides = input.stride()
        if old > new:
            if strides[-1] != 1:
                raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        else:
            ratio = new // old
            if input.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got {input.shape[-1]}")
            root = input._base if input._base is not None else input
            offset = (b.data_ptr(input._data) - b.data_ptr(root._data)) // old
            if offset % ratio:
                raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}")
            if strides[-1] != 1:
                raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
            for i, st in enumerate(strides[:-1]):
                if st % ratio:
                    raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} {what}, but got {st}")
    result = object.__new__(Tensor)  # a view outside the graph (it never requires grad)
    result._init_from(b.view_dtype(input._data, b.dtype(dtype)), input._device, b, False, input)
    return result


def _view_keywords(shape, size, dtype):
    """``view(size=...)`` / ``view(dtype=...)`` as one positional argument; PyTorch's
    TypeError for a mix, or for no argument at all (``Tensor.view()``; shape ``()`` is
    ``view(())``)."""
    given = {k: v for k, v in (("size", size), ("dtype", dtype)) if v is not None}
    if not shape and list(given) == ["size"] and isinstance(size, (tuple, list, Size)):
        return (size,)
    if not shape and list(given) == ["dtype"]:
        return (dtype,)
    got = ", ".join([type(a).__name__ for a in shape] + [f"{k}={type(v).__name__}" for k, v in given.items()])
    raise TypeError(f"view() received an invalid combination of arguments - got ({got}), but expected one "
                    "of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")


def view(input, *shape, size=None, dtype=None):
    """A tensor with the same data and a new shape, sharing memory with ``input``.

    One dimension may be ``-1``: it is inferred from the number of elements. The view is
    possible only when every new dimension can be expressed with ``input``'s strides, which
    is always true for contiguous tensors. ``view(dtype)`` instead reads the same bytes as
    another dtype (the last dimension scales by the ratio of the item sizes).

    Mirrors ``torch.Tensor.view``.

    Args:
        input: the tensor to view.
        *shape: the new shape, as ints or one tuple/list/``torch.Size``; or one ``dtype``.

    Returns:
        Tensor: a view of ``input``'s memory; with a shape, ``numel()`` equals
        ``input.numel()``.

    Raises:
        RuntimeError: if the sizes do not multiply to ``input.numel()``, if more than one
            dimension is ``-1``, or if the strides do not allow a view (for example after
            ``t()``): "view size is not compatible with input tensor's size and stride …".
        TypeError: for arguments that are neither ints nor one shape or dtype.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6)
        >>> x.view(2, 3)
        tensor([[0, 1, 2],
                [3, 4, 5]])
        >>> x.view(-1, 2).shape
        torch.Size([3, 2])
    """
    if size is not None or dtype is not None or not shape:  # the keyword forms, or no argument
        shape = _view_keywords(shape, size, dtype)
    if len(shape) == 1 and shape[0].__class__ is not int and isinstance(shape[0], D.dtype):
        return _view_dtype(input, shape[0])
    data = input._data
    old = data.shape
    new = infer_size(shape, data.size, "view")
    if input._backend.is_c_contiguous(data) and 1 not in old and 0 not in old:
        return View.apply(input, new, None)  # plain contiguous: no stride() or compute_stride
    strides = compute_stride(old, input.stride(), new)
    if strides is None:
        raise RuntimeError(_VIEW_ERR)
    return View.apply(input, new, strides)


@tensor_input
def reshape(input, shape):
    """A tensor with the same data and a new shape: a view when possible, else a copy.

    Mirrors ``torch.reshape``. Whether the result shares memory with ``input`` depends on
    ``input``'s strides (it does exactly when :func:`view` would succeed), so do not rely
    on either behaviour.

    Raises:
        RuntimeError: if the sizes do not multiply to ``input.numel()`` or more than one
            dimension is ``-1``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6).view(2, 3)
        >>> x.t().reshape(6)
        tensor([0, 3, 1, 4, 2, 5])
    """
    data = input._data
    old = data.shape
    new = infer_size(shape, data.size, "reshape", "shape")
    if input._backend.is_c_contiguous(data) and 1 not in old and 0 not in old:
        return View.apply(input, new, None)  # plain contiguous: a view, as in view()
    strides = compute_stride(old, input.stride(), new)
    if strides is not None:
        # PyTorch: a contiguous input is view()ed, a strided one goes through _reshape_alias.
        return View.apply(input, new, strides, _name=None if input.is_contiguous() else "ReshapeAliasBackward0")
    return UnsafeView.apply(Clone.apply(input, contiguous=True), new)


@tensor_input
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim`` … ``end_dim`` into one (via :func:`reshape`).

    Mirrors ``torch.flatten``. A 0-dim tensor becomes shape ``(1,)``; when
    ``start_dim == end_dim`` the input itself is returned.

    Raises:
        IndexError: if a dim is out of range.
        RuntimeError: if ``start_dim`` comes after ``end_dim``.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(2, 3, 4).flatten(1).shape
        torch.Size([2, 12])
    """
    nd = input.dim()
    start_dim = int_arg(start_dim, "flatten", "start_dim", 1)
    end_dim = int_arg(end_dim, "flatten", "end_dim", 2)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if nd == 0:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (math.prod(shp[s:e + 1]),) + shp[e + 1:])


@tensor_input
def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (one entry may be -1). Mirrors ``torch.unflatten``."""
    if not len(sizes):
        raise RuntimeError("unflatten: sizes must be non-empty")
    d = _wrap_dim(dim, input.dim())
    if input.dim() == 0:  # (PyTorch wraps the dim, then fails on the 0-dim tensor's size)
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {d} but tensor has no "
                           "dimensions")
    shp = input.shape
    sizes = infer_size(tuple(sizes), shp[d])
    return view(input, shp[:d] + sizes + shp[d + 1:])


def squeeze_axis(dim, axis):
    """``dim`` of ``squeeze`` called with ``axis`` (see :mod:`._numpy_names`)."""
    if axis is None:  # (PyTorch's two forms of squeeze take an int or a tuple under this name)
        raise TypeError("squeeze() received an invalid combination of arguments - got (axis=NoneType, ), "
                        "but expected one of:\n * (Tensor input)\n * (Tensor input, int dim)\n"
                        " * (Tensor input, tuple of ints dim)\n")
    return dim_from_axis("squeeze", dim, axis, NOT_GIVEN)


@tensor_input
def squeeze(input, dim=NOT_GIVEN, *, axis=NOT_GIVEN):
    """Remove dimensions of size 1.

    With no ``dim`` every size-1 dimension goes; with an int or a tuple of ints only those
    dimensions go, and a listed dimension whose size is not 1 is left alone (no error).
    The result shares memory with ``input``. Mirrors ``torch.squeeze``.

    Args:
        input: the tensor.
        dim: an int or a tuple of ints (negative values count from the end); not given:
            every size-1 dimension.

    Raises:
        IndexError: if a dim is out of range.
        RuntimeError: if a dim appears twice in the tuple.
        TypeError: for ``dim=None``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 1, 3, 1)
        >>> x.squeeze().shape
        torch.Size([2, 3])
        >>> x.squeeze(1).shape
        torch.Size([2, 3, 1])
        >>> x.squeeze(0).shape
        torch.Size([2, 1, 3, 1])
        >>> x.squeeze((1, -1)).shape
        torch.Size([2, 3])
    """
    if axis is not NOT_GIVEN:
        dim = squeeze_axis(dim, axis)
    shp = input._data.shape
    nd = len(shp)
    if dim is NOT_GIVEN:
        axes = tuple(i for i, s in enumerate(shp) if s == 1)
        name = "SqueezeBackward0"
    elif dim is None:  # (no overload of PyTorch's takes it)
        raise TypeError("squeeze() received an invalid combination of arguments - got (NoneType)")
    elif dim.__class__ is not int and isinstance(dim, (tuple, list)):
        wrapped = []
        for d in dim:
            w = _wrap_dim(d, nd)
            if w in wrapped:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            wrapped.append(w)
        axes = tuple(sorted(d for d in wrapped if nd and shp[d] == 1))
        name = "SqueezeBackward2"
    else:
        d = dim if dim.__class__ is int and 0 <= dim < nd else _wrap_dim(dim, nd)  # (in range: no call)
        axes = (d,) if nd and shp[d] == 1 else ()
        name = "SqueezeBackward1"
    return Squeeze.apply(input, axes, _name=name)


@tensor_input
def unsqueeze(input, dim=NOT_GIVEN, *, axis=NOT_GIVEN):
    """Insert a dimension of size 1 at position ``dim``.

    ``dim`` ranges over ``[-input.dim() - 1, input.dim()]``; a negative ``dim`` counts from
    the end of the *result*. The result shares memory with ``input``. Mirrors
    ``torch.unsqueeze``.

    Raises:
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1, 2, 3])
        >>> x.unsqueeze(0).shape, x.unsqueeze(-1).shape
        (torch.Size([1, 3]), torch.Size([3, 1]))
    """
    if dim is NOT_GIVEN or axis is not NOT_GIVEN:
        dim = required_dim("unsqueeze", dim, axis)
    n = len(input._data.shape) + 1
    if dim.__class__ is int and 0 <= dim < n:  # in range already (per-call overhead: no _wrap_dim)
        return Unsqueeze.apply(input, dim)
    return Unsqueeze.apply(input, _wrap_dim(dim if dim.__class__ is int else int_arg(dim, "unsqueeze", "dim", 1), n))


@tensor_input(name="permute")
def torch_permute(input, dims):
    """Reorder the dimensions: result dim ``i`` is input dim ``dims[i]``. A view.

    Mirrors ``torch.permute(input, dims)`` (a tuple or list; the method
    ``Tensor.permute`` also takes the dims one by one).

    Raises:
        TypeError: if ``dims`` is a bare int (the function wants a tuple or list).
        RuntimeError: if ``dims`` does not have one entry per dimension or repeats a dim.
        IndexError: if a dim is out of range.
    """
    if isinstance(dims, int):
        raise TypeError("permute(): argument 'dims' (position 2) must be tuple of ints, not int")
    return permute(input, dims)


def permute(input, *dims):
    """:func:`torch_permute` (``torch.permute``) taking the dims one by one or as one
    tuple: the form ``Tensor.permute`` and reftorch's own ops use."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _as_shape(dims, "permute", "dims")
    nd = input.dim()
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
                           f"equal to len(dims) = {len(dims)}")
    w = dims if dims.__class__ is tuple else tuple(dims)
    for d in dims:  # (dims already in range: the tuple itself)
        if d.__class__ is not int or not 0 <= d < nd:
            w = tuple([_wrap_dim(d, nd) for d in dims])
            break
    if len(set(w)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, w)


@tensor_input
def transpose(input, dim0, dim1):
    """Swap two dimensions. A view that is usually not contiguous.

    Mirrors ``torch.transpose``.

    Raises:
        IndexError: if a dim is out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 3, 4)
        >>> x.transpose(0, -1).shape
        torch.Size([4, 3, 2])
    """
    nd = input.dim()
    a = _wrap_dim(int_arg(dim0, "transpose", "dim0", 1), nd)
    b = _wrap_dim(int_arg(dim1, "transpose", "dim1", 2), nd)
    dims = list(range(nd))
    if nd:
        dims[a], dims[b] = dims[b], dims[a]
    return Transpose.apply(input, dims=tuple(dims))


swapaxes = swapdims = transpose


@tensor_input
def t(input):
    """Transpose a tensor of at most 2 dimensions (0-D and 1-D tensors come back as views
    of themselves). Mirrors ``torch.t``.

    Raises:
        RuntimeError: for tensors with more than 2 dimensions.
    """
    nd = len(input._data.shape)
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return MatrixT.apply(input, (1, 0) if nd == 2 else tuple(range(nd)))


def _dim_list(dims):
    return f"[{', '.join(map(str, dims))}]"


@tensor_input
def movedim(input, source, destination):
    """Move dimension(s) ``source`` to position(s) ``destination``. Mirrors ``torch.movedim``."""
    nd = input.dim()
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({_dim_list(src)} dims) should "
                           f"contain the same number of dims as destination ({_dim_list(dst)} dims)")
    given = src, dst
    src = [_wrap_dim(s, nd) for s in src]
    dst = [_wrap_dim(d, nd) for d in dst]
    for name, wrapped, orig in (("source", src, given[0]), ("destination", dst, given[1])):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({_dim_list(orig)})")
    if nd == 0:  # a 0-dim tensor has nothing to move: PyTorch returns an alias
        return Alias.apply(input)
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, dims=tuple(order), _name="PermuteBackward0")


def expand(input, *sizes):
    """Broadcast size-1 dimensions to larger sizes without copying (stride 0).

    ``-1`` keeps a dimension's size; new leading dimensions may be added. Mirrors
    ``torch.Tensor.expand``.

    Raises:
        RuntimeError: if a non-singleton dimension would change size.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1], [2]]).expand(2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _as_shape(sizes, "expand")
    shp = input._data.shape
    nd = len(shp)
    if len(sizes) < nd:
        tname = tensor_string(input)
        raise RuntimeError(f"expand({tname}{{[{', '.join(map(str, shp))}]}}, size=[{', '.join(map(str, sizes))}]): "
                           "the number of sizes provided (%d) must be greater or equal to the number of "
                           "dimensions in the tensor (%d)" % (len(sizes), nd))
    out = list(sizes)
    lead = len(sizes) - nd
    for i in range(len(sizes) - 1, -1, -1):  # PyTorch checks from the last dim
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            continue
        old = shp[i - lead]
        if s == -1:
            out[i] = old
        elif old != s and old != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                               f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                               f"Tensor sizes: [{', '.join(map(str, shp))}]")
    return Expand.apply(input, shape=tuple(out))


def contiguous(input, *, memory_format=contiguous_format):
    """``input`` itself if it is contiguous in ``memory_format``, else a copy laid out so
    (grad_fn ``CloneBackward0``). Mirrors ``torch.Tensor.contiguous``.

    Args:
        memory_format: ``torch.contiguous_format`` (row-major, the default),
            ``torch.channels_last`` (a 4-d tensor) or ``torch.channels_last_3d`` (5-d).

    Raises:
        TypeError: if ``memory_format`` is not a ``torch.memory_format`` (``None`` too).
        RuntimeError: for a channels-last format on a tensor of another rank ("required
            rank 4 tensor to use channels_last format"), or ``torch.preserve_format`` on a
            tensor that is not contiguous.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 3, 4, 5)
        >>> x.contiguous(memory_format=torch.channels_last).stride()
        (60, 1, 15, 3)
        >>> x.contiguous() is x
        True
    """
    if memory_format is contiguous_format:
        if input.is_contiguous():
            return input
        return Clone.apply(input, contiguous=True)
    fmt = check_memory_format(memory_format, "contiguous")
    if input.is_contiguous(memory_format=fmt):
        return input
    if fmt is preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return _clone_as(input, fmt)


@tensor_input
def clone(input, *, memory_format=preserve_format):
    """A copy of ``input`` that is recorded by autograd (grad_fn ``CloneBackward0``).
    Mirrors ``torch.clone``.

    Args:
        memory_format: ``torch.preserve_format`` (the default, also for ``None``): the
            strides of a dense (non-overlapping) ``input``, else dense strides in
            ``input``'s order of dims; ``torch.contiguous_format``, ``torch.channels_last``
            (4-d ``input``) or ``torch.channels_last_3d`` (5-d): that layout.

    Raises:
        TypeError: if ``memory_format`` is not a ``torch.memory_format`` or ``None``.
        RuntimeError: for a channels-last format on a tensor of another rank.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 3, 4, 5)
        >>> x.clone(memory_format=torch.channels_last).stride()
        (60, 1, 15, 3)
        >>> x.permute(0, 2, 3, 1).clone().stride()
        (60, 5, 1, 20)
    """
    fmt = check_memory_format(memory_format, "clone", preserve_format)
    if fmt is preserve_format:
        out = Clone.apply(input)
        if 0 in input._data.shape:  # (an empty result keeps the input's strides, as in PyTorch)
            keep_empty_strides(out, preserve_strides(tuple(input._data.shape), input.stride()))
        return out
    return _clone_as(input, fmt)


def _clone_as(input, fmt):
    """A copy of ``input`` laid out in the memory format ``fmt`` (not ``preserve_format``)."""
    strides = format_strides(input._data.shape, fmt)
    return keep_empty_strides(Clone.apply(input, strides=strides), strides)


# ----------------------------------------------------------------- tile, broadcasting


@tensor_input
def tile(input, dims):
    """Repeat ``input`` along each dimension ``dims[i]`` times (a copy).

    When ``dims`` has fewer entries than ``input`` has dimensions, ones are prepended to
    it (``tile(x, (2,))`` on a 2-d ``x`` repeats the last dimension); when it has more,
    ``input`` gets new leading dimensions. Mirrors ``torch.tile`` /
    ``torch.Tensor.tile``; it is :meth:`~reftorch.Tensor.repeat` after that padding, so the
    ``grad_fn`` is ``RepeatBackward0``.

    Args:
        input: a tensor of any shape and dtype.
        dims: a tuple (or list) of non-negative ints.

    Returns:
        A new tensor of the same dtype, with size ``input.size(i) * dims[i]`` along each
        (padded) dimension.

    Raises:
        TypeError: if ``dims`` is not a tuple or list of ints.
        RuntimeError: if an entry of ``dims`` is negative.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 2], [3, 4]])
        >>> torch.tile(x, (2,))
        tensor([[1, 2, 1, 2],
                [3, 4, 3, 4]])
        >>> x.tile(2, 1).shape
        torch.Size([4, 2])
    """
    if isinstance(dims, bool) or not isinstance(dims, (tuple, list, Size)):
        raise TypeError(f"tile(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    dims = _as_shape((tuple(dims),), "tile", "dims") if dims else ()
    pad = input.dim() - len(dims)
    return repeat(input, (1,) * pad + tuple(dims)) if pad > 0 else repeat(input, tuple(dims))


@tensor_input
def broadcast_to(input, size):
    """``input`` broadcast to ``size``, as a view (stride 0 along broadcast dimensions).

    Mirrors ``torch.broadcast_to`` / ``torch.Tensor.broadcast_to``, which is
    :meth:`~reftorch.Tensor.expand`: ``-1`` keeps a dimension's size, new leading
    dimensions may be added, and the ``grad_fn`` is ``ExpandBackward0``.

    Args:
        input: a tensor.
        size: the target shape, a tuple, list or ``torch.Size`` of ints.

    Returns:
        A view of ``input`` with shape ``size`` and ``input``'s dtype.

    Raises:
        TypeError: if ``size`` is not a sequence of ints.
        RuntimeError: if a non-singleton dimension of ``input`` differs from ``size``.

    Examples:
        >>> import reftorch as torch
        >>> torch.broadcast_to(torch.tensor([1, 2, 3]), (2, 3))
        tensor([[1, 2, 3],
                [1, 2, 3]])
    """
    if isinstance(size, bool) or not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"broadcast_to(): argument 'size' (position 2) must be tuple of ints, "
                        f"not {type(size).__name__}")
    return expand(input, _as_shape((tuple(size),), "broadcast_to", "size") if size else ())


def _shape_arg(s):
    if isinstance(s, int) and not isinstance(s, bool):
        return (s,)
    if isinstance(s, (tuple, list, Size)) and all(isinstance(n, int) and not isinstance(n, bool) for n in s):
        return tuple(s)
    raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {s}")


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to, computed without tensors.

    Mirrors ``torch.broadcast_shapes``.

    Args:
        *shapes: shapes (tuples, lists or ``torch.Size``) or single ints.

    Returns:
        A ``torch.Size`` (empty when no shape is given).

    Raises:
        RuntimeError: if the shapes do not broadcast, or an argument is not an int or a
            sequence of ints.
        ValueError: if a size is negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.broadcast_shapes((2, 1), (3,))
        torch.Size([2, 3])
    """
    shapes = [_shape_arg(s) for s in shapes]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for i, s in enumerate(shapes):
        for j in range(-1, -len(s) - 1, -1):
            if s[j] < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if s[j] == 1 or s[j] == out[j]:
                continue
            if out[j] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[j]} at {j}! Mismatching "
                                   f"argument at index {i} had {s}; but expected shape should be broadcastable "
                                   f"to {out}")
            out[j] = s[j]
    return Size(out)


def broadcast_tensors(*tensors):
    """Expand the given tensors to their common broadcast shape (views, no copies).

    Mirrors ``torch.broadcast_tensors``: a tensor already of that shape is returned as
    a view of itself without a node; the others record ``ExpandBackward0``.

    Args:
        *tensors: tensors (a single list or tuple of tensors is accepted too).

    Returns:
        A tuple of views, one per input, all of the broadcast shape.

    Raises:
        TypeError: if an argument is not a tensor.
        RuntimeError: if the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> a, b = torch.broadcast_tensors(torch.tensor([[1], [2]]), torch.tensor([10, 20, 30]))
        >>> b
        tensor([[10, 20, 30],
                [10, 20, 30]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    shp = ()
    for t in tensors:
        shp = broadcast_shape(shp, tuple(t.shape))
    return tuple(t if tuple(t.shape) == shp else expand(t, shp) for t in tensors)


# ----------------------------------------------------------------- real and imaginary parts


def _as_real_view(b, arr):
    """The complex array ``arr`` read as floats: a view of shape ``arr.shape + (2,)`` (the
    real and imaginary parts side by side), strides doubled."""
    xp = b.xp
    wide = xp.expand_dims(arr, axis=-1)  # (a size-1 last dim: any strides may change itemsize)
    real_native = b.dtype(b.dtype_of(arr).to_real())
    return b.view_dtype(wide, real_native)


def _complex_from_pairs(xp, g, native):
    """A complex array from the floats ``g`` of shape ``(..., 2)`` (a copy)."""
    re, im = g[..., 0], g[..., 1]
    return xp.astype(re, native) + xp.astype(im, native) * 1j


class ViewAsReal(Function):
    """``torch.view_as_real``: a complex tensor's memory as pairs of floats (a view,
    ``ViewAsRealBackward0``); ``.real`` and ``.imag`` select from it."""

    name = "ViewAsRealBackward0"
    create_graph = True
    is_view = True
    can_warn = False
    arity = 1

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad:
            ctx.native = x._data.dtype
        return _as_real_view(x._backend, x._data)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: view_as_complex, recorded as PyTorch records it
            return ViewAsComplex.apply(g)
        return _complex_from_pairs(ctx.xp, g, ctx.native)


def view_as_real(input):
    """A complex tensor's memory as floats: shape ``input.shape + (2,)``, the real and
    imaginary parts side by side (a view; ``grad_fn`` ``ViewAsRealBackward0``). Mirrors
    ``torch.view_as_real``.

    Raises:
        RuntimeError: for a tensor that is not complex.

    Examples:
        >>> import reftorch as torch
        >>> torch.view_as_real(torch.tensor([1 + 2j, 3 - 1j]))
        tensor([[ 1.,  2.],
                [ 3., -1.]])
    """
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


@tensor_input
def view_as_complex(input):
    """Float pairs as complex numbers: a tensor of shape ``(..., 2)`` becomes one of shape
    ``(...)`` over the same memory (a view; ``grad_fn`` ``ViewAsComplexBackward0``).
    Mirrors ``torch.view_as_complex``.

    Raises:
        RuntimeError: for a dtype other than float32/float64, a last dimension that is not
            of size 2 and stride 1, another stride or the storage offset not even
            (PyTorch's messages).
        NotImplementedError: for float16 (reftorch has no complex32).

    Examples:
        >>> import reftorch as torch
        >>> torch.view_as_complex(torch.tensor([[1.0, 2.0], [3.0, -1.0]]))
        tensor([1.+2.j, 3.-1.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("view_as_complex", view_as_complex, locals())
    dt = input.dtype
    if dt is D.float16:
        raise NotImplementedError("view_as_complex: reftorch has no complex32 (ComplexHalf)")
    if dt is not D.float32 and dt is not D.float64:
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a "
                           f"tensor of scalar type: {D.scalar_name(dt)}")
    shape, strides = tuple(input.shape), input.stride()
    if not shape:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(st % 2 for st in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return ViewAsComplexView.apply(input)


class ViewAsComplexView(Function):
    """``torch.view_as_complex``: the float pairs' memory read as complex numbers (a view);
    its gradient is the float view of the gradient."""

    name = "ViewAsComplexBackward0"
    create_graph = True
    is_view = True
    can_warn = False
    arity = 1

    @staticmethod
    def forward(ctx, x):
        b = x._backend
        a = x._data
        pairs = b.view_dtype(a, b.dtype(x.dtype.to_complex()))  # shape (..., 1)
        return b.reshape_view(pairs, a.shape[:-1])

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return ViewAsReal.apply(g)
        return ctx.backend.copy(_as_real_view(ctx.backend, g))


class ViewAsComplex(Function):
    """The gradient of :class:`ViewAsReal` as an op (``ViewAsComplexBackward0``): float pairs
    back to complex numbers; its own gradient is the float view again."""

    name = "ViewAsComplexBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, g):
        b = g._backend
        native = b.dtype(g.dtype.to_complex())
        return _complex_from_pairs(b.xp, g._data, native)

    @staticmethod
    def backward(ctx, gg):
        if isinstance(gg, Tensor):
            return ViewAsReal.apply(gg)
        return ctx.backend.copy(_as_real_view(ctx.backend, gg))
