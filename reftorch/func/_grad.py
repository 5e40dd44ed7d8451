"""``torch.func.grad`` and ``grad_and_value`` on reftorch's tape-based autograd.

PyTorch's versions are function transforms (functorch "levels"); these compute the same
thing with ``torch.autograd.grad``: each differentiated argument enters ``func`` as a tensor
of its own that requires grad (a detached copy, or, when it already requires grad under
grad mode, a view of it, so that an outer backward or an outer ``grad`` reaches it), and
the gradients are taken with ``create_graph`` exactly when an outer differentiation can
see them. So ``grad(grad(f))`` and ``grad(f)(x).sum().backward()`` work as in PyTorch.
It composes with the other transforms of ``reftorch.func`` (``vmap(grad(f))``,
``jacrev(grad(f))``). Difference: a function that mutates its inputs or reads ``.grad``
behaves as under ordinary autograd.
"""
from __future__ import annotations

import functools

from .._ops.creation import zeros_like
from .._tensor import Tensor
from ..autograd import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..utils._pytree import tree_flatten, tree_leaves, tree_map, tree_unflatten

__all__ = ["grad", "grad_and_value"]


def _check_argnums(argnums, n_args):
    if isinstance(argnums, int):
        nums = (argnums,)
    elif isinstance(argnums, tuple) and all(isinstance(a, int) for a in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        nums = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in nums:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
    return nums


def _check_aux(aux):
    """PyTorch's rule for the ``aux`` of ``has_aux``: tensors only (in tuples, lists, dicts)."""
    for leaf in tree_leaves(aux):
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")


def _differentiable(leaf, outer):
    """A tensor of its own for ``func`` to be differentiated with respect to: a view of
    ``leaf`` where an outer differentiation must reach it, else a detached copy."""
    return leaf.view_as(leaf) if outer and leaf.requires_grad else leaf.detach().requires_grad_()


def _detached(tree):
    return tree_map(lambda t: t.detach() if isinstance(t, Tensor) else t, tree)


def grad_and_value(func, argnums=0, has_aux=False):
    """Like :func:`grad`, but the new function returns ``(gradients, value)``: the
    gradients as :func:`grad` gives them and the value of ``func``. Mirrors
    ``torch.func.grad_and_value``.

    Args:
        func: a function of tensors returning a 0-d tensor (with ``has_aux``, a pair
            ``(0-d tensor, aux)``, ``aux`` holding tensors only).
        argnums: which positional argument(s) to differentiate (an int or a tuple of ints).
        has_aux: ``func`` returns ``(output, aux)``; the new function then returns
            ``(gradients, (value, aux))``.

    Returns:
        The new function.

    Raises:
        RuntimeError: (at the call) for bad ``argnums``, or if ``func`` does not return a
            0-d tensor (or a pair whose ``aux`` holds tensors only, with ``has_aux``).
        ValueError: (at the call) if a differentiated argument holds something other
            than tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.func.grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
        (tensor([2., 4.]), tensor(5.))
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _check_argnums(argnums, len(args))
        diff_args = args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in nums)
        leaves, diff_spec = tree_flatten(diff_args)
        for leaf in leaves:
            if not isinstance(leaf, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(leaf)}")
        outer = is_grad_enabled()
        nested = outer and any(leaf.requires_grad for leaf in leaves)
        with enable_grad():
            inputs = [_differentiable(leaf, outer) for leaf in leaves]
            new_diff = tree_unflatten(inputs, diff_spec)
            new_args = list(args)
            if isinstance(argnums, int):
                new_args[argnums] = new_diff
            else:
                for i, value in zip(nums, new_diff):
                    new_args[i] = value
            output = func(*new_args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(output, tuple) and len(output) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                output, aux = output
            if not isinstance(output, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                                   f"with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            if output.requires_grad:
                grads = _autograd_grad(output, inputs, create_graph=nested, allow_unused=True)
            else:
                grads = (None,) * len(inputs)
            grads = [zeros_like(x) if g is None else g for x, g in zip(inputs, grads)]
        if has_aux:
            _check_aux(aux)
        if not nested:
            output, grads, aux = output.detach(), [g.detach() for g in grads], _detached(aux)
        grads = tree_unflatten(grads, diff_spec)
        return (grads, (output, aux)) if has_aux else (grads, output)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient transform: ``grad(func)`` is a new function returning the gradient
    of ``func`` (which returns a 0-d tensor) with respect to its argument(s) ``argnums``,
    shaped as those arguments (a tensor, or a tuple / list / dict of them). Mirrors
    ``torch.func.grad`` (computed with ``torch.autograd.grad``; see the module notes).

    Args:
        func: a function of tensors returning a 0-d tensor (with ``has_aux``, a pair
            ``(0-d tensor, aux)``, ``aux`` holding tensors only).
        argnums: which positional argument(s) to differentiate (an int or a tuple of
            ints; the gradients then come as a tuple).
        has_aux: ``func`` returns ``(output, aux)``; the new function then returns
            ``(gradients, aux)``.

    Returns:
        The new function.

    Raises:
        RuntimeError: (at the call) for bad ``argnums``, or if ``func`` does not return a
            0-d tensor (or a pair whose ``aux`` holds tensors only, with ``has_aux``).
        ValueError: (at the call) if a differentiated argument holds something other
            than tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.func.grad(torch.sin)(torch.tensor(0.0))
        tensor(1.)
        >>> torch.func.grad(torch.func.grad(torch.sin))(torch.tensor(0.0))
        tensor(-0.)
    """
    transformed = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = transformed(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapper
