"""The public ``torch.autograd.Function``: differentiable functions written by the user.

A subclass defines ``forward`` and ``backward`` as static methods over *tensors*::

    class MyExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):
            (y,) = ctx.saved_tensors
            return grad_y * y

    y = MyExp.apply(x)          # y.grad_fn is a MyExpBackward node

How it sits on reftorch's one engine (``engine.py``): ``apply`` runs ``forward`` under
``no_grad`` and records one graph node, an instance of ``<Name>Backward`` (a class made
per subclass, as PyTorch does). That node is also the ``ctx`` the user's methods receive.
The engine hands it backend arrays like any other node; the node wraps them in tensors,
calls the user's ``backward`` under ``no_grad``, checks what comes back (count, shapes,
dtypes) and unwraps it. A function with several outputs has one node for all of them, as
in PyTorch: each output tensor records its position (``output_nr``), the engine keeps their
gradients apart (the node is ``_multi``, like a
:class:`~reftorch.autograd.graph.MultiOutputNode`) and the user's ``backward`` receives one
gradient per output.
"""
from __future__ import annotations

import functools
import warnings

from .._grad_state import anomaly as _anomaly
from .._layout import sum_to_shape
from .._tensor import Tensor
from .anomaly_mode import forward_trace
from ._hooks import run_node_post_hooks
from .graph import (_FREED, CUSTOM_FUNCTION_VIEW, SAVED_HOOKS, Node, NodeHookMethods, PackedSaved, _edge,
                    _saved_version, pack_saved, unpack_saved)
