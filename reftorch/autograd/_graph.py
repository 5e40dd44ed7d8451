"""Higher-order gradients (``create_graph=True``): the same backward formulas, run on tensors.

Design note
-----------
Every op has ONE backward, beside its forward (``function.py``). It is written over an
array namespace: ``ctx.xp`` (``xp.where``, ``xp.sum``, ``xp.matmul`` …), Python operators
on arrays, the saved tensors' ``._data`` and a few backend methods (``ctx.backend``).
With ``create_graph=True`` the engine runs that very code with tensors instead of arrays:

* ``ctx.xp`` becomes :class:`TensorNamespace`, whose functions are reftorch's own
  differentiable ops (``xp.sum`` → ``torch.sum``, ``xp.matmul`` → ``torch.matmul``, …), and
  the incoming gradient is a :class:`~reftorch.Tensor`, so ``g * y`` records ``MulBackward0``;
* a saved tensor is handed over as a :class:`_Lifted` stand-in whose ``._data`` is the
  saved *tensor itself* (not its array), so the formula's ``x._data`` stays in the graph and
  the second derivative reaches ``x``; arrays the forward kept on ``ctx`` (an index, a mask,
  a weight) become constant tensors;
* the backward runs with gradient recording on, so its result is a tensor with a
  ``grad_fn`` — the graph of the gradient, ready for another ``backward``.

The alternative — writing the formulas once over tensor ops and running them under
``no_grad`` when ``create_graph`` is off — would wrap every intermediate of every ordinary
backward in a ``Tensor`` (a few microseconds each), making the everyday path slower for the
rare one. Swapping the namespace keeps the ordinary backward exactly as fast as before.

A formula may keep on ``ctx`` an array computed from a differentiable input (``ctx.y =
softmax(x)``); lifted as a constant, its second derivative would be silently wrong. So an
op takes part only when it says so: ``OpFunction.create_graph = True`` marks a backward
whose every input dependence goes through saved tensors. Any other op raises
``NotImplementedError`` naming its ``grad_fn`` rather than returning a wrong answer.
A custom ``torch.autograd.Function`` needs no swap: its ``backward`` already works on
tensors, and simply runs with recording on.

The ``grad_fn`` names of the second-order graph are those of the tensor ops the formula
uses (the gradient of ``x * x`` is ``AddBackward0``, of ``x @ w`` ``MmBackward0``, as in
PyTorch). Where PyTorch records a fused node instead, the op's backward checks for a
gradient *tensor* (``isinstance(g, Tensor)``) and records that node, an op of its own whose
backward is again differentiable:

* element-wise gradients from the output or the input (``TanhBackwardBackward0``,
  ``ThresholdBackwardBackward0``, ``SoftplusBackwardBackward0``, softmax's
  ``SoftmaxBackwardDataBackward0`` …) sit beside their op;
* the gradient of a *linear* op that does not depend on its input (pooling, padding,
  basic indexing, ``roll``, ``tril``) is a :class:`LinearMap` of two array functions, the
  map and its adjoint, so every order is one node (``AvgPool2DBackwardBackward0`` …);
* a convolution's gradients are the graph ops ``ConvolutionInputGrad`` and
  ``ConvolutionWeightGrad`` (``ConvolutionBackwardBackward0``), bilinear, whose gradients
  are convolutions and each other;
* a recurrent layer, whose backward is a hand-written loop over arrays, computes its steps
  again as graph ops and differentiates those down to its inputs
  (``nn/_rnn_graph.py``, ``run_backward(..., stop_at_inputs=True)``).
"""
from __future__ import annotations


from .. import _dtype as D
from .._tensor import Tensor
from .._warnings import warn_once
from ._custom_function import BackwardCFunction
from .function import Node, OpFunction, _FREED
from .graph import PackedSaved, unpack_saved

#: The ``reftorch`` namespace, whose differentiable ops a formula run on tensors calls
#: (``xp.sum`` is ``torch.sum``). They sit in the layers above autograd, so this module
#: does not import them: ``reftorch/__init__.py`` hands the finished namespace over with
#: :func:`register_ops` at the end of the package's import.
_torch = None


