"""Gradient hooks on tensors (``Tensor.register_hook``).

A hook belongs to the graph node that receives the tensor's gradient: its ``grad_fn``
for a non-leaf, its ``AccumulateGrad`` for a leaf. The engine (``engine.py``) passes a
node's gradient through :func:`run_tensor_hooks` before anything else uses it (the node's
backward, ``retain_grad``, accumulation into ``.grad``, the result of
``torch.autograd.grad``), so a hook that returns a tensor replaces the gradient. The
outputs of a multi-output node (``split``'s pieces) share it: each hook also records its
tensor's ``output_nr``, and runs on that output's gradient only.

``Node.register_prehook`` / ``Node.register_hook`` (set on every node class at the end of
this module) keep their hooks in :data:`NODE_HOOKS`; the engine runs them around the node
(:func:`run_node_prehooks`, :func:`run_node_posthooks`).

``Tensor.register_post_accumulate_grad_hook`` hooks belong to a leaf tensor: they run,
with the tensor, each time a backward pass has added a gradient into its ``.grad``
(:func:`run_post_accumulate_hooks`; not for ``torch.autograd.grad``, which leaves ``.grad``
alone).
"""
from __future__ import annotations

import collections
import weakref

from .._tensor import Tensor, tensor_type_name
from ._custom_function import BackwardCFunction
from .function import AccumulateGrad, Node

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


# ------------------------------------------------------------------ hooks on graph nodes

#: node -> ({handle id: pre-hook}, {handle id: hook}), for ``Node.register_prehook`` and
#: ``Node.register_hook``; its ``data`` dict is empty while no node has a hook (the
#: engine's fast test).
NODE_HOOKS = weakref.WeakKeyDictionary()


def _node_hooks(node, i):
    hooks = NODE_HOOKS.get(node)
    if hooks is None:
        hooks = NODE_HOOKS[node] = (collections.OrderedDict(), collections.OrderedDict())
    handle = _handle(hooks[i])
    return hooks[i], handle


def node_register_prehook(self, fn):
    """Register ``fn(grad_outputs) -> tuple or None`` on this node: it runs before the
    node, after the tensor hooks, with a tuple of the gradients reaching the node's
    outputs (None for an output none reached); a tuple it returns replaces them. Mirrors
    ``torch.autograd.graph.Node.register_prehook``.

    Returns:
        A ``RemovableHandle``.
    """
    hooks, handle = _node_hooks(self, 0)
    hooks[handle.id] = fn
    return handle


def node_register_hook(self, fn):
    """Register ``fn(grad_inputs, grad_outputs) -> tuple or None`` on this node: it runs
    after the node with the gradients it computed for its inputs (``()`` for an
    ``AccumulateGrad``) and those it received; a tuple it returns replaces
    ``grad_inputs``. Mirrors ``torch.autograd.graph.Node.register_hook``.

    Returns:
        A ``RemovableHandle``.
    """
    hooks, handle = _node_hooks(self, 1)
    hooks[handle.id] = fn
    return handle


def _as_tensors(grads, dev, backend):
    return tuple(g if g is None or isinstance(g, Tensor) else Tensor._wrap(g, dev, backend) for g in grads)


def _checked(new, old, hook, as_tensor):
    """The gradients a node hook returned in place of ``old``: arrays unless ``as_tensor``."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(old):
        name = getattr(hook, "__name__", type(hook).__name__)
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got {len(new)}, "
                           f"but expected {len(old)})")
    return tuple(g if g is None or as_tensor else g._data for g in new)


def run_node_prehooks(node, grads, dev, backend, as_tensor):
    """``grads`` (a tuple, one per output of ``node``) after the node's pre-hooks; gradient
    arrays reach the hooks as tensors on ``dev``."""
    hooks = NODE_HOOKS.get(node)
    if not hooks or not hooks[0]:
        return grads
    for hook in list(hooks[0].values()):
        new = hook(_as_tensors(grads, dev, backend))
        if new is not None:
            grads = _checked(new, grads, hook, as_tensor)
    return grads


def run_node_posthooks(node, grad_inputs, grad_outputs, dev, backend, as_tensor):
    """``grad_inputs`` (what ``node`` computed, one per ``next_functions`` entry) after the
    node's hooks, which also see ``grad_outputs``."""
    hooks = NODE_HOOKS.get(node)
    if not hooks or not hooks[1]:
        return grad_inputs
    outs = _as_tensors(grad_outputs, dev, backend)
    for hook in list(hooks[1].values()):
        new = hook(_as_tensors(grad_inputs, dev, backend), outs)
        if new is not None:
            grad_inputs = _checked(new, grad_inputs, hook, as_tensor)
    return grad_inputs


for _cls in (Node, AccumulateGrad, BackwardCFunction):
    _cls.register_hook = node_register_hook
    _cls.register_prehook = node_register_prehook
del _cls
