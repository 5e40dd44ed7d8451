"""``torch.func.jvp`` and ``linearize`` without forward-mode AD: the "double vjp" trick.

For a function ``f`` with Jacobian ``J`` at the primals, ``g(u) = J^T u`` (a vjp, taken
with ``create_graph`` so that it is recorded) is linear in the cotangent ``u``, and its
own vjp with the tangents ``t`` is ``(J^T)^T t = J t``: the Jacobian-vector product. So
one forward pass and two backward passes of reftorch's reverse mode give what PyTorch's
forward mode computes. Outputs that do not depend on the primals get zero tangents (as
in PyTorch). Differences: a backward that is not itself differentiable (a custom
``autograd.Function`` without a differentiable backward) gives zero tangents instead of
PyTorch's forward-mode formula or error; output tangents have the output's dtype (PyTorch
carries a tangent's own dtype through, e.g. float64 tangents of a float32 primal).
"""
from __future__ import annotations

from .._ops.creation import zeros_like
from .._tensor import Tensor
from ..autograd import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..utils._pytree import tree_flatten, tree_unflatten
from ._grad import _detached, _differentiable
from ._vjp import _check_outputs, _replace_args, _slice_argnums, _split_aux

__all__ = ["jvp", "linearize"]

_JVP = "jvp(f, primals, tangents)"


class _Linearization:
    """``f``'s outputs at the primals and the recorded ``g(u) = J^T u``, from which
    :meth:`tangents` computes ``J t`` for any tangents ``t`` (``inputs``: the tensors
    ``f`` was differentiated with respect to)."""

    def __init__(self, flat_output, inputs):
        self.flat_output = flat_output
        self.diff = [o for o in flat_output if o.requires_grad]
        self.u = [zeros_like(o).requires_grad_() for o in self.diff]
        if self.diff:
            g = _autograd_grad(self.diff, inputs, self.u, create_graph=True, allow_unused=True)
        else:
            g = (None,) * len(inputs)
        self.g = [(gi, i) for i, gi in enumerate(g) if gi is not None and gi.requires_grad]

    def tangents(self, flat_tangents, create_graph, strict=False):
        """The output tangents ``J t``: one per output, zeros where an output does not
        depend on the primals."""
        if strict and len(self.diff) < len(self.flat_output):
            raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is independent of the inputs. "
                               "This is not allowed with strict=True.")
        if self.g:
            jt = _autograd_grad([gi for gi, _ in self.g], self.u, [flat_tangents[i] for _, i in self.g],
                                retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            jt = (None,) * len(self.u)
        by_output = {id(o): t for o, t in zip(self.diff, jt)}
        return [zeros_like(o) if by_output.get(id(o)) is None else by_output[id(o)] for o in self.flat_output]


def _check_primals(flat_primals, flat_tangents):
    for what, flat in (("primals", flat_primals), ("tangents", flat_tangents)):
        if not flat:
            raise RuntimeError(f"{_JVP}: Expected {what} to contain at least one Tensor.")
        for leaf in flat:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"{_JVP}: Expected {what} to only contain Tensors, got {type(leaf)}")
    for p, t in zip(flat_primals, flat_tangents):
        if not (p.is_floating_point() or p.is_complex()):
            raise ValueError(f"Expected primal to be floating point or complex, but got: {p.dtype}")
        if p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")


