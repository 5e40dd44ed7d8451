"""F.scaled_dot_product_attention against PyTorch: values, gradients, grad_fn, masks,
causal attention, grouped-query heads, and the errors of its checks."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(3)


def _arrays(*shapes, dtype=np.float32):
    return [RNG.standard_normal(s).astype(dtype) for s in shapes]


def _sdpa(**kw):
    def fn(T, q, k, v, *mask):
        extra = dict(kw)
        if mask:
            extra["attn_mask"] = mask[0]
        return T.nn.functional.scaled_dot_product_attention(q, k, v, **extra)
    return fn


@pytest.mark.parametrize("shapes", [((2, 3, 4), (2, 5, 4), (2, 5, 6)), ((3, 4), (5, 4), (5, 6)),
                                    ((2, 1, 3, 4), (2, 1, 5, 4), (2, 1, 5, 2)), ((1, 3, 8), (2, 4, 8), (2, 4, 8))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"scale": 0.3}, {"is_causal": True}])
def test_sdpa_values_and_gradients(shapes, dtype, kw):
    # (a 4-D input whose head dims all agree runs PyTorch's fused CPU kernel, whose grad_fn
    # differs: ScaledDotProductFlashAttentionForCpuBackward0; reftorch's is the math path's)
    fused = len(shapes[0]) == 4 and len({s[-1] for s in shapes}) == 1
    check_grads(_sdpa(**kw), *_arrays(*shapes, dtype=dtype), check_grad_fn=not fused)


@pytest.mark.parametrize("mask", [
    np.array([[1, 0, 1, 1, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool),  # a row with no key: zeros
    np.tril(np.ones((3, 5), bool)),
    np.ones((2, 1, 5), bool),
])
def test_sdpa_bool_mask(mask):
    q, k, v = _arrays((2, 3, 4), (2, 5, 4), (2, 5, 6))
    check_grads(_sdpa(), q, k, v, mask)


def test_sdpa_float_mask():
    q, k, v, m = _arrays((2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5))
    check_grads(_sdpa(), q, k, v, m)


def test_sdpa_grouped_query_heads():
    q, k, v = _arrays((1, 4, 3, 8), (1, 2, 5, 8), (1, 2, 5, 6))
    check_grads(_sdpa(enable_gqa=True), q, k, v)


def test_sdpa_without_grad():
    q, k, v = _arrays((2, 3, 4), (2, 5, 4), (2, 5, 6))
    both(lambda T, *a: T.nn.functional.scaled_dot_product_attention(*(T.tensor(x) for x in a)), q, k, v)


@pytest.mark.parametrize("expr", [
    "F.scaled_dot_product_attention(q, k.double(), v)",
    "F.scaled_dot_product_attention(q.long(), k.long(), v.long())",
    "F.scaled_dot_product_attention(q, k, v, attn_mask=T.ones(3, 5, dtype=T.int64))",
    "F.scaled_dot_product_attention(q, k, v, attn_mask=T.ones(3, 5, dtype=T.float64))",
    "F.scaled_dot_product_attention(q, k, v, attn_mask=T.ones(3, 5, dtype=T.bool), is_causal=True)",
    "F.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0])",
    "F.scaled_dot_product_attention(T.ones(1, 4, 3, 8), T.ones(1, 3, 5, 8), T.ones(1, 3, 5, 8), enable_gqa=True)",
])
def test_sdpa_errors_with_messages(expr):
    both(lambda T: eval(expr, {"T": T, "F": T.nn.functional, "q": T.ones(2, 3, 4), "k": T.ones(2, 5, 4),
                                "v": T.ones(2, 5, 6)}), msg=True)


@pytest.mark.parametrize("expr", [
    "F.scaled_dot_product_attention(q, k, T.ones(2, 4, 6))",
    "F.scaled_dot_product_attention(q, T.ones(2, 5, 3), v)",
    "F.scaled_dot_product_attention(q, k, v, attn_mask=T.ones(4, 5, dtype=T.bool))",
    "F.scaled_dot_product_attention(q, k, v, attn_mask=T.ones(2, 2, 3, 5, dtype=T.bool))",
    "F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)",
    "F.scaled_dot_product_attention(q, k, v, dropout_p=-0.5)",
    "F.scaled_dot_product_attention(T.ones(1, 4, 3, 8), T.ones(1, 2, 5, 8), T.ones(1, 2, 5, 8))",
    "F.scaled_dot_product_attention(T.ones(0, 3, 4), T.ones(0, 5, 4), T.ones(0, 5, 6))",
    "F.scaled_dot_product_attention(q, T.ones(2, 0, 4), T.ones(2, 0, 6))",
    "F.scaled_dot_product_attention(q, k, v, scale=0)",
])
def test_sdpa_edges(expr):
    both(lambda T: eval(expr, {"T": T, "F": T.nn.functional, "q": T.ones(2, 3, 4), "k": T.ones(2, 5, 4),
                                "v": T.ones(2, 5, 6)}))
