"""``LinearCrossEntropyOptions``: the chunking options of ``F.linear_cross_entropy``.

Mirrors ``torch.nn.modules.linear_cross_entropy_options``: the same frozen dataclass,
fields, defaults, repr and validation. PyTorch uses them to pick a chunked kernel that never
holds the whole ``(N, C)`` logits; reftorch accepts them and computes the same loss with
the reference path (see :func:`reftorch.nn.functional.linear_cross_entropy`).
"""
from __future__ import annotations

import dataclasses

from ... import _dtype as D

__all__ = ["LinearCrossEntropyOptions"]

_ACC_POLICIES = ("auto", "accurate", "balanced", "compact")


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Options of the chunked :func:`~reftorch.nn.functional.linear_cross_entropy`.

    Passing an instance (instead of ``None``) asks PyTorch for its chunked kernel, which
    processes the batch in pieces to save memory. reftorch validates the options as
    PyTorch does and computes the same loss on the reference path (``linear`` then
    ``cross_entropy``), naming the result's ``grad_fn`` as PyTorch's chunked node.
    Mirrors ``torch.nn.LinearCrossEntropyOptions``.

    Args:
        allow_retain_graph (bool): allow ``retain_graph=True`` on backward (default False).
        batch_chunk_size (int or None): rows per chunk (default None: one chunk).
        chunking_method (str or None): ``"auto"`` (default), ``"aspect_ratio"``,
            ``"aspect_ratio:N"`` or None.
        acc_policy (str): ``"auto"`` (default), ``"accurate"``, ``"balanced"`` or
            ``"compact"``.
        acc_dtype (dtype or None): the accumulation dtype: None (default) or a float dtype.

    Raises:
        ValueError: an unknown policy or chunking method, a chunk size that is not a
            positive int, an accumulation dtype that is not a float dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
        LinearCrossEntropyOptions(allow_retain_graph=False, batch_chunk_size=2, chunking_method='auto', acc_policy='auto', acc_dtype=None)
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            if not sep:
                factor = "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        if not (self.batch_chunk_size is None
                or (isinstance(self.batch_chunk_size, int) and self.batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {self.batch_chunk_size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in (D.float16, D.bfloat16, D.float32, D.float64):
            raise ValueError("acc_dtype must be one of {None, torch.float16, torch.bfloat16, torch.float32, "
                             f"torch.float64}}, got {self.acc_dtype!r}. Pass acc_dtype=None to let the op pick "
                             "automatically.")
