"""Differentiable operations and the graph nodes they record.

Every differentiable op in reftorch is a subclass of :class:`OpFunction` with two static
methods that work on backend arrays:

* ``forward(ctx, *inputs, **params)`` receives the input *tensors* (read their arrays with
  ``x._data``) and non-tensor parameters, and returns the output array;
* ``backward(ctx, grad)`` receives the gradient array of the output and returns one
  gradient array (or ``None``) per positional input.

An op with several differentiable outputs (``split``, ``unbind``, ``var_mean``) sets
``multi_output = True``: its ``forward`` returns a tuple of arrays, ``apply`` a tuple of
tensors sharing one node (a :class:`~reftorch.autograd.graph.MultiOutputNode`; each
tensor's ``output_nr`` is its position), and ``backward(ctx, *grads)`` runs once with one
gradient per output, ``None`` for an output no gradient reached.

With ``create_graph=True`` the engine runs the same ``backward`` on tensors, through a
namespace of differentiable ops standing in for ``ctx.xp``, for the ops that set
``create_graph = True`` (see ``_graph.py``).

``OpFunction.apply`` runs ``forward``, wraps the result in a tensor and, when gradients are
being recorded and an input requires grad, attaches a :class:`Node` (the tensor's
``grad_fn``) named as in PyTorch (``CatBackward0``, ``ViewBackward0``, …).
"""
from __future__ import annotations

import inspect
import textwrap
from operator import attrgetter

from .._codegen import compile_function, defaults_of, parameter_text
from .._layout import fix_empty_strides, relayout_like_operands
from .._grad_state import counts as _counts
from .._tensor import SAVED_INFERENCE, Tensor, fields_source
from .grad_mode import _state as _grad_state
from .graph import (_FREED, _MULTI_NODE_CLASSES, _NODE_CLASSES, AccumulateGrad, MultiOutputNode, Node, _edge,  # noqa: F401 (op code takes them from here)
                    NODE_SCOPE, SAVED_HOOKS, edge_source, multi_node_source, new_node, node_class, node_source,
                    pack_saved, saved_version_source)


class Context:
    """What a forward pass leaves for its backward pass (PyTorch's ``ctx``)."""

    __slots__ = ("_saved", "_versions", "_save_output", "needs_input_grad", "node", "backend", "xp", "__dict__")

    # __init__(self, needs_input_grad, backend): compiled from context_source (below)

    # save_for_backward(self, *items): compiled below, with saved_version_source inline

    def save_output(self):
        """Ask ``apply`` to save the output tensor too (it is appended to ``saved_tensors``)."""
        self._save_output = True

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError(_FREED)
        return self._saved


def context_source(ctx, needs_input_grad, backend):
    """The statements that set every field of a new :class:`Context` (the one place they
    are listed): the arguments are the names, or expressions, in the code the statements go
    into, of the context (``object.__new__(Context)``), its ``needs_input_grad`` tuple and
    the backend of the op's inputs. ``Context.__init__`` runs them; every op's generated
    ``apply`` has them inline, which saves a class call per recorded op."""
    return f"""\
{ctx}._saved = ()
{ctx}._versions = ()
{ctx}._save_output = False
{ctx}.needs_input_grad = {needs_input_grad}
{ctx}.backend = {backend}
{ctx}.xp = {backend}.xp
"""


Context.__init__ = compile_function(
    "def __init__(self, needs_input_grad, backend):\n"
    + textwrap.indent(context_source("self", "needs_input_grad", "backend"), "    "), "__init__", {})
Context.__init__.__qualname__, Context.__init__.__module__ = "Context.__init__", __name__

Context.save_for_backward = compile_function(
    "def save_for_backward(self, *items):\n"
    "    self._saved = items\n"
    "    versions = []\n"
    "    for t in items:  # (the version of each, inline: no call per item)\n"
    + textwrap.indent(saved_version_source("t", "version"), " " * 8)
    + "        versions.append(version)\n"
    "    self._versions = tuple(versions)\n",
    "save_for_backward", {"Tensor": Tensor, "SAVED_INFERENCE": SAVED_INFERENCE})
