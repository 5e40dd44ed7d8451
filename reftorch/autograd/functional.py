"""Derivatives of whole functions: Jacobians, Hessians and their products with vectors.
Mirrors ``torch.autograd.functional``.

Everything here is built on reverse mode (``autograd.grad``): :func:`jacobian` takes one
vector-Jacobian product per output element, :func:`hessian` is the Jacobian of the
gradient, :func:`vjp` and :func:`vhp` are one backward pass each, and :func:`jvp` and
:func:`hvp` use the "double backward" trick (differentiate ``v -> v^T J`` with respect to
``v``), as PyTorch does. Inputs are detached copies: the caller's tensors and their
``.grad`` are never touched, and results come back detached unless ``create_graph=True``.
PyTorch's forward-mode strategies need forward-mode AD, which reftorch does not have.
"""
from __future__ import annotations

import contextlib

from .._tensor import Tensor
from . import _graph
from ._grad import grad as _grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ----------------------------------------------------------------------------- helpers
def _tensors(value, what, fn_name):
    """``(was_a_tuple, tuple_of_tensors)`` with PyTorch's TypeError for anything else."""
    was_tuple = isinstance(value, tuple)
    items = value if was_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if was_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"{where} has type {type(el)}.")
    return was_tuple, items


def _unpack(result, was_tuple):
    """A tuple back to a single tensor where the user gave one; ``was_tuple`` may be a pair
    (outputs, inputs) for nested results such as a Jacobian."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            result = tuple(r[0] for r in result)
        return result if outer else result[0]
    return result if was_tuple else result[0]


def _prepare(tensors, create_graph, need_graph):
    """Fresh tensors to differentiate with respect to: a view keeping the graph where
    ``create_graph`` should reach the caller's, else detached copies."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _finish(results, create_graph):
    if results and isinstance(results[0], Tensor):
        return results if create_graph else tuple(r.detach() for r in results)
    return tuple(_finish(r, create_graph) for r in results)


def _check_v(v, other, other_was_tuple):
    if len(v) != len(other):
        if other_was_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            prefix = f"Entry {i} in " if other_was_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {b.size()} but got {a.size()}.")


_STRICT_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed "
               "in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect to "
                "input {i} is independent of the input. This is not allowed in strict mode. You should ensure that "
                "your function is twice differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. "
               "This is not allowed in strict mode. You should ensure that your function is thrice differentiable "
               "and that the hessian depends on the inputs.",
}


def _check_requires_grad(tensors, kind, strict):
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_STRICT_MESSAGES[kind].format(i=i))


def _grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad (None for every input when
    none does), unused inputs giving None."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gs = zip(*pairs)
    return _grad(outs, inputs, gs, allow_unused=True, create_graph=create_graph, retain_graph=retain_graph)


