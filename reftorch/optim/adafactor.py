"""``Adafactor``: Adam-like steps with a factored second moment. Mirrors
``torch.optim._adafactor`` (the single-tensor path, ``foreach=False``), written with tensor
operations as PyTorch writes it."""
from __future__ import annotations

from .._ops import creation as _creation
from .._type_info import finfo
from .._tensor import Tensor
from .optimizer import Optimizer, _step_tensor, _step_wrapper, _to_scalar

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern 2018) as PyTorch implements it. Mirrors ``torch.optim.Adafactor``.

    For a parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at
    step :math:`t = 1, 2, \dots`::

        beta2_t' <- t ** beta2_decay                  (the weight of the new statistics)
        rho <- min(lr, 1 / sqrt(t))
        alpha <- max(eps2, RMS(theta)) * rho
        theta <- theta * (1 - lr * weight_decay)       (if weight_decay != 0)
        R <- lerp(R, mean of g**2 over the last dim, beta2_t')     (matrices: row and
        C <- lerp(C, mean of g**2 over the dim before, beta2_t')    column statistics)
        v <- R @ C / max(mean of R over rows, eps1)   (vectors: v <- lerp(v, g**2, beta2_t'))
        u <- g / sqrt(max(v, eps1**2))
        theta <- theta - alpha / max(1, RMS(u) / d) * u

    The state of a parameter is ``step`` (a float32 0-d tensor) and, for tensors of 2 or
    more dimensions, ``row_var`` and ``col_var`` (the factored statistics, of the shape of
    the gradient with its last or second-last dimension 1), otherwise ``variance``.

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate, an upper bound of the relative step (default: 1e-2).
        beta2_decay: the exponent of the second-moment weight, <= 0 (default: -0.8).
        eps: ``(eps1, eps2)``: added to the variance (default ``None``: the machine epsilon
            of the parameter's dtype) and the lower bound of the parameter's RMS (default
            ``(None, 1e-3)``).
        d: the clipping threshold of the update's RMS (default: 1.0).
        weight_decay: decoupled weight decay (default: 0.0).
        foreach: stored as given; reftorch always runs the single-tensor update.
        maximize: maximize the objective (default: False).

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, a positive
            ``beta2_decay``, ``d < 1``, or a tensor ``lr`` of several elements.
        RuntimeError: ``step`` on a complex parameter.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
        >>> opt = torch.optim.Adafactor([w], lr=0.1)
        >>> (w ** 2).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['col_var', 'row_var', 'step']
        >>> opt.state[w]["row_var"].shape
        torch.Size([2, 1])
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _step_tensor(p, value=float(p_state["step"]))

    def _init_state(self, p, state):
        """The state of parameter ``p`` at its first step."""
        state["step"] = _step_tensor(p)
        grad = p.grad
        if grad.dim() > 1:
            state["row_var"] = grad.new_zeros(list(grad.shape[:-1]) + [1])
            state["col_var"] = grad.new_zeros(list(grad.shape[:-2]) + [1, grad.shape[-1]])
        else:
            state["variance"] = _creation.zeros_like(grad)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params, states = [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                state = self.state[p]
                if len(state) == 0:
                    self._init_state(p, state)
                params.append(p)
                states.append(state)
            eps1, eps2 = group["eps"]
            adafactor(params, [p.grad for p in params], [s.get("row_var") for s in states],
                      [s.get("col_var") for s in states], [s.get("variance") for s in states],
                      [s["step"] for s in states], d=group["d"], lr=group["lr"],
                      beta2_decay=group["beta2_decay"], weight_decay=group["weight_decay"], eps1=eps1, eps2=eps2,
                      maximize=group["maximize"])


def adafactor(params, grads, row_vars, col_vars, variances, state_steps, *, d, lr, beta2_decay, weight_decay,
              eps1, eps2, maximize):
    """The Adafactor update of each tensor of ``params`` in place. Mirrors
    ``torch.optim._adafactor.adafactor``; like PyTorch's loop, an ``eps1`` of ``None``
    becomes the epsilon of the *first* parameter's dtype, kept for the others."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        step_t, row_var, col_var, variance = state_steps[i], row_vars[i], col_vars[i], variances[i]
        if eps1 is None:
            eps1 = finfo(param.dtype).eps
        step_t += 1
        step_float = step_t.item()
        one_minus_beta2_t = step_float ** beta2_decay
        rho_t = min(lr, 1 / (step_float ** 0.5))
        alpha = max(eps2, param.norm(2).item() / (param.numel() ** 0.5)) * rho_t
        if weight_decay != 0:
            param.mul_(1 - lr * weight_decay)
        if grad.dim() > 1:
            row_mean = grad.norm(dim=-1, keepdim=True).square_().div_(grad.size(-1))
            row_var.lerp_(row_mean, one_minus_beta2_t)
            col_mean = grad.norm(dim=-2, keepdim=True).square_().div_(grad.size(-2))
            col_var.lerp_(col_mean, one_minus_beta2_t)
            var_estimate = row_var @ col_var
            var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        else:
            variance.lerp_(grad * grad, one_minus_beta2_t)
            var_estimate = variance.clone()
        update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_()
        update.mul_(grad)
        denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
        param.add_(update, alpha=-alpha / denom)
