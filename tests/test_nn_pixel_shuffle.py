"""PixelShuffle / PixelUnshuffle against PyTorch: values, strides, gradients, first- and
second-order grad_fn names, batch dims, integer dtypes, reprs, errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads


@pytest.mark.parametrize("shape,r,fn", [((1, 4, 2, 3), 2, "pixel_shuffle"), ((2, 18, 1, 2), 3, "pixel_shuffle"),
                                         ((4, 2, 2), 2, "pixel_shuffle"), ((2, 3, 8, 2, 2), 2, "pixel_shuffle"),
                                         ((1, 1, 4, 6), 2, "pixel_unshuffle"), ((2, 2, 3, 6), 3, "pixel_unshuffle"),
                                         ((2, 3, 2, 4, 4), 2, "pixel_unshuffle"), ((1, 4, 2, 3), 1, "pixel_shuffle")])
def test_pixel_shuffle(shape, r, fn):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 7
    check_grads(lambda T, a: getattr(T.nn.functional, fn)(a, r), x, exact=True)


@pytest.mark.parametrize("fn,inverse", [("pixel_shuffle", "pixel_unshuffle"), ("pixel_unshuffle", "pixel_shuffle")])
def test_second_order_and_inverse(fn, inverse):
    def go(T):
        x = T.arange(32.0).reshape(2, 4, 2, 2).requires_grad_()
        y = getattr(T.nn.functional, fn)(x, 2)
        (g,) = T.autograd.grad((y * y).sum(), x, create_graph=True)
        g.sum().backward()
        back = getattr(T.nn.functional, inverse)(y, 2)
        return y.stride(), g.grad_fn.name(), x.grad, T.equal(back, x)
    both(go)


@pytest.mark.parametrize("expr", [
    "repr(nn.PixelShuffle(2))", "repr(nn.PixelUnshuffle(3))", "nn.PixelShuffle(3)(T.ones(1, 9, 4, 4)).shape",
    "F.pixel_shuffle(T.arange(16).reshape(1, 4, 2, 2), 2)", "F.pixel_shuffle(T.ones(1, 3, 2, 2), 2)",
    "F.pixel_shuffle(T.ones(4, 2), 2)", "F.pixel_unshuffle(T.ones(1, 1, 3, 4), 2)",
    "F.pixel_unshuffle(T.ones(1, 1, 4, 3), 2)", "F.pixel_shuffle(T.ones(1, 4, 2, 2), 0)",
    "F.pixel_unshuffle(T.ones(1, 4, 2, 2), -2)",
])
def test_pixel_shuffle_cases(expr):
    both(lambda T: eval(expr, {"T": T, "nn": T.nn, "F": T.nn.functional}), msg=True)
