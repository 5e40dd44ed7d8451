"""``torch.backends.cuda``: the cuBLAS switches, ``torch.backends.cuda.matmul``. Mirrors
``torch.backends.cuda``.

``matmul.allow_tf32`` is another view of ``torch.set_float32_matmul_precision``: True for
``"high"`` and ``"medium"``, False for ``"highest"`` (the default); setting it sets the
precision to ``"high"`` or ``"highest"``. (PyTorch 2.13 also tracks which of the two APIs
was used, and ``get_float32_matmul_precision`` raises after a mix of both; reftorch keeps
one setting.) reftorch computes in full precision whatever they say.

Examples:
    >>> import reftorch as torch
    >>> torch.backends.cuda.matmul.allow_tf32
    False
    >>> torch.set_float32_matmul_precision("high")
    >>> torch.backends.cuda.matmul.allow_tf32
    True
    >>> torch.set_float32_matmul_precision("highest")
"""
from __future__ import annotations

from .. import _flags

__all__ = ["matmul", "cuBLASModule"]


class cuBLASModule:
    """``torch.backends.cuda.matmul``: ``allow_tf32``,
    ``allow_fp16_reduced_precision_reduction`` and ``allow_bf16_reduced_precision_reduction``
    (both True by default); any other attribute raises ``AttributeError``."""

    _reduced = {"allow_fp16_reduced_precision_reduction": True, "allow_bf16_reduced_precision_reduction": True}

    def __getattr__(self, name):
        if name in self._reduced:
            return self._reduced[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            if value.__class__ is not bool:
                raise RuntimeError(f"set_allow_tf32_cublas expects a bool, but got {type(value).__name__}")
            _flags._matmul_precision[0] = "high" if value else "highest"
        elif name in self._reduced:
            if value.__class__ is not bool:
                raise RuntimeError(f"{name} expects a bool, but got {type(value).__name__}")
            self._reduced[name] = value
        else:
            raise AttributeError(f"Unknown attribute {name}")

    @property
    def allow_tf32(self) -> bool:
        return _flags._matmul_precision[0] != "highest"


matmul = cuBLASModule()
