"""The deprecated nn.Container and nn.NLLLoss2d against PyTorch: the FutureWarning (text,
category, the caller's line, on every creation and on subclassing, not for a subclass's
instances), the modules they build, their reprs and the loss."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads

RNG = np.random.default_rng(2)


def _caught(lib, code):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = code(lib)
    return out, [(x.category.__name__, str(x.message), x.filename == __file__) for x in w]


@pytest.mark.parametrize("code", [
    lambda T: repr(T.nn.Container(a=T.nn.Linear(2, 3), b=T.nn.ReLU())),
    lambda T: [list(T.nn.Container(a=T.nn.Linear(2, 3)).state_dict()) for _ in range(2)],
    lambda T: repr(T.nn.NLLLoss2d(ignore_index=1)),
    lambda T: (T.nn.NLLLoss2d(size_average=False).reduction, T.nn.NLLLoss2d().ignore_index),
    lambda T: type("Sub", (T.nn.Container,), {}).__name__,
    lambda T: repr(type("Sub", (T.nn.Container,), {})()),
    lambda T: (T.nn.Container.__deprecated__, T.nn.NLLLoss2d.__deprecated__, isinstance(T.nn.NLLLoss2d(),
                                                                                          T.nn.NLLLoss)),
])
def test_warnings(code):
    assert _caught(reftorch, code) == _caught(torch, code)


def test_loss_and_forward_error():
    x = RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
    t = RNG.integers(0, 3, (2, 4, 4))

    def fn(T, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss = T.nn.NLLLoss2d(weight=T.tensor([1.0, 2.0, 0.5]), ignore_index=2)
        return loss(x.log_softmax(1), T.tensor(t))
    check_grads(fn, x)

    def forward(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return T.nn.Container(a=T.nn.ReLU())(T.ones(2))
    both(forward, msg=True)
