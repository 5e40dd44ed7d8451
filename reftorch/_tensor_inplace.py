"""``x[key] = value`` (``Tensor.__setitem__``), recorded as PyTorch records it.

The value is written out of place by :class:`SetItem` when a graph is recorded (grad_fn
``CopySlices``, or ``IndexPutBackward0`` for tensor indices) and committed with the
in-place machinery of ``reftorch/_ops/_inplace.py`` (re-exported here for older imports);
without a graph it is written straight into the tensor's memory.
"""
from __future__ import annotations

from . import _dtype as D
from ._tensor import Tensor
from ._layout import sum_to_shape
from ._ops._inplace import (  # noqa: F401 (re-exported: in-place ops import them from here)
    _keep_original_self, _rebase_view, _resave, _scalar_name, _store, _view_positions, AsStridedViewFn,
    check_inplace, commit, CopySlices, CopySlicesFn, regenerate_view_fn, write_all,
)
from .autograd.function import OpFunction as Function
from .autograd.grad_mode import is_grad_enabled


class SetItem(Function):
    """``x[key] = value`` computed out of place (grad_fn ``CopySlices``)."""

    name = "torch::autograd::CopySlices"

    @staticmethod
    def forward(ctx, x, value, key):
        xp = x._backend.xp
        b = x._backend
        out = b.copy(x._data)
        v = value._data
        if v.dtype != out.dtype:
            v = xp.astype(v, out.dtype)
        b.setitem(out, key, v)
        ctx.key = key
        ctx.vshape = value._data.shape
        ctx.vnative = value._data.dtype
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        gx = ctx.backend.copy(g)
        ctx.backend.setitem(gx, ctx.key, 0)
        gv = None
        if ctx.needs_input_grad[1]:
            gv = sum_to_shape(xp, ctx.backend.getitem(g, ctx.key), ctx.vshape)
            gv = xp.astype(gv, ctx.vnative) if gv.dtype != ctx.vnative else gv
        return gx, gv


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _check_value(t, nkey, advanced, value, was_tensor):
    """PyTorch's checks of ``x[key] = value``: shapes (and dtypes for tensor indices)."""
    from ._ops.shape import expand
    target = tuple(t._backend.getitem(t._data, nkey).shape)
    vshape = tuple(value.shape)
    if advanced:
        if was_tensor and value.dtype is not t.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_scalar_name(t.dtype)} for the destination and {_scalar_name(value.dtype)} "
                               "for the source.")
        ok = len(vshape) <= len(target) and all(
            v in (1, s) for v, s in zip(reversed(vshape), reversed(target)))
        if not ok:
            raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(vshape)} cannot be "
                               f"broadcast to indexing result of shape {_shape_str(target)}")
        return
    while len(vshape) > len(target) and vshape[0] == 1:  # PyTorch drops leading 1s
        vshape = vshape[1:]
    from .autograd.grad_mode import no_grad
    with no_grad():
        expand(value.reshape(vshape) if vshape != tuple(value.shape) else value, target)


def setitem(t, key, value):
    from ._ops.indexing import _normalize_key, sequence_as_tuple
    from ._ops.pointwise import _as_operand
    key = sequence_as_tuple(key)
    if isinstance(key, tuple):
        key = tuple(int(k.item()) if isinstance(k, Tensor) and k.dim() == 0 and k.dtype in (D.int64, D.int32)
                    else k for k in key)
    nkey, advanced, _ = _normalize_key(t, key)
    was_tensor = isinstance(value, Tensor)
    if not was_tensor:
        value = _as_operand(value, t, t.dtype)
    elif value.device != t.device:
        value = value.to(t.device)
    _check_value(t, nkey, advanced, value, was_tensor)
    check_inplace(t)
    needs_graph = is_grad_enabled() and (t._requires_grad or value._requires_grad)
    if not needs_graph:
        b = t._backend
        v = value._data
        if v.dtype != t._data.dtype:
            v = b.xp.astype(v, t._data.dtype)
        b.setitem(t._data, nkey, v)
        t._version[0] += 1
        return
    commit(t, SetItem.apply(t, value, key=nkey, _name="IndexPutBackward0" if advanced else None))