from .grad_mode import no_grad, enable_grad, is_grad_enabled

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) leaves for ``backward``: ``ctx``.

    Attributes:
        needs_input_grad: one bool per argument of ``apply``: whether that argument is a
            tensor that requires grad (``backward`` may skip the others' gradients).
    """

    def save_for_backward(self, *tensors):
        """Keep tensors (or ``None``) for ``backward``; read them back with
        ``ctx.saved_tensors``. In-place changes made to them before ``backward`` are
        detected there.

        Raises:
            TypeError: if an argument is not a tensor or ``None``.
        """
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self._saved = tensors
        self._versions = tuple([None if t is None else _saved_version(t) for t in tensors])

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, in order.

        Raises:
            RuntimeError: if the graph was freed by an earlier backward, or if a saved
                tensor was modified in place since it was saved.
        """
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        if saved.__class__ is PackedSaved:  # packed by saved_tensors_hooks: unpacked on each access
            return unpack_saved(saved)
        Node._check_saved(self)
        return saved

    def mark_non_differentiable(self, *outputs):
        """Declare outputs (indices, masks …) that get no gradient: they come back with
        ``requires_grad=False`` and ``backward`` receives zeros for them."""
        self._non_differentiable = {id(t) for t in outputs}

    def set_materialize_grads(self, value: bool):
        """``True`` (default): a missing output gradient reaches ``backward`` as zeros;
        ``False``: as ``None``."""
        self._materialize = bool(value)

    def mark_dirty(self, *tensors):
        raise NotImplementedError("mark_dirty (in-place custom functions) is not supported by reftorch")


class BackwardCFunction(FunctionCtx, NodeHookMethods):
    """The graph node of a custom function (its ``grad_fn``), which is also its ``ctx``.

    ``apply`` is what the engine calls: gradient arrays in (one per output), gradient
    arrays out (one per tensor argument, in ``next_functions`` order).
    """

    _function = None  # the user's Function subclass, set on each generated class
    _multi = False  # True (set by ``apply``) when ``forward`` returned a tuple: one gradient slot per output
    #: the engine leaves this node's post-hooks to ``apply``: they see the gradients
    #: ``backward`` returned, before they are checked and cast
    runs_own_post_hooks = True

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._versions = ()
        self._save_output = False
        self._materialize = True
        self._non_differentiable = ()
        self._retained = None
        self.next_functions = ()
        self._name = type(self).__name__
        self.ctx = self  # Node._check_saved reads ctx._saved
        self._outputs = ()  # (shape, dtype, device, backend) per output, for zero gradients
        self._arg_slots = ()  # positions of the tensor arguments among apply's arguments
        self._arg_meta = ()

    def name(self) -> str:
        return self._name

    def __repr__(self):
        return f"<torch.autograd.function.{self._name} object at {hex(id(self))}>"

    def _grad_tensors(self, grad):
        """The gradients ``backward`` receives, one tensor (or ``None``) per output; ``grad``
        is one gradient, or a list of them (``None`` for some) for a multi-output node."""
        arrays = grad if self._multi else [grad]
        out = []
        for arr, (shape, dtype, dev, backend) in zip(arrays, self._outputs):
            if isinstance(arr, Tensor):  # create_graph: the gradient is already a tensor
                out.append(arr)
                continue
            if arr is None:
                if self._materialize and backend is not None:
                    arr = backend.xp.zeros(shape, dtype=backend.dtype(dtype), **backend._dev_kw())
                else:
                    out.append(None)
                    continue
            out.append(Tensor._wrap(arr, dev, backend))
        return out

    def apply(self, grad, retain_graph, create_graph=False):
        """Run the user's ``backward``. With ``create_graph`` (higher-order gradients) the
        gradients in and out are tensors and ``backward`` runs with recording on."""
        if self._saved is None:
            raise RuntimeError(_FREED)
        with (enable_grad() if create_graph else no_grad()):
            res = self._function.backward(self, *self._grad_tensors(grad))
        if not isinstance(res, tuple):
            res = (res,)
        n_args = len(self.needs_input_grad)
        if len(res) != n_args:
            if len(res) > n_args and all(r is None for r in res[n_args:]):
                res = res[:n_args]
            else:
                raise RuntimeError(f"function {self._name} returned an incorrect number of gradients "
                                   f"(expected {n_args}, got {len(res)})")
        grad_outputs = self.__dict__.pop("_hook_grad_outputs", None)
        if grad_outputs is not None:  # post-hooks (register_hook): they see and may replace what backward returned
            res = list(res)
            hooked = run_node_post_hooks(self, tuple(res[pos] for pos in self._arg_slots), grad_outputs)
            for pos, g in zip(self._arg_slots, hooked):
                res[pos] = g
        arrays = []
        for pos, (shape, dtype) in zip(self._arg_slots, self._arg_meta):
            g = res[pos]
            if g is None or not self.needs_input_grad[pos]:
                arrays.append(None)
                continue
            if not isinstance(g, Tensor):
                raise TypeError(f"expected Tensor or None as the gradient of argument {pos} of "
                                f"{self._name}, got {type(g).__name__}")
            if create_graph:
                arrays.append(self._graph_grad(g, pos, shape, dtype))
                continue
            arr = g._data
            if tuple(arr.shape) != shape:
                if not _expandable(shape, tuple(arr.shape)):
                    raise RuntimeError(
                        f"Function {self._name} returned an invalid gradient at index {pos} - got "
                        f"[{', '.join(map(str, arr.shape))}] but expected shape compatible with "
                        f"[{', '.join(map(str, shape))}]")
                arr = g._backend.xp.reshape(sum_to_shape(g._backend.xp, arr, shape), shape)
            if g.dtype != dtype:
                arr = g._backend.xp.astype(arr, g._backend.dtype(dtype))
            arrays.append(arr)
        if not retain_graph and self._saved:
            self._saved = None  # free the saved tensors, as PyTorch does
        return tuple(arrays)

    def _graph_grad(self, g, pos, shape, dtype):
        """``apply``'s checks and fixes of one returned gradient, as tensor ops (create_graph)."""
        if tuple(g.shape) != shape:
            if not _expandable(shape, tuple(g.shape)):
                raise RuntimeError(
                    f"Function {self._name} returned an invalid gradient at index {pos} - got "
                    f"[{', '.join(map(str, g.shape))}] but expected shape compatible with "
                    f"[{', '.join(map(str, shape))}]")
            extra = g.dim() - len(shape)
            if extra:
                g = g.sum(tuple(range(extra)))
            dims = tuple(i for i, (a, b) in enumerate(zip(g.shape, shape)) if b == 1 and a != 1)
            if dims:
                g = g.sum(dims, keepdim=True)
        return g if g.dtype == dtype else g.to(dtype)


def _expandable(shape, to):
    """True when a tensor of ``shape`` broadcasts to ``to`` (PyTorch's is_expandable_to)."""
    if len(shape) > len(to):
        return False
    for s, t in zip(reversed(shape), reversed(to)):
        if s != t and s != 1:
            return False
    return True


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable. Mirrors
    ``torch.autograd.function.once_differentiable``: ``backward`` runs under ``no_grad``, so
    with ``create_graph=True`` the gradient it returns has no graph of its own."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper


_LEGACY = ("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
           "autograd function with static forward method. (Example: "
           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")


class Function:
    """Base class of user-defined differentiable functions. Mirrors ``torch.autograd.Function``.

    Subclass it with static methods ``forward(ctx, *args)`` (tensors and other values in,
    a tensor or a tuple of tensors out) and ``backward(ctx, *grad_outputs)`` (one gradient
    per output in, one gradient or ``None`` per argument of ``forward`` out), then call
    ``YourFunction.apply(*args)``. Alternatively ``forward(*args)`` without ``ctx`` plus
    ``setup_context(ctx, inputs, output)``, as in PyTorch 2. The output's ``grad_fn`` is
    named ``<ClassName>Backward``.

    ``forward`` runs with gradient recording off; ``backward`` receives gradients as
    tensors and runs with recording off too (no double backward). A gradient whose shape
    only broadcasts to its input's is summed down to it; its dtype is cast to the input's.

    Raises:
        RuntimeError: (at backward) if ``backward`` returns a wrong number of gradients or
            a gradient whose shape does not broadcast to its input's, or if a saved tensor
            was modified in place.

    Examples:
        >>> import reftorch as torch
        >>> class Cube(torch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 3 * x ** 2 * grad
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = Cube.apply(x)
        >>> y
        tensor([1., 8.], grad_fn=<CubeBackward>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([ 3., 12.])
    """

    _backward_cls = BackwardCFunction

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(f"{cls.__name__}Backward", (BackwardCFunction,),
                                 {"_function": cls, "__module__": "torch.autograd.function"})

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, "
                      "so you should invoke them on the class itself. Instantiating an autograd function will "
                      "raise an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(_LEGACY)

    @staticmethod
    def forward(*args, **kwargs):
        """Compute the outputs; override in a subclass."""
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Save what ``backward`` needs when ``forward`` takes no ``ctx``; optional."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Compute the gradients of the arguments; override in a subclass."""
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on ``args`` and, when an argument requires grad and gradients
        are being recorded, attach this function's node to the outputs."""
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        node = cls._backward_cls(needs)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        if not (is_grad_enabled() and any(needs)):
            return out
        if _anomaly.enabled:  # the forward stack, for a failing backward's report
            node._trace = forward_trace()
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        arg_ids = {id(a) for a in args if isinstance(a, Tensor)}
        slots = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        node._arg_slots = slots
        node._arg_meta = tuple((tuple(args[i].shape), args[i].dtype) for i in slots)
        node.next_functions = tuple(_edge(args[i]) for i in slots)
        node._outputs = tuple((tuple(o.shape), o.dtype, o.device, o._backend) if isinstance(o, Tensor)
                              else ((), None, None, None) for o in outs)
        non_diff = node._non_differentiable
        diff = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and id(o) not in non_diff
                and (o.dtype.is_floating_point or o.dtype.is_complex)]
        if not single:  # one node for every output, told apart by output_nr
            node._multi = True
            node.n_outputs = len(outs)
        result = list(outs)
        for i in diff:
            o = outs[i]
            if id(o) in arg_ids or o._grad_fn is not None or o._requires_grad:
                o = o.detach()  # an argument returned as is: a new tensor on the same memory
                if id(outs[i]) in arg_ids:  # which PyTorch treats as a view made inside the Function
                    o._multi_view = True if len(outs) > 1 else CUSTOM_FUNCTION_VIEW
            o._requires_grad = True
            o.grad_fn = node
            o._output_nr = i
            result[i] = o
        if SAVED_HOOKS and node._saved:  # (saved_tensors_hooks in force)
            node._saved = pack_saved(node._saved)
        return result[0] if single else tuple(result)
