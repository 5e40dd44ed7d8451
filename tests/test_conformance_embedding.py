"""Conformance: ``nn.Embedding`` edge cases (empty index batches, zero rows or columns,
bad indices), values, gradients and exception types against torch."""
from __future__ import annotations

import pytest

from tests._compare import both


def _emb_grad(T, num, dim, idx, **kw):
    T.manual_seed(0)
    e = T.nn.Embedding(num, dim, **kw)
    out = e(idx(T))
    out.sum().backward()
    return out, e.weight.grad, tuple(e.weight.shape)


CASES = {
    "empty_batch": lambda T: _emb_grad(T, 5, 2, lambda T: T.tensor([], dtype=T.long)),
    "empty_2d_batch_padding": lambda T: _emb_grad(T, 5, 2, lambda T: T.zeros(3, 0, dtype=T.long), padding_idx=0),
    "empty_batch_scale": lambda T: _emb_grad(T, 5, 2, lambda T: T.tensor([], dtype=T.long), scale_grad_by_freq=True),
    "zero_rows": lambda T: _emb_grad(T, 0, 3, lambda T: T.tensor([], dtype=T.long)),
    "zero_rows_lookup": lambda T: _emb_grad(T, 0, 3, lambda T: T.tensor([0])),
    "zero_columns": lambda T: _emb_grad(T, 3, 0, lambda T: T.tensor([1, 2])),
    "out_of_range": lambda T: _emb_grad(T, 3, 3, lambda T: T.tensor([3])),
    "negative": lambda T: _emb_grad(T, 3, 3, lambda T: T.tensor([-1])),
    "float_indices": lambda T: _emb_grad(T, 3, 3, lambda T: T.tensor([1.0])),
    "int32_indices": lambda T: _emb_grad(T, 3, 3, lambda T: T.tensor([1, 1], dtype=T.int32)),
    "repeated_scale": lambda T: _emb_grad(T, 4, 2, lambda T: T.tensor([[1, 1], [2, 1]]), scale_grad_by_freq=True),
    "padding_negative": lambda T: _emb_grad(T, 3, 2, lambda T: T.tensor([2, 0]), padding_idx=-1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_embedding_edges(name):
    both(lambda T: CASES[name](T), msg=True)
