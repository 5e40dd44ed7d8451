"""Binds the operations in ``reftorch/_ops`` to ``Tensor`` as methods and operators.

The top of the core: it imports ``Tensor``, autograd, the ops and ``__setitem__``
(``_tensor_inplace.py``), and hands ``Tensor`` the few functions of those layers that its
own methods call (``backward``, ``register_hook``, the legacy constructors …; see "bound
from above" in ``_tensor.py``).
"""
from __future__ import annotations

import inspect
import numbers
import warnings

import numpy as np

from . import _backends
from . import _dtype as D
from . import cuda
from ._warnings import warn_once
from ._ops._numpy_names import NOT_GIVEN, required_dim
from ._codegen import compile_function, defaults_of, parameter_text
from ._device import device as _device_cls
from ._layout import like_input, preserve_strides, with_strides
from ._memory_format import (check_memory_format, format_strides, keep_empty_strides, memory_format as memory_format_type,
                             preserve_format, suggest_memory_format)
from ._scalar import check_fill_value, store_value
from ._size import Size
from ._tensor import Tensor, _C_TYPE, _TYPE_NAMES, _as_shape, _type_name, tensor_type_name
from . import _tensor_inplace
from ._tensor_inplace import (check_inplace, check_no_internal_overlap, commit, has_internal_overlap, setitem,
                              _store)
from ._ops import (clamp, creation, cumulative, indexing, inplace_shape, linalg, multinomial, nonzero,
                   norm, pointwise, reduction, reorder, sampling, scatter, shape, softmax, sorting, splitting,
                   tensor_split, triangular)
from ._ops import compare_inplace, view_copies
from ._ops import binary_math, float_math, linalg_decomp, linalg_products, linalg_solve, special_math, unary_math
from ._ops import incomplete_gamma
from ._ops._common import grad_as, resolve_device, sum_to_shape
from ._ops._inplace import regenerate_view_fn
from ._ops._common import tensor_input
from . import autograd
from .autograd._hooks import register_post_accumulate_hook, register_tensor_hook
from .autograd.function import OpFunction as Function
from .autograd._functions import Resize
from .autograd.grad_mode import is_grad_enabled, no_grad


class ToCopy(Function):
    """Dtype/device conversion recorded by autograd (grad_fn ``ToCopyBackward0``)."""

    name = "ToCopyBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, dtype, device, to_backend, strides=None):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.src_native, ctx.src_backend = x._data.dtype, x._backend
            ctx.dst_backend, ctx.src_device, ctx.src_dtype = to_backend, x.device, x.dtype
        arr = x._data
        if to_backend is not x._backend:
            arr = to_backend.from_host(x._backend.to_host(arr))
        native = to_backend.dtype(dtype)
        if strides is not None:  # a memory format's strides
            return with_strides(to_backend, to_backend.astype(arr, native), strides)
        if to_backend is x._backend:  # laid out like x (PyTorch's empty_like with preserve_format);
            # (apply runs this in the quiet error state: nan or inf to an integer dtype, no warning)
            return like_input(to_backend, to_backend.astype(arr, native), arr)
        return to_backend.astype(arr, native) if arr.dtype != native else arr

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: the copy back is a recorded ToCopy itself
            g = grad_as(ctx.xp, g, ctx.src_dtype) if g._dtype.is_complex else g  # (complex: the real part)
            return g.to(device=ctx.src_device, dtype=ctx.src_dtype)
        src, dst = ctx.src_backend, ctx.dst_backend
        if src is not dst:
            g = src.from_host(dst.to_host(g))
        return grad_as(src.xp, g, ctx.src_native)  # (complex to real: the real part)


def parse_to_args(args, dtype=None, device=None):
    """Sort ``to()``'s positional arguments (a dtype, a device, or a tensor to match)
    into ``(dtype, device)``; shared by ``Tensor.to`` and ``nn.Module.to``."""
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, memory_format_type):  # (a keyword-only argument)
            raise TypeError(to_arguments_error(args, {}))
        elif a is not None:
            device = a
    return dtype, device


def to_arguments_error(args, kwargs):
    """The first line of PyTorch's TypeError for ``to()`` arguments that fit none of its
    forms (shared by ``Tensor.to`` and ``nn.Module.to``)."""
    def name(a):
        text = _type_name(a)
        return "torch" + text[8:] if text.startswith("reftorch.") else text  # (PyTorch's own types: torch.dtype)
    got = [name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()]
    text = ", ".join(got) + (", " if kwargs and not args else "")
    return f"to() received an invalid combination of arguments - got ({text}), but expected one of:"


def _to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """Convert dtype and/or device: ``to(torch.float64)``, ``to("cuda")``, ``to(other)``;
    ``memory_format=`` lays the result out in that format (``torch.preserve_format``, the
    default: like ``self``).

    Returns ``self`` when nothing changes (unless ``copy=True``): the same dtype and device,
    and ``preserve_format`` or the format ``self``'s strides suggest (PyTorch's
    ``suggest_memory_format()``, so a non-contiguous 2-d tensor is returned as it is for
    ``torch.contiguous_format``; ``contiguous()`` copies it).

    Raises:
        TypeError: if ``memory_format`` is not a ``torch.memory_format`` or ``None``.
        RuntimeError: for a channels-last format on a tensor of another rank.
    """
    if memory_format is None:
        fmt = preserve_format
    elif memory_format.__class__ is not memory_format_type:
        raise TypeError(to_arguments_error(args, {"memory_format": memory_format}))
    else:
        fmt = memory_format
    dtype, device = parse_to_args(args, dtype, device)
    dt = self.dtype if dtype is None else dtype
    dev, backend = resolve_device(device) if device is not None else (self.device, self._backend)
    shape = self._data.shape
    if dt is self.dtype and dev == self.device and not copy and (
            fmt is preserve_format or fmt is suggest_memory_format(shape, self.stride())):
        return self
    strides = None if fmt is preserve_format else format_strides(shape, fmt)
    if dt is not self.dtype and self._requires_grad and not (dt.is_floating_point or dt.is_complex):
        with no_grad():
            out = ToCopy.apply(self, dtype=dt, device=dev, to_backend=backend, strides=strides, _out=(dev, backend))
    else:
        out = ToCopy.apply(self, dtype=dt, device=dev, to_backend=backend, strides=strides, _out=(dev, backend))
    if 0 in shape and strides is None and backend is self._backend:  # (empty: the input's strides kept)
        strides = preserve_strides(tuple(shape), self.stride())
    return out if strides is None else keep_empty_strides(out, strides)


def _cast(name, dt):
    """``Tensor.float`` and its kin: ``self.to(dt, memory_format=memory_format)``."""
    def method(self, *, memory_format=preserve_format):
        return _to(self, dt, memory_format=check_memory_format(memory_format, name, preserve_format))
    method.__name__, method.__qualname__ = name, "Tensor." + name
    method.__doc__ = f"``self.to({dt}, memory_format=memory_format)``."
    return method


def _binary(fn, swap=False):
    if swap:
        return lambda self, other: fn(other, self)
    return lambda self, other: fn(self, other)


