"""``Adamax``: Adam with the infinity norm. Mirrors ``torch.optim.adamax`` (the single-tensor
path, ``foreach=False``)."""
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

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    r"""Adamax (Adam based on the infinity norm, Kingma & Ba 2015). Mirrors ``torch.optim.Adamax``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`::

        g <- g + weight_decay * theta                (if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        theta <- theta - lr / (1 - beta1**t) * m / u

    The state of each parameter is ``step`` (a float32 0-d tensor on the CPU), ``exp_avg``
    (m) and ``exp_inf`` (u).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 2e-3); a float or a 1-element tensor.
        betas: the averaging coefficients (beta1, beta2) (default: (0.9, 0.999)).
        eps: added to ``|g|`` (default: 1e-8).
        weight_decay: L2 penalty (default: 0).
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, or a beta outside [0, 1).

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.Adamax([w], lr=0.1)
        >>> w.grad = torch.tensor([1.0, -4.0])
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([ 0.9000, -1.9000], requires_grad=True)
        >>> opt.state[w]["exp_inf"]
        tensor([1., 4.])
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_adam_family(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _upgrade_old_state(self)

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"])
        state["exp_avg"] = _zeros_like(p)
        state["exp_inf"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            beta1, beta2 = group["betas"]
            adamax(params, [p._grad for p in params], [s["exp_avg"] for s in states],
                   [s["exp_inf"] for s in states], [s["step"] for s in states], eps=group["eps"], beta1=beta1,
                   beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"], maximize=group["maximize"])


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, maximize=False, eps, beta1, beta2, lr,
           weight_decay):
    """The Adamax update of each tensor of ``params`` in place. Mirrors ``torch.optim.adamax.adamax``."""
    lr = _to_scalar(lr)

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g = param._data, grads[i]._data
        m, u = exp_avgs[i]._data, exp_infs[i]._data
        if maximize:
            g = -g
        step_t = state_steps[i]
        step_t._data += 1
        if weight_decay != 0:
            g = g + weight_decay * x
        x, g, m, u = _real_views(param, x, g, m, u)
        lerp_(xp, m, g, 1 - beta1)
        u *= beta2
        norm = xp.abs(g)
        norm += eps
        u[...] = xp.maximum(u, norm)
        clr = lr / (1 - beta1 ** float(step_t._data))
        d = m * -clr
        d /= u
        x += d
        _bump(param, exp_avgs[i], exp_infs[i], step_t)

    _for_each_param(update, params)
