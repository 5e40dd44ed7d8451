"""``x[key] = value`` (``Tensor.__setitem__``), recorded as PyTorch records it.

The value is written out of place by :class:`SetItem` when a graph is recorded (grad_fn
``CopySlices``, or ``IndexPutBackward0`` for tensor indices) and committed with the
in-place machinery of ``reftorch/_ops/_inplace.py`` (re-exported here for older imports);
without a graph it is written straight into the tensor's memory.
"""
from __future__ import annotations

import numbers

from . import _dtype as D
from ._tensor import Tensor, tensor_type_name
from ._layout import like_input, sum_to_shape
from ._scalar import check_fill_value, store_value
from ._ops._inplace import (  # noqa: F401 (re-exported: in-place ops import them from here)
    _keep_original_self, _rebase_view, _resave, _scalar_name, _store, _view_positions, AsStridedViewFn,
    check_inplace, check_multi_output_view, check_no_internal_overlap, commit, CopySlices, CopySlicesFn, has_internal_overlap,
    regenerate_view_fn, write_all,
)
from .autograd._graph import array_key
from .autograd.function import OpFunction as Function
from ._ops.indexing import _drop_empty_ellipsis, _normalize_key, _split_basic, getitem, sequence_as_tuple
from ._ops.pointwise import _as_operand
from ._ops.shape import expand, unsqueeze as _unsqueeze
from ._ops._common import tensor_input
from .autograd.grad_mode import is_grad_enabled, no_grad


class SetItem(Function):
    """``x[key] = value`` computed out of place (grad_fn ``CopySlices``)."""

    name = "torch::autograd::CopySlices"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, value, key, advanced=False, index_tensors=()):
        # the index tensors are saved (PyTorch's IndexPutBackward0 saves them): changing one
        # in place before the backward raises PyTorch's RuntimeError instead of reading the
        # changed indices
        ctx.save_for_backward(*index_tensors)
        b = x._backend
        out = b.copy(x._data)
        v = value._data
        if v.dtype != out.dtype:
            v = b.astype(v, out.dtype)
        b.setitem(out, key, v)
        ctx.key, ctx.advanced = key, advanced
        ctx.vshape = value._data.shape
        ctx.vnative = value._data.dtype
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if isinstance(g, Tensor):  # create_graph: the same write of zeros, and a read, recorded
            key = array_key(ctx.key)
            gx = SetItem.apply(g, xp.zeros((), dtype=g.dtype), key=key, advanced=ctx.advanced,
                               _name="IndexPutBackward0" if ctx.advanced else None)
            gv = None
            if ctx.needs_input_grad[1]:
                gv = sum_to_shape(xp, ctx.backend.getitem(g, key), ctx.vshape)
                gv = ctx.backend.astype(gv, ctx.vnative) if gv.dtype != ctx.vnative else gv
            return gx, gv
        gx = ctx.backend.copy(g)
        ctx.backend.setitem(gx, ctx.key, 0)
        gv = None
        if ctx.needs_input_grad[1]:
            gv = ctx.backend.getitem(g, ctx.key)
            if len(ctx.vshape) > gv.ndim:  # a one-element value written by a mask (any shape)
                gv = xp.reshape(xp.sum(gv), ctx.vshape)
            gv = sum_to_shape(xp, gv, ctx.vshape)
            gv = ctx.backend.astype(gv, ctx.vnative) if gv.dtype != ctx.vnative else gv
        return gx, gv


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _check_value(t, nkey, advanced, value, was_tensor):
    """PyTorch's checks of ``x[key] = value``: shapes (and dtypes for tensor indices)."""
    target = tuple(t._backend.getitem(t._data, nkey).shape)
    vshape = tuple(value.shape)
    if advanced:  # (PyTorch checks the shapes first, leading 1s dropped, then the dtypes)
        while len(vshape) > len(target) and vshape[0] == 1:
            vshape = vshape[1:]
        ok = len(vshape) <= len(target) and all(
            v in (1, s) for v, s in zip(reversed(vshape), reversed(target)))
        if not ok:
            raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(vshape)} cannot be "
                               f"broadcast to indexing result of shape {_shape_str(target)}")
        if was_tensor and value.dtype is not t.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_scalar_name(t.dtype)} for the destination and {_scalar_name(value.dtype)} "
                               "for the source.")
        return vshape
    while len(vshape) > len(target) and vshape[0] == 1:  # PyTorch drops leading 1s
        vshape = vshape[1:]
    with no_grad():
        expand(value.reshape(vshape) if vshape != tuple(value.shape) else value, target)


