"""``backward`` and ``grad``: the two public entry points of the engine (``engine.py``).

Mirrors the functions of the same names in ``torch/autograd/__init__.py``; kept in a module
of their own so that other autograd modules (``gradcheck``) can call them without importing
the package's ``__init__``.
"""
from __future__ import annotations

import warnings

from .._tensor import Tensor
from .function import AccumulateGrad
from .engine import run_accumulate_grad, run_backward
from ._graph import accumulate, warn_reference_cycle


def _make_grads(outputs, grad_outputs, create_graph=False):
    """One gradient per output: arrays, or tensors (kept in the graph) with ``create_graph``."""
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None and not out.requires_grad:
            grads.append(None)  # refused by _check_differentiable, as PyTorch's engine does
            continue
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not out.dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
            b = out._backend
            ones = b.xp.ones(out._data.shape, dtype=out._data.dtype, **b._dev_kw())
            grads.append(Tensor._wrap(ones, out.device, b) if create_graph else ones)
        else:
            if not isinstance(g, Tensor):
                raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
            if tuple(g.shape) != tuple(out.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                                   f"has a shape of {out.shape}.")
            if g.dtype.is_complex is not out.dtype.is_complex:  # (complex64 for complex128 is cast)
                raise RuntimeError("For complex Tensors, both grad_output and output are required to have the same "
                                   f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                                   f"output[{i}] has a dtype of {out.dtype}.")
            if create_graph:
                grads.append(g if g.dtype is out.dtype else g.to(out.dtype))
                continue
            arr = g._data
            if arr.dtype != out._data.dtype:
                arr = out._backend.astype(arr, out._data.dtype)
            grads.append(arr)
    return grads


def _check_differentiable(outputs, inputs, who):
    """PyTorch's engine checks, in its order: every output has a graph, then every input
    requires grad (``backward(inputs=...)`` words the second check as ``retain_grad`` does)."""
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    for t in inputs or ():
        if not t.requires_grad:
            if who == "backward":
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            raise RuntimeError("One of the differentiated Tensors does not require grad")


def _seq(x):
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the graph's leaves.

    Mirrors ``torch.autograd.backward``; ``t.backward(g)`` is ``backward(t, g)``. With
    ``create_graph=True`` the gradients accumulated get a graph of their own (see
    :func:`grad`); ``retain_graph`` then defaults to True.

    Args:
        tensors: a tensor or a sequence of tensors to differentiate.
        grad_tensors: the gradient of each of ``tensors`` (a tensor of its shape), or
            ``None`` for a one-element tensor (the gradient 1). Default ``None``.
        retain_graph: keep the graph so that it can be backpropagated through again;
            defaults to ``create_graph``.
        create_graph: record the backward computation, for higher-order derivatives
            (default ``False``).
        grad_variables: the deprecated name of ``grad_tensors`` (a ``FutureWarning``).
        inputs: if given, only these tensors (leaves or not) accumulate into ``.grad``.

    Raises:
        RuntimeError: if both ``grad_tensors`` and ``grad_variables`` are given; if ``inputs``
            is given but empty; if a non-scalar tensor has no
            gradient in ``grad_tensors``; if a tensor does not require grad; if the graph
            was already freed by an earlier backward without ``retain_graph=True``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> torch.autograd.backward((x * x).sum())
        >>> x.grad
        tensor([2., 4.])
    """
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning,
                      stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed "
                               "to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warn_reference_cycle()
    inputs = _seq(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _seq(tensors)
    gts = _seq(grad_tensors) or [None] * len(tensors)
    grads = _make_grads(tensors, gts, create_graph)
    _check_differentiable(tensors, inputs, "backward")
    if inputs is None:
        run_backward(tensors, grads, retain_graph=bool(retain_graph), create_graph=create_graph)
        return
    # Only the given tensors (leaves or not) accumulate into their ``.grad``.
    res = run_backward(tensors, grads, retain_graph=bool(retain_graph), inputs=inputs, create_graph=create_graph)
    for t, g in zip(inputs, res):
        if g is None:
            continue
        if t.grad_fn is None:  # a leaf: its AccumulateGrad's step (its node hooks, post-accumulate-grad hooks)
            run_accumulate_grad(t._accumulator or AccumulateGrad(t), g, create_graph, tensors[0])
        elif create_graph:
            accumulate(t, g)
        else:
            AccumulateGrad(t).accumulate(g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` without touching ``.grad``.

    Mirrors ``torch.autograd.grad``. With ``create_graph=True`` the gradients returned
    have a graph of their own, so they can be differentiated again (gradient penalties,
    Hessian-vector products); ``retain_graph`` then defaults to True.

    Args:
        outputs: a tensor or a sequence of tensors to differentiate.
        inputs: a tensor or a sequence of tensors to differentiate with respect to.
        grad_outputs: the gradient of each of ``outputs``, or ``None`` for a one-element
            output (the gradient 1). Default ``None``.
        retain_graph: keep the graph for another backward; defaults to ``create_graph``.
        create_graph: record the backward computation, for higher-order derivatives
            (default ``False``).
        only_inputs: deprecated and ignored, as in PyTorch.
        allow_unused: return ``None`` for an input the outputs do not depend on instead
            of raising (default ``False``).
        is_grads_batched: not supported (needs vmap).
        materialize_grads: return zeros instead of ``None`` for unused inputs (implies
            ``allow_unused``; default ``False``).

    Returns:
        tuple of Tensor: one gradient per input, each with that input's shape (``None``
            for an unused input when ``allow_unused=True``).

    Raises:
        RuntimeError: if ``inputs`` is empty; if a non-scalar output has no
            ``grad_outputs``; if an output does not require grad ("element 0 of tensors
            does not require grad and does not have a grad_fn", checked before the inputs);
            if an input does not require grad; if an input was not used in the graph
            (unless ``allow_unused=True``).
        NotImplementedError: with ``is_grads_batched=True``; with ``create_graph=True``, if the graph holds an op whose
            backward reftorch cannot differentiate yet (the message names it).

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> torch.autograd.grad((x ** 2).sum(), x)
        (tensor([2., 4.]),)
    """
    if is_grads_batched:
        raise NotImplementedError("reftorch does not implement is_grads_batched=True (it needs vmap)")
    if retain_graph is None:
        retain_graph = create_graph
    outputs = _seq(outputs)
    inputs = _seq(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    gos = _seq(grad_outputs) or [None] * len(outputs)
    grads = _make_grads(outputs, gos, create_graph)
    _check_differentiable(outputs, inputs, "grad")
    res = run_backward(outputs, grads, retain_graph=bool(retain_graph), inputs=inputs, create_graph=create_graph)
    out = []
    for i, (t, g) in enumerate(zip(inputs, res)):
        if g is None:
            if not allow_unused and not materialize_grads:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            out.append(None if not materialize_grads else t.detach() * 0)
        elif create_graph:
            out.append(g)
        else:
            out.append(Tensor._wrap(g, t.device, t._backend))
    return tuple(out)
