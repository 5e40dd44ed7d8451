"""Conformance: ``torch.asarray`` on tensors -- aliasing, copies, ``requires_grad``
(unspecified, True, False), graph membership and warnings, against torch."""
from __future__ import annotations

import warnings

import pytest

import reftorch
from tests._compare import torch

CASES = [
    ("leaf", {}), ("nonleaf", {}), ("nonleaf", {"requires_grad": False}), ("leaf", {"requires_grad": False}),
    ("nonleaf", {"requires_grad": True}), ("leaf", {"copy": True}), ("leaf", {"copy": True, "requires_grad": False}),
    ("nonleaf", {"copy": True}), ("nonleaf", {"dtype": "float64"}),
    ("nonleaf", {"dtype": "float64", "requires_grad": False}), ("plain", {}), ("plain", {"requires_grad": True}),
    ("int", {"requires_grad": True}), ("list", {"requires_grad": True}), ("leaf", {"copy": False, "dtype": "float64"}),
]


def _run(T, src, kw):
    x = T.ones(2, requires_grad=True)
    obj = {"leaf": x, "nonleaf": x * 2, "plain": T.ones(2), "int": T.ones(2, dtype=T.int64), "list": [1.0, 2.0]}[src]
    kw = {k: (getattr(T, v) if k == "dtype" else v) for k, v in kw.items()}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = T.asarray(obj, **kw)
        except Exception as e:  # noqa: BLE001 - compared with torch
            return type(e).__name__, str(e)
    return (r is obj, r.requires_grad, type(r.grad_fn).__name__, r.is_leaf, str(r.dtype), x.requires_grad,
            [str(m.message).split(" (Triggered internally")[0] for m in w], r.tolist())


@pytest.mark.parametrize("src,kw", CASES)
def test_asarray(src, kw):
    assert _run(reftorch, src, kw) == _run(torch, src, kw)