def _one_mask(key):
    """The dtype of the one bool/uint8 mask in ``key`` when every other item selects a whole
    dimension (``:``, ``...``), else None (PyTorch's ``canDispatchToMaskedFill``)."""
    found = None
    for k in key if isinstance(key, tuple) else (key,):
        if isinstance(k, Tensor) and k.dtype in (D.bool, D.uint8) and found is None:
            found = k.dtype
        elif not (k is Ellipsis or (isinstance(k, slice) and k == slice(None))):
            return None
    return found


def _selects_all(t, key):
    """True when ``t[key]`` is ``t`` itself (``()``, ``...``, ``:``, full slices): PyTorch then
    writes with ``copy_`` or ``fill_`` (grad_fn ``CopyBackwards`` / ``FillBackward3``)."""
    k = key if isinstance(key, tuple) else (key,)
    ell = [i for i, e in enumerate(k) if e is Ellipsis]
    if len(ell) > 1 or not all(e is Ellipsis or isinstance(e, slice) for e in k):
        return False
    n = len(k) - len(ell)
    if n > t.dim():
        return False
    if ell:
        i = ell[0]
        dims = list(range(i)) + list(range(t.dim() - (len(k) - i - 1), t.dim()))
        slices = k[:i] + k[i + 1:]
    else:
        dims, slices = range(n), k
    for e, d in zip(slices, dims):
        size = t.shape[d]
        # PyTorch skips a slice only as written: start 0 (or none) and a stop past the end
        # (``x[-3:]`` of a length-3 ``x`` is a view there)
        if e.step not in (None, 1) or e.start not in (None, 0) or (e.stop is not None and e.stop < size):
            return False
    return True


def _check_assignable(t, value):
    """PyTorch's ``x[key] = value`` takes a tensor, a Python number or a NumPy integer
    (its index-like ints), nothing else (not a list, NumPy array or ``np.float32``)."""
    if isinstance(value, (Tensor, bool, int, float, complex)):
        return value
    if isinstance(value, numbers.Integral) and type(value).__name__ not in ("bool", "bool_"):
        return int(value)
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    raise TypeError(f"can't assign a {name} to a {tensor_type_name(t)}")


def _views(key, advanced):
    """Whether PyTorch writes ``x[key] = v`` through a view of its own: a basic key with an
    int or None in it (a select, an unsqueeze), or a lone 0-dim integer tensor (read as an
    int); not slices and Ellipsis alone (the tensor itself), nor tensor indices."""
    if advanced:
        return isinstance(key, Tensor) and not key._data.ndim and not key.dtype.is_floating_point \
            and key.dtype is not D.bool
    return any(k is None or isinstance(k, int) for k in (key if isinstance(key, tuple) else (key,)))


