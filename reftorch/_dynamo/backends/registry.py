"""The backend names ``torch.compile(backend=...)`` accepts, with PyTorch 2.13's tags.
Mirrors ``torch._dynamo.backends.registry``.

reftorch has no compiler: every backend runs the model eagerly. The names are kept so that
code naming a backend runs unchanged and a misspelt name fails as in PyTorch.
"""
from __future__ import annotations

from .. import exc

__all__ = ["list_backends", "lookup_backend"]

_DEBUG = ("debug",)
#: name -> tags, as registered in PyTorch 2.13 (CPU build).
_BACKENDS = {
    "aot_eager": _DEBUG, "aot_eager_decomp_partition": _DEBUG, "aot_eager_decomp_partition_crossref": _DEBUG,
    "aot_eager_decomp_partition_with_mode": _DEBUG, "aot_eager_default_partitioner": _DEBUG, "aot_ts": _DEBUG,
    "cudagraphs": (), "dynamo_accuracy_minifier_backend": _DEBUG, "dynamo_minifier_backend": _DEBUG,
    "eager": _DEBUG, "eager_debug": _DEBUG, "eager_noexcept": _DEBUG, "inductor": (), "invoke_subgraph": _DEBUG,
    "non_leaf_compile_error_TESTING_ONLY": _DEBUG, "openxla": (), "openxla_eval": ("experimental",),
    "pre_dispatch_eager": _DEBUG, "relu_accuracy_error_TESTING_ONLY": _DEBUG,
    "relu_compile_error_TESTING_ONLY": _DEBUG, "relu_runtime_error_TESTING_ONLY": _DEBUG, "ts": _DEBUG,
    "tvm": (),
}


def list_backends(exclude_tags=("debug", "experimental")) -> list[str]:
    """The sorted backend names, leaving out those tagged with any of ``exclude_tags``
    (``exclude_tags=()`` lists all). Mirrors ``torch._dynamo.list_backends``.

    Examples:
        >>> import reftorch as torch
        >>> torch.compiler.list_backends()
        ['cudagraphs', 'inductor', 'openxla', 'tvm']
    """
    excluded = set(exclude_tags or ())
    return sorted(name for name, tags in _BACKENDS.items() if not excluded.intersection(tags))


def lookup_backend(backend):
    """``backend`` itself when it is a callable or a known name.

    Raises:
        torch._dynamo.exc.InvalidBackend: for an unknown name.
    """
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise exc.InvalidBackend(name=backend)
    return backend
