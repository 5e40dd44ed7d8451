"""torch.testing.assert_close against PyTorch's: the same outcome, exception type and the
exact message (mismatch statistics, indices, tolerances, item paths, msg=) for tensors,
NumPy arrays, numbers, bools, None, nested sequences and mappings."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.testing

import reftorch
import reftorch.testing


def outcome(T, expr):
    """``"OK"`` or (exception type name, message) of ``expr`` on library ``T``."""
    try:
        eval(expr, {"T": T, "np": np, "check": T.testing.assert_close, "nan": float("nan"), "inf": float("inf")})
    except Exception as e:  # noqa: BLE001 (the exception is the result compared)
        return type(e).__name__, str(e)
    return "OK"


CASES = [
    "check(T.tensor([1., 2., 3.]), T.tensor([1., 2.5, 3.]))",
    "check(T.tensor([1., 2.]), T.tensor([1., 2. + 1e-6]))",
    "check(T.tensor([[1., 2.], [3., 4.]]), T.tensor([[1., 2.], [3., 5.]]))",
    "check(T.tensor([1, 2, 3]), T.tensor([1, 2, 4]))",
    "check(T.tensor([1, 2], dtype=T.uint8), T.tensor([2, 1], dtype=T.uint8))",
    "check(T.tensor([1., 2.]), T.tensor([1., 2.], dtype=T.float64))",
    "check(T.tensor([1., 2.]), T.tensor([1., 2.5], dtype=T.float64), check_dtype=False)",
    "check(T.tensor([1., 2.]), T.tensor([1., 2., 3.]))",
    "check(T.tensor([1., nan]), T.tensor([1., nan]))",
    "check(T.tensor([1., nan]), T.tensor([1., nan]), equal_nan=True)",
    "check(T.tensor([inf]), T.tensor([inf]))", "check(T.tensor([inf]), T.tensor([-inf]))",
    "check(T.tensor(1.), T.tensor(1.5))", "check(T.tensor(3), T.tensor(0))",
    "check(T.tensor([0., 1.]), T.tensor([1., 0.]))", "check(T.tensor([1, 0]), T.tensor([0, 0]))",
    "check(T.tensor([1 + 1j]), T.tensor([1 + 2j]))", "check(T.tensor([True, False]), T.tensor([True, True]))",
    "check(T.tensor([1.], dtype=T.float16), T.tensor([1.001], dtype=T.float16))",
    "check(T.tensor([1.], dtype=T.float16), T.tensor([1.01], dtype=T.float16))",
    "check(T.tensor([1.], dtype=T.float64), T.tensor([1. + 1e-8], dtype=T.float64))",
    "check(T.tensor([], dtype=T.float32), T.tensor([]))",
    "check(T.ones(2, 3).t(), T.ones(3, 2), check_stride=True)", "check(T.ones(2, 3).t(), T.ones(3, 2))",
    "check(T.tensor([[1., 2.]], requires_grad=True), T.tensor([[1., 2.]]))",
    "check(T.tensor([1.]), T.tensor([1.2]), rtol=0.1)", "check(T.tensor([1.]), T.tensor([1.5]), atol=1.0)",
    "check(T.tensor([1.]), T.tensor([1.2]), rtol=0.1, atol=0.2)",
    "check(T.tensor([1.]), T.tensor([1.2]), rtol=0, atol=0)",
    "check(T.tensor([1.]), T.tensor([1.2]), msg='custom')",
    "check(T.tensor([1.]), T.tensor([1.2]), msg=lambda m: f'Header\\n\\n{m}\\n\\nFooter')",
    "check([T.tensor([1.])], [T.tensor([1.2])], msg=lambda m: f'H {m}')",
    "check([T.tensor([5.]), [1, 2]], [T.tensor([1.]), [1]], msg='x')",
    "check([T.tensor([1.]), (2, {'x': T.tensor([3., 4.])})], [T.tensor([1.]), (2, {'x': T.tensor([3., 4.5])})])",
    "check(T.tensor([1.]), 1.0)", "check(T.tensor([1.]), [1.0])", "check('a', 'a')",
    "check(np.array([1., 2.]), np.array([1., 2.5]))", "check(np.array([1.]), T.tensor([1.]))",
    "check(T.nn.Parameter(T.ones(2)), T.ones(2))",
    "check(T.nn.Parameter(T.ones(2)), T.ones(2), allow_subclasses=False)",
    "check(None, None)", "check(None, 1)", "check(True, False)", "check(True, True)", "check(np.bool_(True), False)",
    "check(1.0, 1.0 + 1e-9)", "check(1.0, 1.1)", "check(1, 2)", "check(1, 1.0)", "check(1, 1.0, check_dtype=False)",
    "check(np.float32(1.0), 1.0)", "check(np.float64(1.0), 1.5, check_dtype=False)", "check(1 + 1j, 1 + 2j)",
    "check(0.0, 1e-8)", "check(1.0, nan, equal_nan=True)", "check(nan, nan)", "check(nan, nan, equal_nan=True)",
    "check([1., 2.], [1., 2.1])", "check((1, 2), [1, 2])", "check({'a': 1.}, {'a': 1.5})",
    "check({'a': 1.}, {'b': 1.})", "check({'b': 1, 'a': T.tensor([2])}, {'a': T.tensor([3]), 'b': 1})",
    "check([1, 2], [1, 2, 3])", "check([], [])",
]


@pytest.mark.parametrize("expr", CASES)
def test_like_pytorch(expr):
    assert outcome(reftorch, expr) == outcome(torch, expr)


def test_first_failure_wins():
    expr = "check([T.tensor([1.]), T.tensor([2.])], [T.tensor([1.5]), T.tensor([3.])])"
    mine = outcome(reftorch, expr)
    assert mine == outcome(torch, expr) and mine[1].endswith("The failure occurred for item [0]")
