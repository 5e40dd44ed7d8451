"""``torch.Size``: the shape of a tensor, a tuple of ints that prints like PyTorch's."""
from __future__ import annotations

import math
from operator import index as _index

__all__ = ["Size"]


class Size(tuple):
    """The shape of a tensor: a tuple of non-negative ints.

    Mirrors ``torch.Size``. It is a plain tuple subclass, so it is indexed with
    square brackets (``x.shape[1]``), never called (``x.shape(1)`` raises
    ``TypeError: 'torch.Size' object is not callable``).

    Examples:
        >>> import reftorch as torch
        >>> s = torch.Size([2, 3])
        >>> s
        torch.Size([2, 3])
        >>> s[1], s.numel()
        (3, 6)
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        try:
            return tuple.__new__(cls, map(_index, sizes))  # (ints, NumPy ints, one-element int tensors)
        except TypeError:
            if not hasattr(sizes, "__iter__"):
                raise
            for i, s in enumerate(sizes):
                if not hasattr(s, "__index__") or getattr(s, "is_floating_point", lambda: False)():
                    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(s).__name__}')") from None
            raise

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        # a slice of a Size: its items are ints already (no int() of each)
        return tuple.__new__(Size, out) if key.__class__ is slice else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds (1 for ``torch.Size([])``)."""
        return math.prod(self)

    def __reduce__(self):
        return (Size, (tuple(self),))


# PyTorch's class is the C type ``torch.Size``; give ours the same name so that
# ``x.shape(1)`` fails with "TypeError: 'torch.Size' object is not callable".
Size.__name__ = "torch.Size"
Size.__qualname__ = "Size"
Size.__module__ = "torch"
