"""The LKJ distribution over Cholesky factors of correlation matrices. Mirrors
``torch.distributions.LKJCholesky``."""
from __future__ import annotations

import math

from .._size import Size
from .._ops.creation import arange
from .._ops.join import cat
from .._ops.sampling import randn
from .._ops.special_math import mvlgamma
from .._type_info import finfo
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """The LKJ distribution of the lower Cholesky factor ``L`` of a ``dim x dim``
    correlation matrix ``L L^T``, with density proportional to
    ``det(L L^T) ** (concentration - 1)``. Samples are drawn by the onion method as in
    PyTorch (``Beta`` draws, then ``torch.randn`` directions), so they equal PyTorch's after
    ``torch.manual_seed``; there is no ``rsample``.

    Args:
        dim (int): the size of the matrices (>= 2).
        concentration (float or Tensor): the shape ``eta`` (> 0; 1 is uniform over
            correlation matrices; default 1.0).
        validate_args (bool, optional): check the arguments (default: on).

    Raises:
        ValueError: if ``dim < 2``, or (when validating) ``concentration`` is not positive
            or a value given to ``log_prob`` is not a correlation Cholesky factor.

    Mirrors ``torch.distributions.LKJCholesky``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import LKJCholesky
        >>> m = LKJCholesky(2, torch.tensor([0.5, 2.0]))
        >>> m.log_prob(torch.tensor([[1.0, 0.0], [0.6, 0.8]]))
        tensor([-0.9216, -0.7340])
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = self.concentration.size()
        event_shape = Size((dim, dim))
        # the Beta draws of the onion method (Lewandowski, Kurowicka and Joe 2009, 3.2), one per row
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = arange(self.dim - 1, dtype=self.concentration.dtype, device=self.concentration.device)
        offset = cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(batch_shape, event_shape, validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=Size()):
        # the onion method, vectorised over rows; sampling L directly only needs w
        y = self._beta.sample(sample_shape).unsqueeze(-1)
        u_normal = randn(self._extended_shape(sample_shape), dtype=y.dtype, device=y.device).tril(-1)
        u_hypersphere = u_normal / u_normal.norm(dim=-1, keepdim=True)
        u_hypersphere[..., 0, :].fill_(0.0)  # the first row is 0 / 0
        w = y.sqrt() * u_hypersphere
        diag_elems = (1 - (w ** 2).sum(dim=-1)).clamp(min=finfo(w.dtype).tiny).sqrt()
        w += diag_elems.diag_embed()
        return w

    def log_prob(self, value):
        # density of L: prod_i L_ii ** (2 (concentration - 1) + D - i), i = 2 .. D
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = (order * diag_elems.log()).sum(dim=-1)
        # the normalising constant (Lewandowski et al. 2009, p. 1999)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = alpha.lgamma() * dm1
        numerator = mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        return unnormalized_log_pdf - (pi_constant + numerator - denominator)
