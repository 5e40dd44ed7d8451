"""The margin and likelihood losses against PyTorch: values, gradients of every float input,
grad_fn names, all reductions, options (margins, p, swap, full, log_input, per-label
weights, variances of each shape), the layers, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

R = np.random.default_rng(21)
A, B, C = (R.standard_normal((4, 3)).astype(np.float32) for _ in range(3))
V1, V2 = R.standard_normal(4).astype(np.float32), R.standard_normal(4).astype(np.float32)
SIGNS = np.array([1.0, -1.0, 1.0, -1.0], np.float32)
SIGNS2 = np.sign(R.standard_normal((4, 3))).astype(np.float32)
LABELS = (R.random((4, 3)) > 0.5).astype(np.float32)
COUNTS = R.integers(0, 5, (4, 3)).astype(np.float32)


def _loss(name, **kw):
    if name == "soft_margin_loss":  # (its target may not require grad)
        return lambda T, a: T.nn.functional.soft_margin_loss(a, T.tensor(SIGNS2), **kw)
    return lambda T, *a: getattr(T.nn.functional, name)(*a, **kw)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,args,kw", [
    ("margin_ranking_loss", (V1, V2, SIGNS), {}),
    ("margin_ranking_loss", (V1, V2, SIGNS), {"margin": 0.5}),
    ("hinge_embedding_loss", (A, SIGNS2), {}),
    ("hinge_embedding_loss", (np.abs(A), SIGNS2), {"margin": 0.7}),
    ("soft_margin_loss", (A,), {}),
    ("cosine_embedding_loss", (A, B, SIGNS), {}),
    ("cosine_embedding_loss", (A, B, SIGNS), {"margin": 0.2}),
    ("triplet_margin_loss", (A, B, C), {}),
    ("triplet_margin_loss", (A, B, C), {"margin": 2.0, "p": 1.0, "swap": True}),
    ("multilabel_soft_margin_loss", (A, LABELS), {}),
    ("multilabel_soft_margin_loss", (A, LABELS, np.array([1.0, 2.0, 0.5], np.float32)), {}),
    ("poisson_nll_loss", (A, COUNTS), {}),
    ("poisson_nll_loss", (np.abs(A) + 0.1, COUNTS), {"log_input": False, "full": True}),
    ("gaussian_nll_loss", (A, B, np.abs(C) + 0.1), {}),
    ("gaussian_nll_loss", (A, B, np.abs(V1) + 0.1), {"full": True}),
    ("gaussian_nll_loss", (A, B, np.abs(C[:, :1])), {"eps": 0.5}),
])
def test_margin_losses(name, args, kw, reduction):
    check_grads(_loss(name, reduction=reduction, **kw), *args)


def test_cosine_embedding_one_pair():
    check_grads(_loss("cosine_embedding_loss"), A[0], B[0], np.array(-1.0, np.float32))


@pytest.mark.parametrize("expr", [
    "repr(nn.MarginRankingLoss(0.5))", "repr(nn.TripletMarginLoss(swap=True))", "repr(nn.GaussianNLLLoss(full=True))",
    "nn.MarginRankingLoss(0.5)(a[:, 0], b[:, 0], s)", "nn.HingeEmbeddingLoss(0.5, reduction='sum')(a, s2)",
    "nn.SoftMarginLoss()(a, s2)", "nn.CosineEmbeddingLoss(0.1)(a, b, s)", "nn.TripletMarginLoss(p=1.0)(a, b, c)",
    "nn.MultiLabelSoftMarginLoss(weight=T.tensor([1., 2., 3.]))(a, (s2 > 0).float())",
    "nn.PoissonNLLLoss(full=True)(a, s2.abs() * 3)", "nn.GaussianNLLLoss()(a, b, T.ones(4, 3))",
    "nn.GaussianNLLLoss()(a, b, 0.5)", "nn.MarginRankingLoss(size_average=False)(a[:, 0], b[:, 0], s)",
    # errors
    "F.margin_ranking_loss(a, b[:, 0], s)", "F.margin_ranking_loss(a[:, 0], b[:, 0], s, reduction='avg')",
    "F.cosine_embedding_loss(a, b, s2)", "F.cosine_embedding_loss(a, b, s[0])", "F.cosine_embedding_loss(a[0], b[0], s)",
    "F.triplet_margin_loss(a, b, c, margin=0.0)", "F.triplet_margin_loss(a, b, c[0])", "nn.TripletMarginLoss(margin=-1)",
    "F.gaussian_nll_loss(a, b, -1.0)", "F.gaussian_nll_loss(a, b, -T.ones(4, 3))", "F.gaussian_nll_loss(a, b, T.ones(2))",
    "F.gaussian_nll_loss(a, b, T.ones(4, 3), reduction='avg')", "F.poisson_nll_loss(a, b, reduction='avg')",
    "F.multilabel_soft_margin_loss(a, b, reduction='avg')", "F.soft_margin_loss(a, s2, reduction='avg')",
    "F.soft_margin_loss(a, s2.requires_grad_())",
])
def test_margin_loss_cases(expr):
    def go(T):
        env = {"T": T, "nn": T.nn, "F": T.nn.functional, "a": T.tensor(A), "b": T.tensor(B), "c": T.tensor(C),
               "s": T.tensor(SIGNS), "s2": T.tensor(SIGNS2)}
        return eval(expr, env)
    both(go, msg=True)


@pytest.mark.parametrize("expr", [
    # margin_ranking_loss adds its margin as a double: integer inputs give a float loss
    "F.margin_ranking_loss(i, j, k)", "F.margin_ranking_loss(i, j, k, reduction='none')",
    "F.margin_ranking_loss(i, j, k, margin=1, reduction='sum')", "nn.MarginRankingLoss()(i, j, k)",
    "torch_ns.margin_ranking_loss(i, j, k, 0.0, 0)",
    # hinge_embedding_loss stores its margin in the input's dtype first (C++'s scalar - tensor):
    # an integer input keeps its dtype (so its mean raises), the margin truncated or wrapped
    "F.hinge_embedding_loss(i, k)", "nn.HingeEmbeddingLoss()(i, k)",
    "F.hinge_embedding_loss(i, k, reduction='none')", "F.hinge_embedding_loss(i, k.float(), reduction='sum')",
    "F.hinge_embedding_loss(i, -k.abs(), margin=2.7, reduction='none')",
    "F.hinge_embedding_loss(i, -k.abs(), margin=-2.7, reduction='none')",
    "F.hinge_embedding_loss(i.to(T.uint8), -k.abs(), margin=3, reduction='none')",
    "F.hinge_embedding_loss(i.to(T.int8), -k.abs(), margin=300, reduction='none')",
    "F.hinge_embedding_loss(i.to(T.int32), -k.abs(), margin=2.0 ** 40, reduction='none')",
    "F.hinge_embedding_loss(i.half() / 3, -k.abs(), margin=2.7, reduction='none')",
    "nn.HingeEmbeddingLoss(margin=2.7, reduction='sum')(i, -k.abs())",
])
def test_integer_inputs(expr):
    def go(T):
        env = {"T": T, "nn": T.nn, "F": T.nn.functional, "torch_ns": T, "i": T.tensor([-5, 1, 2, 5]),
               "j": T.tensor([2, 1, 3, 0]), "k": T.tensor([1, -1, -1, 1])}
        return eval(expr, env)
    both(go, msg=True)
