"""The backward pass: an iterative topological traversal of the recorded graph.

Mirrors the behaviour of PyTorch's ``torch/csrc/autograd/engine.cpp`` for what reftorch
covers: dependencies are counted first, then nodes run once all their gradients have
arrived (Kahn's algorithm, no recursion, so long RNN unrolls are fine), gradients flowing
into the same node are summed, and leaves accumulate into ``.grad``. A node with several
outputs (``split``, ``unbind``, a custom Function returning a tuple) gets its gradients
kept apart, one slot per ``output_nr``, and runs once with all of them. With
``torch.autograd.grad``'s inputs, only the nodes that lead to an input run.
"""
from __future__ import annotations

import sys

from .._grad_state import anomaly as _anomaly
from ._hooks import (POST_ACCUMULATE_HOOKED, TENSOR_HOOKS, run_node_with_hooks, run_post_accumulate_hooks,
                     run_tensor_hooks)
from .anomaly_mode import check_nan, report_failed_node
from . import _graph
from .function import AccumulateGrad
from .graph import GRAPH_TASKS, NODE_HOOKS, GraphTask
from .grad_mode import no_grad, enable_grad


def _refs_of_a_sole_local():
    """``sys.getrefcount`` of an object referenced by one local variable only (measured
    rather than assumed: the count includes the call's own argument, and CPython versions
    differ in how they count)."""
    obj = object()
    return sys.getrefcount(obj)


_SOLE_REFS = _refs_of_a_sole_local()
#: the weak dictionary's own dict, empty when no tensor hook is registered: its truth is a C
#: test (the WeakKeyDictionary's len() is a Python method, ~0.3 us on every node of every backward)
_ANY_HOOKS = TENSOR_HOOKS.data
#: the same for hooks on graph nodes (``grad_fn.register_hook``, ``register_prehook``)
_ANY_NODE_HOOKS = NODE_HOOKS.data


def _run_node(node, grad, retain_graph, create_graph, like):
    """``node``'s backward on ``grad`` (between its hooks, when it has any: their tensors
    get the device and backend of the tensor ``like``)."""
    if _ANY_NODE_HOOKS and node in NODE_HOOKS:
        def run(g):
            return _graph.apply_with_graph(node, g, retain_graph) if create_graph else node.apply(g, retain_graph)
        return run_node_with_hooks(node, grad, run, like.device, like._backend, create_graph)
    if create_graph:
        return _graph.apply_with_graph(node, grad, retain_graph)
    return node.apply(grad, retain_graph)


def _accumulate(node, grad, create_graph, steal=False):
    """The step of the ``AccumulateGrad`` ``node``: ``grad`` added into its leaf's ``.grad``
    (out of place with ``create_graph``; ``steal``: see :func:`run_backward`), then the
    leaf's post-accumulate-grad hooks. Returns the gradients for its (no) next functions."""
    if create_graph:
        _graph.accumulate(node.variable, grad)
    else:
        node.accumulate(grad, steal=steal)
    if POST_ACCUMULATE_HOOKED[0]:
        run_post_accumulate_hooks(node.variable)
    return ()


def run_accumulate_grad(node, grad, create_graph, like, steal=False):
    """:func:`_accumulate` for the ``AccumulateGrad`` ``node``, between the node's own hooks
    when it has any (their tensors get the device and backend of the tensor ``like``)."""
    if _ANY_NODE_HOOKS and node in NODE_HOOKS:
        return run_node_with_hooks(node, grad, lambda g: _accumulate(node, g, create_graph), like.device,
                                   like._backend, create_graph)
    return _accumulate(node, grad, create_graph, steal)


def _dependencies(roots):
    deps = {}
    seen = set()
    stack = list(roots)
    for r in roots:
        seen.add(r)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _needed(roots, targets):
    """For ``torch.autograd.grad``: the nodes whose backward must run, those from which one
    of ``targets`` (the inputs' nodes) is reached through an edge. PyTorch runs no other
    node: their saved tensors stay, their hooks do not run."""
    parents = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            parents.setdefault(nxt, []).append(node)
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    needed = set()
    stack = list(targets)
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _capture_key(t):
    """What ``torch.autograd.grad`` watches for input ``t``: its node, or ``(node,
    output_nr)`` for one output of a multi-output node."""
    fn = t.grad_fn
    if fn is None:
        acc = t._accumulator
        if acc is None:
            acc = t._accumulator = AccumulateGrad(t)
        return acc
    return (fn, t._output_nr) if fn._multi else fn


