"""``Adagrad``. Mirrors ``torch.optim.adagrad`` (the single-tensor path, ``foreach=False``)."""
from __future__ import annotations

from .optimizer import (
    Optimizer,
    _bump,
    _check_fused_flags,
    _check_lr,
    _for_each_param,
    _real_views,
    _step_tensor,
    _step_wrapper,
    _to_scalar,
)
from .._ops import creation as _creation

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad. Mirrors ``torch.optim.Adagrad``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`::

        g <- g + weight_decay * theta                 (if weight_decay != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s <- s + g * g
        theta <- theta - clr * g / (sqrt(s) + eps)

    The state (``step`` and ``sum``, which starts at ``initial_accumulator_value``) is created
    in the constructor for every parameter, as in PyTorch.

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-2).
        lr_decay: learning rate decay (default: 0).
        weight_decay: L2 penalty (default: 0).
        initial_accumulator_value: starting value of ``sum`` (default: 0).
        eps: added to the denominator (default: 1e-10).
        foreach: stored as given.
        maximize: maximize the objective (default: False).
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.
        fused: stored as given.

    Raises:
        ValueError: a negative ``lr``, ``lr_decay``, ``weight_decay``,
            ``initial_accumulator_value`` or ``eps``.
        RuntimeError: ``fused`` with ``foreach`` or ``differentiable``.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused_flags(defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor(p, bool(group["fused"]), fused=group["fused"])
                state["sum"] = _creation.full_like(p.detach(), initial_accumulator_value)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params = [p for p in group["params"] if p._grad is not None]
            states = [self.state[p] for p in params]
            adagrad(params, [p._grad for p in params], [s["sum"] for s in states], [s["step"] for s in states],
                    lr=group["lr"], weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                    eps=group["eps"], maximize=group["maximize"])


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize):
    """The Adagrad update of each tensor of ``params`` in place. Mirrors ``torch.optim.adagrad.adagrad``."""
    lr = _to_scalar(lr)

    def update(i):
        param, grad, state_sum, step_t = params[i], grads[i], state_sums[i], state_steps[i]
        xp = param._backend.xp
        x, g, s = param._data, grad._data, state_sum._data
        step_t._data += 1
        step = float(step_t._data)
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * x
        x, g, s = _real_views(param, x, g, s)
        clr = lr / (1 + (step - 1) * lr_decay)
        s += g * g
        std = xp.sqrt(s)
        std += eps
        d = g * -clr
        d /= std
        x += d
        _bump(param, state_sum, step_t)

    _for_each_param(update, params)
