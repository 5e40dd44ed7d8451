"""nn.init.trunc_normal_ against PyTorch, draw for draw: with the same seed the values are
PyTorch's (both of its algorithms: normal draws redrawn outside [a, b], and uniform
proposals with an acceptance draw), warnings, and the deprecated nn.init aliases."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch


@pytest.mark.parametrize("kwargs", [
    {}, {"std": 0.02}, {"std": 0.02, "a": -0.04, "b": 0.04}, {"mean": 1.0, "std": 2.0, "a": -1.0, "b": 5.0},
    {"a": -0.5, "b": 0.5}, {"a": 0.1, "b": 0.3}, {"mean": 0.5, "std": 1.0, "a": 2.0, "b": 3.0},
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(7,), (64, 33)])
def test_same_values_as_pytorch(kwargs, dtype, shape):
    out = []
    for T in (torch, reftorch):
        T.manual_seed(1234)
        w = T.empty(*shape, dtype=getattr(T, dtype))
        r = T.nn.init.trunc_normal_(w, **kwargs)
        assert r is w
        out.append(np.asarray(w.tolist()))
        out.append(np.asarray(T.rand(3).tolist()))  # the generator has advanced by as many draws
    np.testing.assert_array_equal(out[2], out[0])
    np.testing.assert_array_equal(out[3], out[1])
    lo, hi = kwargs.get("a", -2.0), kwargs.get("b", 2.0)
    assert out[2].min() >= lo and out[2].max() <= hi


def test_generator_and_requires_grad():
    out = []
    for T in (torch, reftorch):
        g = T.Generator().manual_seed(7)
        w = T.nn.Parameter(T.empty(5, 4))
        T.nn.init.trunc_normal_(w, std=0.5, generator=g)
        assert w.grad_fn is None and w.requires_grad
        out.append(np.asarray(w.tolist()))
    np.testing.assert_array_equal(out[1], out[0])


def test_far_mean_warns():
    for T in (torch, reftorch):
        with pytest.warns(UserWarning, match="mean is more than 2 std"):
            T.nn.init.trunc_normal_(T.empty(3), mean=10.0, a=-1.0, b=1.0)


@pytest.mark.parametrize("name", ["uniform", "normal", "constant", "eye", "xavier_uniform", "xavier_normal",
                                  "kaiming_uniform", "kaiming_normal", "orthogonal"])
def test_deprecated_aliases(name):
    args = (0.5,) if name == "constant" else ()
    out = []
    for T in (torch, reftorch):
        T.manual_seed(0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = getattr(T.nn.init, name)(T.empty(3, 4), *args)
        assert [str(c.message) for c in caught if c.category is FutureWarning] == [
            f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."]
        out.append(np.asarray(w.tolist()))
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6, atol=1e-7)
