"""The multivariate normal distribution. Mirrors ``torch.distributions.MultivariateNormal``."""
from __future__ import annotations

import math

from .._size import Size
from .._ops.creation import eye
from .._ops.linalg import matmul
from .._ops.linalg_decomp import cholesky
from .._ops.linalg_products import solve_triangular
from .._ops.shape import broadcast_shapes
from . import constraints
from .distribution import Distribution
from .utils import _standard_normal, lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mv(bmat, bvec):
    """Matrix-vector products over broadcast batch dimensions."""
    return matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(bL, bx):
    """``x^T (L L^T)^-1 x`` for lower-triangular ``L`` (batch ``bL.shape[:-2]``, which
    broadcasts to ``bx``'s batch): one triangular solve per distinct ``L``, with the
    vectors that share it gathered as the columns of one right-hand side, as PyTorch
    arranges them."""
    n = bx.size(-1)
    bx_batch_shape = bx.shape[:-1]
    bL_batch_dims = bL.dim() - 2
    outer_batch_dims = len(bx_batch_shape) - bL_batch_dims
    old_batch_dims = outer_batch_dims + bL_batch_dims
    new_batch_dims = outer_batch_dims + 2 * bL_batch_dims
    bx_new_shape = bx.shape[:outer_batch_dims]
    for sL, sx in zip(bL.shape[:-2], bx.shape[outer_batch_dims:-1]):
        bx_new_shape += (sx // sL, sL)
    bx = bx.reshape(bx_new_shape + (n,))
    bx = bx.permute(list(range(outer_batch_dims)) + list(range(outer_batch_dims, new_batch_dims, 2))
                    + list(range(outer_batch_dims + 1, new_batch_dims, 2)) + [new_batch_dims])
    flat_L = bL.reshape(-1, n, n)
    flat_x_swap = bx.reshape(-1, flat_L.size(0), n).permute(1, 2, 0)
    M = solve_triangular(flat_L, flat_x_swap, upper=False).pow(2).sum(-2).t()
    permute_inv_dims = list(range(outer_batch_dims))
    for i in range(bL_batch_dims):
        permute_inv_dims += [outer_batch_dims + i, old_batch_dims + i]
    return M.reshape(bx.shape[:-1]).permute(permute_inv_dims).reshape(bx_batch_shape)


def _precision_to_scale_tril(P):
    """The lower Cholesky factor of ``P^-1``, from a Cholesky factorisation of ``P`` with
    rows and columns reversed (no explicit inverse of ``P``)."""
    Lf = cholesky(P.flip((-2, -1)))
    L_inv = Lf.flip((-2, -1)).transpose(-2, -1)
    return solve_triangular(L_inv, eye(P.shape[-1], dtype=P.dtype, device=P.device), upper=False)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution with mean vector ``loc``, given by exactly one
    of a covariance matrix, a precision matrix or the lower Cholesky factor ``scale_tril``
    of the covariance (``Sigma = L L^T``). Everything is computed from ``L``
    (``torch.linalg.cholesky`` of the covariance; for a precision matrix, the factor of
    its inverse found without inverting it).

    ``batch_shape`` is the broadcast of ``loc.shape[:-1]`` and the matrix's batch
    dimensions; ``event_shape`` is ``loc.shape[-1:]``. ``rsample`` draws standard normals
    (``empty(shape).normal_()``, as PyTorch) and returns ``loc + L @ eps``.

    Args:
        loc (Tensor): the mean, at least one-dimensional.
        covariance_matrix (Tensor, optional): symmetric positive-definite ``(..., n, n)``.
        precision_matrix (Tensor, optional): symmetric positive-definite ``(..., n, n)``.
        scale_tril (Tensor, optional): lower-triangular with a positive diagonal.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``loc`` is a scalar, if not exactly one matrix is given, if the
            matrix is not at least two-dimensional, or (when validating) if it breaks its
            constraint.

    Mirrors ``torch.distributions.MultivariateNormal``. ``precision_matrix`` computed from
    another parameter is ``L^-T L^-1`` from triangular solves (PyTorch calls
    ``cholesky_inverse``): the same values, another ``grad_fn`` inside.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import MultivariateNormal
        >>> m = MultivariateNormal(torch.zeros(2), torch.tensor([[2.0, 1.0], [1.0, 2.0]]))
        >>> m.log_prob(torch.tensor([1.0, -1.0]))
        tensor(-3.3872)
        >>> m.scale_tril
        tensor([[1.4142, 0.0000],
                [0.7071, 1.2247]])
        >>> _ = torch.manual_seed(0)
        >>> m.sample()
        tensor([2.1793, 0.7303])
    """

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        name, matrix = next((n, m) for n, m in (("scale_tril", scale_tril), ("covariance_matrix", covariance_matrix),
                                                ("precision_matrix", precision_matrix)) if m is not None)
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        cov_shape = batch_shape + self.event_shape + self.event_shape
        new.loc = self.loc.expand(batch_shape + self.event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        return self._batch_shape + self._event_shape + self._event_shape

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return matmul(L, L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        L_inv = solve_triangular(L, eye(L.shape[-1], dtype=L.dtype, device=L.device), upper=False)
        return matmul(L_inv.mT, L_inv).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - self._half_log_det()

    def entropy(self):
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)
