"""Indexing: ``index_select``, ``gather``, ``masked_fill`` and ``tensor[...]``.

Out-of-range indices are checked here, before any backend call, because CuPy wraps
out-of-bounds indices silently where NumPy raises.
"""
from __future__ import annotations

import math
import warnings

from .._warnings import user_stacklevel
from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, int_arg
from ..autograd._graph import linear_grad
from ..autograd.function import OpFunction as Function
from .._layout import broadcast_shape, contiguous_strides, dense_order, lay_out, like_input
from .._layout import broadcast_shape as _broadcast_shape  # noqa: F401 (the older name, for callers)
from ._common import sum_to_shape, row_major, tensor_input, with_out
from .splitting import Unbind
from .._scalar import check_fill_value, store_value
from .creation import tensor as _t
from .shape import ViewAsReal, expand
from ._numpy_names import NOT_GIVEN, dim_from_axis


def _check_range(xp, idx, size, make_error):
    if idx.shape and math.prod(idx.shape) > 0:
        lo, hi = int(xp.min(idx)), int(xp.max(idx))
        if lo < -size or hi >= size:
            bad = hi if hi >= size else lo
            raise make_error(bad)


# ------------------------------------------------------------------ index_select
_INDEX_DTYPES = frozenset((D.int64, D.int32))  # the dtypes index_select takes for its index


class IndexSelect(Function):
    """``IndexSelect.apply(x, index, dim)``."""

    nondiff = (1,)
    name = "IndexSelectBackward0"
    create_graph = True
    arity = 2
    can_warn = False

    @staticmethod
    def forward(ctx, x, index, dim):
        b = x._backend
        idx = index._data
        data = x._data
        if ctx.needs_input_grad:
            ctx.dim, ctx.shape = dim, data.shape
            ctx.native = data.dtype
            ctx.save_for_backward(index)
        if idx.ndim != 1:
            idx = b.xp.reshape(idx, (-1,))
        if not data.ndim:
            xp = b.xp
            return xp.reshape(b.take_in_range(xp.reshape(data, (1,)), idx, dim), ())
        return b.take_in_range(data, idx, dim)  # index_select() checked the indices

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        b = index._backend
        xp = b.xp
        idx = xp.reshape(index._data, (-1,))
        shape = ctx.shape if ctx.shape else (1,)
        gg = g if g.ndim else xp.reshape(g, (1,))
        out = b.index_add(shape, index._backend.dtype_of(g), ctx.dim, idx, gg)
        return (out if ctx.shape else xp.reshape(out, ctx.shape), None)


@tensor_input
def index_select(input, dim, index, *, out=None):
    """Pick whole slices of ``input`` along ``dim``, in the order given by ``index``.

    ``out.select(dim, i)`` is ``input.select(dim, index[i])``: the result has ``input``'s
    shape except that its size along ``dim`` is ``len(index)``. Indices may repeat.
    The result is a new tensor, not a view. Mirrors ``torch.index_select``.

    Args:
        input: the source tensor.
        dim: the dimension to select along; negative values count from the end.
        index: a 1-D (or 0-D) tensor of int64 or int32 indices.

    Raises:
        IndexError: if an index is out of range ("index out of range in self"; negative
            indices too), if ``dim`` is out of range, or if ``index`` has more than one
            dimension.
        RuntimeError: if ``index`` is not int32/int64.
        TypeError: if ``index`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1, 2, 3], [4, 5, 6]])
        >>> torch.index_select(x, 1, torch.tensor([2, 0]))
        tensor([[3, 1],
                [6, 4]])
        >>> x.index_select(0, torch.tensor([1, 1]))
        tensor([[4, 5, 6],
                [4, 5, 6]])
    """
    if out is not None:
        return with_out("index_select", out, index_select, input, dim, index)
    if index.__class__ is not Tensor and not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    idx = index._data
    ishape = idx.shape
    if len(ishape) > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    shape = input._data.shape  # raw shape tuples below: this runs once per call
    nd = len(shape)
    d = _wrap_dim(dim if dim.__class__ is int else int_arg(dim, "index_select", "dim", 1), nd)
    if index._dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    size = shape[d] if nd else 1
    count = ishape[0] if ishape else 1  # index.numel()
    if size == 0 and count and nd > 1:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if nd == 0 and count != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {count} value(s)")
    if count and not index._backend.indices_in_range(idx, size):  # one pass when all are valid
        xp = index._backend.xp
        lo, hi = int(xp.min(idx)), int(xp.max(idx))
        if lo < 0 or hi >= size:
            if nd > 1 and (d == 1 or math.prod(shape) == 0):
                # PyTorch's dim-1 kernel (and the one for empty inputs) words it differently.
                bad = next(int(v) for v in index._host().reshape(-1) if not 0 <= v < size)
                raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
            raise IndexError("index out of range in self")
    return IndexSelect.apply(input, index, d)


# ------------------------------------------------------------------ gather
def _gather_base(backend, shape, in_strides, dim):
    """The flat offsets of every position of an index of ``shape`` with the ``dim``
    coordinate left out (None when ``dim`` is the only dimension): small (size 1 along
    ``dim``), so summing the broadcast aranges costs nothing next to the index."""
    xp = backend.xp
    base = None
    for d, n in enumerate(shape):
        if d == dim:
            continue
        view_shape = [1] * len(shape)
        view_shape[d] = n
        ar = xp.reshape(xp.arange(n, dtype=xp.int64, **backend._dev_kw()) * in_strides[d], tuple(view_shape))
        base = ar if base is None else base + ar
    return base


def _gather_offsets(backend, index, in_strides, dim):
    """Flat offsets into a contiguous input for every position of ``index``.

    ``gather`` is a flat ``take``: out[p] = input_flat[sum_d coord_d(p) * stride_d] with the
    coordinate along ``dim`` replaced by ``index[p]``.
    """
    xp = backend.xp
    base = _gather_base(backend, index.shape, in_strides, dim)
    # Then one full-size pass (two when the stride along ``dim`` is not 1) and one full-size array.
    idx = xp.astype(index, xp.int64, copy=False)
    if in_strides[dim] == 1:
        return idx + base if base is not None else xp.astype(idx, xp.int64, copy=True)
    off = idx * in_strides[dim]
    if base is not None:
        off += base
    return off


