"""``torch.func.jacrev``, ``jacfwd`` and ``hessian``, built as PyTorch builds them:
``jacrev`` maps the ``vjp_fn`` of :func:`vjp` over the rows of an identity matrix (one row
per output element), ``jacfwd`` maps :func:`jvp` over the columns (one per input
element), both with :func:`vmap` (here a loop), and ``hessian`` is
``jacfwd(jacrev(func))``."""
from __future__ import annotations

import functools

from .._ops.creation import eye
from .._ops.splitting import split
from .._tensor import Tensor
from ..utils._pytree import tree_flatten, tree_leaves, tree_unflatten
from ._jvp import _jvp_with_argnums
from ._vjp import _slice_argnums, _vjp_with_argnums
from ._vmap import vmap

__all__ = ["jacrev", "jacfwd", "hessian"]


def _error_if_complex(api, tree, is_input):
    for i, leaf in enumerate(tree_leaves(tree)):
        if isinstance(leaf, Tensor) and leaf.is_complex():
            kind = "inputs" if is_input else "outputs"
            raise RuntimeError(f"{api}: Expected all {kind} to be real but received complex tensor at flattened "
                               f"input idx: {i}")


def _standard_basis(tensors, numels):
    """For tensors of ``numels`` elements (``n`` in all): the ``n`` rows of an ``n x n``
    identity, cut into one ``(n, *tensor.shape)`` piece per tensor."""
    total, start, out = sum(numels), 0, []
    for t, n in zip(tensors, numels):
        out.append(eye(total, dtype=t.dtype, device=t.device)[:, start:start + n].reshape(total, *t.shape))
        start += n
    return out


