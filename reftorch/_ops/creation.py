"""Tensor creation: ``tensor``, ``zeros``, ``arange``, the ``*_like`` functions, NumPy interop.

Mirrors the factory functions of ``torch`` (``aten/src/ATen/native/TensorFactories.cpp``).
"""
from __future__ import annotations

import math
import numbers
import warnings
from itertools import chain as _chain

import numpy as _np  # host-side parsing of Python data only; kernels use the backend

from .. import _dtype as D
from .. import _flags
from .._fma import fma32, fma64, product_error, two_sum
from .._threads import get_num_threads
from .._backends.base import warn_complex_to_real
from .._warnings import warn_once
from .._scalar import _C_NAMES, check_data_fits, check_fill_value, half_source, store_value
from .._tensor import Tensor, _as_shape, _type_name, new_shape
from ._common import check_dtype, fix_empty_strides, resolve_device, tensor_input, with_out
from .._layout import contiguous_strides
from .._memory_format import (check_memory_format, contiguous_format, format_strides, keep_empty_strides,
                              like_strides, preserve_format)
from ._numpy_names import NOT_GIVEN

_NP_TO_DTYPE = {
    "bool": D.bool, "uint8": D.uint8, "int8": D.int8, "int16": D.int16, "int32": D.int32,
    "int64": D.int64, "float16": D.float16, "float32": D.float32, "float64": D.float64,
    "complex64": D.complex64, "complex128": D.complex128,
}


def _check_nested(data):
    """Raise PyTorch's errors for a ragged nested sequence, or one with a sequence where a
    number belongs. The sizes come from the first elements, as PyTorch reads them; each
    level is checked with C-level passes (``map``, ``set``); only when one finds a fault
    does :func:`_first_fault` walk the data in PyTorch's order to name the first one.
    Returns the types of the innermost elements (None where a fault was found and not
    raised), or :data:`_MIXED` where NumPy arrays share a level with lists or numbers
    (see :func:`_arrays_as_lists`)."""
    shape, cur = [], data
    while isinstance(cur, (list, tuple)):
        shape.append(len(cur))
        if not cur:
            break
        cur = cur[0]
    if shape and isinstance(cur, _np.ndarray) and not cur.ndim:  # PyTorch takes its size, as a sequence's
        raise TypeError("len() of unsized object")
    level = [data]
    kinds = set()
    for dim, size in enumerate(shape):
        if set(map(len, level)) - {size}:
            return _first_fault(data, 0, shape)
        level = list(_chain.from_iterable(level))
        kinds = set(map(type, level))
        arrays = kinds - _PLAIN and [issubclass(k, _np.ndarray) for k in kinds]
        if arrays and any(arrays):  # blocks of a level that NumPy reads whole, or a mix
            return kinds if all(arrays) else _MIXED
        inner = [issubclass(k, (list, tuple)) for k in kinds]
        if not all(inner) if dim + 1 < len(shape) else any(inner):
            return _first_fault(data, 0, shape)
    return kinds


#: What :func:`_check_nested` returns for a level that mixes NumPy arrays with lists or
#: numbers.
_MIXED = object()
_PLAIN = frozenset((float, int, bool, complex, list, tuple))  # types that are never arrays
_LIST_OF_ARRAYS = ("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider converting "
                   "the list to a single numpy.ndarray with numpy.array() before converting to a tensor. "
                   "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:252.)")


def _arrays_as_lists(data):
    """``data`` with every NumPy array in it turned into a list of its rows, down to NumPy
    scalars (which keep their dtype): PyTorch reads an array inside a list as one more
    sequence, so ``[[1., 2.], np.ones(2)]`` is a 2x2 tensor."""
    if isinstance(data, _np.ndarray):
        data = list(data) if data.ndim else data[()]
    if isinstance(data, (list, tuple)):
        return [_arrays_as_lists(d) for d in data]
    return data


def _first_fault(data, dim, shape):
    """Raise PyTorch's error for the first element of ``data`` (depth first) that does not
    fit ``shape``."""
    if isinstance(data, (list, tuple)):
        if dim >= len(shape):  # a list where PyTorch expected a number
            raise TypeError(f"'{type(data).__name__}' object cannot be interpreted as an integer")
        if len(data) != shape[dim]:
            raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(data)})")
        for d in data:
            _first_fault(d, dim + 1, shape)
    elif dim < len(shape):
        raise TypeError("not a sequence")


def _host_data(data, checked=False, leaves=None):
    """Turn nested Python data (which may hold tensors) into a host NumPy array
    (``checked``: the nesting was already checked, by the caller's call; ``leaves``: a
    list, to which the types of the innermost elements are appended when they are known
    without another pass)."""
    if isinstance(data, Tensor):
        return data._host()
    kinds = set(map(type, data)) if isinstance(data, (list, tuple)) else set()  # (one C-level pass)
    if kinds:
        tensors = any(issubclass(k, Tensor) for k in kinds)
        if tensors:
            for d in data:  # a tensor inside a list is read as one number, as in PyTorch
                if isinstance(d, Tensor) and d.numel() != 1:
                    raise TypeError("only integer tensors of a single element can be converted to an index")
        elif not checked:
            inner = _check_nested(data)
            if inner is _MIXED:
                data = _arrays_as_lists(data)
                return _warn_arrays(_host_data(data, leaves=leaves))
            if inner is not None and not any(issubclass(k, Tensor) for k in inner):
                kinds = inner  # no tensor inside: NumPy reads the whole nesting at once (below)
        if leaves is not None:
            leaves.append(kinds)
        if tensors or any(issubclass(k, (list, tuple)) for k in kinds):
            parts = [_host_data(d).reshape(()) if isinstance(d, Tensor) else _host_data(d, not tensors) for d in data]
            return _np.array(parts) if parts else _np.array([], dtype=_np.float64)
    if isinstance(data, str) or any(issubclass(k, str) for k in kinds):
        _refuse_leaf(data)
    arr = _np.array(data)
    if arr.dtype == object or arr.dtype.kind in "USV":
        _refuse_leaf(data)
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if kinds - _PLAIN and any(issubclass(k, _np.ndarray) for k in kinds):
        _warn_arrays(arr)
    return arr


