"""Differential tests of the losses (modules and functional forms) and of gradient
clipping against PyTorch: values, gradients, grad_fn names, warnings and errors.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import reftorch
from _nn_compare import LIBS, comparers, raises_same, tonp  # noqa: F401

import torch  # the oracle: the test command installs it, so its absence must fail loudly

same, both = comparers()


RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((5, 4)).astype(np.float32) * 2
TARGET = np.array([0, 3, 1, 1, 2])
PROBS = RNG.random((5, 4)).astype(np.float32)
PROBS /= PROBS.sum(1, keepdims=True)
PRED = RNG.standard_normal((3, 4)).astype(np.float32)
GOLD = RNG.standard_normal((3, 4)).astype(np.float32)
P01 = RNG.uniform(0.05, 0.95, (3, 4)).astype(np.float32)
Y01 = (RNG.random((3, 4)) > 0.5).astype(np.float32)
W4 = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
REDS = ["mean", "sum", "none"]


def run_loss(T, make, x_arr, *targets, dtype=None):
    x = T.tensor(x_arr)
    if dtype:
        x = x.to(getattr(T, dtype))
    x.requires_grad_()
    loss = make(T)(x, *[T.tensor(t) if not hasattr(t, "shape") or t.dtype != object else t for t in targets])
    loss.backward(T.ones_like(loss))
    return [loss, x.grad]


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_mse_l1(reduction, dtype):
    for name in ("MSELoss", "L1Loss"):
        both(lambda T: run_loss(T, lambda T: getattr(T.nn, name)(reduction=reduction), PRED, GOLD, dtype=dtype))


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_mse_grad_bit_exact(reduction, dtype):
    """PyTorch's kernel computes ``norm * (x - y) * grad`` with ``norm = 2 / n`` (mean): the
    same bits, and a difference near the float32 limit scaled before it can overflow."""
    x = np.concatenate([PRED.ravel(), [3e38, -3e38] if dtype == "float32" else [1.0, -1.0]]).astype(dtype)
    y = np.concatenate([GOLD.ravel(), [-1.0, 1.0]]).astype(dtype)
    grads = []
    for T in (torch, reftorch):
        xt = T.tensor(x, requires_grad=True)
        loss = T.nn.functional.mse_loss(xt, T.tensor(y), reduction=reduction)
        (loss.sum() * 3.7).backward()
        grads.append(tonp(xt.grad))
    np.testing.assert_array_equal(grads[1], grads[0])


def test_mse_target_grad_and_size_warning():
    def fn(T):
        x = T.tensor(PRED, requires_grad=True)
        y = T.tensor(GOLD[0], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            loss = T.nn.functional.mse_loss(x, y)
        msgs = [str(m.message) for m in w]
        loss.backward()
        return [loss, x.grad, y.grad, msgs]
    both(fn)


@pytest.mark.parametrize("kw", [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1}, {"ignore_index": 1, "reduction": "none"},
    {"weight": W4}, {"weight": W4, "reduction": "sum"}, {"weight": W4, "ignore_index": 3},
    {"label_smoothing": 0.1}, {"label_smoothing": 0.3, "reduction": "sum"}, {"label_smoothing": 0.2, "reduction": "none"},
    {"label_smoothing": 0.2, "weight": W4}, {"label_smoothing": 0.2, "ignore_index": 1},
    {"label_smoothing": 0.2, "weight": W4, "ignore_index": 1}, {"label_smoothing": 1.0},
])
def test_cross_entropy_class_indices(kw):
    def fn(T):
        kw2 = {k: (T.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        return run_loss(T, lambda T: T.nn.CrossEntropyLoss(**kw2), LOGITS, TARGET)
    both(fn)


@pytest.mark.parametrize("kw", [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": W4}, {"label_smoothing": 0.25},
    {"weight": W4, "reduction": "none", "label_smoothing": 0.1},
])
def test_cross_entropy_probabilities(kw):
    def fn(T):
        kw2 = {k: (T.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        return run_loss(T, lambda T: T.nn.CrossEntropyLoss(**kw2), LOGITS, PROBS)
    both(fn)


def test_cross_entropy_unbatched_and_kdim():
    both(lambda T: run_loss(T, lambda T: T.nn.functional.cross_entropy, LOGITS[0], np.array(2)))
    logits3 = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    tgt3 = np.array([[0, 3, 1], [2, 2, 0]])
    for red in REDS:
        both(lambda T: run_loss(T, lambda T: T.nn.CrossEntropyLoss(reduction=red), logits3, tgt3))
    logits4 = RNG.standard_normal((2, 4, 2, 3)).astype(np.float32)
    tgt4 = RNG.integers(0, 4, (2, 2, 3))
    for red in REDS:
        both(lambda T: run_loss(T, lambda T: T.nn.CrossEntropyLoss(reduction=red), logits4, tgt4))


def test_cross_entropy_all_ignored_is_nan():
    both(lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.full((5,), -100)))


@pytest.mark.parametrize("kw", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": W4},
                                {"ignore_index": 0}, {"weight": W4, "ignore_index": 3, "reduction": "none"}])
def test_nll_loss(kw):
    def fn(T):
        kw2 = {k: (T.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        x = T.tensor(LOGITS, requires_grad=True)
        loss = T.nn.NLLLoss(**kw2)(T.nn.functional.log_softmax(x, dim=1), T.tensor(TARGET))
        loss.backward(T.ones_like(loss))
        return [loss, x.grad]
    both(fn)


@pytest.mark.parametrize("kw", [{}, {"ignore_index": 3}, {"reduction": "none"}])
def test_nll_loss_gradient_zeros_are_positive(kw):
    """PyTorch writes ``-w * grad`` at each target into zeros: the other entries (and a row
    whose target is ignored) print as ``0.``, not ``-0.``."""
    def fn(T):
        x = T.tensor(LOGITS, requires_grad=True)
        loss = T.nn.functional.nll_loss(x, T.tensor(TARGET), **kw)
        loss.backward(T.ones_like(loss))
        return x.grad
    want = fn(torch)
    assert not np.any((want.numpy() == 0) & np.signbit(want.numpy()))  # the oracle has no -0.
    assert str(fn(reftorch)) == str(want)


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction, weighted):
    def fn(T):
        kw = {"reduction": reduction}
        if weighted:
            kw["weight"] = T.tensor(W4)
        return run_loss(T, lambda T: T.nn.BCELoss(**kw), P01, Y01)
    both(fn)


def test_bce_clamps_log_at_minus_100():
    def fn(T):
        x = T.tensor([0.0, 1.0, 0.5], requires_grad=True)
        loss = T.nn.functional.binary_cross_entropy(x, T.tensor([1.0, 0.0, 1.0]), reduction="none")
        return [loss]
    both(fn)


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("opts", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(reduction, opts):
    def fn(T):
        kw = {"reduction": reduction}
        if opts in ("weight", "both"):
            kw["weight"] = T.tensor(W4)
        if opts in ("pos_weight", "both"):
            kw["pos_weight"] = T.tensor([3.0, 1.0, 0.5, 2.0])
        x = T.tensor(PRED * 4, requires_grad=True)
        y = T.tensor(P01, requires_grad=True)
        loss = T.nn.BCEWithLogitsLoss(**kw)(x, y)
        loss.backward(T.ones_like(loss))
        return [loss, x.grad, y.grad]
    both(fn)


def test_bce_with_logits_extreme_logits_stable():
    both(lambda T: T.nn.functional.binary_cross_entropy_with_logits(
        T.tensor([-200.0, 200.0, 0.0]), T.tensor([1.0, 0.0, 1.0]), reduction="none"))


def test_loss_reprs_and_buffers():
    for name, kw in [("MSELoss", {}), ("L1Loss", {"reduction": "sum"}), ("CrossEntropyLoss", {}),
                     ("NLLLoss", {}), ("BCELoss", {}), ("BCEWithLogitsLoss", {})]:
        r, t = getattr(reftorch.nn, name)(**kw), getattr(torch.nn, name)(**kw)
        assert repr(r) == repr(t)
        assert list(r.state_dict()) == list(t.state_dict())
    r = reftorch.nn.CrossEntropyLoss(weight=reftorch.tensor(W4))
    t = torch.nn.CrossEntropyLoss(weight=torch.tensor(W4))
    assert list(r.state_dict()) == list(t.state_dict()) == ["weight"]


@pytest.mark.parametrize("case", [
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.tensor([0, 1])),
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.tensor([0, 1, 4, 0, 0])),
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.tensor([0, 1, -2, 0, 0])),
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.tensor([0.0, 1, 2, 0, 0])),
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.zeros(5, 4, dtype=T.int64)),
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.tensor(TARGET), label_smoothing=1.5),
    lambda T: T.nn.functional.cross_entropy(T.tensor(LOGITS), T.tensor(TARGET), reduction="avg"),
    lambda T: T.nn.functional.nll_loss(T.tensor(LOGITS), T.tensor(TARGET), weight=T.ones(3)),
    lambda T: T.nn.functional.binary_cross_entropy(T.rand(3), T.rand(3, 1)),
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor([2.0]), T.tensor([1.0])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.ones(3, 4), T.zeros(4)),
    # inputs that are not floating point: PyTorch's kernels are not built for them
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor([0, 1]), T.tensor([0, 1])),
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor([0, 3]), T.tensor([0, 1]), reduction="none"),
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor([0, 1]), T.tensor([0, 1]), weight=T.tensor([1., 2.])),
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor([False, True]), T.tensor([False, True])),
    lambda T: T.nn.BCELoss()(T.tensor([0, 1], dtype=T.uint8), T.tensor([0, 1], dtype=T.uint8)),
    lambda T: T.nn.functional.binary_cross_entropy(T.tensor([0, 1]), T.tensor([0., 1.])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor([0, 1]), T.tensor([0, 1])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor([0, 1]), T.tensor([0., 1.])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor([True, False]), T.tensor([True, False])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor([0, 1]), T.tensor([0., 1.]),
                                                               pos_weight=T.tensor([2., 1.]), reduction="none"),
    lambda T: T.nn.BCEWithLogitsLoss()(T.tensor([0, 1], dtype=T.int32), T.tensor([0., 1.])),
    lambda T: T.binary_cross_entropy_with_logits(T.tensor([0, 1]), T.tensor([0., 1.])),
    lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.tensor([0., 1.]), T.tensor([0, 1])),
    lambda T: T.nn.functional.mse_loss(T.zeros(2, dtype=T.int64), T.zeros(2, dtype=T.int64)),
    lambda T: T.nn.MSELoss()(T.ones(3, 4), T.ones(2, 4)),
])
def test_loss_errors(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_same(case)


def test_legacy_size_average_reduce():
    for kw in [{"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}]:
        res = []
        for T in LIBS:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                m = T.nn.MSELoss(**kw)
            res.append((m.reduction, [str(x.message) for x in w]))
        assert res[0] == res[1]


# ---------------------------------------------------------------- clipping
@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.5, float("inf")), (2.0, 3)])
def test_clip_grad_norm(max_norm, norm_type):
    def fn(T):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(4, 3), T.nn.Tanh(), T.nn.Linear(3, 2))
        m(T.ones(5, 4) * 3).pow(2).sum().backward()
        total = T.nn.utils.clip_grad_norm_(m.parameters(), max_norm, norm_type=norm_type)
        return [total] + [p.grad for p in m.parameters()]
    both(fn)


def test_clip_grad_norm_single_tensor_skips_none_and_nonfinite():
    both(lambda T: T.nn.utils.clip_grad_norm_(T.zeros(2, requires_grad=True), 1.0))
    for T in LIBS:
        a = T.tensor([3.0, 4.0], requires_grad=True)
        b = T.tensor([1.0], requires_grad=True)  # never used: grad None
        (a * a).sum().backward()
        total = T.nn.utils.clip_grad_norm_([a, b], 5.0)
        assert abs(float(total) - 10.0) < 1e-6 and b.grad is None

    def nonfinite(T):
        a = T.tensor([1.0], requires_grad=True)
        (a * float("inf")).sum().backward()
        T.nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    raises_same(nonfinite)


def test_clip_grad_norm_nonfinite_scales_anyway():
    """Without error_if_nonfinite the gradients are scaled by max_norm / inf = 0 (an inf
    element becomes nan) or by a nan coefficient (every element becomes nan)."""
    def fn(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0], requires_grad=True)
        c = T.tensor([1.0, 2.0], requires_grad=True)
        (a * T.tensor([1.0, float("inf")])).sum().backward()
        (b * 2).sum().backward()
        (c * T.tensor([1.0, float("nan")])).sum().backward()
        return [T.nn.utils.clip_grad_norm_([a, b], 1.0), a.grad, b.grad,
                T.nn.utils.clip_grad_norm_([c], 1.0), c.grad]
    both(fn)


@pytest.mark.parametrize("norm_type", [2.0, 3.0, 0.5])
def test_clip_grad_norm_overflowing_norm_is_quiet(norm_type):
    """Gradients whose squares overflow float32: the norm is inf (as PyTorch's, which does not
    rescale), the gradients become zeros, and no NumPy overflow warning leaks."""
    out = []
    for T in (torch, reftorch):
        a = T.zeros(2, requires_grad=True)
        a.grad = T.tensor([1e30, -1e30])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            total = T.nn.utils.clip_grad_norm_([a], 1.0, norm_type=norm_type)
        out.append((tonp(total).tolist(), tonp(a.grad).tolist(), [str(w.message) for w in caught]))
    assert out[1] == out[0]


def test_clip_grad_value():
    def fn(T):
        w = T.tensor([1.0, 1.0, 1.0], requires_grad=True)
        (w * T.tensor([5.0, -0.5, -3.0])).sum().backward()
        r = T.nn.utils.clip_grad_value_([w], 1.0)
        return [r is None, w.grad]
    both(fn)


@pytest.mark.parametrize("kw", [
    {"label_smoothing": 0.2}, {"weight": W4[:3]}, {"ignore_index": 1}, {"weight": W4[:3], "ignore_index": 0},
    {"label_smoothing": 0.1, "weight": W4[:3], "ignore_index": 2, "reduction": "sum"},
    {"label_smoothing": 0.1, "reduction": "none", "ignore_index": 2},
])
@pytest.mark.parametrize("nd", [3, 4, 5])
def test_cross_entropy_kdim_options(kw, nd):
    shape = {3: (2, 3, 4), 4: (2, 3, 2, 2), 5: (2, 3, 2, 1, 2)}[nd]
    rng = np.random.default_rng(nd)
    logits = rng.standard_normal(shape).astype(np.float32)
    target = rng.integers(0, 3, (shape[0],) + shape[2:])

    def fn(T):
        kw2 = {k: (T.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        return run_loss(T, lambda T: T.nn.CrossEntropyLoss(**kw2), logits, target)
    both(fn)


@pytest.mark.parametrize("dtype", ["float64"])
def test_losses_float64(dtype):
    for make, x, y in [
        (lambda T: T.nn.CrossEntropyLoss(label_smoothing=0.1), LOGITS, TARGET),
        (lambda T: T.nn.BCEWithLogitsLoss(), PRED, Y01),
        (lambda T: T.nn.L1Loss(), PRED, GOLD),
    ]:
        def fn(T):
            x_t = T.tensor(x).to(T.float64).requires_grad_()
            y_t = T.tensor(y)
            if y_t.is_floating_point():
                y_t = y_t.to(T.float64)
            loss = make(T)(x_t, y_t)
            loss.backward()
            return [loss, x_t.grad]
        both(fn, rtol=1e-12, atol=1e-12)


def test_nll_all_ignored_grad_is_zero_without_warnings():
    def fn(T):
        x = T.tensor(LOGITS, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss = T.nn.functional.nll_loss(x, T.full((5,), -100))
            loss.backward()
        return [loss, x.grad]
    r, t = fn(reftorch), fn(torch)
    assert math.isnan(r[0].item()) and math.isnan(t[0].item())
    same(r[1], t[1])


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("case", ["positive", "all_ignored", "no_class", "spatial"])
def test_nll_loss_ignored_targets_give_plus_zero(case, reduction):
    """An ignored target's loss is +0, as PyTorch writes it (not -x * 0, which is -0. for a
    positive x); with no class at all (C = 0) every target must be ignored and the loss is
    PyTorch's (nan for the mean)."""
    inputs = {"positive": (np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), [0, -100]),
              "all_ignored": (np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), [-100, -100]),
              "no_class": (np.ones((2, 0), np.float32), [-100, -100]),
              "spatial": (np.ones((2, 2, 3), np.float32), [[-100, 1, 0], [0, -100, -100]])}
    x, target = inputs[case]
    out = {}
    for T in (torch, reftorch):
        r = T.nn.functional.nll_loss(T.tensor(x), T.tensor(target), reduction=reduction)
        out[T.__name__] = (tonp(r), tonp(T.signbit(r)))
    np.testing.assert_array_equal(out["reftorch"][0], out["torch"][0])
    np.testing.assert_array_equal(out["reftorch"][1], out["torch"][1])
