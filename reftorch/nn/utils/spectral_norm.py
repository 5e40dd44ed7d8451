"""``torch.nn.utils.spectral_norm`` / ``remove_spectral_norm``: the older, hook-based
spectral normalization (:func:`reftorch.nn.utils.parametrizations.spectral_norm` is the
parametrization version). Mirrors ``torch/nn/utils/spectral_norm.py``.

The weight parameter moves to ``<name>_orig``; the power-iteration vectors are the
buffers ``<name>_u`` and ``<name>_v``; a forward pre-hook sets the plain attribute
``<name> = W / sigma`` before every call (running ``n_power_iterations`` iterations first
in training mode).
"""
from __future__ import annotations

from ..._ops.linalg import dot, mv
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..parameter import Parameter

__all__ = ["SpectralNorm", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook", "spectral_norm",
           "remove_spectral_norm"]


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm`. Mirrors
    ``torch.nn.utils.spectral_norm.SpectralNorm``.

    Raises:
        ValueError: if ``n_power_iterations <= 0``.
    """

    _version = 1  # (1: u and v both stored; written into the state dict's metadata)

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        """The weight as a matrix: ``dim`` first, the other dimensions flattened."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.dim()) if d != self.dim])
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module, do_power_iteration):
        """``<name>_orig / sigma``, after updating ``<name>_u``/``<name>_v`` in place when
        ``do_power_iteration``."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v = F.normalize(mv(weight_mat.t(), u), dim=0, eps=self.eps, out=v)
                    u = F.normalize(mv(weight_mat, v), dim=0, eps=self.eps, out=u)
                u, v = u.clone(), v.clone()  # (later in-place updates leave this graph valid)
        sigma = dot(u, mv(weight_mat, v))
        return weight / sigma

    def remove(self, module):
        """Make ``module.<name>`` a plain parameter again (its current value)."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        """Set spectral normalization up on ``module.<name>``."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        with no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)  # (u, then v)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Checks a state dict's spectral-norm version before loading. A checkpoint written
    before version 1 (PyTorch 0.4: no ``<name>_v``) lacks ``<name>_v``, which PyTorch
    rebuilds with a pseudo-inverse; reftorch has no ``pinverse`` and raises
    ``NotImplementedError`` for such a checkpoint instead."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if version is None and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v")) \
                and weight_key not in state_dict:
            return  # (a state dict without metadata, but in the current format)
        has_missing_keys = False
        for suffix in ("_orig", "", "_u"):
            key = weight_key + suffix
            if key not in state_dict:
                has_missing_keys = True
                if strict:
                    missing_keys.append(key)
        if has_missing_keys:
            return
        raise NotImplementedError("reftorch cannot load a spectral_norm state dict from before version 1 "
                                  f"('{weight_key}' without '{weight_key}_v'): rebuilding it needs pinverse")


class SpectralNormStateDictHook:
    """Records ``{"<name>.version": 1}`` under ``"spectral_norm"`` in the state dict's
    metadata for this module."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata):
        if "spectral_norm" not in local_metadata:
            local_metadata["spectral_norm"] = {}
        key = self.fn.name + ".version"
        if key in local_metadata["spectral_norm"]:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        local_metadata["spectral_norm"][key] = self.fn._version


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalization with a forward pre-hook: before each call ``module.<name>``
    is set to ``W / sigma(W)``, ``sigma`` the largest singular value of ``W`` estimated by
    power iteration (``n_power_iterations`` steps per call in training mode, none in eval
    mode).

    The weight parameter becomes ``<name>_orig``; the vectors are the buffers
    ``<name>_u`` and ``<name>_v``, drawn from the seeded normal stream as PyTorch draws
    them (``u`` then ``v``) and normalized; unlike the parametrization version there are
    no initial iterations, so ``module.<name>`` is the raw weight until the first call.

    Args:
        module: the module holding the weight.
        name: the parameter's name (default ``"weight"``).
        n_power_iterations: iterations per call in training mode (default 1).
        eps: the smallest norm used when normalizing the vectors (default 1e-12).
        dim: the output dimension (default 0; 1 for ``ConvTranspose1d/2d/3d``).

    Returns:
        ``module``.

    Raises:
        RuntimeError: if ``name`` already has spectral normalization.
        ValueError: if ``n_power_iterations <= 0`` or the parameter is None.

    Mirrors ``torch.nn.utils.spectral_norm``.

    Examples:
        >>> import reftorch as torch
        >>> m = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 3))
        >>> list(m.state_dict())
        ['bias', 'weight_orig', 'weight_u', 'weight_v']
    """
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo :func:`spectral_norm`: ``module.<name>`` becomes one parameter again, holding
    ``W / sigma`` for the current vectors (no further iteration); the state-dict hook goes
    too. As in PyTorch, the load pre-hook stays (it is stored wrapped, so the search for
    it misses): ``load_state_dict`` on the module then still asks for ``<name>_orig`` and
    ``<name>_u``. Mirrors ``torch.nn.utils.remove_spectral_norm``.

    Returns:
        ``module``.

    Raises:
        ValueError: if ``name`` has no spectral normalization.
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for k, hook in module._state_dict_hooks.items():
        if isinstance(hook, SpectralNormStateDictHook) and hook.fn.name == name:
            del module._state_dict_hooks[k]
            break
    for k, hook in module._load_state_dict_pre_hooks.items():
        if isinstance(hook, SpectralNormLoadStateDictPreHook) and hook.fn.name == name:
            del module._load_state_dict_pre_hooks[k]
            break
    return module