class Gather(Function):
    nondiff = (1,)
    name = "GatherBackward0"
    create_graph = True  # the backward reads the input only through the saved index
    arity = 2

    @staticmethod
    def forward(ctx, x, index, dim):
        b = x._backend
        xp = b.xp
        shape = x._data.shape
        ctx.out_shape = index._data.shape
        if not shape or not index._data.shape or index._data.ndim != len(shape):
            _check_gather_range(index, dim, shape[dim] if shape else 1)
            # 0-dim input or index (or an empty index of another rank): a flat take.
            ctx.shape, ctx.dim, ctx.strides = shape, 0, (1,)
            ctx.save_for_backward(index)
            flat = xp.reshape(x._data, (-1,))
            if math.prod(index._data.shape) == 0:
                return xp.zeros(index._data.shape, dtype=x._data.dtype, device=x._data.device)
            if not shape:
                flat = xp.reshape(x._data, (1,))
            return xp.reshape(xp.take(flat, xp.reshape(xp.astype(index._data, xp.int64), (-1,))), index._data.shape)
        strides = contiguous_strides(shape)  # of the row-major ``flat`` (``x`` has elements here)
        flat = xp.reshape(x._data, (-1,))
        if math.prod(index._data.shape) == 0:
            out = xp.zeros(index._data.shape, dtype=x._data.dtype, device=x._data.device)
        else:
            base = _gather_base(b, index._data.shape, strides, dim)
            out = b.take_offsets(flat, index._data, base, strides[dim], shape[dim])  # range checked there
            if out is None:
                _check_gather_range(index, dim, shape[dim])
        ctx.shape = shape
        ctx.save_for_backward(index)
        ctx.strides = strides
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        b = index._backend
        xp = b.xp
        if not ctx.shape or index._data.ndim != len(ctx.shape):
            shape = ctx.shape if ctx.shape else (1,)
            if math.prod(index._data.shape) == 0:
                return (xp.zeros(ctx.shape, dtype=g.dtype, device=g.device), None)
            off = xp.reshape(xp.astype(index._data, xp.int64), (-1,))
            return (xp.reshape(_scatter_add_grad(b, shape, off, g), ctx.shape), None)
        off = _gather_offsets(b, index._data, ctx.strides, ctx.dim)
        return (_scatter_add_grad(b, ctx.shape, xp.reshape(off, (-1,)), g), None)


def _scatter_add_grad(b, shape, off, g):
    """PyTorch's ``zeros(shape).scatter_add_(...)`` of ``gather``'s backward: ``g`` added at
    the flat offsets ``off`` in index order; float16/bfloat16 in a float32 buffer, rounded once."""
    xp = b.xp
    d = b.dtype_of(g)
    flat = xp.reshape(g, (-1,))
    if d in D.REDUCED_FLOATS:
        out = b.scatter_add(shape, D.float32, off, xp.astype(flat, b.dtype(D.float32)))
        return xp.astype(out, g.dtype)
    return b.scatter_add(shape, d, off, flat)


