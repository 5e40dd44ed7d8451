"""An explicit ``None`` where PyTorch's signature has no ``None``.

Many reftorch functions used ``None`` as the default of an argument that PyTorch's
overloads take as an int or a bool (``squeeze(dim)``, ``max(dim)``, ``topk(dim=-1)``,
``std(unbiased)``, ``arange(end)``), so ``x.max(None)`` or ``torch.arange(0, None)``
quietly meant "not given" where PyTorch raises TypeError. Each expression runs on both
libraries: same result or the same exception type. Where ``None`` is PyTorch's own
default (``sum(None)``, ``std(None)``, ``any(None)``) it keeps working. Not covered: an
explicit ``keepdim=False`` without ``dim`` (``x.max(keepdim=False)``, refused by PyTorch)
cannot be told from the default.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

X = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], dtype=np.float32)


def _run(expr):
    return lambda T, x: eval(expr, {"T": T, "x": x, "c": x > 2})


@pytest.mark.parametrize("expr", [
    # refused: None is no dim
    "x.squeeze(None)", "T.squeeze(x, None)", "x.max(None)", "x.min(None)", "T.max(x, None)", "x.prod(None)",
    "x.median(None)", "x.logsumexp(None)", "x.softmax(None)", "T.log_softmax(x, None)", "x.topk(1, None)",
    "x.max(axis=None)", "x.squeeze(axis=None)", "T.unsqueeze(x, None)",
    # refused: None is no bool
    "x.max(0, None)", "x.argmax(0, None)", "x.argmin(keepdim=None)", "x.std(0, None)", "x.std(unbiased=None)",
    "x.var(None, None)", "x.topk(1, 0, None)", "x.topk(1, 0, True, None)", "x.sort(0, None)",
    "x.argsort(0, None)", "x.sort(descending=None)",
    # refused: keepdim without dim
    "x.max(keepdim=True)", "x.min(keepdim=True)", "x.prod(keepdim=True)", "x.median(keepdim=True)",
    # refused: None is no number
    "T.arange(0, None)", "T.arange(None)", "T.arange(0, 5, None)", "T.arange(None, 5)",
    # accepted: None is PyTorch's default there, or nothing is given
    "x.sum(None)", "x.mean(None)", "x.std(None)", "x.var(None)", "x.any(None)", "x.all(None)", "x.amax(None)",
    "x.argmax(None)", "x.count_nonzero(None)", "x.nansum(None)", "T.std_mean(x, None)", "x.squeeze()",
    "x.reshape(1, 6).squeeze()", "x.max()", "x.min()", "x.prod()", "x.median()", "x.topk(2)", "x.topk(2, largest=False)",
    "x.sort()", "x.sort(0, True)", "x.std()", "x.std(0, False)", "x.var(unbiased=False)", "x.var(0, True, True)",
    "T.arange(5)", "T.arange(end=5)", "T.arange(1, 5)", "T.arange(0, 1, 0.25)", "x.max(0, True)",
    "x.prod(0, True)", "x.median(1, keepdim=True)",
])
def test_explicit_none(expr):
    both(_run(expr), X)
