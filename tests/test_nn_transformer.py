"""nn.Transformer and its encoder/decoder stacks and layers against PyTorch: seeded
weights, reprs, state dict keys, outputs and every gradient in training (dropout) and in
eval mode, masks (bool, float, causal detection, key padding), the inference path's zeros
at padded positions, the nested-tensor warning, and the errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests._compare import both

RNG = np.random.default_rng(9)
SRC = RNG.standard_normal((2, 5, 8)).astype(np.float32)   # (N, S, E) batch-first
TGT = RNG.standard_normal((2, 4, 8)).astype(np.float32)


def _model(T, ctor):
    T.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the nested-tensor warning: tested below)
        return eval(ctor, {"T": T, "nn": T.nn, "F": T.nn.functional})


def _run(ctor, call, train=False, grad=True):
    def go(T):
        m = _model(T, ctor)
        m.train(train)
        src, tgt = T.tensor(SRC, requires_grad=grad), T.tensor(TGT, requires_grad=grad)
        env = {"T": T, "m": m, "src": src, "tgt": tgt, "pad": T.tensor([[False] * 5, [False] * 3 + [True] * 2])}
        if not grad:
            with T.no_grad():
                out = eval(call, env)
            return [out]
        out = eval(call, env)
        # (a random weighting: a layer norm's outputs have a fixed sum and sum of squares)
        (out * T.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32))).sum().backward()
        return [repr(m), list(m.state_dict()), out, src.grad, tgt.grad] + [p.grad for p in m.parameters()]
    return go


ENC = "nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True{})"
DEC = "nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True{})"


@pytest.mark.parametrize("ctor,call", [
    (ENC.format(""), "m(src)"),
    (ENC.format(", norm_first=True, activation='gelu'"), "m(src, src_key_padding_mask=pad)"),
    (ENC.format(", activation=nn.GELU(), bias=False"), "m(src, src_mask=nn.Transformer.generate_square_subsequent_mask(5))"),
    (ENC.format(", activation=F.silu"), "m(src, src_mask=T.ones(5, 5, dtype=T.bool).triu(1), is_causal=True)"),
    ("nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)", "m(src.transpose(0, 1)) + tgt.sum()"),
    (DEC.format(""), "m(tgt, src, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4), memory_key_padding_mask=pad)"),
    (DEC.format(", norm_first=True"), "m(tgt, src, tgt_is_causal=True, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4))"),
    (f"nn.TransformerEncoder({ENC.format('')}, 2, norm=nn.LayerNorm(8))", "m(src, src_key_padding_mask=pad)"),
    (f"nn.TransformerEncoder({ENC.format('')}, 2)", "m(src, mask=nn.Transformer.generate_square_subsequent_mask(5))"),
    (f"nn.TransformerDecoder({DEC.format('')}, 2)", "m(tgt, src, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4))"),
    ("nn.Transformer(8, 2, 2, 1, 16, batch_first=True)", "m(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4), src_key_padding_mask=pad)"),
    ("nn.Transformer(8, 2, 1, 1, 16)", "m(src.transpose(0, 1), tgt.transpose(0, 1))"),
])
@pytest.mark.parametrize("train", [False, True])
def test_transformer(ctor, call, train):
    both(_run(ctor, call, train=train))


@pytest.mark.parametrize("call", ["m(src)", "m(src, src_key_padding_mask=pad)", "m(src, mask=nn.Transformer.generate_square_subsequent_mask(5))"])
def test_encoder_inference_path(call):
    # eval mode, no gradients: PyTorch's fused kernels (and, with a padding mask, a nested
    # tensor whose padded positions come back as zeros)
    both(_run(f"nn.TransformerEncoder({ENC.format('')}, 2, norm=nn.LayerNorm(8))", call, grad=False))


@pytest.mark.parametrize("ctor", [
    f"nn.TransformerEncoder({ENC.format('')}, 2)",
    "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)",
    f"nn.TransformerEncoder({ENC.format(', norm_first=True')}, 1)",
    f"nn.TransformerEncoder({ENC.format(', bias=False')}, 1)",
    f"nn.TransformerEncoder({ENC.format(', activation=F.silu')}, 1)",
    "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), 1)",
    f"nn.TransformerEncoder({ENC.format('')}, 1, enable_nested_tensor=False)",
    "nn.Transformer(8, 2, 1, 1, 16)",
])
def test_nested_tensor_warning(ctor):
    def go(T):
        T.manual_seed(0)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            m = eval(ctor, {"T": T, "nn": T.nn, "F": T.nn.functional})
        return [str(w.message) for w in seen], m.use_nested_tensor if hasattr(m, "use_nested_tensor") else None
    both(go)


def test_layers_of_a_stack_start_equal():
    def go(T):
        m = _model(T, f"nn.TransformerEncoder({ENC.format('')}, 3)")
        return [T.equal(m.layers[0].linear1.weight, m.layers[i].linear1.weight) for i in (1, 2)]
    both(go)


@pytest.mark.parametrize("expr", [
    "nn.Transformer(8, 2, 1, 1, 16)(T.zeros(5, 2, 8), T.zeros(4, 3, 8))",
    "nn.Transformer(8, 2, 1, 1, 16)(T.zeros(5, 2, 8), T.zeros(4, 2, 6))",
    "nn.TransformerEncoderLayer(8, 2, activation='tanh')",
    "nn.TransformerEncoderLayer(8, 3)",
    "nn.Transformer.generate_square_subsequent_mask(3, dtype=T.float64)",
    "nn.Transformer.generate_square_subsequent_mask(0)",
])
def test_transformer_cases(expr):
    def go(T):
        T.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(expr, {"T": T, "nn": T.nn})
    both(go, msg=True)
