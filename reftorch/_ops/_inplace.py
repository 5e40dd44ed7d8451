"""How an in-place op writes its result, and PyTorch's autograd rules for it.

An in-place op (``add_``, ``masked_fill_``, ``zero_`` …) is computed out of place by the
same ``Function`` as its out-of-place twin; :func:`commit` then writes the result into the
tensor's memory, bumps the tensor's version counter and, when the result is part of a
graph, rebases the tensor's ``grad_fn`` onto the new node (as PyTorch does). Views share
their base's memory, so the base sees the write.

A write through a view of a tensor that is part of a graph is recorded as PyTorch does:
the base gets a ``CopySlices`` node (which runs the written op's backward on the view's
region of the gradient) and the view an ``AsStridedBackward0`` node on top of it; other
views of the same base get fresh ``AsStridedBackward0`` nodes when next used
(``Tensor.grad_fn``). Positions of a view inside its base are found by writing flat
indices through the base's and the view's strides (``_view_positions``).

Op modules take these from here; ``reftorch/_tensor_inplace.py`` (``x[key] = value``)
builds on them.
"""
from __future__ import annotations

import math
import re

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd._graph import TensorBackend, apply_with_graph
from ..autograd.function import Context, Node, OpFunction as Function, _edge, new_node
from ..autograd.graph import CUSTOM_FUNCTION_VIEW
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.graph import PackedSaved, pack_one


def check_inplace(t):
    """Raise PyTorch's errors for in-place writes that would corrupt autograd."""
    if not is_grad_enabled():
        return
    if t._multi_view and t._requires_grad:  # (the write is recorded)
        check_multi_output_view(t)
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if base is not None and base._requires_grad and base.grad_fn is None and t.grad_fn is not None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")


_MULTI_VIEWS = ("This view is the output of a function that returns multiple views. Such functions do not allow the "
                "output views to be modified inplace. You should replace the inplace operation by an out-of-place one.")

_CUSTOM_VIEW = ("This view was created inside a custom Function (or because an input was returned as-is) and the "
                "autograd logic to handle view+inplace would override the custom backward associated with the custom "
                "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning "
                "the output of the custom Function.")


def _view_op(t):
    """``"Output 0 of Split"``: which output of which op view ``t`` is (PyTorch's wording)."""
    name = re.sub(r"Backward\d*$", "", t._grad_fn.name().rsplit("::", 1)[-1])
    return f"Output {t._output_nr} of {name}"


def check_multi_output_view(t):
    """PyTorch's error for an in-place write that autograd would record into an output of an
    op returning several views (``split``, ``chunk``, ``unbind``) or into a view of one.
    Call it only when the write is recorded (grad mode on, ``t`` or the value requires grad)."""
    if not t._multi_view:
        return
    if t._grad_fn is None:  # the pieces of a tensor that does not require grad, written with one that does
        raise RuntimeError("A view was created in no_grad mode and is being modified inplace with grad mode "
                           "enabled. " + _MULTI_VIEWS)
    if t._multi_view == CUSTOM_FUNCTION_VIEW:
        raise RuntimeError(f"{_view_op(t)} is a view and is being modified inplace. " + _CUSTOM_VIEW)
    raise RuntimeError(f"{_view_op(t)} is a view and is being modified inplace. " + _MULTI_VIEWS)


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation.")


def has_internal_overlap(t, arr=None):
    """True when two elements of ``t`` (or of its view array ``arr``) share memory: a
    dimension of size > 1 with stride 0, as ``expand`` makes (PyTorch's "YES" answer); never
    for an empty tensor (contiguous, so dense, for PyTorch, whatever its strides)."""
    b = t._backend
    arr = t._data if arr is None else arr
    if not arr.size:
        return False
    for n, s in zip(arr.shape, b.strides(arr)):
        if s == 0 and n > 1:
            return True
    return False


def check_no_internal_overlap(t, arr=None):
    """PyTorch's error for an in-place write into a tensor whose elements share memory."""
    if has_internal_overlap(t, arr):
        raise RuntimeError(_OVERLAP)


def _store(t, arr):
    b = t._backend
    native = b.dtype(t.dtype)
    if arr.dtype != native:
        arr = b.astype(arr, native)
    t._data[...] = arr
    t._bump_version()


def write_all(t, host):
    """Overwrite every element of ``t`` with the host (NumPy) array ``host``."""
    check_inplace(t)
    b = t._backend
    _store(t, b.from_host(host))  # no copy on the CPU


