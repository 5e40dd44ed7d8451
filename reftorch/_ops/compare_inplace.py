"""The in-place comparisons ``Tensor.eq_`` ... ``Tensor.ge_`` (and their alternative names
``greater_``, ``less_equal_``, ``not_equal_`` ...): the comparison's 0/1 result written into
``self`` in ``self``'s dtype.

Autograd records them as PyTorch does: ``EqBackward0`` (other a number) or ``EqBackward1``
(other a tensor), whose gradient is zero for ``self`` and for ``other``.
"""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import OpFunction as Function
from ..autograd.grad_mode import is_grad_enabled
from . import pointwise
from ._inplace import commit


class CompareInPlace(Function):
    """The recorded in-place comparison: forward casts the (bool) comparison ``result`` to
    ``x``'s dtype; backward sends zeros to ``x`` and to the tensor ``other`` if there is one."""

    name = "EqBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x, *other, result=None):
        ctx.other = (other[0]._data.shape, other[0]._data.dtype) if other else None
        return x._backend.astype(result._data, x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if ctx.other is None:
            return xp.zeros_like(g)
        shape, native = ctx.other
        return xp.zeros_like(g), xp.zeros(shape, dtype=native, **ctx.backend._dev_kw())


def compare_(op):
    """The method ``Tensor.<op>_`` of the comparison ``op`` (``"eq"`` ... ``"ge"``)."""
    compare = getattr(pointwise, op)
    node = op.capitalize() + "Backward"

    def method(self, other):
        result = compare(self, other)
        tensors = (self, other) if isinstance(other, Tensor) else (self,)
        if is_grad_enabled() and any(t._requires_grad for t in tensors):
            result = CompareInPlace.apply(*tensors, result=result, _name=node + str(len(tensors) - 1))
        return commit(self, result)
    method.__name__ = op + "_"
    method.__doc__ = f"In-place version of :meth:`{op}`: the result, 0 or 1, in ``self``'s dtype."
    return method