Context.save_for_backward.__qualname__ = "Context.save_for_backward"
Context.save_for_backward.__module__ = __name__
Context.save_for_backward.__doc__ = "Keep tensors (checked for in-place changes) or arrays for the backward pass."


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
        multi_output: True for ops whose ``forward`` returns a tuple of arrays (see the
            module docstring).
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
    #: True when ``forward`` returns a tuple of arrays: ``apply`` returns a tuple of tensors
    #: with one node (``output_nr`` 0, 1, …) and ``backward`` takes one gradient per output.
    multi_output = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    #: How many leading parameters of ``forward`` (after ``ctx``) are the tensor inputs; the
    #: rest are its parameters. A positive number gives ``apply`` ``forward``'s own
    #: signature (see :func:`_make_apply`). ``None``: every positional argument of ``apply``
    #: is an input, and the parameters come as keywords; a negative number: all but that
    #: many trailing ones.
    arity = None
    #: True for ops whose inputs come as one sequence, ``forward``'s first parameter
    #: (``cat``, ``stack``): ``apply(tensors, *params)``, one gradient per element.
    tensor_list = False
    #: False for ops whose kernel cannot raise a floating-point warning (views, picking
    #: elements): ``apply`` then runs it outside the backend's quiet error state.
    can_warn = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # a plain function, which a call through the class does not bind: CPython 3.11
        # specializes the ``Op.apply(...)`` call sites for it (not for a staticmethod)
        cls.apply = _make_apply(cls)

    @classmethod
    def apply(cls, *args, **kwargs):
        """``Op.apply(*inputs, *params, _name=None, _out=None, _skip=None, **params)``: run
        ``forward`` and wrap its array in a tensor, recording a graph node when an input
        requires grad and grad mode is on. Each subclass gets its own function from
        :func:`_make_apply`, compiled from one template with the class's settings, taking
        ``forward``'s own parameters where it can."""
        raise NotImplementedError("apply is set on each OpFunction subclass")


def _make_apply(cls):
    """The ``apply`` of Function class ``cls``: the source of :data:`_APPLY` (or
    :data:`_MULTI_APPLY`) with the class's
    settings filled in, compiled once per class (per-call overhead: no classmethod call, no
    class look-ups, and no branch on a setting that is fixed for the class).

    When the class has a fixed number of inputs (``arity`` > 0) and ``forward`` names its
    parameters (no ``*args``/``**kwargs``), ``apply`` takes ``forward``'s own parameters,
    defaults included: a call then builds no argument tuple or keyword dict (~0.07 us).
    Otherwise it takes ``*args`` and ``**params``.
    """
    params = _exact_params(cls)
    space = dict(_SHARED, forward=cls.forward, cls=cls)
    arg_names = "None"  # (the inputs' names, for the TypeError of one that is no tensor)
    if params is None:  # ``*args``: the inputs are the first ``arity`` of them
        header = "*args, _name=None, _out=None, _skip=None, **params"
        first, call = "args[0]", "*args, **params"
        inputs = "args" if cls.arity is None else f"args[:{cls.arity}]"
        needs = None
    else:
        names = [p.name for p in params]
        header, call = parameter_text(params)
        space["_d"] = defaults_of(params)
        # (positional-or-keyword where ``forward`` has no keyword-only parameter: CPython
        # 3.11 specializes calls only of functions without keyword-only parameters)
        header += ", _name=None, _out=None, _skip=None"
        if cls.tensor_list:
            first, inputs, needs = f"{names[0]}[0]", names[0], None
        else:
            first = names[0]
            inputs = "(" + "".join(n + ", " for n in names[:cls.arity]) + ")"
            arg_names = repr(tuple(names[:cls.arity]))
            needs = " or ".join(f"{n}._requires_grad" for n in names[:cls.arity])
    source = (_MULTI_APPLY if cls.multi_output else _APPLY).format(
        header=header, first=first, needs=needs, inputs=inputs, call=call, names=arg_names,
        relayout=f"{inputs}[{cls.elementwise_from}:]")
    source = _select(source, warn=cls.can_warn, view=cls.is_view, elementwise=cls.elementwise,
                     exact=needs is not None, loop=needs is None)
    apply = compile_function(source, "apply", space)
    apply.__qualname__ = f"{cls.__qualname__}.apply"
    apply.__module__ = cls.__module__
    return apply


