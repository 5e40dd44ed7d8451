"""``reftorch.linalg``: linear algebra functions. Mirrors ``torch.linalg``."""
from __future__ import annotations

from .._ops.differences import linalg_cross as cross
from .._ops.linalg import matmul
from .._ops.linalg_decomp import cholesky, cholesky_ex, eigh, eigvalsh, qr, svd
from .._ops.linalg_products import lstsq, matrix_power, matrix_rank, multi_dot, pinv, solve_triangular, vecdot
from .._ops.householder import householder_product
from .._ops.linalg_lu import lu, lu_factor, lu_factor_ex, lu_solve
from .._ops.linalg_composites import cond, diagonal, tensorinv, tensorsolve, vander
from .._ops.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .._ops.linalg_eig import eig, eigvals
from .._ops.matrix_exp import matrix_exp
from .._ops.linalg_solve import LinAlgError, det, inv, inv_ex, slogdet, solve, solve_ex
from .._ops.norm import matrix_norm, norm, svdvals, vector_norm

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "householder_product", "inv",
           "inv_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot",
           "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot",
           "vector_norm"]
