"""Conformance: float16 random streams (``rand``, ``randn``, ``normal_``, ``uniform_``,
``normal``) equal PyTorch's bit for bit, and leave the generator where PyTorch leaves it."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

import reftorch
from tests._compare import torch

DRAWS = {
    "randn": lambda T, n: T.randn(n, dtype=T.float16),
    "rand": lambda T, n: T.rand(n, dtype=T.float16),
    "normal_": lambda T, n: T.empty(n, dtype=T.float16).normal_(2.0, 3.0),
    "uniform_": lambda T, n: T.empty(n, dtype=T.float16).uniform_(-1, 1),
    "uniform_narrow": lambda T, n: T.empty(n, dtype=T.float16).uniform_(0.1, 0.1001),
    "normal": lambda T, n: T.normal(1.0, 0.5, (n,), dtype=T.float16),
    "randn_like": lambda T, n: T.randn_like(T.empty(n, dtype=T.float16)),
}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(DRAWS)), seed=st.integers(0, 2 ** 32 - 1),
       n=st.one_of(st.integers(0, 40), st.integers(40, 3000)))
def test_float16_streams(name, seed, n):
    outs = []
    for T in (torch, reftorch):
        T.manual_seed(seed)
        values = DRAWS[name](T, n)
        after = T.rand(3)  # the generator is left in the same place
        outs.append((values.numpy().view(np.uint16), after.numpy()))
    np.testing.assert_array_equal(outs[1][0], outs[0][0])
    np.testing.assert_array_equal(outs[1][1], outs[0][1])


def test_float16_rand_never_returns_one():
    reftorch.manual_seed(0)
    torch.manual_seed(0)
    r, t = reftorch.rand(100000, dtype=reftorch.float16), torch.rand(100000, dtype=torch.float16)
    assert float(r.max()) < 1.0
    np.testing.assert_array_equal(r.numpy().view(np.uint16), t.numpy().view(np.uint16))