def register_ops(namespace):
    """Give the tensor namespace reftorch's ops (called once, by ``reftorch/__init__.py``)."""
    global _torch
    _torch = namespace


class TensorNamespace:
    """The array namespace (``xp``) of a backward formula run on tensors: each function a
    differentiable reftorch op. Bound to the device and backend of the gradient."""

    def __init__(self, device, backend):
        self._device = device
        self._backend = backend
        for name in ("bool", "int64", "int32", "float32", "float64", "float16", "complex64", "complex128"):
            setattr(self, name, getattr(D, name))
        self.nan = float("nan")
        self.inf = float("inf")

    # -- helpers
    def _dt(self, d):
        """A reftorch dtype from a reftorch dtype, a native dtype or None."""
        if d is None or isinstance(d, D.dtype):
            return d
        xp = self._backend.xp
        return self._backend.dtype_of(xp.zeros((), dtype=d))

    def _t(self, v):
        """A tensor for ``v`` (a tensor, a backend array or a Python number)."""
        if isinstance(v, Tensor):
            return v
        if isinstance(v, (bool, int, float, complex)):
                return _torch.tensor(v, device=self._device)
        return Tensor._wrap(v, self._device, self._backend)

    # -- creation (device keywords are ignored: everything lives on the gradient's device)
    def zeros(self, shape, dtype=None, device=None):
        return _torch.zeros(shape, dtype=self._dt(dtype), device=self._device)

    def ones(self, shape, dtype=None, device=None):
        return _torch.ones(shape, dtype=self._dt(dtype), device=self._device)

    def full(self, shape, value, dtype=None, device=None):
        return _torch.full(shape, value, dtype=self._dt(dtype), device=self._device)

    def zeros_like(self, x, dtype=None, device=None):
        return _torch.zeros_like(self._t(x), dtype=self._dt(dtype))

    def ones_like(self, x, dtype=None, device=None):
        return _torch.ones_like(self._t(x), dtype=self._dt(dtype))

    def arange(self, *args, dtype=None, device=None):
        return _torch.arange(*args, dtype=self._dt(dtype), device=self._device)

    def asarray(self, v, dtype=None, device=None, copy=None):
        t = self._t(v)
        return self.astype(t, dtype) if dtype is not None else t

    # -- dtype, shape and layout
    def astype(self, x, dtype, copy=True):
        x = self._t(x)
        dt = self._dt(dtype)
        return x if x.dtype is dt else x.to(dt)

    def reshape(self, x, shape, copy=None):
        return self._t(x).reshape(tuple(shape))

    def broadcast_to(self, x, shape):
        return self._t(x).expand(tuple(shape))

    def expand_dims(self, x, axis=0):
        return self._t(x).unsqueeze(axis)

    def squeeze(self, x, axis=None):
        x = self._t(x)
        return x.squeeze() if axis is None else x.squeeze(axis)

    def permute_dims(self, x, axes):
        return self._t(x).permute(tuple(axes))

    def matrix_transpose(self, x):
        return self._t(x).transpose(-2, -1)

    def concat(self, arrays, axis=0):
        return _torch.cat([self._t(a) for a in arrays], dim=axis)

    def stack(self, arrays, axis=0):
        return _torch.stack([self._t(a) for a in arrays], dim=axis)

    def flip(self, x, axis=None):
        x = self._t(x)
        axes = tuple(range(x.dim())) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        return _torch.flip(x, axes)

    def cumulative_sum(self, x, axis=None):
        return _torch.cumsum(self._t(x), axis)

    def cumulative_prod(self, x, axis=None):
        return _torch.cumprod(self._t(x), axis)

    def all(self, x, axis=None, keepdims=False):
        # a bool result: no derivative, a constant tensor is exact
        x = self._t(x)
        return Tensor._wrap(self._backend.xp.all(x._data, axis=axis, keepdims=keepdims), self._device,
                            self._backend)

    def any(self, x, axis=None, keepdims=False):
        # a bool result: no derivative, a constant tensor is exact
        x = self._t(x)
        return Tensor._wrap(self._backend.xp.any(x._data, axis=axis, keepdims=keepdims), self._device,
                            self._backend)

    def broadcast_arrays(self, *arrays):
        return list(_torch.broadcast_tensors(*(self._t(a) for a in arrays)))

    def take(self, x, idx, axis=None):
        x = self._t(x)
        if axis is None:
            x, axis = x.reshape(-1), 0
        return _torch.index_select(x, axis, self._t(idx))

    # -- reductions
    def sum(self, x, axis=None, keepdims=False, dtype=None):
        x = self._t(x)
        if axis is None:
            r = x.sum(dtype=self._dt(dtype))
            return r.reshape((1,) * x.dim()) if keepdims else r
        return x.sum(dim=axis, keepdim=keepdims, dtype=self._dt(dtype))

    def mean(self, x, axis=None, keepdims=False):
        x = self._t(x)
        if axis is None:
            r = x.mean()
            return r.reshape((1,) * x.dim()) if keepdims else r
        return x.mean(dim=axis, keepdim=keepdims)

    # -- element-wise
    def where(self, cond, a, b):
        return _torch.where(self._t(cond), self._t(a), self._t(b))

    def matmul(self, a, b):
        a, b = self._t(a), self._t(b)
        if a.dim() == 3 and b.dim() == 3 and a.shape[0] == b.shape[0]:
            return _torch.bmm(a, b)  # a batched product without broadcasting: PyTorch's formulas' bmm
        return _torch.matmul(a, b)

    @property
    def linalg(self):
        """``xp.linalg``: reftorch's own ``linalg`` (the formulas call ``solve`` with matrix
        right-hand sides of the matrices' batch shape, where both conventions agree)."""
        return _torch.linalg

    def maximum(self, a, b):
        return _torch.maximum(self._t(a), self._t(b))

    def minimum(self, a, b):
        return _torch.minimum(self._t(a), self._t(b))

    def sign(self, x):
        x = self._t(x)
        if x.dtype.is_complex:  # z / |z|: not piecewise constant, so recorded (torch.sgn)
            return _torch.sgn(x)
        # piecewise constant: its derivative is zero, so a constant tensor is exact
        return Tensor._wrap(self._backend.xp.sign(x._data), self._device, self._backend)

    def _mask(self, fn, x):
        # a bool mask: no derivative, a constant tensor is exact
        x = self._t(x)
        return Tensor._wrap(fn(x._data), self._device, self._backend)

    def isnan(self, x):
        return self._mask(self._backend.xp.isnan, x)

    def isfinite(self, x):
        return self._mask(self._backend.xp.isfinite, x)

    def isdtype(self, d, kind):
        d = self._dt(d)
        if kind == "complex floating":
            return d.is_complex
        if kind == "real floating":
            return d.is_floating_point
        raise NotImplementedError(f"isdtype kind {kind!r} in the tensor namespace of create_graph")

    def real(self, x):
        x = self._t(x)
        return _torch._ops.pointwise.Real.apply(x) if x.dtype.is_complex else x


    def __getattr__(self, name):
        # unary functions of the array API that are reftorch functions of the same name
        if name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "abs",
                    "logical_not", "logical_or", "logical_and", "conj",
                    "sinh", "cosh", "trunc", "log1p", "expm1", "imag"):
            fn = getattr(_torch, name)
            return lambda *xs: fn(*(self._t(x) for x in xs))
        raise AttributeError(f"the tensor namespace of create_graph has no {name!r}")