def _multi_output_step(node, grads, capture, stop_at_inputs, create_graph, retain_graph, needed, like):
    """Run a multi-output node on ``grads`` (a list with one gradient or ``None`` per output,
    or ``None``); per output, as for a one-output node: ``autograd.grad`` captures it, the
    tensor hooks of that output run (on ``None`` for an output without one), ``retain_grad``
    keeps it. Returns the gradients for ``next_functions`` (all ``None`` for a node
    ``autograd.grad`` does not need), or ``None`` when the node stops the pass
    (``stop_at_inputs``). ``like``: a tensor whose device hooks' gradients take."""
    skip = needed is not None and node not in needed
    if grads is None or (skip and not any((node, nr) in capture for nr in range(node.n_outputs))):
        return (None,) * len(node.next_functions)
    hooked = _ANY_HOOKS and node in TENSOR_HOOKS
    retained = node._retained
    stop = False
    for nr, g in enumerate(grads):
        captured = capture is not None and (node, nr) in capture
        if g is not None and captured:
            prev = capture[node, nr]
            capture[node, nr] = g if prev is None else prev + g
            stop = stop or stop_at_inputs
        if hooked and (captured or not skip):  # (an output without a gradient: its hooks see None, as in PyTorch)
            g = grads[nr] = run_tensor_hooks(node, g, nr, create_graph)
        if g is not None and retained is not None and nr in retained:
            t = retained[nr]()
            if t is not None:
                if create_graph:
                    _graph.accumulate(t, g)
                else:
                    AccumulateGrad(t).accumulate(g)
    if stop:
        return None
    if skip:
        return (None,) * len(node.next_functions)
    return _run_node(node, grads, retain_graph, create_graph, like)


def _is_checkpoint_valid() -> bool:
    """PyTorch's ``torch.autograd._is_checkpoint_valid``: False inside a backward pass that
    was given ``inputs`` (``autograd.grad``, ``backward(inputs=...)``), or that runs inside
    such a pass (see :attr:`GraphTask.checkpoint_valid`)."""
    return GRAPH_TASKS[-1].checkpoint_valid if GRAPH_TASKS else True