def _fields(t, data, requires_grad, indent="    ", multi_view=None):
    """The lines of an ``apply`` template that set every field of the new tensor ``t``
    (:func:`~reftorch._tensor.fields_source`, inline: a call less per op): those of a view
    of the first input tagged ``#view``, those of a tensor that views nothing ``#copy``."""
    def tagged(text, tag):
        return "".join(f"{indent}{line}  #{tag}\n" for line in text.splitlines())
    return (tagged(fields_source(t, data, "dev", "backend", requires_grad, "x0", multi_view), "view")
            + tagged(fields_source(t, data, "dev", "backend", requires_grad), "copy"))


#: The source of every ``apply`` (see :func:`_make_apply`): this head, which runs
#: ``forward``, then :data:`_APPLY` or :data:`_MULTI_APPLY`, which wrap its result and record
#: the node. A line ending in a tag is kept only for classes with that setting: ``#warn``
#: (``can_warn``) or ``#nowarn`` (not), ``#view`` (``is_view``) or ``#copy`` (not),
#: ``#elementwise``, ``#exact`` (``apply`` takes ``forward``'s parameters) or ``#loop``
#: (``*args``); the braces are filled from the class's ``forward``.
_HEAD = """
def apply({header}):
    x0 = {first}
    # Does an input require grad? The grad-mode flag is read only when one does. (An
    # input that is no tensor fails here: PyTorch's TypeError, at no cost to a call.)
    try:
        needs = {needs}  #exact
        needs = False  #loop
        for t in {inputs}:  # a plain loop: no generator frame  #loop
            if t._requires_grad:  #loop
                needs = True  #loop
                break  #loop
    except AttributeError:
        _refuse_non_tensors({inputs}, {names})
        raise
    b0 = x0._backend
    if needs and _grad_state.enabled:
        inputs = {inputs}
        ctx = _new(Context)
""" + textwrap.indent(context_source("ctx", "tuple(map(_requires_grad, inputs))", "b0"), " " * 8) + """\
    else:
        needs = False
        ctx = _NO_CTX
    quiet = b0.quiet_enter()  # no floating-point warnings, as in PyTorch  #warn
    try:  #warn
        out = forward(ctx, {call})  #warn
    finally:  #warn
        b0.quiet_exit(quiet)  #warn
    out = forward(ctx, {call})  #nowarn
"""

#: one output: a tensor
_APPLY = _HEAD + """    if _out is None:
        dev, backend = x0._device, b0
    else:  # an op that moves data to another device: _out = (device, backend)
        dev, backend = _out
    result = _new(Tensor)
    if out.ndim > 1:  # (relayout_like_operands keeps 0-d and 1-d results)  #elementwise
        out = relayout_like_operands(b0, out, {relayout})  #elementwise
    if not out.size:  #copy
        out = fix_empty_strides(backend, out)  #copy
""" + _fields("result", "out", "needs") + """\
    if needs:  # record the node (the grad_fn); _name and _skip override the class's name and nondiff
        if _skip is None:
            _skip = cls.nondiff
        if _skip:
            _record_skipping(cls, ctx, inputs, result, _name or cls.name, _skip)
        else:  # an edge per input, and the node, inline (edge_source, node_source): no call
            edges = []
            for t in inputs:
""" + textwrap.indent(edge_source("t", "edge"), " " * 16) + """\
                edges.append(edge)
            if not _name:
                _name = cls.name
            node = _new(_NODE_CLASSES.get(_name) or node_class(_name))
""" + textwrap.indent(node_source("node", "cls", "ctx", "tuple(edges)", "_name", "None"), " " * 12) + """\
            result._grad_fn = node  # (what the grad_fn setter does: _fn_version already is the counter's)
        if ctx._save_output:
            ctx._saved = ctx._saved + (result,)
            ctx._versions = ctx._versions + (result._version_counter[0],)
        if SAVED_HOOKS and ctx._saved:  # (saved_tensors_hooks in force)
            ctx._saved = pack_saved(ctx._saved)
    return result
"""

