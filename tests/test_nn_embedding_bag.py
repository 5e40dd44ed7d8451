"""nn.EmbeddingBag / F.embedding_bag against PyTorch: every mode, 1-D input with offsets
(and include_last_offset), 2-D input, empty bags, padding_idx, per_sample_weights,
scale_grad_by_freq, max_norm; values, gradients of the weight and of the per-sample
weights, grad_fn; the module's init and repr; the errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

W = np.random.default_rng(8).standard_normal((10, 3)).astype(np.float32)
INPUT = [1, 2, 4, 5, 4, 3, 2, 9]


def _run(call):
    def go(T):
        w = T.tensor(W, requires_grad=True)
        psw = T.linspace(0.5, 2.0, 8, requires_grad=True)
        env = {"T": T, "F": T.nn.functional, "w": w, "psw": psw, "inp": T.tensor(INPUT)}
        out = eval(call, env)
        g = T.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)).astype(np.float32))
        (out * g).sum().backward()
        return out, w.grad, psw.grad
    return go


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("call", [
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode=MODE)",
    "F.embedding_bag(inp, w, T.tensor([0, 4, 4, 8]), mode=MODE)",
    "F.embedding_bag(inp, w, T.tensor([0, 3, 8]), mode=MODE, include_last_offset=True)",
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode=MODE, padding_idx=2)",
    "F.embedding_bag(inp, w, T.tensor([0, 2, 3]).int(), mode=MODE, padding_idx=-6)",
    "F.embedding_bag(inp.reshape(2, 4), w, mode=MODE)",
    "F.embedding_bag(T.tensor([], dtype=T.int64), w, T.tensor([0, 0]), mode=MODE)",
])
def test_embedding_bag(mode, call):
    both(_run(call.replace("MODE", repr(mode))))


@pytest.mark.parametrize("call", [
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode='sum', per_sample_weights=psw)",
    "F.embedding_bag(inp.reshape(2, 4), w, mode='sum', per_sample_weights=psw.reshape(2, 4), padding_idx=4)",
    "F.embedding_bag(T.tensor([3, 1, 4, 5]), w, T.tensor([0, 2]), mode='mean', scale_grad_by_freq=True)",
    "F.embedding_bag(inp, w * 1, T.tensor([0, 5]), max_norm=0.5)",
])
def test_embedding_bag_options(call):
    both(_run(call))


def test_embedding_bag_module():
    def go(T):
        T.manual_seed(0)
        m = T.nn.EmbeddingBag(10, 3)
        p = T.nn.EmbeddingBag(10, 3, mode="max", padding_idx=2, max_norm=1.0, include_last_offset=True)
        s = T.nn.EmbeddingBag(10, 3, mode="sum", norm_type=1.0, scale_grad_by_freq=True)
        out = m(T.tensor(INPUT), T.tensor([0, 3]))
        return repr(m), repr(p), repr(s), m.weight, p.weight[2], list(m.state_dict()), out, \
            p(T.tensor(INPUT), T.tensor([0, 3, 8])), s(T.tensor([[1, 2], [2, 2]]))
    both(go)


@pytest.mark.parametrize("expr", [
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode='max', per_sample_weights=T.ones(8))",
    "F.embedding_bag(inp, w, None)", "F.embedding_bag(inp.reshape(2, 4), w, T.tensor([0, 4]))",
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode='foo')", "F.embedding_bag(inp, w, T.tensor([1, 4]))",
    "F.embedding_bag(inp.float(), w, T.tensor([0, 4]))", "F.embedding_bag(T.tensor([1, 12]), w, T.tensor([0]))",
    "F.embedding_bag(inp, w, T.tensor([0, 4]), per_sample_weights=T.ones(7))",
    "F.embedding_bag(inp, w, T.tensor([0, 9]))", "F.embedding_bag(inp, w, T.tensor([0, 4]), padding_idx=12)",
    "F.embedding_bag(inp, w, T.tensor([[0, 4]]))",
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode='max', scale_grad_by_freq=True)",
    "F.embedding_bag(inp, w, T.tensor([0., 4.]))", "F.embedding_bag(inp, w[0], T.tensor([0, 4]))",
    "F.embedding_bag(inp.reshape(2, 2, 2), w)",
    # the table must be floating point, per-sample weights of its dtype (after the Python checks)
    "F.embedding_bag(inp, w.long(), T.tensor([0, 4]))", "F.embedding_bag(inp, w.bool(), T.tensor([0, 4]), mode='max')",
    "F.embedding_bag(inp, w.to(T.uint8), T.tensor([0, 4]), mode='sum')", "T.embedding_bag(w.int(), inp, T.tensor([0, 4]))",
    "F.embedding_bag(inp, w.to(T.complex64), T.tensor([0, 4]))", "F.embedding_bag(inp.reshape(2, 4), w.int())",
    "F.embedding_bag(inp, w.long(), T.tensor([0, 4]), padding_idx=12)",
    "F.embedding_bag(inp, w.long(), T.tensor([0, 4]), max_norm=1.0)",
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode='sum', per_sample_weights=T.ones(8).long())",
    "F.embedding_bag(inp, w, T.tensor([0, 4]), mode='sum', per_sample_weights=T.ones(8).double())",
    "F.embedding_bag(inp, w.long(), T.tensor([0, 4]), per_sample_weights=T.ones(8).long())",
    "F.embedding(inp, w.long(), max_norm=1.0)",
])
def test_embedding_bag_errors(expr):
    both(lambda T: eval(expr, {"T": T, "F": T.nn.functional, "w": T.tensor(W), "inp": T.tensor(INPUT)}), msg=True)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_scale_grad_by_freq_divides_by_each_index_count(mode):
    # PyTorch 2.13's CPU kernel divides by the count of another index when counts differ
    # (pytorch/pytorch#190063, fixed after 2.13); reftorch divides by the index's own
    # count, as nn.Embedding and PyTorch's CUDA kernel do. Expected values by hand:
    # bags [1, 1, 3] and [3, 2, 2, 2]; each entry's gradient is 1 (sum) or 1/len (mean),
    # summed per row and divided by the row's count (1: 2, 2: 3, 3: 2).
    import reftorch as T
    w = T.zeros(4, 2, requires_grad=True)
    out = T.nn.functional.embedding_bag(T.tensor([1, 1, 3, 3, 2, 2, 2]), w, T.tensor([0, 3]), mode=mode,
                                        scale_grad_by_freq=True)
    out.sum().backward()
    if mode == "sum":
        expected = [0.0, 2 / 2, 3 / 3, 2 / 2]
    else:
        expected = [0.0, (2 / 3) / 2, (3 / 4) / 3, (1 / 3 + 1 / 4) / 2]
    np.testing.assert_allclose(w.grad.numpy(), np.repeat(np.array(expected, np.float32)[:, None], 2, 1), rtol=1e-6)


def test_include_last_offset_ends_the_last_bag_there():
    # (PyTorch 2.13 is inconsistent when the last offset is short of len(input): its mean
    # divides by the entries up to the end and its max reads past the offset; reftorch
    # keeps the documented meaning: the last offset ends the last bag.)
    import reftorch as T
    w = T.arange(20.0).reshape(10, 2)
    out = T.nn.functional.embedding_bag(T.tensor([1, 2, 4, 5, 4, 3, 2, 9]), w, T.tensor([0, 3, 6]), mode="mean",
                                        include_last_offset=True)
    np.testing.assert_allclose(out.numpy(), [[14 / 3, 17 / 3], [24 / 3, 27 / 3]])


# ---------------------------------------------------------------- from_pretrained
@pytest.mark.parametrize("kw", [{}, {"freeze": False}, {"mode": "sum", "padding_idx": 1},
                                {"freeze": False, "mode": "max", "padding_idx": -3},
                                {"max_norm": 3.0, "norm_type": 1.0}, {"scale_grad_by_freq": True, "mode": "sum"},
                                {"include_last_offset": True}])
def test_from_pretrained(kw):
    def go(T):
        pre = T.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 4)
        bag = T.nn.EmbeddingBag.from_pretrained(pre, **kw)
        out = bag(T.tensor([1, 2, 1, 3, 0]), T.tensor([0, 2, 5] if kw.get("include_last_offset") else [0, 2]))
        res = [repr(bag), bag.weight.requires_grad, bag.weight.is_leaf, out, bag.weight, list(bag.state_dict())]
        if bag.weight.requires_grad:
            out.pow(2).sum().backward()
            res.append(bag.weight.grad)
        return res
    both(go)


def test_from_pretrained_shares_memory_and_errors():
    import torch

    import reftorch
    for T in (torch, reftorch):
        pre = T.zeros(3, 2)
        bag = T.nn.EmbeddingBag.from_pretrained(pre)
        pre[1, 1] = 4.0
        assert bag.weight[1, 1].item() == 4.0
    for expr in ["T.nn.EmbeddingBag.from_pretrained(T.zeros(3))",
                 "T.nn.EmbeddingBag.from_pretrained(T.zeros(2, 2, 2))",
                 "T.nn.EmbeddingBag.from_pretrained(T.zeros(3, 2), padding_idx=3)",
                 "T.nn.EmbeddingBag.from_pretrained(T.zeros(3, 2), padding_idx=-4)"]:
        both(lambda T: eval(expr, {"T": T}), msg=True)