def run_backward(tensors, grads, retain_graph=False, inputs=None, create_graph=False, stop_at_inputs=False):
    """Propagate ``grads`` (arrays) from ``tensors`` back to the leaves.

    With ``create_graph`` the gradients are tensors instead, each node's backward runs on
    them with recording on (``_graph.apply_with_graph``) and leaves accumulate out of place,
    so the gradients computed have a graph of their own.

    Args:
        tensors: output tensors that have a ``grad_fn`` or require grad.
        grads: one gradient array per tensor, shaped like it.
        retain_graph: keep saved tensors so the graph can be traversed again.
        inputs: if given, a list of tensors whose gradients are returned instead of
            accumulated into ``.grad`` (used by ``torch.autograd.grad``).
        create_graph: record the graph of the backward pass (higher-order gradients).
        stop_at_inputs: go no further back than ``inputs`` (a node recomputing its own
            output as graph ops differentiates it down to its inputs only).

    Returns:
        The gradient arrays (tensors with ``create_graph``) for ``inputs`` (``None`` where no gradient reached), or None.
    """
    roots = []
    buffer = {}
    for t, g in zip(tensors, grads):
        node = t.grad_fn
        if node is None:
            node = t._accumulator
            if node is None:
                node = t._accumulator = AccumulateGrad(t)
        if node._multi:  # one output of several: its slot
            slots = buffer.get(node)
            if slots is None:
                slots = buffer[node] = [None] * node.n_outputs
                roots.append(node)
            nr = t._output_nr
            slots[nr] = g if slots[nr] is None else slots[nr] + g
        elif node in buffer:
            buffer[node] = buffer[node] + g
        else:
            buffer[node] = g
            roots.append(node)

    capture = needed = None
    if inputs is not None:
        capture = dict.fromkeys(map(_capture_key, inputs))
        needed = _needed(roots, [k[0] if k.__class__ is tuple else k for k in capture])

    deps = _dependencies(roots)
    ready = [r for r in roots if deps.get(r, 0) == 0]
    GRAPH_TASKS.append(GraphTask(roots, deps, needed, capture))  # (for register_multi_grad_hook, checkpoint)
    # backward formulas run without floating-point warnings (PyTorch prints none)
    with (enable_grad() if create_graph else no_grad()), tensors[0]._backend.quiet():
        node = None
        try:
            while ready:
                node = ready.pop()
                grad = buffer.pop(node, None)
                if node._multi:
                    out_grads = _multi_output_step(node, grad, capture, stop_at_inputs, create_graph, retain_graph,
                                                   needed, tensors[0])
                    if out_grads is None:
                        continue
                else:
                    # Tensor.register_hook: a hook may replace the gradient. As in PyTorch, what
                    # autograd.grad returns for a leaf is after its hooks, for a non-leaf before.
                    hooked = grad is not None and _ANY_HOOKS and node in TENSOR_HOOKS
                    if hooked and isinstance(node, AccumulateGrad) and (capture is None or node in capture):
                        grad = run_tensor_hooks(node, grad)
                        hooked = False
                    if capture is not None and node in capture:
                        prev = capture[node]
                        capture[node] = grad if prev is None else prev + grad
                        if stop_at_inputs or isinstance(node, AccumulateGrad):
                            continue
                    # (with autograd.grad's inputs, a node leading to none of them does not run)
                    skip = needed is not None and node not in needed
                    if hooked and not (skip and node not in capture):
                        grad = run_tensor_hooks(node, grad)
                    if isinstance(node, AccumulateGrad):
                        if grad is None or capture is not None:
                            continue
                        # A first gradient that nothing else references (not the caller's
                        # gradient, not still waiting in ``buffer`` for another node, not saved
                        # by a node, no array viewing it) and that owns its memory becomes
                        # ``.grad`` without a copy, as PyTorch steals such a buffer.
                        steal = (not create_graph and sys.getrefcount(grad) <= _SOLE_REFS
                                 and node.variable._backend.owns_memory(grad))
                        run_accumulate_grad(node, grad, create_graph, tensors[0], steal)
                        continue
                    if grad is None or skip:
                        out_grads = (None,) * len(node.next_functions)
                    else:
                        if node._retained is not None:
                            t = node._retained()
                            if t is not None:
                                if create_graph:
                                    _graph.accumulate(t, grad)
                                else:
                                    AccumulateGrad(t).accumulate(grad)
                        if _ANY_NODE_HOOKS and node in NODE_HOOKS:
                            out_grads = _run_node(node, grad, retain_graph, create_graph, tensors[0])
                        elif create_graph:
                            out_grads = _graph.apply_with_graph(node, grad, retain_graph)
                        else:
                            out_grads = node.apply(grad, retain_graph)
                if _anomaly.enabled and _anomaly.check_nan:
                    check_nan(node, out_grads, tensors[0]._backend)
                for (nxt, nr), g in zip(node.next_functions, out_grads):
                    if nxt is None:
                        continue
                    if g is not None:
                        if nxt._multi:  # gradients kept apart, one slot per output
                            slots = buffer.get(nxt)
                            if slots is None:
                                slots = buffer[nxt] = [None] * nxt.n_outputs
                            prev = slots[nr]
                            slots[nr] = g if prev is None else prev + g
                        else:
                            prev = buffer.get(nxt)
                            buffer[nxt] = g if prev is None else prev + g
                    deps[nxt] -= 1
                    if deps[nxt] == 0:
                        ready.append(nxt)
                out_grads = g = slots = None  # hold no gradient between steps (see ``steal`` above)
        except Exception:
            if _anomaly.enabled and node is not None:  # (PyTorch's engine reports the node first)
                report_failed_node(node)
            raise
        finally:
            GRAPH_TASKS.pop()
    if capture is not None:
        return [capture[_capture_key(t)] for t in inputs]
    return None
