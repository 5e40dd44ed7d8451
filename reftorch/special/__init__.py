"""``torch.special``: special functions, most of them also in the ``torch`` namespace.

The names PyTorch gives two homes are the same functions here (``special.gammaln`` is
``torch.lgamma``, ``special.psi`` and ``special.digamma`` are ``torch.digamma``,
``special.multigammaln`` is ``torch.mvlgamma``, ``special.expit`` is ``torch.sigmoid``…),
with PyTorch's ``grad_fn`` names (``LgammaBackward0``…). The functions only this namespace
has (``i0e``, ``i1``, ``i1e``, ``ndtri``, ``log_ndtr``, ``xlog1py``, ``entr``) live with
the others in ``reftorch/_ops/special_math.py``; ``ndtr`` and ``round`` are written here
from ``torch`` ops, as PyTorch writes them.
"""
from __future__ import annotations

import math

from .._ops.pointwise import sigmoid as expit
from .._ops.softmax import softmax, log_softmax
from .._ops.special_math import digamma, erfinv, i0, lgamma as gammaln, mvlgamma as multigammaln, polygamma, sinc
from .._ops.special_math import special_entr as entr, special_i0e as i0e, special_i1 as i1, special_i1e as i1e
from .._ops.special_math import special_log_ndtr as log_ndtr, special_ndtri as ndtri, special_xlog1py as xlog1py
from .._ops.special_math import xlogy
from .._ops.special_math import special_spherical_bessel_j0 as spherical_bessel_j0, special_zeta as zeta
from .._ops.special_math import special_airy_ai as airy_ai, special_erfcx as erfcx
from .._ops.incomplete_gamma import special_gammainc as gammainc, special_gammaincc as gammaincc
from .._ops.special_math import special_bessel_j0 as bessel_j0, special_bessel_j1 as bessel_j1
from .._ops.special_math import special_bessel_y0 as bessel_y0, special_bessel_y1 as bessel_y1
from .._ops.special_math import special_modified_bessel_i0 as modified_bessel_i0
from .._ops.special_math import special_modified_bessel_i1 as modified_bessel_i1
from .._ops.special_math import special_modified_bessel_k0 as modified_bessel_k0
from .._ops.special_math import special_modified_bessel_k1 as modified_bessel_k1
from .._ops.special_math import special_scaled_modified_bessel_k0 as scaled_modified_bessel_k0
from .._ops.special_math import special_scaled_modified_bessel_k1 as scaled_modified_bessel_k1
from .._ops.orthogonal_polynomials import (chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v,
                                           chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he,
                                           laguerre_polynomial_l, legendre_polynomial_p, shifted_chebyshev_polynomial_t,
                                           shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
                                           shifted_chebyshev_polynomial_w)
from .._ops.statistics import logsumexp
from .._ops.unary_math import erf, erfc, exp2, expm1, log1p, logit
from .._ops.unary_math import round as _round
from .._ops._common import tensor_input, with_out
from .._ops.pointwise import add
from .._ops.unary_math import _AngleScale

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t", "chebyshev_polynomial_u",
    "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
    "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi",
    "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py", "xlogy", "zeta",
]

psi = digamma


class _TimesSqrtHalf(_AngleScale):
    """``x * M_SQRT1_2``, PyTorch's product with a C++ scalar (``MulBackward1``, also at
    second order)."""

    name, factor = "MulBackward1", math.sqrt(0.5)


class _TimesHalf(_AngleScale):
    name, factor = "MulBackward1", 0.5


@tensor_input(name="special_ndtr")
def ndtr(input, *, out=None):
    """The standard normal cumulative distribution function, ``(1 + erf(x / sqrt(2))) / 2``,
    element-wise. Mirrors ``torch.special.ndtr``.

    Built from ``torch`` ops as PyTorch builds it, so the ``grad_fn`` is ``MulBackward1``
    and the upper tail rounds to 1 (use :func:`log_ndtr` for the tails). Integer inputs
    give the default float dtype.

    Raises:
        NotImplementedError: for complex tensors (from ``erf``).

    Examples:
        >>> import reftorch as torch
        >>> torch.special.ndtr(torch.tensor([-1.0, 0.0, 1.96]))
        tensor([0.1587, 0.5000, 0.9750])
    """
    if out is not None:
        return with_out("special_ndtr", out, ndtr, input)
    # PyTorch: (1 + erf(self * M_SQRT1_2)) * 0.5, the products with a C++ scalar (MulBackward1)
    return _TimesHalf.apply(add(erf(_TimesSqrtHalf.apply(input)), 1))


@tensor_input(name="special_round")
def round(input, *, decimals=0, out=None):
    """:func:`reftorch.round` with ``decimals`` always given (``RoundBackward1``; integer
    tensors are refused, as by ``torch.round(x, decimals=0)``). Mirrors ``torch.special.round``.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.round(torch.tensor([1.25, 2.5]), decimals=1)
        tensor([1.2000, 2.5000])
    """
    return _round(input, decimals=decimals, out=out)
