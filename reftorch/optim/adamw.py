"""``AdamW``: Adam with decoupled weight decay. Mirrors ``torch.optim.adamw``."""
from __future__ import annotations

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter). Mirrors ``torch.optim.AdamW``.

    Same update as :class:`Adam` with ``decoupled_weight_decay=True``: before the Adam step,
    ``theta <- theta * (1 - lr * weight_decay)``; the decay never enters ``m`` or ``v``.
    The default ``weight_decay`` is 0.01; the other arguments and the errors are
    :class:`Adam`'s.

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate (default: 1e-3).
        betas: the averaging coefficients (beta1, beta2) (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: decoupled weight decay coefficient (default: 1e-2).
        amsgrad: use the AMSGrad variant (default: False).
        maximize: maximize the objective (default: False).
        foreach: stored as given; reftorch always runs the single-tensor update.
        capturable: stored; on a CPU parameter ``step`` raises PyTorch's AssertionError.
        differentiable: stored; ``step`` then raises PyTorch's in-place-on-a-leaf error.
        fused: stored as given.

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, a beta outside [0, 1),
            or betas mixing floats and tensors.
        RuntimeError: ``fused`` with ``foreach`` or ``differentiable``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
