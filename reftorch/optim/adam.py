"""``Adam`` (and, with ``decoupled_weight_decay=True``, AdamW). Mirrors ``torch.optim.adam``
(the single-tensor path, ``foreach=False``)."""
from __future__ import annotations

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_adam_family,
    _check_fused_flags,
    _f32,
    _for_each_param,
    _real_views,
    _step_tensor,
    _step_wrapper,
    _to_scalar,
)
from .._ops import creation as _creation

__all__ = ["Adam", "adam"]


def _check_adam_args(lr, betas, eps, weight_decay, foreach, capturable):
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
    _check_adam_family(lr, betas, eps, weight_decay)
    if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
        raise ValueError("betas must be either both floats or both Tensors")  # noqa: TRY004 (PyTorch's type)
    for i in (0, 1):
        if isinstance(betas[i], Tensor):
            if not capturable and foreach:
                raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")
            if betas[i].numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
    return tuple(_to_scalar(b) for b in betas)


class Adam(Optimizer):
    r"""Adam. Mirrors ``torch.optim.Adam``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`::

        theta <- theta * (1 - lr * weight_decay)     (decoupled_weight_decay, AdamW)
        g <- g + weight_decay * theta                (otherwise, if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v)                       (amsgrad; then v_max replaces v below)
        theta <- theta - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The state of each parameter is ``step`` (a float32 0-d tensor), ``exp_avg`` (m),
    ``exp_avg_sq`` (v) and, with ``amsgrad``, ``max_exp_avg_sq``.

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-3).
        betas: the averaging coefficients (beta1, beta2) (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: weight decay (default: 0).
        amsgrad: use the AMSGrad variant (default: False).
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.
        fused: stored as given.
        decoupled_weight_decay: decay the weights directly, as AdamW (default: False).

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, a beta outside [0, 1),
            or betas mixing floats and tensors.
        RuntimeError: ``fused`` with ``foreach`` or ``differentiable``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        betas = _check_adam_args(lr, betas, eps, weight_decay, foreach, capturable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused_flags(defaults)

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"] or group["fused"], fused=group["fused"])
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            beta1, beta2 = group["betas"]
            adam(params, [p._grad for p in params], [s["exp_avg"] for s in states],
                 [s["exp_avg_sq"] for s in states],
                 [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else [],
                 [s["step"] for s in states], amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2,
                 lr=group["lr"], weight_decay=group["weight_decay"], eps=group["eps"],
                 maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"])


def _zeros_like(p):
    return _creation.zeros_like(p.detach())


def lerp_(xp, m, g, weight):
    """``m.lerp_(g, weight)`` in place on backend arrays, with PyTorch's two formulas
    (``m + w*(g-m)`` below 0.5, ``g - (g-m)*(1-w)`` above)."""
    d = g - m
    w = _f32(weight) if m.dtype == xp.float32 else weight
    if abs(w) < 0.5:
        d *= w
        m += d
    else:
        d *= 1 - w
        m[...] = g - d


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, decoupled_weight_decay=False):
    """The Adam update of each tensor of ``params`` in place. Mirrors ``torch.optim.adam.adam``."""
    lr, beta1, beta2 = _to_scalar(lr), _to_scalar(beta1), _to_scalar(beta2)

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g = param._data, grads[i]._data
        m, v = exp_avgs[i]._data, exp_avg_sqs[i]._data
        if maximize:
            g = -g
        step_t = state_steps[i]
        step_t._data += 1
        step = float(step_t._data)
        if weight_decay != 0:
            if decoupled_weight_decay:
                x *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * x
        x, g, m, v = _real_views(param, x, g, m, v)
        lerp_(xp, m, g, 1 - beta1)
        v *= beta2
        d = g * (1 - beta2)
        d *= g
        v += d
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        if amsgrad:
            vmax = max_exp_avg_sqs[i]
            (vmax_data,) = _real_views(param, vmax._data)
            vmax_data[...] = xp.maximum(vmax_data, v)
            _bump(vmax)
            v = vmax_data
        denom = xp.sqrt(v)
        denom /= bias_correction2 ** 0.5
        denom += eps
        d = m * -step_size
        d /= denom
        x += d
        _bump(param, exp_avgs[i], exp_avg_sqs[i], step_t)

    _for_each_param(update, params)
