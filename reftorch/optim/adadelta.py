"""``Adadelta``. Mirrors ``torch.optim.adadelta`` (the single-tensor path, ``foreach=False``)."""
from __future__ import annotations

from .adam import _zeros_like
from .optimizer import (
    Optimizer,
    _bump,
    _check_lr,
    _for_each_param,
    _real_views,
    _step_tensor,
    _step_wrapper,
    _to_scalar,
    _upgrade_old_state,
)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012). Mirrors ``torch.optim.Adadelta``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g <- g + weight_decay * theta                (if weight_decay != 0)
        v <- rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho * u + (1 - rho) * delta * delta
        theta <- theta - lr * delta

    The state of each parameter is ``step`` (a float32 0-d tensor on the CPU),
    ``square_avg`` (v) and ``acc_delta`` (u).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: scales the update ``delta`` (default: 1.0); a float or a 1-element tensor.
        rho: averaging coefficient of ``v`` and ``u``, in [0, 1] (default: 0.9).
        eps: added inside both square roots (default: 1e-6).
        weight_decay: L2 penalty (default: 0).
        foreach: stored as given; reftorch always runs the single-tensor update.
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        maximize: maximize the objective (default: False).
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, or ``rho`` outside [0, 1].

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.Adadelta([w])
        >>> w.grad = torch.tensor([1.0, -1.0])
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([ 0.9968, -1.9968], requires_grad=True)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _upgrade_old_state(self)

    _capturable_devices = "['cuda', 'xpu', 'hpu', 'privateuseone']"

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"])
        state["square_avg"] = _zeros_like(p)
        state["acc_delta"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            adadelta(params, [p._grad for p in params], [s["square_avg"] for s in states],
                     [s["acc_delta"] for s in states], [s["step"] for s in states], lr=group["lr"],
                     rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                     maximize=group["maximize"])


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, maximize=False, lr, rho, eps,
             weight_decay):
    """The Adadelta update of each tensor of ``params`` in place. Mirrors ``torch.optim.adadelta.adadelta``."""
    lr = _to_scalar(lr)

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g = param._data, grads[i]._data
        v, u = square_avgs[i]._data, acc_deltas[i]._data
        state_steps[i]._data += 1
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * x
        x, g, v, u = _real_views(param, x, g, v, u)
        v *= rho
        d = g * (1 - rho)
        d *= g
        v += d
        std = v + eps
        std = xp.sqrt(std)
        delta = u + eps
        delta = xp.sqrt(delta)
        delta /= std
        delta *= g
        u *= rho
        d = delta * (1 - rho)
        d *= delta
        u += d
        x -= lr * delta
        _bump(param, square_avgs[i], acc_deltas[i], state_steps[i])

    _for_each_param(update, params)
