"""``torch._dynamo.decorators``: :func:`disable`. Mirrors ``torch._dynamo.decorators``."""
from __future__ import annotations

from .eval_frame import DisableContext

__all__ = ["disable"]


def disable(fn=None, recursive=True, *, reason=None):
    """Run ``fn`` uncompiled even when compiled code calls it (see
    :func:`torch.compiler.disable`). Mirrors ``torch._dynamo.disable``."""
    if not recursive:  # (PyTorch compiles what fn calls; reftorch compiles nothing)
        def wrap(fn):
            return DisableContext()(fn)
        return wrap if fn is None else wrap(fn)
    return DisableContext() if fn is None else DisableContext()(fn)
