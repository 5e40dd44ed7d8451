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
