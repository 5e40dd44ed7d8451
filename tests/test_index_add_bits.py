"""Repeated indices accumulate in PyTorch's order: the gradient of an embedding lookup or
an ``index_select`` has the same bits as PyTorch's (float32 addition is not associative,
so a different summation order shows in the last bit)."""
import numpy as np
import pytest
import torch

import reftorch as rt


def _cases():
    rng = np.random.default_rng(1)
    for trial in range(24):
        vocab, dim, n = int(rng.integers(1, 300)), int(rng.integers(1, 9)), int(rng.integers(0, 400))
        # every third case: few distinct ids, so one id repeats more than 16 times
        high = vocab if trial % 3 else max(1, vocab // 20)
        ids = rng.integers(0, high, n)
        g = rng.standard_normal((n, dim)) * 10.0 ** rng.integers(-3, 4, (n, 1))
        if n:
            g[0, 0] = -0.0  # 0 + (-0.0) is +0.0 in PyTorch's sum
        yield trial, ids, g


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_backward_bits(dtype):
    for trial, ids, g in _cases():
        g = g.astype(dtype)
        pad = int(ids[0]) if (ids.size and trial % 2) else None
        tw = torch.zeros(300, g.shape[1], dtype=getattr(torch, dtype), requires_grad=True)
        torch.nn.functional.embedding(torch.from_numpy(ids), tw, padding_idx=pad).backward(torch.from_numpy(g))
        rw = rt.zeros(300, g.shape[1], dtype=getattr(rt, dtype), requires_grad=True)
        rt.nn.functional.embedding(rt.from_numpy(ids), rw, padding_idx=pad).backward(rt.from_numpy(g))
        want, got = tw.grad.numpy(), rw.grad.numpy()
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), trial


def test_index_select_backward_bits_dim1():
    for trial, ids, g in _cases():
        src = np.stack([g, -g * 3]).astype(np.float32)  # (2, n, dim)
        tx = torch.zeros(2, 300, g.shape[1], requires_grad=True)
        torch.index_select(tx, 1, torch.from_numpy(ids)).backward(torch.from_numpy(src))
        rx = rt.zeros(2, 300, g.shape[1], requires_grad=True)
        rt.index_select(rx, 1, rt.from_numpy(ids)).backward(rt.from_numpy(src))
        assert np.array_equal(rx.grad.numpy().view(np.uint8), tx.grad.numpy().view(np.uint8)), trial
