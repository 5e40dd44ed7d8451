"""``torch.nn.utils.parametrizations``: orthogonal weights, weight normalization and spectral
normalization written as parametrizations (see :mod:`reftorch.nn.utils.parametrize`).
Mirrors ``torch/nn/utils/parametrizations.py``.
"""
from __future__ import annotations

import enum

from ..._ops.creation import eye, zeros_like
from ..._ops.householder import householder_product
from ..._ops.join import cat
from ..._ops.linalg import dot, mv
from ..._ops.linalg_decomp import qr
from ..._ops.linalg_solve import solve
from ..._ops.matrix_exp import torch_matrix_exp
from ..._ops.reduction import allclose
from ..._ops.sampling import randn
from ..._type_info import finfo
from ..._ops.weight_norm import _weight_norm, norm_except_dim
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# ----------------------------------------------------------------------------- orthogonal
def _is_orthogonal(Q):
    """``Q^H Q == I`` up to ``10 n eps`` (PyTorch's test)."""
    n, k = Q.size(-2), Q.size(-1)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return allclose(Q.mH @ Q, eye(k, dtype=Q.dtype, device=Q.device), atol=eps)


def _make_orthogonal(A):
    """The ``Q`` of ``A = QR`` (``A`` tall) with a real non-negative diagonal of ``R``:
    unique, so the QR decomposition's own signs do not matter."""
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _geqrf(Q):
    """LAPACK's ``geqrf`` for real tall matrices: the reflectors below the diagonal, ``R``
    on and above it, and ``tau`` (``beta = -sign(alpha) * norm``; ``tau = 0`` where the
    column below the diagonal is already zero)."""
    A = Q.clone()
    k = A.size(-1)
    taus = []
    for j in range(k):
        alpha, below = A[..., j, j], A[..., j + 1:, j]
        xnorm = below.norm(dim=-1)
        zero = xnorm == 0
        beta = -alpha.sign().where(alpha != 0, alpha.new_ones(())) * (alpha * alpha + xnorm * xnorm).sqrt()
        beta = beta.where(~zero, alpha)
        tau = ((beta - alpha) / beta).where(~zero, alpha.new_zeros(()))
        v = below / (alpha - beta).where(~zero, alpha.new_ones(())).unsqueeze(-1)
        v = v.where(~zero.unsqueeze(-1), below)
        A[..., j + 1:, j] = v
        A[..., j, j] = beta
        if j + 1 < k:  # apply H = I - tau v v^T to the remaining columns
            full = cat([v.new_ones(v.shape[:-1] + (1,)), v], dim=-1).unsqueeze(-1)
            rest = A[..., j:, j + 1:]
            A[..., j:, j + 1:] = rest - tau[..., None, None] * full @ (full.mT @ rest)
        taus.append(tau)
    return A, (A.new_zeros(A.shape[:-2] + (0,)) if not taus else cat([t.unsqueeze(-1) for t in taus], -1))


class _OrthMaps(enum.Enum):
    matrix_exp = enum.auto()
    cayley = enum.auto()
    householder = enum.auto()