def _warn_arrays(arr):
    """PyTorch's once-per-process warning for NumPy arrays inside a list, unless the result
    ``arr`` (returned) is empty."""
    if arr.size:
        warn_once(_LIST_OF_ARRAYS, stacklevel=0)
    return arr


def _refuse_leaf(data):
    """PyTorch's error for the first element (depth first) that is not a number: a string
    is "invalid data type", anything else (``None``, a dict …) "Could not infer dtype"."""
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(reversed(d))
        elif isinstance(d, str):
            raise TypeError("new(): invalid data type 'str'")
        elif not isinstance(d, (numbers.Number, Tensor, _np.ndarray, _np.generic)):
            raise RuntimeError(f"Could not infer dtype of {type(d).__name__}")


def _infer_dtype(data, arr, leaves=None):
    """PyTorch's inference: NumPy arrays keep their dtype; Python floats take the default
    dtype, ints int64, bools bool, complex the default complex dtype."""
    if isinstance(data, _np.ndarray) or isinstance(data, _np.generic):
        try:
            return _NP_TO_DTYPE[arr.dtype.name]
        except KeyError:
            kind = arr.dtype.type  # (numpy.uint16, ml_dtypes.bfloat16)
            raise TypeError(f"can't convert np.ndarray of type {kind.__module__}.{kind.__name__}. The only supported "
                            "types are: float64, float32, float16, complex64, complex128, int64, int32, "
                            "int16, int8, uint64, uint32, uint16, uint8, and bool.") from None
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (list, tuple)):
        typed = _typed_leaves_dtype(data, leaves)
        if typed is not None:
            return typed
    kind = arr.dtype.kind
    if kind == "b":
        return D.bool
    if kind in "iu":
        return D.int64
    if kind == "f":
        return D.get_default_dtype()
    if kind == "c":
        return _complex_data_dtype()
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def _complex_data_dtype():
    """The dtype of complex data: the default complex dtype.

    Raises:
        RuntimeError: with a bfloat16 default dtype (PyTorch has no complex type for it).
    """
    if D.get_default_dtype() is D.bfloat16:
        raise RuntimeError("invalid default scalar type for complex")
    return D.default_complex_dtype()


def _typed_leaves_dtype(data, kinds=None):
    """PyTorch's dtype for a (regular, checked) nested sequence whose innermost elements
    include tensors or NumPy values, else None: the dtypes of all of them promoted
    (``torch.promote_types``: a tensor's or NumPy value's own dtype, a Python bool, int,
    float or complex the default one of its kind), not NumPy's promotion nor the weak
    rule for a number in an op. The element types are gathered with C-level passes (or
    given: ``kinds``, those of the innermost elements when known); only tensors and
    arrays, whose dtype is not their type's, are visited one by one."""
    level = data
    if kinds is None or any(issubclass(k, (list, tuple, Tensor, _np.ndarray)) for k in kinds):
        kinds = set(map(type, level))  # (from the top: tensors and arrays are visited below)
    while kinds and all(issubclass(k, (list, tuple)) for k in kinds):
        level = list(_chain.from_iterable(level))
        kinds = set(map(type, level))
    if not any(issubclass(k, (Tensor, _np.ndarray, _np.generic)) for k in kinds):
        return None
    found = set()
    for k in kinds:
        if issubclass(k, (Tensor, _np.ndarray)):
            found.update(x.dtype if isinstance(x, Tensor) else _NP_TO_DTYPE.get(x.dtype.name)
                         for x in level if isinstance(x, k))
        elif issubclass(k, _np.generic):
            found.add(_NP_TO_DTYPE.get(_np.dtype(k).name))
        elif issubclass(k, bool):
            found.add(D.bool)
        elif issubclass(k, int):
            found.add(D.int64)
        elif issubclass(k, float):
            found.add(D.get_default_dtype())
        else:  # complex (anything else was refused while reading the data)
            found.add(_complex_data_dtype())
    if None in found:  # a NumPy dtype reftorch has no tensor of: as NumPy's promotion reads it
        return None
    out = None
    for d in found:
        out = d if out is None else D.promote_types(out, d)
    return out