#: several outputs (``multi_output``): ``forward`` returned a tuple of arrays; each becomes a
#: tensor (a view of the first input for ``is_view`` ops), all with one
#: :class:`MultiOutputNode` as ``grad_fn``, told apart by ``output_nr``
_MULTI_APPLY = _HEAD + """    dev, backend = (x0._device, b0) if _out is None else _out
    # a view made with grad mode on belongs to a function returning several views: PyTorch  #view
    # refuses in-place writes into it (and into views of it) when they would be recorded  #view
    multi_view = _grad_state.enabled  #view
    results = []
    for array in out:
        t = _new(Tensor)
        if not array.size:  #copy
            array = fix_empty_strides(backend, array)  #copy
""" + _fields("t", "array", "needs", "        ", "multi_view") + """\
        results.append(t)
    if needs:
        _record_multi(cls, ctx, inputs, results, _name, _skip)
    return tuple(results)
"""


def _record_skipping(cls, ctx, inputs, result, name, skip):
    """The graph node of ``result`` when the op's inputs at positions ``skip`` get no
    edge (indices, masks, scalars: PyTorch does not list them in ``next_functions``)."""
    slots = tuple(i for i in range(len(inputs)) if i not in skip)
    result._grad_fn = new_node(cls, ctx, tuple([_edge(inputs[i]) for i in slots]), name, slots)


#: The source of :func:`_record_multi`, with each input's edge and the node's fields inline
#: (:func:`~reftorch.autograd.graph.edge_source`,
#: :func:`~reftorch.autograd.graph.multi_node_source`): no call per input, no class call.
_RECORD_MULTI = """
def _record_multi(cls, ctx, inputs, results, name, skip):
    if not name:
        name = cls.name
    if skip is None:
        skip = cls.nondiff
    if skip:  # inputs PyTorch does not list in next_functions (indices, masks, scalars)
        slots = tuple(i for i in range(len(inputs)) if i not in skip)
        edges = tuple([_edge(inputs[i]) for i in slots])
    else:
        slots = None
        edges = []
        for t in inputs:
""" + textwrap.indent(edge_source("t", "edge"), " " * 12) + """\
            edges.append(edge)
        edges = tuple(edges)
    node = _new(_MULTI_NODE_CLASSES.get(name) or node_class(name, multi=True))
""" + textwrap.indent(multi_node_source("node", "cls", "ctx", "edges", "name", "slots", "len(results)"), " " * 4) + """\
    for i, t in enumerate(results):
        t._grad_fn = node
        t._output_nr = i
    if ctx._save_output:  # (a forward shared with a one-output op saves its output: the first)
        ctx._saved = ctx._saved + (results[0],)
        ctx._versions = ctx._versions + (results[0]._version_counter[0],)
    if SAVED_HOOKS and ctx._saved:  # (saved_tensors_hooks in force)
        ctx._saved = pack_saved(ctx._saved)
"""
_record_multi = compile_function(_RECORD_MULTI, "_record_multi", {
    **NODE_SCOPE, "_new": object.__new__, "_MULTI_NODE_CLASSES": _MULTI_NODE_CLASSES, "node_class": node_class, "_edge": _edge,
    "AccumulateGrad": AccumulateGrad, "SAVED_HOOKS": SAVED_HOOKS, "pack_saved": pack_saved})
