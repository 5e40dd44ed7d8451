"""Activation checkpointing: trade compute for memory by recomputing a part of the model in
the backward pass. Mirrors ``torch.utils.checkpoint``.

* ``use_reentrant=True`` (PyTorch's default, with a warning when the argument is not
  passed): :class:`CheckpointFunction` runs the function without recording a graph, keeps
  only its inputs, and in the backward pass runs it again (with the random generator's
  state of the forward pass, so dropout draws the same mask) and backpropagates through
  the recomputed graph. The output's ``grad_fn`` is ``CheckpointFunctionBackward``.
* ``use_reentrant=False``: the function runs with its graph recorded, under saved-tensor
  hooks whose pack hook keeps a small holder instead of each tensor an op saves (no
  activation is kept); the first unpack of a backward pass runs the function again (with
  the forward pass's random state when ``preserve_rng_state``), stopping as soon as every
  saved tensor is recomputed, and checks that the same number of tensors, of the same
  shapes, dtypes and devices, was saved (:class:`CheckpointError` otherwise).
"""
from __future__ import annotations

import collections
import contextlib
import warnings
import weakref

from .._tensor import Tensor
from ..autograd import Function, backward as _backward
from ..autograd.engine import _is_checkpoint_valid
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..autograd.graph import (GRAPH_TASKS, SAVED_HOOKS, modified_error, pack_one, saved_tensors_hooks,
                              unpack_one)
from ..nn.modules.container import Sequential
from ..random import fork_rng, get_rng_state, set_rng_state

__all__ = ["CheckpointError", "CheckpointFunction", "check_backward_validity", "checkpoint", "checkpoint_sequential",
           "detach_variable", "noop_context_fn", "set_checkpoint_debug_enabled", "set_checkpoint_early_stop"]


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


# ------------------------------------------------------------------ non-reentrant variant
#
# PyTorch's design (its notes "Nestable Checkpoint" in torch/utils/checkpoint.py): the forward
# pass runs under saved-tensor hooks whose pack hook keeps a small _Holder instead of each
# saved tensor; the first unpack of a backward pass (graph task) runs the function again
# under another pack hook that hands the recomputed tensors to the holders, in the order
# they were saved. The checkpoint's tensor arguments are saved as an op saves a tensor, so
# an enclosing checkpoint recomputes them first (nesting).

_checkpoint_debug_enabled = None
_enable_checkpoint_early_stop = None

_DEBUG_TIP = """
Tip: To see a more detailed error message, either pass `debug=True` to
`torch.utils.checkpoint.checkpoint(...)` or wrap the code block
with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to
enable checkpoint\u2011debug mode globally.

If this error occurs under torch.compile with automatic_dynamic_shapes enabled,
it may be because the recomputation selected a different compiled graph than the
forward pass (e.g., a dynamic graph instead of the original static graph).
To fix this, either:
  - Use torch._dynamo.mark_dynamic() to explicitly mark varying dimensions as
    dynamic upfront, avoiding the static-to-dynamic transition.
  - Call torch._C._dynamo.eval_frame._set_lru_cache(False) to disable LRU cache
    reordering, which can change which graph is checked first between forward
    and recompute.
See https://github.com/pytorch/pytorch/issues/166926 for more details and
workaround examples.
"""


class CheckpointError(RuntimeError):
    """The ``RuntimeError`` raised in the backward pass when the recomputation of a
    non-reentrant :func:`checkpoint` does not save the tensors its forward pass saved (another
    number of them, or other shapes, dtypes or devices), or when a saved tensor is unpacked
    twice in one backward pass. Mirrors ``torch.utils.checkpoint.CheckpointError``."""


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Context manager overriding :func:`checkpoint`'s ``early_stop`` for the non-reentrant
    checkpoints whose forward pass runs inside it (their backward pass may run outside).
    Mirrors ``torch.utils.checkpoint.set_checkpoint_early_stop``.

    Args:
        enable: False to let the recomputation run the whole function.
    """
    global _enable_checkpoint_early_stop
    prev = _enable_checkpoint_early_stop
    try:
        _enable_checkpoint_early_stop = enable
        yield
    finally:
        _enable_checkpoint_early_stop = prev


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Context manager overriding :func:`checkpoint`'s ``debug`` for the checkpoints run
    inside it. reftorch's debug mode adds no operator log to the errors. Mirrors
    ``torch.utils.checkpoint.set_checkpoint_debug_enabled``.

    Args:
        enabled: True or False, or None for no override.
    """
    global _checkpoint_debug_enabled
    prev = _checkpoint_debug_enabled
    try:
        _checkpoint_debug_enabled = enabled
        yield
    finally:
        _checkpoint_debug_enabled = prev


def _default_meta_extractor(x):
    return {"shape": x.shape, "dtype": x.dtype, "device": x.device}


_METADATA_FNS = {"default": _default_meta_extractor, "none": lambda _: None}


class _Handle:
    """The key of one recomputed tensor for one backward pass."""


