"""The ``Tensor`` class: an array of the device's backend plus autograd metadata.

Mirrors ``torch.Tensor``. A tensor holds

* ``_data``: a NumPy array (CPU), a CuPy array (CUDA) or an ``array_api_strict`` array
  (the test stand-in). Views (``view``, ``squeeze``, ``t`` …) are backend views of the same
  memory, so writes through one are seen by the other, exactly as in PyTorch;
* ``_version_counter``: a one-element list shared by a tensor and all its views, bumped by
  every in-place operation (PyTorch's version counter; ``_version`` reads it as an int);
* ``_is_inference``: whether it was made inside ``inference_mode()`` (views inherit it);
* autograd fields: ``requires_grad``, ``grad``, ``grad_fn``, ``_base``.

The operations themselves live in ``reftorch/_ops/`` (one ``Function`` per differentiable
op); the methods here forward to them.
"""
from __future__ import annotations

import builtins
import math
import numbers
from operator import index as _op_index
import warnings
import weakref

from . import _dtype as D
from . import _backends
from ._codegen import compile_function
from ._device import CPU
from ._memory_format import (channels_last, channels_last_3d, check_memory_format, contiguous_format,
                             is_contiguous_as)
from ._grad_state import counts as _counts, state as _grad_state
from ._size import Size
from ._tensor_str import _str

_tuple_new = tuple.__new__  # Size(shape) without the per-element int(): backend shapes are ints

#: dtype name -> legacy tensor type name (``"float32"`` -> ``"FloatTensor"``).
_TYPE_NAMES = {name: scalar + "Tensor" for name, scalar in D.SCALAR_NAMES.items()}

_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access "
    "the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more informations. (Triggered internally at "
    "/pytorch/build/aten/src/ATen/core/TensorBody.h:497.)")


_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool"}


#: PyTorch's error for an in-place write to an inference tensor outside inference mode.
INPLACE_INFERENCE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                     "clone to get a normal tensor before doing inplace update.See "
                     "https://github.com/pytorch/rfcs/pull/17 for more details.")
#: PyTorch's error for an inference tensor saved by a recorded operation.
SAVED_INFERENCE = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                   "inference mode in computation tracked by autograd. To work around this, you can make a "
                   "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                   "`torch.inference_mode()`.")


def tensor_type_name(t) -> str:
    """PyTorch's legacy type string, e.g. ``torch.FloatTensor`` or ``torch.cuda.LongTensor``."""
    prefix = "torch.cuda." if t.device.type == "cuda" else "torch."
    return prefix + _TYPE_NAMES[t.dtype.name]


def typename(obj) -> str:
    """The fully qualified name of ``obj``'s type: a tensor's legacy type string
    (``torch.FloatTensor``), a class's or function's own dotted name, for other objects
    their class's (builtins without a module). reftorch's own names are given under
    ``torch.``, the namespace reftorch mirrors. Mirrors ``torch.typename``.

    Examples:
        >>> import reftorch as torch
        >>> torch.typename(torch.tensor([1, 2]))
        'torch.LongTensor'
        >>> torch.typename(torch.nn.Linear)
        'torch.nn.modules.linear.Linear'
        >>> torch.typename(3.0)
        'float'
    """
    if isinstance(obj, Tensor):
        return tensor_type_name(obj)
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        name = obj.__qualname__
    elif hasattr(obj, "__name__"):
        name = obj.__name__
    else:
        module, name = type(obj).__module__ or "", type(obj).__qualname__
    if module in ("", "builtins", "__builtin__"):
        return name
    if module.startswith("reftorch._") and module.count(".") == 1:
        module = "reftorch"  # (Tensor, dtype, Size, device … live in ``torch`` itself in PyTorch)
    if module == "reftorch" or module.startswith("reftorch."):
        module = "torch" + module[len("reftorch"):]
    return f"{module}.{name}"


#: Scalar types that ATen's ``toString(Tensor)`` prints with their legacy type name.
_LEGACY_SCALARS = frozenset(("uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"))