@tensor_input
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Collect single values along ``dim``: the result has ``index``'s shape.

    For a 3-D input::

        out[i][j][k] = input[index[i][j][k]][j][k]  # dim == 0
        out[i][j][k] = input[i][index[i][j][k]][k]  # dim == 1
        out[i][j][k] = input[i][j][index[i][j][k]]  # dim == 2

    ``index`` must have as many dimensions as ``input`` (0-d counts as 1-D) and, outside
    ``dim``, be no larger than it; these checks and the dtype check skip an empty ``index``.
    Mirrors ``torch.gather``.

    Args:
        input: the source tensor.
        dim: the dimension to index along; negative values count from the end.
        index: an int64 (or int32) tensor of indices into ``input.size(dim)``.

    Raises:
        RuntimeError: if an index is out of range ("index 5 is out of bounds for dimension 0
            with size 2"; negative indices too), if ``index`` is not int64/int32, has a
            different number of dimensions, or is larger than ``input`` outside ``dim``.
        IndexError: if ``dim`` is out of range.
        TypeError: if ``index`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
        >>> torch.gather(scores, 1, torch.tensor([[1], [0]]))
        tensor([[0.7000],
                [0.5000]])
    """
    if out is not None:
        return with_out("gather", out, gather, input, dim, index)
    if not isinstance(index, Tensor):
        raise TypeError(f"gather(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    ishape, xshape = index._data.shape, input._data.shape  # (plain tuples: no torch.Size per read)
    nd = len(xshape)
    d = _wrap_dim(int_arg(dim, "gather", "dim", 1), nd)
    if math.prod(ishape):  # PyTorch checks the dtype and shapes only of a non-empty index
        if index.dtype not in (D.int64, D.int32):
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        if max(len(ishape), 1) != max(nd, 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        for k in range(len(ishape)):
            if k != d and ishape[k] > (xshape[k] if nd else 1):
                raise RuntimeError(f"Size does not match at dimension {k} expected index "
                                   f"[{', '.join(map(str, index.shape))}] to be no larger than self "
                                   f"[{', '.join(map(str, input.shape))}] apart from dimension {d}")
    return Gather.apply(input, index, dim=d)  # the indices' range is checked there, in one pass


def _check_gather_range(index, dim, size):
    """Raise PyTorch's error for the first index of ``index`` outside ``[0, size)``."""
    b = index._backend
    if index._data.shape and math.prod(index._data.shape) == 0 or b.indices_in_range(index._data, size):
        return
    bad = next(int(v) for v in index._host().reshape(-1).tolist() if not 0 <= v < size)
    raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


# ------------------------------------------------------------------ masked_fill
class MaskedFill(Function):
    nondiff = (1,)
    name = "MaskedFillBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, mask, value):
        xp = x._backend.xp
        ctx.save_for_backward(mask)
        ctx.shape = x._data.shape
        fill = xp.asarray(value, dtype=x._data.dtype, **x._backend._dev_kw())
        return row_major(x._backend, xp.where(mask._data, fill, x._data))

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        xp = ctx.xp
        if isinstance(g, Tensor):  # create_graph: g.masked_fill(mask, 0), as PyTorch records it
            return (sum_to_shape(xp, g.masked_fill(mask._data, 0), ctx.shape), None)
        zero = xp.zeros((), dtype=g.dtype, **mask._backend._dev_kw())
        return (sum_to_shape(xp, xp.where(mask._data, zero, g), ctx.shape), None)


class MaskedFillTensor(Function):
    """``masked_fill`` with a 0-d tensor value (``MaskedFillBackward1``): the value gets the
    sum of the gradient where the mask is True."""

    nondiff = (1,)
    name = "MaskedFillBackward1"
    create_graph = True
    arity = 3

    @staticmethod
    def forward(ctx, x, mask, value):
        xp = x._backend.xp
        ctx.save_for_backward(mask)
        ctx.shape, ctx.vnative = x._data.shape, value._data.dtype
        fill = value._data if value._data.dtype == x._data.dtype else x._backend.astype(value._data, x._data.dtype)
        return row_major(x._backend, xp.where(mask._data, fill, x._data))

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        xp = ctx.xp
        zero = xp.zeros((), dtype=g.dtype, **mask._backend._dev_kw())
        gx = sum_to_shape(xp, xp.where(mask._data, zero, g), ctx.shape) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[2]:
            gv = xp.sum(xp.where(mask._data, g, zero))
            gv = gv if gv.dtype == ctx.vnative else ctx.backend.astype(gv, ctx.vnative)
        return gx, None, gv


def _fill_value(input, value):
    """A number value checked against ``input``'s dtype (PyTorch's overflow error) and made
    storable (``-1`` for uint8 is 255, ``2.5`` for an integer dtype 2)."""
    check_fill_value(value, input.dtype)
    if input.dtype is D.bool:
        return bool(value)
    return store_value(value, input.dtype)


@tensor_input
def masked_fill(input, mask, value):
    """Replace the elements of ``input`` where ``mask`` is True with ``value``.

    ``mask`` is a bool tensor broadcastable to ``input``'s shape. Mirrors
    ``torch.Tensor.masked_fill`` (``masked_fill_`` is the in-place form).

    Raises:
        RuntimeError: if ``mask`` is not a bool tensor, or ``value`` is a tensor with
            dimensions.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1., 2.], [3., 4.]])
        >>> x.masked_fill(x > 2, 0.0)
        tensor([[1., 2.],
                [0., 0.]])
    """
    # PyTorch's order of checks: the arguments' kinds, shapes, the value's dims, the mask's
    # dtype, the value's range
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got "
                        f"({type(mask).__name__}, {type(value).__name__}), but expected one of:")
    out_shape = broadcast_shape(mask.shape, input.shape)  # PyTorch names the mask 'a'
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.dim()} dimension(s).")
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_c_type_name(mask.dtype)}")
    if isinstance(value, Tensor):
        if input.device.type == "cpu":  # PyTorch's CPU kernel reads the value as a number
            _fill_value(input, value.item())
    else:
        value = _fill_value(input, value)
    x = input
    if tuple(out_shape) != tuple(input.shape):
        x = expand(input, out_shape)
    if isinstance(value, Tensor):
        if value.device != x.device:
            value = value.to(x.device)
        return MaskedFillTensor.apply(x, mask, value)
    return MaskedFill.apply(x, mask, value=value)


def _c_type_name(d):
    return {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double", "float16": "c10::Half"}.get(d.name, d.name)


# ------------------------------------------------------------------ tensor[...]
class BasicIndex(Function):
    """Indexing with ints, slices, None and Ellipsis: a view."""

    name = "SliceBackward0"
    create_graph = True
    is_view = True
    arity = 1
    can_warn = False

    @staticmethod
    def forward(ctx, x, key):
        if ctx.needs_input_grad:
            ctx.key, ctx.shape = key, x._data.shape
        out = x._data[key]
        if out.size == 0 or None in key:  # (a key holds ints, slices, None, Ellipsis: `in` is safe)
            b = x._backend
            have = b.strides(out)
            want = _none_strides(x, key, have)
            if want != have:
                out = b.as_strided(out, out.shape, want)
        return out

    @staticmethod
    def backward(ctx, g):
        state = (ctx.key, ctx.shape)
        if not isinstance(g, Tensor):  # (the common case: no name to work out)
            return _place(ctx.backend, g, state)
        name = _index_grad_name(*state)
        return linear_grad(ctx, g, _place, _pick, state, name, _INDEX_ADJOINT_NAMES[name])


def _place(backend, g, state):
    """The gradient of ``x[key]`` for an ``x`` of ``shape``: ``g`` placed in zeros."""
    xp = backend.xp
    key, shape = state
    out = xp.zeros(shape, dtype=g.dtype, device=g.device)
    key = tuple(k for k in key if k is not None)  # None only added size-1 dims to g
    if len(key) != len(state[0]):
        g = xp.reshape(g, out[key].shape)
    out[key] = g
    return out


def _pick(backend, a, state):
    """The adjoint of :func:`_place`: ``a[key]`` (a copy)."""
    return backend.copy(a[state[0]])


#: The node PyTorch records for the gradient of basic indexing (and for its own gradient):
#: named after the first op PyTorch applies for the key (a select, a slice, an unsqueeze).
_INDEX_ADJOINT_NAMES = {"SelectBackwardBackward0": "SelectBackward0", "SliceBackwardBackward0": "SliceBackward0",
                        "SqueezeBackward1": "UnsqueezeBackward0"}


def _index_grad_name(key, shape):
    dim = 0
    for k in key:
        if k is None:
            return "SqueezeBackward1"
        if k is Ellipsis:
            dim += len(shape) - sum(1 for j in key if j is not None and j is not Ellipsis)
            continue
        if isinstance(k, slice):
            if not (k.start in (None, 0) and k.step in (None, 1) and (k.stop is None or k.stop >= shape[dim])):
                return "SliceBackwardBackward0"
            dim += 1
            continue
        return "SelectBackwardBackward0"
    return "SliceBackwardBackward0"


class AdvancedIndex(Function):
    """Indexing with integer/bool tensors or lists: a copy (grad_fn IndexBackward0)."""

    name = "IndexBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.shape = key, x._data.shape
        ctx.backend = x._backend
        return _index_layout(x._backend, x._data, key, x._backend.getitem(x._data, key))

    @staticmethod
    def backward(ctx, g):
        return ctx.backend.index_put_add(ctx.shape, g, ctx.key)


def _index_layout(backend, arr, key, out):
    """Lay out ``out = arr[key]`` (full slices, Ellipsis and index arrays only) as PyTorch's
    index kernel does: TensorIterator over the source, with the indexed dims at stride 0, and
    the index, with the other dims at stride 0 (NumPy puts the index dims outermost in
    memory: ``x[:, [0, 2]]`` of a row-major ``x`` is not contiguous there)."""
    if out.ndim < 2:
        return out
    if not isinstance(key, tuple) and hasattr(key, "dtype") and backend.is_c_contiguous(arr) and (
            1 not in arr.shape or backend.strides(arr) == contiguous_strides(tuple(arr.shape))):
        # A lone index array or mask on a row-major source: the indexed dims lead and the
        # rest keep the source's row-major order, so the rule below gives a row-major
        # result (what NumPy makes; checked against PyTorch's strides by the conformance
        # tests). Its dims and strides need not be worked out. (Not where a size-1 dim has
        # another stride than row-major's: PyTorch's order reads those strides too.)
        return backend.ascontiguousarray(out)
    items = key if isinstance(key, tuple) else (key,)
    nd = arr.ndim
    used = 0
    for k in items:
        if isinstance(k, slice):
            used += 1
        elif k is not Ellipsis:
            if not hasattr(k, "dtype"):
                return out  # a Python bool: a new dim, left as NumPy lays it out
            used += k.ndim if k.dtype == backend.dtype(D.bool) else 1
    indexed = []
    for k in items:
        if k is Ellipsis:
            indexed += [False] * (nd - used)
        elif isinstance(k, slice):
            indexed.append(False)
        else:
            indexed += [True] * (k.ndim if k.dtype == backend.dtype(D.bool) else 1)
    indexed += [False] * (nd - len(indexed))
    adv = [i for i, f in enumerate(indexed) if f]
    if not adv:  # x[tensor(True)]: a new dim
        return out
    shape = tuple(out.shape)
    src_st = backend.strides(arr)
    kept = [src_st[i] for i in range(nd) if not indexed[i]]
    nb = len(shape) - len(kept)
    if nb < 0:
        return out
    lead = adv[0] if adv == list(range(adv[0], adv[-1] + 1)) else 0  # adjacent: in place; else first
    # the index: row-major over [1] * lead + B + [1] * rest (PyTorch reshapes it so), its
    # size-1 dims broadcast (stride 0) where the result's size is not 1
    ishape = [1] * lead + list(shape[lead:lead + nb]) + [1] * (len(shape) - lead - nb)
    idx, acc = [], 1
    for n, m in zip(reversed(ishape), reversed(shape)):
        idx.append(0 if n == 1 and m != 1 else acc)
        acc *= max(n, 1)
    idx.reverse()
    src = kept[:lead] + [0] * nb + kept[lead:]
    order = dense_order(shape, tuple(src), (tuple(idx),))
    return lay_out(backend, out, order)


def _drop_empty_ellipsis(x, key):
    """``key`` without an Ellipsis that stands for no dimension: PyTorch counts index tensors
    on both sides of it as adjacent (NumPy would move their dims to the front)."""
    used = 0
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, bool):
            continue
        used += k.dim() if isinstance(k, Tensor) and k.dtype in (D.bool, D.uint8) else 1
    if used != x.dim():
        return key
    i = next(i for i, k in enumerate(key) if k is Ellipsis)
    return key[:i] + key[i + 1:]


def _split_basic(key):
    """PyTorch applies ints, slices and None first (views) and the tensor indices to the
    result: ``x[0, :, mask]`` is ``x[0][:, mask]`` (NumPy would count the 0 as an index
    array and move the indexed dims first). Returns ``(basic, advanced)`` keys, or
    ``(None, key)`` when the basic part selects everything."""
    items = key if isinstance(key, tuple) else (key,)
    basic, adv, trivial, indexed = [], [], True, False
    for k in items:
        if k is None:
            basic.append(None)
            adv.append(slice(None))
            trivial = False
        elif k is Ellipsis:
            basic.append(k)
            adv.append(k)
        elif isinstance(k, bool) or (isinstance(k, Tensor) and k.dim() and False):
            adv.append(k)  # x[True]: a new dim, handled by the advanced step
        elif isinstance(k, int):
            basic.append(k)
            trivial = False
        elif isinstance(k, slice):
            basic.append(k)
            adv.append(slice(None))
            if not (k.start in (None, 0) and k.stop is None and k.step in (None, 1)):
                trivial = False
        else:  # an index tensor or sequence
            if isinstance(k, Tensor) and k.dim() == 0 and k.dtype not in (D.bool, D.uint8):
                return None, key  # a 0-d index: left to _normalize_key
            n = k.dim() if isinstance(k, Tensor) and k.dtype in (D.bool, D.uint8) else 1
            basic.extend([slice(None)] * n)
            adv.append(k)
            indexed = True
    if trivial or not indexed:
        return None, key
    return tuple(basic), tuple(adv)


class IndexPutAdd(Function):
    """Zeros of ``shape`` with ``g`` added at the positions ``x[key]`` reads: the gradient of
    indexing as an op of its own, recorded when that gradient is differentiated again
    (``create_graph=True``; PyTorch's ``IndexPutImplBackward0``). Its backward is indexing."""

    name = "IndexPutImplBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        return g._backend.index_put_add(shape, g._data, key)

    @staticmethod
    def backward(ctx, gg):
        return ctx.backend.getitem(gg, ctx.key)


class IndexAdd(Function):
    """Zeros of ``shape`` with the slices of ``values`` added at ``index`` along ``axis``:
    the gradient of ``index_select`` and ``embedding`` as an op of its own, recorded when
    that gradient is differentiated again (``create_graph=True``; PyTorch's
    ``IndexAddBackward0``). Its backward takes those slices back."""

    name = "IndexAddBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, values, shape, dtype, axis, index):
        ctx.axis, ctx.index = axis, index
        return values._backend.index_add(shape, dtype, axis, index, values._data)

    @staticmethod
    def backward(ctx, gg):
        return ctx.backend.take_in_range(gg, ctx.index, axis=ctx.axis)


def _none_strides(x, key, strides):
    """PyTorch's strides for ``x[key]`` when ``key`` holds ``None``.

    PyTorch applies the index left to right; a ``None`` is an ``unsqueeze`` of the
    partly indexed tensor, whose next dimension is still an original dimension ``d`` of
    ``x``, so the new dimension gets stride ``size(d) * stride(d)`` (1 at the end).
    NumPy gives such dimensions stride 0. ``strides`` are the result's NumPy strides.
    """
    shp, st = x._data.shape, x._backend.strides(x._data)
    nd = len(shp)
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    want, src, j = [], 0, 0
    for k in key:
        if k is None:
            want.append(shp[src] * st[src] if src < nd else 1)
            j += 1
        elif k is Ellipsis:
            n = nd - consumed
            want.extend(st[src:src + n])
            j += n
            src += n
        elif isinstance(k, slice):
            want.append(st[src] * (k.step or 1))
            j += 1
            src += 1
        else:  # an int: the dimension goes away
            src += 1
    want.extend(st[src:])
    return tuple(want)


#: the dtypes of a tensor in ``x[key]`` that PyTorch accepts (long, int, byte, bool)
_KEY_DTYPES = (D.int64, D.int32, D.uint8, D.bool)


def _empty_broadcast(key):
    """True when ``key`` holds two or more index tensors/sequences and one of them selects
    nothing (so their broadcast result is empty): PyTorch then checks no index's range."""
    n, empty = 0, False
    for k in key:
        if isinstance(k, Tensor):
            n += 1
            empty = empty or k.numel() == 0 or (k.dtype is D.bool and not bool(k.any()))
        elif isinstance(k, (list, tuple)):
            n += 1
            empty = empty or len(k) == 0 or any(isinstance(e, (list, tuple)) and not e for e in k)
    return n >= 2 and empty


_NONE_OR_INT = frozenset((type(None), int))


def _normalize_key(x, key, check_bounds=True):
    """Convert a Python index into a backend key; returns (key, advanced, grad_fn name)."""
    single = not isinstance(key, tuple)
    if single:
        key = (key,)
    b = x._backend
    out = []
    advanced = False
    name = "AliasBackward0"
    dim = 0
    shape = x._data.shape
    nd = len(shape)
    n_consumed = 0  # the dims the key's items index (a bool mask: as many as it has)
    for k in key:
        if k is None or k is Ellipsis or k.__class__ is bool:
            continue
        if k.__class__ is int or k.__class__ is slice:
            n_consumed += 1
        elif isinstance(k, Tensor) and k.dtype is D.bool:
            n_consumed += k.dim()
        else:  # (bool cannot be subclassed: the class test above caught every bool)
            n_consumed += 1
    if nd == 0 and single and isinstance(key[0], int) and not isinstance(key[0], bool):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if n_consumed > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    seen_ellipsis = False
    if check_bounds and _empty_broadcast(key):
        check_bounds = False  # PyTorch checks indices as its kernel reads them: none here
    for k in key:
        if k is None:
            out.append(None)
            name = "UnsqueezeBackward0"
        elif k is Ellipsis:
            if seen_ellipsis:
                continue  # PyTorch lets a second Ellipsis stand for no dimensions
            seen_ellipsis = True
            out.append(Ellipsis)
            dim = nd - (n_consumed - dim)
        elif isinstance(k, bool):
            out.append(k)  # x[True] adds a dim of size 1, x[False] one of size 0: advanced
            advanced = True
            name = "IndexBackward0"
        elif isinstance(k, slice):
            if k.step is not None and int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            if not (k.start.__class__ in _NONE_OR_INT and k.stop.__class__ in _NONE_OR_INT
                    and k.step.__class__ in _NONE_OR_INT):  # (int-like objects: read as ints)
                k = slice(*(None if v is None else int(v) for v in (k.start, k.stop, k.step)))
            out.append(k)
            # Inside a tuple PyTorch skips a slice that keeps the whole dimension.
            full = k.start in (None, 0) and k.step in (None, 1) and (k.stop is None or k.stop >= shape[dim])
            if single or not full:
                name = "SliceBackward0"
            dim += 1
        elif isinstance(k, int) or (isinstance(k, Tensor) and k.dim() == 0 and not k.dtype.is_floating_point
                                    and k.dtype is not D.bool and False):
            k = int(k)
            if nd == 0:
                raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                 "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
            size = shape[dim]
            if k < -size or k >= size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            out.append(k)
            name = "SelectBackward0"
            dim += 1
        else:
            if isinstance(k, Tensor):
                if k.dtype not in _KEY_DTYPES:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
                arr = k._data
                if k.device != x.device:
                    arr = b.from_host(k._host()) if x.device.type != "cpu" else k._host()
                kd = k.dtype
            else:
                if isinstance(k, (float, complex)):  # x[1.0]: PyTorch's parser refuses a float outright
                    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                     f"Variables are valid indices (got {type(k).__name__})")
                kt = _t(k, dtype=D.int64) if isinstance(k, (list, tuple)) and not k else _t(k)  # x[[]]
                if kt.dtype.is_floating_point:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
                arr = kt._data if x.device.type == "cpu" else b.from_host(kt._host())
                kd = kt.dtype
            if kd is D.uint8:  # a mask, as PyTorch reads it (deprecated there, with a warning)
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                              "instead.", UserWarning, stacklevel=user_stacklevel())
                arr = b.xp.astype(arr, b.dtype(D.bool))
                kd = D.bool
            if kd is D.bool:
                for j in range(len(arr.shape)):
                    if arr.shape[j] != x.shape[dim + j]:
                        raise IndexError(f"The shape of the mask [{', '.join(map(str, arr.shape))}] at index {j} "
                                         f"does not match the shape of the indexed tensor "
                                         f"[{', '.join(map(str, x.shape))}] at index {dim + j}")
                dim += len(arr.shape)
            else:
                size = x.shape[dim]
                # PyTorch skips the bounds check when the indexed tensor is empty (unless the
                # indexed dim itself is).
                if math.prod(arr.shape) and (size == 0 or x.numel()) and check_bounds:
                    # the one-pass test of non-negative indices first; only where it fails
                    # (negative indices, or one out of range) are the min and the max taken
                    if not (size and b.indices_in_range(arr, size)):
                        xp = b.xp
                        lo, hi = int(xp.min(arr)), int(xp.max(arr))
                        if lo < -size or hi >= size:
                            if size == 0:
                                raise IndexError("index is out of bounds for dimension with size 0")
                            bad = next(int(v) for v in b.to_host(xp.reshape(arr, (-1,))).tolist()
                                       if not -size <= v < size)  # the first bad one, as PyTorch reports
                            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
                elif math.prod(arr.shape):  # unchecked on an empty tensor: any valid index gives the shape
                    arr = b.xp.zeros_like(arr)
                dim += 1
            out.append(arr)
            advanced = True
            name = "IndexBackward0"
    if advanced and len(out) == 1:
        return out[0], advanced, name  # a lone index array (the array API allows a bare mask only)
    if not seen_ellipsis:
        out.append(Ellipsis)  # the array API wants every dimension covered; NumPy implies it
    return tuple(out), advanced, name


@tensor_input
def unbind(input, dim=0, *, axis=NOT_GIVEN):
    """The slices of ``input`` along ``dim``, as a tuple of views (``iter(x)`` uses it).

    Mirrors ``torch.unbind``: the results share one ``grad_fn``, ``UnbindBackward0``
    (``output_nr`` 0, 1, …).

    Raises:
        IndexError: if ``dim`` is out of range or ``input`` is 0-dim.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1, 2], [3, 4]]).unbind(1)
        (tensor([1, 3]), tensor([2, 4]))
    """
    if axis is not NOT_GIVEN:
        dim = dim_from_axis("unbind", dim, axis, 0)
    d = _wrap_dim(int_arg(dim, "unbind", "dim", 1), input.dim())  # (a 0-d input: dims -1 and 0 pass)
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, d)


def sequence_as_tuple(key):
    """PyTorch's (deprecated) reading of ``x[[0, slice(None)]]`` as ``x[0, :]``: a list
    that holds sequences, slices, Ellipsis, None or tensors is a tuple of indices."""
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (list, tuple, slice, Tensor)) or k is None or k is Ellipsis for k in key):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
                      "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will "
                      "be interpreted as tensor index, x[torch.tensor(seq)], which will result either in an "
                      "error or a different result", UserWarning, stacklevel=user_stacklevel())
        return tuple(key)
    return key


_NONE_KEY = (None, Ellipsis)


def getitem(x, key):
    """``x[key]``: basic indexing returns a view, tensor/list indexing a copy."""
    if key.__class__ is int:  # x[i] in range is a select, as _normalize_key finds (per-call overhead)
        shp = x._data.shape
        if shp and -shp[0] <= key < shp[0]:
            return BasicIndex.apply(x, (key, Ellipsis), _name="SelectBackward0")
    elif key is None:  # x[None] is an unsqueeze at 0, as _normalize_key finds
        return BasicIndex.apply(x, _NONE_KEY, _name="UnsqueezeBackward0")
    key = sequence_as_tuple(key)
    if isinstance(key, Tensor) and key.dim() == 0 and key.dtype in (D.int64, D.int32, D.int16, D.int8):
        key = int(key.item())
    if isinstance(key, tuple):
        key = tuple(int(k.item()) if isinstance(k, Tensor) and k.dim() == 0 and k.dtype in (D.int64, D.int32)
                    else k for k in key)
    basic, adv = _split_basic(key)
    if basic is not None:
        v = getitem(x, basic)
        # slices that keep whole dims are no op in PyTorch (no node)
        if not (v.shape == x.shape and all(k is Ellipsis or (isinstance(k, slice) and k.step in (None, 1)
                                                             and k.start in (None, 0)) for k in basic)):
            x = v
        key = adv
    if isinstance(key, tuple) and any(k is Ellipsis for k in key):
        key = _drop_empty_ellipsis(x, key)
    nkey, advanced, name = _normalize_key(x, key)
    if advanced:
        return AdvancedIndex.apply(x, key=nkey)
    return BasicIndex.apply(x, key=nkey, _name=name)


# ----------------------------------------------------------------- narrow


def _narrow_start(start):
    """``start`` of ``narrow`` as an int: an int, or a 0-dim integral tensor."""
    if isinstance(start, Tensor):
        if start.dim() != 0 or start.dtype.is_floating_point or start.dtype.is_complex or start.dtype is D.bool:
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        return int(start.item())
    return int_arg(start, "narrow", "start", 2)


@tensor_input
def narrow(input, dim, start, length):
    """The slice ``start:start + length`` of ``input`` along ``dim``, as a view.

    Mirrors ``torch.narrow`` / ``torch.Tensor.narrow``: the result shares memory (and the
    version counter) with ``input``, and its ``grad_fn`` is ``SliceBackward0``.

    Args:
        input: a tensor with at least one dimension.
        dim: the dimension to narrow (negative counts from the end).
        start: the first index kept, an int or a 0-dim integral tensor; a negative ``start``
            counts from the end of the dimension.
        length: the number of indices kept (``>= 0``).

    Returns:
        A view of ``input`` whose size along ``dim`` is ``length``; the other dimensions
        and the dtype are those of ``input``.

    Raises:
        RuntimeError: for a 0-dim ``input``, a negative ``length``, a ``start`` tensor that
            is not a 0-dim integer, or when ``start + length`` exceeds the dimension.
        IndexError: if ``dim`` or ``start`` is out of range (``start`` may lie in
            ``[-size, size]``).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(12).reshape(3, 4)
        >>> torch.narrow(x, 1, 1, 2)
        tensor([[ 1,  2],
                [ 5,  6],
                [ 9, 10]])
        >>> x.narrow(0, -1, 1)
        tensor([[ 8,  9, 10, 11]])
    """
    nd = input.dim()
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = int_arg(dim, "narrow", "dim", 1)
    start = _narrow_start(start)
    length = int_arg(length, "narrow", "length", 3)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _wrap_dim(dim, nd)
    size = input._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start > size - length:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    # (a slice for every dim: the array API does not fill in trailing ones)
    key = (slice(None),) * d + (slice(start, start + length),) + (slice(None),) * (nd - d - 1)
    return BasicIndex.apply(input, key=key, _name="SliceBackward0")


# ----------------------------------------------------------------- index_fill


def _dim_mask(b, shape, dim, idx):
    """A bool array broadcastable to ``shape``: True at the positions ``idx`` (negative ones
    wrap) along ``dim``, size 1 along every other dimension."""
    xp = b.xp
    size = shape[dim] if shape else 1
    m = xp.zeros((size,), dtype=b.dtype(D.bool), **b._dev_kw())
    if idx.ndim != 1:
        idx = xp.reshape(idx, (-1,))
    if idx.shape[0]:
        b.setitem(m, idx, True)
    if not shape:
        return xp.reshape(m, ())
    return xp.reshape(m, tuple(size if i == dim else 1 for i in range(len(shape))))


class IndexFill(Function):
    """``index_fill`` with a number (``IndexFillBackward0``): no gradient reaches the filled
    positions. The result is laid out like ``input`` (PyTorch clones it, then fills)."""

    name = "IndexFillBackward0"
    create_graph = True
    arity = 1
    nondiff = (1,)

    @staticmethod
    def forward(ctx, x, index, dim, value):
        b = x._backend
        xp = b.xp
        arr = x._data
        mask = _dim_mask(b, arr.shape, dim, index._data)
        if ctx.needs_input_grad:
            ctx.mask, ctx.dim, ctx.index = mask, dim, index
        fill = xp.asarray(value, dtype=arr.dtype, **b._dev_kw())
        return like_input(b, xp.where(mask, fill, arr), arr)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if isinstance(g, Tensor):  # create_graph: grad.index_fill(dim, index, 0), as PyTorch records it
            return index_fill(g, ctx.dim, ctx.index, 0)
        return xp.where(ctx.mask, xp.zeros((), dtype=g.dtype, **ctx.backend._dev_kw()), g)


class IndexFillTensor(Function):
    """``index_fill`` with a 0-dim tensor value (``IndexFillBackward1``): the value gets the
    gradient summed over the filled positions (each position once, however often the index
    names it)."""

    name = "IndexFillBackward1"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, value, index, dim):
        b = x._backend
        xp = b.xp
        arr = x._data
        mask = _dim_mask(b, arr.shape, dim, index._data)
        if ctx.needs_input_grad:
            ctx.mask, ctx.vnative = mask, value._data.dtype
        fill = value._data if value._data.dtype == arr.dtype else b.astype(value._data, arr.dtype)
        return like_input(b, xp.where(mask, fill, arr), arr)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        zero = xp.zeros((), dtype=g.dtype, **ctx.backend._dev_kw())
        gx = xp.where(ctx.mask, zero, g) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[1]:
            gv = xp.sum(xp.where(ctx.mask, g, zero))
            gv = gv if gv.dtype == ctx.vnative else ctx.backend.astype(gv, ctx.vnative)
        return gx, gv


def _index_fill_args(input, dim, index, value):
    """PyTorch's checks of ``index_fill``; returns (dim, value) normalised."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index_fill(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    d = _wrap_dim(int_arg(dim, "index_fill", "dim", 1), input.dim())
    if index.dtype is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.dim() > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.dim()} dimension(s).")
    else:
        if isinstance(value, complex) and not input.dtype.is_complex:
            raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not supported")
        value = _fill_value(input, value)
    size = input._data.shape[d] if input.dim() else 1
    xp = index._backend.xp
    _check_range(xp, index._data if index.dim() else xp.reshape(index._data, (1,)), size,
                 lambda bad: IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}"))
    return d, value


@tensor_input
def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``.

    Mirrors ``torch.index_fill`` / ``torch.Tensor.index_fill`` (``index_fill_`` in place).
    The result keeps ``input``'s dtype and layout; its ``grad_fn`` is
    ``IndexFillBackward0`` for a number ``value`` and ``IndexFillBackward1`` for a 0-dim
    tensor ``value``, which then receives the gradient of the filled elements.

    Args:
        input: the source tensor.
        dim: the dimension along which to fill (negative counts from the end).
        index: a 1-D (or 0-D) int64 tensor of indices along ``dim``; negative indices count
            from the end, repeats are allowed.
        value: a number, or a 0-dim tensor, converted to ``input``'s dtype.

    Returns:
        A new tensor of ``input``'s shape and dtype.

    Raises:
        IndexError: if ``index`` is not int64, an index is out of range, or ``dim`` is out of
            range.
        RuntimeError: if ``index`` has more than one dimension, ``value`` is a tensor with
            dimensions, or a number ``value`` does not fit ``input``'s dtype.
        TypeError: if ``index`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 4)
        >>> x.index_fill(1, torch.tensor([0, 3]), 7.0)
        tensor([[7., 0., 0., 7.],
                [7., 0., 0., 7.]])
    """
    d, value = _index_fill_args(input, dim, index, value)
    if isinstance(value, Tensor):
        if value.device != input.device:
            value = value.to(input.device)
        return IndexFillTensor.apply(input, value, index, d)
    return IndexFill.apply(input, index, d, value)


# ----------------------------------------------------------------- masked_scatter


class MaskedScatter(Function):
    """``masked_scatter`` (``MaskedScatterBackward0``): ``x`` (already broadcast to the mask's
    shape) with the first elements of ``source``, in row-major order, written where the
    mask is True."""

    name = "MaskedScatterBackward0"
    create_graph = True
    nondiff = (1,)
    arity = 3

    @staticmethod
    def forward(ctx, x, mask, source, count):
        b = x._backend
        xp = b.xp
        out = xp.reshape(b.copy(xp.reshape(x._data, (-1,))), (-1,))
        m = xp.reshape(mask._data, (-1,))
        src = xp.reshape(source._data, (-1,))
        if count:
            b.setitem(out, m, src[:count])
        if ctx.needs_input_grad:
            ctx.save_for_backward(mask)
            ctx.count, ctx.src_shape, ctx.shape = count, source._data.shape, x._data.shape
        return xp.reshape(out, x._data.shape)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        xp = ctx.xp
        b = ctx.backend
        m = mask._data
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = xp.where(m, xp.zeros((), dtype=g.dtype, **b._dev_kw()), g)
        if ctx.needs_input_grad[2]:
            n = math.prod(ctx.src_shape)
            picked = b.getitem(xp.reshape(g, (-1,)), xp.reshape(m, (-1,)))  # count elements
            if n > ctx.count:
                picked = xp.concat([picked, xp.zeros((n - ctx.count,), dtype=g.dtype, **b._dev_kw())])
            gs = xp.reshape(picked, ctx.src_shape)
        return gx, None, gs


@tensor_input
def masked_scatter(input, mask, source):
    """A copy of ``input`` with the elements where ``mask`` is True replaced, in row-major
    order, by the first elements of ``source``.

    Mirrors ``torch.masked_scatter`` / ``torch.Tensor.masked_scatter`` (``masked_scatter_`` in
    place; ``grad_fn`` ``MaskedScatterBackward0``). ``input`` and ``mask`` broadcast
    together; ``source`` is read as a flat sequence whatever its shape.

    Args:
        input: the tensor to copy.
        mask: a bool tensor broadcastable with ``input``.
        source: a tensor of ``input``'s dtype with at least as many elements as ``mask`` has
            True entries.

    Returns:
        A new row-major tensor of the broadcast shape of ``input`` and ``mask``.

    Raises:
        RuntimeError: if ``mask`` is not a bool tensor, ``source`` has another dtype, it is
            too short, or the shapes do not broadcast.
        TypeError: if ``mask`` or ``source`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 3)
        >>> mask = torch.tensor([[True, False, True], [False, True, False]])
        >>> x.masked_scatter(mask, torch.tensor([1., 2., 3., 4.]))
        tensor([[1., 0., 2.],
                [0., 3., 0.]])
    """
    for name, pos, t in (("mask", 1, mask), ("source", 2, source)):
        if not isinstance(t, Tensor):
            raise TypeError(f"masked_scatter(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {type(t).__name__}")
    if mask.dtype is D.uint8:
        warnings.warn("masked_scatter_ received a mask with dtype torch.uint8, this behavior is now deprecated,"
                      "please use a mask with dtype torch.bool instead.", UserWarning, stacklevel=user_stacklevel())
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{D.scalar_name(mask.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{D.scalar_name(input.dtype)} and {D.scalar_name(source.dtype)}")
    shape = broadcast_shape(tuple(input.shape), tuple(mask.shape))
    x = input if tuple(input.shape) == shape else expand(input, shape)
    m = mask if tuple(mask.shape) == shape else expand(mask, shape)
    count = _count_true(m)
    if count > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if source.device != input.device:
        source = source.to(input.device)
    return MaskedScatter.apply(x, m, source, count)


def _count_true(t):
    """The number of True entries of the bool tensor ``t``."""
    b = t._backend
    return int(b.xp.sum(b.xp.astype(t._data, b.dtype(D.int64))))


# ----------------------------------------------------------------- real and imaginary parts


def _part(input, which):
    pairs = ViewAsReal.apply(input)
    return BasicIndex.apply(pairs, key=(Ellipsis, which), _name="SelectBackward0")


@tensor_input
def real(input):
    """The real part of ``input``: for a complex tensor a float view of its memory (writes
    through it change ``input``), for any other tensor ``input`` itself.

    Mirrors ``torch.real`` / ``torch.Tensor.real``. As in PyTorch the view is
    ``view_as_real(input)[..., 0]``, so its ``grad_fn`` is ``SelectBackward0`` over
    ``ViewAsRealBackward0``; ``x.real = value`` copies ``value`` into that view.

    Args:
        input: a tensor.

    Returns:
        For complex64 (complex128) input a float32 (float64) view of ``input``'s shape,
        with strides twice ``input``'s.

    Examples:
        >>> import reftorch as torch
        >>> z = torch.tensor([1 + 2j, 3 - 1j])
        >>> z.real
        tensor([1., 3.])
        >>> z.real.mul_(10)
        tensor([10., 30.])
        >>> z
        tensor([10.+2.j, 30.-1.j])
    """
    if not input.dtype.is_complex:
        return input
    return _part(input, 0)


def imag(input):
    """The imaginary part of a complex tensor, as a float view of its memory.

    Mirrors ``torch.imag`` / ``torch.Tensor.imag``: ``view_as_real(input)[..., 1]``
    (``grad_fn`` ``SelectBackward0``); ``x.imag = value`` copies ``value`` into it.

    Args:
        input: a complex tensor.

    Returns:
        A float32 (float64) view for complex64 (complex128) input, of ``input``'s shape.

    Raises:
        RuntimeError: if ``input`` is not complex.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1 + 2j, 3 - 1j]).imag
        tensor([ 2., -1.])
    """
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _part(input, 1)