def setitem(t, key, value):
    value = _check_assignable(t, value)
    key = sequence_as_tuple(key)
    if isinstance(key, bool) or (isinstance(key, Tensor) and key.dtype is D.bool and key.dim() == 0):
        # PyTorch writes ``x[True] = v`` (and ``x[bool_0d] = v``) through the view
        # ``x.unsqueeze(0)`` (a CopySlices write); ``x[False] = v`` does nothing
        if key is False:
            return
        setitem(_unsqueeze(t, 0), slice(None) if key is True else key.reshape(1), value)
        return
    if _selects_all(t, key):
        if not isinstance(value, Tensor):
            check_fill_value(value, t.dtype, setitem=True)
            value = _as_operand(store_value(value, t.dtype), t, t.dtype)
        if tuple(value.shape) == tuple(t.shape):
            t.copy_(value)
        elif value.dim() == 0 and value.device.type == "cpu":
            t.fill_(value)
        else:
            t.copy_(value)
        return
    if isinstance(key, tuple):
        key = tuple(int(k.item()) if isinstance(k, Tensor) and k.dim() == 0 and k.dtype in (D.int64, D.int32)
                    else k for k in key)
    basic, adv = _split_basic(key)
    if basic is not None:
        # PyTorch applies the ints, slices and None first (a view) and writes the tensor
        # indices into that view: ``x[0, :, mask] = v`` is ``x[0][:, mask] = v`` (NumPy
        # would move the indexed dims first), recorded as ``CopySlices`` on ``x``.
        view = getitem(t, basic)
        if not _selects_all(t, basic) or tuple(view.shape) != tuple(t.shape):
            setitem(view, adv, value)
            return
        key = adv
    if isinstance(key, tuple) and any(k is Ellipsis for k in key):
        key = _drop_empty_ellipsis(t, key)  # (as getitem: index tensors around it are adjacent)
    try:
        nkey, advanced, _ = _normalize_key(t, key)
    except IndexError as e:
        # PyTorch checks the value against the indexed shape before the indices' range
        if "out of bounds" not in str(e):
            raise
        nkey, advanced, _ = _normalize_key(t, key, check_bounds=False)
        if isinstance(value, Tensor) or not isinstance(value, (int, float, bool, complex)):
            _check_value(t, nkey, advanced, value if isinstance(value, Tensor) else _as_operand(value, t, t.dtype),
                         isinstance(value, Tensor))
        raise
    was_tensor = isinstance(value, Tensor)
    if not was_tensor:
        check_fill_value(value, t.dtype, setitem=True)  # x[i] = 300 on uint8: PyTorch's overflow error
        value = _as_operand(store_value(value, t.dtype), t, t.dtype)
    fill = advanced and value.numel() == 1 and value.device.type == "cpu" and _one_mask(key)
    if value.device != t.device:
        value = value.to(t.device)
    if fill:
        # PyTorch's index_put_ writes a one-element value through a single mask with
        # masked_fill_ (any dtype, any shape of one element; a uint8 mask fails there)
        if fill is D.uint8:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
    else:
        vshape = _check_value(t, nkey, advanced, value, was_tensor)
        if advanced and vshape != tuple(value.shape):  # leading 1s beyond the indexed result's dims
            value = value.reshape(vshape)
    needs_graph = is_grad_enabled() and (t._requires_grad or value._requires_grad)
    if needs_graph and t._requires_grad and t.grad_fn is None and _views(key, advanced):
        # PyTorch writes through the view x[key] (an int or None in the key: a select or
        # an unsqueeze), so its error names a view of the leaf
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if needs_graph and t._multi_view:
        # PyTorch writes x[key] = v into the view x[key] (named in its error) when the key is basic
        check_multi_output_view(t if advanced else getitem(t, key))
    check_inplace(t)
    if not advanced:
        check_no_internal_overlap(t, t._backend.getitem(t._data, nkey))
    if not needs_graph:
        b = t._backend
        v = value._data
        if v.dtype != t._data.dtype:
            v = b.astype(v, t._data.dtype)
        b.setitem(t._data, nkey, v)
        t._bump_version()
        return
    index_tensors = tuple(k for k in (key if isinstance(key, tuple) else (key,)) if isinstance(k, Tensor))
    commit(t, SetItem.apply(t, value, key=nkey, advanced=advanced, index_tensors=index_tensors,
                            _name="IndexPutBackward0" if advanced else None))


# ----------------------------------------------------------------- index_put