def _inplace(fn):
    def method(self, *args, **kwargs):
        return commit(self, fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :meth:`{fn.__name__}`."
    return method


def _masked_fill_(self, mask, value):
    """In-place version of :meth:`masked_fill`. On an expanded tensor (elements sharing
    memory) PyTorch writes the masked elements only, with a deprecation warning."""
    if has_internal_overlap(self) and not _records(self, *([value] if isinstance(value, Tensor) else [])):
        warnings.warn("Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
                      "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = "
                      "scalar", UserWarning, stacklevel=2)
        check_inplace(self)
        filled = indexing.masked_fill(self, mask, value)  # the checks, and the value to write
        m = shape.expand(mask, self.shape)._data if tuple(mask.shape) != tuple(self.shape) else mask._data
        b = self._backend
        b.setitem(self._data, m, b.getitem(filled._data, m))
        self._bump_version()
        return self
    return commit(self, indexing.masked_fill(self, mask, value))


class _Fill(Function):
    """``fill_`` recorded by autograd: ``FillBackward2`` for a number (no gradient reaches the
    old values), ``FillBackward3`` for a 0-d tensor value (which gets the gradient's sum)."""

    name = "FillBackward2"
    create_graph = True

    @staticmethod
    def forward(ctx, x, *value, fill=None):
        xp, kw = x._backend.xp, x._backend._dev_kw()
        if value:
            ctx.vnative = value[0]._data.dtype
            arr = value[0]._data
            arr = arr if arr.dtype == x._data.dtype else x._backend.astype(arr, x._data.dtype)
            return xp.asarray(xp.broadcast_to(arr, x._data.shape), copy=True)  # (torch.fill: a new tensor)
        return xp.full(x._data.shape, fill, dtype=x._data.dtype, **kw)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if len(ctx.needs_input_grad) == 1:
            return xp.zeros_like(g)
        gv = xp.sum(g)
        return xp.zeros_like(g), (gv if gv.dtype == ctx.vnative else ctx.backend.astype(gv, ctx.vnative))


def _fill_(self, value):
    """Fill with ``value`` (a number or a 0-d tensor) in place.

    Raises:
        RuntimeError: if the number does not fit the dtype (``fill_(300)`` on uint8), or
            ``value`` is a tensor with dimensions.
    """
    check_inplace(self)
    b = self._backend
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        check_no_internal_overlap(self)  # (a number fills an expanded tensor; a tensor may not)
        if value.device != self.device:
            value = value.to(self.device)
        if _records(self, value):
            return commit(self, _Fill.apply(self, value, _name="FillBackward3"))
        arr = value._data if value._data.dtype == self._data.dtype else b.astype(value._data, self._data.dtype)
        _store(self, b.xp.broadcast_to(arr, self._data.shape))
        return self
    check_fill_value(value, self.dtype, numel=self.numel())
    value = store_value(value, self.dtype)
    if _records(self):
        return commit(self, _Fill.apply(self, fill=value), overlap_ok=True)
    _store(self, b.xp.full(self._data.shape, value, dtype=self._data.dtype, **b._dev_kw()))
    return self


@tensor_input
def fill(input, value):
    """A new tensor of ``input``'s shape, dtype and device filled with ``value`` (a number or a
    0-d tensor): the out-of-place :meth:`Tensor.fill_`. Mirrors ``torch.fill``
    (``grad_fn`` ``FillBackward0`` for a number: no gradient reaches ``input``;
    ``FillBackward1`` for a tensor value, which gets the gradient's sum).

    Raises:
        RuntimeError: if the number does not fit the dtype, or ``value`` is a tensor with
            dimensions.

    Examples:
        >>> import reftorch as torch
        >>> torch.fill(torch.zeros(2, dtype=torch.int64), 7)
        tensor([7, 7])
    """
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        return _Fill.apply(input, value.to(input.device), _name="FillBackward1")
    check_fill_value(value, input.dtype, numel=input.numel())
    return _Fill.apply(input, fill=store_value(value, input.dtype), _name="FillBackward0")


def _records(*tensors):
    """True when an in-place write to ``tensors[0]`` must be recorded by autograd."""
    return is_grad_enabled() and any(t._requires_grad for t in tensors)


class _Copy(Function):
    """``copy_`` recorded by autograd (``CopyBackwards``): the source (cast and broadcast to
    the destination) gets the gradient, the destination's old values none."""

    name = "torch::autograd::CopyBackwards"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, x, src):
        xp = x._backend.xp
        ctx.src_shape, ctx.src_native = src._data.shape, src._data.dtype
        arr = src._data if src._data.dtype == x._data.dtype else x._backend.astype(src._data, x._data.dtype)
        return xp.asarray(xp.broadcast_to(arr, x._data.shape), copy=True)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        gs = None
        if ctx.needs_input_grad[1]:
            gs = g if g.dtype == ctx.src_native else ctx.backend.astype(g, ctx.src_native)  # cast, then sum (PyTorch's order)
            gs = sum_to_shape(xp, gs, ctx.src_shape)
        return xp.zeros_like(g), gs


