"""The Wishart distribution. Mirrors ``torch.distributions.Wishart``."""
from __future__ import annotations

import math
import numbers
import warnings

from .._size import Size
from .._type_info import finfo
from .._ops.creation import arange, eye, tensor
from .._ops.einsum import einsum
from .._ops.linalg_decomp import cholesky
from .._ops.linalg_solve import slogdet, solve
from .._ops.sampling import randn
from .._ops.shape import broadcast_shapes
from .._ops.special_math import digamma, mvlgamma
from .._ops.tri_indices import tril_indices
from . import constraints
from .chi2 import Chi2
from .exp_family import ExponentialFamily
from .multivariate_normal import _precision_to_scale_tril
from .utils import lazy_property

__all__ = ["Wishart"]

_log_2 = math.log(2)


def _mvdigamma(x, p):
    """The multivariate digamma function ``sum_i digamma(x - i / 2)``, ``i < p``."""
    if not x.gt((p - 1) / 2).all():
        raise AssertionError("Wrong domain for multivariate digamma function.")
    halves = arange(p, dtype=x.dtype, device=x.device).div(2).expand(x.shape + (-1,))
    return digamma(x.unsqueeze(-1) - halves).sum(-1)


def _clamp_above_eps(x):
    return x.clamp(min=finfo(x.dtype).eps)


def _cholesky_solve(B, L):
    """``(L L^T)^-1 B``, what ``torch.cholesky_solve(B, L)`` computes for lower-triangular
    ``L``: solved with ``L L^T`` itself, so that, as in PyTorch's backward, every entry of
    ``L`` (the upper triangle too) receives the gradient of ``solve(L L^T, B)``."""
    return solve(L @ L.mT, B)


