"""``matmul`` (``@``) against torch over ranks 1-4, empty sizes, batch broadcasting, mixed
dtypes, bool, transposed layouts and ``requires_grad``: PyTorch's composite ``matmul``
reaches ``dot``, ``mv``, ``mm`` on a folded operand or ``bmm``, and that kernel decides the
error (type and message), the result's strides and its ``grad_fn``."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import torch

SHAPES = [(0,), (3,), (2, 3), (3, 2), (1, 3), (0, 3), (2, 0), (2, 2, 3), (1, 3, 2), (2, 3, 2), (2, 1, 3, 2)]
DTYPES = [("float32", "float32"), ("float32", "float64"), ("int64", "float32"), ("bool", "bool"),
          ("bool", "float32"), ("int64", "int64")]


def _outcome(T, sa, sb, da, db, transposed, grad):
    def make(shape, dt, k):
        t = T.tensor(np.arange(int(np.prod(shape))).reshape(shape) % k, dtype=getattr(T, dt))
        if transposed and t.dim() >= 2:
            t = t.transpose(-1, -2).contiguous().transpose(-1, -2)
        return t.requires_grad_(grad)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = make(sa, da, 3) @ make(sb, db, 2)
    except Exception as e:  # noqa: BLE001 - type and message are compared
        return type(e).__name__, str(e)
    values = np.asarray(r.detach().double()._host() if T is reftorch else r.detach().double().numpy())
    return (tuple(r.shape), str(r.dtype).split(".")[-1], tuple(r.stride()) if r.numel() else None,
            r.grad_fn.name() if r.grad_fn is not None else None, values.round(6).tolist())


@pytest.mark.parametrize("sa", SHAPES, ids=str)
def test_matmul_matches_torch(sa):
    for sb, (da, db), transposed, grad in itertools.product(SHAPES, DTYPES, (False, True), (False, True)):
        if grad and not (da.startswith("float") and db.startswith("float")):
            continue
        case = (sa, sb, da, db, transposed, grad)
        assert _outcome(reftorch, *case) == _outcome(torch, *case), case
