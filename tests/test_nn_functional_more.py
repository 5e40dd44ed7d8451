"""F.gumbel_softmax (seeded samples, hard straight-through gradients) and torch.pdist /
F.pdist (every p, gradients, errors) against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads, raises_like

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("kw", [{}, {"tau": 0.3}, {"hard": True}, {"hard": True, "dim": 0, "tau": 2.0},
                                 {"dim": 1}])
def test_gumbel_softmax_seeded(kw):
    x = RNG.standard_normal((4, 5, 3)).astype(np.float32)

    def fn(T, x):
        T.manual_seed(7)
        a = T.nn.functional.gumbel_softmax(x, **kw)
        return a, T.nn.functional.gumbel_softmax(x, **kw), T.rand(2)  # the stream moves on alike
    check_grads(fn, x)


def test_gumbel_softmax_float64_and_eps_warning():
    x = RNG.standard_normal((3, 4))

    def fn(T, x):
        T.manual_seed(1)
        return T.nn.functional.gumbel_softmax(x, hard=True)
    check_grads(fn, x)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        reftorch.nn.functional.gumbel_softmax(reftorch.zeros(2, 3), eps=1e-5)


@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, float("inf")])
def test_pdist_values_and_grads(p):
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    x[3] = x[1]  # a zero distance
    x[4, 0] = x[2, 0]  # a zero difference
    check_grads(lambda T, x: T.pdist(x, p), x)
    check_grads(lambda T, x: T.nn.functional.pdist(x, p=p), x.astype(np.float64))


def test_pdist_small_shapes():
    for shape in ((1, 3), (0, 3), (3, 0), (2, 1)):
        both(lambda T, x: T.pdist(x), np.ones(shape, np.float32))
    check_grads(lambda T, x: T.pdist(x), np.ones((1, 2), np.float32))


def test_pdist_errors():
    x = RNG.standard_normal((3, 2)).astype(np.float32)
    for fn in (lambda T, x: T.pdist(x[0]), lambda T, x: T.pdist(x[None]), lambda T, x: T.pdist(x.long()),
               lambda T, x: T.pdist(x, -1), lambda T, x: T.pdist(x.half())):
        raises_like(fn, x, msg=True)
    assert torch.nn.functional.pdist is torch.pdist and reftorch.nn.functional.pdist is reftorch.pdist