class _Holder:
    """What the forward pass saves instead of a tensor: per backward pass (graph task id),
    the handle of its recomputed tensor (None once unpacked)."""

    def __init__(self):
        self.handles = {}


class _StopRecomputationError(Exception):
    """Ends a recomputation once every tensor saved in the forward pass is recomputed."""


class _SavedInput:
    """A tensor argument of the checkpoint, saved as an op saves one: through the
    saved-tensor hooks in force (an enclosing checkpoint's), else kept with its version,
    which the backward pass checks."""

    def __init__(self, t):
        self.packed = pack_one(t) if SAVED_HOOKS else None
        self.tensor = None if SAVED_HOOKS else t
        self.version = t._version

    def unpack(self):
        if self.packed is not None:
            return unpack_one(self.packed)
        if self.tensor._version != self.version:
            raise modified_error(self.tensor, self.version)
        return self.tensor


def _graph_task_id():
    """The running backward pass's id (a new key outside any, as PyTorch's uuid)."""
    return GRAPH_TASKS[-1].id if GRAPH_TASKS else object()


class _CheckpointFrame:
    """One non-reentrant checkpoint: its saved arguments, a weak reference to each holder
    the forward pass saved (with the tensor's metadata for the determinism check), and per
    backward pass the tensors recomputed."""

    def __init__(self, recompute_fn, early_stop, metadata_fn):
        self.recompute_fn = recompute_fn
        self.early_stop = early_stop
        self.metadata_fn = metadata_fn
        self.saved_args = []
        self.weak_holders = []
        self.x_metadatas = []
        self.recomputed = collections.defaultdict(weakref.WeakKeyDictionary)
        self.recomp_counter = collections.defaultdict(int)
        self.is_recomputed = collections.defaultdict(bool)
        self.forward_completed = False
        self.ignore_saved_mismatch = False

    def save_inputs(self, *args):
        self.saved_args = [_SavedInput(a) if isinstance(a, Tensor) else a for a in args]

    def get_inputs(self):
        return [a.unpack() if isinstance(a, _SavedInput) else a for a in self.saved_args]

    def check_recomputed_tensors_match(self, gid):
        if self.ignore_saved_mismatch:
            return
        if len(self.weak_holders) != self.recomp_counter[gid]:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the original forward and "
                f"recomputation.\nNumber of tensors saved during forward: {len(self.weak_holders)}\n"
                f"Number of tensors saved during recomputation: {self.recomp_counter[gid]}.\n{_DEBUG_TIP}")
        different = ""
        for idx, weak_holder in enumerate(self.weak_holders):
            holder = weak_holder()
            if holder is None:
                continue
            saved_meta = self.x_metadatas[idx]
            recomputed_meta = self.metadata_fn(self.recomputed[gid][holder.handles[gid]])
            if saved_meta != recomputed_meta:
                different += (f"tensor at position {idx}:\nsaved metadata: {saved_meta}\n"
                              f"recomputed metadata: {recomputed_meta}\n")
        if different:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have different metadata than "
                f"during the forward pass.\n{different}.\n{_DEBUG_TIP}")


class _recomputation_hook(saved_tensors_hooks):
    """The hooks of a recomputation: each tensor saved goes (detached) to the holder saved
    at the same position in the forward pass."""

    def __init__(self, frame, gid):
        def pack_hook(x):
            x = x.detach() if x.requires_grad else x
            idx = frame.recomp_counter[gid]
            frame.recomp_counter[gid] += 1
            if idx >= len(frame.weak_holders):
                if not frame.forward_completed:  # (a backward pass inside the function, no early stop)
                    frame.ignore_saved_mismatch = True
                    return x
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors during recomputation "
                                      f"than during the original forward pass.\n{_DEBUG_TIP}")
            holder = frame.weak_holders[idx]()
            if holder is not None:  # (else freed by a backward pass inside the function)
                handle = holder.handles[gid] = _Handle()
                frame.recomputed[gid][handle] = x
            if frame.early_stop and frame.recomp_counter[gid] == len(frame.weak_holders):
                raise _StopRecomputationError
            return x

        super().__init__(pack_hook, lambda x: x)


class _checkpoint_hook(saved_tensors_hooks):
    """The hooks of a checkpoint's forward pass: a tensor is saved as a holder; its first
    unpack in a backward pass recomputes the function, each unpack hands one tensor out."""

    def __init__(self, frame):
        def pack_hook(x):
            holder = _Holder()
            frame.weak_holders.append(weakref.ref(holder))
            if frame.metadata_fn is not None:
                with no_grad():
                    frame.x_metadatas.append(frame.metadata_fn(x))
            return holder

        def unpack_hook(holder):
            gid = _graph_task_id()
            if not frame.is_recomputed[gid]:
                args = frame.get_inputs()
                try:
                    with _recomputation_hook(frame, gid), enable_grad():
                        frame.recompute_fn(*args)
                except _StopRecomputationError:
                    pass
                frame.is_recomputed[gid] = True
                frame.check_recomputed_tensors_match(gid)
            if holder.handles[gid] is None:
                raise CheckpointError(
                    "torch.utils.checkpoint: Unpack is being triggered for a tensor that was already unpacked once. "
                    "If you are calling ctx.saved_tensors in backward, make sure to do so only once. Otherwise "
                    "please open an issue with details on your use case.")
            ret = frame.recomputed[gid][holder.handles[gid]]
            holder.handles[gid] = None
            return ret

        super().__init__(pack_hook, unpack_hook)


