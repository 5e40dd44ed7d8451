"""F.ctc_loss and nn.CTCLoss against PyTorch: values, grad_fn names and gradients for every
reduction, zero_infinity, padded and concatenated targets, unbatched input, errors."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads, raises_like

RNG = np.random.default_rng(0)
X = RNG.standard_normal((7, 3, 5)).astype(np.float32)
TARGETS = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]], np.int64)


def _loss(il, tl, **kw):
    def fn(T, x):
        lp = x.log_softmax(2)
        return T.nn.functional.ctc_loss(lp, T.tensor(TARGETS), T.tensor(il), T.tensor(tl), **kw)
    return fn


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("lengths", [([7, 5, 6], [3, 2, 3]), ([7, 6, 4], [3, 2, 0]), ([7, 0, 4], [3, 2, 1])])
def test_ctc_values_and_grads(reduction, zero_infinity, lengths):
    il, tl = lengths
    check_grads(_loss(il, tl, reduction=reduction, zero_infinity=zero_infinity), X)


def test_ctc_infinite_loss_gradient_nan():
    """A target longer than its input: infinite loss, NaN gradients in its input steps."""
    check_grads(_loss([2, 5, 6], [3, 2, 3], reduction="none"), X)


def test_ctc_float64_blank_and_concatenated_targets():
    x = RNG.standard_normal((6, 2, 4))

    def fn(T, x):
        lp = x.log_softmax(2)
        flat = T.tensor([1, 2, 2, 0, 1])  # blank 3
        return (T.nn.functional.ctc_loss(lp, flat, (6, 5), (3, 2), blank=3, reduction="sum"),
                T.nn.CTCLoss(blank=3, zero_infinity=True)(lp, T.tensor([[1, 2, 2], [0, 1, 9]]), [6, 5], [3, 2]))
    check_grads(fn, x)


def test_ctc_unbatched_and_module_repr():
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    for red in ("none", "mean"):
        check_grads(lambda T, x: T.nn.functional.ctc_loss(x.log_softmax(1), T.tensor([1, 3]), T.tensor(5),
                                                          T.tensor(2), reduction=red), x)
    both(lambda T: (repr(T.nn.CTCLoss()), repr(T.nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True)),
                    T.nn.CTCLoss(blank=2).blank))


def test_ctc_errors():
    lp = np.log(np.full((6, 2, 4), 0.25, np.float32))
    tg = np.array([[1, 2, 2], [3, 1, 0]], np.int64)
    cases = [
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([7, 5]), T.tensor([3, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6]), T.tensor([3, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6, 5]), T.tensor([3])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6, 5]), T.tensor([4, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6, 5]), T.tensor([3, 2]), blank=4),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6, 5]), T.tensor([3, 2]), reduction="x"),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6, 5]), T.tensor([-1, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([-1, 5]), T.tensor([3, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp.half(), tg, T.tensor([6, 5]), T.tensor([3, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg, T.tensor([6.0, 5.0]), T.tensor([3, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg[:1], T.tensor([6, 5]), T.tensor([3, 2])),
        lambda T, lp, tg: T.nn.functional.ctc_loss(lp, tg.flatten()[:4], T.tensor([6, 5]), T.tensor([3, 2])),
    ]
    for fn in cases:
        raises_like(fn, lp, tg, msg=True)
