"""``SparseAdam``: Adam for sparse gradients. Mirrors ``torch.optim.sparse_adam``.

reftorch has no sparse tensors: every gradient is dense, so :meth:`SparseAdam.step` raises
PyTorch's error for a dense gradient as soon as a parameter has one. The constructor, its
checks, the defaults, the repr and the state_dict are PyTorch's.
"""
from __future__ import annotations

from .._tensor import Tensor
from .optimizer import Optimizer, _step_wrapper

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Adam that updates only the entries present in sparse gradients (as produced by
    ``nn.Embedding(sparse=True)``). Mirrors ``torch.optim.SparseAdam``.

    reftorch has no sparse layout, so its gradients are always dense and :meth:`step`
    raises PyTorch's RuntimeError for the first parameter that has a gradient ("SparseAdam
    does not support dense gradients, please consider Adam instead"); use :class:`~reftorch.optim.Adam`. A step without gradients does nothing.

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts.
        lr: learning rate, > 0 (default: 1e-3).
        betas: the averaging coefficients (beta1, beta2) (default: (0.9, 0.999)).
        eps: added to the denominator, > 0 (default: 1e-8).
        maximize: maximize the objective (default: False).

    Raises:
        ValueError: ``lr`` or ``eps`` not positive, a beta outside [0, 1), a tensor ``lr``
            of several elements, or complex parameters.
        RuntimeError: ``step`` with a (dense) gradient.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.zeros(3, requires_grad=True)
        >>> opt = torch.optim.SparseAdam([w])
        >>> w.sum().backward()
        >>> opt.step()
        Traceback (most recent call last):
        ...
        RuntimeError: SparseAdam does not support dense gradients, please consider Adam instead
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize})
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    @_step_wrapper
    def step(self):
        """Perform one optimization step: raises for any (dense) gradient, as PyTorch does."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
