"""logaddexp2, float_power, heaviside, isposinf/isneginf/isreal, absolute, positive, gcd,
lcm, ldexp, frexp, nextafter, acosh/asinh/atanh (functions, methods, in-place forms, out=)
against PyTorch: values, dtypes, gradients and grad_fn names (second order too), errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads

A = np.array([0.5, 1.5, -2.0, 3.25], np.float64)
B = np.array([1.0, -0.5, 3.0, 3.25], np.float64)


@pytest.mark.parametrize("expr", [
    "T.logaddexp2(a, b)", "a.logaddexp2(b * 4)", "T.float_power(a, b)", "T.float_power(a.abs(), 2)",
    "T.float_power(2, a)", "a.float_power(b.abs())", "T.ldexp(a, T.tensor([1, 2, -3, 0]))", "T.ldexp(a, b)",
    "T.nextafter(a, b)", "T.acosh(a.abs() + 1)", "T.asinh(a)", "T.atanh(a / 4)", "T.arccosh(b.abs() + 1)",
    "T.arcsinh(b)", "T.arctanh(b / 4)", "T.absolute(a)", "T.positive(a) * 2", "T.frexp(a * 3).mantissa",
    "a.frexp()[0]",
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_grads(expr, dtype):
    check_grads(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), A.astype(dtype), B.astype(dtype))


@pytest.mark.parametrize("fn", ["logaddexp2(x, x * 2)", "float_power(x, 3)", "acosh(x + 1)", "asinh(x)",
                                "atanh(x / 4)", "ldexp(x, T.tensor([1, 2, 3]))", "frexp(x).mantissa",
                                "nextafter(x, x + 1)", "absolute(x - 1)"])
def test_second_order(fn):
    def go(T):
        x = T.tensor([0.5, 1.5, 3.0], dtype=T.float64, requires_grad=True)
        (g,) = T.autograd.grad(eval("T." + fn, {"T": T, "x": x}).pow(2).sum(), x, create_graph=True)
        if g.requires_grad:
            g.sum().backward()
        return g, x.grad
    both(go)


@pytest.mark.parametrize("expr", [
    "T.logaddexp2(T.tensor([float('inf'), -float('inf'), -float('inf'), 0.]), T.tensor([float('inf'), -float('inf'), 1., 1e30]))",
    "T.logaddexp2(T.tensor([0.0, 1000.0], dtype=T.float16), T.tensor([0.0, 1000.0], dtype=T.float16))",
    "T.float_power(T.tensor([2, 3]), 2)", "T.float_power(T.tensor([1j]), 2)", "T.float_power(T.tensor([2.]), 1j)",
    "T.float_power(T.tensor([2.]), 2, out=T.empty(1, dtype=T.float64))",
    "T.tensor([2., 3.], dtype=T.float64).float_power_(2)",
    "T.heaviside(T.tensor([-1., 0., 2., float('nan'), -0.]), T.tensor([0.5]))",
    "T.heaviside(T.tensor([-1, 0, 2]), T.tensor([7]))", "T.heaviside(T.tensor([True, False]), T.tensor([True]))",
    "T.tensor([0., 2.]).heaviside_(T.tensor([5.]))",
    "T.isposinf(T.tensor([-float('inf'), 1, float('inf'), float('nan')]))",
    "T.isneginf(T.tensor([-float('inf'), 1, float('inf')]))", "T.isneginf(T.tensor([1, 2]))",
    "T.isposinf(T.tensor([float('inf')]), out=T.empty(1, dtype=T.bool))", "T.tensor([float('inf')]).isposinf()",
    "T.isreal(T.tensor([1 + 0j, 1j]))", "T.isreal(T.tensor([1.]))", "T.isreal(T.tensor([1]))",
    "T.absolute(T.tensor([-1, 2]))", "T.tensor([-1.5]).absolute_()", "T.positive(T.tensor([1j]))",
    "T.gcd(T.tensor([12, -18, 0, 0, 7]), T.tensor([8, 12, 5, 0, -21]))",
    "T.lcm(T.tensor([12, -18, 0, 4, 7]), T.tensor([8, 12, 5, -6, -21]))",
    "T.gcd(T.tensor([12], dtype=T.uint8), T.tensor([8], dtype=T.int16))", "T.gcd(T.tensor([[12], [18]]), T.tensor(8))",
    "T.lcm(T.tensor([100], dtype=T.int8), T.tensor([3], dtype=T.int8))", "T.tensor([12, 18]).gcd_(T.tensor([8]))",
    "T.tensor([12, 18]).lcm_(T.tensor([8]))", "T.gcd(T.tensor([4]), T.tensor([6]), out=T.empty(1, dtype=T.int64))",
    "T.ldexp(T.tensor([1, 2]), T.tensor([1, 2]))", "T.ldexp(T.tensor([1.]), T.tensor([2.], dtype=T.float64))",
    "T.ldexp(T.tensor([1.], dtype=T.float16), T.tensor([2]))", "T.tensor([1., 2.]).ldexp_(T.tensor([3]))",
    "T.frexp(T.tensor([8., 0.3, 0., -5., float('inf'), float('nan'), -0.]))",
    "T.frexp(T.tensor([8., 5e-45, 1e-310, 1.7e308, 4.9e-324], dtype=T.float64))",
    "T.frexp(T.tensor([8., 5e-45, 3e38, 1e-40], dtype=T.float32))",
    "T.frexp(T.tensor([8., 0.1, 6e-8, 65000.], dtype=T.float16))",
    "T.nextafter(T.tensor([1., 0.]), T.tensor([2., -1.]))",
    "T.nextafter(T.tensor([0., 0., -0., 5.], dtype=T.float64), T.tensor([1., -1., 0., 5.], dtype=T.float64))",
    "T.nextafter(T.tensor([float('nan'), 1., float('inf'), 3.4028234663852886e38, -1.]), T.tensor([1., float('nan'), 0., float('inf'), -2.]))",
    "T.nextafter(T.tensor([1.], dtype=T.float16), T.tensor([2.], dtype=T.float16))",
    "T.nextafter(T.tensor([1.]), T.tensor([2.], dtype=T.float64))", "T.tensor([1., 2.]).nextafter_(T.tensor([0.]))",
    "T.acosh(T.tensor([1, 2]))", "T.atanh(T.tensor([1., -1., 2.]))", "T.tensor([0.5]).asinh_()",
    "T.tensor([2.0]).arccosh_()", "T.asinh(T.tensor([1 + 1j]))",
])
def test_cases(expr):
    both(lambda T: eval(expr, {"T": T}))


@pytest.mark.parametrize("expr", [
    "T.logaddexp2(T.tensor([1, 2]), T.tensor([1, 2]))", "T.logaddexp2(T.tensor([1j]), T.tensor([1j]))",
    "T.float_power(2, 3)", "T.tensor([2., 3.]).float_power_(2)",
    "T.float_power(T.tensor([2.]), 2, out=T.empty(1))", "T.heaviside(T.tensor([-1, 0]), T.tensor([0.5]))",
    "T.heaviside(T.tensor([1j]), T.tensor([1j]))", "T.isneginf(T.tensor([1j]))", "T.positive(T.tensor([True]))",
    "T.gcd(T.tensor([1.]), T.tensor([2.]))", "T.gcd(T.tensor([True]), T.tensor([True]))",
    "T.gcd(T.tensor([12, 18]), 8)", "T.lcm(T.tensor([1.]), T.tensor([2.]))",
    "T.tensor([1, 2]).ldexp_(T.tensor([1]))", "T.frexp(T.tensor([8]))",
    "T.nextafter(T.tensor([1]), T.tensor([2]))", "T.tensor([1, 2]).acosh_()",
    "T.heaviside(T.tensor([0., 1.], requires_grad=True), T.tensor([0.5])).sum().backward()",
])
def test_errors(expr):
    both(lambda T: eval(expr, {"T": T}))


def test_positive_is_identity_and_frexp_type():
    x = reftorch.tensor([1.0, -2.0], requires_grad=True)
    assert reftorch.positive(x) is x
    r = reftorch.frexp(reftorch.tensor([8.0]))
    assert type(r).__name__ == "frexp" and r.exponent.dtype is reftorch.int32
    assert repr(r) == repr(torch.frexp(torch.tensor([8.0])))
    assert isinstance(r, reftorch.return_types.frexp)
    outs = [T.frexp(T.tensor([8.0, 0.75]), out=(T.empty(2), T.empty(2, dtype=T.int32))) for T in (torch, reftorch)]
    assert repr(outs[0]) == repr(outs[1])


def test_nextafter_and_frexp_on_random_bits():
    rng = np.random.default_rng(0)
    for dt in ("float32", "float64"):
        xs = rng.standard_normal(2000).astype(dt) * 10.0 ** rng.integers(-30, 30, 2000)
        ys = rng.standard_normal(2000).astype(dt)
        both(lambda T: T.nextafter(T.tensor(xs), T.tensor(ys)), exact=True)
        both(lambda T: tuple(T.frexp(T.tensor(xs))), exact=True)


def test_integer_and_bool_results_on_the_strict_device():
    """gcd/lcm (a data-dependent loop), heaviside and the bool classifications on the
    array-API stand-in accelerator equal the CPU results."""
    def go(T, d):
        a, b = T.tensor([12, -18, 0, 7], device=d), T.tensor([8, 12, 5, -21], device=d)
        f = T.tensor([-1.0, 0.0, float("inf"), -float("inf")], device=d)
        return [T.gcd(a, b), T.lcm(a, b), T.heaviside(f, T.tensor([0.5], device=d)), T.isposinf(f), T.isneginf(f),
                T.isreal(f), T.isreal(T.tensor([1j, 1 + 0j], device=d))]
    for r, c in zip(go(reftorch, "strict"), go(reftorch, "cpu")):
        assert r.device.type == "strict" and r.dtype == c.dtype
        np.testing.assert_array_equal(r._host(), c._host())
