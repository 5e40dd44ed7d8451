"""Differentiable operations and the graph nodes they record.

Every differentiable op in reftorch is a subclass of :class:`OpFunction` with two static
methods that work on backend arrays:

* ``forward(ctx, *inputs, **params)`` receives the input *tensors* (read their arrays with
  ``x._data``) and non-tensor parameters, and returns the output array;
* ``backward(ctx, grad)`` receives the gradient array of the output and returns one
  gradient array (or ``None``) per positional input.

With ``create_graph=True`` the engine runs the same ``backward`` on tensors, through a
namespace of differentiable ops standing in for ``ctx.xp``, for the ops that set
``create_graph = True`` (see ``_graph.py``).

``OpFunction.apply`` runs ``forward``, wraps the result in a tensor and, when gradients are
being recorded and an input requires grad, attaches a :class:`Node` (the tensor's
``grad_fn``) named as in PyTorch (``CatBackward0``, ``ViewBackward0``, …).
"""
from __future__ import annotations

import re

from .._layout import fix_empty_strides, relayout_like_operands
from .._tensor import Tensor, tensor_type_name, SAVED_INFERENCE
from .grad_mode import _state as _grad_state

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


def _saved_version(t):
    """The version at which a saved tensor is kept (None for a saved array).

    Raises:
        RuntimeError: for an inference tensor (PyTorch cannot save one for backward).
    """
    counter = getattr(t, "_version_counter", None)
    if counter is None:
        return None
    if t._is_inference:
        raise RuntimeError(SAVED_INFERENCE)
    return counter[0]


class Context:
    """What a forward pass leaves for its backward pass (PyTorch's ``ctx``)."""

    __slots__ = ("_saved", "_versions", "_save_output", "needs_input_grad", "node", "backend", "xp", "__dict__")

    def __init__(self, needs_input_grad, backend):
        self._saved = ()
        self._versions = ()
        self._save_output = False
        self.needs_input_grad = needs_input_grad
        self.backend = backend
        self.xp = backend.xp

    def save_for_backward(self, *items):
        """Keep tensors (checked for in-place changes) or arrays for the backward pass."""
        self._saved = items
        self._versions = tuple([_saved_version(t) for t in items])

    def save_output(self):
        """Ask ``apply`` to save the output tensor too (it is appended to ``saved_tensors``)."""
        self._save_output = True

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError(_FREED)
        return self._saved


