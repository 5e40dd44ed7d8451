"""The ``*_copy`` functions of the torch namespace (``torch.view_copy``, ``torch.permute_copy``,
``torch.split_copy`` ...): the result of a view op as a new, contiguous tensor.

Each is made by :func:`copy_of` from its view op: the view is taken, then copied into fresh
memory by one node named as PyTorch names it, the view's ``grad_fn`` name with ``_copy``
appended (``ViewBackward0_copy``; ``narrow_copy``'s is ``NarrowCopyBackward0``). The copy
node passes the gradient to the view's own node, which does the view op's backward.
"""
from __future__ import annotations

from .._tensor import Tensor, _wrap_dim
from ._common import tensor_input
from . import as_strided as _as_strided, diagonal as _diagonal, shape as _shape, splitting as _splitting
from . import indexing as _indexing, unfold as _unfold
from .shape import Clone


def _copy(view, name=None):
    if name is None and view.grad_fn is not None:
        name = view.grad_fn.name() + "_copy"
    return Clone.apply(view, contiguous=True, _name=name)


def copy_of(view_op, name, node=None):
    """``torch.<name>``: ``view_op``'s result(s) copied (``node``: the copy's grad_fn name
    when it is not the view's name followed by ``_copy``). A first argument that is no
    tensor raises PyTorch's TypeError naming ``name`` (``_common.tensor_input``)."""
    view_op = getattr(view_op, "unchecked", view_op)  # (checked once, by the copy)

    def fn(input, *args, **kwargs):
        view = view_op(input, *args, **kwargs)
        if isinstance(view, Tensor):
            return _copy(view, node)
        return tuple(_copy(v, node) for v in view)
    fn.__name__ = fn.__qualname__ = name
    fn.__wrapped__ = view_op  # (its signature: PyTorch's parameter names)
    fn.__doc__ = (f"A copy of the view ``{view_op.__name__.lstrip('_')}`` returns (new, contiguous memory). "
                  f"Mirrors ``torch.{name}``.")
    return tensor_input(fn, name=name)


def _slice(input, dim=0, start=None, end=None, step=1):
    """``input[..., start:end:step]`` along ``dim``: ``aten::slice`` (``SliceBackward0``, also
    for the whole dimension)."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, input.dim())
    if step == 1:
        first, stop, _ = slice(start, end).indices(input.shape[d])
        return _indexing.narrow(input, d, first, max(stop - first, 0))
    return input[(slice(None),) * d + (slice(start, end, step),)]


def view(input, size):
    return input.view(size)


def split(input, split_size, dim=0):
    return _splitting.split(input, split_size, dim)


def expand(input, size, *, implicit=False):
    return input.expand(size)


def _alias(input):
    return input


class DetachCopy(Clone):
    """``detach_copy``'s node: PyTorch records one that refuses the backward pass."""

    name = "torch::autograd::NotImplemented"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::detach_copy is not implemented")


@tensor_input
def detach_copy(input):
    """A copy of ``input.detach()``. Mirrors ``torch.detach_copy``: as PyTorch, the result of
    an input that requires grad does too, and its backward raises RuntimeError."""
    return DetachCopy.apply(input, contiguous=True)


def _squeeze(input, dim=None):
    return input.squeeze() if dim is None else input.squeeze(dim)


def _view_as_complex(input):
    if input.requires_grad:
        raise RuntimeError("view_as_complex_copy does not support automatic differentiation for outputs with complex "
                           "dtype.")
    return _shape.view_as_complex(input)


view_copy = copy_of(view, "view_copy")
permute_copy = copy_of(_shape.torch_permute, "permute_copy")
t_copy = copy_of(_shape.t, "t_copy")
transpose_copy = copy_of(_shape.transpose, "transpose_copy")
squeeze_copy = copy_of(_squeeze, "squeeze_copy")
unsqueeze_copy = copy_of(_shape.unsqueeze, "unsqueeze_copy")
expand_copy = copy_of(expand, "expand_copy")
select_copy = copy_of(_diagonal.select, "select_copy")
slice_copy = copy_of(_slice, "slice_copy")
split_copy = copy_of(split, "split_copy")
split_with_sizes_copy = copy_of(_splitting.split_with_sizes, "split_with_sizes_copy")
unbind_copy = copy_of(_indexing.unbind, "unbind_copy")
diagonal_copy = copy_of(_diagonal.diagonal, "diagonal_copy")
narrow_copy = copy_of(_indexing.narrow, "narrow_copy", "NarrowCopyBackward0")
alias_copy = copy_of(_alias, "alias_copy", "AliasBackward0_copy")
as_strided_copy = copy_of(_as_strided.as_strided, "as_strided_copy")
unfold_copy = copy_of(_unfold.unfold, "unfold_copy")
view_as_real_copy = copy_of(_shape.view_as_real, "view_as_real_copy")
view_as_complex_copy = copy_of(_view_as_complex, "view_as_complex_copy")
