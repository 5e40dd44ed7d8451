"""``isin``: whether each element of a tensor occurs among test elements.

Both sides are cast to their ``result_type`` (a Python number does not promote within its
category, and wraps as a cast does: ``isin(uint8, 300)`` looks for 44, as in PyTorch).
The test elements are sorted once (NaN last) and every element is binary-searched among
them (``bucketization._search``), so memory stays linear; NaN is never found.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ._common import with_out
from .bucketization import _search
from .creation import tensor as _tensor

_NUMBERS = (bool, int, float, complex)
_WIDE = {bool: D.bool, int: D.int64, float: D.float64, complex: D.complex128}


def _invalid(elements, test_elements):
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in (elements, test_elements))
    return TypeError(
        f"isin() received an invalid combination of arguments - got ({got}), but expected one of:\n"
        " * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = False, "
        "Tensor out = None)\n"
        " * (Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = False, "
        "Tensor out = None)\n"
        " * (Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = False, "
        "Tensor out = None)\n")


def _as_array(x, common, like):
    """``x`` (a tensor, or a Python number made on ``like``'s device) as an array of ``common``."""
    if not isinstance(x, Tensor):
        x = _tensor(x, dtype=_WIDE[type(x)], device=like.device)  # then cast: wraps like PyTorch
    elif x.device != like.device:
        x = x.to(like.device)
    b = x._backend
    return x._data if x._data.dtype == b.dtype(common) else b.xp.astype(x._data, b.dtype(common))


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """Whether each element of ``elements`` is among ``test_elements``.

    Mirrors ``torch.isin``: both are compared in their promoted dtype (a Python number does
    not promote within its category: ``isin(x_uint8, 300)`` compares with ``300`` cast to
    uint8). NaN is never found, and ``-0.0`` equals ``0.0``. Not differentiable.

    Args:
        elements: a tensor, or a Python number (then the result is 0-dim).
        test_elements: the values to look for: a tensor of any shape, or a Python number.
        assume_unique: accepted for compatibility (a speed hint in PyTorch; default
            ``False``).
        invert: return the opposite: ``True`` where the element is *not* found (default
            ``False``).
        out: a bool tensor to write the result into (keyword-only).

    Returns:
        A bool tensor of ``elements``' shape.

    Raises:
        RuntimeError: for bool or complex inputs ("Unsupported input type encountered for
            isin(): Bool").
        TypeError: if neither argument is a tensor, or an argument is neither a tensor nor
            a number.

    Examples:
        >>> import reftorch as torch
        >>> torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 3, 7]))
        tensor([[False,  True],
                [ True, False]])
        >>> torch.isin(torch.tensor([1, 2, 3]), 2, invert=True)
        tensor([ True, False,  True])
    """
    kinds = [isinstance(a, Tensor) or (type(a) in _NUMBERS) for a in (elements, test_elements)]
    if not all(kinds) or not (isinstance(elements, Tensor) or isinstance(test_elements, Tensor)):
        raise _invalid(elements, test_elements)
    if out is not None:
        return with_out("isin", out, isin, elements, test_elements, assume_unique=assume_unique, invert=invert)
    for a in (elements, test_elements):
        d = a.dtype if isinstance(a, Tensor) else _WIDE[type(a)]
        if d is D.bool or d.is_complex:
            raise RuntimeError(f"Unsupported input type encountered for isin(): {D.scalar_name(d)}")
    like = elements if isinstance(elements, Tensor) else test_elements
    common = D.result_type(elements, test_elements)
    e = _as_array(elements, common, like)
    t = _as_array(test_elements, common, like)
    b = like._backend
    xp = b.xp
    flat = xp.reshape(e, (1, -1))
    test = xp.reshape(xp.sort(xp.reshape(t, (-1,))), (1, -1))
    m = test.shape[1]
    if m == 0:
        found = xp.zeros(flat.shape, dtype=xp.bool, **b._dev_kw())
    else:
        at = _search(b, test, flat, False, None, nan_last=True)
        found = (at < m) & (xp.take_along_axis(test, xp.clip(at, 0, m - 1), axis=1) == flat)
    if invert:
        found = ~found
    return Tensor._wrap(xp.reshape(found, e.shape), like.device, b)
