"""torch.logspace against PyTorch, bit for bit: float32/float64/float16 and integer dtypes,
random ends and bases, one step, overflow, negative bases, out=, and the argument errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests._compare import both

_RNG = np.random.default_rng(11)
CASES = [(float(_RNG.uniform(-6, 6)), float(_RNG.uniform(-6, 6)), int(_RNG.integers(0, 40)),
          float(_RNG.choice([10.0, 2.0, math.e, _RNG.uniform(0.1, 5)]))) for _ in range(40)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("start,end,steps,base", CASES)
def test_logspace_random(dtype, start, end, steps, base):
    both(lambda T: T.logspace(start, end, steps, base=base, dtype=getattr(T, dtype)), exact=True)


@pytest.mark.parametrize("expr", [
    "T.logspace(0, 3, 4)", "T.logspace(0, 3, 4, dtype=T.int64)", "T.logspace(0.5, 3, 4, dtype=T.int32)",
    "T.logspace(-1, 2, 4, dtype=T.int64)", "T.logspace(0, 3, 4, base=2.5, dtype=T.int64)",
    "T.logspace(0, 3, 4, base=-2.5, dtype=T.int64)", "T.logspace(0, 3, 4, base=2.5, dtype=T.uint8)",
    "T.logspace(0, 400, 3, dtype=T.float64)", "T.logspace(0, 401, 3, base=-10.0, dtype=T.float64)",
    "T.logspace(0, 1, 3, base=-2)", "T.logspace(0, 3, 1)", "T.logspace(1.3, 3, 1, dtype=T.float32)",
    "T.logspace(1, 3, 0)", "T.logspace(T.tensor(0.), T.tensor(1.), 3)", "T.logspace(0, 1, 3, base=T.tensor(2.))",
    "T.logspace(0, 2, 3, requires_grad=True)", "T.logspace(0, 2, 3, out=T.empty(3))",
    "T.logspace(0, 2, 3, out=T.empty(3, dtype=T.float64))",
    # errors
    "T.logspace(0, 1, -1)", "T.logspace(T.ones(2), 1, 3)", "T.logspace(0, 1, 2.5)", "T.logspace('a', 1, 3)",
    "T.logspace(0, 1, 3, base='a')", "T.logspace(0, 1, 3, base=None)", "T.logspace(0, 1)",
    "T.logspace(0, 3, 4, dtype=T.bool)", "T.logspace(0, 2, 3, dtype=T.int64, requires_grad=True)",
])
def test_logspace_cases(expr):
    both(lambda T: eval(expr, {"T": T}), exact=True)
