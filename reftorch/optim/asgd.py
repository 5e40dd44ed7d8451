"""``ASGD``: averaged stochastic gradient descent. Mirrors ``torch.optim.asgd`` (the
single-tensor path, ``foreach=False``)."""
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

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky 1992). Mirrors ``torch.optim.ASGD``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`, with :math:`\eta` and :math:`\mu` starting at ``lr`` and 1::

        g <- g + weight_decay * theta                (if weight_decay != 0)
        theta <- theta * (1 - lambd * eta)
        theta <- theta - eta * g
        ax <- ax + mu * (theta - ax)                 (ax <- theta while mu == 1)
        eta <- lr / (1 + lambd * lr * t) ** alpha
        mu <- 1 / max(1, t - t0)

    ``ax``, the running average of the parameter (from step ``t0`` on), is the result of
    the method: copy it into the model for evaluation. The state of each parameter is
    ``step``, ``eta`` and ``mu`` (float32 0-d tensors on the parameter's device) and ``ax``.

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-2); a float or a 1-element tensor.
        lambd: decay term (default: 1e-4).
        alpha: power of the eta update (default: 0.75).
        t0: the step from which averaging starts (default: 1e6).
        weight_decay: L2 penalty (default: 0).
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.

    Raises:
        ValueError: a negative ``lr`` or ``weight_decay``.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.ASGD([w], lr=0.5, lambd=0.0, t0=0)
        >>> for _ in range(3):
        ...     w.grad = torch.tensor([1.0, -1.0])
        ...     opt.step()
        >>> w
        Parameter containing:
        tensor([-0.5000, -0.5000], requires_grad=True)
        >>> opt.state[w]["ax"]
        tensor([-0.2500, -0.7500])
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _upgrade_old_state(self, scalars=("step", "eta", "mu"), on_device=True)

    _capturable_what = "params, mus, etas, and state_steps"

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step (all on the parameter's device, as in PyTorch)."""
        state["step"] = _step_tensor(p, True)
        state["eta"] = _step_tensor(p, True, _to_scalar(group["lr"]))
        state["mu"] = _step_tensor(p, True, 1.0)
        state["ax"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            asgd(params, [p._grad for p in params], [s["ax"] for s in states], [s["mu"] for s in states],
                 [s["eta"] for s in states], [s["step"] for s in states], lambd=group["lambd"], lr=group["lr"],
                 t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                 maximize=group["maximize"])


def asgd(params, grads, axs, mus, etas, state_steps, *, maximize=False, lambd, lr, t0, alpha, weight_decay):
    """The ASGD update of each tensor of ``params`` in place. Mirrors ``torch.optim.asgd.asgd``."""
    lr = _to_scalar(lr)

    def update(i):
        param = params[i]
        x, g, ax = param._data, grads[i]._data, axs[i]._data
        mu, eta, step_t = mus[i], etas[i], state_steps[i]
        if maximize:
            g = -g
        x, g, ax = _real_views(param, x, g, ax)
        step_t._data += 1
        if weight_decay != 0:
            g = g + weight_decay * x
        eta_value = float(eta._data)
        x *= 1 - lambd * eta_value
        x -= eta_value * g
        mu_value = float(mu._data)
        if mu_value != 1:
            d = x - ax
            d *= param._backend.xp.astype(mu._data, d.dtype)  # PyTorch multiplies by the float32 0-d tensor
            ax += d
        else:
            ax[...] = x
        step = float(step_t._data)
        eta._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu._data[...] = 1 / max(1, step - t0)
        _bump(param, axs[i], mu, eta, step_t)

    _for_each_param(update, params)
