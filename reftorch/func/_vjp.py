"""``torch.func.vjp`` on reftorch's tape-based autograd (see ``_grad.py`` for how the
differentiated arguments enter ``func``): the returned ``vjp_fn`` is one
``torch.autograd.grad`` over the recorded graph, kept for as many calls as wanted."""
from __future__ import annotations

from .._ops.creation import zeros_like
from .._tensor import Tensor
from ..autograd import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..utils._pytree import tree_flatten, tree_unflatten, treespec_pprint
from ._grad import _check_argnums, _check_aux, _detached, _differentiable

__all__ = ["vjp"]


def _slice_argnums(args, argnums, as_tuple=True):
    """The arguments ``argnums`` picks: a tuple, or (int ``argnums``, not ``as_tuple``) the
    argument itself."""
    nums = _check_argnums(argnums, len(args))
    if isinstance(argnums, int):
        return (args[argnums],) if as_tuple else args[argnums]
    return tuple(args[i] for i in nums)


def _replace_args(args, new, argnums):
    """``args`` with the arguments ``argnums`` picks replaced by ``new`` (a tuple, or the one
    argument for an int ``argnums``). As in PyTorch, positions are compared as given: a
    negative argnum replaces nothing."""
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    return tuple(new[argnums.index(i)] if i in argnums else a for i, a in enumerate(args))


def _check_tensors(leaves):
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(leaf)}")


def _check_outputs(flat_output, api):
    """PyTorch's checks on what ``func`` returned: something, and only tensors."""
    if (len(flat_output) == 1 and flat_output[0] is None) or not flat_output:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got output = "
                           f"{flat_output})")
    for out in flat_output:
        if not isinstance(out, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(out)}")


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    _check_aux(output[1])
    return output


def _grads_or_zeros(outputs, inputs, grad_outputs, retain_graph, create_graph):
    """``autograd.grad`` over the outputs that require grad; zeros for inputs it does not reach."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return tuple(zeros_like(x) for x in inputs)
    outs, gs = zip(*pairs)
    grads = _autograd_grad(outs, inputs, gs, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for x, g in zip(inputs, grads))


def _vjp_with_argnums(func, primals, argnums=None, has_aux=False):
    """:func:`vjp`, differentiating only the arguments ``argnums`` (``None``: all); its
    ``vjp_fn`` then returns their gradients shaped as ``_slice_argnums(primals, argnums,
    as_tuple=False)``."""
    outer = is_grad_enabled()
    diff = primals if argnums is None else _slice_argnums(primals, argnums, as_tuple=False)
    if argnums is not None:  # (non-negative positions for _replace_args)
        nums = _check_argnums(argnums, len(primals))
        argnums = nums[0] % len(primals) if isinstance(argnums, int) else tuple(i % len(primals) for i in nums)
    flat_diff, diff_spec = tree_flatten(diff)
    _check_tensors(flat_diff)
    nested = outer and any(x.requires_grad for x in flat_diff)
    with enable_grad():
        inputs = [_differentiable(x, outer) for x in flat_diff]
        new = tree_unflatten(inputs, diff_spec)
        output, aux = _split_aux(func(*(new if argnums is None else _replace_args(primals, new, argnums))),
                                 has_aux, "vjp(f, *primals)")
        flat_output, output_spec = tree_flatten(output)
        _check_outputs(flat_output, "vjp(f, *primals)")
        for out in flat_output:
            if not (out.is_floating_point() or out.is_complex()):
                raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                                   f"Tensor with dtype {out.dtype}")

    def wrapper(cotangents, retain_graph=True, create_graph=None):
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat_cotangents, cotangents_spec = tree_flatten(cotangents)
        if cotangents_spec != output_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {treespec_pprint(cotangents_spec)}, primal output: "
                               f"{treespec_pprint(output_spec)}")
        create = create_graph and (nested or any(isinstance(c, Tensor) and c.requires_grad for c in flat_cotangents))
        with enable_grad():
            grads = _grads_or_zeros(flat_output, inputs, flat_cotangents, retain_graph, create)
        return tree_unflatten(grads, diff_spec)

    if not nested:
        output, aux = _detached(output), _detached(aux)
    return (output, wrapper, aux) if has_aux else (output, wrapper)


def vjp(func, *primals, has_aux=False):
    """The vector-Jacobian product transform: returns ``func(*primals)`` and a function
    ``vjp_fn`` that maps cotangents (shaped like the output) to ``cotangents^T J``, the
    gradient with respect to each primal. Mirrors ``torch.func.vjp``.

    ``vjp_fn(cotangents, retain_graph=True, create_graph=None)`` may be called any number
    of times; it returns a tuple with one gradient per primal (each shaped like it:
    a tensor, or a tuple / list / dict of them), zeros where the output does not depend
    on a primal. ``create_graph`` (default: whether grad mode is on) keeps a graph
    through the result when an outer differentiation can see it.

    Args:
        func: a function of the primals returning a tensor or a tuple / list / dict
            (nested) of floating-point tensors (with ``has_aux``, a pair
            ``(output, aux)``, ``aux`` holding tensors only).
        *primals: the arguments (tensors, or tuples / lists / dicts of tensors).
        has_aux: ``func`` returns ``(output, aux)``; ``aux`` is returned as a third
            element, not differentiated.

    Returns:
        ``(output, vjp_fn)``, or ``(output, vjp_fn, aux)`` with ``has_aux``.

    Raises:
        ValueError: a primal holding something other than tensors.
        RuntimeError: an output that is not a floating-point tensor, or no output; (with
            ``has_aux``) an output that is not a pair, or an ``aux`` holding non-tensors;
            (at ``vjp_fn``) cotangents whose structure differs from the output's, or of
            the wrong shape.

    Examples:
        >>> import reftorch as torch
        >>> out, vjp_fn = torch.func.vjp(torch.mul, torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
        >>> out
        tensor([3., 8.])
        >>> vjp_fn(torch.tensor([1.0, 10.0]))
        (tensor([ 3., 40.]), tensor([ 1., 20.]))
    """
    return _vjp_with_argnums(func, primals, has_aux=has_aux)
