"""The nodes of the autograd graph (PyTorch's ``torch.autograd.graph.Node``).

A tensor's ``grad_fn`` is a :class:`Node`; each op's node class is named as in PyTorch
(``MulBackward0`` …) and made once per name by :func:`node_class`. A leaf that requires grad
is reached through its :class:`AccumulateGrad`. Both the internal ops (``function.py``) and
the public ``autograd.Function`` (``_custom_function.py``) record these nodes, so they live
below both.

The rest of PyTorch's ``torch.autograd.graph`` is here too: the saved-tensor hooks
(:class:`saved_tensors_hooks`, :class:`save_on_cpu`, :func:`disable_saved_tensors_hooks`:
the recording step packs a node's saved tensors, :meth:`Node._backward` unpacks them),
:func:`register_multi_grad_hook` (over the backward passes the engine lists in
:data:`GRAPH_TASKS`), :class:`GradientEdge` / :func:`get_gradient_edge` and
:func:`increment_version`.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import itertools
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
    """``register_hook``, ``register_prehook`` and ``metadata`` of a graph node
    (``torch.autograd.graph.Node``): the op nodes, ``AccumulateGrad`` and the nodes of
    custom Functions share them."""

    __slots__ = ()

    @property
    def metadata(self):
        """A dict of the user's own, kept with the node (empty at first, made on first use)."""
        try:
            return self._metadata
        except AttributeError:
            self._metadata = {}
            return self._metadata

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


def modified_error(item, version, producer=None):
    """PyTorch's RuntimeError for the saved tensor ``item``, kept at ``version``, changed in
    place since: it names ``producer`` (a node name; by default ``item``'s current
    ``grad_fn``) as the op whose output it is."""
    if producer is None and item.grad_fn is not None:
        producer = item.grad_fn.name()
    if producer:
        producer = re.sub(r"Backward\d*$", "", producer.rsplit("::", 1)[-1])
    where = f", which is output 0 of {producer}," if producer else ""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{tensor_string(item)} [{', '.join(map(str, item.shape))}]]"
        f"{where} is at version {item._version_counter[0]}; expected version {version} instead. Hint: "
        + (_HINT_IN_ANOMALY_MODE if _anomaly.enabled else _HINT))