_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in strict "
                  "mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed in "
                   "strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _zeros_for_none(grads, refs, strict, create_graph, stage):
    """Zeros (shaped like ``refs``) where no gradient reached; PyTorch's strict-mode errors."""
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage].format(i=i))
            g = refs[i].new_zeros(refs[i].shape)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _vector(v, against, was_tuple, create_graph, fn_name):
    _, v = _tensors(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _check_v(v, against, was_tuple)
    return v


def _single_element(tensors, what):
    if len(tensors) != 1 or tensors[0].nelement() != 1:
        raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with a single element.")


def _scalar_function_output(outputs, outputs_were_tuple, fn_name):
    if outputs_were_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single element")


# ------------------------------------------------------------------------------ API
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Mirrors ``torch.autograd.functional.vjp``.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (left untouched).
        v: one tensor per output, shaped like it; may be None when ``func`` returns one
            one-element tensor.
        create_graph: keep a graph through the results (for higher derivatives).
        strict: raise where an output does not depend on an input instead of giving zeros.

    Returns:
        tuple: ``(func_output, vjp)``; ``vjp`` has one tensor per input, shaped like it
        (a tensor, not a tuple, where ``inputs`` was one tensor).

    Raises:
        RuntimeError: a ``v`` of the wrong number or size; ``v=None`` for an output of
            several elements; strict-mode violations.
        TypeError: an input or output that is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.autograd.functional import vjp
        >>> vjp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        inputs_were_tuple, inputs = _tensors(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_were_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            v = _vector(v, outputs, outputs_were_tuple, create_graph, "vjp")
        elif len(outputs) != 1 or outputs[0].nelement() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor "
                               "with a single element.")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        result = _zeros_for_none(_grads(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), outputs_were_tuple),
            _unpack(_finish(result, create_graph), inputs_were_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs``.

    Mirrors ``torch.autograd.functional.jvp``, which computes it, as here, with two
    backward passes (the "double backward" trick: ``J v`` is the gradient of
    ``u -> (u^T J) v`` with respect to ``u``).

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (left untouched).
        v: one tensor per input, shaped like it; may be None for one one-element input.
        create_graph: keep a graph through the results.
        strict: raise where an output does not depend on an input instead of giving zeros.

    Returns:
        tuple: ``(func_output, jvp)``; ``jvp`` has one tensor per output, shaped like it.

    Raises:
        RuntimeError: a ``v`` of the wrong number or size; ``v=None`` for an input of
            several elements; strict-mode violations.
        TypeError: an input or output that is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.autograd.functional import jvp
        >>> jvp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
        (tensor([1., 4.]), tensor([2., 0.]))
    """
    with enable_grad():
        inputs_were_tuple, inputs = _tensors(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        if v is not None:
            v = _vector(v, inputs, inputs_were_tuple, create_graph, "jvp")
        else:
            _single_element(inputs, "input to the user-provided function is")
        outputs_were_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        dummies = tuple(o.new_zeros(o.shape).requires_grad_() for o in outputs)
        grad_inputs = _grads(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with enable_grad() if create_graph else contextlib.nullcontext():
        result = _zeros_for_none(_grads(grad_inputs, dummies, v, create_graph), outputs, strict, create_graph,
                                 "back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_were_tuple),
            _unpack(_finish(result, create_graph), outputs_were_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: one block per (output, input) pair, of shape
    ``output.shape + input.shape``.

    Mirrors ``torch.autograd.functional.jacobian`` with its default reverse-mode
    strategy: one backward pass per element of each output. ``vectorize=True`` is
    accepted and gives the same result (PyTorch batches the passes with vmap; reftorch
    runs them one by one).

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (left untouched).
        create_graph: keep a graph through the result (for Hessians).
        strict: raise where an output does not depend on an input instead of giving zeros.
        vectorize: accepted (see above); not with ``strict``.
        strategy: ``"reverse-mode"``; ``"forward-mode"`` needs forward-mode AD.

    Returns:
        Tensor or nested tuples of Tensors: a tensor when ``func`` takes and returns one
        tensor; else a tuple over outputs of tuples over inputs (dropping the level the
        user did not give as a tuple).

    Raises:
        NotImplementedError: ``strategy="forward-mode"``.
        RuntimeError: strict-mode violations, ``strict`` with ``vectorize``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.autograd.functional import jacobian
        >>> jacobian(lambda x: x ** 2, torch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
                             'has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, '
                             'prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either set '
                                      '`create_graph=False` or `strategy="reverse-mode"`.')
        raise NotImplementedError('torch.autograd.functional.jacobian: strategy="forward-mode" needs forward-mode AD, '
                                  'which reftorch does not have; use strategy="reverse-mode".')
    with enable_grad():
        inputs_were_tuple, inputs = _tensors(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_were_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        blocks = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            flat = out.reshape(-1)
            for j in range(out.nelement()):
                grads = _grads((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{k}. This is not allowed in strict mode.")
                        g = inp.new_zeros(inp.shape)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of input "
                                           f"{i}. This is not allowed in strict mode when create_graph=True.")
                    rows[k].append(g)
            blocks.append(tuple(_graph._torch.stack(r, dim=0).view(out.size() + inp.size())
                                for r, inp in zip(rows, inputs)))
        return _unpack(_finish(tuple(blocks), create_graph), (outputs_were_tuple, inputs_were_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of the scalar function ``func`` at ``inputs``: the Jacobian of its gradient.

    Mirrors ``torch.autograd.functional.hessian``. For one input of shape ``S`` the
    result has shape ``S + S``; for several inputs, a tuple of tuples of blocks
    ``H[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``.

    Args:
        func: a function of tensors returning a tensor with a single element.
        inputs: a tensor or a tuple of tensors (left untouched).
        create_graph: keep a graph through the result.
        strict: raise where the Hessian does not depend on an input instead of giving zeros.
        vectorize: accepted (see :func:`jacobian`).
        outer_jacobian_strategy: ``"reverse-mode"``; ``"forward-mode"`` needs forward-mode AD.

    Returns:
        Tensor or tuple of tuples of Tensors.

    Raises:
        RuntimeError: ``func`` returning a tuple or more than one element; strict-mode violations.
        NotImplementedError: ``outer_jacobian_strategy="forward-mode"``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.autograd.functional import hessian
        >>> hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    inputs_were_tuple, inputs = _tensors(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_output(*args):
        out = func(*args)
        was_tuple, outs = _tensors(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if was_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def gradient(*args):
        jac = jacobian(scalar_output, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack(result, (inputs_were_tuple, inputs_were_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Hessian product ``v^T H`` of the scalar function ``func`` at ``inputs``.

    Mirrors ``torch.autograd.functional.vhp``.

    Args:
        func: a function of tensors returning a tensor with a single element.
        inputs: a tensor or a tuple of tensors (left untouched).
        v: one tensor per input, shaped like it; may be None for one one-element input.
        create_graph: keep a graph through the results.
        strict: raise where the Hessian does not depend on an input instead of giving zeros.

    Returns:
        tuple: ``(func_output, vhp)``, ``vhp`` shaped like ``inputs``.

    Raises:
        RuntimeError: ``func`` returning a tuple or more than one element; a ``v`` of the
            wrong number or size; strict-mode violations.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.autograd.functional import vhp
        >>> vhp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Hessian-vector product ``H v`` of the scalar function ``func`` at ``inputs``.

    Mirrors ``torch.autograd.functional.hvp``: computed, as there, with the double
    backward trick (one more backward pass than :func:`vhp`, which gives the same values
    for the symmetric Hessians of twice continuously differentiable functions).

    Args:
        func: a function of tensors returning a tensor with a single element.
        inputs: a tensor or a tuple of tensors (left untouched).
        v: one tensor per input, shaped like it; may be None for one one-element input.
        create_graph: keep a graph through the results.
        strict: raise where the Hessian does not depend on an input instead of giving zeros.

    Returns:
        tuple: ``(func_output, hvp)``, ``hvp`` shaped like ``inputs``.

    Raises:
        RuntimeError: ``func`` returning a tuple or more than one element; a ``v`` of the
            wrong number or size; strict-mode violations.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.autograd.functional import hvp
        >>> hvp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
        (tensor(9.), tensor([6., 0.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    with enable_grad():
        inputs_were_tuple, inputs = _tensors(inputs, "inputs", fn_name)
        inputs = _prepare(inputs, create_graph, need_graph=True)
        if v is not None:
            v = _vector(v, inputs, inputs_were_tuple, create_graph, fn_name)
        else:
            _single_element(inputs, "input to the user-provided function is")
        outputs_were_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", fn_name)
        _check_requires_grad(outputs, "outputs", strict)
        _scalar_function_output(outputs, outputs_were_tuple, fn_name)
        jac = _grads(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        if fn_name == "hvp":  # the double backward trick: H v = d/du (u^T H) v
            dummies = tuple(t.new_zeros(t.shape).requires_grad_() for t in inputs)
            double_back = _grads(jac, inputs, dummies, create_graph=True)
            _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        if fn_name == "hvp":
            result = _zeros_for_none(_grads(double_back, dummies, v, create_graph), inputs, strict, create_graph,
                                     "double_back_trick")
        else:
            result = _zeros_for_none(_grads(jac, inputs, v, create_graph), inputs, strict, create_graph,
                                     "double_back")
    return (_unpack(_finish(outputs, create_graph), outputs_were_tuple),
            _unpack(_finish(result, create_graph), inputs_were_tuple))