def _copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast to this shape) into this tensor in place."""
    src_t = src if src.device == self.device else src.to(self.device)
    if src_t.dtype is not self.dtype:
        src_t = src_t.to(self.dtype)
    check_no_internal_overlap(self)
    if _records(self, src) and (self.dtype.is_floating_point or self.dtype.is_complex):
        check_inplace(self)
        if tuple(src.shape) != tuple(self.shape):
            shape.expand(src.detach(), self.shape)  # PyTorch's error when src does not broadcast
        return commit(self, _Copy.apply(self, src if src.device == self.device else src_t))
    if tuple(src_t.shape) != tuple(self.shape):
        src_t = shape.expand(src_t, self.shape)
    check_inplace(self)
    _store(self, src_t._data)
    return self


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """``Tensor.type``: the legacy type name (``'torch.FloatTensor'``) without an argument;
    with a ``torch.dtype`` a dtype conversion on the same device; with a legacy type
    (``torch.LongTensor``, ``torch.cuda.FloatTensor``, or its name as a string) a conversion
    to that dtype AND device (CPU types move a CUDA tensor to the CPU, CUDA types move it to
    the current CUDA device).

    Raises:
        ValueError: for a string that names no legacy type ("invalid type: 'foo'").
        TypeError: for anything else that is not a type, str or dtype.
        RuntimeError: for a CUDA type without a GPU, as a CPU build of PyTorch does.
    """
    if dtype is None:
        return tensor_type_name(self)
    if isinstance(dtype, D.dtype):
        return _to(self, dtype)
    if isinstance(dtype, str):
        prefix = "torch.cuda." if dtype.startswith("torch.cuda.") else "torch."
        name = dtype[len(prefix):] if dtype.startswith(prefix) else None
        by_name = {v: k for k, v in _TYPE_NAMES.items()}
        if name == "Tensor":
            dt = D.get_default_dtype()
        elif name in by_name:
            dt = D.BY_NAME[by_name[name]]
        else:
            raise ValueError(f"invalid type: '{dtype}'")
        is_cuda = prefix == "torch.cuda."
    elif dtype is Tensor:  # the default legacy type: default dtype, CPU
        dt, is_cuda = D.get_default_dtype(), False
    elif isinstance(dtype, type) and isinstance(getattr(dtype, "dtype", None), D.dtype):  # torch.LongTensor
        dt, is_cuda = dtype.dtype, bool(getattr(dtype, "is_cuda", False))
    else:
        raise TypeError("dtype must be a type, str, or dtype object")
    if is_cuda:
        if not cuda.is_available():
            raise RuntimeError(cuda._NO_ATEN_CUDA)
        return _to(self, dt, device=self.device if self.device.type == "cuda" else "cuda")
    return _to(self, dt, device="cpu")


def _cuda(self, device=None, non_blocking=False, *, memory_format=preserve_format):
    fmt = check_memory_format(memory_format, "cuda", preserve_format)
    return _to(self, "cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device),
               memory_format=fmt)


def _cpu(self, *, memory_format=preserve_format):
    return _to(self, "cpu", memory_format=check_memory_format(memory_format, "cpu", preserve_format))


class _PinMemory(Function):
    """A copy of a CPU tensor into page-locked host memory (CuPy's ``empty_pinned``)."""

    name = "PinMemoryBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x):
        return _backends.get(_device_cls("cuda")).pin_memory(x._data)

    @staticmethod
    def backward(ctx, g):
        return g


def _pin_memory(self, device=None):
    """``Tensor.pin_memory``: a CPU copy in page-locked memory (``self`` if already pinned).

    As PyTorch: without a usable GPU it raises (CPU builds say "Cannot access accelerator
    device when none is available."), and only CPU tensors can be pinned.
    """
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if self.device.type != "cpu":
        raise RuntimeError(f"cannot pin '{tensor_type_name(self)}' only dense CPU tensors can be pinned")
    if self._backend.is_pinned(self._data):
        return self
    return _PinMemory.apply(self)


def _equal(self, other):
    """``Tensor.equal``: :func:`torch.equal`, with the method's argument positions."""
    if not isinstance(other, Tensor):
        raise TypeError(f"equal(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return reduction.equal(self, other)


def _int_list_method(fn, name, arg):
    """Bind ``fn(input, ints)`` as a method taking the ints the ways PyTorch's methods do:
    ``t.flip(0, 1)``, ``t.flip((0, 1))``, ``t.flip([0])`` or ``t.flip(dims=(0, 1))``."""
    def method(self, *args, **kw):
        if not kw and args:  # t.reshape(2, 3) or t.reshape((2, 3)): nothing to sort out (per-call overhead)
            first = args[0].__class__
            if first is int:
                return fn(self, args)  # (what the general path below gives for ints)
            if first is tuple and len(args) == 1:
                return fn(self, args[0])
        if arg in kw:
            if args:
                raise TypeError(f"{name}() got multiple values for argument '{arg}'")
            value = kw.pop(arg)
            if isinstance(value, bool) or not hasattr(value, "__len__"):
                raise TypeError(f"{name}(): argument '{arg}' must be tuple of ints, not {type(value).__name__}")
        elif not args:
            raise TypeError(f'{name}() missing 1 required positional arguments: "{arg}"')
        elif len(args) == 1:
            value = args[0]
            if value.__class__ is int or (isinstance(value, int) and not isinstance(value, bool)):
                value = (value,)
            elif not isinstance(value, (tuple, list)):
                raise TypeError(f"{name}(): argument '{arg}' (position 1) must be tuple of ints, "
                                f"not {type(value).__name__}")
        elif isinstance(args[0], (tuple, list)):
            raise TypeError(f"{name}() takes 1 positional argument but {len(args)} were given")
        else:
            value = args
        if kw:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
        return fn(self, tuple(value) if isinstance(value, list) else value)
    method.__name__ = name
    method.__doc__ = fn.__doc__
    return method


def _squeeze(self, dim=NOT_GIVEN, *more, axis=NOT_GIVEN):
    """``t.squeeze()``, ``t.squeeze(0)``, ``t.squeeze(0, 1)``, ``t.squeeze((0, 1))``, ``t.squeeze(dim=0)``,
    ``t.squeeze(axis=0)``."""
    if axis is not NOT_GIVEN:
        dim = shape.squeeze_axis(dim, axis)
    return shape.squeeze(self, (dim,) + more if more else dim)


def _new(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        if not size and "size" in kw:
            size = (kw.pop("size"),)
        return fn(*size, dtype=self.dtype if dtype is None else dtype,
                  device=self.device if device is None else device, requires_grad=requires_grad)
    return method


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, **kw):
    """An uninitialised tensor of shape ``size`` and strides ``stride``, by default of this
    tensor's dtype and device (see :func:`reftorch.empty_strided`). Mirrors
    ``torch.Tensor.new_empty_strided``.

    Examples:
        >>> import reftorch as torch
        >>> torch.ones(2, dtype=torch.float64).new_empty_strided((2, 2), (1, 2)).stride()
        (1, 2)
    """
    return creation.empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                                  device=self.device if device is None else device, requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return creation.full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                         device=self.device if device is None else device, requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return creation.tensor(data, dtype=self.dtype if dtype is None else dtype,
                           device=self.device if device is None else device, requires_grad=requires_grad)


def _shape_of_other(name, fn):
    """The method ``name`` (``view_as``, ``reshape_as``, ``expand_as``): ``fn(self,
    other.shape)``, refusing an ``other`` that is not a tensor with PyTorch's TypeError."""
    def method(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return fn(self, other.shape)
    method.__name__ = name
    return method


M = {
    # shape
    "view": shape.view, "reshape": _int_list_method(shape.reshape, "reshape", "shape"),
    "flatten": shape.flatten, "unflatten": shape.unflatten, "squeeze": _squeeze, "unsqueeze": shape.unsqueeze,
    "permute": _int_list_method(shape.permute, "permute", "dims"),
    "transpose": shape.transpose, "swapaxes": shape.transpose, "swapdims": shape.transpose, "t": shape.t,
    "movedim": shape.movedim, "expand": _int_list_method(shape.expand, "expand", "size"),
    "expand_as": _shape_of_other("expand_as", shape.expand),
    "contiguous": shape.contiguous, "clone": shape.clone, "repeat": _int_list_method(shape.repeat, "repeat", "repeats"),
    "view_as": _shape_of_other("view_as", shape.view), "reshape_as": _shape_of_other("reshape_as", shape.reshape),
    # indexing
    "index_select": indexing.index_select, "gather": indexing.gather, "masked_fill": indexing.masked_fill,
    "__getitem__": indexing.getitem, "unbind": indexing.unbind, "__setitem__": setitem,
    # arithmetic
    "add": pointwise.add, "sub": pointwise.sub, "mul": pointwise.mul, "div": pointwise.div,
    "true_divide": pointwise.div, "pow": pointwise.pow, "neg": pointwise.neg, "exp": pointwise.exp,
    "log": pointwise.log, "sqrt": pointwise.sqrt, "abs": pointwise.abs, "tanh": pointwise.tanh,
    "sigmoid": pointwise.sigmoid, "relu": pointwise.relu, "sin": pointwise.sin, "cos": pointwise.cos,
    "floor_divide": pointwise.floor_divide, "remainder": pointwise.remainder,
    "eq": pointwise.eq, "ne": pointwise.ne, "lt": pointwise.lt, "le": pointwise.le, "gt": pointwise.gt,
    "ge": pointwise.ge, "logical_not": pointwise.logical_not, "logical_and": pointwise.logical_and,
    "logical_or": pointwise.logical_or, "maximum": reduction.maximum, "minimum": reduction.minimum,
    # ``2 + x`` is ``x.add(2)``, ``2 * x`` ``x.mul(2)`` and ``1 - x`` ``torch.rsub(x, 1)``, as in PyTorch
    "__add__": pointwise.add, "__radd__": pointwise.add, "__sub__": pointwise.sub,
    "__rsub__": pointwise.rsub, "__mul__": pointwise.mul, "__rmul__": pointwise.mul,
    "__truediv__": pointwise.div, "__rtruediv__": pointwise.rtruediv, "reciprocal": pointwise.reciprocal, "where": lambda self, condition, other: pointwise.where(condition, self, other),
    "__floordiv__": pointwise.floor_divide, "__rfloordiv__": _binary(pointwise.floor_divide, True),
    "__mod__": pointwise.remainder, "__pow__": pointwise.pow, "__rpow__": _binary(pointwise.pow, True),
    "__matmul__": lambda self, other: linalg.matmul(self, other) if isinstance(other, Tensor) else NotImplemented,
    "__rmatmul__": lambda self, other: linalg.matmul(other, self) if isinstance(other, Tensor) else NotImplemented,
    "__neg__": pointwise.neg, "__pos__": lambda self: self, "__abs__": pointwise.abs,
    "__eq__": pointwise.eq, "__ne__": pointwise.ne, "__lt__": pointwise.lt, "__le__": pointwise.le,
    "__gt__": pointwise.gt, "__ge__": pointwise.ge,
    "__and__": lambda self, o: pointwise.bitwise("and", self, o),
    "__or__": lambda self, o: pointwise.bitwise("or", self, o),
    "__xor__": lambda self, o: pointwise.bitwise("xor", self, o),
    "__invert__": pointwise.invert,
    # reductions and products
    "sum": reduction.sum, "mean": reduction.mean, "max": reduction.max, "min": reduction.min,
    "argmax": reduction.argmax, "argmin": reduction.argmin, "equal": _equal,
    "all": reduction.all, "any": reduction.any, "allclose": reduction.allclose, "isclose": pointwise.isclose,
    "conj": pointwise.conj,
    "matmul": linalg.matmul, "mm": linalg.mm, "bmm": linalg.bmm, "mv": linalg.mv, "dot": linalg.dot,
    # in place
    "add_": _inplace(pointwise.add), "sub_": _inplace(pointwise.sub), "mul_": _inplace(pointwise.mul),
    "div_": _inplace(pointwise.div), "pow_": _inplace(pointwise.pow), "neg_": _inplace(pointwise.neg),
    "exp_": _inplace(pointwise.exp), "masked_fill_": _masked_fill_,
    "__iadd__": _inplace(pointwise.add), "__isub__": _inplace(pointwise.sub),
    "__imul__": _inplace(pointwise.mul), "__itruediv__": _inplace(pointwise.div),
    "fill_": _fill_, "copy_": _copy_,
    "uniform_": sampling.uniform_, "normal_": sampling.normal_, "random_": sampling.random_,
    "bernoulli_": sampling.bernoulli_, "exponential_": sampling.exponential_, "cauchy_": sampling.cauchy_,
    "log_normal_": sampling.log_normal_, "geometric_": sampling.geometric_, "bernoulli": sampling.bernoulli,
    # conversions
    "to": _to, "type": _type, "cuda": _cuda, "cpu": _cpu,
    "float": _cast("float", D.float32), "double": _cast("double", D.float64), "half": _cast("half", D.float16),
    "bfloat16": _cast("bfloat16", D.bfloat16),
    "int": _cast("int", D.int32), "long": _cast("long", D.int64), "short": _cast("short", D.int16),
    "bool": _cast("bool", D.bool), "byte": _cast("byte", D.uint8), "char": _cast("char", D.int8),
    "pin_memory": _pin_memory, "is_pinned": lambda self, device=None: self._backend.is_pinned(self._data),
    "new_zeros": _new(creation.zeros), "new_ones": _new(creation.ones), "new_empty": _new(creation.empty),
    "new_full": _new_full, "new_tensor": _new_tensor, "new_empty_strided": _new_empty_strided,
}

for _name, _fn in M.items():
    setattr(Tensor, _name, _fn)

_T_NOT_2D = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
             "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
             "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor. (Triggered "
             "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)")
_T_0D = ("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. (Triggered "
         "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)")


def _reversed_dims(self):
    """``x.T``: the dimensions in reverse order (a view; the transpose of a matrix). On
    anything but a matrix PyTorch deprecates it, with one of two warnings, each once per
    process."""
    nd = self.dim()
    if nd != 2:
        warn_once(_T_0D if nd == 0 else _T_NOT_2D, stacklevel=2)
    return shape.permute(self, tuple(reversed(range(nd))))


Tensor.T = property(_reversed_dims)


def _matrix_transpose(which, conj, batches=True):
    """``x.mT`` / ``x.mH`` / ``x.H``: the last two dims swapped (conjugated for mH and H);
    the identity (``conj()`` for mH, H) on a 0-d tensor, with PyTorch's deprecation warning;
    PyTorch's error for 1-d tensors (and for H, anything but a matrix)."""
    where = {"mT": 4373, "mH": 4382, "H": 4335, "adjoint()": 4390}[which]
    advice = "This function is the identity in these cases." if which == "mT" else "Consider using x.conj()."
    label = which if which.endswith(")") else f"Tensor.{which}"

    def get(self):
        nd = self.dim()
        if nd == 0:
            warn_once(f"{label} is deprecated on 0-D tensors. {advice} (Triggered internally at "
                      f"/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:{where}.)", 0)
            return pointwise.conj(self) if conj else self
        if batches and nd < 2:
            raise RuntimeError(f"tensor.{which} is only supported on matrices or batches of matrices. Got {nd}-D tensor.")
        if not batches and nd != 2:
            raise RuntimeError(f"tensor.{which} is only supported on matrices (2-D tensors). Got {nd}-D tensor."
                               + (" For batches of matrices, consider using tensor.mH" if nd > 2 else ""))
        out = shape.transpose(self, -2, -1)
        return pointwise.conj(out) if conj else out
    return property(get, doc=get.__doc__)


Tensor.mT = _matrix_transpose("mT", False)
Tensor.mH = _matrix_transpose("mH", True)
Tensor.H = _matrix_transpose("H", True, batches=False)


def adjoint(input):
    """The conjugate transpose of a matrix or a batch of matrices: a view with the last two
    dimensions swapped, conjugated when complex (a lazy conjugation, ``is_conj()``), the
    same as ``input.mH``. Mirrors ``torch.adjoint`` and ``Tensor.adjoint``.

    A 0-d tensor is returned conjugated, with PyTorch's once-per-process deprecation warning.

    Raises:
        RuntimeError: for a 1-d tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1 + 2j, 3j], [4, 5]]).adjoint()
        tensor([[1.-2.j, 4.-0.j],
                [0.-3.j, 5.-0.j]])
    """
    return _ADJOINT(input)


_ADJOINT = _matrix_transpose("adjoint()", True).fget
Tensor.adjoint = adjoint


def _bind_more_ops():
    """Methods for the ops in ``_ops/{softmax,clamp,sorting,splitting,triangular,scatter,
    nonzero,norm,multinomial,cumulative,reorder,inplace_shape,linalg_*}.py``."""
    more = {
        "softmax": softmax.softmax, "log_softmax": softmax.log_softmax,
        "clamp": clamp.clamp, "clip": clamp.clamp, "clamp_": clamp.clamp_, "clip_": clamp.clamp_,
        "clamp_min": clamp.clamp_min, "clamp_max": clamp.clamp_max,
        "sort": sorting.sort, "argsort": sorting.argsort, "msort": sorting.msort, "topk": sorting.topk,
        "split": splitting.split_method, "chunk": splitting.chunk, "tensor_split": tensor_split.tensor_split,
        "hsplit": tensor_split.hsplit, "vsplit": tensor_split.vsplit, "dsplit": tensor_split.dsplit,
        "ravel": tensor_split.ravel,
        "tril": triangular.tril, "triu": triangular.triu, "tril_": triangular.tril_, "triu_": triangular.triu_,
        "scatter": scatter.scatter, "scatter_": scatter.scatter_, "scatter_add": scatter.scatter_add,
        "scatter_add_": scatter.scatter_add_, "scatter_reduce": scatter.scatter_reduce,
        "scatter_reduce_": scatter.scatter_reduce_,
        "nonzero": nonzero.nonzero, "argwhere": nonzero.argwhere, "count_nonzero": reduction.count_nonzero,
        "norm": norm.torch_norm, "amax": norm.amax, "amin": norm.amin,
        "multinomial": multinomial.multinomial,
        "cumsum": cumulative.cumsum, "cumprod": cumulative.cumprod,
        "cummax": cumulative.cummax, "cummin": cumulative.cummin, "logcumsumexp": cumulative.logcumsumexp,
        "flip": _int_list_method(reorder.flip, "flip", "dims"), "roll": reorder.roll,
        "repeat_interleave": reorder.repeat_interleave,
        "t_": inplace_shape.t_, "zero_": inplace_shape.zero_,
        "logical_xor": pointwise.logical_xor,
        "det": linalg_solve.torch_det, "logdet": linalg_solve.logdet, "slogdet": linalg_solve.torch_slogdet,
        "inverse": linalg_solve.inverse, "cholesky": linalg_decomp.torch_cholesky, "svd": linalg_decomp.torch_svd,
        "matrix_power": linalg_products.matrix_power,
        "qr": linalg_decomp.torch_qr, "pinverse": linalg_products.pinverse,
    }
    for name, fn in more.items():
        setattr(Tensor, name, fn)


_bind_more_ops()


def _type_as(self, other):
    """``self`` converted to the dtype and device of ``other``.

    Mirrors ``torch.Tensor.type_as``: ``self.to(other.dtype)`` on ``other``'s device;
    a conversion records ``ToCopyBackward0``.

    Args:
        other: the tensor whose dtype and device the result takes (its values are not
            read).

    Returns:
        ``self`` itself when dtype and device already match, else a converted copy of
        ``self``'s shape.

    Raises:
        TypeError: if ``other`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1.7, -2.2]).type_as(torch.tensor([1]))
        tensor([ 1, -2])
    """
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return self.to(device=other.device, dtype=other.dtype)


def _index_fill_(self, dim, index, value):
    """In-place version of :meth:`index_fill`. On an expanded tensor (elements sharing
    memory) PyTorch writes anyway, with a deprecation warning."""
    if has_internal_overlap(self) and not _records(self, *([value] if isinstance(value, Tensor) else [])):
        warnings.warn("Use of index_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
                      "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = "
                      "scalar", UserWarning, stacklevel=2)
        check_inplace(self)
        filled = indexing.index_fill(self, dim, index, value)  # the checks, and the values to write
        if self.dim():
            d = indexing._wrap_dim(int(dim), self.dim())
            b = self._backend
            key = (slice(None),) * d + (index._data if index.dim() else b.xp.reshape(index._data, (1,)),)
            b.setitem(self._data, key, b.getitem(filled._data, key))  # the filled elements only
            self._bump_version()
        else:
            _store(self, filled._data)
        return self
    return commit(self, indexing.index_fill(self, dim, index, value))


def _masked_scatter_(self, mask, source):
    """In-place version of :meth:`masked_scatter`: ``mask`` must broadcast to ``self``'s
    shape (``self`` keeps its shape)."""
    if isinstance(mask, Tensor) and tuple(mask.shape) != tuple(self.shape):
        shape.expand(mask, self.shape)  # PyTorch's error when the mask does not expand to self
    return commit(self, indexing.masked_scatter(self, mask, source))


def _bind_new_apis():
    """Methods for ``narrow``, ``tile``, ``broadcast_to``, ``type_as`` …"""
    new = {
        "narrow": indexing.narrow, "tile": _int_list_method(shape.tile, "tile", "dims"),
        "broadcast_to": _int_list_method(shape.broadcast_to, "broadcast_to", "size"),
        "type_as": _type_as,
        "addcmul": pointwise.addcmul, "addcdiv": pointwise.addcdiv, "lerp": pointwise.lerp,
        "addcmul_": _inplace(pointwise.addcmul), "addcdiv_": _inplace(pointwise.addcdiv),
        "lerp_": _inplace(pointwise.lerp),
        "index_fill": indexing.index_fill, "index_fill_": _index_fill_,
        "masked_scatter": indexing.masked_scatter, "masked_scatter_": _masked_scatter_,
        "index_put": _tensor_inplace.index_put, "index_put_": _tensor_inplace.index_put_,
        "resize_": inplace_shape.resize_, "as_strided_": inplace_shape.as_strided_,
        "nonzero_static": nonzero.nonzero_static,
    }
    for name, fn in new.items():
        setattr(Tensor, name, fn)


_bind_new_apis()

from ._ops import diagonal, differences, order_stats, products, statistics  # noqa: E402


def _bind_reductions2():
    """Methods for ``_ops/{statistics,diagonal,products,order_stats,differences}.py``
    (prod, var, std, …, select, diagonal, …, addmm, …, median, kthvalue, diff, cross)."""
    for name in ("prod", "var", "std", "logsumexp", "nansum", "nanmean"):
        setattr(Tensor, name, getattr(statistics, name))
    for name in ("select", "diagonal", "diag", "trace"):
        setattr(Tensor, name, getattr(diagonal, name))
    for name in ("outer", "ger", "inner", "addmm", "addmv", "baddbmm"):
        setattr(Tensor, name, getattr(products, name))
    for name in ("median", "nanmedian", "kthvalue", "mode"):
        setattr(Tensor, name, getattr(order_stats, name))
    for name in ("diff", "cross"):
        setattr(Tensor, name, getattr(differences, name))


_bind_reductions2()

from ._ops import aminmax as _aminmax, correlation as _correlation, histogram as _histogram  # noqa: E402
from ._ops import quantile as _quantile, renorm as _renorm, index_copy as _index_copy  # noqa: E402
from ._ops import index_reduce as _index_reduce, view_scatter as _view_scatter  # noqa: E402


def _bind_statistics3():
    """Methods for quantiles (``_ops/quantile.py``), ``aminmax``, ``cov``, ``corrcoef``, ``histc``,
    ``histogram``, ``diagflat``, ``renorm``, ``index_copy``, ``index_reduce`` and the view scatters."""
    for name in ("quantile", "nanquantile"):
        setattr(Tensor, name, getattr(_quantile, name))
    Tensor.aminmax = _aminmax.aminmax
    Tensor.cov, Tensor.corrcoef = _correlation.cov, _correlation.corrcoef
    Tensor.histc, Tensor.histogram = _histogram.histc, _histogram.histogram
    Tensor.diagflat = diagonal.diagflat
    Tensor.renorm, Tensor.renorm_ = _renorm.renorm, _renorm.renorm_
    Tensor.index_copy, Tensor.index_copy_ = _index_copy.index_copy, _index_copy.index_copy_
    Tensor.index_reduce, Tensor.index_reduce_ = _index_reduce.index_reduce, _index_reduce.index_reduce_
    for name in ("select_scatter", "slice_scatter", "diagonal_scatter"):
        setattr(Tensor, name, getattr(_view_scatter, name))


_bind_statistics3()


def _bind_unary_math():
    """Methods (and in-place methods) for the element-wise math of ``_ops/unary_math.py``."""
    for name in ("floor", "ceil", "round", "trunc", "fix", "frac", "sign", "sgn", "square", "nan_to_num",
                 "rsqrt", "log1p", "expm1", "log2", "log10", "exp2", "tan", "asin", "acos", "atan", "arcsin",
                 "arccos", "arctan", "sinh", "cosh", "erf", "erfc", "deg2rad", "rad2deg", "logit"):
        fn = getattr(unary_math, name)
        setattr(Tensor, name, fn)
        setattr(Tensor, name + "_", _inplace(fn))
    for name in ("isnan", "isinf", "isfinite", "signbit"):
        setattr(Tensor, name, getattr(unary_math, name))
    for name in ("atan2", "arctan2", "hypot", "fmod", "logaddexp", "fmax", "fmin", "copysign"):
        fn = getattr(binary_math, name)
        setattr(Tensor, name, fn)
        if name in ("atan2", "arctan2", "hypot", "fmod", "copysign"):  # (PyTorch has no logaddexp_, fmax_, fmin_)
            setattr(Tensor, name + "_", _inplace(fn))


_bind_unary_math()


def _bind_special_math():
    """Methods (and in-place methods) for the special functions of ``_ops/special_math.py``."""
    for name in ("lgamma", "digamma", "mvlgamma", "erfinv", "i0", "sinc", "xlogy"):
        fn = getattr(special_math, name)
        setattr(Tensor, name, fn)
        setattr(Tensor, name + "_", _inplace(fn))
    Tensor.polygamma = special_math._polygamma_method
    Tensor.polygamma_ = _inplace(special_math._polygamma_method)
    for name in ("igamma", "igammac"):
        fn = getattr(incomplete_gamma, name)
        setattr(Tensor, name, fn)
        setattr(Tensor, name + "_", _inplace(fn))


_bind_special_math()


def _bind_float_math():
    """Methods (and in-place methods, where PyTorch has them) for ``_ops/float_math.py``."""
    for name in ("float_power", "heaviside", "absolute", "gcd", "lcm", "ldexp", "nextafter", "acosh", "asinh",
                 "atanh", "arccosh", "arcsinh", "arctanh", "logaddexp2", "isposinf", "isneginf", "isreal",
                 "positive", "frexp"):
        setattr(Tensor, name, getattr(float_math, name))
    for name in ("heaviside", "absolute", "gcd", "lcm", "ldexp", "nextafter", "acosh", "asinh", "atanh", "arccosh",
                 "arcsinh", "arctanh"):
        setattr(Tensor, name + "_", _inplace(getattr(float_math, name)))
    Tensor.float_power_ = float_math.float_power_


_bind_float_math()


def _bind_more_inplace():
    """``logical_and_``/``logical_or_``/``logical_xor_``/``logical_not_`` (the bool result
    written into ``self``'s dtype) and ``cumsum_``/``cumprod_``."""
    for name in ("logical_and", "logical_or", "logical_xor", "logical_not"):
        setattr(Tensor, name + "_", _inplace(getattr(pointwise, name)))
    for name in ("cumsum", "cumprod"):
        setattr(Tensor, name + "_", _cumulative_(getattr(cumulative, name)))
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
                 "bitwise_not"):
        fn = getattr(pointwise, name)
        setattr(Tensor, name, fn)
        setattr(Tensor, name + "_", _inplace(fn))
    Tensor.__lshift__ = pointwise.bitwise_left_shift
    Tensor.__rshift__ = pointwise.bitwise_right_shift
    Tensor.__rlshift__ = _binary(pointwise.bitwise_left_shift, True)  # ``2 << x``
    Tensor.__rrshift__ = _binary(pointwise.bitwise_right_shift, True)
    for op, fn in (("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
                   ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift")):
        setattr(Tensor, f"__i{op}__", _inplace(getattr(pointwise, fn)))


def _cumulative_(fn):
    inplace = _inplace(fn)

    def method(self, dim=NOT_GIVEN, *, dtype=None, axis=NOT_GIVEN):
        if dim is NOT_GIVEN or axis is not NOT_GIVEN:
            dim = required_dim(inplace.__name__, dim, axis)
        if dtype is not None and dtype is not self.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_C_TYPE[self.dtype.name]} and output "
                               f"tensor dtype {_C_TYPE[dtype.name]} should match")
        return inplace(self, dim)
    method.__name__ = inplace.__name__
    method.__doc__ = inplace.__doc__
    return method


_bind_more_inplace()


def _set_part(part):
    def setter(self, value):
        view = part(self)  # (PyTorch: ``x.real = v`` writes ``v`` into the view)
        view.copy_(value) if isinstance(value, Tensor) else view.fill_(value)
    return setter


Tensor.real = property(indexing.real, _set_part(indexing.real), doc=indexing.real.__doc__)
Tensor.imag = property(indexing.imag, _set_part(indexing.imag), doc=indexing.imag.__doc__)


def _legacy_new(dtype, args, device, check_type=True):
    """PyTorch's legacy constructors (``Tensor(...)``, ``LongTensor(...)``, ``x.new(...)``):
    no argument is an empty tensor; ints or a ``torch.Size`` are the shape of uninitialised
    memory (``FloatTensor(2, 3)``); a tensor is returned as an alias (``AliasBackward0``;
    with ``check_type``, its dtype must be ``dtype``); other data (a list, a tuple, an
    array) is copied into a new tensor of ``dtype``."""
    if not args:
        return creation.empty(0, dtype=dtype, device=device)
    first = args[0]
    if len(args) > 1 or isinstance(first, (int, Size)) and not isinstance(first, bool):
        return creation.empty(*_as_shape(args, "new", "size"), dtype=dtype, device=device)
    if isinstance(first, Tensor):
        if check_type and (first.dtype is not dtype or device is not None and first.device != _device_cls(device)):
            raise TypeError(f"expected {_tensor_options(dtype, device or first.device)} "
                            f"(got {_tensor_options(first.dtype, first.device)})")
        return shape.Alias.apply(first)
    if isinstance(first, str):
        raise TypeError(f"new(): invalid data type '{type(first).__name__}'")
    if not isinstance(first, (list, tuple, np.ndarray)):
        raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
    return creation.tensor(first, dtype=dtype, device=device)


def _tensor_options(dtype, device):
    """c10's ``TensorOptions`` as PyTorch prints them in the legacy constructors' errors."""
    return (f"TensorOptions(dtype={_C_TYPE[dtype.name]}, device={_device_cls(device)}, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), memory_format=(nullopt))")


def new(self, *args, device=None, **kwargs):
    """The legacy constructor of a tensor with this one's dtype (and by default device):
    ``x.new(2, 3)`` or ``x.new(torch.Size([2, 3]))`` is uninitialised memory of that shape,
    ``x.new([1, 2])`` (a list, tuple or array) a copy of the data, ``x.new(y)`` an alias of
    the tensor ``y`` (which must have ``x``'s dtype), ``x.new()`` an empty tensor. Prefer
    ``new_empty``, ``new_tensor``, ``new_zeros``. Mirrors ``torch.Tensor.new``.

    Raises:
        TypeError: for any keyword but ``device`` (no ``dtype``), a number or string as
            data, a tensor of another dtype, or sizes that are not ints.
        RuntimeError: for a negative size.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1., 2.], dtype=torch.float64)
        >>> x.new([3, 4])
        tensor([3., 4.], dtype=torch.float64)
        >>> x.new(2, 3).shape
        torch.Size([2, 3])
    """
    if kwargs:
        got = ", ".join([_type_name(a) for a in args] + [f"{k}={_kwarg_type(v)}" for k, v in kwargs.items()])
        raise TypeError(f"new() received an invalid combination of arguments - got ({got}), but expected one of:")
    return _legacy_new(self.dtype, args, self.device if device is None else device)


def _kwarg_type(v):
    """How PyTorch's argument parser names a keyword value's type (``torch.dtype``)."""
    return "torch." + type(v).__name__ if isinstance(v, (D.dtype, _device_cls)) else _type_name(v)


Tensor.new = new


def resize(self, *sizes):
    """Deprecated: the tensor's elements, read row-major, in the shape ``sizes`` (as many
    elements), with PyTorch's ``UserWarning`` "non-inplace resize is deprecated" on every
    call. A view of a contiguous tensor (``grad_fn=<ResizeBackward>``). Mirrors
    ``torch.Tensor.resize``; use ``reshape`` instead.

    Raises:
        RuntimeError: if ``sizes`` (ints; as in PyTorch, not one tuple) give another
            number of elements.
    """
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    return Resize.apply(self, sizes)


def resize_as(self, tensor):
    """Deprecated: ``resize`` to ``tensor``'s shape, with PyTorch's ``UserWarning``
    "non-inplace resize_as is deprecated". Mirrors ``torch.Tensor.resize_as``."""
    warnings.warn("non-inplace resize_as is deprecated", stacklevel=2)
    return Resize.apply(self, tensor.size())


Tensor.resize, Tensor.resize_as = resize, resize_as


# What Tensor's own methods need from the layers above it (see "bound from above" in _tensor.py).
Tensor._autograd_backward = staticmethod(autograd.backward)
Tensor._register_hook = staticmethod(register_tensor_hook)
Tensor._register_post_accumulate_hook = staticmethod(register_post_accumulate_hook)
Tensor._regenerate_view_fn = staticmethod(regenerate_view_fn)
Tensor._legacy_new = staticmethod(_legacy_new)
Tensor._rebuild = staticmethod(creation._rebuild)

from ._ops import masked_select as _masked_select, unique as _unique, bincount as _bincount  # noqa: E402
from ._ops import index_add as _index_add, take as _take, python_apply as _python_apply  # noqa: E402
from ._ops import unfold as _unfold, as_strided as _as_strided, matrix_exp as _matrix_exp  # noqa: E402
from ._ops import householder as _householder  # noqa: E402
from ._ops import linalg_lu as _linalg_lu, linalg_cholesky_solve as _cholesky_solve, qr_reflectors as _qr_reflectors  # noqa: E402
from ._ops import products_fused as _products_fused  # noqa: E402
from ._ops import flips as _flips, tensor_products as _products, diag_embed as _diag_embed  # noqa: E402


def _bind_more_indexing():
    """Methods for ``masked_select``, ``unique``, ``bincount``, ``index_add`` … (``_ops/masked_select.py`` …)."""
    Tensor.masked_select = _masked_select.masked_select
    Tensor.unique = _unique.unique
    Tensor.unique_consecutive = _unique.unique_consecutive
    Tensor.bincount = _bincount.bincount
    Tensor.index_add = _index_add.index_add
    Tensor.index_add_ = _index_add.index_add_
    Tensor.take = _take.take
    Tensor.put = _take.put
    Tensor.put_ = _inplace(_take.put)
    Tensor.resize_as_ = inplace_shape.resize_as_
    Tensor.apply_, Tensor.map_ = _python_apply.apply_, _python_apply.map_
    Tensor.take_along_dim = _take.take_along_dim
    Tensor.moveaxis = shape.movedim
    Tensor.fliplr, Tensor.flipud, Tensor.rot90 = _flips.fliplr, _flips.flipud, _flips.rot90
    Tensor.kron = _products.kron
    Tensor.diag_embed = _diag_embed.diag_embed


_bind_more_indexing()


def _bind_inplace_and_aliases():
    """In-place forms of element-wise methods (``x.relu_()``, ``x.clamp_min_(0)``, the
    comparisons ``x.eq_(y)`` ..., ``x.addmv_(m, v)``), the in-place view ops (``squeeze_``,
    ``unsqueeze_``, ``transpose_``), ``unfold`` (sliding windows), and PyTorch's alternative
    method names (``greater`` for ``gt`` ...)."""
    for name in ("abs", "sin", "cos", "sqrt", "tanh", "sigmoid", "relu", "log", "reciprocal", "remainder",
                 "floor_divide", "true_divide", "clamp_min", "clamp_max"):
        setattr(Tensor, name + "_", _inplace(vars(Tensor)[name]))
    Tensor.unfold = _unfold.unfold
    Tensor.as_strided = _as_strided.as_strided
    Tensor.as_strided_scatter = _as_strided.as_strided_scatter
    Tensor.matrix_exp = _matrix_exp.torch_matrix_exp
    Tensor.orgqr = _householder.orgqr
    Tensor.lu, Tensor.lu_solve = _linalg_lu.tensor_lu, _linalg_lu.torch_lu_solve
    Tensor.cholesky_solve, Tensor.cholesky_inverse = _cholesky_solve.cholesky_solve, _cholesky_solve.cholesky_inverse
    Tensor.triangular_solve = _cholesky_solve.triangular_solve
    Tensor.geqrf, Tensor.ormqr = _qr_reflectors.geqrf, _qr_reflectors.ormqr
    for name in ("addr", "addbmm", "vdot", "dist"):
        setattr(Tensor, name, getattr(_products_fused, name))
    for name in ("addr", "addbmm", "addmm", "addmv", "baddbmm"):
        setattr(Tensor, name + "_", _inplace(vars(Tensor)[name]))
    Tensor.fill_diagonal_ = diagonal.fill_diagonal_
    Tensor.sum_to_size = reduction.sum_to_size
    Tensor.split_with_sizes = splitting.split_with_sizes
    Tensor.unsafe_split, Tensor.unsafe_chunk = splitting.unsafe_split, splitting.unsafe_chunk
    Tensor.unsafe_split_with_sizes = splitting.unsafe_split_with_sizes
    Tensor.narrow_copy = view_copies.narrow_copy
    Tensor.squeeze_ = inplace_shape.squeeze_
    Tensor.unsqueeze_ = inplace_shape.unsqueeze_
    Tensor.transpose_ = Tensor.swapaxes_ = Tensor.swapdims_ = inplace_shape.transpose_
    for alias, name in (("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"), ("less_equal", "le"),
                        ("not_equal", "ne"), ("multiply", "mul"), ("divide", "div"), ("subtract", "sub"),
                        ("negative", "neg")):
        setattr(Tensor, alias, vars(Tensor)[name])
        if name in ("mul", "div", "sub", "neg"):
            setattr(Tensor, alias + "_", vars(Tensor)[name + "_"])
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        setattr(Tensor, name + "_", compare_inplace.compare_(name))
    for alias, name in (("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"), ("less_equal", "le"),
                        ("not_equal", "ne")):
        setattr(Tensor, alias + "_", vars(Tensor)[name + "_"])
    Tensor.addmv_ = _inplace(products.addmv)


_bind_inplace_and_aliases()

from ._ops import complex_ops as _complex_ops  # noqa: E402


def _bind_complex():
    """Methods for ``_ops/complex_ops.py`` (``angle``, the conjugate bit …) and the complex
    conversions ``cfloat``/``cdouble``."""
    for name in ("angle", "is_conj", "is_neg", "resolve_conj", "resolve_neg", "conj_physical", "conj_physical_"):
        setattr(Tensor, name, getattr(_complex_ops, name))
    Tensor.cfloat = _cast("cfloat", D.complex64)
    Tensor.cdouble = _cast("cdouble", D.complex128)


_bind_complex()

#: Methods of PyTorch's that take ``self`` alone (its C binding refuses any argument, ``out=`` included).
_SELF_ONLY = frozenset("""
    abs acos acos_ arccos arccos_ arcsin arcsin_ arctan arctan_ argwhere asin asin_ atan atan_ bitwise_not
    bitwise_not_ ceil ceil_ conj cos cosh cosh_ erf erf_ erfc erfc_ exp exp_ exp2 exp2_ expm1 expm1_ fix fix_
    floor floor_ frac frac_ isfinite isinf isnan log log10 log10_ log1p log1p_ log2 log2_ logical_not
    logical_not_ msort neg neg_ reciprocal relu rsqrt rsqrt_ sgn sgn_ sigmoid sign sign_ signbit sin sinh
    sinh_ sqrt square square_ t t_ tan tan_ tanh trace trunc trunc_ zero_ abs_ sin_ cos_ sqrt_ tanh_ sigmoid_
    relu_ log_ reciprocal_ negative negative_
""".split())


def _self_only(fn, name):
    def method(self, *args, **kwargs):
        if kwargs:
            raise TypeError(f"TensorBase.{name}() takes no keyword arguments")
        if args:
            raise TypeError(f"TensorBase.{name}() takes no arguments ({len(args)} given)")
        return fn(self)
    return _like(method, fn, name)


#: Methods PyTorch writes in Python (named with their class in its messages).
_PY_METHODS = frozenset({"norm"})


def _no_out(fn, name):
    """``fn`` as a method without its ``out`` parameter: a function with ``fn``'s other
    parameters spelled out (no ``*args``/``**kwargs`` to pack per call, ~0.2 us), so that
    ``x.add(y, out=z)`` gets Python's own "add() got an unexpected keyword argument 'out'",
    PyTorch's text."""
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "out"]
    shown = f"Tensor.{name}" if name in _PY_METHODS else name
    heads, args = parameter_text(params, first="self")
    check = ""
    if params[-1].kind is params[-1].VAR_KEYWORD:  # (out would get through: refused by hand)
        check = (f"    if 'out' in {params[-1].name}:\n        raise TypeError(\"{shown}() got an unexpected "
                 f"keyword argument 'out'\")\n")
    source = f"def method({heads}):\n{check}    return _fn({args})\n"
    scope = {"_fn": fn, "_d": defaults_of(params)}
    compile_function(source, "method", scope)
    method = _like(scope["method"], fn, name)
    method.__qualname__ = shown
    return method