class Wishart(ExponentialFamily):
    """The Wishart distribution over ``p x p`` symmetric positive-definite matrices with
    ``df`` degrees of freedom and scale matrix ``V``, given by exactly one of its
    covariance matrix, precision matrix (``V^-1``) or lower Cholesky factor
    ``scale_tril``: the distribution of ``sum_k x_k x_k^T`` for ``df`` draws
    ``x_k ~ N(0, V)``.

    ``rsample`` uses the Bartlett decomposition as PyTorch does (chi-squared draws for the
    diagonal, standard normals below it, ``(L A)(L A)^T``) and then PyTorch's correction
    loop: since PyTorch's check flags the *valid* samples as singular, it warns "Singular
    sample detected." and draws a second batch, which replaces the first. This class
    copies that (the same warning and the same numbers after ``manual_seed``).

    Args:
        df (float or Tensor): the degrees of freedom (> p - 1), broadcast with the
            matrix's batch dimensions.
        covariance_matrix (Tensor, optional): symmetric positive-definite ``(..., p, p)``.
        precision_matrix (Tensor, optional): symmetric positive-definite ``(..., p, p)``.
        scale_tril (Tensor, optional): lower-triangular with a positive diagonal.
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        AssertionError: if not exactly one matrix is given (as PyTorch).
        ValueError: if the matrix is not at least two-dimensional, if ``df <= p - 1``, or
            (when validating) an argument or value breaks its constraint.

    Warns:
        UserWarning: for ``p - 1 < df < p`` (singular samples are likely), and from
            ``rsample``/``sample`` (see above).

    Mirrors ``torch.distributions.Wishart``. ``precision_matrix`` and ``log_prob`` call
    ``torch.linalg.solve`` with ``L L^T`` where PyTorch calls ``torch.cholesky_solve``
    (the same values to rounding, the same gradients; other nodes inside the graph).

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Wishart
        >>> m = Wishart(torch.tensor(4.0), covariance_matrix=torch.tensor([[2.0, 0.5], [0.5, 1.0]]))
        >>> m.mean
        tensor([[8., 2.],
                [2., 4.]])
        >>> m.log_prob(torch.tensor([[7.0, 1.0], [1.0, 3.0]]))
        tensor(-6.2741)
        >>> m.entropy()
        tensor(7.1408)
    """

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        param = next(p for p in (covariance_matrix, precision_matrix, scale_tril) if p is not None)
        if param.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading batch dimensions")
        if isinstance(df, numbers.Number):
            batch_shape = Size(param.shape[:-2])
            self.df = tensor(df, dtype=param.dtype, device=param.device)
        else:
            batch_shape = broadcast_shapes(param.shape[:-2], df.shape)
            self.df = df.expand(batch_shape)
        event_shape = param.shape[-2:]
        if self.df.le(event_shape[-1] - 1).any():
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {event_shape[-1] - 1}.")
        name = ("scale_tril" if scale_tril is not None else
                "covariance_matrix" if covariance_matrix is not None else "precision_matrix")
        setattr(self, name, param.expand(batch_shape + (-1, -1)))
        if self.df.lt(event_shape[-1]).any():
            warnings.warn("Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df "
                          "< ndim.", stacklevel=2)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)
        self._dist_chi2 = self._bartlett_chi2(self.df, batch_shape)

    def _bartlett_chi2(self, df, batch_shape):
        """``Chi2(df - i)``, ``i < p``: the squared diagonal of the Bartlett factor."""
        L = self._unbroadcasted_scale_tril
        offsets = arange(self._event_shape[-1], dtype=L.dtype, device=L.device).expand(batch_shape + (-1,))
        return Chi2(df=df.unsqueeze(-1) - offsets)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = Size(batch_shape)
        cov_shape = batch_shape + self.event_shape
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new.df = self.df.expand(batch_shape)
        new._batch_dims = [-(x + 1) for x in range(len(batch_shape))]
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        ExponentialFamily.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._dist_chi2 = new._bartlett_chi2(new.df, batch_shape)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.transpose(-2, -1)).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        identity = eye(self._event_shape[-1], device=L.device, dtype=L.dtype)
        return _cholesky_solve(identity, L).expand(self._batch_shape + self._event_shape)

    @property
    def mean(self):
        return self.df.view(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor[factor <= 0] = float("nan")
        return factor.view(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        V = self.covariance_matrix
        diag_V = V.diagonal(dim1=-2, dim2=-1)
        return self.df.view(self._batch_shape + (1, 1)) * (V.pow(2) + einsum("...i,...j->...ij", diag_V, diag_V))

    def _bartlett_sampling(self, sample_shape=Size()):
        p = self._event_shape[-1]
        noise = _clamp_above_eps(self._dist_chi2.rsample(sample_shape).sqrt()).diag_embed(dim1=-2, dim2=-1)
        i, j = tril_indices(p, p, offset=-1)
        noise[..., i, j] = randn(Size(sample_shape) + self._batch_shape + (p * (p - 1) // 2,), dtype=noise.dtype,
                                 device=noise.device)
        chol = self._unbroadcasted_scale_tril @ noise
        return chol @ chol.transpose(-2, -1)

    def _per_sample(self, flags):
        """Reduce a flag per matrix to one per sample over the batch dimensions (PyTorch's
        ``amax``; ``any`` is the same for bools, and the array API's ``max`` takes no
        bools)."""
        return flags.any(self._batch_dims) if self._batch_shape else flags

    def rsample(self, sample_shape=Size(), max_try_correction=None):
        """A Bartlett-decomposition sample followed by PyTorch's correction loop (up to
        ``max_try_correction`` rounds, default 10), with its "Singular sample detected."
        warning."""
        if max_try_correction is None:
            max_try_correction = 10
        sample_shape = Size(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        # PyTorch's name, but support.check is True for the *valid* samples
        is_singular = self._per_sample(self.support.check(sample))
        if is_singular.any():
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(max_try_correction):
                sample_new = self._bartlett_sampling(is_singular[is_singular].shape)
                sample[is_singular] = sample_new
                is_singular_new = self._per_sample(~self.support.check(sample_new))
                is_singular[is_singular.clone()] = is_singular_new
                if not is_singular.any():
                    break
        return sample

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        return (-nu * (p * _log_2 / 2 + L.diagonal(dim1=-2, dim2=-1).log().sum(-1))
                - mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * slogdet(value).logabsdet
                - _cholesky_solve(value, L).diagonal(dim1=-2, dim2=-1).sum(dim=-1) / 2)

    def entropy(self):
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        return ((p + 1) * (p * _log_2 / 2 + L.diagonal(dim1=-2, dim2=-1).log().sum(-1))
                + mvlgamma(nu / 2, p=p) - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    @property
    def _natural_params(self):
        nu = self.df
        p = self._event_shape[-1]
        return -self.precision_matrix / 2, (nu - p - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-slogdet(-2 * x).logabsdet + _log_2 * p)
                + mvlgamma(y + (p + 1) / 2, p=p))
