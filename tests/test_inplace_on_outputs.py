"""Writing into an op's output in place before the backward, against PyTorch: either both
refuse (the op saved its result: the version check) or both give the same gradient (the op
saved only its input, so the write must not reach what the backward reads)."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("fn", ["layer_norm", "group_norm"])
@pytest.mark.parametrize("affine", [False, True])
def test_norm_output_written_in_place_keeps_the_gradient(fn, affine):
    # The output of a norm without an affine map must not share memory with what its
    # backward keeps: an in-place write into it must leave the gradient PyTorch's.
    grads = []
    for lib in (reftorch, torch):
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 6)), requires_grad=True)
        w = lib.full((6,), 1.5, dtype=lib.float64) if affine else None
        y = lib.nn.functional.layer_norm(x, (6,), w) if fn == "layer_norm" else \
            lib.nn.functional.group_norm(x, 2, w)
        y.mul_(2)
        (y * lib.arange(6.0, dtype=lib.float64)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


_OPS = {
    "pow": lambda L, x: x.pow(3), "cumprod": lambda L, x: x.cumprod(1), "exp": lambda L, x: x.exp(),
    "sigmoid": lambda L, x: x.sigmoid(), "tanh": lambda L, x: x.tanh(), "relu": lambda L, x: L.relu(x),
    "softmax": lambda L, x: L.softmax(x, 1), "log_softmax": lambda L, x: L.log_softmax(x, 1),
    "gelu": lambda L, x: L.nn.functional.gelu(x), "silu": lambda L, x: L.nn.functional.silu(x),
    "clamp": lambda L, x: x.clamp(-0.5, 0.5), "cumsum": lambda L, x: x.cumsum(1), "sqrt": lambda L, x: (x * x + 1).sqrt(),
    "sort": lambda L, x: x.sort(1).values, "prod": lambda L, x: x.prod(1), "norm": lambda L, x: x.norm(dim=1),
    "batch_norm": lambda L, x: L.nn.functional.batch_norm(x, None, None, training=True),
    "normalize": lambda L, x: L.nn.functional.normalize(x, dim=1), "2 ** x": lambda L, x: 2 ** x,
    "x ** t": lambda L, x: x.abs() ** (x * 0 + 2),
}


@pytest.mark.parametrize("name", sorted(_OPS))
def test_writing_into_an_output_is_refused_or_harmless_as_in_torch(name):
    outcomes = []
    for lib in (reftorch, torch):
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
        y = _OPS[name](lib, x)
        y.mul_(2)
        try:
            (y * 1.5).sum().backward()
        except RuntimeError as e:
            outcomes.append(("refused", "modified by an inplace operation" in str(e)))
        else:
            outcomes.append(("ok", x.grad.numpy()))
    (got, g), (want, w) = outcomes
    assert got == want
    if got == "ok":
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    else:
        assert g and w


def _modified_index(lib, dtype):
    a = lib.ones(3, requires_grad=True) * 1
    idx = lib.tensor([True, False, True]) if dtype == "bool" else lib.tensor([0, 1], dtype=getattr(lib, dtype))
    a[idx] = lib.tensor(5.0)  # saves the index tensor (IndexPutBackward0)
    idx.fill_(False if dtype == "bool" else 0)
    a.sum().backward()


def _modified_input(lib, dtype):
    w = lib.ones(2, 3, dtype=getattr(lib, dtype), requires_grad=True)
    z = w * 1
    r = z.sin()  # saves z
    z.add_(1)
    (r.real if r.is_complex() else r).sum().backward()


@pytest.mark.parametrize("case, dtype", [(_modified_index, "bool"), (_modified_index, "int64"),
                                         (_modified_index, "int32")]
                         + [(_modified_input, d) for d in ("float32", "float64", "float16", "complex64", "complex128")])
def test_version_error_names_the_tensor_as_torch(case, dtype):
    # ATen's toString: the legacy name (torch.FloatTensor) where one exists, else
    # backend + scalar type (CPUBoolType, CPUComplexFloatType)
    messages = []
    for lib in (reftorch, torch):
        with pytest.raises(RuntimeError) as e:
            case(lib, dtype)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