def commit(t, result, overlap_ok=False):
    """Write ``result`` (computed out of place from ``t``) into ``t``; return ``t``.

    Raises PyTorch's error when ``t``'s elements share memory (an expanded tensor), except
    for the ops PyTorch lets write there (``overlap_ok``: ``fill_`` with a number, ``zero_``).
    """
    fn = result.grad_fn  # (read once: a property)
    if fn is not None:
        check_multi_output_view(t)
    check_inplace(t)
    if not overlap_ok:
        check_no_internal_overlap(t)
    if result._data.shape != t._data.shape:  # (the arrays' shape tuples: no torch.Size made)
        raise RuntimeError(f"output with shape [{', '.join(map(str, t.shape))}] doesn't match the broadcast "
                           f"shape [{', '.join(map(str, result.shape))}]")
    if not D.can_cast(result.dtype, t.dtype):
        raise RuntimeError(f"result type {_scalar_name(result.dtype)} can't be cast to the desired output type "
                           f"{_scalar_name(t.dtype)}")
    view_of = t._base if fn is not None else None
    if fn is not None:
        _keep_original_self(fn.ctx, t)
    prev_fn = t.grad_fn
    _store(t, result._data)
    if fn is not None:
        _resave(fn.ctx, t, result)
        if view_of is not None:
            _rebase_view(t, view_of, result, prev_fn)
        else:
            t.grad_fn = fn
            t._requires_grad = True
    return t


class CopySlicesFn(Function):
    """The new ``grad_fn`` of a base tensor after an in-place write through one of its views
    when the written node cannot be wrapped: the gradient inside the view's region goes to the
    written result, the rest to the base's previous history. Built by :func:`_rebase_view`."""

    name = "torch::autograd::CopySlices"
    create_graph = True  # take / where / astype: all in the tensor namespace

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        flat = xp.reshape(g, (-1,))
        g_view = xp.reshape(xp.take(flat, ctx.index), ctx.shape)
        g_base = xp.reshape(xp.where(ctx.mask, xp.zeros_like(flat), flat), ctx.base_shape)
        if g_view.dtype != ctx.result_native:
            g_view = ctx.backend.astype(g_view, ctx.result_native)
        return (g_base if ctx.needs_input_grad[0] else None), g_view


class CopySlices(Node):
    """PyTorch's ``CopySlices``: the ``grad_fn`` of a base after an in-place op ``fn`` wrote
    through one of its views. It owns ``fn``: the gradient of the view's region is run through
    ``fn``; ``fn``'s gradient for the written tensor goes back into that region (towards the
    base's previous history), its other gradients to ``fn``'s other inputs. So its
    ``next_functions`` are the base's old ``grad_fn`` followed by ``fn``'s other inputs'."""

    __slots__ = ()

    def apply(self, grad, retain_graph):
        ctx = self.ctx
        b = ctx.backend
        xp = b.xp
        flat = xp.reshape(grad, (-1,))
        res = ctx.fn.apply(xp.reshape(xp.take(flat, ctx.index), ctx.shape), retain_graph)
        if res[0] is None:
            inside = xp.zeros_like(flat)
        else:
            inside = b.scatter_add((flat.shape[0],), b.dtype_of(flat), ctx.index,
                                   xp.reshape(xp.astype(res[0], flat.dtype), (-1,)))
        g_base = xp.where(ctx.mask, inside, flat)
        return (xp.reshape(g_base, ctx.base_shape),) + tuple(res[1:])

    def apply_with_graph(self, grad, retain_graph):
        """:meth:`apply` on a gradient tensor, recording (``create_graph``): ``fn``'s backward
        runs through ``autograd._graph`` like any node's."""
        ctx = self.ctx
        tb = TensorBackend(grad._device, grad._backend)
        xp = tb.xp
        index, mask = xp._t(ctx.index), xp._t(ctx.mask)
        flat = xp.reshape(grad, (-1,))
        res = apply_with_graph(ctx.fn, xp.reshape(xp.take(flat, index), ctx.shape), retain_graph)
        if res[0] is None:
            inside = xp.zeros_like(flat)
        else:
            inside = tb.scatter_add((flat.shape[0],), flat.dtype, index, xp.reshape(xp.astype(res[0], flat.dtype), (-1,)))
        g_base = xp.where(mask, inside, flat)
        return (xp.reshape(g_base, ctx.base_shape),) + tuple(res[1:])


class AsStridedViewFn(Function):
    """The ``grad_fn`` of the view written in place (PyTorch's ``AsStridedBackward0``):
    its gradient is placed at the view's positions inside a zero gradient of the base."""

    name = "AsStridedBackward0"
    create_graph = True  # a scatter_add, recorded under create_graph

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        flat = b.scatter_add((math.prod(ctx.base_shape),), b.dtype_of(g), ctx.index, xp.reshape(g, (-1,)))
        return (xp.reshape(flat, ctx.base_shape),)