def tensor_string(t) -> str:
    """How ATen's error messages name a tensor's type: the legacy name
    (``torch.FloatTensor``) where one exists, else backend + scalar type (``CPUBoolType``,
    ``CUDAComplexFloatType``)."""
    if t.dtype.name in _LEGACY_SCALARS:
        return tensor_type_name(t)
    return ("CUDA" if t.device.type == "cuda" else "CPU") + D.scalar_name(t.dtype) + "Type"


def _as_shape(args, fn=None, name="size") -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size([2, 3]))``.

    ``fn`` and ``name`` (the function and its argument, ``"zeros"`` and ``"size"``) only
    word the errors.

    Raises:
        TypeError: as PyTorch's argument parser, for a first size that is not an int (a
            bool: ``zeros(True, 2)``; later bools count as ints) or a later one that is not
            int-like (``zeros(2, 2.0)``).
    """
    packed = False
    if len(args) == 1 and args[0].__class__ is not int and isinstance(args[0], (tuple, list, Size)):
        args, packed = args[0], args[0].__class__ is not Size
    if args.__class__ is tuple:  # plain ints, the usual case: the tuple itself (per-call overhead)
        for a in args:
            if a.__class__ is not int:
                break
        else:
            return args
    if args and _is_bool(args[0]):
        _size_error(args, packed, fn, name)
    try:
        return tuple(map(_op_index, args))  # fast path: plain ints
    except TypeError:
        return tuple(_index(a, i, args, packed, fn, name) for i, a in enumerate(args))


def _is_bool(a) -> bool:
    return isinstance(a, builtins.bool) or type(a).__name__ in ("bool", "bool_")  # (NumPy's bool too)


def _type_name(a) -> str:
    t = type(a)
    if t.__module__ == "builtins" or isinstance(a, Tensor):  # (PyTorch names its own "Tensor")
        return t.__name__
    return f"{t.__module__.split('.')[0]}.{t.__name__}"


def _size_error(args, packed, fn, name, pos=0):
    """PyTorch's TypeError for element ``pos`` of the sizes ``args`` (not an int)."""
    what = f"{fn}(): argument '{name}'" if fn else f"argument '{name}'"
    bad = _type_name(args[pos])
    if pos:  # a later element: unpacked one by one
        raise TypeError(f'{what} failed to unpack the object at pos {pos + 1} with error '
                        f'"type must be tuple of ints,but got {bad}"')
    if packed:
        raise TypeError(f"{what} (position 1) must be tuple of ints, but found element of type {bad} at pos 0")
    if len(args) == 1:
        raise TypeError(f"{what} (position 1) must be tuple of ints, not {bad}")
    if fn:  # f(True, 2): the first argument is no size, so the rest are one too many
        raise TypeError(f"{fn}() takes 1 positional argument but {len(args)} were given")
    raise TypeError(f"{what} (position 1) must be tuple of ints, but found element of type {bad} at pos 0")


def _index(a, pos=0, args=None, packed=False, fn=None, name="size") -> int:
    try:
        return a.__index__()  # (a tensor: only an integer tensor of one element is a size)
    except (AttributeError, TypeError):
        if args is None:
            raise TypeError(f"expected int, got {type(a).__name__}") from None
        _size_error(args, packed, fn, name, pos)


