"""``torch.compile``. reftorch has no compiler: the compiled model runs eagerly, with the
same results and no speed-up (see :mod:`reftorch._dynamo.eval_frame`)."""
from __future__ import annotations

from ._dynamo.backends.registry import lookup_backend
from ._dynamo.eval_frame import OptimizeContext

__all__ = ["compile"]

#: The ``mode`` names of the inductor backend.
_INDUCTOR_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(model=None, *, fullgraph=False, dynamic=None, backend=None, mode=None, options=None, name=None,
            disable=False, recompile_limit=None, isolate_recompiles=False, shapes_spec=None):
    """Optimize a model or function with a compiler, in PyTorch; in reftorch, run it eagerly.

    reftorch does not compile: the returned module or function runs the original one
    unchanged, giving the same results as without ``torch.compile`` and no speed-up. What
    stays as in PyTorch: the arguments are checked alike, a module comes back wrapped in an
    ``OptimizedModule`` (its ``state_dict()`` keys start with ``_orig_mod.``), a function
    comes back wrapped (``__wrapped__`` is the original),
    :func:`torch.compiler.is_compiling` is True while the compiled code runs, and the first
    call (without ``disable``) turns off the argument validation of ``torch.distributions``
    for the whole process (``Normal(0.0, -1.0)`` then no longer raises), as PyTorch's does.

    Args:
        model: the ``nn.Module`` or function; ``None`` returns a decorator taking it (so
            ``@torch.compile`` and ``@torch.compile(mode=...)`` both work).
        fullgraph: PyTorch: fail on any graph break (accepted, no effect).
        dynamic: PyTorch: compile for dynamic shapes (accepted, no effect).
        backend: a name from :func:`torch.compiler.list_backends` (default ``"inductor"``)
            or a callable backend (not called: nothing is traced).
        mode: for ``"inductor"``: ``"default"``, ``"lite"``, ``"reduce-overhead"``,
            ``"max-autotune-no-cudagraphs"`` or ``"max-autotune"``.
        options: a dict of backend options (not with ``mode``; keys not checked).
        name: PyTorch: a name for the compiled region (accepted, no effect).
        disable: return ``model`` itself, uncompiled.
        recompile_limit: PyTorch: recompilations allowed (accepted, no effect).
        isolate_recompiles: PyTorch: a separate compile cache (accepted, no effect).
        shapes_spec: PyTorch: a specification of the input shapes (accepted, no effect).

    Returns:
        An ``OptimizedModule`` wrapping a module (``._orig_mod`` is the module), a function
        wrapping any other callable, ``model`` itself when ``disable``, or a decorator when
        ``model`` is None.

    Raises:
        RuntimeError: for ``mode`` and ``options`` together, or an unknown inductor mode.
        torch._dynamo.exc.InvalidBackend: for an unknown backend name (a ``RuntimeError``).
        AssertionError: if ``model`` is not callable.

    Mirrors ``torch.compile``.

    Examples:
        >>> import reftorch as torch
        >>> model = torch.compile(torch.nn.Linear(2, 1))
        >>> model
        OptimizedModule(
          (_orig_mod): Linear(in_features=2, out_features=1, bias=True)
        )
        >>> list(model.state_dict())
        ['_orig_mod.weight', '_orig_mod.bias']
        >>> @torch.compile
        ... def double(x):
        ...     return 2 * x
        >>> double(torch.tensor([1.0, 2.0]))
        tensor([2., 4.])
    """
    if backend is None:
        backend = "inductor"
    if model is None:
        def fn(model):
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode, options=options,
                           name=name, disable=disable, recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return fn
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if mode is None and options is None:
        mode = "default"
    if backend == "inductor":
        if mode is not None and mode not in _INDUCTOR_MODES:
            raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_INDUCTOR_MODES)}")
        for _ in (options or {}).items():  # (PyTorch's AttributeError for options that are not a dict)
            pass
    else:
        lookup_backend(backend)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    return OptimizeContext(backend, mode, options, fullgraph, dynamic)(model)
