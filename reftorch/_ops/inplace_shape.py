"""In-place ops that change a tensor's layout or contents wholesale: ``t_``, ``squeeze_``,
``unsqueeze_``, ``transpose_`` (``swapaxes_``, ``swapdims_``), ``zero_`` and ``resize_``."""
from __future__ import annotations

import math

from .._flags import fills_uninitialized_memory
from .._layout import is_non_overlapping_and_dense
from .._memory_format import check_memory_format, contiguous_format, format_strides, preserve_format
from .._tensor import Tensor, _as_shape
from ._inplace import check_inplace, commit
from ..autograd.function import OpFunction
from ..autograd.graph import new_node
from . import as_strided as _as_strided, shape
from ._numpy_names import NOT_GIVEN
from ._common import tensor_input
from .creation import uninitialized
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
    return _take_layout(input, Permute.apply(input, dims=dims, _name="TBackward1"))


def _take_layout(input, view, name=None):
    """Give ``input`` the shape and strides of ``view`` (a view of it), as PyTorch's in-place
    view ops do; the view's node (renamed ``name``: the in-place op's own grad_fn name)
    becomes ``input``'s. Returns ``input``."""
    node = view._grad_fn  # read before the version bump (a stale view would regenerate it)
    if node is not None and name is not None:
        node = new_node(node._fn, node.ctx, node.next_functions, name, node._slots)
    input._data = view._data
    input._bump_version()
    if node is not None:
        input.grad_fn = node
    return input


#: The grad_fn names of ``squeeze``'s three forms (no dim, one dim, a tuple), out of place
#: and in place.
_SQUEEZE_IN_PLACE = {"SqueezeBackward0": "SqueezeBackward3", "SqueezeBackward1": "SqueezeBackward4",
                     "SqueezeBackward2": "SqueezeBackward5"}


def squeeze_(input, dim=NOT_GIVEN):
    """In-place version of :meth:`squeeze`: the tensor itself loses its size-1 dimensions
    (its memory is unchanged). Mirrors ``Tensor.squeeze_`` (``grad_fn``
    ``SqueezeBackward3``/``4``/``5`` for no dim, one dim, a tuple of dims).

    Raises:
        IndexError: if a dim is out of range.
        RuntimeError: on a leaf that requires grad.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.zeros(2, 1, 3)
        >>> x.squeeze_().shape
        torch.Size([2, 3])
    """
    check_inplace(input)
    view = shape.squeeze(input) if dim is NOT_GIVEN else shape.squeeze(input, dim)
    node = view._grad_fn
    return _take_layout(input, view, None if node is None else _SQUEEZE_IN_PLACE[node.name()])


def unsqueeze_(input, dim):
    """In-place version of :meth:`unsqueeze`. Mirrors ``Tensor.unsqueeze_`` (``grad_fn``
    ``UnsqueezeBackward1``).

    Raises:
        IndexError: if ``dim`` is out of range.
        RuntimeError: on a leaf that requires grad.
    """
    check_inplace(input)
    return _take_layout(input, shape.unsqueeze(input, dim), "UnsqueezeBackward1")


def transpose_(input, dim0, dim1):
    """In-place version of :meth:`transpose` (also ``swapaxes_``, ``swapdims_``): the
    tensor's strides are swapped, its memory unchanged. Mirrors ``Tensor.transpose_``
    (``grad_fn`` ``TransposeBackward1``).

    Raises:
        IndexError: if a dim is out of range.
        RuntimeError: on a leaf that requires grad.
    """
    check_inplace(input)
    return _take_layout(input, shape.transpose(input, dim0, dim1), "TransposeBackward1")


def as_strided_(input, size, stride, storage_offset=None):
    """In-place version of :func:`as_strided`: ``input`` itself becomes the view of its
    memory with the given ``size``, ``stride`` and ``storage_offset`` (counted from the
    start of that memory, as in ``as_strided``). Mirrors ``Tensor.as_strided_``
    (``grad_fn`` ``AsStridedBackward1``).

    Unlike in PyTorch, a later ``as_strided``/``as_strided_`` of the tensor can only reach
    the memory its current layout spans (reftorch keeps no separate storage size).

    Raises:
        RuntimeError: on a leaf that requires grad, or when the view reaches outside the
            memory.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6.)
        >>> x.as_strided_((2, 2), (1, 2))
        tensor([[0., 2.],
                [1., 3.]])
    """
    check_inplace(input)
    return _take_layout(input, _as_strided.as_strided(input, size, stride, storage_offset), "AsStridedBackward1")


class Zero(OpFunction):
    """All zeros; its gradient is zero too (``ZeroBackward0``)."""

    name = "ZeroBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x):
        return x._backend.xp.zeros_like(x._data)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.zeros_like(g)


@tensor_input
def zero_(input):
    """Fill ``input`` with zeros in place. Mirrors ``torch.zero_`` and ``Tensor.zero_``
    (``grad_fn`` ``ZeroBackward0`` when ``input`` is part of a graph).

    Examples:
        >>> import reftorch as torch
        >>> torch.zero_(torch.ones(2))
        tensor([0., 0.])
    """
    return commit(input, Zero.apply(input), overlap_ok=True)


