"""``NAdam``: Adam with Nesterov momentum. Mirrors ``torch.optim.nadam`` (the single-tensor
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

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    r"""NAdam (Adam with Nesterov momentum, Dozat 2016). Mirrors ``torch.optim.NAdam``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`::

        theta <- theta * (1 - lr * weight_decay)     (decoupled_weight_decay, "NAdamW")
        g <- g + weight_decay * theta                (otherwise, if weight_decay != 0)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        P <- P * mu_t                                (the product mu_1 ... mu_t)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        theta <- theta - lr * (1 - mu_t) / (1 - P) * g / d
                       - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / d

    The state of each parameter is ``step`` and ``mu_product`` (P; float32 0-d tensors on the
    CPU, starting at 0 and 1), ``exp_avg`` (m) and ``exp_avg_sq`` (v).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 2e-3); a float or a 1-element tensor.
        betas: the averaging coefficients (beta1, beta2) (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: weight decay (default: 0).
        momentum_decay: the momentum decay psi of the schedule mu_t (default: 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW (default: False).
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.

    Raises:
        ValueError: a negative ``lr``, ``eps``, ``weight_decay`` or ``momentum_decay``, or a
            beta outside [0, 1).

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.NAdam([w], lr=0.1)
        >>> w.grad = torch.tensor([1.0, -1.0])
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([ 0.8944, -1.8944], requires_grad=True)
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'mu_product', 'step']
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_family(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _upgrade_old_state(self, {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                                  "decoupled_weight_decay": False}, ("step", "mu_product"))

    _capturable_what = "params, mu_products and state_steps"

    def _init_state(self, p, group, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p, group["capturable"])
        state["mu_product"] = _step_tensor(p, group["capturable"], 1.0)
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = self._params_with_grad(group)
            beta1, beta2 = group["betas"]
            nadam(params, [p._grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["mu_product"] for s in states],
                  [s["step"] for s in states], beta1=beta1, beta2=beta2, lr=group["lr"],
                  weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"], eps=group["eps"],
                  maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"])


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, decoupled_weight_decay=False,
          maximize=False, beta1, beta2, lr, weight_decay, momentum_decay, eps):
    """The NAdam update of each tensor of ``params`` in place. Mirrors ``torch.optim.nadam.nadam``."""
    lr = _to_scalar(lr)

    def update(i):
        param = params[i]
        xp = param._backend.xp
        x, g = param._data, grads[i]._data
        m, v = exp_avgs[i]._data, exp_avg_sqs[i]._data
        if maximize:
            g = -g
        x, g, m, v = _real_views(param, x, g, m, v)
        step_t, mu_product = state_steps[i], mu_products[i]
        step_t._data += 1
        step = float(step_t._data)
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if decoupled_weight_decay:
                x *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * x
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product._data *= mu  # in the product's float32, as PyTorch
        product = float(mu_product._data)
        lerp_(xp, m, g, 1 - beta1)
        v *= beta2
        d = g * (1 - beta2)
        d *= g
        v += d
        denom = v / bias_correction2
        denom = xp.sqrt(denom)
        denom += eps
        d = g * (-lr * (1.0 - mu) / (1.0 - product))
        d /= denom
        x += d
        d = m * ((-lr * mu_next) / (1.0 - product * mu_next))
        d /= denom
        x += d
        _bump(param, exp_avgs[i], exp_avg_sqs[i], step_t, mu_product)

    _for_each_param(update, params)