def _like(method, fn, name):
    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    method.__wrapped__ = fn
    return method


def _takes_out(fn):
    code = getattr(fn, "__code__", None)
    return code is not None and "out" in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _refuse_out():
    """PyTorch's Tensor methods have no ``out=`` (the functions do): ``x.exp(out=y)`` and
    ``x.add(y, out=z)`` raise TypeError with PyTorch's text; the operators
    (``__add__`` …) keep it, as PyTorch's do."""
    for name in sorted(vars(Tensor)):
        fn = vars(Tensor)[name]
        if name in _SELF_ONLY:
            setattr(Tensor, name, _self_only(fn, name))
        elif not name.startswith("__") and _takes_out(fn):
            setattr(Tensor, name, _no_out(fn, name))
            if name + "_" in vars(Tensor) and name + "_" not in _SELF_ONLY:
                setattr(Tensor, name + "_", _no_out(vars(Tensor)[name + "_"], name + "_"))


# Methods bind the functions behind ``_common.tensor_input``'s argument check: their
# ``self`` is a tensor, so the check (a Python frame and an args tuple) would be wasted.
for _name, _fn in list(vars(Tensor).items()):
    if getattr(_fn, "unchecked", None) is not None:
        setattr(Tensor, _name, _fn.unchecked)
# (before _refuse_out: it reads the bound functions' own ``out`` parameter)