def new_shape(args, fn) -> tuple:
    """The size of a new tensor, as :func:`_as_shape` reads it, with PyTorch's error for a
    negative one.

    Raises:
        RuntimeError: "Trying to create tensor with negative dimension -1: [2, -1]".
    """
    shape = _as_shape(args, fn)
    if shape and min(shape) < 0:
        bad = next(s for s in shape if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: [{', '.join(map(str, shape))}]")
    return shape


class Tensor:
    """A multi-dimensional array with autograd support. Mirrors ``torch.Tensor``.

    Create tensors with :func:`reftorch.tensor` and the other creation functions. Calling
    the class directly follows PyTorch's legacy constructor: ``Tensor(2, 3)`` is an
    uninitialised float32 tensor of shape ``(2, 3)``, ``Tensor([1, 2])`` a float32 copy of
    the data.
    """

    __slots__ = ("_data", "_dtype", "_device", "_backend", "_requires_grad", "_grad_fn", "_fn_version",
                 "_grad", "_base", "_version_counter", "_is_inference", "_accumulator", "_retains_grad", "_output_nr",
                 "_multi_view", "__weakref__",
                 "__dict__")

    # ----------------------------------------------------------------- bound from above
    # Tensor sits below autograd and the ops and imports neither. The few methods here that
    # need them call these static methods, which the layer binding the ops to Tensor
    # (``_tensor_methods.py``) sets when the package is imported.
    _autograd_backward = None  #: ``reftorch.autograd.backward``
    _register_hook = None  #: ``reftorch.autograd._hooks.register_tensor_hook``
    _register_post_accumulate_hook = None  #: ``reftorch.autograd._hooks.register_post_accumulate_hook``
    _regenerate_view_fn = None  #: ``reftorch._ops._inplace.regenerate_view_fn``
    _legacy_new = None  #: the legacy constructors (``Tensor(2, 3)``, ``LongTensor([1])``)
    _rebuild = None  #: ``reftorch._ops.creation._rebuild`` (what unpickling calls)

    # ----------------------------------------------------------------- construction
    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, device=None, **kwargs):
        if getattr(self, "_dtype", None) is not None:  # already built by _wrap
            return
        src = Tensor._legacy_new(D.get_default_dtype(), args, device, check_type=False)  # Tensor([1, 2]), Tensor(2, 3)
        self._init_from(src._data, src.device, src._backend)

    # ``_init_from(data, dev, backend, requires_grad=False, view_of=None)``: set every
    # field; compiled below the class from :func:`fields_source`, the one list of them.

    def _share_version(self, other):
        """Share ``other``'s version counter and inference flag (``detach``, ``.data``,
        ``Parameter``: the same memory, not a view)."""
        self._version_counter = other._version_counter
        self._is_inference = other._is_inference

    @property
    def _version(self) -> int:
        """The version counter: how many in-place writes this tensor's memory has had
        (shared with its views). Read-only, as in PyTorch.

        Raises:
            RuntimeError: on an inference tensor (made inside ``inference_mode()``).
        """
        if self._is_inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._version_counter[0]

    def _bump_version(self):
        """Record an in-place write (PyTorch's version counter moves by one).

        Raises:
            RuntimeError: on an inference tensor outside ``inference_mode()``.
        """
        if self._is_inference and not _grad_state.inference:
            raise RuntimeError(INPLACE_INFERENCE)
        self._version_counter[0] += 1

    def is_inference(self) -> bool:
        """Whether this is an inference tensor: made inside ``torch.inference_mode()`` (or a
        view of one). Mirrors ``torch.Tensor.is_inference``.

        Examples:
            >>> import reftorch as torch
            >>> torch.ones(2).is_inference()
            False
            >>> with torch.inference_mode():
            ...     t = torch.ones(2)
            >>> t.is_inference()
            True
        """
        return self._is_inference

    def is_signed(self) -> bool:
        """Whether the dtype holds negative values (False for ``uint8`` and ``bool``).
        Mirrors ``torch.Tensor.is_signed``."""
        return self._dtype.is_signed

    def is_same_size(self, other) -> bool:
        """Whether ``other`` has the same shape. Mirrors ``torch.Tensor.is_same_size``."""
        return self._data.shape == other._data.shape

    def is_nonzero(self) -> bool:
        """The truth of a one-element tensor. Mirrors ``torch.Tensor.is_nonzero``.

        Raises:
            RuntimeError: for a tensor with no element or with more than one.
        """
        n = self.numel()
        if n != 1:
            what = "no values" if n == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self.item())

    # ``_wrap(data, dev=CPU, backend=None)``, a classmethod: wrap a backend array (no copy).
    # Compiled below from :func:`fields_source`, the fields set inline (it makes most results).

    # ----------------------------------------------------------------- metadata
    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def shape(self) -> Size:
        """The size of each dimension, as a ``torch.Size`` (a tuple subclass).

        Mirrors ``torch.Tensor.shape``; the same as ``size()`` called without ``dim``.
        A 0-dimensional tensor has the empty shape ``torch.Size([])``.

        Examples:
            >>> import reftorch as torch
            >>> torch.zeros(2, 3).shape
            torch.Size([2, 3])
            >>> torch.tensor(1.0).shape
            torch.Size([])
        """
        return _tuple_new(Size, self._data.shape)

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    @property
    def layout(self):
        return "torch.strided"

    def size(self, dim=None):
        """The shape as a ``torch.Size``, or the size of one dimension (negative dims count
        from the end).

        Raises:
            IndexError: if ``dim`` is out of range.
        """
        if dim is None:
            return _tuple_new(Size, self._data.shape)
        return self._data.shape[_wrap_dim(int_arg(dim, "size", "dim", 1), self.dim(), allow_scalar=False)]

    def dim(self) -> int:
        """The number of dimensions (0 for a scalar tensor)."""
        return len(self._data.shape)

    ndimension = dim

    @property
    def ndim(self) -> int:
        return len(self._data.shape)

    def numel(self) -> int:
        """The number of elements: the product of the sizes (1 for a 0-dim tensor)."""
        return math.prod(self._data.shape)

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._dtype.itemsize * self.numel()

    def stride(self, dim=None):
        """Steps, in elements, between neighbours along each dimension.

        Raises:
            IndexError: if ``dim`` is out of range.
        """
        st = self._backend.strides(self._data)
        if dim is None:
            return st
        return st[_wrap_dim(int_arg(dim, "stride", "dim", 1), self.dim(), allow_scalar=False)]

    def is_contiguous(self, *, memory_format=contiguous_format) -> bool:
        """Whether the elements lie in memory in row-major order without gaps; with
        ``memory_format=torch.channels_last`` (``channels_last_3d``), whether the tensor is 4-d
        (5-d) and laid out so (``preserve_format`` counts as ``contiguous_format``).

        Size-1 dimensions are ignored, as in PyTorch.

        Raises:
            TypeError: if ``memory_format`` is not a ``torch.memory_format`` (``None`` too).
        """
        if memory_format is not contiguous_format:
            fmt = check_memory_format(memory_format, "is_contiguous")
            if fmt is channels_last or fmt is channels_last_3d:
                return is_contiguous_as(self._data.shape, self.stride(), fmt)
        expected = 1
        for size, st in zip(reversed(self._data.shape), reversed(self.stride())):
            if size == 1:
                continue
            if st != expected:
                return size == 0 or self.numel() == 0
            expected *= size
        return True

    def data_ptr(self) -> int:
        """The address of the first element (NumPy's / CuPy's data pointer)."""
        return self._backend.data_ptr(self._data)

    def storage_offset(self) -> int:
        """Where the first element lies in the memory shared with the tensor's base (its
        storage), in elements; 0 for a tensor that is not a view.

        Mirrors ``Tensor.storage_offset``.

        Examples:
            >>> import reftorch as torch
            >>> x = torch.arange(12).reshape(3, 4)
            >>> x[1, 2:].storage_offset()
            6
        """
        root = storage_root(self)
        if root._data.size == 0:
            return 0
        b = self._backend
        return (b.data_ptr(self._data) - b.data_ptr(root._data)) // self._dtype.itemsize

    def get_device(self) -> int:
        return -1 if self._device.type == "cpu" else (self._device.index or 0)

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        return self._dtype.is_complex

    def _host(self):
        """The values as a host NumPy array (a copy for device tensors)."""
        return self._backend.to_host(self._data)

    # ----------------------------------------------------------------- autograd fields
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag, _method="setter")

    def requires_grad_(self, requires_grad: bool = True, *, _method="method"):
        """Set ``requires_grad`` in place and return ``self``.

        Raises:
            RuntimeError: on a tensor that is not floating point or complex, when
                switching gradients off on a non-leaf tensor, or when switching them on for
                an inference tensor outside ``inference_mode()``.
        """
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return self
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            # PyTorch words this differently for requires_grad_() and for factory functions.
            raise RuntimeError({"method": "only Tensors of floating point dtype can require gradients",
                                "setter": "only Tensors of floating point and complex dtype can require gradients"}
                               .get(_method, "Only Tensors of floating point and complex dtype can require gradients"))
        if requires_grad and self._is_inference and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        """The node that created this tensor (``None`` for leaves).

        A view whose memory was written in place through another view (or its base) gets
        a fresh ``AsStridedBackward0`` node over the base's new history, as in PyTorch, so
        gradients through it see the written values' history.
        """
        base = self._base
        if base is not None and self._fn_version != self._version_counter[0] and self._requires_grad \
                and (base._grad_fn is not None or base._requires_grad):
            Tensor._regenerate_view_fn(self, base)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node
        self._output_nr = 0
        self._fn_version = self._version_counter[0]

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is: 0, but for the outputs of an op
        with several (``x.split(2)[1].output_nr`` is 1). Mirrors ``torch.Tensor.output_nr``."""
        self.grad_fn  # (a view written through its base gets a new node first)
        return self._output_nr

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NONLEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_TYPE.get(value.dtype.name, value.dtype.name)}' "
                    f"to a tensor with grad_dtype '{D.scalar_name(self.dtype)}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                    "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
                    "they match.")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '[{', '.join(map(str, value.shape))}]' "
                                   f"to a tensor of size '[{', '.join(map(str, self.shape))}]'. Please ensure that "
                                   "the gradient and the tensor are the same size")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self):
        """Make a non-leaf tensor keep its ``.grad`` after ``backward()``."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retains_grad = True
        fn = self.grad_fn
        if fn._multi:  # one of several outputs: output_nr -> tensor
            if fn._retained is None:
                fn._retained = {}
            fn._retained[self._output_nr] = weakref.ref(self)
        else:
            fn._retained = weakref.ref(self)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves.

        Gradients are accumulated (added) into the ``.grad`` of every leaf that requires
        grad. Mirrors ``torch.Tensor.backward``.

        Args:
            gradient: the gradient of some scalar with respect to this tensor, with this
                tensor's shape. Optional only when this tensor has one element.
            retain_graph: keep the graph's saved tensors so ``backward`` can run through it
                again. Defaults to ``create_graph``.
            create_graph: record the backward pass as a graph, so the gradients in
                ``.grad`` can be differentiated again (higher-order gradients).
            inputs: if given, only these tensors accumulate into their ``.grad``.

        Raises:
            RuntimeError: if this tensor does not require grad, if ``gradient`` is omitted for
                a tensor with more than one element, if ``gradient`` has the wrong shape, or if
                the graph was already freed by an earlier ``backward``.
        """
        Tensor._autograd_backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                                  inputs=inputs)

    def register_hook(self, hook):
        """Register ``hook(grad)``, called with this tensor's gradient each time one is
        computed, before it is used. A hook that returns a tensor replaces the gradient
        (same shape and dtype); returning ``None`` keeps it. Works on leaves (runs before
        accumulation into ``.grad``) and non-leaves. Mirrors ``torch.Tensor.register_hook``.

        Returns:
            reftorch.utils.hooks.RemovableHandle: ``handle.remove()`` unregisters the hook.

        Raises:
            RuntimeError: if this tensor does not require grad.

        Examples:
            >>> import reftorch as torch
            >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 10)
            >>> (x * 2).sum().backward()
            >>> x.grad
            tensor([20., 20.])
            >>> h.remove()
        """
        return Tensor._register_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Register ``hook(tensor) -> None``, called with this leaf tensor each time a
        backward pass has accumulated a gradient into its ``.grad`` (not for
        ``torch.autograd.grad``). Mirrors ``torch.Tensor.register_post_accumulate_grad_hook``;
        a hook can, for instance, apply an optimizer step and free ``.grad`` during backward.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Raises:
            RuntimeError: on a tensor that does not require grad or is not a leaf; from the
                backward pass, when the hook returns something other than None.

        Examples:
            >>> import reftorch as torch
            >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
            >>> h = w.register_post_accumulate_grad_hook(lambda t: print(t.grad))
            >>> (w * 3).sum().backward()
            tensor([3., 3.])
            >>> h.remove()
        """
        return Tensor._register_post_accumulate_hook(self, hook)

    @property
    def data(self):
        # Unlike detach(), a new version counter (PyTorch's variable_data()): in-place writes
        # through .data are invisible to autograd's saved-tensor checks.
        t = Tensor._wrap(self._data, self._device, self._backend)
        t._is_inference = self._is_inference
        _share_storage(t, self)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data
        self._dtype = value._dtype
        self._device = value._device
        self._backend = value._backend

    def detach(self):
        """A new tensor sharing this tensor's memory, cut off from the graph (a leaf with
        ``requires_grad=False``)."""
        t = Tensor._wrap(self._data, self._device, self._backend)
        t._share_version(self)  # shares memory and the version counter, but is not a view
        _share_storage(t, self)
        return t

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ----------------------------------------------------------------- Python protocol
    def __repr__(self, *, tensor_contents=None):
        return _str(self, tensor_contents=tensor_contents)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        # As PyTorch: a 0-dim plain Tensor formats its number (f"{torch.tensor(1.5)}" is
        # "1.5"); anything else is str(self), and a non-empty spec raises TypeError.
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.detach().item().__format__(spec)
        return object.__format__(self, spec)

    def __len__(self):
        if self.dim() == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __reversed__(self):
        """``reversed(x)``: ``x.flip(0)`` (a 0-d tensor itself), as PyTorch's."""
        return self if self.dim() == 0 else self.flip(0)

    def __contains__(self, element):
        """``element in x``: whether some element of ``x`` equals it (a number or a tensor,
        compared with broadcasting), as PyTorch's.

        Raises:
            RuntimeError: for anything else ("Tensor.__contains__ only supports Tensor or
                scalar, but you passed in a <class 'str'>.").
        """
        if not isinstance(element, (Tensor, numbers.Number)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                               f"{type(element)}.")
        return bool((element == self).any().item())

    def __hash__(self):
        return id(self)

    def _scalar_value(self, kind):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self._host().reshape(()).item())

    def item(self):
        """The value of a one-element tensor as a Python number.

        Raises:
            RuntimeError: if the tensor has more than one element.
        """
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to Scalar")
        return self._host().reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers; a 0-dim tensor gives a number."""
        return self._host().tolist()

    def __bool__(self):
        if self.numel() != 1:
            what = "no values" if not self.numel() else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self.item())

    def __float__(self):
        return self._scalar_value(float)

    def __int__(self):
        return self._scalar_value(int)

    def __complex__(self):
        return self._scalar_value(complex)

    def __index__(self):
        if self._dtype.is_floating_point or self._dtype.is_complex or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def numpy(self, *, force=False):
        """The NumPy array behind a CPU tensor: it shares memory with the tensor.

        Raises:
            RuntimeError: if the tensor requires grad (call ``detach()`` first).
            TypeError: for a CUDA tensor (call ``cpu()`` first), and for a bfloat16 tensor, as
                in PyTorch (NumPy has no bfloat16; convert with ``float()`` first).
        """
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self._dtype is D.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        if self._device.type != "cpu":
            if force:
                return self._host()
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        return self._data

    #: NumPy defers to the tensor's reflected operators (``np.float32(2) * x`` is a tensor)
    __array_priority__ = 1000

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: :meth:`numpy` (so not for a tensor that requires grad, as in
        PyTorch), cast to ``dtype`` when one is given."""
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """The result of a NumPy function applied to tensors (``np.sin(t)``, ``t + array``)
        as a CPU tensor sharing its memory, as PyTorch's: a bool result becomes uint8."""
        if array.dtype == bool:
            array = array.astype("uint8")
        return Tensor._wrap(array)

    def __reduce_ex__(self, protocol):
        return (Tensor._rebuild, (self._host(), str(self._device), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = self.detach().clone()
        new._base = None
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_conj_bit", None)  # (PyTorch copies a conjugate view's values, without the bit)
        memo[id(self)] = new
        return new


def fields_source(t="self", data="data", dev="dev", backend="backend", requires_grad="requires_grad",
                  view_of=None, multi_view=None):
    """The statements that set every field of a new tensor: the one place the fields are
    listed. The arguments are the names, in the code the statements go into, of the bare
    tensor (``object.__new__(Tensor)``), its backend array (a NumPy scalar from a 0-d
    result becomes a 0-d array), device, backend and ``requires_grad`` flag, and of the
    tensor whose memory the array views (the new one then shares its root base, version
    counter and inference flag), or None for a tensor that views nothing; ``multi_view``:
    the expression a view's ``_multi_view`` is set to (default: that of the tensor it views).
    The statements read ``_grad_state`` and ``_counts`` (:mod:`reftorch._grad_state`'s
    ``state`` and ``counts``) from their scope.

    :meth:`Tensor._init_from` runs them; every op's generated ``apply``
    (:mod:`reftorch.autograd.function`) has them inline, which saves a call per op.
    """
    common = f"""\
if {data}.__class__ is not {backend}.array_type:
    {data} = {backend}.as_array({data})
{t}._data = {data}
{t}._backend = {backend}
{t}._dtype = {backend}._from_native[{data}.dtype]
{t}._device = {dev}
{t}._requires_grad = {requires_grad}
{t}._grad_fn = None
{t}._grad = None
{t}._accumulator = None
{t}._retains_grad = False
{t}._output_nr = 0
"""
    if view_of is None:
        return common + f"""\
{t}._multi_view = False
{t}._base = None
{t}._version_counter = [0]
{t}._fn_version = 0
{t}._is_inference = _grad_state.inference if _counts.inference_threads else False
"""
    # a view of an output of split/unbind/...: PyTorch refuses in-place writes into it, so
    # ``_multi_view`` passes on to views of it
    return common + f"""\
{t}._base = {view_of} if {view_of}._base is None else {view_of}._base
{t}._multi_view = {multi_view or view_of + "._multi_view"}
{t}._version_counter = {view_of}._version_counter
{t}._fn_version = {view_of}._version_counter[0]
{t}._is_inference = {view_of}._is_inference
"""


def _share_storage(t, src):
    """Give ``t`` (not a view, over ``src``'s memory: ``detach()``, ``.data``) ``src``'s
    storage: ``storage_offset()`` and ``untyped_storage()`` then count from the start of
    the memory of ``src``'s base, as in PyTorch."""
    if src._base is not None or getattr(src, "_storage_root", None) is not None:
        t._storage_root = graph_free(storage_root(src))


def graph_free(root):
    """``root`` (a tensor returned by :func:`storage_root`) itself, or, when it holds an
    autograd graph (which a storage, or a detached tensor, must not keep alive), a plain
    tensor over its memory, recorded as its storage root (so both give one storage)."""
    if root._grad_fn is None:
        return root
    handle = Tensor._wrap(root._data, root._device, root._backend)
    handle._is_inference = root._is_inference
    root._storage_root = handle
    return handle


def storage_root(t):
    """The tensor whose memory is ``t``'s storage (``t.untyped_storage()``): the tensor that
    ``set_`` made ``t`` (or ``t``'s base) view (or the storage root of the tensor that
    ``t`` was detached from), else ``t``'s base for a view, else ``t``. Offsets
    (``storage_offset``, ``as_strided``) count from its first element."""
    base = t if t._base is None else t._base
    holder = t  # (a view that set_ moved keeps its base, as in PyTorch, but not its memory)
    root = getattr(t, "_storage_root", None)
    if root is None and base is not t:
        holder = base
        root = getattr(base, "_storage_root", None)
    if root is None:
        return base
    b = holder._backend
    start, ptr = b.data_ptr(root._data), b.data_ptr(holder._data)
    if not start <= ptr <= start + root._data.size * root._dtype.itemsize:
        del holder._storage_root  # its memory was replaced since (resize_, .data =): forget it
        return storage_root(t)
    return root


def _indented(text, spaces):
    """``text``'s lines indented by ``spaces`` (to put generated statements in a body)."""
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


def _compile_init_from():
    """``Tensor._init_from(data, dev, backend, requires_grad=False, view_of=None)``: set
    every field of a bare tensor (what ``_wrap`` and the constructors call), compiled from
    :func:`fields_source` for both kinds of tensor."""
    source = ("def _init_from(self, data, dev, backend, requires_grad=False, view_of=None):\n"
              "    if view_of is None:\n" + _indented(fields_source(), 8) +
              "    else:\n" + _indented(fields_source(view_of="view_of"), 8))
    init_from = compile_function(source, "_init_from", {"_grad_state": _grad_state, "_counts": _counts})
    init_from.__qualname__, init_from.__module__ = "Tensor._init_from", __name__
    return init_from


Tensor._init_from = _compile_init_from()


def _compile_wrap():
    """``Tensor._wrap(data, dev=CPU, backend=None)``: a new tensor over the backend array
    ``data`` (no copy), on device ``dev`` (its backend looked up when not given); the body
    of :meth:`Tensor._init_from` inline."""
    source = ("def _wrap(cls, data, dev=CPU, backend=None):\n"
              "    self = _new(cls)\n"
              "    if backend is None:\n"
              "        backend = _backend_of(dev)\n" + _indented(fields_source(requires_grad="False"), 4) +
              "    return self\n")
    scope = {"_grad_state": _grad_state, "_counts": _counts, "CPU": CPU, "_new": object.__new__,
             "_backend_of": _backends.get}
    wrap = compile_function(source, "_wrap", scope)
    wrap.__qualname__, wrap.__module__ = "Tensor._wrap", __name__
    return classmethod(wrap)


Tensor._wrap = _compile_wrap()


def int_arg(value, fn, name, pos):
    """Check an int argument the way PyTorch's argument parser does (bools are refused).

    Raises:
        TypeError: "unsqueeze(): argument 'dim' (position 1) must be int, not tuple".
    """
    if type(value) is int:  # fast path: a plain int (bool is a subclass, refused below)
        return value
    if isinstance(value, builtins.bool) or not hasattr(value, "__index__") or (
            isinstance(value, Tensor) and (value.dtype.is_floating_point or value.numel() != 1)):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not {type(value).__name__}")
    return value.__index__()


def tensor_arg(value, fn, name, pos):
    """Check a tensor argument the way PyTorch's argument parser does.

    Raises:
        TypeError: "one_hot(): argument 'input' (position 1) must be Tensor, not int".
    """
    if value.__class__ is not Tensor and not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(value).__name__}")
    return value


def _wrap_dim(dim, ndim, *, allow_scalar=True):
    """Normalise a possibly negative ``dim`` against ``ndim`` dims (PyTorch's maybe_wrap_dim).

    Raises:
        IndexError: "Dimension out of range (expected to be in range of [-2, 1], but got 2)".
    """
    if dim.__class__ is not int:
        if dim.__class__ is builtins.bool:  # PyTorch's argument parser refuses a bool dim
            raise TypeError("argument 'dim' must be int, not bool")
        try:
            dim = dim.__index__()
        except AttributeError:
            raise TypeError(f"dim must be an int, got {type(dim).__name__}") from None
    n = ndim
    if n <= 0:
        if not allow_scalar:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        n = 1
    if dim < 0:
        if dim >= -n:
            return dim + n
    elif dim < n:
        return dim
    raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")


# ----------------------------------------------------------------- legacy tensor types
class _LegacyTensorType(type):
    """The metaclass of ``torch.FloatTensor`` and friends: ``isinstance(t, torch.FloatTensor)``
    is True for CPU float32 tensors, and calling the class builds a tensor of that dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __call__(cls, *args, device=None):
        return Tensor._legacy_new(cls.dtype, args, device)  # LongTensor([1, 2]), FloatTensor(2, 3)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(type_name, dtype_name):
    return _LegacyTensorType(type_name, (), {"dtype": D.BY_NAME[dtype_name], "__module__": "torch",
                                             "__doc__": f"Legacy constructor of CPU {dtype_name} tensors."})


#: The dtypes with a legacy typed constructor: PyTorch has none for complex dtypes
#: (``torch.ComplexFloatTensor`` is only a type string, ``x.type()``).
LEGACY_DTYPES = tuple(dt for dt in _TYPE_NAMES if not D.BY_NAME[dt].is_complex)

#: ``torch.FloatTensor``, ``torch.LongTensor`` … (the legacy typed constructors).
LEGACY_TYPES = {_TYPE_NAMES[dt]: _legacy_type(_TYPE_NAMES[dt], dt) for dt in LEGACY_DTYPES}