_record_multi.__module__ = __name__
_record_multi.__doc__ = """The recording step of :data:`_APPLY` for several outputs: one
:class:`MultiOutputNode`, each output's ``output_nr`` its position."""


def _select(source, **settings):
    """``source`` without the lines tagged with a setting that is off (see :data:`_APPLY`)."""
    tags = {"#" + k: v for k, v in settings.items()}
    tags["#copy"], tags["#nowarn"] = not settings["view"], not settings["warn"]
    lines = []
    for line in source.splitlines():
        code, sep, tag = line.rpartition("  #")
        if sep and "#" + tag in tags:
            if not tags["#" + tag]:
                continue
            line = code
        lines.append(line)
    return "\n".join(lines)


def _exact_params(cls):
    """``forward``'s parameters after ``ctx`` when ``apply`` can take them as they are: a
    fixed number of inputs (``arity`` > 0) and no ``*args``/``**kwargs``; else None."""
    if not (cls.arity or 0) > 0:
        return None
    params = list(inspect.signature(cls.forward).parameters.values())[1:]
    if len(params) < cls.arity or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) for p in params) \
            or any(p.name in _TEMPLATE_NAMES for p in params):
        return None
    return params


#: the names ``apply``'s body assigns (see :data:`_TEMPLATE_NAMES`)
_LOCALS = ("x0", "needs", "t", "b0", "inputs", "ctx", "quiet", "out", "dev", "backend", "result", "results",
           "array", "multi_view", "args", "params", "_name", "_out", "_skip", "_d", "edges", "edge", "prev", "acc",
           "node")


_new = object.__new__
_requires_grad = attrgetter("_requires_grad")  # for map(): no Python frame per input


def _refuse_non_tensors(inputs, names):
    """PyTorch's TypeError for the first of an op's ``inputs`` that is no tensor (``names``:
    the parameters' names, or None), as ``torch.exp(2)`` raises it."""
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            name = names[i] if names else "input"
            raise TypeError(f"argument '{name}' (position {i + 1}) must be Tensor, not {type(t).__name__}")


class _NoContext:
    """Stands in for ``ctx`` when no graph is recorded: saving is a no-op."""

    def __init__(self):
        # an instance attribute: CPython 3.11 specializes its look-up (a class attribute
        # read through an instance takes the generic path, on every op call)
        object.__setattr__(self, "needs_input_grad", ())

    def save_for_backward(self, *items):
        pass

    def save_output(self):
        pass

    def __setattr__(self, key, value):
        pass


_NO_CTX = _NoContext()

#: what every generated ``apply`` reads besides ``forward`` and ``cls``
_SHARED = {"Tensor": Tensor, "Context": Context, "_NO_CTX": _NO_CTX, "_grad_state": _grad_state, "_new": _new,
           "_counts": _counts,
           "_requires_grad": _requires_grad, "_refuse_non_tensors": _refuse_non_tensors, "_record_skipping": _record_skipping, "_record_multi": _record_multi,
           "_NODE_CLASSES": _NODE_CLASSES, "node_class": node_class, "AccumulateGrad": AccumulateGrad,
           "SAVED_HOOKS": SAVED_HOOKS, "pack_saved": pack_saved,
           "relayout_like_operands": relayout_like_operands, "fix_empty_strides": fix_empty_strides, **NODE_SCOPE}
#: names a ``forward`` parameter must not have to be taken as it is (it would hide one of
#: them): a class with such a parameter gets the ``*args`` form of ``apply``
_TEMPLATE_NAMES = frozenset((*_LOCALS, *_SHARED, "forward", "cls"))


# The public API (``torch.autograd.function.Function``): user-defined functions whose
# forward and backward work on tensors, recorded in the same graph as the ops above.
from ._custom_function import Function, FunctionCtx, BackwardCFunction, once_differentiable  # noqa: E402,F401
