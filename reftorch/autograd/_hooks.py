"""Gradient hooks on tensors (``Tensor.register_hook``).

A hook belongs to the graph node that receives the tensor's gradient: its ``grad_fn``
for a non-leaf, its ``AccumulateGrad`` for a leaf. The engine (``engine.py``) passes a
node's gradient through :func:`run_tensor_hooks` before anything else uses it (the node's
backward, ``retain_grad``, accumulation into ``.grad``, the result of
``torch.autograd.grad``), so a hook that returns a tensor replaces the gradient. The
outputs of a multi-output node (``split``'s pieces) share it: each hook also records its
tensor's ``output_nr``, and runs on that output's gradient only.

``Tensor.register_post_accumulate_grad_hook`` hooks belong to a leaf tensor: they run,
with the tensor, each time a backward pass has added a gradient into its ``.grad``
(:func:`run_post_accumulate_hooks`; not for ``torch.autograd.grad``, which leaves ``.grad``
alone).
"""
from __future__ import annotations

import collections
import weakref

from .._tensor import Tensor, tensor_type_name
from .function import AccumulateGrad

#: node -> {handle id: (hook, tensor device, tensor backend, output_nr)}, in registration order.
TENSOR_HOOKS = weakref.WeakKeyDictionary()


#: How many tensors have had a post-accumulate-grad hook (0: the engine looks for none).
#: The hooks themselves live on the tensor: ``{handle id: hook}`` in its ``__dict__``.
POST_ACCUMULATE_HOOKED = [0]
_POST_HOOKS = "_post_accumulate_grad_hooks"


def _handle(hooks):
    """A ``RemovableHandle`` over the dict ``hooks``."""
    # (imported here: the reftorch.utils package is a public namespace above autograd, whose
    # __init__ loads reftorch.utils.data, written over the finished reftorch package)
    from ..utils.hooks import RemovableHandle
    return RemovableHandle(hooks)


def register_tensor_hook(t, hook):
    """Register ``hook(grad) -> Tensor or None`` on tensor ``t``; see ``Tensor.register_hook``."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node = t.grad_fn
    if node is None:
        node = t._accumulator
        if node is None:
            node = t._accumulator = AccumulateGrad(t)
    hooks = TENSOR_HOOKS.get(node)
    if hooks is None:
        hooks = TENSOR_HOOKS[node] = collections.OrderedDict()
    handle = _handle(hooks)
    hooks[handle.id] = (hook, t.device, t._backend, t._output_nr)
    return handle


def register_post_accumulate_hook(t, hook):
    """Register ``hook(tensor) -> None`` on the leaf ``t``; see
    ``Tensor.register_post_accumulate_grad_hook``."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = t.__dict__.get(_POST_HOOKS)
    if hooks is None:
        hooks = t.__dict__[_POST_HOOKS] = collections.OrderedDict()
        POST_ACCUMULATE_HOOKED[0] += 1
    handle = _handle(hooks)
    hooks[handle.id] = hook
    return handle


def run_post_accumulate_hooks(t):
    """Call the post-accumulate-grad hooks of leaf ``t`` (its ``.grad`` just updated)."""
    for hook in list(t.__dict__.get(_POST_HOOKS, {}).values()):
        if hook(t) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def run_tensor_hooks(node, grad, output_nr=0, as_tensor=None):
    """``grad`` (a backend array, or a tensor under ``create_graph``: ``as_tensor``) after
    the hooks registered for output ``output_nr`` of ``node`` (its tensor). An output of a
    multi-output node that got no gradient is ``None`` here: its hooks see ``None``, as in
    PyTorch."""
    hooks = TENSOR_HOOKS.get(node)
    if not hooks:
        return grad
    if as_tensor is None:
        as_tensor = isinstance(grad, Tensor)
    for hook, dev, backend, nr in list(hooks.values()):
        if nr != output_nr:
            continue
        value = grad if as_tensor or grad is None else Tensor._wrap(grad, dev, backend)
        new = hook(value)
        if new is None:
            continue
        if value is None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(new, Tensor):
            raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
        if tuple(new.shape) != tuple(value.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if new.dtype != value.dtype or new.device != value.device:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {tensor_type_name(value)} "
                               f"got {tensor_type_name(new)})")
        grad = new if as_tensor else new._data
    return grad
