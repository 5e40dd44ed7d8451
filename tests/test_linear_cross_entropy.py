"""``F.linear_cross_entropy``, ``nn.LinearCrossEntropyLoss`` and
``nn.LinearCrossEntropyOptions`` against PyTorch: values, gradients, grad_fn names,
warnings, module repr and state_dict, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads
from _nn_compare import raises_same, same

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))
W = rng.standard_normal((5, 3))
B = rng.standard_normal(5)
W3 = rng.standard_normal((5, 2, 3))
B3 = rng.standard_normal((5, 2))
CLS = np.array([1, 0, 4, 2])
PROBS = rng.random((4, 5))


def _lce(**kw):
    return lambda T, x, w, *b: T.nn.functional.linear_cross_entropy(
        x, w, T.tensor(CLS), linear_bias=b[0] if b else None, **kw)


@pytest.mark.parametrize("kw", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 0},
                                {"label_smoothing": 0.2}, {"reduction": "none", "ignore_index": 4}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_class_indices(kw, dtype):
    check_grads(_lce(**kw), X.astype(dtype), W.astype(dtype))
    check_grads(_lce(**kw), X.astype(dtype), W.astype(dtype), B.astype(dtype))


def test_class_weights():
    check_grads(lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor(CLS), weight=T.tensor(np.abs(B))),
                X, W)


def test_probabilities_and_unbatched():
    check_grads(lambda T, x, w, p: T.nn.functional.linear_cross_entropy(x, w, p, label_smoothing=0.1), X, W, PROBS)
    check_grads(lambda T, x, w: T.nn.functional.linear_cross_entropy(x[1], w, T.tensor(3)), X, W)
    check_grads(lambda T, x, w, p: T.nn.functional.linear_cross_entropy(x[0], w, p[0], reduction="none"), X, W,
                PROBS)


def test_k_dimensional():
    tgt = np.array([[0, 1], [4, 4], [2, 3], [1, 0]])
    for red in ("mean", "none"):
        check_grads(lambda T, x, w, b: T.nn.functional.linear_cross_entropy(x, w, T.tensor(tgt), linear_bias=b,
                                                                            reduction=red), X, W3, B3)
    probs = rng.random((4, 5, 2))
    check_grads(lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor(probs)), X, W3)


@pytest.mark.parametrize("red", ["mean", "sum", "none"])
def test_options_chunked_node(red):
    """With ``options``: the loss of the reference path under PyTorch's chunked node name."""
    def fn(T, x, w, b):
        opts = T.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
        return T.nn.functional.linear_cross_entropy(x, w, T.tensor(CLS), linear_bias=b, reduction=red, options=opts)
    check_grads(fn, X, W, B)
    both(fn, X, W, B)  # (no grad: no node)


def test_options_ignored_with_warning():
    for lib in (torch, reftorch):
        opts = lib.nn.LinearCrossEntropyOptions()
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            out = lib.nn.functional.linear_cross_entropy(lib.tensor(X), lib.tensor(W), lib.tensor(CLS),
                                                         label_smoothing=0.1, options=opts)
        assert [str(w.message) for w in got] == [
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}, "
            "label_smoothing == 0, target.dtype == int64, out_features == (). Got reduction='mean', "
            "label_smoothing=0.1, target.dtype=torch.int64, out_features=(), tracing=False, linear_bias.shape=None."]
        assert [w.category for w in got] == [UserWarning]
        assert out.grad_fn is None


def test_options_dataclass():
    for lib in (torch, reftorch):
        o = lib.nn.LinearCrossEntropyOptions(True, 2, "aspect_ratio:2", "compact", lib.float32)
        assert repr(o) == ("LinearCrossEntropyOptions(allow_retain_graph=True, batch_chunk_size=2, "
                           "chunking_method='aspect_ratio:2', acc_policy='compact', acc_dtype=torch.float32)")
        assert o == lib.nn.LinearCrossEntropyOptions(True, 2, "aspect_ratio:2", "compact", lib.float32)
        with pytest.raises(AttributeError):  # frozen
            o.acc_policy = "accurate"
    for kw in ({"acc_policy": "x"}, {"chunking_method": "foo"}, {"chunking_method": "aspect_ratio:0"},
               {"batch_chunk_size": 0}, {"batch_chunk_size": 1.5}):
        raises_same(lambda T: T.nn.LinearCrossEntropyOptions(**kw))
    raises_same(lambda T: T.nn.LinearCrossEntropyOptions(acc_dtype=T.int32))


ERRORS = [
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x[None], w, T.tensor(CLS)),
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w[0], T.tensor(CLS)),
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w[:, :2], T.tensor(CLS)),
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor(CLS), linear_bias=T.zeros(4,
                                                                                                   dtype=T.float64)),
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x[0], T.zeros(5, 2, 3, dtype=T.float64), T.tensor(CLS)),
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.zeros(4, 5, dtype=T.float64), ignore_index=1),
    lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor(CLS), reduction="bad"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    both(ERRORS[i], X, W, msg=True)


def test_module_repr_state_dict_forward():
    tgt = np.array([[0, 1], [4, 4], [2, 3], [1, 0]])
    out = {}
    for lib in (torch, reftorch):
        lib.manual_seed(0)
        m = lib.nn.LinearCrossEntropyLoss(3, 5, out_features=(2,), bias=True, reduction="sum",
                                          weight=lib.ones(5, dtype=lib.float64), ignore_index=4,
                                          dtype=lib.float64)
        x = lib.tensor(X, requires_grad=True)
        loss = m(x, lib.tensor(tgt))
        loss.backward()
        out[lib] = (repr(m), list(m.state_dict()), loss, x.grad, m.linear.weight.grad, m.linear.bias.grad)
    assert out[reftorch][:2] == out[torch][:2]
    same(out[reftorch][2:], out[torch][2:])


def test_module_defaults_and_options():
    out = {}
    for lib in (torch, reftorch):
        lib.manual_seed(0)
        m = lib.nn.LinearCrossEntropyLoss(3, 5, options=lib.nn.LinearCrossEntropyOptions())
        loss = m(lib.tensor(X, dtype=lib.float32), lib.tensor(CLS))
        out[lib] = (repr(m), list(m.state_dict()), m.weight, m.ignore_index, loss)
    assert out[reftorch][:4] == out[torch][:4]
    same(out[reftorch][4], out[torch][4])


def test_module_errors():
    raises_same(lambda T: T.nn.LinearCrossEntropyLoss(3, 5, weight=T.ones(4)))
    raises_same(lambda T: T.nn.LinearCrossEntropyLoss(3, 5, label_smoothing=2))
