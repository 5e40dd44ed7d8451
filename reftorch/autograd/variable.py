"""``torch.autograd.Variable``, kept by PyTorch for old code: every tensor is a Variable.

``Variable(t)`` returns a new leaf tensor sharing ``t``'s memory (``t.detach()``), with
``requires_grad`` as given; ``isinstance(t, Variable)`` is True for every tensor.
"""
from __future__ import annotations

import warnings

from .._tensor import Tensor

__all__ = ["Variable"]


class VariableMeta(type):
    """Makes ``isinstance(tensor, Variable)`` true for every reftorch tensor."""

    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """Mirrors ``torch.autograd.Variable`` (deprecated in PyTorch, still callable).

    Args:
        data: a tensor; omitted: an empty float32 tensor.
        requires_grad: whether the returned leaf requires grad (default ``False``).
        volatile: removed in PyTorch; ignored with a ``UserWarning``.

    Returns:
        Tensor: a leaf tensor sharing ``data``'s memory (a plain tensor, not a Variable
        subclass, as in PyTorch).

    Raises:
        TypeError: if ``data`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.autograd.Variable(torch.ones(2), requires_grad=True)
        tensor([1., 1.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            data = Tensor(0)  # an empty float32 tensor (the legacy constructor)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(bool(requires_grad))


Variable.__module__ = "torch.autograd.variable"
