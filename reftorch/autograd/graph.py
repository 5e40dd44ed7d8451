"""The nodes of the autograd graph (PyTorch's ``torch.autograd.graph.Node``).

A tensor's ``grad_fn`` is a :class:`Node`; each op's node class is named as in PyTorch
(``MulBackward0`` …) and made once per name by :func:`node_class`. A leaf that requires grad
is reached through its :class:`AccumulateGrad`. Both the internal ops (``function.py``) and
the public ``autograd.Function`` (``_custom_function.py``) record these nodes, so they live
below both.
"""
from __future__ import annotations

import collections
import re
import textwrap
import weakref

from .._codegen import compile_function
from .._layout import contiguous_strides, copy_with_strides, is_non_overlapping_and_dense
from .._grad_state import anomaly as _anomaly
from .._tensor import Tensor, tensor_string, SAVED_INFERENCE
from .anomaly_mode import forward_trace

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


def saved_version_source(t, version):
    """The statements that set ``version`` to the version at which the saved item ``t`` is
    kept (names in the code they go into): its version counter's value for a tensor, None
    for anything else (an array, None, a number). They raise RuntimeError for an inference
    tensor (PyTorch cannot save one for backward). :func:`_saved_version` runs them;
    ``Context.save_for_backward`` has them inline in its loop (a call less per item)."""
    return f"""\
if {t}.__class__ is not Tensor and not isinstance({t}, Tensor):  # an array, None, a number
    {version} = None
elif {t}._is_inference:
    raise RuntimeError(SAVED_INFERENCE)
else:
    {version} = {t}._version_counter[0]
"""


_saved_version = compile_function(
    "def _saved_version(t):\n" + textwrap.indent(saved_version_source("t", "version") + "return version\n", "    "),
    "_saved_version", {"Tensor": Tensor, "SAVED_INFERENCE": SAVED_INFERENCE})
_saved_version.__module__ = __name__
_saved_version.__doc__ = """The version at which a saved item is kept: None for anything but a tensor
(compiled from :func:`saved_version_source`).

Raises:
    RuntimeError: for an inference tensor (PyTorch cannot save one for backward).
"""


_HINT = ("enable anomaly detection to find the operation that failed to compute its gradient, with "
         "torch.autograd.set_detect_anomaly(True, check_nan=False).")
_HINT_IN_ANOMALY_MODE = ("the backtrace further above shows the operation that failed to compute its gradient. The "
                         "variable in question was changed in there or anywhere later. Good luck!")


#: ``Tensor._multi_view`` of an argument that a one-output custom Function returned as is:
#: PyTorch refuses in-place writes into it (its error then says so), as into the outputs of
#: an op returning several views (``True``).
CUSTOM_FUNCTION_VIEW = "custom Function"


def _handle(hooks):
    """A ``RemovableHandle`` over the dict ``hooks``."""
    # (imported here: the reftorch.utils package is a public namespace above autograd, whose
    # __init__ loads reftorch.utils.data, written over the finished reftorch package)
    from ..utils.hooks import RemovableHandle
    return RemovableHandle(hooks)


class NodeHooks:
    """The hooks of one graph node: ``pre`` (``Node.register_prehook``) and ``post``
    (``Node.register_hook``), each ``{handle id: hook}`` in registration order."""

    __slots__ = ("pre", "post")

    def __init__(self):
        self.pre = collections.OrderedDict()
        self.post = collections.OrderedDict()


#: node -> :class:`NodeHooks`, for the nodes that have any (the engine looks here; see
#: ``_hooks.run_node_with_hooks``).
NODE_HOOKS = weakref.WeakKeyDictionary()


def register_node_hook(node, fn, pre):
    """Add ``fn`` to ``node``'s pre-hooks (``pre``) or post-hooks; returns its handle."""
    hooks = NODE_HOOKS.get(node)
    if hooks is None:
        hooks = NODE_HOOKS[node] = NodeHooks()
    table = hooks.pre if pre else hooks.post
    handle = _handle(table)
    table[handle.id] = fn
    return handle


class NodeHookMethods:
    """``register_hook`` and ``register_prehook`` of a graph node (``torch.autograd.graph.Node``)."""

    __slots__ = ()

    def register_hook(self, fn):
        """Run ``fn(grad_inputs, grad_outputs)`` after this node's backward: ``grad_outputs``
        are the gradients it received (one per output, ``None`` for an output none reached),
        ``grad_inputs`` those it computed (one per ``next_functions`` entry). A non-None
        result (a tuple of the same length) replaces ``grad_inputs``. Mirrors
        ``torch.autograd.graph.Node.register_hook``.

        Returns:
            A ``RemovableHandle``.
        """
        return register_node_hook(self, fn, pre=False)

    def register_prehook(self, fn):
        """Run ``fn(grad_outputs)`` before this node's backward; a non-None result (a tuple
        of the same length) replaces ``grad_outputs``. Mirrors
        ``torch.autograd.graph.Node.register_prehook``.

        Returns:
            A ``RemovableHandle``.
        """
        return register_node_hook(self, fn, pre=True)