class Node:
    """A recorded operation: the ``grad_fn`` of a tensor.

    Attributes:
        next_functions: one ``(node, 0)`` pair per tensor input; ``node`` is the input's
            ``grad_fn``, its ``AccumulateGrad`` if it is a leaf that requires grad, or
            ``None``.
    """

    __slots__ = ("_fn", "ctx", "next_functions", "_name", "_retained", "_slots", "__weakref__")

    def __init__(self, fn, ctx, next_functions, name, slots=None):
        self._fn = fn
        self.ctx = ctx
        self.next_functions = next_functions
        self._name = name
        self._retained = None
        self._slots = slots  # which of backward's gradients feed next_functions (None: all)

    def name(self) -> str:
        return self._name

    def __repr__(self):
        return f"<{self._name.rsplit('::', 1)[-1]} object at {hex(id(self))}>"

    def _check_saved(self):
        ctx = self.ctx
        if ctx._saved is None:
            raise RuntimeError(_FREED)
        for item, v in zip(ctx._saved, ctx._versions):
            if v is not None and item._version_counter[0] != v:
                # A saved output names the node that made it; a saved input its current grad_fn.
                if ctx._save_output and item is ctx._saved[-1]:
                    producer = self._name
                else:
                    producer = item.grad_fn.name() if item.grad_fn is not None else None
                if producer:
                    producer = re.sub(r"Backward\d*$", "", producer.rsplit("::", 1)[-1])
                where = f", which is output 0 of {producer}," if producer else ""
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{tensor_type_name(item)} [{', '.join(map(str, item.shape))}]]"
                    f"{where} is at version {item._version_counter[0]}; expected version {v} instead. Hint: "
                    "enable anomaly detection to find the operation that failed to compute its "
                    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")

    def apply(self, grad, retain_graph):
        ctx = self.ctx
        if ctx._saved is None:
            raise RuntimeError(_FREED)
        self._check_saved()
        grads = self._fn.backward(ctx, grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if self._slots is not None:
            grads = tuple(grads[i] if i < len(grads) else None for i in self._slots)
        if not retain_graph and ctx._saved:
            ctx._saved = None  # free saved tensors, as PyTorch does
        return grads

    def register_hook(self, fn):  # pragma: no cover - rarely used
        raise NotImplementedError("Node hooks are not implemented in reftorch")


#: One ``Node`` subclass per ``grad_fn`` name (``MulBackward0``, ...), made on first use:
#: ``type(t.grad_fn).__name__`` is the name, as PyTorch has one class per backward.
_NODE_CLASSES = {}


def node_class(name):
    """The ``Node`` subclass whose ``__name__`` is the last part of ``name``
    (``"torch::autograd::CopySlices"`` -> ``CopySlices``)."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        short = name.rsplit("::", 1)[-1]
        cls = _NODE_CLASSES[name] = type(Node)(short, (Node,), {"__slots__": (), "__qualname__": short})
    return cls


def new_node(fn, ctx, next_functions, name, slots=None):
    """A graph node of the class named ``name`` (see :func:`node_class`)."""
    return (_NODE_CLASSES.get(name) or node_class(name))(fn, ctx, next_functions, name, slots)


class AccumulateGrad:
    """The node that adds an incoming gradient to a leaf tensor's ``.grad``."""

    __slots__ = ("variable", "next_functions", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def accumulate(self, grad_array, steal=False):
        """Add ``grad_array`` to ``.grad``. The first gradient is copied, unless ``steal``
        says the caller hands over the only reference to an array owning its memory."""
        t = self.variable
        if t._grad is None:
            t._grad = Tensor._wrap(grad_array if steal else t._backend.copy(grad_array), t.device)
        else:
            g = t._grad
            g._data += grad_array  # in place: `g is t.grad` stays True, like PyTorch
            g._bump_version()


def _edge(t):
    """The ``next_functions`` entry for input tensor ``t``."""
    fn = t._grad_fn if t._base is None else t.grad_fn  # the property may regenerate a view's node
    if fn is not None:
        return (fn, 0)
    if t._requires_grad:
        acc = t._accumulator
        if acc is None:
            acc = t._accumulator = AccumulateGrad(t)
        return (acc, 0)
    return (None, 0)


class OpFunction:
    """Base class of reftorch's differentiable operations (see the module docstring).

    The public ``torch.autograd.Function`` (tensors in, tensors out) is
    :class:`reftorch.autograd.function.Function`, defined in ``_custom_function.py`` over
    the same graph nodes and engine.

    Class attributes:
        name: the ``grad_fn`` name PyTorch uses, e.g. ``"CatBackward0"``.
        is_view: True when the output shares memory with the first input.
        nondiff: positions of inputs without an edge in ``next_functions``.
        differentiable: False for ops whose output never requires grad.
    """

    name = "Backward"
    is_view = False
    #: positions of inputs that are not differentiable (an index, a mask): PyTorch gives
    #: them no entry in ``next_functions``.
    nondiff = ()
    #: True for element-wise ops: the result is laid out like the inputs, as PyTorch's
    #: TensorIterator does (``elementwise_from``: the first input that counts).
    elementwise = False
    elementwise_from = 0
    #: True when ``backward`` may run on tensors for ``create_graph=True`` (``_graph.py``):
    #: every dependence on a differentiable input goes through ``ctx.saved_tensors``, and
    #: the formula uses only ``ctx.xp``/``ctx.backend`` functions the tensor namespace has.
    create_graph = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    #: How many leading positional arguments of ``apply`` are the tensor inputs; the rest
    #: are ``forward``'s parameters, passed on positionally (per-call overhead: a keyword
    #: call costs a dict). ``None``: every positional argument is an input, and the
    #: parameters come as keywords; a negative number: all but that many trailing ones.
    arity = None
    #: False for ops whose kernel cannot raise a floating-point warning (views, picking
    #: elements): ``apply`` then runs it outside the backend's quiet error state.
    can_warn = True

    @classmethod
    def apply(cls, *args, _name=None, _out=None, _skip=None, **params):
        arity = cls.arity
        x0 = args[0]
        if arity == 1:  # one input (views, most unary ops): no slice, no loop (per-call overhead)
            needs = x0._requires_grad and _grad_state.enabled
            inputs = None  # args[:1], made only where it is used
        else:
            inputs = args[:arity]
            needs = False
            for t in inputs:  # a plain loop: no generator frame
                if t._requires_grad:
                    needs = _grad_state.enabled  # the grad-mode check, once, and only where it matters
                    break
        b0 = x0._backend
        if needs:
            if inputs is None:
                inputs = args[:1]
            ctx = Context(tuple([t._requires_grad for t in inputs]), b0)
        else:
            ctx = _NO_CTX
        warn = cls.can_warn
        if warn:
            quiet = b0.quiet_enter()  # no floating-point warnings, as in PyTorch
        try:
            # A call with the arguments spelled out: ``forward(ctx, *args)`` costs ~0.07 us more.
            n = len(args)
            if params:
                out = cls.forward(ctx, *args, **params)
            elif n == 1:
                out = cls.forward(ctx, x0)
            elif n == 2:
                out = cls.forward(ctx, x0, args[1])
            elif n == 3:
                out = cls.forward(ctx, x0, args[1], args[2])
            elif n == 4:
                out = cls.forward(ctx, x0, args[1], args[2], args[3])
            else:
                out = cls.forward(ctx, *args)
        finally:
            if warn:
                b0.quiet_exit(quiet)
        if _out is None:
            dev, backend = x0._device, b0
        else:  # an op that moves data to another device: _out = (device, backend)
            dev, backend = _out
        result = _new(Tensor)
        if cls.is_view:
            result._init_from(out, dev, backend, needs, x0)
        else:
            if cls.elementwise and out.ndim > 1:  # (relayout_like_operands keeps 0-d and 1-d results)
                out = relayout_like_operands(b0, out, (args[:1] if inputs is None else inputs)[cls.elementwise_from:])
            if 0 in out.shape:
                out = fix_empty_strides(backend, out)
            result._init_from(out, dev, backend, needs)
        if needs:
            skip = cls.nondiff if _skip is None else _skip
            name = _name or cls.name
            if skip:  # inputs PyTorch does not list in next_functions (indices, masks, scalars)
                slots = tuple(i for i in range(len(inputs)) if i not in skip)
                node = new_node(cls, ctx, tuple([_edge(inputs[i]) for i in slots]), name, slots)
            else:
                node = (_NODE_CLASSES.get(name) or node_class(name))(cls, ctx, tuple([_edge(t) for t in inputs]),
                                                                     name)
            result.grad_fn = node
            if ctx._save_output:
                ctx._saved = ctx._saved + (result,)
                ctx._versions = ctx._versions + (result._version_counter[0],)
        return result


_new = object.__new__


class _NoContext:
    """Stands in for ``ctx`` when no graph is recorded: saving is a no-op."""

    needs_input_grad = ()

    def save_for_backward(self, *items):
        pass

    def save_output(self):
        pass

    def __setattr__(self, key, value):
        pass


_NO_CTX = _NoContext()


# The public API (``torch.autograd.function.Function``): user-defined functions whose
# forward and backward work on tensors, recorded in the same graph as the ops above.
from ._custom_function import Function, FunctionCtx, BackwardCFunction, once_differentiable  # noqa: E402,F401
