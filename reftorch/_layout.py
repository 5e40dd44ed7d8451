"""Memory-layout rules shared by the backends and the ops (no dependency on ``Tensor``)."""
from __future__ import annotations


def contiguous_strides(shape):
    """PyTorch's row-major strides for ``shape``, in elements: each stride is the product of
    the sizes after it, with empty dims counted as size 1 (``(0, 3)`` -> ``(3, 1)``)."""
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))