def _unflatten_last(t, shape):
    """``t``'s last dimension (one entry per element of a tensor of ``shape``) as ``shape``."""
    return t.unflatten(-1, shape) if len(shape) else t.squeeze(-1)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """The Jacobian of ``func`` with respect to the argument(s) ``argnums``, by reverse
    mode (one vector-Jacobian product per output element). Mirrors ``torch.func.jacrev``.

    The Jacobian of an output of shape ``O`` with respect to an input of shape ``I`` has
    shape ``O + I``. With several outputs (a tuple / list / dict), the result has the
    output's structure; with a tuple ``argnums`` (or an argument that is itself a tuple /
    dict of tensors), each entry holds one Jacobian per input in that structure.

    Args:
        func: a function returning a tensor or a tuple / list / dict of floating-point
            tensors (with ``has_aux``, a pair ``(output, aux)``, ``aux`` holding tensors
            only).
        argnums: the argument(s) to differentiate: an int or a tuple of ints.
        has_aux: ``func`` returns ``(output, aux)``; the new function then returns
            ``(jacobian, aux)``.
        chunk_size: ``None`` or a positive int (how many rows PyTorch computes at once;
            no effect on the result).

    Returns:
        The new function, taking ``func``'s arguments.

    Raises:
        ValueError: ``chunk_size`` not positive; (at the call) a differentiated argument
            holding non-tensors.
        RuntimeError: (at the call) bad ``argnums``; complex inputs or outputs; outputs
            that are not floating-point tensors.

    Examples:
        >>> import reftorch as torch
        >>> torch.func.jacrev(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args):
        _error_if_complex("jacrev", args, is_input=True)
        vjp_out = _vjp_with_argnums(func, args, argnums, has_aux)
        output, vjp_fn = vjp_out[:2]
        flat_output, output_spec = tree_flatten(output)
        _error_if_complex("jacrev", flat_output, is_input=False)
        numels = [o.numel() for o in flat_output]
        flat_primals, primals_spec = tree_flatten(_slice_argnums(args, argnums))
        basis = tree_unflatten(_standard_basis(flat_output, numels), output_spec)
        rows = tree_leaves(vmap(vjp_fn, chunk_size=chunk_size)(basis))  # one (n_out, *primal.shape) per primal
        per_input = [[piece.reshape(*out.shape, *p.shape) for piece, out in zip(split(r, numels), flat_output)]
                     for r, p in zip(rows, flat_primals)]
        per_output = [tree_unflatten(list(pieces), primals_spec) for pieces in zip(*per_input)]
        if isinstance(argnums, int):
            per_output = [jac[0] for jac in per_output]
        jacobian = tree_unflatten(per_output, output_spec)
        return (jacobian, vjp_out[2]) if has_aux else jacobian

    return wrapper_fn


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` with respect to the argument(s) ``argnums``, column by
    column (one Jacobian-vector product per input element). Mirrors
    ``torch.func.jacfwd``; reftorch's :func:`jvp` uses reverse mode (the "double vjp"
    trick), so the values are those of :func:`jacrev`, laid out the same way.

    Args:
        func: a function returning a tensor or a tuple / list / dict of tensors (with
            ``has_aux``, a pair ``(output, aux)`` where ``aux`` holds tensors).
        argnums: the argument(s) to differentiate: an int or a tuple of ints.
        has_aux: ``func`` returns ``(output, aux)``; the new function then returns
            ``(jacobian, aux)``.
        randomness: as for :func:`vmap` (``func`` runs once per input element).

    Like PyTorch's, a negative ``argnums`` gives zero Jacobians (the differentiated
    argument is never substituted; :func:`jacrev` handles negative ``argnums``).

    Returns:
        The new function, taking ``func``'s arguments.

    Raises:
        RuntimeError: (at the call) bad ``argnums``; complex inputs or outputs; a random
            operation with ``randomness="error"``.

    Examples:
        >>> import reftorch as torch
        >>> torch.func.jacfwd(torch.mul, argnums=(0, 1))(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
        (tensor([[3., 0.],
                [0., 4.]]), tensor([[1., 0.],
                [0., 2.]]))
    """
    @functools.wraps(func)
    def wrapper_fn(*args):
        _error_if_complex("jacfwd", args, is_input=True)
        flat_primals, primals_spec = tree_flatten(_slice_argnums(args, argnums))
        numels = [p.numel() for p in flat_primals]
        basis = tree_unflatten(_standard_basis(flat_primals, numels), primals_spec)

        def push_jvp(basis):
            output = _jvp_with_argnums(func, args, basis, argnums=argnums, has_aux=has_aux)
            _error_if_complex("jacfwd", output[0], is_input=False)
            return (output[1], output[2]) if has_aux else output[1]

        results = vmap(push_jvp, randomness=randomness)(basis)
        aux = None
        if has_aux:
            results, aux = results
            flat_aux, aux_spec = tree_flatten(aux)
            aux = tree_unflatten([value[0] for value in flat_aux], aux_spec)
        jac_outs, spec = tree_flatten(results)  # one (n_in, *out.shape) per output
        per_output = []
        for jac_out in jac_outs:
            pieces = split(jac_out.movedim(0, -1), numels, dim=-1)
            per_output.append(tree_unflatten([_unflatten_last(piece, p.shape) for piece, p in zip(pieces, flat_primals)],
                                             primals_spec))
        if isinstance(argnums, int):
            per_output = [jac[0] for jac in per_output]
        jacobian = tree_unflatten(per_output, spec)
        return (jacobian, aux) if has_aux else jacobian

    return wrapper_fn


def hessian(func, argnums=0):
    """The Hessian of ``func`` (a function returning a 0-d tensor, or any tensors:
    then one Hessian per output element) with respect to the argument(s) ``argnums``:
    ``jacfwd(jacrev(func, argnums), argnums)``. Mirrors ``torch.func.hessian``.

    Args:
        func: a function of tensors returning tensors.
        argnums: the argument(s) to differentiate: an int or a tuple of ints.

    Returns:
        The new function; for an input of shape ``I`` and an output of shape ``O``, the
        Hessian has shape ``O + I + I``.

    Examples:
        >>> import reftorch as torch
        >>> torch.func.hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)
