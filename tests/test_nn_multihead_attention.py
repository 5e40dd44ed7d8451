"""nn.MultiheadAttention / F.multi_head_attention_forward against PyTorch: the seeded
initialisation, parameter names, repr, outputs, attention weights, gradients of the input
and of every parameter, grad_fn names, masks of both kinds, dropout, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

X = np.random.default_rng(5).standard_normal((3, 2, 4)).astype(np.float32)


def _run(ctor, call, train=False, grad=True):
    def go(T):
        T.manual_seed(0)
        m = eval(ctor, {"T": T, "nn": T.nn})
        m.train(train)
        x = T.tensor(X, requires_grad=grad)
        out, weights = eval(call, {"T": T, "m": m, "x": x})
        result = [repr(m), [n for n, _ in m.named_parameters()], list(m.state_dict()), out, weights]
        if grad:
            out.sum().backward()
            result += [x.grad] + [p.grad for p in m.parameters()]
        return result
    return go


PAD = "T.tensor([[False, False, True], [False, True, True]])"
CAUSAL = "T.ones(3, 3, dtype=T.bool).triu(1)"


@pytest.mark.parametrize("ctor,call", [
    ("nn.MultiheadAttention(4, 2)", "m(x, x, x)"),
    ("nn.MultiheadAttention(4, 2, batch_first=True)", "m(x, x, x)"),
    ("nn.MultiheadAttention(4, 2)", "m(x, x, x, need_weights=False)"),
    ("nn.MultiheadAttention(4, 2)", "m(x, x[:2], x[:2])"),
    ("nn.MultiheadAttention(4, 2)", "m(x, x[:2], x[:2] * 2)"),
    ("nn.MultiheadAttention(4, 2, kdim=3, vdim=5)", "m(x, T.ones(6, 2, 3), T.ones(6, 2, 5))"),
    ("nn.MultiheadAttention(4, 1, add_bias_kv=True, add_zero_attn=True)", f"m(x, x, x, key_padding_mask={PAD})"),
    ("nn.MultiheadAttention(4, 2)", f"m(x, x, x, key_padding_mask={PAD}.float() * -1e4)"),
    ("nn.MultiheadAttention(4, 2)", f"m(x, x, x, attn_mask={CAUSAL}, average_attn_weights=False)"),
    ("nn.MultiheadAttention(4, 2)", f"m(x, x, x, attn_mask={CAUSAL}, is_causal=True, need_weights=False)"),
    ("nn.MultiheadAttention(4, 2)", f"m(x, x, x, attn_mask={CAUSAL}, key_padding_mask={PAD}, need_weights=False)"),
    ("nn.MultiheadAttention(4, 2)", "m(x, x, x, attn_mask=T.zeros(4, 3, 3))"),
    ("nn.MultiheadAttention(4, 2, bias=False)", "m(x[:, 0], x[:, 0], x[:, 0])"),
    ("nn.MultiheadAttention(4, 2, bias=False)", "m(x[:, 0], x[:, 0], x[:, 0], key_padding_mask=T.tensor([0, 1, 0]).bool())"),
    ("nn.MultiheadAttention(4, 2, dtype=T.float64)", "m(x.double(), x.double(), x.double())"),
])
def test_mha(ctor, call):
    both(_run(ctor, call))


def test_mha_dropout_in_training():
    both(_run("nn.MultiheadAttention(4, 2, dropout=0.5)", "m(x, x, x)", train=True))


def test_mha_inference_path():
    # eval mode without gradients: PyTorch runs its fused kernel (same values to rounding)
    both(_run("nn.MultiheadAttention(4, 2, batch_first=True)", "m(x, x, x)", grad=False))


@pytest.mark.parametrize("expr", [
    "nn.MultiheadAttention(0, 2)", "nn.MultiheadAttention(4, 3)",
    "m(x, x, x, is_causal=True)",
    "m(x, x, x, attn_mask=T.ones(2, 3, dtype=T.bool))",
    "m(x, x, x, attn_mask=T.ones(3, 3, 3, dtype=T.bool))",
    "m(x, x, x, attn_mask=T.ones(1, 1, 3, 3, dtype=T.bool))",
    "m(x, x, x, key_padding_mask=T.ones(3, 3, dtype=T.bool))",
    "m(x, x, x, key_padding_mask=T.ones(2, 3, dtype=T.int64))",
    "m(x, x, x, key_padding_mask=T.ones(2, dtype=T.bool))",
    "m(x, x[:, :, :3], x)", "m(x, x, x[:2])", "m(x[0, 0], x[0, 0], x[0, 0])", "m(x, x[0], x[0])",
    "F.multi_head_attention_forward(x, x, x, 4, 2, None, None, None, None, False, 0.0, m.out_proj.weight, None)",
])
def test_mha_errors(expr):
    def go(T):
        T.manual_seed(0)
        m = T.nn.MultiheadAttention(4, 2)
        return eval(expr, {"T": T, "nn": T.nn, "F": T.nn.functional, "m": m, "x": T.tensor(X)})
    both(go, msg=True)
