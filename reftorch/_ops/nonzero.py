"""``nonzero``/``argwhere``: where a tensor is not zero (``count_nonzero``, a reduction, is in
``reduction.py``)."""
from __future__ import annotations

from .. import _dtype as D
from .._layout import fix_empty_strides
from .._tensor import Tensor
from ._common import tensor_input, with_out
from ._numpy_names import NOT_GIVEN


@tensor_input
def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the nonzero elements.

    Args:
        input: the tensor (any dtype; a value counts when it is not zero/``False``).
        out: an int64 tensor to write the result into (keyword-only).
        as_tuple: return one index tensor per dimension (default ``False``).

    Returns:
        An int64 tensor of shape ``(n, input.dim())``, one row per nonzero element in
        row-major order; or, with ``as_tuple=True``, a tuple of ``input.dim()`` 1-D index
        tensors (a 0-dim input counts as 1-D), usable as ``input[...]`` indices.

    Mirrors ``torch.nonzero`` (not differentiable).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[0., 1.], [2., 0.]])
        >>> x.nonzero()
        tensor([[0, 1],
                [1, 0]])
        >>> torch.nonzero(x, as_tuple=True)
        (tensor([0, 1]), tensor([1, 0]))
    """
    if out is not None:
        return with_out("nonzero", out, nonzero, input)
    b = input._backend
    xp = b.xp
    a = input._data
    i64 = b.dtype(D.int64)
    truth = a != 0 if a.dtype != xp.bool else a
    if a.ndim == 0:
        hit = bool(truth)
        if as_tuple:
            idx = fix_empty_strides(b, xp.zeros((1 if hit else 0,), dtype=i64, **b._dev_kw()))
            return (Tensor._wrap(idx, input.device, b),)
        out = _column_major(b, xp.zeros((1 if hit else 0, 0), dtype=i64, **b._dev_kw()))
        return Tensor._wrap(out, input.device, b)
    coords = xp.nonzero(truth)
    coords = [fix_empty_strides(b, xp.astype(c, i64)) for c in coords]
    if as_tuple:
        return tuple(Tensor._wrap(c, input.device, b) for c in coords)
    out = xp.permute_dims(xp.stack(coords, axis=0), (1, 0))
    return Tensor._wrap(_column_major(b, out), input.device, b)


def _column_major(b, out):
    """PyTorch's ``nonzero`` result is column-major, strides ``(1, n)`` for shape ``(n, d)``,
    empty results included (``(0, 2)`` has ``(1, 0)``, ``(1, 0)`` has ``(1, 1)``); NumPy gives
    empty arrays zero strides."""
    want = (1, out.shape[0])
    if 0 in out.shape and b.strides(out) != want:
        return b.as_strided(out, out.shape, want)
    return out


@tensor_input
def argwhere(input):
    """``nonzero(input)``. Mirrors ``torch.argwhere``."""
    return nonzero(input)


def nonzero_static(input, *args, size=NOT_GIVEN, fill_value=-1):
    """:func:`nonzero` with a fixed number of rows: the first ``size`` rows of
    ``nonzero(input)``, padded with rows of ``fill_value`` when there are fewer nonzero
    elements. Mirrors ``torch.nonzero_static`` / ``Tensor.nonzero_static``.

    Args:
        input: the tensor (any dtype).
        size: the number of rows of the result (keyword-only, a non-negative int).
        fill_value: the value of the padding rows (default -1).

    Returns:
        An int64 tensor of shape ``(size, input.dim())``, row-major.

    Raises:
        TypeError: if ``size`` is given positionally or is not an int.
        RuntimeError: if ``size`` is negative.

    Examples:
        >>> import reftorch as torch
        >>> torch.nonzero_static(torch.tensor([0, 3, 0, 5]), size=3)
        tensor([[ 1],
                [ 3],
                [-1]])
    """
    if args:
        raise TypeError(f"nonzero_static() takes from 2 to 1 positional arguments but {1 + len(args)} were given")
    if size is NOT_GIVEN:
        raise TypeError('nonzero_static() missing 1 required positional arguments: "size"')
    for name, v in (("size", size), ("fill_value", fill_value)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"nonzero_static(): argument '{name}' must be int, not {type(v).__name__}")
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    b = input._backend
    xp = b.xp
    found = nonzero(input)._data
    n = min(size, found.shape[0])
    out = xp.full((size, found.shape[1]), fill_value, dtype=found.dtype, **b._dev_kw())
    if n:
        out[:n, ...] = found[:n, ...]
    return Tensor._wrap(fix_empty_strides(b, out), input.device, b)