_refuse_out()

Tensor.__rmod__ = _binary(pointwise.remainder, True)  # ``5 % x``
Tensor.__rand__ = Tensor.__and__  # ``True & x`` … (commutative: the same result)
Tensor.__ror__ = Tensor.__or__
Tensor.__rxor__ = Tensor.__xor__

#: The operators PyTorch answers with ``NotImplemented`` for an operand that is neither a
#: tensor nor a number (so ``x == None`` is False and ``x + None`` Python's TypeError). For
#: a NumPy array that hands the operation to NumPy's reflected operator, whose result
#: ``Tensor.__array_wrap__`` makes a tensor again (``x + np.eye(2)`` is a float64 tensor,
#: with no graph), as in PyTorch; ``x == array`` compares as tensors, as PyTorch's does.
_OPERATORS = """__add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__
    __rtruediv__ __itruediv__ __floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __matmul__
    __rmatmul__ __and__ __rand__ __or__ __ror__ __xor__ __rxor__ __eq__ __ne__ __lt__ __le__ __gt__
    __ge__ __lshift__ __rlshift__ __rshift__ __rrshift__ __iand__ __ior__ __ixor__ __ilshift__
    __irshift__""".split()


#: operand classes answered without the (slow, ~0.15 us) ``numbers.Number`` ABC check
_PLAIN_OPERANDS = frozenset((Tensor, int, float, bool, complex))


_EQ = pointwise.eq.unchecked  # (what ``__eq__`` is bound to: see the loop before ``_refuse_out``)


def _operator(fn):
    def method(self, other):
        if other.__class__ not in _PLAIN_OPERANDS and not isinstance(other, (Tensor, numbers.Number, np.bool_)):
            if fn is _EQ and isinstance(other, np.ndarray):
                return fn(self, creation.as_tensor(other))
            return NotImplemented
        return fn(self, other)
    method.__name__ = getattr(fn, "__name__", "method")
    method.__doc__ = fn.__doc__
    return method


for _name in _OPERATORS:
    setattr(Tensor, _name, _operator(vars(Tensor)[_name]))



from ._ops.linalg_removed import TENSOR_METHODS as _REMOVED_LINALG  # noqa: E402

for _name, _fn in _REMOVED_LINALG.items():  # solve, lstsq, eig, symeig: removed, they raise
    _fn.__name__, _fn.__qualname__ = _name, "Tensor." + _name
    setattr(Tensor, _name, _fn)
