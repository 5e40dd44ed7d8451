"""``torch._dynamo.exc``: the exceptions ``torch.compile`` raises for bad arguments.
Mirrors ``torch._dynamo.exc`` (the few classes reftorch raises)."""
from __future__ import annotations

__all__ = ["InvalidBackend", "TorchDynamoException"]


class TorchDynamoException(RuntimeError):
    """Base class of the compiler's errors (a ``RuntimeError``). Mirrors
    ``torch._dynamo.exc.TorchDynamoException``."""


class InvalidBackend(TorchDynamoException):
    """``torch.compile(..., backend=name)`` with a name :func:`torch._dynamo.list_backends`
    does not know. Mirrors ``torch._dynamo.exc.InvalidBackend``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for available backends.")
