"""``SGD``: stochastic gradient descent with optional momentum, dampening, Nesterov momentum
and weight decay. Mirrors ``torch.optim.sgd`` (the single-tensor path, ``foreach=False``)."""
from __future__ import annotations

from .optimizer import (
    Optimizer,
    _bump,
    _check_fused_flags,
    _check_lr,
    _for_each_param,
    _step_wrapper,
    _to_scalar,
)
from .._tensor import Tensor
from ._pointwise import add_, added

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    r"""Stochastic gradient descent. Mirrors ``torch.optim.SGD``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g <- g + weight_decay * theta                  (if weight_decay != 0)
        b <- g                                         (first step)
        b <- momentum * b + (1 - dampening) * g        (later steps, if momentum != 0)
        g <- g + momentum * b  if nesterov else  b     (if momentum != 0)
        theta <- theta - lr * g

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-3); a float or a 1-element tensor.
        momentum: momentum factor (default: 0).
        dampening: dampening for momentum (default: 0).
        weight_decay: L2 penalty (default: 0).
        nesterov: use Nesterov momentum (default: False).
        maximize: maximize the objective instead of minimizing (default: False).
        foreach: stored as given; reftorch always runs the single-tensor update.
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.
        fused: stored as given (PyTorch's CPU fused kernel gives the same update).

    Raises:
        ValueError: ``lr``, ``momentum`` or ``weight_decay`` is negative, or ``nesterov``
            without positive momentum and zero dampening.
        RuntimeError: ``fused`` with ``foreach`` or ``differentiable``.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.SGD([w], lr=0.5)
        >>> w.grad = torch.tensor([1.0, 1.0])
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([ 0.5000, -2.5000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused_flags(defaults)

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params = [p for p in group["params"] if p._grad is not None]
            momentum = group["momentum"]
            buffers = [self.state[p].get("momentum_buffer") for p in params] if momentum != 0 else []
            sgd(params, [p._grad for p in params], buffers, weight_decay=group["weight_decay"],
                momentum=momentum, lr=group["lr"], dampening=group["dampening"], nesterov=group["nesterov"],
                maximize=group["maximize"])
            if momentum != 0:
                for p, buf in zip(params, buffers):
                    self.state[p]["momentum_buffer"] = buf


def sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening, nesterov, maximize):
    """The SGD update of each tensor of ``params`` in place (``momentum_buffer_list`` entries
    that are ``None`` are replaced by new buffers). Mirrors ``torch.optim.sgd.sgd``."""
    lr = _to_scalar(lr)
    weight_decay = _to_scalar(weight_decay)

    def update(i):
        param = params[i]
        x = param._data
        xp = param._backend.xp
        g = grads[i]._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = added(param._backend, g, x, weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = Tensor._wrap(xp.asarray(g, copy=True), param.device, param._backend)
                momentum_buffer_list[i] = buf
            else:
                b = buf._data
                b *= momentum
                add_(param._backend, b, g, 1 - dampening)
                _bump(buf)
            g = added(param._backend, g, buf._data, momentum) if nesterov else buf._data
        add_(param._backend, x, g, -lr)
        _bump(param)

    _for_each_param(update, params)
