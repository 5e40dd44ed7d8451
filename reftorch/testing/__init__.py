"""``torch.testing``: :func:`assert_close` (compare results with PyTorch's tolerances and
messages) and :func:`make_tensor` (random test inputs). Mirrors ``torch.testing``."""
from __future__ import annotations

from ._comparison import assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
