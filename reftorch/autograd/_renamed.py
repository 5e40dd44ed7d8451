"""``Renamed``: the result of an op reftorch composes from other ops, recorded as the one
node PyTorch's own kernel records (``ConvTbcBackward0``, ``CondAutogradOpBackward`` ...).

The node passes the gradient through unchanged to the composed graph behind it, so the
gradients (of any order) are the composition's, and ``grad_fn`` prints as in PyTorch.
"""
from __future__ import annotations

from .function import OpFunction


class Renamed(OpFunction):
    """A copy of ``x`` under the node name given as ``_name`` (identity gradient)."""

    name = "Renamed"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x):
        return x._backend.copy(x._data)

    @staticmethod
    def backward(ctx, g):
        return g


def renamed(x, name):
    """``x`` with ``grad_fn`` named ``name`` (``x`` itself when nothing records a node)."""
    return Renamed.apply(x, _name=name) if x.requires_grad else x