class Node(NodeHookMethods):
    """A recorded operation: the ``grad_fn`` of a tensor.

    Attributes:
        next_functions: one ``(node, output_nr)`` pair per tensor input; ``node`` is the
            input's ``grad_fn``, its ``AccumulateGrad`` if it is a leaf that requires grad,
            or ``None``; ``output_nr`` says which output of that node the input is (0 but
            for the outputs of a :class:`MultiOutputNode`).
    """

    __slots__ = ("_fn", "ctx", "next_functions", "_name", "_retained", "_slots", "_trace", "__weakref__")
    #: False: one output. The engine sums the gradients reaching a node; for a
    #: :class:`MultiOutputNode` it keeps them apart, one slot per output.
    _multi = False

    # __init__(self, fn, ctx, next_functions, name, slots=None): compiled from node_source (below)

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
                    f"inplace operation: [{tensor_string(item)} [{', '.join(map(str, item.shape))}]]"
                    f"{where} is at version {item._version_counter[0]}; expected version {v} instead. Hint: "
                    + (_HINT_IN_ANOMALY_MODE if _anomaly.enabled else _HINT))

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


def node_source(node, fn, ctx, next_functions, name, slots):
    """The statements that set every field of a new :class:`Node` (the one place they are
    listed): the arguments are the names, or expressions, in the code the statements go
    into, of the node (``object.__new__`` of its class), the op's Function class, its
    context, its ``next_functions``, its name and ``slots`` (which of ``backward``'s
    gradients feed ``next_functions``: None for all). ``Node.__init__`` runs them; every
    op's generated ``apply`` (:mod:`reftorch.autograd.function`) has them inline, which
    saves a class call per recorded op."""
    return f"""\
{node}._fn = {fn}
{node}.ctx = {ctx}
{node}.next_functions = {next_functions}
{node}._name = {name}
{node}._retained = None
{node}._slots = {slots}
if _anomaly.enabled:  # (anomaly mode: the forward stack, for a failing backward's report)
    {node}._trace = _forward_trace()
"""


#: The names :func:`node_source`'s statements read, for the scopes they are compiled in.
NODE_SCOPE = {"_anomaly": _anomaly, "_forward_trace": forward_trace}


Node.__init__ = compile_function(
    "def __init__(self, fn, ctx, next_functions, name, slots=None):\n"
    + textwrap.indent(node_source("self", "fn", "ctx", "next_functions", "name", "slots"), "    "),
    "__init__", dict(NODE_SCOPE))
Node.__init__.__qualname__, Node.__init__.__module__ = "Node.__init__", __name__


class MultiOutputNode(Node):
    """The node of an op with several differentiable outputs (``split``, ``unbind``,
    ``var_mean`` …): every output tensor has it as ``grad_fn``, told apart by its
    ``output_nr``, as in PyTorch. The engine collects the gradients per output and calls
    the op's ``backward(ctx, *grads)`` once, with ``None`` for an output no gradient reached.

    Attributes:
        n_outputs: the number of outputs.
    """

    __slots__ = ("n_outputs",)
    _multi = True

    # __init__(self, fn, ctx, next_functions, name, slots=None, n_outputs=1): compiled from
    # multi_node_source (below); ``_retained`` (None) is, for this class, a mapping
    # output_nr -> weak reference to the output tensor, made by retain_grad on an output

    def apply(self, grads, retain_graph):
        """Run the op's backward on ``grads`` (one array or ``None`` per output)."""
        ctx = self.ctx
        if ctx._saved is None:
            raise RuntimeError(_FREED)
        self._check_saved()
        out = self._fn.backward(ctx, *grads)
        if not isinstance(out, tuple):
            out = (out,)
        if self._slots is not None:
            out = tuple(out[i] if i < len(out) else None for i in self._slots)
        if not retain_graph and ctx._saved:
            ctx._saved = None
        return out


#: One ``Node`` subclass per ``grad_fn`` name (``MulBackward0``, ...), made on first use:
#: ``type(t.grad_fn).__name__`` is the name, as PyTorch has one class per backward.
_NODE_CLASSES = {}  #: name -> Node subclass (one output)
_MULTI_NODE_CLASSES = {}  #: name -> MultiOutputNode subclass