class _Orthogonal(Module):
    """An orthogonal (unitary) matrix from an unconstrained one: ``exp`` or the Cayley map
    of a skew-symmetric matrix, or a product of Householder reflections; with
    ``use_trivialization`` multiplied by a stored orthogonal ``base``."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:  # embed into a square matrix
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH  # skew-symmetric (skew-Hermitian)
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = torch_matrix_exp(A)
            else:  # the Cayley map (I + A/2)(I - A/2)^{-1}
                Id = eye(n, dtype=A.dtype, device=A.device)
                Q = solve(Id.add(A, alpha=-0.5), Id.add(A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)  # the signs on X's diagonal
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    @no_grad()
    def right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError("It is not possible to assign to the matrix exponential "
                                          "or the Cayley parametrizations when use_trivialization=False.")
            A, tau = _geqrf(Q)
            diag = A.diagonal(dim1=-2, dim2=-1)
            diag.copy_(diag.sign().where(tau != 0.0, -diag.sign()))
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            N = randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(cat([Q, N], dim=-1))
        self.base = Q
        neg_Id = zeros_like(Q_init)
        neg_Id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_Id


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Make ``module.<name>`` orthogonal (unitary for complex weights): ``Q^H Q = I`` for a
    tall ``(*, m, n)`` weight, ``Q Q^H = I`` for a wide one.

    The weight is computed from an unconstrained original,
    ``module.parametrizations.<name>.original``, by ``orthogonal_map``:

    * ``"matrix_exp"``: the matrix exponential of a skew-symmetric matrix made from the
      original's lower triangle;
    * ``"cayley"``: the Cayley map ``(I + A/2)(I - A/2)^{-1}`` of that matrix;
    * ``"householder"``: a product of Householder reflections (real weights only).

    The default is ``"matrix_exp"`` for square or complex weights, ``"householder"``
    otherwise. With ``use_trivialization=True`` (default) the result is multiplied by an
    orthogonal ``base`` stored in ``module.parametrizations.<name>[0].base``, and the
    original starts at ``-I`` so that the initial weight is the module's weight if it is
    orthogonal, else the ``Q`` of its QR decomposition (completed with ``randn`` columns for
    a non-square weight, drawn as PyTorch draws them). Mirrors
    ``torch.nn.utils.parametrizations.orthogonal``.

    Args:
        module: the module holding the tensor.
        name: the tensor's name (default ``"weight"``).
        orthogonal_map: ``"matrix_exp"``, ``"cayley"``, ``"householder"`` or ``None``.
        use_trivialization: keep the orthogonal ``base`` (default ``True``).

    Returns:
        The module, parametrized.

    Raises:
        ValueError: if the module has no such tensor, it has fewer than 2 dimensions, the
            map is unknown, or ``"householder"`` is asked for a complex weight.
        NotImplementedError: when assigning to a ``"matrix_exp"``/``"cayley"`` weight with
            ``use_trivialization=False``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch import nn
        >>> layer = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3))
        >>> W = layer.weight
        >>> torch.allclose(W.T @ W, torch.eye(3), atol=1e-5)
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """``weight = g * v / ||v||``, the norm over every dimension but ``dim`` (all of them
    for ``dim=None``); ``right_inverse`` splits a weight into ``(g, v)``."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Weight normalization: ``module.<name>`` becomes ``g * v / ||v||``, its magnitude
    ``g`` and direction ``v`` two separate parameters,
    ``module.parametrizations.<name>.original0`` (``g``, the norms, size 1 except along
    ``dim``) and ``original1`` (``v``, the weight's shape). Both start so that the weight
    is unchanged.

    Args:
        module: the module holding the weight.
        name: the parameter's name (default ``"weight"``).
        dim: the dimension that keeps its own norm (default 0: one norm per output row
            or channel); ``None`` for one norm over the whole tensor.

    Returns:
        ``module``, now a ``Parametrized<Class>``.

    Mirrors ``torch.nn.utils.parametrizations.weight_norm`` (PyTorch also accepts old
    ``weight_g``/``weight_v`` checkpoint keys in ``load_state_dict``; so does reftorch).

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.parametrizations import weight_norm
        >>> m = weight_norm(torch.nn.Linear(3, 2))
        >>> [(k, tuple(v.shape)) for k, v in m.state_dict().items()]
        [('bias', (2,)), ('parametrizations.weight.original0', (2, 1)), ('parametrizations.weight.original1', (2, 3))]
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0, original1 = state_dict.pop(g_key), state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


def _vdot(a, b):
    """``torch.vdot``: the dot product with ``a`` conjugated."""
    return dot(a.conj() if a.is_complex() else a, b)


class _SpectralNorm(Module):
    """``weight / sigma``, ``sigma`` the largest singular value of the weight seen as a
    matrix (``dim`` first, the rest flattened), estimated by power iteration with the
    vectors kept in the buffers ``_u`` and ``_v``; a 1-D weight is just divided by its
    norm."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] "
                             f"but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)  # (u first, then v: PyTorch's random stream)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)  # start from good estimates

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        """Update ``_u`` and ``_v`` in place (no graph): ``u = normalize(W v)``,
        ``v = normalize(W^H u)``, ``n_power_iterations`` times."""
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(mv(weight_mat.H, self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()  # (later in-place updates leave this graph valid)
        sigma = _vdot(u, mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalization: ``module.<name>`` becomes ``W / sigma(W)``, ``sigma`` the
    largest singular value of ``W`` (reshaped to a matrix with ``dim`` first), estimated
    by power iteration. The vectors live in the buffers
    ``module.parametrizations.<name>[0]._u`` and ``._v``: they start from seeded normal
    samples (``u`` then ``v``, as PyTorch draws them) refined by 15 iterations, and each
    read of the weight in training mode runs ``n_power_iterations`` more; in eval mode
    they are left alone. A 1-D weight is divided by its 2-norm instead.

    Args:
        module: the module holding the weight.
        name: the parameter's name (default ``"weight"``).
        n_power_iterations: iterations per read in training mode (default 1).
        eps: the smallest norm used when normalizing the vectors (default 1e-12).
        dim: the output dimension (default 0; 1 for ``ConvTranspose1d/2d/3d``).

    Returns:
        ``module``, now a ``Parametrized<Class>``.

    Raises:
        ValueError: if there is no tensor ``name`` or ``n_power_iterations <= 0``.
        IndexError: for a ``dim`` out of range.

    Mirrors ``torch.nn.utils.parametrizations.spectral_norm``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.parametrizations import spectral_norm
        >>> _ = torch.manual_seed(0)
        >>> m = spectral_norm(torch.nn.Linear(4, 3))
        >>> list(m.state_dict())
        ['bias', 'parametrizations.weight.original', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v']
        >>> torch.linalg.matrix_norm(m.weight, 2) > 0.99
        tensor(True)
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
