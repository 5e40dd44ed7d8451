"""``F.gumbel_softmax``: samples from the Gumbel-softmax (Concrete) distribution, drawn as
PyTorch draws them (``-log`` of ``exponential_`` samples), so seeded results are equal."""
from __future__ import annotations

import warnings

from .._ops import creation as _creation


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """A differentiable sample of a categorical distribution given by unnormalized
    log-probabilities ``logits``.

    ``softmax((logits + g) / tau, dim)`` with Gumbel noise ``g = -log(E)``, ``E`` drawn by
    ``Tensor.exponential_`` (the generator's stream: the same samples as PyTorch after
    ``manual_seed``). With ``hard=True`` the result is the one-hot vector of the largest
    entry in the forward pass, and the soft sample's gradient in the backward pass
    ("straight-through": ``y_hard - y_soft.detach() + y_soft``, ``grad_fn``
    ``AddBackward0``). Any shape; ``dim`` picks the category axis. ``eps`` is
    deprecated and ignored (a warning when it is not the default).
    Mirrors ``torch.nn.functional.gumbel_softmax``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> _ = torch.manual_seed(0)
        >>> logits = torch.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
        >>> F.gumbel_softmax(logits, tau=0.5)
        tensor([[0.0137, 0.8224, 0.1639]], grad_fn=<SoftmaxBackward0>)
        >>> F.gumbel_softmax(logits, hard=True)
        tensor([[0., 1., 0.]], grad_fn=<AddBackward0>)
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -_creation.empty_like(logits).exponential_().log()  # ~ Gumbel(0, 1)
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