def node_class(name, multi=False):
    """The ``Node`` subclass whose ``__name__`` is the last part of ``name``
    (``"torch::autograd::CopySlices"`` -> ``CopySlices``); a :class:`MultiOutputNode` with
    ``multi``. One class per name and kind: a name is mostly one or the other, but some
    serve both (``torch::autograd::NotImplemented`` for one output or several)."""
    registry = _MULTI_NODE_CLASSES if multi else _NODE_CLASSES
    cls = registry.get(name)
    if cls is None:
        short = name.rsplit("::", 1)[-1]
        cls = registry[name] = type(Node)(short, (MultiOutputNode if multi else Node,),
                                          {"__slots__": (), "__qualname__": short})
    return cls


def new_node(fn, ctx, next_functions, name, slots=None):
    """A graph node of the class named ``name`` (see :func:`node_class`)."""
    return (_NODE_CLASSES.get(name) or node_class(name))(fn, ctx, next_functions, name, slots)


class AccumulateGrad:
    """The node that adds an incoming gradient to a leaf tensor's ``.grad``."""

    __slots__ = ("variable", "next_functions", "__weakref__")
    _multi = False

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def accumulate(self, grad_array, steal=False):
        """Add ``grad_array`` to ``.grad``. The first gradient is copied, unless ``steal``
        says the caller hands over the only reference to an array owning its memory, and
        laid out by PyTorch's gradient layout contract: with the leaf's strides when the
        leaf is non-overlapping and dense (a transposed or channels-last leaf), else
        row-major."""
        t = self.variable
        if t._grad is None:
            b = t._backend
            data = t._data
            shape = data.shape
            if b.is_c_contiguous(data) and 1 not in shape:  # a row-major leaf: a row-major gradient
                if not (steal and b.is_c_contiguous(grad_array)):
                    grad_array = b.copy(grad_array)
            else:  # PyTorch's obeys_layout_contract / clone_obey_contract
                shape, leaf = tuple(shape), b.strides(data)
                if is_non_overlapping_and_dense(shape, leaf):  # the leaf's strides (size-1 dims: any but 0)
                    obeys = all(h == s if n != 1 else h != 0 for h, s, n in zip(b.strides(grad_array), leaf, shape))
                    want = leaf
                else:  # row-major
                    obeys, want = b.is_c_contiguous(grad_array), contiguous_strides(shape)
                if not (steal and obeys):
                    grad_array = copy_with_strides(b, grad_array, want)
            t._grad = Tensor._wrap(grad_array, t.device)
        else:
            g = t._grad
            g._data += grad_array  # in place: `g is t.grad` stays True, like PyTorch
            g._bump_version()


def multi_node_source(node, fn, ctx, next_functions, name, slots, n_outputs):
    """:func:`node_source` for a :class:`MultiOutputNode`: those statements and the one
    that sets ``n_outputs``, the number of outputs. ``MultiOutputNode.__init__`` runs them;
    the recording step of an op with several outputs has them inline."""
    return node_source(node, fn, ctx, next_functions, name, slots) + f"{node}.n_outputs = {n_outputs}\n"


MultiOutputNode.__init__ = compile_function(
    "def __init__(self, fn, ctx, next_functions, name, slots=None, n_outputs=1):\n"
    + textwrap.indent(multi_node_source("self", "fn", "ctx", "next_functions", "name", "slots", "n_outputs"), "    "),
    "__init__", dict(NODE_SCOPE))
MultiOutputNode.__init__.__qualname__ = "MultiOutputNode.__init__"
MultiOutputNode.__init__.__module__ = __name__


def edge_source(t, edge):
    """The statements that set ``edge`` to the ``next_functions`` entry of input tensor
    ``t``, ``(node, output_nr)`` (names in the code they go into; they also set ``prev`` and
    ``acc``, and read ``AccumulateGrad``): its ``grad_fn``, its :class:`AccumulateGrad` if it
    is a leaf that requires grad (made on first use), else ``(None, 0)``. :func:`_edge` runs
    them; every op's generated ``apply`` has them inline (a call less per input)."""
    return f"""\
if {t}._base is None:
    prev = {t}._grad_fn
else:  # the property may regenerate a view's node
    prev = {t}.grad_fn
if prev is not None:
    {edge} = (prev, {t}._output_nr)
elif {t}._requires_grad:
    acc = {t}._accumulator
    if acc is None:
        acc = {t}._accumulator = AccumulateGrad({t})
    {edge} = (acc, 0)
else:
    {edge} = (None, 0)
"""


_edge = compile_function("def _edge(t):\n" + textwrap.indent(edge_source("t", "edge") + "return edge\n", "    "),
                         "_edge", {"AccumulateGrad": AccumulateGrad})
_edge.__module__ = __name__
_edge.__doc__ = """The ``next_functions`` entry for input tensor ``t``: ``(node, output_nr)``
(compiled from :func:`edge_source`)."""
