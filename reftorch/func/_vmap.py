"""``torch.func.vmap`` as a loop over the batch.

PyTorch's ``vmap`` runs ``func`` once on "batched tensors" that hide the mapped dimension
and push it into every operation. reftorch computes the same result the plain way: it
splits each batched input along its ``in_dim`` (``x.select(in_dim, i)``), calls ``func``
once per sample, and stacks the per-sample outputs along their ``out_dims``
(``torch.stack``). Since ``func`` sees ordinary tensors of the per-sample shape, shapes,
dtypes (type promotion included) and values are the same as PyTorch's, nesting
(``vmap(vmap(f))``, ``vmap(grad(f))``) needs nothing special, and autograd records the
``select`` / ``stack`` steps, so gradients flow back to the inputs.

Random operations go through the draw hooks of ``reftorch.random``: ``randomness="error"``
raises as PyTorch does, ``"same"`` puts back the generators' states before each sample
(one draw, reused), ``"different"`` draws sample after sample (PyTorch draws for the
whole batch at once: the same numbers except for ``randn``-like draws of 16 or more
elements per sample, which PyTorch fills in blocks).
"""
from __future__ import annotations

import functools

from .._ops.join import stack
from .._tensor import Tensor
from ..random import _draw_hooks
from ..utils._pytree import _broadcast_to_and_flatten, tree_flatten, tree_map, tree_unflatten

__all__ = ["vmap"]

_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either use the 'same' or "
                 "'different' randomness flags on vmap or perform the randomness operation out of vmap")


def _get_name(func) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


# ----------------------------------------------------------------------------- inputs
def _check_out_dims(out_dims, func) -> None:
    def check(d):
        if not (d is None or isinstance(d, int)):
            raise ValueError(f"vmap({_get_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None or "
                             "a python collection of ints representing where in the outputs the vmapped dimension "
                             "should appear.")
    if not isinstance(out_dims, int):
        tree_map(check, out_dims)


def _batch_size(flat_in_dims, flat_args) -> int:
    sizes = [arg.size(d) for d, arg in zip(flat_in_dims, flat_args) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return sizes[0]


def _process_batched_inputs(in_dims, args, func):
    """``(batch_size, flat_in_dims, flat_args, args_spec)``, with PyTorch's checks."""
    where = f"vmap({_get_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({_get_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
                         "are trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_args, args_spec = tree_flatten(args)
    flat_in_dims = _broadcast_to_and_flatten(in_dims, args_spec)
    if flat_in_dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has structure "
                         f"{tree_flatten(in_dims)[1]} but inputs has structure {args_spec}.")
    for i, (arg, d) in enumerate(zip(flat_args, flat_in_dims)):
        if not isinstance(d, int) and d is not None:
            raise ValueError(f"{where}: Got in_dim={d} for an input but in_dim must be either an integer dimension "
                             "or None.")
        if isinstance(d, int) and not isinstance(arg, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(arg)}. We cannot "
                             "vmap over non-Tensor arguments, please use None as the respective in_dim")
        if d is not None and not -arg.dim() <= d < arg.dim():
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of dimensionality "
                             f"{arg.dim()} so expected in_dim to satisfy -{arg.dim()} <= in_dim < {arg.dim()}.")
        if d is not None and d < 0:
            flat_in_dims[i] = d % arg.dim()
    return _batch_size(flat_in_dims, flat_args), flat_in_dims, flat_args, args_spec


