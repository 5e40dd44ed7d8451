"""``torch.cond``: a structured if-statement over tensors, run eagerly.

PyTorch compiles the call (``torch.compile``, ``fullgraph=True``) when the predicate is a
tensor, tracing both branches and recording the result as one ``CondAutogradOpBackward``
node; with a Python number it simply runs one branch. reftorch runs the chosen branch in
both cases; for a tensor predicate the tensor results are recorded under PyTorch's node
name (the gradients pass through to the branch's own graph) and are new tensors, never
the operands themselves.
"""
from __future__ import annotations

from ._tensor import Tensor
from .autograd._renamed import renamed
from .utils._pytree import tree_leaves, tree_map


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``.

    ``pred`` is a Python bool or number (the branch is simply called), or a tensor with
    one element. ``operands`` is a tuple or list of tensors (possibly nested in
    tuples, lists and dicts). With a tensor ``pred``, each tensor result is a new tensor
    whose ``grad_fn`` is ``CondAutogradOpBackward``. Mirrors ``torch.cond`` in eager mode.

    Unlike PyTorch, the branch that is not taken is not traced, so branches whose results
    differ in shape or dtype are not refused, nor a branch not taken that returns an
    operand.

    Raises:
        RuntimeError: ``pred`` not a bool, number or one-element tensor; a branch that
            is not callable; operands that are not a tuple or list of tensors; the branch
            taken returns an operand itself (tensor ``pred``).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0, -2.0], requires_grad=True)
        >>> torch.cond(x.sum() > 0, lambda a: a * 2, lambda a: a.abs(), (x,))
        tensor([1., 2.], grad_fn=<CondAutogradOpBackward>)
    """
    if isinstance(pred, (bool, int, float)):
        return true_fn(*operands) if pred else false_fn(*operands)
    if not isinstance(pred, (bool, Tensor)):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or any(not isinstance(t, Tensor) for t in tree_leaves(operands)):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple that only consists of "
                           f"tensor leaves, but got {operands}.")
    out = true_fn(*operands) if bool(pred) else false_fn(*operands)
    inputs = {id(t) for t in tree_leaves(operands)}
    if any(id(t) in inputs for t in tree_leaves(out)):
        raise RuntimeError("Encountered aliasing during higher order op tracing: torch.cond's branches may not "
                           "return an operand (return input.clone() instead)")
    return tree_map(lambda t: renamed(t, "CondAutogradOpBackward") if isinstance(t, Tensor) else t, out)
