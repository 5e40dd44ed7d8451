"""``torch.nn.utils.parametrizations``: weight normalization and spectral normalization
written as parametrizations (see :mod:`reftorch.nn.utils.parametrize`). Mirrors
``torch/nn/utils/parametrizations.py``.

``orthogonal`` is not provided: its maps need ``torch.linalg.householder_product``,
``torch.geqrf`` and ``torch.matrix_exp``, which reftorch does not have.
"""
from __future__ import annotations

from ..._ops.linalg import dot, mv
from ..._ops.weight_norm import _weight_norm, norm_except_dim
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize

__all__ = ["spectral_norm", "weight_norm"]


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