class IndexPutAccumulate(Function):
    """``index_put(indices, values, accumulate=True)`` out of place (``IndexPutBackward0``):
    ``values`` added at the positions ``x[key]`` reads, repeated positions adding up one
    after the other in index order (PyTorch's CPU kernel)."""

    name = "IndexPutBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, value, key):
        b = x._backend
        xp = b.xp
        arr = x._data
        n = arr.size
        i64 = b.dtype(D.int64)
        positions = b.getitem(xp.reshape(xp.arange(n, dtype=i64, **b._dev_kw()), arr.shape), key)
        v = value._data if value._data.dtype == arr.dtype else b.astype(value._data, arr.dtype)
        v = xp.broadcast_to(v, positions.shape)
        # x's own elements first (0 + x is x), then the values in order
        flat_pos = xp.concat([xp.arange(n, dtype=i64, **b._dev_kw()), xp.reshape(positions, (-1,))])
        flat_val = xp.concat([xp.reshape(arr, (-1,)), xp.reshape(v, (-1,))])
        if ctx.needs_input_grad:
            ctx.key, ctx.vshape, ctx.vnative = key, value._data.shape, value._data.dtype
        return b.scatter_add(arr.shape, None, flat_pos, flat_val)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        gv = None
        if ctx.needs_input_grad[1]:
            key = array_key(ctx.key) if isinstance(g, Tensor) else ctx.key
            gv = sum_to_shape(xp, ctx.backend.getitem(g, key), ctx.vshape)
            gv = ctx.backend.astype(gv, ctx.vnative) if gv.dtype != ctx.vnative else gv
        return g, gv


_INDEX_PUT_DTYPES = (D.int64, D.int32, D.uint8, D.bool)


def _index_put_key(t, indices, values):
    """PyTorch's checks of ``index_put``'s arguments; the normalised backend key."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {type(indices).__name__}")
    for i, k in enumerate(indices):
        if not isinstance(k, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(k).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    for k in indices:
        if k.dtype not in _INDEX_PUT_DTYPES:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    used = sum(k.dim() if k.dtype in (D.bool, D.uint8) else 1 for k in indices)
    if used > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()} (got {used})")
    if values.dtype is not t.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_scalar_name(t.dtype)} for the destination and {_scalar_name(values.dtype)} "
                           "for the source.")
    nkey, advanced, _ = _normalize_key(t, tuple(indices))
    _check_value(t, nkey, advanced, values, True)
    return nkey, advanced


@tensor_input
def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (added there when
    ``accumulate`` is True).

    Mirrors ``torch.index_put`` / ``torch.Tensor.index_put`` (``index_put_`` writes in place,
    as ``input[indices] = values`` does). The ``grad_fn`` is ``IndexPutBackward0``; ``values``
    gets the gradient read back at ``indices``, and ``input`` the gradient except where
    ``values`` replaced it (everywhere with ``accumulate``).

    Args:
        input: the tensor to copy.
        indices: a tuple (or list) of index tensors (int64, int32, or bool/uint8 masks), one
            per leading dimension indexed, broadcast together as in advanced indexing.
        values: a tensor of ``input``'s dtype, broadcastable to the indexed shape.
        accumulate: add ``values`` instead of writing them; repeated indices then add up.

    Returns:
        A new tensor of ``input``'s shape, dtype and layout.

    Raises:
        TypeError: if ``indices`` is not a tuple or list of tensors, or ``values`` is not a
            tensor.
        IndexError: for index tensors of another dtype, too many indices, or an index out
            of range.
        RuntimeError: if ``values`` has another dtype or does not broadcast to the indexed
            shape.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(5)
        >>> x.index_put((torch.tensor([0, 2, 0]),), torch.tensor([1., 2., 3.]), accumulate=True)
        tensor([4., 0., 2., 0., 0.])
    """
    nkey, advanced = _index_put_key(input, indices, values)
    if values.device != input.device:
        values = values.to(input.device)
    if accumulate:
        res = IndexPutAccumulate.apply(input, values, nkey)
    else:
        res = SetItem.apply(input, values, key=nkey, advanced=advanced, _name="IndexPutBackward0")
    if res._data.ndim > 1:  # laid out like input, as PyTorch's clone before the write
        res._data = like_input(res._backend, res._data, input._data)
    return res


def index_put_(input, indices, values, accumulate=False):
    """In-place version of :func:`index_put` (``input[indices] = values`` when not
    ``accumulate``). Returns ``input``."""
    if not accumulate:
        _index_put_key(input, indices, values)
        setitem(input, tuple(indices), values)
        return input
    return commit(input, index_put(input, indices, values, accumulate=True))
