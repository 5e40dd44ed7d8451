"""``RAdam``: Adam with a rectified adaptive learning rate. Mirrors ``torch.optim.radam``
(the single-tensor path, ``foreach=False``)."""
from __future__ import annotations

from .adam import _zeros_like, lerp_
from .optimizer import (
    Optimizer,
    _bump,
    _check_adam_family,
    _for_each_param,
    _real_views,
    _step_tensor,
    _step_wrapper,
    _to_scalar,
    _upgrade_old_state,
)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    r"""RAdam (rectified Adam, Liu et al. 2019). Mirrors ``torch.optim.RAdam``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`::

        theta <- theta * (1 - lr * weight_decay)     (decoupled_weight_decay)
        g <- g + weight_decay * theta                (otherwise, if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
        theta <- theta - lr * m / (1 - beta1**t) * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r
                                                     (if rho_t > 5)
        theta <- theta - lr * m / (1 - beta1**t)     (otherwise: the first steps, SGD with momentum)

    The state of each parameter is ``step`` (a float32 0-d tensor on the CPU), ``exp_avg``
    (m) and ``exp_avg_sq`` (v).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-3); a float or a 1-element tensor.
        betas: the averaging coefficients (beta1, beta2) (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: weight decay (default: 0).
        decoupled_weight_decay: decay the weights directly, as AdamW (default: False).
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, or a beta outside [0, 1).

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.RAdam([w], lr=0.1)
        >>> w.grad = torch.tensor([1.0, -1.0])
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_family(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _upgrade_old_state(self, {"foreach": None, "maximize": False, "differentiable": False,
                                  "decoupled_weight_decay": False, "capturable": False})

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"])
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            beta1, beta2 = group["betas"]
            radam(params, [p._grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["step"] for s in states], beta1=beta1, beta2=beta2,
                  lr=group["lr"], weight_decay=group["weight_decay"], eps=group["eps"],
                  maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"])


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, decoupled_weight_decay=False, maximize=False,
          beta1, beta2, lr, weight_decay, eps):
    """The RAdam update of each tensor of ``params`` in place. Mirrors ``torch.optim.radam.radam``."""
    lr = _to_scalar(lr)

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g = param._data, grads[i]._data
        m, v = exp_avgs[i]._data, exp_avg_sqs[i]._data
        if maximize:
            g = -g
        x, g, m, v = _real_views(param, x, g, m, v)
        step_t = state_steps[i]
        step_t._data += 1
        step = float(step_t._data)
        if weight_decay != 0:
            if decoupled_weight_decay:
                x *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * x
        lerp_(xp, m, g, 1 - beta1)
        v *= beta2
        d = g * (1 - beta2)
        d *= g
        v += d
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        d = m / bias_correction1
        d *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = xp.sqrt(v)
            adaptive += eps
            adaptive = 1 / adaptive  # PyTorch's ``scalar / tensor``: a reciprocal, then a product
            adaptive *= bias_correction2 ** 0.5
            d *= adaptive
            d *= rect
        x -= d
        _bump(param, exp_avgs[i], exp_avg_sqs[i], step_t)

    _for_each_param(update, params)