def _view_positions(t, base):
    """Where the elements of view ``t`` sit in ``base``, as flat (row-major) indices of
    ``base``: an int64 array, and a bool mask over the flattened base.

    Works for any dense ``base`` layout: a scratch buffer laid out like ``base``'s memory is
    filled with the row-major index of each element, then read through ``t``'s strides.
    """
    b = t._backend
    xp, kw = b.xp, b._dev_kw()
    n = base.numel()
    span = 1 + sum((s - 1) * st for s, st in zip(base.shape, base.stride())) if n else 1
    mem = xp.zeros((span,), dtype=xp.int64, **kw)
    b.as_strided(mem, tuple(base.shape), base.stride())[...] = xp.reshape(
        xp.arange(n, dtype=xp.int64, **kw), tuple(base.shape))
    offset = (t.data_ptr() - base.data_ptr()) // t.element_size()
    index = xp.reshape(xp.asarray(b.as_strided(mem[offset:], tuple(t.shape), t.stride()), copy=True), (-1,))
    ones = xp.ones(index.shape, dtype=xp.float32, **kw)
    mask = b.scatter_add((n,), D.float32, index, ones) > 0
    return index, mask


def _rebase_view(t, base, result, prev_fn):
    """Record an in-place write into view ``t`` of ``base`` (its values are already stored).

    ``prev_fn`` is ``t``'s ``grad_fn`` before the write. The base gets a ``CopySlices`` node
    and ``t`` an ``AsStridedBackward0`` node on top of it, as in PyTorch.
    """
    b = t._backend
    index, mask = _view_positions(t, base)
    geometry = dict(shape=tuple(t.shape), index=index, mask=mask,
                    base_shape=tuple(base.shape), result_native=result._data.dtype)
    fn = result.grad_fn
    ctx = Context((base._requires_grad, True), b)
    ctx.__dict__.update(geometry)
    if fn.next_functions and fn.next_functions[0][0] is prev_fn:
        ctx.fn = fn
        node = CopySlices(None, ctx, (_edge(base),) + tuple(fn.next_functions[1:]), CopySlicesFn.name)
    else:
        node = new_node(CopySlicesFn, ctx, (_edge(base), (fn, 0)), CopySlicesFn.name)
    base.grad_fn = node
    base._requires_grad = True
    vctx = Context((True,), b)
    vctx.__dict__.update(geometry)
    t.grad_fn = new_node(AsStridedViewFn, vctx, ((node, 0),), AsStridedViewFn.name)
    t._requires_grad = True


def regenerate_view_fn(t, base):
    """Give view ``t`` an ``AsStridedBackward0`` node over ``base``'s current history
    (called when ``t``'s memory changed through another view since its node was made).

    Raises:
        RuntimeError: for an output of an op returning several views (``split``), whose
            node PyTorch does not regenerate.
    """
    if t._multi_view and t._grad_fn is not None:
        raise RuntimeError(f"{_view_op(t)} is a view and its base or another view of its base has been "
                           "modified inplace. " + _MULTI_VIEWS)
    b = t._backend
    index, mask = _view_positions(t, base)
    vctx = Context((True,), b)
    vctx.__dict__.update(shape=tuple(t.shape), index=index, mask=mask,
                         base_shape=tuple(base.shape))
    t.grad_fn = new_node(AsStridedViewFn, vctx, (_edge(base),), AsStridedViewFn.name)


def _keep_original_self(ctx, t):
    """An in-place op that saved ``self`` for its backward (``mul_``, ``log_``) needs the values
    from before the write: PyTorch saves a copy of the original ``self`` in that case.
    ``self`` is the first saved slot by convention of the ``Function``s in ``_ops``."""
    saved = getattr(ctx, "_saved", None)
    packed = saved.__class__ is PackedSaved  # (saved_tensors_hooks: pack the copy instead)
    if saved and (getattr(saved[0], "source", None) == id(t) if packed else saved[0] is t):
        xp = t._backend.xp
        orig = Tensor._wrap(xp.asarray(t._data, copy=True), t.device, t._backend)
        if t._requires_grad:  # the copy keeps the values' history (create_graph differentiates it)
            orig._requires_grad = True
            orig.grad_fn = t.grad_fn
            orig._accumulator = t._accumulator
        ctx._saved = (orig,) + tuple(saved[1:])
        ctx._versions = (0,) + tuple(ctx._versions[1:])
        if packed:
            ctx._saved = PackedSaved((pack_one(orig),) + tuple(saved[1:]))


def _resave(ctx, t, result):
    """After an in-place write, a node that saved its output (``exp_``) must have saved
    ``t`` itself at its new version, as PyTorch does; saved inputs keep the version they
    had before the write (so ``x.mul_(x)`` fails in backward, as in PyTorch)."""
    saved = getattr(ctx, "_saved", None)
    if not saved or not ctx._save_output:
        return
    if saved.__class__ is PackedSaved:  # (saved_tensors_hooks: pack ``t`` instead)
        if getattr(saved[-1], "source", None) == id(result):
            ctx._saved = PackedSaved(saved[:-1] + (pack_one(t),))
        return
    if saved[-1] is not result:
        return
    ctx._saved = saved[:-1] + (t,)
    ctx._versions = ctx._versions[:-1] + (t._version_counter[0],)


_scalar_name = D.scalar_name
