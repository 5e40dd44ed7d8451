"""``reftorch.linalg``: linear algebra functions. Mirrors ``torch.linalg``."""
from __future__ import annotations

from .._ops.differences import linalg_cross as cross
from .._ops.linalg import matmul
from .._ops.linalg_solve import LinAlgError, det, inv, inv_ex, slogdet, solve, solve_ex
from .._ops.norm import matrix_norm, norm, svdvals, vector_norm

__all__ = ["LinAlgError", "cross", "det", "inv", "inv_ex", "matmul", "matrix_norm", "norm", "slogdet", "solve",
           "solve_ex", "svdvals", "vector_norm"]