def _storage(b, root):
    """The memory a root tensor was resized down from (PyTorch's storage keeps its size
    when a tensor shrinks), else its own array."""
    whole = root.__dict__.get("_resized_from")
    if whole is None:
        return root._data
    start, arr = b.data_ptr(whole), root._data
    item = root.dtype.itemsize
    if whole.dtype != arr.dtype or not start <= b.data_ptr(arr) <= start + (whole.size - arr.size) * item:
        root.__dict__.pop("_resized_from", None)  # root._data was replaced since: forget it
        return arr
    return whole


def resize_(input, *size, memory_format=None):
    """Give ``input`` the shape ``size`` in place, reading its memory row-major from its
    first element. Mirrors ``torch.Tensor.resize_``.

    The same shape changes nothing (unless ``memory_format`` asks for other strides).
    Otherwise the strides become row-major (or ``memory_format``'s) and the version
    counter is bumped; when the memory behind ``input`` (from its first element to the end
    of its base's memory, which a tensor resized down keeps, as PyTorch's storage does)
    holds enough elements, ``input`` stays a view of it, as in PyTorch. A larger ``size``
    moves ``input`` to new memory whose extra elements are zeros (PyTorch leaves them
    uninitialised, and grows the shared storage in place: unlike there, other views of
    the old memory no longer see ``input``'s later writes). Under
    ``torch.use_deterministic_algorithms(True)`` both fill them with nan (integers: their
    largest value; bool: True).

    Args:
        size: the new shape, as ints or one tuple, list or ``torch.Size``.
        memory_format: the strides of the result: row-major (``None``, the default, or
            ``torch.contiguous_format``), ``torch.channels_last`` (4-d) or
            ``torch.channels_last_3d`` (5-d). As in PyTorch the memory is read again with
            those strides, not copied, also when the shape stays the same (then the
            version counter is not bumped).

    Returns:
        ``input`` itself.

    Raises:
        RuntimeError: if ``input`` requires grad ("cannot resize variables that require
            grad"), a size is negative, ``memory_format`` is ``torch.preserve_format`` or a
            channels-last format of another rank than ``size``'s.
        TypeError: if a size is not an int, or ``memory_format`` not a memory format.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.arange(6.)
        >>> x.resize_(2, 2)
        tensor([[0., 1.],
                [2., 3.]])
    """
    if not size:
        raise TypeError('resize_() missing 1 required positional arguments: "size"')
    sizes = _as_shape(size, "resize_", "size")
    if input._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(s < 0 for s in sizes):
        raise RuntimeError("numel: integer multiplication overflow")
    fmt = check_memory_format(memory_format, "resize_", contiguous_format)
    if fmt is preserve_format:
        raise RuntimeError("Unsupported memory formatPreserve")
    arr = input._data
    b = input._backend
    same = tuple(arr.shape) == sizes
    if same and (memory_format is None or b.strides(arr) == format_strides(sizes, fmt)):
        return input  # (else the same memory is read with the format's strides, as PyTorch does)
    n = math.prod(sizes)
    root = input._base if input._base is not None else input
    whole = _storage(b, root)
    item = input.dtype.itemsize
    offset = (b.data_ptr(arr) - b.data_ptr(whole)) // item
    avail = whole.size - offset if is_non_overlapping_and_dense(
        tuple(whole.shape), b.strides(whole)) else (arr.size if b.is_c_contiguous(arr) else 0)
    strides = format_strides(sizes, fmt)
    if n <= avail:
        if input is root and whole is not arr:
            root.__dict__["_resized_from"] = whole  # (a later resize_ may grow back into it)
        elif input is root and n < arr.size:
            root.__dict__["_resized_from"] = arr
        input._data = b.as_strided(arr, sizes, strides)
    else:
        root.__dict__.pop("_resized_from", None)
        xp = b.xp
        if fills_uninitialized_memory():  # deterministic algorithms: filled as PyTorch fills it
            flat = uninitialized(b, (n,), arr.dtype, input.dtype)
        else:
            flat = xp.zeros((n,), dtype=arr.dtype, **b._dev_kw())
        if avail:
            b.setitem(flat, slice(0, avail), b.as_strided(arr, (avail,), (1,)))
        elif arr.size:
            b.setitem(flat, slice(0, arr.size), xp.reshape(arr, (-1,)))
        input._data = b.as_strided(flat, sizes, strides)
    if not same:
        input._bump_version()
    return input


def resize_as_(input, the_template, *, memory_format=None):
    """Give ``input`` the shape of ``the_template`` in place (its dtype stays); see
    :func:`resize_`. Mirrors ``torch.Tensor.resize_as_``.

    Raises:
        TypeError: if ``the_template`` is not a tensor.
        RuntimeError: if ``input`` requires grad.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(2, 2).resize_as_(torch.ones(3, 1)).shape
        torch.Size([3, 1])
    """
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                        f"{type(the_template).__name__}")
    return resize_(input, tuple(the_template.shape), memory_format=memory_format)
