"""``RMSprop``. Mirrors ``torch.optim.rmsprop`` (the single-tensor path, ``foreach=False``)."""
from __future__ import annotations

from .adam import _zeros_like, lerp_
from .optimizer import (
    Optimizer,
    _bump,
    _check_lr,
    _for_each_param,
    _real_views,
    _step_tensor,
    _step_wrapper,
    _to_scalar,
)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    r"""RMSprop. Mirrors ``torch.optim.RMSprop``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g <- g + weight_decay * theta              (if weight_decay != 0)
        v <- alpha * v + (1 - alpha) * g * g
        a <- alpha * a + (1 - alpha) * g           (centered)
        s <- sqrt(v - a * a) if centered else sqrt(v)
        b <- momentum * b + g / (s + eps)          (momentum > 0; then theta <- theta - lr * b)
        theta <- theta - lr * g / (s + eps)        (momentum == 0)

    State: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, if momentum > 0) and
    ``grad_avg`` (a, if centered).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-2).
        alpha: smoothing constant (default: 0.99).
        eps: added to the denominator (default: 1e-8).
        weight_decay: L2 penalty (default: 0).
        momentum: momentum factor (default: 0).
        centered: normalize by an estimate of the gradient's variance (default: False).
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        foreach: stored as given.
        maximize: maximize the objective (default: False).
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.

    Raises:
        ValueError: a negative ``lr``, ``eps``, ``momentum``, ``weight_decay`` or ``alpha``.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"])
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            rmsprop(params, [p._grad for p in params], [s["square_avg"] for s in states],
                    [s["grad_avg"] for s in states] if group["centered"] else [],
                    [s["momentum_buffer"] for s in states] if group["momentum"] > 0 else [],
                    [s["step"] for s in states], lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=group["momentum"],
                    centered=group["centered"], maximize=group["maximize"])


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha, eps,
            weight_decay, momentum, centered, maximize):
    """The RMSprop update of each tensor of ``params`` in place. Mirrors ``torch.optim.rmsprop.rmsprop``."""
    lr = _to_scalar(lr)

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g, v = param._data, grads[i]._data, square_avgs[i]._data
        if maximize:
            g = -g
        state_steps[i]._data += 1
        if weight_decay != 0:
            g = g + weight_decay * x
        x, g, v = _real_views(param, x, g, v)
        v *= alpha
        d = g * (1 - alpha)
        d *= g
        v += d
        if centered:
            (a,) = _real_views(param, grad_avgs[i]._data)
            lerp_(xp, a, g, 1 - alpha)
            avg = a * a
            avg = v - avg
            avg = xp.sqrt(avg)
            _bump(grad_avgs[i])
        else:
            avg = xp.sqrt(v)
        avg += eps
        if momentum > 0:
            (b,) = _real_views(param, momentum_buffer_list[i]._data)
            b *= momentum
            b += g / avg
            x -= lr * b
            _bump(momentum_buffer_list[i])
        else:
            d = g * -lr
            d /= avg
            x += d
        _bump(param, square_avgs[i], state_steps[i])

    _for_each_param(update, params)
