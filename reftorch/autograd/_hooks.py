"""Gradient hooks on tensors (``Tensor.register_hook``).

A hook belongs to the graph node that receives the tensor's gradient: its ``grad_fn``
for a non-leaf, its ``AccumulateGrad`` for a leaf. The engine (``engine.py``) passes a
node's gradient through :func:`run_tensor_hooks` before anything else uses it (the node's
backward, ``retain_grad``, accumulation into ``.grad``, the result of
``torch.autograd.grad``), so a hook that returns a tensor replaces the gradient. The
outputs of a multi-output node (``split``'s pieces) share it: each hook also records its
tensor's ``output_nr``, and runs on that output's gradient only.

Hooks on a graph node (``grad_fn.register_prehook`` / ``grad_fn.register_hook``, which
``nn.Module``'s backward hooks are built on) see all of the node's gradients at once, as
tensors: :func:`run_node_with_hooks` runs the node between its pre-hooks, which may replace
the gradients it receives, and its post-hooks, which may replace those it computes. A
custom Function's node runs its post-hooks itself (:func:`run_node_post_hooks`), on the
gradients its ``backward`` returned before they are checked and cast.

``Tensor.register_post_accumulate_grad_hook`` hooks belong to a leaf tensor: they run,
with the tensor, each time a backward pass has added a gradient into its ``.grad``
(:func:`run_post_accumulate_hooks`; not for ``torch.autograd.grad``, which leaves ``.grad``
alone).
"""
from __future__ import annotations

import collections
import weakref

from .._tensor import Tensor, tensor_type_name
from .graph import NODE_HOOKS, AccumulateGrad, _handle

#: node -> {handle id: (hook, tensor device, tensor backend, output_nr)}, in registration order.
TENSOR_HOOKS = weakref.WeakKeyDictionary()


#: How many tensors have had a post-accumulate-grad hook (0: the engine looks for none).
#: The hooks themselves live on the tensor: ``{handle id: hook}`` in its ``__dict__``.
POST_ACCUMULATE_HOOKED = [0]
_POST_HOOKS = "_post_accumulate_grad_hooks"


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


def _replaced(hook, res, before):
    """A node hook's result ``res`` in place of ``before`` (a tuple), checked as PyTorch does."""
    if not isinstance(res, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(res).__name__}'")
    if len(res) != len(before):
        name = getattr(hook, "__name__", type(hook).__name__)
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got {len(res)}, but "
                           f"expected {len(before)})")
    for new, old in zip(res, before):
        if new is not None and old is not None and tuple(new.shape) != tuple(old.shape):
            name = getattr(hook, "__name__", type(hook).__name__)
            raise RuntimeError(f"hook '{name}' has changed the size of value")
    return res


def run_node_post_hooks(node, grad_inputs, grad_outputs):
    """``grad_inputs`` (a tuple of tensors or ``None``) after ``node``'s post-hooks, each
    called as ``hook(grad_inputs, grad_outputs)``."""
    hooks = NODE_HOOKS.get(node)
    if hooks is None:
        return grad_inputs
    for hook in list(hooks.post.values()):
        res = hook(grad_inputs, grad_outputs)
        if res is not None:
            grad_inputs = _replaced(hook, res, grad_inputs)
    return grad_inputs


def run_node_with_hooks(node, grad, run, device, backend, as_tensor):
    """Run ``node`` (``run(grad)``: its backward, gradient arrays out) between its hooks.
    ``grad`` is its gradient (an array), or for a multi-output node a list with one per
    output; ``device`` and ``backend`` are those the hooks' tensors get; with
    ``as_tensor`` (create_graph) the gradients are tensors already."""
    hooks = NODE_HOOKS[node]

    def wrap(a):
        return a if as_tensor or a is None else Tensor._wrap(a, device, backend)

    def unwrap(t):
        return t if as_tensor or t is None else t._data

    grads = tuple(grad) if node._multi else (grad,)
    grad_outputs = tuple(map(wrap, grads))
    for hook in list(hooks.pre.values()):
        res = hook(grad_outputs)
        if res is not None:
            grad_outputs = _replaced(hook, res, grad_outputs)
    if hooks.pre:
        grads = tuple(map(unwrap, grad_outputs))
        grad = list(grads) if node._multi else grads[0]
    if getattr(node, "runs_own_post_hooks", False):
        node._hook_grad_outputs = grad_outputs
        return run(grad)
    out = run(grad)
    if not hooks.post:
        return out
    # (a backward may leave off trailing ``None`` gradients: the hooks get one per edge)
    grad_inputs = tuple(map(wrap, out)) + (None,) * (len(node.next_functions) - len(out))
    return tuple(map(unwrap, run_node_post_hooks(node, grad_inputs, grad_outputs)))