class TensorBackend:
    """What ``ctx.backend`` (and a saved tensor's ``_backend``) is when a formula runs on
    tensors: ``xp`` is the :class:`TensorNamespace`, dtypes are reftorch's own."""

    def __init__(self, device, backend):
        self.xp = TensorNamespace(device, backend)
        self._device = device
        self._backend = backend

    def dtype(self, d):
        return d

    def dtype_of(self, t):
        return t.dtype

    def _dev_kw(self):
        return {}

    def quiet_overflow(self):
        return self._backend.quiet_overflow()

    def astype(self, t, dtype, copy=True):
        return self.xp.astype(t, dtype)  # ``.to``: rounded as the backend's astype rounds

    def select(self, mask, a, b):
        return self.xp.where(mask, a, b)  # (torch.where, recorded)

    one_block_bytes = None  # (a recorded formula runs on whole tensors)

    def row_blocks(self, rows, row_bytes):
        return ((0, rows),)

    def index_put_add(self, shape, g, key):
        return _torch._ops.indexing.IndexPutAdd.apply(g, shape=tuple(shape), key=array_key(key))

    def index_add(self, shape, d, axis, index, values):
        return _torch._ops.indexing.IndexAdd.apply(self.xp._t(values), shape=tuple(shape), dtype=self.xp._dt(d),
                                                   axis=axis, index=array_key(index))

    def scatter_add(self, shape, d, pos, values):
        # flat positions into zeros of ``shape``: an index_add along the flattened axis
        n = 1
        for k in shape:
            n *= k
        flat = _torch._ops.indexing.IndexAdd.apply(self.xp._t(values), shape=(n,), dtype=self.xp._dt(d), axis=0,
                                                   index=array_key(pos))
        return flat.reshape(tuple(shape))

    def take_in_range(self, x, idx, axis=None):
        return self.xp.take(x, idx, axis=axis)

    def getitem(self, x, key):
        return _torch._ops.indexing.AdvancedIndex.apply(x, key=array_key(key))


