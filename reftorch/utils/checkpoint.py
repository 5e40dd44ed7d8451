"""Activation checkpointing: trade compute for memory by recomputing a part of the model in
the backward pass. Mirrors ``torch.utils.checkpoint``.

* ``use_reentrant=True`` (PyTorch's default, with a warning when the argument is not
  passed): :class:`CheckpointFunction` runs the function without recording a graph, keeps
  only its inputs, and in the backward pass runs it again (with the random generator's
  state of the forward pass, so dropout draws the same mask) and backpropagates through
  the recomputed graph. The output's ``grad_fn`` is ``CheckpointFunctionBackward``.
* ``use_reentrant=False``: PyTorch drops the tensors saved inside the function through
  saved-tensor hooks and recomputes them on demand. reftorch's variant does not use
  saved-tensor hooks: it runs the function with its graph recorded as usual, with the same
  outputs, ``grad_fn`` names and gradients (``autograd.grad`` and keyword arguments work),
  but no memory saved and no second call of the function.
"""
from __future__ import annotations

import contextlib
import warnings

from .._tensor import Tensor
from ..autograd import Function, backward as _backward
from ..autograd.engine import _is_checkpoint_valid
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.modules.container import Sequential
from ..random import fork_rng, get_rng_state, set_rng_state

__all__ = ["CheckpointFunction", "check_backward_validity", "checkpoint", "checkpoint_sequential",
           "detach_variable", "noop_context_fn"]

_DETERMINISM_CHECKS = ("default", "none")


def detach_variable(inputs):
    """``inputs`` (a tuple) with each tensor detached, keeping its ``requires_grad``.

    Raises:
        RuntimeError: ``inputs`` is not a tuple.
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs):
    """Warn (as PyTorch) when no tensor of ``inputs`` requires grad."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


def noop_context_fn():
    """The default ``context_fn``: two contexts that do nothing."""
    return contextlib.nullcontext(), contextlib.nullcontext()


class CheckpointFunction(Function):
    """The reentrant checkpoint: ``forward`` runs ``run_function`` without a graph;
    ``backward`` runs it again with a graph and backpropagates through it."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:  # (CUDA tensors draw from the CPU generator in reftorch)
            ctx.fwd_cpu_state = get_rng_state()
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *args):
        if not _is_checkpoint_valid():
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an "
                "`inputs` parameter to .backward(). To resolve this error, you can either set "
                "use_reentrant=False, or call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, tensor in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = tensor
        with fork_rng(devices=[], enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                set_rng_state(ctx.fwd_cpu_state)
            detached_inputs = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached_inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(out, grad) for out, grad in zip(outputs, args) if isinstance(out, Tensor) and out.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _backward([out for out, _ in pairs], [grad for _, grad in pairs])
        return (None, None) + tuple(inp.grad if isinstance(inp, Tensor) else None for inp in detached_inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its intermediate results for the
    backward pass, which recomputes them. Mirrors ``torch.utils.checkpoint.checkpoint``.

    With ``use_reentrant=True`` (the default when it is not passed, with PyTorch's
    warning) the output's ``grad_fn`` is ``CheckpointFunctionBackward``: the backward pass
    calls ``function`` again, with the random state of the forward pass when
    ``preserve_rng_state`` (so dropout draws the same mask), and backpropagates through it;
    if no tensor argument requires grad, the output does not either (PyTorch's warning).
    With ``use_reentrant=False`` reftorch runs ``function`` with its graph recorded (it does
    not drop the activations through saved-tensor hooks): the same values, ``grad_fn`` names and gradients as PyTorch,
    with keyword arguments and ``autograd.grad`` supported, but the activations are kept
    and ``function`` is called once. So with ``preserve_rng_state=False`` random ops are
    not redrawn in backward (PyTorch's recomputation draws fresh numbers, and its
    gradients then do not match its forward pass).

    Args:
        function: what to run.
        *args: its arguments.
        use_reentrant: which variant (see above); pass it explicitly.
        **kwargs: ``preserve_rng_state`` (default True: restore the random state of the
            forward pass for the recomputation); the other keywords go to ``function``
            (non-reentrant only).
        context_fn: returns two context managers, for the forward pass and the
            recomputation (non-reentrant only).
        determinism_check: ``"default"`` or ``"none"`` (non-reentrant only; reftorch
            recomputes nothing to check).
        debug: accepted (non-reentrant only).
        early_stop: accepted.

    Returns:
        What ``function`` returns.

    Raises:
        ValueError: keyword arguments, ``context_fn`` or ``debug`` with the reentrant
            variant; an unknown ``determinism_check``.
        RuntimeError: (reentrant, at backward) inside ``autograd.grad`` or
            ``backward(inputs=...)``, or when no output requires grad.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.utils.checkpoint import checkpoint
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = checkpoint(lambda t: (t * t).sin(), x, use_reentrant=True)
        >>> y.grad_fn.name()
        'CheckpointFunctionBackward'
        >>> y.sum().backward()
        >>> x.grad
        tensor([ 1.0806, -2.6146])
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
            "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False "
            "is recommended, but if you need to preserve the current default behavior, you can pass "
            "use_reentrant=True. Refer to docs for more details on the differences between the two variants.",
            stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if debug and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    if determinism_check not in _DETERMINISM_CHECKS:
        raise ValueError(f"determinism_check should be one of {list(_DETERMINISM_CHECKS)}, "
                         f"but got {determinism_check}")
    forward_context, _ = context_fn()
    with forward_context:
        return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (an ``nn.Sequential`` or a list of modules/functions) one after the
    other on ``input``, in ``segments`` chunks of which all but the last are checkpointed
    (see :func:`checkpoint`). Mirrors ``torch.utils.checkpoint.checkpoint_sequential``.

    Each chunk has ``len(functions) // segments`` functions; the last chunk takes the rest
    and runs normally.

    Args:
        functions: the model, as an ``nn.Sequential`` or a list.
        segments: number of chunks.
        input: the input tensor.
        use_reentrant: the checkpoint variant (PyTorch's warning when not passed; then True).
        **kwargs: ``preserve_rng_state`` only (default True).

    Returns:
        The output of the last function.

    Raises:
        ValueError: another keyword argument.
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
            "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
            "use_reentrant=False is recommended, but if you need to preserve the current default behavior, you "
            "can pass use_reentrant=True. Refer to docs for more details on the differences between the two "
            "variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