class Node(NodeHookMethods):
    """A recorded operation: the ``grad_fn`` of a tensor.

    Attributes:
        next_functions: one ``(node, output_nr)`` pair per tensor input; ``node`` is the
            input's ``grad_fn``, its ``AccumulateGrad`` if it is a leaf that requires grad,
            or ``None``; ``output_nr`` says which output of that node the input is (0 but
            for the outputs of a :class:`MultiOutputNode`).
    """

    __slots__ = ("_fn", "ctx", "next_functions", "_name", "_retained", "_slots", "_trace", "_metadata", "__weakref__")
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
                producer = self._name if ctx._save_output and item is ctx._saved[-1] else None
                raise modified_error(item, v, producer)

    def _backward(self, *grads):
        """The op's ``backward(ctx, *grads)``, on the saved tensors checked for in-place
        changes, or, when they were packed by :class:`saved_tensors_hooks`, unpacked
        (PyTorch checks no versions then)."""
        ctx = self.ctx
        saved = ctx._saved
        if saved is None:
            raise RuntimeError(_FREED)
        if saved.__class__ is not PackedSaved:
            self._check_saved()
            return self._fn.backward(ctx, *grads)
        ctx._saved = unpack_saved(saved)
        try:
            return self._fn.backward(ctx, *grads)
        finally:
            ctx._saved = saved

    def apply(self, grad, retain_graph):
        ctx = self.ctx
        grads = self._backward(grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if self._slots is not None:
            grads = tuple(grads[i] if i < len(grads) else None for i in self._slots)
        if not retain_graph and ctx._saved:
            ctx._saved = None  # free saved tensors, as PyTorch does
        return grads


# ------------------------------------------------------------------ saved-tensor hooks

#: The ``(pack_hook, unpack_hook)`` pairs of the :class:`saved_tensors_hooks` contexts in
#: force, innermost last: the recording step of every op packs its saved tensors with the
#: last pair when the list is not empty.
SAVED_HOOKS = []
#: The message of the innermost :func:`disable_saved_tensors_hooks` in force (else None).
_DISABLED = [None]


class PackedSaved(tuple):
    """A node's saved items after the pack hook: a :class:`_Packed` for each tensor, the
    other items (arrays, numbers, None) as they were. The node unpacks them for each
    backward (:func:`unpack_saved`)."""

    __slots__ = ()


class _Packed:
    """What the pack hook made of one saved tensor, with the unpack hook to undo it, the
    ``id`` of the tensor packed (for the in-place ops, which save again:
    ``_ops/_inplace.py``) and, for a tensor that required grad, a weak reference to its
    graph node (its ``grad_fn``, or its ``AccumulateGrad`` for a leaf) and its output
    number: the unpacked tensor is attached there, as PyTorch's ``SavedVariable`` does, so
    a backward pass with ``create_graph`` differentiates through it."""

    __slots__ = ("value", "unpack", "source", "node", "output_nr")

    def __init__(self, value, unpack, source, node, output_nr):
        self.value, self.unpack, self.source, self.node, self.output_nr = value, unpack, source, node, output_nr


def pack_one(t):
    """Saved item ``t`` through the innermost pack hook (a tensor; anything else as it is)."""
    if not isinstance(t, Tensor):
        return t
    pack, unpack = SAVED_HOOKS[-1]
    node, output_nr = _edge(t)
    return _Packed(pack(t), unpack, id(t), None if node is None else weakref.ref(node), output_nr)


def unpack_one(item):
    """The tensor back from the :class:`_Packed` ``item``, through its unpack hook, attached
    to the packed tensor's graph node (when that node still exists).

    Raises:
        TypeError: when the unpack hook returns something that is not a tensor.
    """
    t = item.unpack(item.value)
    if not isinstance(t, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result "
                        f"of type {type(t).__name__}")
    node = None if item.node is None else item.node()
    if node is None or t.grad_fn is node or t._accumulator is node:
        return t
    t = t.detach()
    t._requires_grad = True
    if node.__class__ is AccumulateGrad:
        t._accumulator = node
    else:
        t._grad_fn, t._output_nr = node, item.output_nr
    return t


def pack_saved(items):
    """A node's saved items, packed (:func:`pack_one` each) into a :class:`PackedSaved`."""
    return PackedSaved([pack_one(t) for t in items])


def unpack_saved(items):
    """The saved tensors back from a :class:`PackedSaved` (:func:`unpack_one` each)."""
    return tuple(unpack_one(item) if item.__class__ is _Packed else item for item in items)


class saved_tensors_hooks:
    """Context manager setting a pair of hooks on the tensors that the ops recorded inside
    it save for their backward. ``pack_hook(tensor)`` runs when an op saves a tensor and
    may return any object; ``unpack_hook(that object)`` runs when the backward pass needs
    the tensor and must return a tensor (of the same values, normally); as in PyTorch, that
    tensor is attached to the packed tensor's place in the graph (its ``grad_fn``, or its
    leaf), so a backward pass with ``create_graph`` differentiates through it. Contexts
    nest: the innermost pair applies. The saved tensors' in-place changes are not checked
    when hooks packed them, as in PyTorch.

    Which tensors an op saves is reftorch's choice, which mostly agrees with PyTorch's
    (``mul`` saves both operands, ``exp`` its result); where an op saves other tensors, the
    hooks see those. An in-place op packs again the tensor it saves after writing
    (``mul_`` its original ``self``, ``exp_`` the result), so its pack hook may run once
    more than in PyTorch.

    Args:
        pack_hook: ``(Tensor) -> Any``.
        unpack_hook: ``(Any) -> Tensor``.

    Raises:
        RuntimeError: on entering inside :func:`disable_saved_tensors_hooks` (its message).
        TypeError: in backward, when ``unpack_hook`` returns no tensor.

    Mirrors ``torch.autograd.graph.saved_tensors_hooks``.

    Examples:
        >>> import reftorch as torch
        >>> def pack(t):
        ...     print("pack", t.shape)
        ...     return t
        >>> def unpack(t):
        ...     print("unpack")
        ...     return t
        >>> a = torch.tensor([1., 2.], requires_grad=True)
        >>> with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        ...     y = a.exp()
        pack torch.Size([2])
        >>> y.sum().backward()
        unpack
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _DISABLED[0] is not None:
            raise RuntimeError(_DISABLED[0])
        SAVED_HOOKS.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *args):
        SAVED_HOOKS.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved-tensor hooks that keep every saved tensor on the CPU and move it back to its
    device for the backward pass: activations leave accelerator memory between forward and
    backward. ``pin_memory`` is accepted and changes nothing in reftorch (no pinned host
    memory). Mirrors ``torch.autograd.graph.save_on_cpu``.

    Args:
        pin_memory: accepted for PyTorch's signature.
        device_type: accepted for PyTorch's signature (default ``"cuda"``).

    Examples:
        >>> import reftorch as torch
        >>> a = torch.tensor([1., 2.], requires_grad=True)
        >>> with torch.autograd.graph.save_on_cpu():
        ...     y = (a * a).sum()
        >>> y.backward()
        >>> a.grad
        tensor([2., 4.])
    """

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            return (tensor.device, tensor.cpu())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """Context manager in which saved-tensor hooks are refused: entering a
    :class:`saved_tensors_hooks` raises ``RuntimeError(error_message)``; entering this
    context while saved-tensor hooks are in force raises it too (as PyTorch does). Contexts
    nest; the innermost message applies. Mirrors
    ``torch.autograd.graph.disable_saved_tensors_hooks``.

    Args:
        error_message: the message of the ``RuntimeError``.

    Examples:
        >>> import reftorch as torch
        >>> with torch.autograd.graph.disable_saved_tensors_hooks("not here"):
        ...     with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        ...         pass
        Traceback (most recent call last):
        ...
        RuntimeError: not here
    """
    previous = _DISABLED[0]
    try:
        if SAVED_HOOKS:
            raise RuntimeError(error_message)
        _DISABLED[0] = error_message
        yield
    finally:
        _DISABLED[0] = previous


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
        out = self._backward(*grads)
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


class AccumulateGrad(NodeHookMethods):
    """The node that adds an incoming gradient to a leaf tensor's ``.grad``."""

    __slots__ = ("variable", "next_functions", "_metadata", "__weakref__")
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


# ------------------------------------------------------------------ edges, versions, multi-grad hooks

class GradientEdge(collections.namedtuple("GradientEdge", ["node", "output_nr", "ownership_token"],
                                          defaults=(None,))):
    """Where a tensor's gradient enters the graph: ``node`` (its ``grad_fn``, or the
    ``AccumulateGrad`` of a leaf) and ``output_nr`` (which output of the node the tensor
    is). ``ownership_token`` (default None) is kept for PyTorch's signature. Mirrors
    ``torch.autograd.graph.GradientEdge``."""

    __slots__ = ()


def get_gradient_edge(tensor):
    """The :class:`GradientEdge` of ``tensor``. Mirrors
    ``torch.autograd.graph.get_gradient_edge`` (reftorch's ``autograd.grad`` does not take
    edges as inputs or outputs).

    Raises:
        RuntimeError: for a tensor that does not require grad.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.tensor([1., 2.], requires_grad=True)
        >>> first, second = (a * 2).unbind(0)
        >>> edge = torch.autograd.graph.get_gradient_edge(second)
        >>> edge.node.name(), edge.output_nr
        ('UnbindBackward0', 1)
        >>> torch.autograd.graph.get_gradient_edge(a).node.name()
        'torch::autograd::AccumulateGrad'
    """
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require gradients")
    node, output_nr = _edge(tensor)
    return GradientEdge(node, output_nr)


def increment_version(tensor):
    """Add one to the version counter of ``tensor`` (or of each tensor of an iterable, once
    per occurrence), as an in-place change would: saved tensors checked against their
    version then refuse the backward pass. Mirrors ``torch.autograd.graph.increment_version``.

    Examples:
        >>> import reftorch as torch
        >>> t = torch.ones(2)
        >>> torch.autograd.graph.increment_version(t)
        >>> t._version
        1
    """
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        t._bump_version()


class GraphTask:
    """A backward pass that is running (the engine keeps them in :data:`GRAPH_TASKS`): its
    id, root nodes, dependency counts and, for ``autograd.grad``'s inputs, the nodes that
    run (``needed``) and the input nodes watched (``capture``). ``checkpoint_valid``: no
    ``inputs`` were given to it nor to a backward pass it runs inside (PyTorch's
    ``CheckpointValidGuard``), so the reentrant checkpoint may run."""

    __slots__ = ("id", "roots", "deps", "needed", "capture", "checkpoint_valid")
    _ids = itertools.count()

    def __init__(self, roots, deps, needed, capture):
        self.id = next(GraphTask._ids)
        self.roots, self.deps, self.needed, self.capture = roots, deps, needed, capture
        self.checkpoint_valid = capture is None and (not GRAPH_TASKS or GRAPH_TASKS[-1].checkpoint_valid)

    def will_execute(self, node):
        """Whether ``node`` runs in this backward pass (its tensor hooks with it)."""
        if node not in self.deps and node not in self.roots:
            return False
        if self.needed is None:
            return True
        return node in self.needed or any(k is node or k.__class__ is tuple and k[0] is node for k in self.capture)


#: The backward passes running, innermost last (a hook may start one of its own).
GRAPH_TASKS = []


class _MultiHandle:
    """The handle of :func:`register_multi_grad_hook`: ``remove()`` removes the hook of
    every tensor (usable as a context manager, like ``RemovableHandle``)."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Run ``fn`` once per backward pass for a group of tensors.

    With ``mode="all"``, ``fn(grads)`` runs after the gradients of all the tensors that
    this backward pass reaches have been computed; ``grads`` has one entry per tensor, None
    for a tensor the pass does not reach. With ``mode="any"``, ``fn(grad)`` runs with the
    first gradient computed among the tensors, once per backward pass. Mirrors
    ``torch.autograd.graph.register_multi_grad_hook``.

    Args:
        tensors: the tensors (each requiring grad for ``"all"``; ``"any"`` skips those
            that do not).
        fn: the hook; its result is ignored.
        mode: ``"all"`` (default) or ``"any"``.

    Returns:
        A handle whose ``remove()`` removes the hook.

    Raises:
        ValueError: for another ``mode``.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.tensor([1., 2.], requires_grad=True)
        >>> b = torch.tensor([3.], requires_grad=True)
        >>> def show(grads):
        ...     print([None if g is None else g.tolist() for g in grads])
        >>> handle = torch.autograd.graph.register_multi_grad_hook((a, b), show)
        >>> (2 * a.sum() + b.sum()).backward()
        [[2.0, 2.0], [1.0]]
        >>> (3 * a.sum()).backward()
        [[3.0, 3.0], None]
        >>> handle.remove()
    """
    supported = ("all", "any")
    if mode not in supported:
        raise ValueError(f"Expects mode to be one of {supported} but got {mode}")
    if mode == "all":
        nodes = [_edge(t)[0] for t in tensors]
        pending = {}  # graph task id -> [the gradients so far, how many hooks are still to run]

        def hook_of(i):
            def hook(grad):
                task = GRAPH_TASKS[-1]
                state = pending.get(task.id)
                if state is None:
                    state = pending[task.id] = [[None] * len(nodes), sum(map(task.will_execute, nodes))]
                state[0][i] = grad
                state[1] -= 1
                if state[1] == 0:
                    del pending[task.id]
                    fn(state[0])
            return hook

        handles = tuple(t.register_hook(hook_of(i)) for i, t in enumerate(tensors))
    else:
        ran = set()  # the ids of the graph tasks in which fn ran

        @functools.wraps(fn)
        def hook(grad):
            task_id = GRAPH_TASKS[-1].id
            if task_id in ran:
                return
            ran.add(task_id)
            fn(grad)

        handles = tuple(t.register_hook(hook) for t in tensors if t.requires_grad)
    return _MultiHandle(handles)
