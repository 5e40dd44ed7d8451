"""``torch.func.stack_module_state``: the parameters and buffers of copies of a model,
stacked for :func:`vmap` (model ensembling)."""
from __future__ import annotations

from .._ops.join import stack

__all__ = ["stack_module_state"]


def _stacked_leaf(tensors, name):
    requires_grad = [t.requires_grad for t in tensors]
    if any(requires_grad) and not all(requires_grad):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    return result.detach().requires_grad_() if all(requires_grad) else result


def stack_module_state(models):
    """Stack the parameters and buffers of ``M`` models of one class: returns two dicts
    ``{dotted name: tensor of shape (M, *shape)}``, for
    ``vmap(lambda p, b, x: functional_call(models[0], (p, b), (x,)), in_dims=(0, 0, None))``.
    Mirrors ``torch.func.stack_module_state``.

    The stacked parameters are new leaves, detached from the models' parameters (and
    requiring grad where those do), ready for an optimizer; buffers are stacked as they
    are.

    Args:
        models: a list (or ``nn.ModuleList``) of modules of the same class, all in
            training mode or all in eval mode.

    Returns:
        ``(params, buffers)``: two dicts keyed like ``named_parameters()`` /
        ``named_buffers()``.

    Raises:
        RuntimeError: no model; models of different classes or modes; a parameter that
            requires grad in some models only.

    Examples:
        >>> import reftorch as torch
        >>> models = [torch.nn.Linear(3, 2) for _ in range(4)]
        >>> params, buffers = torch.func.stack_module_state(models)
        >>> params["weight"].shape, params["weight"].requires_grad, params["weight"].is_leaf
        (torch.Size([4, 2, 3]), True, True)
    """
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked_leaf([p[k] for p in all_params], k) for k in all_params[0]}
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: _stacked_leaf([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers
