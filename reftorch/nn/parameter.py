"""``nn.Parameter``: a tensor that a :class:`~reftorch.nn.Module` registers as a parameter.

Mirrors ``torch.nn.Parameter``. A parameter is an ordinary tensor with two differences:
it requires grad by default, and assigning it as an attribute of a module adds it to the
module's ``parameters()`` and ``state_dict()``.
"""
from __future__ import annotations

from .._tensor import Tensor
from .._ops import creation as _creation


class Parameter(Tensor):
    """A tensor that is a module parameter.

    ``Parameter(data)`` shares memory with ``data`` (no copy) and is always a leaf: if
    ``data`` is the result of a computation it is detached first.

    Args:
        data: the initial values; an empty float32 tensor when omitted.
        requires_grad: whether the parameter requires grad (default ``True``).

    Raises:
        RuntimeError: if ``requires_grad`` is true and ``data`` is not floating point or
            complex.

    Examples:
        >>> import reftorch as torch
        >>> p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        >>> p
        Parameter containing:
        tensor([1., 2.], requires_grad=True)
        >>> p.is_leaf
        True
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _creation.empty(0)
        p = object.__new__(cls)
        p._init_from(data._data, data._device, data._backend)
        p._share_version(data)
        if requires_grad and not (data.dtype.is_floating_point or data.dtype.is_complex):
            # the message of torch.Tensor._make_subclass (requires_grad_() words it differently)
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        p._requires_grad = bool(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):  # everything happens in __new__
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = Parameter(self.detach().clone(), self._requires_grad)
        new._base = None
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marker for a tensor that should be registered as a buffer (``torch.nn.Buffer``).

    Assigning ``Buffer(t)`` as a module attribute registers ``t`` as a buffer.

    Args:
        data: the buffer's values.
        persistent: whether the buffer is part of ``state_dict()``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _creation.empty(0)
        b = object.__new__(cls)
        b._init_from(data._data, data._device, data._backend)
        b._share_version(data)
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass


_SLOT_DATA = Tensor._data  # the slot that holds a tensor's array; the lazy classes hide it


def _raw(t):
    """The array of ``t``, read past an uninitialized tensor's guard."""
    return _SLOT_DATA.__get__(t) if isinstance(t, UninitializedTensorMixin) else t._data


class UninitializedTensorMixin:
    """What :class:`UninitializedParameter` and :class:`UninitializedBuffer` share: a
    tensor with a dtype and a device but no shape yet.

    Only the dtype and device conversions (``to``, ``float``, ``double``, ``half``,
    ``cpu``, ``cuda``, ``type``) and ``size()`` work; reading ``shape`` raises
    ``RuntimeError`` and any other operation raises ``ValueError``, until
    :meth:`materialize` gives the tensor a shape and turns it into ``cls_to_become``.
    """

    __slots__ = ()
    cls_to_become = None

    @property
    def _data(self):
        # every reftorch operation reads the array through ``_data``: this is the guard
        # (PyTorch names the function in its message; here it is not known)
        raise ValueError(
            "Attempted to use an uninitialized parameter in a tensor operation. "
            "This error happens when you are using a `LazyModule` or "
            f"explicitly manipulating `torch.nn.parameter.{type(self).__name__}` "
            "objects. When using LazyModules Call `forward` with a dummy batch "
            "to initialize the parameters before calling torch functions")

    @_data.setter
    def _data(self, value):
        _SLOT_DATA.__set__(self, value)

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. "
            "This error usually happens in `load_state_dict` when trying to load "
            "an uninitialized parameter into an initialized one. "
            "Call `forward` to initialize the parameters before accessing their attributes.")

    def size(self, dim=None):
        return self._plain().size() if dim is None else self._plain().size(dim)

    @property
    def data(self):
        return self._plain()

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        _SLOT_DATA.__set__(self, _raw(value))
        self._dtype, self._device, self._backend = value._dtype, value._device, value._backend

    def _plain(self):
        """A plain tensor sharing the (empty) array."""
        return Tensor._wrap(_SLOT_DATA.__get__(self), self._device, self._backend)

    def _converted(self, method, *args, **kwargs):
        """Run a dtype/device conversion on the empty array; the result is uninitialized too."""
        out = getattr(self._plain(), method)(*args, **kwargs)
        new = type(self)._wrap(out._data, out._device, out._backend)
        new.__dict__.update(self.__dict__)
        new._requires_grad = self._requires_grad
        return new

    def to(self, *args, **kwargs):
        return self._converted("to", *args, **kwargs)

    def float(self):
        return self._converted("float")

    def double(self):
        return self._converted("double")

    def half(self):
        return self._converted("half")

    def bfloat16(self):
        return self._converted("bfloat16")

    def cpu(self):
        return self._converted("cpu")

    def cuda(self, device=None):
        return self._converted("cuda", device)

    def type(self, dtype=None):
        return self._converted("type", dtype) if dtype is not None else super().type()

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor ``shape`` (uninitialised values, as ``torch.empty``) and turn it
        into ``cls_to_become`` (``Parameter`` or ``Tensor``), in place.

        Args:
            shape: the shape of the materialized tensor.
            device: its device (default: the current one).
            dtype: its dtype (default: the current one).
        """
        device = self._device if device is None else device
        dtype = self._dtype if dtype is None else dtype
        self.data = _creation.empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. "
            "Call `forward` to initialize the parameters before calling "
            "`module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad,))


def is_lazy(param) -> bool:
    """Whether ``param`` is an :class:`UninitializedParameter` or :class:`UninitializedBuffer`."""
    return isinstance(param, UninitializedTensorMixin)


def _new_uninitialized(cls, requires_grad, device, dtype):
    data = _creation.empty(0, device=device, dtype=dtype)
    t = cls._wrap(data._data, data._device, data._backend)
    t._requires_grad = bool(requires_grad)
    return t


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (what lazy modules hold before their
    first call).

    It has a dtype and a device, which ``module.to(...)``/``double()`` change, but no
    data: reading ``shape`` raises ``RuntimeError`` and using it in an operation raises
    ``ValueError``. ``materialize(shape)`` turns it into a :class:`Parameter`, in place.

    Args:
        requires_grad: whether the materialized parameter requires grad (default ``True``).
        device: the device to materialize on.
        dtype: the dtype to materialize with (default: the default dtype).

    Mirrors ``torch.nn.parameter.UninitializedParameter``.

    Examples:
        >>> import reftorch as torch
        >>> p = torch.nn.parameter.UninitializedParameter()
        >>> p
        <UninitializedParameter>
        >>> p.materialize((2, 3))
        >>> type(p).__name__, p.shape
        ('Parameter', torch.Size([2, 3]))
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _new_uninitialized(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(self._requires_grad, self._device, self._dtype)
        memo[id(self)] = new
        return new


class UninitializedBuffer(UninitializedTensorMixin, Buffer):
    """A buffer whose shape is not known yet (the running statistics of a lazy batch
    norm before its first call); ``materialize(shape)`` turns it into a plain tensor.

    Args:
        requires_grad: whether the materialized tensor requires grad (default ``False``).
        device: the device to materialize on.
        dtype: the dtype to materialize with (default: the default dtype).
        persistent: whether the buffer is part of ``state_dict()`` (default ``True``).

    Mirrors ``torch.nn.parameter.UninitializedBuffer``.
    """

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        b = _new_uninitialized(cls, requires_grad, device, dtype)
        b.persistent = persistent
        return b

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass

    # (no __deepcopy__: as in PyTorch, deep-copying one raises the uninitialized ValueError)
