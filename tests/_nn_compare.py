"""Helpers shared by the nn tests: run the same code on reftorch and on torch and compare.

Expected values always come from torch; these helpers only compare.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

LIBS = (reftorch, torch)


def tonp(t):
    return np.asarray(t.detach().cpu().numpy())


def same(a, b, rtol=1e-5, atol=1e-6, exact=False):
    """Compare a reftorch result ``a`` with the torch result ``b``: shape, dtype,
    requires_grad, grad_fn name and values, recursively through tuples, lists and dicts."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, reftorch.Tensor), type(a)
        assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
        assert str(a.dtype) == str(b.dtype)
        assert a.requires_grad == b.requires_grad
        if b.grad_fn is not None:
            assert a.grad_fn is not None and a.grad_fn.name() == b.grad_fn.name()
        else:
            assert a.grad_fn is None
        if exact:
            np.testing.assert_array_equal(tonp(a), tonp(b))
        else:
            np.testing.assert_allclose(tonp(a), tonp(b), rtol=rtol, atol=atol)
    elif isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y, rtol, atol, exact)
    elif isinstance(b, dict):
        assert list(a.keys()) == list(b.keys())
        for k in b:
            same(a[k], b[k], rtol, atol, exact)
    else:
        assert a == b, (a, b)


def comparers(rtol=1e-5, atol=1e-6):
    """``(same, both)`` with these default tolerances; ``both(fn)`` compares
    ``fn(reftorch)`` with ``fn(torch)``."""
    def same_(a, b, rtol=rtol, atol=atol, exact=False):
        same(a, b, rtol, atol, exact)

    def both(fn, **kw):
        same_(fn(reftorch), fn(torch), **kw)

    return same_, both


def raises_same(fn, match_message=True):
    """``fn(T)`` raises the same exception type (and message) on both libraries."""
    errs = []
    for T in LIBS:
        with pytest.raises(Exception) as info:
            fn(T)
        errs.append(info.value)
    assert type(errs[0]).__name__ == type(errs[1]).__name__, errs
    if match_message:
        assert str(errs[0]) == str(errs[1])