# ----------------------------------------------------------------------------- randomness
class _Randomness:
    """The random-draw hook of one ``vmap`` call: refuses draws (``"error"``), or notes
    each generator's state before its first draw so that :meth:`replay` can put it back
    before the next sample (``"same"``)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.saved = {}

    def __call__(self, engine):
        if self.mode == "error":
            raise RuntimeError(_RANDOM_ERROR)
        if self.mode == "same" and id(engine) not in self.saved:
            self.saved[id(engine)] = (engine, engine.get_state().copy())

    def replay(self):
        for engine, state in self.saved.values():
            engine.set_state(state)

    def __enter__(self):
        _draw_hooks.append(self)
        return self

    def __exit__(self, *exc):
        _draw_hooks.remove(self)


def _check_randomness_arg(randomness) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")


# ----------------------------------------------------------------------------- outputs
def _varies(samples) -> bool:
    first = samples[0]
    return any(s is not first and not (isinstance(s, Tensor) and s.dtype == first.dtype and s.shape == first.shape
                                       and bool((s == first).all()))
               for s in samples[1:])


def _remove_batch_dim(name, samples, out_dim, batch_size):
    """One output leaf: the samples stacked along ``out_dim`` (``None``: the unbatched value)."""
    first = samples[0]
    if out_dim is None:
        if isinstance(first, Tensor) and _varies(samples):
            raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
        return first
    for s in samples:
        if not isinstance(s, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(s)}. Did you "
                             "mean to set out_dims= to None for output?")
    if batch_size == 0:  # (``samples`` is the output for a stand-in sample of zeros)
        return stack(samples, dim=out_dim).narrow(out_dim, 0, 0)
    return stack(samples, dim=out_dim)


def _unwrap_batched(outputs, out_dims, func, batch_size):
    name = _get_name(func)
    flat, output_spec = tree_flatten(outputs[0])
    flats = [flat]
    for out in outputs[1:]:
        flat_i, spec_i = tree_flatten(out)
        if spec_i != output_spec:
            raise ValueError(f"vmap({name}, ...): `{name}` returned outputs of different structures for different "
                             f"samples ({output_spec} and {spec_i}); vmap needs one structure")
        flats.append(flat_i)
    if isinstance(outputs[0], Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            flat_out_dims = [out_dims]
        elif isinstance(out_dims, tuple) and len(out_dims) == 1:
            flat_out_dims = list(out_dims)
        else:
            flat_out_dims = None
    else:
        flat_out_dims = _broadcast_to_and_flatten(out_dims, output_spec)
    if flat_out_dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                         f"structure of `outputs`. out_dims has structure {tree_flatten(out_dims)[1]} but outputs "
                         f"has structure {output_spec}.")
    leaves = [_remove_batch_dim(name, [f[j] for f in flats], d, batch_size) for j, d in enumerate(flat_out_dims)]
    return tree_unflatten(leaves, output_spec)


# ----------------------------------------------------------------------------- vmap
def _sample(flat_args, flat_in_dims, i):
    """The ``i``-th sample of every batched argument (``i=None``: zeros of the sample's shape)."""
    out = []
    for arg, d in zip(flat_args, flat_in_dims):
        if d is None:
            out.append(arg)
        elif i is None:
            out.append(arg.new_zeros(arg.shape[:d] + arg.shape[d + 1:]))
        else:
            out.append(arg.select(d, i))
    return out


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """The vectorizing map: ``vmap(func)`` is a new function that maps ``func`` over a
    dimension of its inputs and stacks the results. Mirrors ``torch.func.vmap`` (also
    ``torch.vmap``).

    reftorch's ``vmap`` is a loop: each batched input is split along its ``in_dim``,
    ``func`` is called once per sample (on tensors of the per-sample shape), and the
    outputs are stacked along ``out_dims``. Values, shapes and dtypes are PyTorch's; the
    stacked result has an autograd graph back to the inputs (through ``select`` and
    ``stack``: its ``grad_fn`` is ``StackBackward0`` where PyTorch shows the last op of
    ``func``). Differences from PyTorch's batching: ``func`` may do anything a plain
    function may, so ``.item()`` and data-dependent Python control flow, which raise
    inside PyTorch's ``vmap``, just work here; an in-place operation writing batched
    values into an unbatched tensor (an error in PyTorch) writes each sample in turn;
    ``out_dims=None`` accepts any output equal in all samples (PyTorch accepts only
    outputs that do not depend on the batched inputs); with a batch of size 0, ``func``
    runs once on zeros of the per-sample shape to learn the output shapes. Random
    numbers: with ``"different"``, the samples draw one after the other (the numbers of
    PyTorch's single draw for the whole batch, except for ``randn``-like draws of 16 or
    more elements per sample); with ``"same"``, each generator's state is put back before
    each sample, and random functions of batched tensors (``bernoulli(p)`` with a batched
    ``p``), which PyTorch refuses, are allowed. ``chunk_size`` is accepted and checked but changes nothing (the loop already runs one
    sample at a time).

    Args:
        func: a function of tensors (and other values) returning a tensor, or a tuple,
            list or dict (nested) of tensors.
        in_dims: which dimension of each input is mapped over: an int for all inputs,
            or a tuple with one entry per positional argument (nested like the
            argument, or one int / ``None`` for a whole nested argument); ``None``:
            the argument is passed unchanged to every call. Keyword arguments are never
            mapped.
        out_dims: where the mapped dimension goes in each output (an int, or nested like
            the outputs; ``None``: an output that is the same for all samples, returned
            once).
        randomness: ``"error"`` (random operations in ``func`` raise), ``"different"``
            (each sample draws its own numbers) or ``"same"`` (every sample gets the
            numbers of one draw).
        chunk_size: ``None`` or a positive int: how many samples PyTorch batches at a
            time.

    Returns:
        The new function; its outputs have the batch dimension at ``out_dims``.

    Raises:
        RuntimeError: an unknown ``randomness``; a random operation with
            ``randomness="error"``.
        ValueError: ``chunk_size`` not positive; (at the call) ``in_dims`` /
            ``out_dims`` not matching the inputs / outputs, an ``in_dim`` out of range
            or on a non-tensor, no batched input, batched inputs of different sizes,
            a non-tensor output with an int ``out_dim``, or an output that differs
            between samples with ``out_dim=None``.
        IndexError: (at the call) an ``out_dim`` out of range.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> torch.vmap(torch.dot)(x, x)
        tensor([ 5., 25.])
        >>> torch.func.vmap(torch.mul, in_dims=(1, None))(x, torch.tensor([10.0, 100.0]))
        tensor([[ 10., 300.],
                [ 20., 400.]])
    """
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        _check_out_dims(out_dims, func)
        batch_size, flat_in_dims, flat_args, args_spec = _process_batched_inputs(in_dims, args, func)
        outputs = []
        with _Randomness(randomness) as rng:
            for i in range(batch_size) if batch_size else [None]:
                if outputs:
                    rng.replay()
                sample = tree_unflatten(_sample(flat_args, flat_in_dims, i), args_spec)
                outputs.append(func(*sample, **kwargs))
        return _unwrap_batched(outputs, out_dims, func, batch_size)

    return wrapped
