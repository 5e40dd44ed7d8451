"""nn.init.orthogonal_ against PyTorch: the seeded normal draw is the same, the QR is
LAPACK's on both sides (equal up to rounding); shapes, gains, dtypes and errors."""
from __future__ import annotations

import pytest

from tests._compare import both


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 4), (6, 2, 2), (1, 7), (0, 3)])
@pytest.mark.parametrize("gain", [1, 2.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_orthogonal(shape, gain, dtype):
    def go(T):
        T.manual_seed(0)
        w = T.empty(*shape, dtype=getattr(T, dtype), requires_grad=True)
        out = T.nn.init.orthogonal_(w, gain=gain)
        after = T.rand(2)  # (the generator has moved on by the same draws)
        return out is w, w.detach(), after, w.requires_grad
    both(go)


@pytest.mark.parametrize("expr", ["T.nn.init.orthogonal_(T.empty(3))", "T.nn.init.orthogonal_(T.empty(()))"])
def test_orthogonal_errors(expr):
    both(lambda T: eval(expr, {"T": T}), msg=True)
