"""multi_margin_loss, multilabel_margin_loss and triplet_margin_with_distance_loss (and
their layers) against PyTorch: values, gradients, grad_fn names, every reduction, the
options (p, margin, weight, swap, distance functions) and the errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

R = np.random.default_rng(5)
X = R.standard_normal((5, 4)).astype(np.float32)
X64 = R.standard_normal((5, 4))
CLS = np.array([0, 3, 1, 1, 2])
W = np.array([1.0, 0.5, 2.0, 1.5], np.float32)
# class lists padded with -1 (what follows the first -1 is ignored; a repeated class counts twice)
LABELS = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 0, 0], [2, 2, -1, -1], [0, 1, 2, 3]])
A, P, N = (R.standard_normal((4, 3)).astype(np.float32) for _ in range(3))


def _mm(**kw):
    return lambda T, x: T.nn.functional.multi_margin_loss(x, T.tensor(kw.pop("t", CLS)), **kw)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"p": 2}, {"margin": 0.3}, {"weight": W}, {"p": 2, "margin": 2.0, "weight": W}])
def test_multi_margin_loss(kw, reduction):
    def fn(T, x):
        kw2 = dict(kw)
        if "weight" in kw2:
            kw2["weight"] = T.tensor(kw2["weight"])
        return T.nn.functional.multi_margin_loss(x, T.tensor(CLS), reduction=reduction, **kw2)
    check_grads(fn, X)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multi_margin_loss_one_sample_and_float64(reduction):
    check_grads(lambda T, x: T.nn.functional.multi_margin_loss(x, T.tensor(2), reduction=reduction), X[0])
    check_grads(lambda T, x: T.nn.functional.multi_margin_loss(x, T.tensor([2]), reduction=reduction), X[0])
    check_grads(lambda T, x: T.nn.functional.multi_margin_loss(x, T.tensor(2), reduction=reduction), X[:1])
    check_grads(lambda T, x: T.nn.functional.multi_margin_loss(x, T.tensor(CLS), p=2, reduction=reduction), X64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss(reduction):
    check_grads(lambda T, x: T.nn.functional.multilabel_margin_loss(x, T.tensor(LABELS), reduction=reduction), X)
    check_grads(lambda T, x: T.nn.functional.multilabel_margin_loss(x, T.tensor(LABELS), reduction=reduction), X64)
    check_grads(lambda T, x: T.nn.functional.multilabel_margin_loss(x, T.tensor(LABELS[1]), reduction=reduction),
                X[1])


def _l1(T):
    return lambda x, y: (x - y).abs().sum(-1)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"margin": 2.5}, {"swap": True}, {"dist": True}, {"dist": True, "swap": True}])
def test_triplet_margin_with_distance_loss(kw, reduction):
    def fn(T, a, p, n):
        kw2 = dict(kw)
        if kw2.pop("dist", False):
            kw2["distance_function"] = _l1(T)
        return T.nn.functional.triplet_margin_with_distance_loss(a, p, n, reduction=reduction, **kw2)
    check_grads(fn, A, P, N)


@pytest.mark.parametrize("expr", [
    "repr(nn.MultiMarginLoss(p=2, margin=0.5))", "repr(nn.MultiLabelMarginLoss())",
    "repr(nn.TripletMarginWithDistanceLoss(swap=True))",
    "repr(nn.TripletMarginWithDistanceLoss(distance_function=nn.CosineSimilarity()))",
    "list(nn.MultiMarginLoss(weight=T.tensor(w)).state_dict())",
    "nn.MultiMarginLoss(p=2, weight=T.tensor(w))(x, t)", "nn.MultiMarginLoss(reduction='none')(x, t)",
    "nn.MultiMarginLoss(size_average=False)(x, t)", "nn.MultiLabelMarginLoss(reduction='sum')(x, y)",
    "nn.TripletMarginWithDistanceLoss()(a, p, n)",
    "nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1.0), swap=True)(a, p, n)",
    "F.multilabel_margin_loss(x, y, size_average=False)",
    # errors
    "F.multi_margin_loss(x, T.tensor([0, 4, 1, 1, 2]))", "F.multi_margin_loss(x, T.tensor([0, -1, 1, 1, 2]))",
    "F.multi_margin_loss(x, t[:2])", "F.multi_margin_loss(x, t[None])", "F.multi_margin_loss(x, t.float())",
    "F.multi_margin_loss(x, t.int())", "F.multi_margin_loss(x, t, p=3)", "F.multi_margin_loss(x, t, weight=T.ones(3))",
    "F.multi_margin_loss(x, t, weight=T.ones(2, 2))", "F.multi_margin_loss(x[None], t)",
    "F.multi_margin_loss(T.zeros(5, 0), t)", "F.multi_margin_loss(x, t, reduction='avg')",
    "F.multi_margin_loss(x.double(), t, weight=T.ones(4))", "F.multi_margin_loss(x.long(), t)",
    "F.multi_margin_loss(x.half(), t)", "F.multi_margin_loss(x, t, weight=T.ones(4, requires_grad=True))",
    "nn.MultiMarginLoss(weight=T.ones(2, 2))", "nn.MultiMarginLoss(p=3)",
    "F.multilabel_margin_loss(x, y[:2])", "F.multilabel_margin_loss(x, y[:, :3])",
    "F.multilabel_margin_loss(x, y + 1)", "F.multilabel_margin_loss(x, y - 1)",
    "F.multilabel_margin_loss(x, y.float())", "F.multilabel_margin_loss(x[None], y)",
    "F.multilabel_margin_loss(x, y, reduction='avg')", "F.multilabel_margin_loss(x.long(), y)",
    "F.multilabel_margin_loss(x[0], y)",
    "F.triplet_margin_with_distance_loss(a, p, n, margin=0.0)", "F.triplet_margin_with_distance_loss(a, p, n[0])",
    "F.triplet_margin_with_distance_loss(a, p, n, reduction='avg')", "nn.TripletMarginWithDistanceLoss(margin=-1)",
])
def test_margin_loss_cases(expr):
    def go(T):
        env = {"T": T, "nn": T.nn, "F": T.nn.functional, "x": T.tensor(X), "t": T.tensor(CLS), "w": W,
               "y": T.tensor(LABELS), "a": T.tensor(A), "p": T.tensor(P), "n": T.tensor(N)}
        return eval(expr, env)
    both(go, msg=True)


def test_empty_batch():
    # (PyTorch's reduced losses of an empty batch are uninitialised memory: not compared)
    both(lambda T: T.nn.functional.multi_margin_loss(T.zeros(0, 4), T.zeros(0, dtype=T.long), reduction="none"))
    both(lambda T: T.nn.functional.multilabel_margin_loss(T.zeros(0, 4), T.zeros(0, 4, dtype=T.long),
                                                          reduction="none"))
