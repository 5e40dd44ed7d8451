"""``Rprop``: resilient backpropagation. Mirrors ``torch.optim.rprop`` (the single-tensor path,
``foreach=False``)."""
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
from .._ops import creation as _creation
from .._ops.unary_math import _sign_array

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    r"""Rprop (resilient backpropagation, Riedmiller & Braun 1993). Mirrors ``torch.optim.Rprop``.

    Only the signs of the gradients are used. Each element has its own step size ``s``
    (starting at ``lr``); with ``g`` the gradient (negated when ``maximize``) and ``g_prev``
    the one kept from the previous step::

        s <- clamp(s * etaplus, *step_sizes)         where g * g_prev > 0
        s <- clamp(s * etaminus, *step_sizes)        where g * g_prev < 0 (then g <- 0)
        theta <- theta - sign(g) * s
        g_prev <- g

    The state of each parameter is ``step`` (a float32 0-d tensor on the CPU), ``prev``
    (g_prev) and ``step_size`` (s).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: the initial step size (default: 1e-2); a float or a 1-element tensor.
        etas: (etaminus, etaplus), the factors that shrink and grow a step size
            (default: (0.5, 1.2)).
        step_sizes: (minimal, maximal) step size (default: (1e-6, 50)).
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.

    Raises:
        ValueError: a negative ``lr``, or not ``0 < etaminus < 1 < etaplus``.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.Rprop([w], lr=0.5)
        >>> for g in ([1.0, -1.0], [1.0, 1.0]):
        ...     w.grad = torch.tensor(g)
        ...     opt.step()
        >>> w
        Parameter containing:
        tensor([-0.1000, -1.5000], requires_grad=True)
        >>> opt.state[w]["step_size"]
        tensor([0.6000, 0.2500])
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _upgrade_old_state(self)

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"])
        state["prev"] = _zeros_like(p)
        lr = _to_scalar(group["lr"])  # a complex parameter: lr for both parts
        state["step_size"] = _creation.full_like(p._grad, complex(lr, lr) if p.is_complex() else lr)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(params, [p._grad for p in params], [s["prev"] for s in states],
                  [s["step_size"] for s in states], [s["step"] for s in states], step_size_min=step_size_min,
                  step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus, maximize=group["maximize"])


def rprop(params, grads, prevs, step_sizes, state_steps, *, maximize=False, step_size_min, step_size_max,
          etaminus, etaplus):
    """The Rprop update of each tensor of ``params`` in place. Mirrors ``torch.optim.rprop.rprop``."""

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g = param._data, grads[i]._data
        prev, step_size = prevs[i]._data, step_sizes[i]._data
        if maximize:
            g = -g
        state_steps[i]._data += 1
        x, g, prev, step_size = _real_views(param, x, g, prev, step_size)
        sign = _sign_array(xp, g * prev)  # (PyTorch's sign: 0 for nan, so an inf or nan gradient is no sign change)
        factor = xp.where(sign > 0, xp.full_like(sign, etaplus), sign)
        factor = xp.where(factor < 0, xp.full_like(sign, etaminus), factor)
        factor = xp.where(factor == 0, xp.ones_like(sign), factor)
        step_size *= factor
        step_size[...] = xp.clip(step_size, step_size_min, step_size_max)
        g = xp.where(factor == etaminus, xp.zeros_like(g), g)  # a sign change: no move this step
        x -= _sign_array(xp, g) * step_size
        prev[...] = g
        _bump(param, prevs[i], step_sizes[i], state_steps[i])

    _for_each_param(update, params)