def _from_host(arr, dtype, device, requires_grad=False, owned=False):
    """A tensor of ``dtype`` on ``device`` from the host array (or data) ``arr``, copied;
    ``owned``: ``arr`` is a fresh row-major array nobody else holds, kept when it already
    has the dtype (no second copy)."""
    dev, backend = resolve_device(device)
    native = backend.dtype(dtype)
    if not (dtype.is_complex or dtype is D.bool):
        arr = _np.asarray(arr)
        if arr.dtype.kind == "c":  # a complex array to a real dtype: its real part, with PyTorch's warning
            warn_complex_to_real()
            arr = arr.real
        if dtype in D.REDUCED_FLOATS:  # float64 values: rounded to float32 first, as PyTorch does
            arr = half_source(arr)
    with backend.quiet():  # a float too large for float16 becomes inf without a warning
        if dev.type == "cpu":
            out = _np.array(arr, dtype=native, copy=None if owned else True)
        else:
            out = backend.from_host(_np.asarray(arr, dtype=_np.dtype(dtype.name)))
    t = Tensor._wrap(out, dev, backend)
    if requires_grad:
        t.requires_grad_(True, _method=False)
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Build a new tensor by copying ``data``.

    Mirrors ``torch.tensor``.

    Args:
        data: a number, a (nested) list or tuple, a NumPy array, or a tensor.
        dtype: the element type. By default it is inferred: ``bool`` for booleans,
            ``torch.int64`` for integers, the default dtype (``torch.float32``) for Python
            floats; NumPy arrays keep their dtype. A list that holds tensors or NumPy values
            takes their dtypes and those of its Python numbers, promoted
            (``torch.promote_types``).
        device: ``"cpu"`` (default) or ``"cuda"``.
        requires_grad: record operations on the result for autograd.
        pin_memory: accepted for compatibility (see ``Tensor.pin_memory``).

    Returns:
        Tensor: a new tensor that shares no memory with ``data``.

    Raises:
        RuntimeError: if ``requires_grad=True`` with an integer or bool dtype.
        ValueError: for ragged nested lists.
        TypeError: for data that is not numeric.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
        >>> torch.tensor([1.5, 2.0]).dtype
        torch.float32
        >>> torch.tensor([torch.tensor(1.5), 2]).dtype  # float32 and int64, promoted
        torch.float32
        >>> torch.tensor(3.0, requires_grad=True)
        tensor(3., requires_grad=True)
    """
    check_dtype(dtype)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    leaves = []
    arr = _host_data(data, leaves=leaves)
    if dtype is None:
        dtype = _infer_dtype(data, arr, leaves[0] if leaves else None)
    elif not isinstance(data, (Tensor, _np.ndarray, _np.generic)):
        check_data_fits(arr, dtype)  # Python numbers: torch.tensor([300], dtype=torch.uint8) raises
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _from_host(arr, dtype, device, requires_grad, owned=not isinstance(data, Tensor))


def as_tensor(data, dtype=None, device=None):
    """Convert ``data`` to a tensor, sharing memory when it already is one of the right
    dtype and device, or a CPU NumPy array of a supported dtype.

    Mirrors ``torch.as_tensor``.

    Examples:
        >>> import numpy as np, reftorch as torch
        >>> a = np.array([1.0, 2.0])
        >>> t = torch.as_tensor(a)
        >>> a[0] = 9.0
        >>> t
        tensor([9., 2.], dtype=torch.float64)
    """
    check_dtype(dtype)
    if isinstance(data, Tensor):
        out = data
        if device is not None:
            out = out.to(device)
        if dtype is not None:
            out = out.to(dtype)
        return out
    if isinstance(data, _np.ndarray):
        dev, _ = resolve_device(device)
        if dev.type == "cpu" and (dtype is None or _NP_TO_DTYPE.get(data.dtype.name) is dtype):
            return from_numpy(data)
        if not data.flags.writeable:  # (PyTorch wraps the array first, then converts)
            warn_once(_NOT_WRITABLE, stacklevel=0)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """Convert ``obj`` to a tensor, sharing memory when it can. Mirrors ``torch.asarray``.

    For a tensor ``obj``: ``copy=True`` copies (in the graph, as ``clone``);
    ``copy=None`` copies only for another dtype or device; ``copy=False``
    never copies. ``requires_grad`` unspecified keeps ``obj``'s (with PyTorch's warning, once
    per process, for an ``obj`` that requires grad); ``requires_grad=False`` detaches a non-leaf result and
    switches a leaf ``obj`` itself off, as PyTorch does.

    Raises:
        ValueError: if ``copy=False`` and the dtype differs.
    """
    if not isinstance(obj, Tensor):
        t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype=dtype, device=device)
        if requires_grad:
            t.requires_grad_(True, _method=False)
        return t
    wrong_dtype = dtype is not None and dtype is not obj.dtype
    if copy is False and wrong_dtype:
        raise ValueError(f"can't alias tensor with dtype '{D.scalar_name(obj.dtype)}' into dtype "
                         f"'{D.scalar_name(dtype)}'.")
    if copy:
        t = obj.clone()
        t = t.to(dtype=dtype, device=device)
    else:
        t = obj.to(dtype=dtype, device=device)
    if requires_grad is None:
        if obj.requires_grad:
            warn_once("torch.asarray: unspecified requires_grad now defaults to obj.requires_grad instead of "
                      "False. Pass requires_grad=False explicitly to get the old behavior and silence this "
                      "warning. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:1737.)",
                      stacklevel=2)
        requires_grad = obj.requires_grad
    if requires_grad:
        if t.is_leaf and not t.requires_grad:
            t.requires_grad_(True, _method=False)
    elif t.requires_grad:
        if t.is_leaf:
            t.requires_grad_(False)
        else:
            t = t.detach()
    return t


_NOT_WRITABLE = ("The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This "
                 "means writing to this tensor will result in undefined behavior. You may want to copy the array "
                 "to protect its data or make it writable before converting it to a tensor. This type of warning "
                 "will be suppressed for the rest of this program. (Triggered internally at "
                 "/__w/pytorch/pytorch/torch/csrc/utils/tensor_numpy.cpp:213.)")


def from_numpy(ndarray):
    """A CPU tensor that shares memory with the NumPy array ``ndarray``.

    Changes to one are seen in the other. Mirrors ``torch.from_numpy``.

    Raises:
        TypeError: if ``ndarray`` is not a NumPy array or has an unsupported dtype.

    Examples:
        >>> import numpy as np, reftorch as torch
        >>> a = np.zeros(3, dtype=np.int32)
        >>> t = torch.from_numpy(a)
        >>> t[1] = 7
        >>> a
        array([0, 7, 0], dtype=int32)
    """
    if not isinstance(ndarray, _np.ndarray):
        raise TypeError(f"expected np.ndarray (got {_type_name(ndarray)})")
    _infer_dtype(ndarray, ndarray)  # raises TypeError for unsupported dtypes
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    if not ndarray.flags.writeable:
        warn_once(_NOT_WRITABLE, stacklevel=0)
    return Tensor._wrap(ndarray)  # on the CPU whatever the default device: it shares the array's memory


def _rebuild(host, device, requires_grad):
    # (D.BY_NAME: bfloat16 too, whose host arrays pickle but which from_numpy refuses, as PyTorch)
    t = _from_host(host, D.BY_NAME[host.dtype.name], device)
    t._requires_grad = requires_grad
    return t


# ------------------------------------------------------------------ filled tensors
def uninitialized(backend, shape, native, dtype):
    """New memory of ``shape`` for ``empty`` and friends: uninitialised, or while
    :func:`reftorch._flags.fills_uninitialized_memory` holds filled as PyTorch fills it then:
    nan for floating and complex dtypes, True for bool, the largest value for integers."""
    if not _flags.fills_uninitialized_memory():
        return backend.xp.empty(shape, dtype=native, **backend._dev_kw())
    if dtype is D.bool:
        value = True
    elif dtype.is_floating_point or dtype.is_complex:
        value = math.nan
    else:
        value = int(_np.iinfo(_np.dtype(dtype.name)).max)
    return backend.full(shape, native, value)


def _filled(kind, size, fill, dtype, device, requires_grad):
    """A new tensor of ``kind`` ``"zeros"``, ``"ones"``, ``"empty"`` or ``"full"`` (of the
    number ``fill``): the work of those functions and their ``*_like`` forms once the
    arguments are parsed."""
    if dtype is not None and not isinstance(dtype, D.dtype):
        check_dtype(dtype)  # (raises)
    if kind == "zeros":
        shape = _as_shape(size, kind)
        if shape and min(shape) < 0:
            raise RuntimeError("zeros: Dimension size must be non-negative.")
    else:
        shape = new_shape(size, kind)
    if dtype is None:
        dtype = D.get_default_dtype()
    dev, backend = resolve_device(device)
    native = backend.dtype(dtype)
    if kind == "zeros":
        arr = backend.xp.zeros(shape, dtype=native, **backend._dev_kw())
    elif kind == "ones":
        arr = backend.full(shape, native, 1)
    elif kind == "empty":
        arr = uninitialized(backend, shape, native, dtype)
    else:
        check_fill_value(fill, dtype, numel=math.prod(shape))
        arr = backend.full(shape, native, store_value(fill, dtype))
    if 0 in shape:
        arr = fix_empty_strides(backend, arr)
    t = Tensor._wrap(arr, dev, backend)
    if requires_grad:
        t.requires_grad_(True, _method=False)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of zeros with the given shape (default dtype float32). Mirrors ``torch.zeros``.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(2, 3)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
        >>> torch.zeros((0, 2)).shape
        torch.Size([0, 2])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::zeros", out, zeros, *size,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if not size:
        raise TypeError('zeros() missing 1 required positional arguments: "size"')
    return _filled("zeros", size, None, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ones with the given shape (default dtype float32). Mirrors ``torch.ones``.

    Examples:
        >>> import reftorch as torch
        >>> torch.ones(2, dtype=torch.int64)
        tensor([1, 1])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::ones", out, ones, *size,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if not size:
        raise TypeError('ones() missing 1 required positional arguments: "size"')
    return _filled("ones", size, None, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """An uninitialised tensor of the given shape: its values are whatever the memory held.

    Mirrors ``torch.empty``.

    Args:
        memory_format: ``torch.contiguous_format`` (row-major, the default, also for
            ``None``), ``torch.channels_last`` (a 4-d ``size``) or ``torch.channels_last_3d``
            (5-d).

    Raises:
        TypeError: if ``memory_format`` is not a ``torch.memory_format`` or ``None``.
        RuntimeError: for ``torch.preserve_format`` ("unsupported memory format
            Preserve"), or a channels-last format with a size of another rank.

    Examples:
        >>> import reftorch as torch
        >>> torch.empty(2, 3, 4, 5, memory_format=torch.channels_last).stride()
        (60, 1, 15, 3)
    """
    fmt = check_memory_format(memory_format, "empty", contiguous_format)
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::empty", out, empty, *size,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if not size:
        raise TypeError('empty() missing 1 required positional arguments: "size"')
    if fmt is contiguous_format:
        return _filled("empty", size, None, dtype, device, requires_grad)
    if fmt is preserve_format:
        raise RuntimeError("unsupported memory format Preserve")
    shape = new_shape(size, "empty")
    return _laid_out(shape, format_strides(shape, fmt),
                     lambda mem_shape: _filled("empty", (mem_shape,), None, dtype, device, requires_grad))


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialised tensor of shape ``size`` with the given ``stride`` (in elements),
    over just enough fresh memory for them. Mirrors ``torch.empty_strided``.

    Raises:
        RuntimeError: when ``size`` and ``stride`` differ in length.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.empty_strided((2, 3), (1, 2))
        >>> x.shape, x.stride(), x.is_contiguous()
        (torch.Size([2, 3]), (1, 2), False)
    """
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    n = 0 if 0 in size else 1 + sum((s - 1) * st for s, st in zip(size, stride))
    memory = _filled("empty", ((n,),), None, dtype, device, False)
    b = memory._backend
    out = Tensor._wrap(b.as_strided(memory._data, size, stride), memory._device, b)
    if requires_grad:
        out.requires_grad_(True, _method=False)
    return out


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialised tensor of shape ``size`` whose dimensions lie in memory in the order
    ``physical_layout`` (outermost first: ``(0, 1, ..., n-1)`` is row-major, ``(0, 2, 3, 1)``
    channels-last for 4-d). Mirrors ``torch.empty_permuted``.

    Raises:
        TypeError: if ``size`` is not a tuple or list of ints.
        RuntimeError: if ``physical_layout`` is not a permutation of the dims (negative dims
            are refused, as in PyTorch), or a size is negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.empty_permuted((2, 3, 4), (0, 2, 1)).stride()
        (12, 1, 3)
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"empty_permuted(): argument 'size' (position 1) must be tuple of ints, not {_type_name(size)}")
    size, order = tuple(size), tuple(physical_layout)
    n = len(size)
    if n != len(order):
        raise RuntimeError("Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {n} is not equal to len(physical_layout) = {len(order)}")
    for i, d in enumerate(order):
        if not 0 <= d < n:
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and {n - 1}, but got {d} at index "
                               f"{i}).  NB: negative dims not currently supported; file an issue if you want it.")
    if len(set(order)) != n:
        raise RuntimeError("Duplicate dim not allowed")
    physical = [size[d] for d in order]
    if any(s < 0 for s in physical):
        bad = next(s for s in physical if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: [{', '.join(map(str, physical))}]")
    stride, step = [0] * n, 1
    for d in reversed(order):  # innermost first
        stride[d] = step
        step *= max(size[d], 1)
    return empty_strided(size, stride, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of the given shape filled with ``fill_value``.

    The dtype is inferred from ``fill_value`` when not given: bool, int64, or the default
    float dtype. Mirrors ``torch.full``.

    Examples:
        >>> import reftorch as torch
        >>> torch.full((2, 2), 7)
        tensor([[7, 7],
                [7, 7]])
        >>> torch.full((3,), 0.5)
        tensor([0.5000, 0.5000, 0.5000])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::full", out, full, size, fill_value,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = D.python_scalar_dtype(fill_value)
    if not isinstance(size, (tuple, list)):  # (one int is no size here: zeros(2), but full((2,), v))
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    return _filled("full", (size,), fill_value, dtype, device, requires_grad)


def _like(input, kind, fill, dtype, device, requires_grad, memory_format, fn):
    """:func:`_filled` for the ``*_like`` functions ``fn``: ``input``'s shape, and by default
    its dtype and device, laid out as :func:`_like_layout` lays it out."""
    dt = input._dtype if dtype is None else dtype
    dev = input._device if device is None else device
    return _like_layout(input, lambda shape: _filled(kind, (shape,), fill, dt, dev, requires_grad),
                        memory_format, fn)


def like_input_strides(input, memory_format, fn):
    """The strides of a new tensor made like ``input`` in ``memory_format`` (``None``:
    ``preserve_format``; checked for ``fn``), or ``None`` for plain row-major ones (a 0-d
    ``input``, or a row-major one without empty or size-1 dims)."""
    fmt = check_memory_format(memory_format, fn, preserve_format)
    b = input._backend
    a = input._data
    shape = a.shape
    if fmt is preserve_format and (not shape or 1 not in shape and 0 not in shape and b.is_c_contiguous(a)):
        return None  # row-major
    return like_strides(shape, b.strides(a), fmt)


def _like_layout(input, make, memory_format=None, fn="empty_like"):
    """``make(shape)`` laid out like ``input`` in ``memory_format`` (PyTorch's
    ``preserve_format`` by default, see ``_layout.preserve_strides``; ``randn_like`` and
    friends call it too): the dims are created in the memory order of the result (so a
    random fill runs in memory order, as in PyTorch), then permuted back."""
    want = like_input_strides(input, memory_format, fn)
    shape = input._data.shape
    if want is None:
        return make(shape)  # (row-major, not empty)
    if want != contiguous_strides(shape):
        return _laid_out(shape, want, make)
    return keep_empty_strides(make(shape), want)


def _laid_out(shape, want, make):
    """``make(mem_shape)``, the dims of ``shape`` in the memory order of the dense strides
    ``want``, permuted back to ``shape`` and given the strides ``want``."""
    order = sorted(range(len(shape)), key=lambda d: -want[d])
    out = make(tuple(shape[d] for d in order))
    inverse = sorted(range(len(order)), key=order.__getitem__)
    ob = out._backend
    arr = ob.xp.permute_dims(out._data, tuple(inverse))
    if ob.strides(arr) != want:
        arr = ob.as_strided(arr, shape, want)  # size-1 dims, empty tensors: the wanted strides
    out._data = arr
    return out


@tensor_input
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Zeros with the shape (and by default the dtype, device and memory layout) of ``input``.

    Mirrors ``torch.zeros_like``.
    """
    return _like(input, "zeros", None, dtype, device, requires_grad, memory_format, "zeros_like")


@tensor_input
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Ones with the shape (and by default the dtype, device and memory layout) of ``input``.

    Mirrors ``torch.ones_like``.
    """
    return _like(input, "ones", None, dtype, device, requires_grad, memory_format, "ones_like")


@tensor_input
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """An uninitialised tensor with the shape (and by default dtype, device and memory layout)
    of ``input``. Mirrors ``torch.empty_like``."""
    return _like(input, "empty", None, dtype, device, requires_grad, memory_format, "empty_like")


@tensor_input
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``fill_value`` everywhere, with the shape (and by default dtype, device and memory layout)
    of ``input``. Mirrors ``torch.full_like``."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _like(input, "full", fill_value, dtype, device, requires_grad, memory_format, "full_like")


# ------------------------------------------------------------------ ranges
def _is_float(v):
    if v.__class__ is int or v.__class__ is float:  # (the usual case: no ABC check)
        return v.__class__ is float
    if isinstance(v, Tensor):
        return v.dtype.is_floating_point
    return isinstance(v, float) or (isinstance(v, numbers.Real) and not isinstance(v, numbers.Integral))


def _is_number(v) -> bool:
    """Whether PyTorch's argument parser takes ``v`` as a Number: a Python or NumPy number,
    or a 0-dim tensor."""
    return isinstance(v, numbers.Number) or isinstance(v, Tensor) and not v._data.ndim


def _invalid_combination(fn, args):
    """PyTorch's TypeError (its first line) for arguments that fit none of ``fn``'s forms."""
    got = ", ".join(_type_name(a) for a in args)
    raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but expected one of:")


def arange(start=0, end=NOT_GIVEN, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from ``start`` (inclusive) to ``end`` (exclusive) in steps of ``step``.

    The dtype is int64 when all three are integers, else the default float dtype.
    Mirrors ``torch.arange``.

    Raises:
        RuntimeError: if ``step`` is zero or has the wrong sign for the range.

    Examples:
        >>> import reftorch as torch
        >>> torch.arange(5)
        tensor([0, 1, 2, 3, 4])
        >>> torch.arange(1, 2.5, 0.5)
        tensor([1.0000, 1.5000, 2.0000])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::arange", out, arange, start, end, step,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if end is NOT_GIVEN:  # (an explicit None is refused below, as PyTorch does)
        if not _is_number(start):
            raise TypeError(f"arange(): argument 'end' (position 1) must be Number, not {_type_name(start)}")
        start, end = 0, start
    elif not (_is_number(start) and _is_number(end) and _is_number(step)):
        _invalid_combination("arange", (start, end, step))
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        dtype = D.get_default_dtype() if any(_is_float(v) for v in (start, end, step)) else D.int64
    check_dtype(dtype)
    if dtype is D.bool:
        raise NotImplementedError('"arange_cpu" not implemented for \'Bool\'')
    s, e, st = vals
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if (st > 0 and e < s) or (st < 0 and e > s):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(math.ceil((e - s) / st))
    if dtype is D.float32 or dtype is D.float64:
        host = _arange_values(s, st, n, dtype)
    elif dtype.is_floating_point or _is_float(s) or _is_float(st):
        host = s + _np.arange(n, dtype=_np.float64) * st
    else:
        host = _np.arange(s, e, st, dtype=_np.int64)
    return _from_host(host, dtype, device, requires_grad, owned=True)


#: Elements per vector in ATen's CPU arange kernel (256-bit vectors; the kernel's AVX2 build,
#: which PyTorch also runs on AVX-512 machines), and its parallel_for grain size.
_ARANGE_LANES = {"float32": 8, "float64": 4}
_GRAIN_SIZE = 32768


def _arange_values(start, step, n, dtype):
    """ATen's CPU ``arange`` kernel for float32/float64, value for value. It computes in
    float64 (the accumulate type of both): where it runs its scalar loop, ``start + step *
    i`` rounded once (FMA) then to the dtype; where it runs its vector loop (pairs of
    vectors from the start of each thread's chunk of the range), each vector starts at
    ``base`` (that formula, rounded to the dtype) and its lane ``k`` is ``base + k * step``,
    rounded once."""
    ft = _np.float32 if dtype is D.float32 else _np.float64
    s, st = float(start), float(step)
    if _exact_range(s, st, n, 24 if ft is _np.float32 else 53):
        # No value rounds (not in float64, not in the dtype), so each of the kernel's
        # formulas gives the exact value: skip its roundings.
        values = _np.arange(n, dtype=_np.float64)
        if st != 1.0:
            values *= st
        if s != 0.0:
            values += s
        return values.astype(ft)
    lanes = _ARANGE_LANES[dtype.name]
    threads = min(get_num_threads(), -(-n // _GRAIN_SIZE)) if n > _GRAIN_SIZE else 1
    chunk = max(-(-n // max(threads, 1)), 1)
    out = _np.empty(n, ft)
    with _np.errstate(all="ignore"):
        for c0 in range(0, n, chunk):
            c1 = min(n, c0 + chunk)
            m = (c1 - c0) // (2 * lanes) * (2 * lanes)  # the elements of the vector loop
            if m:
                base = fma64(_np.arange(c0, c0 + m, lanes, dtype=_np.float64), st, s)
                if ft is _np.float32:
                    base = base.astype(ft).astype(_np.float64)
                block = out[c0:c0 + m].reshape(-1, lanes)
                block[:, 0] = base
                for k in range(1, lanes):
                    block[:, k] = _plus_product(base, k, st)
            if m < c1 - c0:  # the scalar loop's
                out[c0 + m:c1] = fma64(_np.arange(c0 + m, c1, dtype=_np.float64), st, s)
    return out


def _exact_range(start, step, n, digits):
    """Whether ``start + step * i`` for ``i < n`` are all exact with ``digits`` significant
    bits (and so exact in float64 too): all are multiples of the finer of the two numbers'
    last bits, so they are exact while the largest stays below ``2**digits`` such units."""
    if not (math.isfinite(start) and math.isfinite(step)):
        return False
    unit = max(start.as_integer_ratio()[1], step.as_integer_ratio()[1])  # powers of two
    largest = abs(start) + abs(step) * max(n - 1, 0)
    return largest * unit < 2.0 ** digits


def _plus_product(a, k, b):
    """``a + k * b`` rounded once, for a float64 array ``a`` and numbers ``k``, ``b``: the
    product split exactly into ``hi + lo`` (once: they are numbers), the sum with its exact
    error (TwoSum); one addition where ``k * b`` is exact (``k`` a power of two) or where
    the split overflows (a step beyond about 2**996: the plain ``a + k * b``)."""
    hi = k * b
    lo = product_error(k, b, hi)
    if lo == 0 or not math.isfinite(lo):
        return a + hi
    total, err = two_sum(a, hi)
    return total + (err + lo)



def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Mirrors ``torch.linspace`` (the values are computed as PyTorch's CPU kernel does:
    forward from ``start`` for the first half, backward from ``end`` for the second).

    Examples:
        >>> import reftorch as torch
        >>> torch.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::linspace", out, linspace, start, end, steps,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    start, end, steps, dtype = _range_args("linspace", start, end, steps, dtype)
    dev, backend = resolve_device(device)
    if dtype.is_floating_point or dtype.is_complex:
        ft = _np.dtype(backend.dtype(dtype)) if dev.type == "cpu" else _np.dtype(dtype.name)
    else:
        ft = _np.dtype(_np.float64)
    if steps:  # the ends converted to the dtype as a fill converts a number (checked, rounded, wrapped)
        for v in (start, end):
            check_fill_value(v, dtype, numel=steps)
        start, end = store_value(start, dtype), store_value(end, dtype)
    with _np.errstate(all="ignore"):  # inf - inf: nan, as in PyTorch, without NumPy's warning
        if steps == 1:
            host = _np.array([start], dtype=ft)
        else:
            a, b = ft.type(start), ft.type(end)
            step = (b - a) / ft.type(max(steps - 1, 1))
            idx = _np.arange(steps, dtype=ft)
            half = steps // 2
            host = _np.empty(steps, dtype=ft)  # the first half from start, the rest back from end
            fma = _FMA.get(ft.type)
            if fma is not None:  # ATen's kernel is compiled with FMA contraction: each value rounds once
                host[:half] = fma(idx[:half], step, a)
                host[half:] = fma(ft.type(steps - 1) - idx[half:], -step, b)
            else:
                _np.multiply(idx[:half], step, out=host[:half])
                host[:half] += a
                _np.subtract(ft.type(steps - 1), idx[half:], out=host[half:])
                host[half:] *= step
                _np.subtract(b, host[half:], out=host[half:])
    return _from_host(host, dtype, device, requires_grad, owned=True)


#: ``a * b + c`` rounded once, per float type (linspace's ``start + step * i``, ``end - step * j``)
_FMA = {_np.float32: fma32, _np.float64: fma64}


def _range_args(fn, start, end, steps, dtype, more=()):
    """The checks ``linspace`` and ``logspace`` share: numbers or 0-d tensors for the ends
    (and for ``more``, logspace's base), an int ``steps`` (not negative). Returns ``start``,
    ``end`` as numbers, ``steps`` as an int and the dtype (default: the default dtype)."""
    if not all(isinstance(v, numbers.Number) or isinstance(v, Tensor) for v in (start, end) + more) or not (
            type(steps) is int or _is_number(steps) and not _is_float(steps)):
        _invalid_combination(fn, (start, end, steps) + more)
    wide = [f"{name} with {v.dim()} dimension(s)" for name, v in (("start", start), ("end", end))
            if isinstance(v, Tensor) and v.dim()]
    if wide:
        raise RuntimeError(f"{fn} only supports 0-dimensional start and end tensors, but got {' and '.join(wide)}.")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return start, end, steps, D.get_default_dtype() if dtype is None else dtype


def _pow(base: float, x: float) -> float:
    """C's ``pow(base, x)`` (what ATen's logspace kernel calls), with its results where
    Python's :func:`math.pow` raises instead: ``nan`` for a negative base and a fractional
    exponent, an infinity on overflow."""
    try:
        return math.pow(base, x)
    except ValueError:
        return math.nan
    except OverflowError:
        odd = x == int(x) and int(x) % 2
        return -math.inf if base < 0 and odd else math.inf


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values ``base ** e`` for exponents ``e`` evenly spaced from ``start`` to
    ``end`` (both included).

    Mirrors ``torch.logspace``, computed as PyTorch's CPU kernel does: the ends converted
    to the dtype, the exponents in float64 (forward from ``start`` for the first half,
    backward from ``end`` for the second) and C's ``pow`` in float64, then rounded (or, for
    an integer dtype, truncated) to the dtype.

    Args:
        start: the first exponent (a number or a 0-d tensor).
        end: the last exponent.
        steps: how many values (an int, not negative).
        base: the base (default 10.0).
        dtype: default: the default float dtype.

    Raises:
        RuntimeError: for a negative ``steps`` or ends that are not 0-d.
        TypeError: for arguments that are not numbers (``steps``: not an int).
        NotImplementedError: for ``torch.bool``, and for complex dtypes (not in reftorch).

    Examples:
        >>> import reftorch as torch
        >>> torch.logspace(0, 3, 4)
        tensor([   1.,   10.,  100., 1000.])
        >>> torch.logspace(0, 1, 3, base=2)
        tensor([1.0000, 1.4142, 2.0000])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::logspace", out, logspace, start, end, steps, base,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    start, end, steps, dtype = _range_args("logspace", start, end, steps, dtype, (base,))
    if dtype is D.bool:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    if dtype.is_complex:
        raise NotImplementedError("reftorch's logspace does not support complex dtypes")
    base = float(base.item() if isinstance(base, Tensor) else base)
    if steps == 1:  # (PyTorch's kernel: pow of the start as given, not converted to the dtype)
        values = [_pow(base, float(start))]
    elif steps:
        for v in (start, end):
            check_fill_value(v, dtype, numel=steps)
        ft = _np.dtype(dtype.name)  # (the ends and their difference in the dtype: ATen's scalar_t)
        a, b = ft.type(store_value(start, dtype)), ft.type(store_value(end, dtype))
        with _np.errstate(all="ignore"):
            step = float(b - a) / (steps - 1)
        half = steps // 2
        values = [_pow(base, float(a) + step * i) if i < half else _pow(base, float(b) - step * (steps - i - 1))
                  for i in range(steps)]
    else:
        values = []
    host = _np.array(values, dtype=_np.float64)
    if not (dtype.is_floating_point or dtype.is_complex):
        with _np.errstate(all="ignore"):
            host = _np.trunc(host)  # (a C cast truncates)
    with _np.errstate(all="ignore"):
        host = host.astype(_np.dtype(dtype.name))
    return _from_host(host, dtype, device, requires_grad, owned=True)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A 2-D tensor with ones on the diagonal and zeros elsewhere. Mirrors ``torch.eye``.

    Examples:
        >>> import reftorch as torch
        >>> torch.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::eye", out, eye, n, m,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if m is None:
        m = n
    if dtype is None:
        dtype = D.get_default_dtype()
    dev, backend = resolve_device(device)
    arr = backend.xp.eye(n, m, dtype=backend.dtype(dtype), **backend._dev_kw())
    t = Tensor._wrap(arr, dev, backend)
    if requires_grad:
        t.requires_grad_(True, _method=False)
    return t


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """A 0-dim tensor holding the number ``s``.

    Mirrors ``torch.scalar_tensor``. Unlike :func:`tensor`, the dtype does not follow the
    number: it is the default float dtype (``float32``) unless ``dtype`` is given, whatever
    ``s`` is (an int or a bool too).

    Args:
        s: a Python number (or a one-element tensor, read as its number).
        dtype: the dtype of the result; default ``torch.get_default_dtype()``.
        layout: accepted for compatibility (only ``torch.strided`` exists).
        device: the device of the result.
        pin_memory: accepted for compatibility.
        requires_grad: whether the result is a leaf that requires grad.

    Returns:
        A 0-dim tensor.

    Raises:
        TypeError: if ``s`` is not a number.
        RuntimeError: if ``s`` does not fit ``dtype``.
        OverflowError: for an int beyond the 64-bit range.

    Examples:
        >>> import reftorch as torch
        >>> torch.scalar_tensor(3)
        tensor(3.)
        >>> torch.scalar_tensor(7, dtype=torch.int64)
        tensor(7)
    """
    if isinstance(s, Tensor):
        s = s.item()
    if not isinstance(s, (bool, int, float, complex)):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(s).__name__}")
    if isinstance(s, int) and not isinstance(s, bool) and not -2 ** 63 <= s < 2 ** 64:
        raise OverflowError("int too big to convert" if s > 0 else "can't convert negative int to unsigned")
    dt = D.get_default_dtype() if dtype is None else dtype
    if isinstance(s, complex) and not dt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES.get(dt.name, dt.name)} without overflow")
    return full((), s, dtype=dt, device=device, requires_grad=requires_grad)
