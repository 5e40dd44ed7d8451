"""``reftorch.linalg``: linear algebra functions. Mirrors ``torch.linalg``."""
from __future__ import annotations

from .._ops.linalg import matmul
from .._ops.norm import matrix_norm, norm, svdvals, vector_norm

__all__ = ["matmul", "matrix_norm", "norm", "svdvals", "vector_norm"]
