"""``torch.return_types``: the named tuples ops such as ``max(dim)``, ``sort`` and ``topk``
return (``values``, ``indices``), printed as PyTorch prints them."""
from __future__ import annotations

from ._ops.reduction import _return_type
from ._ops.reduction import max_rt as max
from ._ops.reduction import min_rt as min

sort = _return_type("sort")
topk = _return_type("topk")
sort_out = _return_type("sort_out")
topk_out = _return_type("topk_out")

from ._ops.order_stats import kthvalue_rt as kthvalue  # noqa: E402
from ._ops.order_stats import median_rt as median, mode_rt as mode, nanmedian_rt as nanmedian  # noqa: E402
from ._ops.cumulative import cummax_rt as cummax, cummin_rt as cummin  # noqa: E402
from ._ops.linalg_solve import linalg_inv_ex_rt as linalg_inv_ex, linalg_slogdet_rt as linalg_slogdet  # noqa: E402
from ._ops.linalg_solve import linalg_solve_ex_rt as linalg_solve_ex, slogdet_rt as slogdet  # noqa: E402
from ._ops.linalg_decomp import linalg_cholesky_ex_rt as linalg_cholesky_ex, linalg_eigh_rt as linalg_eigh  # noqa: E402
from ._ops.linalg_decomp import linalg_qr_rt as linalg_qr, linalg_svd_rt as linalg_svd, svd_rt as svd  # noqa: E402
from ._ops.linalg_decomp import qr_rt as qr  # noqa: E402
from ._ops.linalg_eig import linalg_eig_rt as linalg_eig  # noqa: E402
from ._ops.linalg_products import linalg_lstsq_rt as linalg_lstsq  # noqa: E402
from ._ops.float_math import _FrexpResult as frexp  # noqa: E402
from ._ops.aminmax import aminmax_rt as aminmax, aminmax_out_rt as aminmax_out  # noqa: E402
from ._ops.order_stats import nanmedian_out_rt as nanmedian_out  # noqa: E402
from ._ops.histogram import histogram_rt as histogram, histogram_out_rt as histogram_out  # noqa: E402
from ._ops.histogram import histogramdd_rt as histogramdd  # noqa: E402

__all__ = ["max", "min", "sort", "topk", "sort_out", "topk_out", "median", "nanmedian", "kthvalue", "mode",
           "cummax", "cummin", "aminmax", "histogram", "histogram_out", "histogramdd", "aminmax_out", "nanmedian_out", "linalg_inv_ex",
           "linalg_slogdet", "linalg_solve_ex", "slogdet", "linalg_cholesky_ex", "linalg_eigh", "linalg_qr",
           "linalg_svd", "svd", "linalg_lstsq", "frexp", "qr", "linalg_eig"]