def array_key(key):
    """An index key back in backend arrays (``GraphContext`` lifts arrays kept on ``ctx``)."""
    if isinstance(key, Tensor):
        return key._data
    if isinstance(key, tuple):
        return tuple(k._data if isinstance(k, Tensor) else k for k in key)
    return key


class _Lifted:
    """A saved tensor as a backward formula sees it under ``create_graph``: ``._data`` is
    the tensor itself, so what the formula computes from it is recorded."""

    __slots__ = ("_data", "_dtype", "_backend", "_device")

    def __init__(self, t, tb):
        self._data = t
        self._dtype = t._dtype
        self._device = t._device
        self._backend = tb

    def __getattr__(self, name):
        return getattr(self._data, name)


class GraphContext:
    """The ``ctx`` a backward formula receives under ``create_graph``: the forward's
    ``ctx`` with the tensor namespace, lifted saved tensors and constant tensors for the
    arrays the forward kept."""

    def __init__(self, ctx, tb):
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_tb", tb)

    @property
    def xp(self):
        return self._tb.xp

    @property
    def backend(self):
        return self._tb

    @property
    def saved_tensors(self):
        tb = self._tb
        return tuple(None if t is None else _Lifted(t, tb) if isinstance(t, Tensor) else self._lift(t)
                     for t in self._ctx.saved_tensors)

    def _lift(self, v):
        # (a scalar type such as ``numpy.float32`` has both attributes too, on the class)
        if hasattr(v, "__array_namespace__") and not isinstance(v, (Tensor, type)) and hasattr(v, "shape"):
            return Tensor._wrap(v, self._tb._device, self._tb._backend)
        return v

    def __getattr__(self, name):
        return self._lift(getattr(self._ctx, name))

    def __setattr__(self, name, value):
        setattr(self._ctx, name, value)


class LinearMap(OpFunction):
    """A linear map of one tensor given by two array functions, ``fn`` and its adjoint
    (transpose) ``adjoint``, each called as ``f(backend, array, state)``.

    This is how the backward of a linear op whose gradient does not depend on its input
    (pooling, padding by copies) is differentiable: under ``create_graph`` the op's backward
    records ``LinearMap.apply(g, ...)`` under PyTorch's name for that node
    (``AvgPool2DBackwardBackward0`` …); the backward of *that* is the adjoint, the op's
    own forward map, recorded again as a ``LinearMap`` named like the op, so every order
    works. ``state`` holds the arrays the maps need (indices, weights), out of the graph.
    """

    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, g, fn, adjoint, state, names):
        ctx.maps = (fn, adjoint, state, names)  # names: (this node's, the adjoint's)
        return fn(g._backend, g._data, state)

    @staticmethod
    def backward(ctx, gg):
        fn, adjoint, state, names = ctx.maps
        if isinstance(gg, Tensor):
            return LinearMap.apply(gg, fn=adjoint, adjoint=fn, state=state, names=names[::-1], _name=names[1])
        return adjoint(ctx.backend, gg, state)


