"""``reftorch.linalg``: linear algebra functions. Mirrors ``torch.linalg``."""
from __future__ import annotations

from .._ops.differences import linalg_cross as cross
from .._ops.linalg import matmul
from .._ops.norm import matrix_norm, norm, svdvals, vector_norm

__all__ = ["cross", "matmul", "matrix_norm", "norm", "svdvals", "vector_norm"]