def _jvp_with_argnums(func, primals, tangents, argnums=None, *, strict=False, has_aux=False):
    """:func:`jvp` with tangents only for the arguments ``argnums`` picks (``None``: all)."""
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    diff = primals if argnums is None else _slice_argnums(primals, argnums)
    flat_primals, primals_spec = tree_flatten(diff)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python structure. For example, if "
                           "primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{primals_spec} and tangents with structure {tangents_spec}")
    _check_primals(flat_primals, flat_tangents)
    outer = is_grad_enabled()
    nested = outer and any(x.requires_grad for x in flat_primals)  # the output keeps its graph
    create = nested or outer and any(t.requires_grad for t in flat_tangents)  # the output tangents keep theirs
    with enable_grad():
        inputs = [_differentiable(x, outer) for x in flat_primals]
        new = tree_unflatten(inputs, primals_spec)
        if argnums is not None:
            new = _replace_args(primals, new if isinstance(argnums, tuple) else new[0], argnums)
        output, aux = _split_aux(func(*new), has_aux, _JVP)
        flat_output, output_spec = tree_flatten(output)
        _check_outputs(flat_output, _JVP)
        flat_out_tangents = _Linearization(flat_output, inputs).tangents(flat_tangents, create, strict)
    if not nested:
        flat_output, aux = _detached(flat_output), _detached(aux)
    if not create:
        flat_out_tangents = _detached(flat_out_tangents)
    result = (tree_unflatten(flat_output, output_spec), tree_unflatten(flat_out_tangents, output_spec))
    return result + (aux,) if has_aux else result


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """The Jacobian-vector product transform: ``func(*primals)`` and ``J t``, the
    directional derivative of ``func`` at ``primals`` along ``tangents``. Mirrors
    ``torch.func.jvp`` (computed with reverse mode, by the "double vjp" trick: see the
    module notes).

    Args:
        func: a function of the primals returning a tensor or a tuple / list / dict
            (nested) of tensors (with ``has_aux``, a pair ``(output, aux)``, ``aux``
            holding tensors only).
        primals: a tuple of the arguments (floating-point tensors, or tuples / lists /
            dicts of them).
        tangents: one tangent per primal tensor, in the same structure and shapes.
        strict: raise if an output does not depend on the primals (instead of giving
            it a zero tangent).
        has_aux: ``func`` returns ``(output, aux)``; ``aux`` is returned as a third
            element.

    Returns:
        ``(output, jvp_out)``, ``jvp_out`` shaped like the output; ``(output, jvp_out,
        aux)`` with ``has_aux``.

    Raises:
        RuntimeError: ``primals`` not a tuple; primals and tangents of different
            structures or sizes, empty, or holding non-tensors; no output or a non-tensor
            output; with ``strict``, an output independent of the primals; an ``aux``
            holding non-tensors.
        ValueError: a primal that is not floating-point.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([0.0, 1.0])
        >>> torch.func.jvp(lambda a: a ** 2, (x,), (torch.ones(2),))
        (tensor([0., 1.]), tensor([0., 2.]))
    """
    return _jvp_with_argnums(func, primals, tangents, strict=strict, has_aux=has_aux)


def linearize(func, *primals):
    """``func(*primals)`` and a function ``jvp_fn(*tangents)`` returning ``J t`` at these
    primals, for as many tangents as wanted (the backward graph is recorded once).
    Mirrors ``torch.func.linearize`` (like PyTorch, ``func`` runs twice: once plainly for
    the output, once to record the graph).

    Args:
        func: a function of the primals returning a tensor or a tuple / list / dict of
            tensors.
        *primals: the arguments (floating-point tensors, or tuples / lists / dicts of
            them).

    Returns:
        ``(output, jvp_fn)``; ``jvp_fn`` takes one tangent per primal (same structure,
        shape and dtype) and returns the output tangents, shaped like the output.

    Raises:
        RuntimeError: (at ``jvp_fn``) tangents of another structure, shape or dtype than
            the primals.

    Examples:
        >>> import reftorch as torch
        >>> out, jvp_fn = torch.func.linearize(torch.sin, torch.zeros(2))
        >>> jvp_fn(torch.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """
    output = func(*primals)
    flat_primals, primals_spec = tree_flatten(primals)
    outer = is_grad_enabled()
    nested = outer and any(isinstance(x, Tensor) and x.requires_grad for x in flat_primals)
    with enable_grad():
        inputs = [_differentiable(x, outer) for x in flat_primals]
        flat_output, output_spec = tree_flatten(func(*tree_unflatten(inputs, primals_spec)))
        linearization = _Linearization(flat_output, inputs)

    def jvp_fn(*tangents):
        flat_tangents, tangents_spec = tree_flatten(tangents)
        if tangents_spec != primals_spec:
            raise RuntimeError(f"Expected the tangents {tangents_spec} to have the same argspec as the primals "
                               f"{primals_spec}")
        for i, (t, p) in enumerate(zip(flat_tangents, flat_primals)):
            for what in ("shape", "device", "dtype"):
                if getattr(t, what) != getattr(p, what):
                    raise RuntimeError(f"tangent:{i} with {what} {getattr(t, what)} in flattened pytree doesn't match "
                                       f"the {what} {getattr(p, what)} of the corresponding primal.")
        create = outer and (nested or any(t.requires_grad for t in flat_tangents))
        with enable_grad():
            out = linearization.tangents(flat_tangents, create)
        return tree_unflatten(out if create else _detached(out), output_spec)

    return output, jvp_fn