_SUPPRESSED = ("torch.utils.checkpoint: the forward context provided by context_fn suppressed an exception raised "
               "during the checkpointed forward. This is not supported because checkpoint cannot return a value for "
               "a failed forward.")


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check, debug, early_stop,
                                  args, kwargs):
    """Run ``function`` under :class:`_checkpoint_hook` (see the notes above)."""
    if _checkpoint_debug_enabled if _checkpoint_debug_enabled is not None else debug:
        if context_fn is not noop_context_fn:
            raise ValueError("debug=True is incompatible with non-default context_fn")
    if determinism_check not in _METADATA_FNS:
        raise ValueError(f"determinism_check should be one of {list(_METADATA_FNS)}, but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    if preserve_rng_state:  # (CUDA tensors draw from the CPU generator in reftorch)
        fwd_cpu_state = get_rng_state()

    def recompute_fn(*inputs):
        with fork_rng(devices=[], enabled=preserve_rng_state):
            if preserve_rng_state:
                set_rng_state(fwd_cpu_state)
            with recompute_context:
                function(*inputs, **kwargs)

    early_stop = _enable_checkpoint_early_stop if _enable_checkpoint_early_stop is not None else early_stop
    frame = _CheckpointFrame(recompute_fn, early_stop, _METADATA_FNS[determinism_check])
    if not is_grad_enabled():
        return function(*args, **kwargs)
    frame.save_inputs(*args)
    suppressed = True
    with _checkpoint_hook(frame), forward_context:
        out = function(*args, **kwargs)
        suppressed = False
    if suppressed:
        raise RuntimeError(_SUPPRESSED)
    frame.forward_completed = True
    return out


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its intermediate results for the
    backward pass, which recomputes them. Mirrors ``torch.utils.checkpoint.checkpoint``.

    With ``use_reentrant=True`` (the default when it is not passed, with PyTorch's
    warning) the output's ``grad_fn`` is ``CheckpointFunctionBackward``: the backward pass
    calls ``function`` again, with the random state of the forward pass when
    ``preserve_rng_state`` (so dropout draws the same mask), and backpropagates through it;
    if no tensor argument requires grad, the output does not either (PyTorch's warning).
    With ``use_reentrant=False`` the output has the graph of ``function`` but its ops keep
    none of the tensors they save; the first backward pass (or ``autograd.grad``, or
    ``backward(inputs=...)``) that needs one calls ``function`` again to recompute them,
    once per backward pass, so ``function`` runs twice. With ``preserve_rng_state=False``
    that call draws new random numbers (dropout then uses another mask in the gradients).
    Checkpoints nest. ``debug=True`` is accepted but adds no operator log to the errors
    (reftorch records none).

    Args:
        function: what to run.
        *args: its arguments.
        use_reentrant: which variant (see above); pass it explicitly.
        **kwargs: ``preserve_rng_state`` (default True: restore the random state of the
            forward pass for the recomputation); the other keywords go to ``function``
            (non-reentrant only).
        context_fn: returns two context managers, for the forward pass and the
            recomputation (non-reentrant only).
        determinism_check: ``"default"`` (compare the shapes, dtypes and devices of the
            recomputed saved tensors with the forward pass's) or ``"none"`` (non-reentrant
            only).
        debug: accepted (non-reentrant only; see above).
        early_stop: stop the recomputation once every saved tensor is recomputed
            (default True; non-reentrant only; :func:`set_checkpoint_early_stop`
            overrides it).

    Returns:
        What ``function`` returns.

    Raises:
        ValueError: keyword arguments, ``context_fn`` or ``debug`` with the reentrant
            variant; an unknown ``determinism_check``; ``debug`` with a ``context_fn``.
        RuntimeError: (reentrant, at backward) inside ``autograd.grad`` or
            ``backward(inputs=...)``, or when no output requires grad; a ``context_fn``
            whose forward context suppressed an exception of ``function``.
        CheckpointError: (non-reentrant, at backward) the recomputation saved another
            number of tensors, or (``determinism_check="default"``) tensors of other
            shapes, dtypes or devices; a saved tensor unpacked twice in one backward pass.

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
        >>> calls = []
        >>> def f(t):
        ...     calls.append(t.shape)
        ...     return t.exp()
        >>> y = checkpoint(f, x, use_reentrant=False)
        >>> y.grad_fn.name()
        'ExpBackward0'
        >>> y.sum().backward()
        >>> len(calls)
        2
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
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, debug, early_stop, args,
                                         kwargs)


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
