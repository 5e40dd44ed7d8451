"""torch.view_as_real / view_as_complex against PyTorch: values, shapes, strides, memory
sharing both ways, gradients (first and second order) and PyTorch's checks."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, check_grads

PAIRS = np.arange(12, dtype=np.float32).reshape(2, 3, 2) / 4


@pytest.mark.torch
def test_view_as_complex_and_back():
    both(lambda T, x: (lambda c: (c, c.shape, c.stride(), T.view_as_real(c), T.view_as_real(c).stride()))(
        T.view_as_complex(x)), PAIRS)
    both(lambda T, x: T.view_as_complex(x.double()), PAIRS)
    both(lambda T, x: T.view_as_complex(x[:, ::2]), PAIRS)  # (strides 6 and 4: even)

    def shares(T, x):
        x = x.clone()
        c = T.view_as_complex(x)
        c[0, 1] = 7 - 1j
        T.view_as_real(c)[1, 2, 0] = -5
        return x, c, c._base is x
    both(shares, PAIRS)


@pytest.mark.torch
def test_view_as_complex_gradients():
    check_grads(lambda T, x: T.view_as_real(T.view_as_complex(x) * (1 + 2j)), PAIRS)

    def second(T, x):
        x = x.double().requires_grad_()
        y = T.view_as_real(T.view_as_complex(x) ** 2).sum()
        (g,) = T.autograd.grad(y, x, create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), x)
        return g, gg
    both(second, PAIRS)


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda T: T.view_as_complex(T.ones(3, 3)), lambda T: T.view_as_complex(T.ones(2, 3).t()),
    lambda T: T.view_as_complex(T.ones(10)[1:9].view(4, 2)),
    lambda T: T.view_as_complex(T.ones(3, 3)[:, :2]), lambda T: T.view_as_complex(T.ones(3, 2, dtype=T.int64)),
    lambda T: T.view_as_complex(T.ones(())), lambda T: T.view_as_real(T.ones(3)),
])
def test_view_as_complex_errors(call):
    both(call, msg=True)
