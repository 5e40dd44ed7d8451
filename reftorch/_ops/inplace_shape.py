"""In-place ops that change a tensor's layout or contents wholesale: ``t_`` and ``zero_``."""
from __future__ import annotations

from ._inplace import check_inplace, commit
from ..autograd.function import OpFunction
from .shape import Permute


def t_(input):
    """Transpose a tensor of at most 2 dimensions in place (its shape and strides change;
    the data is not moved). Mirrors ``Tensor.t_`` (``grad_fn`` ``TBackward1``).

    Raises:
        RuntimeError: for more than 2 dimensions, or a leaf that requires grad.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6).view(2, 3)
        >>> x.t_().shape
        torch.Size([3, 2])
    """
    nd = input.dim()
    if nd > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {nd}D")
    check_inplace(input)
    dims = (1, 0) if nd == 2 else tuple(range(nd))
    res = Permute.apply(input, dims=dims, _name="TBackward1")
    node = res._grad_fn  # read before the version bump (a stale view would regenerate it)
    input._data = res._data
    input._bump_version()
    if node is not None:
        input.grad_fn = node
    return input


class Zero(OpFunction):
    """All zeros; its gradient is zero too (``ZeroBackward0``)."""

    name = "ZeroBackward0"
    create_graph = True

    @staticmethod
    def forward(ctx, x):
        return x._backend.xp.zeros_like(x._data)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.zeros_like(g)


def zero_(input):
    """Fill ``input`` with zeros in place. Mirrors ``torch.zero_`` and ``Tensor.zero_``
    (``grad_fn`` ``ZeroBackward0`` when ``input`` is part of a graph).

    Examples:
        >>> import reftorch as torch
        >>> torch.zero_(torch.ones(2))
        tensor([0., 0.])
    """
    return commit(input, Zero.apply(input), overlap_ok=True)