def linear_grad(ctx, g, fn, adjoint, state, name, adjoint_name):
    """The backward of a linear op: ``fn(backend, g, state)`` on arrays; on a gradient tensor
    (``create_graph``) the same map recorded as a :class:`LinearMap` node called ``name``,
    whose own gradient is ``adjoint`` (the op's forward map, node name ``adjoint_name``)."""
    if isinstance(g, Tensor):
        return LinearMap.apply(g, fn=fn, adjoint=adjoint, state=state, names=(name, adjoint_name), _name=name)
    return fn(ctx.backend, g, state)


class DelayedError(OpFunction):
    """A copy of a gradient whose own gradient PyTorch does not define: differentiating it
    again raises ``RuntimeError(msg)`` (PyTorch's ``DelayedError`` node, ``grad_fn``
    ``torch::autograd::Error``), while a first-order use is unaffected."""

    name = "torch::autograd::Error"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, msg):
        ctx.msg = msg
        return x._backend.copy(x._data)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ctx.msg)


def _not_capable(name):
    return NotImplementedError(
        f"create_graph=True: the backward of {name} is not differentiable in reftorch yet (the operations "
        "covered are listed under 'Higher-order gradients' in the autograd guide)")


def apply_with_graph(node, grad, retain_graph):
    """Run ``node``'s backward on the gradient tensor ``grad`` (a list of them, ``None``
    for some, for a multi-output node), recording its graph.

    Returns:
        One gradient tensor (or ``None``) per entry of ``node.next_functions``.

    Raises:
        NotImplementedError: if the op's backward is not marked ``create_graph``-capable.
    """
    if isinstance(node, BackwardCFunction):  # a custom Function: its backward works on tensors
        return node.apply(grad, retain_graph, create_graph=True)
    if getattr(node, "apply_with_graph", None) is not None:  # a node type with its own graph path
        return node.apply_with_graph(grad, retain_graph)
    if not isinstance(node, Node) or not node.ctx.__dict__.get("create_graph", node._fn.create_graph):
        raise _not_capable(node.name())  # (a forward may set ctx.create_graph = False for one call)
    ctx = node.ctx
    saved = ctx._saved
    if saved is None:
        raise RuntimeError(_FREED)
    if saved.__class__ is PackedSaved:  # packed by saved_tensors_hooks (no version check then)
        ctx._saved = unpack_saved(saved)
    else:
        node._check_saved()
    try:
        if node._multi:  # one gradient tensor (or None) per output
            first = next(g for g in grad if g is not None)
            tb = TensorBackend(first._device, first._backend)
            grads = node._fn.backward(GraphContext(ctx, tb), *grad)
        else:
            tb = TensorBackend(grad._device, grad._backend)
            grads = node._fn.backward(GraphContext(ctx, tb), grad)
    finally:
        ctx._saved = saved
    if not isinstance(grads, tuple):
        grads = (grads,)
    if node._slots is not None:
        grads = tuple(grads[i] if i < len(grads) else None for i in node._slots)
    for g in grads:
        if g is not None and not isinstance(g, Tensor):
            # an array escaped the tensor namespace: its graph would be lost, so refuse
            raise _not_capable(node.name())
    if not retain_graph and ctx._saved:
        ctx._saved = None
    return grads


def accumulate(t, grad):
    """Add the gradient tensor ``grad`` to leaf ``t``'s ``.grad`` out of place, keeping its
    graph (PyTorch's AccumulateGrad under ``create_graph``): a first gradient is copied
    (``CopyBackwards`` when it has a graph), a later one added (``AddBackward0``)."""
    if t._grad is not None:
        t._grad = t._grad + grad
    elif grad.requires_grad:
        t._grad = _torch._ops.shape.Clone.apply(grad, _name="torch::autograd::CopyBackwards")
    else:
        t._grad = Tensor._wrap(grad._backend.copy(grad._data), grad._device, grad._backend)


_CYCLE = ("Using backward() with create_graph=True will create a reference cycle between the parameter "
          "and its gradient which can cause a memory leak. We recommend using autograd.grad when creating "
          "the graph to avoid this. If you have to use this function, make sure to reset the .grad fields "
          "of your parameters to None after use to break the cycle and avoid the leak.")


def warn_reference_cycle():
    """PyTorch's once-per-process warning for ``backward(create_graph=True)``."""
    warn_once(_CYCLE, stacklevel=4)
