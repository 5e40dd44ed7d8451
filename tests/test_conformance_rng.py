"""Conformance: float16 random streams (``rand``, ``randn``, ``normal_``, ``uniform_``,
``normal``) equal PyTorch's bit for bit, and leave the generator where PyTorch leaves it."""
from __future__ import annotations

import numpy as np
import pytest
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


FILLS = {
    "uniform_": lambda T, t: t.uniform_(-1, 2), "normal_": lambda T, t: t.normal_(1, 2),
    "random_": lambda T, t: t.random_(0, 100), "random_to": lambda T, t: t.random_(7),
    "random_all": lambda T, t: t.random_(), "bernoulli_": lambda T, t: t.bernoulli_(0.3),
    "bernoulli_t": lambda T, t: t.bernoulli_(T.linspace(0, 1, t.shape[-1], dtype=T.float64)),
}
LAYOUTS = {
    "contiguous": lambda T, dt: T.zeros(4, 5, 6, dtype=dt), "permuted": lambda T, dt: T.zeros(4, 5, 6, dtype=dt)
    .permute(2, 0, 1), "sliced_t": lambda T, dt: T.zeros(8, 20, dtype=dt)[::2].t(),
    "size1": lambda T, dt: T.zeros(1, 6, 1, 5, dtype=dt).permute(3, 1, 2, 0),
}


@settings(max_examples=40, deadline=None)
@given(fill=st.sampled_from(sorted(FILLS)), layout=st.sampled_from(sorted(LAYOUTS)),
       dtype=st.sampled_from(["float16", "float32", "float64", "int32"]), seed=st.integers(0, 2 ** 32 - 1))
def test_inplace_fills_walk_memory_order(fill, layout, dtype, seed):
    """A fill of a non-contiguous tensor draws in PyTorch's order (memory order for a dense
    tensor; ``normal_`` then draws element by element)."""
    outs = []
    for T in (torch, reftorch):
        T.manual_seed(seed)
        t = LAYOUTS[layout](T, getattr(T, dtype))
        if fill in ("normal_", "uniform_") and dtype == "int32":  # (floating-point fills)
            t = t.float()
        FILLS[fill](T, t)
        outs.append((np.asarray(t.numpy(), dtype=np.float64), tuple(t.stride()), T.rand(3).numpy()))
    np.testing.assert_array_equal(outs[1][0], outs[0][0])
    assert outs[1][1] == outs[0][1]
    np.testing.assert_array_equal(outs[1][2], outs[0][2])


def _node_names(T):
    x = T.randn(3, requires_grad=True)
    p = T.full((3,), 0.5, requires_grad=True)
    names, grads = [], []
    for fill in (lambda t: t.uniform_(), lambda t: t.normal_(), lambda t: t.random_(0, 4), lambda t: t.random_(4),
                 lambda t: t.random_(), lambda t: t.bernoulli_(0.5), lambda t: t.bernoulli_(p)):
        y = fill(x.clone())
        names.append((type(y.grad_fn).__name__, [type(n).__name__ for n, _ in y.grad_fn.next_functions]))
        grads.append(T.autograd.grad((y * 2).sum(), (x, p), allow_unused=True))
    b = T.bernoulli(p)
    names.append((type(b.grad_fn).__name__, b.requires_grad))
    grads.append(T.autograd.grad(b.sum(), p, create_graph=True))
    nb = T.bernoulli(p, 0.5)
    names.append(type(nb.grad_fn).__name__)
    try:
        nb.sum().backward()
    except RuntimeError as e:
        names.append(str(e))
    return names, grads


def test_random_fills_in_a_graph_record_zero_gradient_nodes():
    rn, rg = _node_names(reftorch)
    tn, tg = _node_names(torch)
    assert rn == tn
    assert [[None if g is None else g.tolist() for g in gs] for gs in rg] == \
        [[None if g is None else g.tolist() for g in gs] for gs in tg]
    assert [g.requires_grad for gs in rg for g in gs if g is not None] == \
        [g.requires_grad for gs in tg for g in gs if g is not None]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("low", [-3, 0, 3, 300, 4000])
def test_random_from_to_none(dtype, low):
    """``random_(from, None)`` draws from ``from`` up to the dtype's top (its largest value,
    or 2**digits for floating point), inclusive; not ``random_(to=from)``."""
    out = []
    for T in (torch, reftorch):
        T.manual_seed(7)
        try:
            out.append(T.empty(11, dtype=getattr(T, dtype)).random_(low, None).tolist())
        except (RuntimeError, OverflowError) as e:
            out.append((type(e).__name__, str(e)))
    assert out[0] == out[1]
