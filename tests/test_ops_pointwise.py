"""Differential tests of arithmetic and type promotion against PyTorch: + - * / ** neg
exp log (and the other unary functions), comparisons, with broadcasting, Python scalars,
0-dim tensors, every dtype pair, in-place forms and gradients."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import ALL_DTYPES, both, check_grads, raises_like, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OPS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
}


def arr(shape, dtype="float32", seed=0, low=-5, high=5):
    return random_array(np.random.default_rng(seed), shape, dtype, low, high)


def positive(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype, 1, 4)


@st.composite
def broadcastable(draw):
    """Two shapes that broadcast together."""
    out = draw(st.lists(st.integers(0, 3), min_size=0, max_size=3))
    a, b = [], []
    for s in out:
        a.append(draw(st.sampled_from([s, 1])))
        b.append(draw(st.sampled_from([s, 1])))
    a = a[draw(st.integers(0, len(a))):]
    b = b[draw(st.integers(0, len(b))):]
    return tuple(a), tuple(b)


# ------------------------------------------------------------------ promotion
@pytest.mark.parametrize("da,db", list(itertools.product(ALL_DTYPES, ALL_DTYPES)))
def test_promotion_table(da, db):
    assert str(reftorch.promote_types(getattr(reftorch, da), getattr(reftorch, db))) == \
        str(torch.promote_types(getattr(torch, da), getattr(torch, db)))
    a, b = arr((2,), da), arr((2,), db, 1)
    for name in ("add", "mul"):
        both(lambda T, x, y: OPS[name](x, y), a, b, msg=True)
    both(lambda T, x, y: x - y, a, b, msg=True)
    # 0-dim tensors defer to dimensioned ones within a category
    both(lambda T, x, y: x + y, a, np.array(b[0]), msg=True)
    both(lambda T, x, y: x * y, np.array(a[0]), b, msg=True)
    both(lambda T, x, y: x + y, np.array(a[0]), np.array(b[0]), msg=True)
    both(lambda T, x, y: T.result_type(x, y), a, np.array(b[0]))


@pytest.mark.parametrize("dt", ALL_DTYPES)
@pytest.mark.parametrize("scalar", [2, -1, 1.5, True, 0.0])
def test_python_scalar_promotion(dt, scalar):
    a = arr((3,), dt)
    both(lambda T, x: x + scalar, a, msg=True)
    both(lambda T, x: scalar + x, a, msg=True)
    both(lambda T, x: x * scalar, a, msg=True)
    both(lambda T, x: x - scalar, a, msg=True)
    both(lambda T, x: scalar - x, a, msg=True)
    both(lambda T, x: T.result_type(x, scalar), a)


def test_issue_examples():
    both(lambda T: T.tensor([1, 2]) + 1.5)
    both(lambda T: T.tensor([1, 2], dtype=T.int32) + T.tensor(5))
    both(lambda T: T.tensor([1, 2], dtype=T.int32) + T.tensor(5.0))
    both(lambda T: T.tensor([1, 2]) / 2)
    both(lambda T: T.tensor([1, 2]) / T.tensor([2, 4]))
    both(lambda T: T.tensor([5, -5]) // 2)
    both(lambda T: T.tensor([5, -5]) % 3)
    both(lambda T: T.tensor([5.5, -5.5]) % 3)
    both(lambda T: T.tensor([1, 2], dtype=T.uint8) + T.tensor([1], dtype=T.int8))
    both(lambda T: T.tensor([True, False]) + T.tensor([True, True]))
    both(lambda T: T.tensor([True, False]) * 2.5)
    both(lambda T: T.tensor([1.0], dtype=T.float16) + T.tensor(1.0, dtype=T.float64))
    both(lambda T: T.tensor([2, 3]) ** 2)
    both(lambda T: T.tensor([2, 3]) ** 0.5)
    both(lambda T: 2 ** T.tensor([2, 3]))
    both(lambda T: 2.0 ** T.tensor([2, 3]))
    both(lambda T: T.tensor([2.0, 3.0]) ** T.tensor([2, 3]))
    both(lambda T: T.tensor([2, 3]) ** T.tensor([2.0, 3.0]))


# ------------------------------------------------------------------ values with broadcasting
@SET
@given(shapes=broadcastable(), da=st.sampled_from(ALL_DTYPES), db=st.sampled_from(ALL_DTYPES),
       op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_binary_broadcast(shapes, da, db, op):
    a, b = arr(shapes[0], da), arr(shapes[1], db, 1)
    if op == "div" and db != "bool":
        b = np.where(b == 0, 1, b).astype(db)
    both(lambda T, x, y: OPS[op](x, y), a, b, msg=True)
    both(lambda T, x, y: getattr(T, op)(x, y), a, b, msg=True)


@SET
@given(shapes=st.tuples(st.lists(st.integers(2, 3), max_size=2), st.lists(st.integers(2, 4), max_size=2)))
def test_broadcast_errors(shapes):
    a, b = arr(tuple(shapes[0])), arr(tuple(shapes[1]), seed=1)
    both(lambda T, x, y: x + y, a, b, msg=True)
    both(lambda T, x, y: x * y, a, b, msg=True)


@SET
@given(shapes=broadcastable(), dt=st.sampled_from(["float32", "float64"]),
       op=st.sampled_from(["add", "sub", "mul", "div", "pow"]))
def test_binary_grads(shapes, dt, op):
    a = positive(shapes[0], dt) if op in ("pow", "div") else arr(shapes[0], dt)
    b = positive(shapes[1], dt, 1) if op in ("pow", "div") else arr(shapes[1], dt, 1)
    check_grads(lambda T, x, y: OPS[op](x, y), a, b)
    check_grads(lambda T, x: OPS[op](x, 2.0), a)
    check_grads(lambda T, y: OPS[op](2.0, y), b)
    check_grads(lambda T, x, y: OPS[op](x, y), a, b.astype(np.int64) if op != "div" else b)


def test_mixed_dtype_grads():
    check_grads(lambda T, x, y: x * y, arr((2, 3), "float32"), arr((3,), "float64", 1))
    check_grads(lambda T, x, y: x + y, arr((2, 3), "float64"), arr((), "float32", 1))
    check_grads(lambda T, x, y: x / y, arr((2, 3), "float32"), positive((3,), "int64", 1))
    check_grads(lambda T, x: x.add(x, alpha=2), arr((2,)))
    check_grads(lambda T, x, y: T.sub(x, y, alpha=0.5), arr((2,)), arr((2,), seed=1))
    check_grads(lambda T, x: 1 - x, arr((2,)))
    check_grads(lambda T, x: 1 / x, positive((2,)))


def test_pow_special_grads():
    check_grads(lambda T, x: x ** 0, arr((3,)))
    check_grads(lambda T, x: x ** 2, np.array([0.0, -1.0, 2.0], np.float32))
    check_grads(lambda T, x: x ** 0.5, np.array([0.0, 1.0, 4.0], np.float64))
    check_grads(lambda T, x, y: x ** y, np.array([0.0, 0.0, 2.0], np.float64), np.array([0.0, 2.0, 0.0]))
    check_grads(lambda T, y: 0.0 ** y, np.array([0.0, 2.0, 1.0], np.float64))
    check_grads(lambda T, y: 2 ** y, np.array([0.0, 2.0, -1.0], np.float64))


def test_integer_pow_and_division_errors():
    raises_like(lambda T: T.tensor([2, 3]) ** -1, msg=True)
    both(lambda T: T.tensor([2, 3]) ** T.tensor([-1, 2]))
    both(lambda T: T.tensor([5, -5]) // T.tensor([0, 2]) if False else T.tensor([1]))
    raises_like(lambda T: T.tensor([True]) - T.tensor([True]), msg=True)
    raises_like(lambda T: -T.tensor([True]), msg=True)
    both(lambda T: T.tensor([1.0]) / 0)
    both(lambda T: T.tensor([1]) / 0)
    both(lambda T: T.tensor([-1.0, 0.0]) / 0.0)


# ------------------------------------------------------------------ unary
UNARY = ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin", "cos"]


@SET
@given(shape=st.lists(st.integers(0, 3), max_size=3).map(tuple), dt=st.sampled_from(ALL_DTYPES),
       op=st.sampled_from(UNARY))
def test_unary_values(shape, dt, op):
    a = arr(shape, dt)
    both(lambda T, x: getattr(T, op)(x), a, msg=True)
    both(lambda T, x: getattr(x, op)(), a, msg=True)


@pytest.mark.parametrize("op", UNARY)
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_unary_grads(op, dt):
    a = positive((2, 3), dt) if op in ("log", "sqrt") else arr((2, 3), dt)
    check_grads(lambda T, x: getattr(T, op)(x), a)
    check_grads(lambda T, x: getattr(x, op)(), arr((), dt) if op not in ("log", "sqrt") else positive((), dt))


def test_unary_special_values():
    v = np.array([0.0, -0.0, -1.0, np.inf, -np.inf, np.nan, 1e-30], np.float32)
    for op in UNARY:
        both(lambda T, x: getattr(T, op)(x), v)
    check_grads(lambda T, x: T.abs(x), np.array([0.0, -2.0, 3.0], np.float32))
    check_grads(lambda T, x: T.relu(x), np.array([0.0, -2.0, 3.0], np.float32))
    check_grads(lambda T, x: -x, arr((3,)))
    check_grads(lambda T, x: T.negative(x), arr((3,)))


@pytest.mark.parametrize("dt", ["float32", "float64", "float16"])
@pytest.mark.parametrize("n", [5, 1003])
def test_relu_keeps_signed_zero_and_nan(dt, n):
    """relu(-0.0) is -0.0 and NaN (of either sign) stays NaN, bit for bit as PyTorch, on the
    short (scalar) and the long (vector) loops, contiguous and strided; and its gradient."""
    special = np.array([-0.0, 0.0, np.nan, -np.nan, -1.0, 2.0, -np.inf, np.inf, -1e-30, 1e-30], dt)
    v = np.concatenate([special, np.random.default_rng(0).standard_normal(n).astype(dt), special])
    for x in (v, v[::3]):
        want = torch.relu(torch.from_numpy(x.copy())).numpy()
        got = reftorch.relu(reftorch.from_numpy(x.copy())).numpy()
        np.testing.assert_array_equal(got.view(f"u{got.itemsize}"), want.view(f"u{want.itemsize}"))
    raises_like(lambda T, x: T.relu(x), np.array([1 + 1j, -1j], np.complex64), msg=True)
    # the gradient: zero (+0.0) where the result is 0, kept (inf, NaN, -0.0 too) elsewhere
    g = np.resize(np.array([-0.0, np.inf, -np.inf, np.nan, -3.0, 2.0, 0.0], dt), v.size)
    grads = []
    for T in (torch, reftorch):
        t = T.from_numpy(v.copy()).requires_grad_()
        T.relu(t).backward(T.from_numpy(g.copy()))
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(grads[1].view(f"u{v.itemsize}"), grads[0].view(f"u{v.itemsize}"))


# ------------------------------------------------------------------ comparisons / logical
@SET
@given(shapes=broadcastable(), da=st.sampled_from(ALL_DTYPES), db=st.sampled_from(ALL_DTYPES),
       op=st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]))
def test_comparisons(shapes, da, db, op):
    a, b = arr(shapes[0], da, low=-2, high=2), arr(shapes[1], db, 1, low=-2, high=2)
    both(lambda T, x, y: getattr(T, op)(x, y), a, b, msg=True)
    both(lambda T, x, y: getattr(x, op)(y), a, b, msg=True)
    both(lambda T, x: getattr(x, op)(1), a, msg=True)


def test_comparison_operators_and_logical():
    a, b = arr((4,), "int64", low=-1, high=1), arr((4,), "float32", 1, low=-1, high=1)
    both(lambda T, x, y: (x == y, x != y, x < y, x <= y, x > y, x >= y), a, b)
    both(lambda T, x, y: (T.logical_and(x, y), T.logical_or(x, y), T.logical_xor(x, y), T.logical_not(x)), a, b)
    m, n = arr((4,), "bool"), arr((4,), "bool", 1)
    both(lambda T, x, y: (x & y, x | y, x ^ y, ~x), m, n)
    both(lambda T, x, y: (x & y, x | y, x ^ y, ~x), a, a * 2)
    raises_like(lambda T, x, y: x & y, b, b)


def test_maximum_minimum():
    a, b = arr((2, 3)), arr((3,), seed=1)
    both(lambda T, x, y: (T.maximum(x, y), T.minimum(x, y)), a, b)
    both(lambda T, x, y: (T.maximum(x, y), T.minimum(x, y)), arr((3,), "int64"), b)


# ------------------------------------------------------------------ in place
def test_inplace_arithmetic():
    both(lambda T, x: x.clone().add_(1), arr((2, 3)))
    both(lambda T, x: x.clone().mul_(2.5), arr((2, 3)))
    both(lambda T, x, y: x.clone().sub_(y), arr((2, 3)), arr((3,), seed=1))
    both(lambda T, x: x.clone().div_(2), arr((2, 3)))
    both(lambda T, x: x.clone().add_(1.5), arr((2, 3), "int64"), msg=True)  # cannot cast
    both(lambda T, x: x.clone().div_(2), arr((2, 3), "int64"), msg=True)
    both(lambda T, x, y: x.clone().add_(y), arr((3,)), arr((2, 3), seed=1), msg=True)
    both(lambda T, x: x.clone().add_(T.tensor(2.0)), arr((2,), "int32"), msg=True)
    both(lambda T, x: x.clone().add_(T.tensor([2])), arr((2,), "float32"), msg=True)


def test_inplace_returns_self_and_operators():
    for T in (torch, reftorch):
        x = T.zeros(3)
        y = x
        y += 1
        y *= 3
        assert y is x
        assert x.add_(1) is x
        assert x.tolist() == [4.0, 4.0, 4.0]
        v = x[1:]
        v += 1
        assert x.tolist() == [4.0, 5.0, 5.0]


def test_maximum_minimum_remainder_rounding_grads():
    a = np.array([1.0, 2.0, 3.0, -1.5], np.float32)
    b = np.array([2.0, 2.0, 1.0, 0.5], np.float32)
    for op in ("maximum", "minimum"):
        check_grads(lambda T, x, y: getattr(T, op)(x, y), a, b)
        check_grads(lambda T, x, y: getattr(T, op)(x, y), arr((2, 3)), arr((3,), seed=1))
    check_grads(lambda T, x, y: x % y, a, b)
    check_grads(lambda T, x: x % 2, a)
    check_grads(lambda T, x, y: T.remainder(x, y), arr((2, 3)), positive((3,), seed=1))
    for mode in ("floor", "trunc"):
        check_grads(lambda T, x, y: T.div(x, y, rounding_mode=mode), a, b)
    raises_like(lambda T, x: T.div(x, 2, rounding_mode="round"), a, msg=True)
    both(lambda T: (T.tensor([5, -5, 7]) % T.tensor([3, 3, -2]), T.tensor([5.5, -5.5]) % -2,
                    T.div(T.tensor([7, -7]), 2, rounding_mode="trunc"), T.div(T.tensor([7, -7]), 2, rounding_mode="floor"),
                    T.div(T.tensor([7.0, -7.0]), 2, rounding_mode="trunc")))


def test_where():
    def where(T, c, x, y):
        if hasattr(T, "where"):
            return T.where(c, x, y)
        from reftorch._ops.pointwise import where as ref_where  # until reftorch/__init__.py exports it
        return ref_where(c, x, y)
    c, a, b = arr((2, 3), "bool"), arr((2, 3)), arr((3,), seed=1)
    both(lambda T, m, x, y: x.where(m, y), c, a, b)
    both(lambda T, m, x, y: where(T, m, x, y), c, a, b.astype(np.float64))
    both(lambda T, m, x: where(T, m, x, 2.5), c, arr((2, 3), "int32"))
    both(lambda T, m, x: where(T, m, 1, x), c, arr((3,), "int64"))
    both(lambda T, m, x, y: x.where(m, y), c.astype(np.int64), a, b, msg=True)
    check_grads(lambda T, m, x, y: x.where(m, y), c, a, b)
    check_grads(lambda T, m, x: x.where(m, T.tensor(0.0)), c, a)


def test_integer_division_by_zero():
    raises_like(lambda T: T.tensor([5, 3]) // T.tensor([0, 1]), msg=True)
    raises_like(lambda T: T.tensor([5, 3]) % 0, msg=True)
    raises_like(lambda T: T.div(T.tensor([5]), 0, rounding_mode="trunc"), msg=True)
    both(lambda T: (T.tensor([5.0, -1.0, 0.0]) // 0, T.tensor([5.0]) % 0.0, T.tensor([5]) / 0))


@pytest.mark.parametrize("da", ALL_DTYPES)
@pytest.mark.parametrize("db", ALL_DTYPES)
def test_bitwise_operators(da, db):
    a, b = arr((3,), da, low=0, high=3), arr((3,), db, 1, low=0, high=3)
    both(lambda T, x, y: x & y, a, b, msg=True)
    both(lambda T, x, y: x | y, a, b, msg=True)
    both(lambda T, x, y: x ^ y, a, b, msg=True)
    both(lambda T, x: ~x, a, msg=True)


def test_bool_arithmetic():
    b = np.array([True, False])
    for f in (lambda T, x: x // x, lambda T, x: T.div(x, x, rounding_mode="trunc"), lambda T, x: x % x,
              lambda T, x: x ** x):
        raises_like(f, b, msg=True)
    both(lambda T, x: (x ** True, x ** False, x / x, x * x, x + x, T.maximum(x, x), x ** 2, 2 ** x), b)


def test_scalar_mul_div_grad_fn_names():
    # PyTorch 2.13 records MulBackward0/DivBackward0 for a Python-number operand too.
    a = np.array([1.0, -2.0, 3.0], np.float32)
    for fn in [lambda T, x: x * 2, lambda T, x: 2 * x, lambda T, x: x / 2, lambda T, x: x.mul(2.5),
               lambda T, x: x.div(2), lambda T, x: 2 / x, lambda T, x: x * True]:
        check_grads(fn, a)


def test_sigmoid_does_not_warn_on_overflow():
    import warnings
    for dt in ("float32", "float64"):
        a = np.array([-1000.0, -100.0, -89.0, -88.0, 0.0, 100.0, 1000.0], dt)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            both(lambda T, x: (T.sigmoid(x), x.sigmoid()), a)
            check_grads(lambda T, x: T.sigmoid(x), a)


def test_inplace_modified_error_message():
    def fn(T, x):
        y = x.exp()
        y.mul_(2)
        y.sum().backward()
    raises_like(fn, np.ones(3, np.float32), msg=True)
    _, (et, er) = None, raises_like(fn, np.ones(3, np.float32))
    assert str(er) == str(et)


def test_format_and_repr_contents():
    for a in [np.float32(1.5), np.int64(3), np.bool_(True), np.float64(-0.25)]:
        arr = np.array(a)
        both(lambda T, x: (f"{x}", format(x, ""), str(x)), arr)
    both(lambda T, x: (f"{x:.3f}", f"{x:>8}", f"{x:e}"), np.array(1.5, np.float32))
    both(lambda T, x: f"{x:05d}", np.array(3, np.int64))
    both(lambda T, x: f"{x}", np.array(1.5, np.float32), requires_grad=True)
    both(lambda T, x: (f"{x}", format(x, "")), np.array([1.5, 2.0], np.float32))
    raises_like(lambda T, x: f"{x:.2f}", np.array([1.5], np.float32), msg=True)
    raises_like(lambda T, x: format(x, ">10"), np.zeros((2, 2), np.float32), msg=True)
    both(lambda T, x: x.__repr__(tensor_contents="[stuff]"), np.array([1.5], np.float32))
    both(lambda T, x: repr(x), np.array([1.5], np.float32))


def test_conj():
    c = np.array([1 + 2j, -3 - 1j, 0.5j], np.complex64)
    # (* 1: torch's result carries the conjugate bit, which the comparison cannot read)
    both(lambda T, x: (x.conj() * 1, T.conj(x) * 1), c)
    both(lambda T, x: (x.conj() * 1, T.conj(x) * 1), c.astype(np.complex128))
    for dt in ("float32", "int64", "bool"):
        a = random_array(np.random.default_rng(0), (2, 3), dt)
        both(lambda T, x: (x.conj() is x, T.conj(x) is x, x.conj()), a)
    both(lambda T, x: (x.conj(), x.conj().grad_fn), np.array([1.0, 2.0], np.float32), requires_grad=True)
    # gradient through conj of a complex leaf
    grads = []
    for T in (torch, reftorch):
        w = T.tensor([1 + 2j, 3 - 1j], requires_grad=True)
        y = w.conj()
        assert y.grad_fn.name() == "ConjBackward0"
        y.backward(T.tensor([2 + 1j, 1j]))
        grads.append(np.array(w.grad.detach()._host() if T is reftorch else w.grad.detach().resolve_conj().numpy()))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def test_float16_rounding_division_by_one_value():
    # PyTorch's CPU kernels divide float16 by a divisor that is one value (0-d, one element,
    # expanded, a Python number, a wider 0-d tensor) in float32 and round once at the end:
    # 1 / 0.01 (float16 0.010002) is 99.98 there, trunc 99; with a divisor of many values
    # the quotient is rounded to float16 (100) first.
    h = np.float16
    ones, big = np.ones(3, h), np.array([1.0, 1e4, -7.0, 2.5, 0.0, -0.0, np.inf, np.nan], h)
    for mode in ("trunc", "floor"):
        def div(T, x, y, mode=mode):
            return T.div(x, y, rounding_mode=mode)
        both(div, np.array(True), np.array(0.01, h))
        both(div, ones, np.array(0.01, h))
        both(div, ones, np.array([0.01], h))
        both(div, ones, np.full(3, 0.01, h))
        both(lambda T, x, y: div(T, x, y.expand(3)), ones, np.array([0.01], h))
        both(lambda T, x, y: div(T, x, y.expand(2, 3)), ones.reshape(1, 3), np.array([[0.01], [0.02]], h))
        both(lambda T, x: div(T, x, 0.01), ones)
        both(div, big, np.array(-0.35, h))
        both(div, big, np.array(3))
        both(div, big, np.array(0.7, np.float32))
        both(div, big, np.array(0.7, np.float64))
        both(lambda T, x: div(T, x, 1.7), big)
        both(lambda T, x: div(T, x, 0.0), big)
        both(lambda T, x: div(T, x, 3e-5), big)
        both(div, np.array(1e4, h), np.array([2.56, 1.79, -0.6], h))  # many values: float16 steps
        both(div, np.full(70, 1e4, h), np.array([1.75], h))  # past the vectorised loop's width
    both(lambda T, x: (x // 0.01, T.floor_divide(x, 0.7), x // T.tensor(0.7, dtype=T.float64)), big)
    check_grads(lambda T, x: T.div(x, 0.01, rounding_mode="trunc"), np.array([1.0, 2.0], h))


@pytest.mark.parametrize("name", ["sigmoid", "reciprocal", "rdiv", "rpow2", "rpow_half", "rpow_3_3", "rpow0"])
@pytest.mark.parametrize("dt", ["float16", "float32"])
def test_float16_unary_grads_bit_exact(name, dt):
    # PyTorch's float16 sigmoid computes in float32 (rounded once) and its backward rounds
    # each step of (g * (1 - y)) * y to float16; reciprocal's backward is -g * (y * y); the
    # exponent's gradient of number ** x is g * (y * log(number)), log in double precision.
    fn = {"sigmoid": lambda T, x: x.sigmoid(), "reciprocal": lambda T, x: x.reciprocal(),
          "rdiv": lambda T, x: 2 / x, "rpow2": lambda T, x: 2 ** x, "rpow_half": lambda T, x: 0.5 ** x,
          "rpow_3_3": lambda T, x: 3.3 ** x, "rpow0": lambda T, x: 0 ** x}[name]
    a = np.random.default_rng(3).uniform(-6, 6, 300).astype(dt)
    a[:4] = [0.0, -0.0, np.inf, -np.inf]
    # (float32 exp and pow differ from PyTorch's vectorised ones in the last bit: compared to
    # float32 rounding there)
    check_grads(fn, a, exact=dt == "float16")


def test_float16_mul_div_by_one_value_bit_exact():
    # PyTorch's float16 mul and div with a second operand that is one value (a Python number,
    # a 0-d or one-element tensor, of float16 or a wider dtype) compute in float32 with that
    # value unrounded, rounded once: x * 0.1 multiplies by float32 0.1, not float16 0.0999756.
    # The backward's grad * other and grad / other take the same path.
    a = np.random.default_rng(0).uniform(-3, 3, 300).astype(np.float16)
    a[:3] = [0.0, np.inf, np.nan]
    for fn in (lambda T, x: x * 0.1, lambda T, x: 0.1 * x, lambda T, x: x / 0.1, lambda T, x: 0.1 / x,
               lambda T, x: x * T.tensor(0.1), lambda T, x: T.tensor(0.1) * x,
               lambda T, x: x / T.tensor(3.3, dtype=T.float64), lambda T, x: x * x[5:6],
               lambda T, x: x.reshape(30, 10) * x.reshape(30, 10)[:, :1], lambda T, x: x * 1e300,
               lambda T, x: x / 1e-30, lambda T, x: x * 3, lambda T, x: x.mul(T.tensor(True))):
        check_grads(fn, a, exact=True)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_fmod_remainder_floor_divide_large_bit_exact(dt):
    """``fmod``, ``remainder`` and ``//`` on 2**17 + 5 elements (several blocks of the NumPy
    kernels, and a short last one): PyTorch's bits for small and huge quotients, zeros,
    infinities and NaNs; tensor and scalar divisors."""
    rng = np.random.default_rng(11)
    n = (1 << 17) + 5
    a = (rng.standard_normal(n) * 100).astype(dt)
    b = (rng.standard_normal(n) * 3).astype(dt)
    b[::7] = (rng.standard_normal(len(b[::7])) * 1e-6).astype(dt)  # quotients beyond 2**27
    a[:8] = [0.0, -0.0, np.inf, -np.inf, np.nan, 5.0, -5.0, 1e30]
    b[:8] = [3.0, 3.0, 2.0, 2.0, 1.0, np.inf, 0.0, -0.0]
    a[8:14], b[8:14] = [-3.0, 3.0, -6.0, 6.0, 7.5, -7.5], [0.75, -0.75, 3.0, -3.0, 2.5, 2.5]  # exact multiples
    ops = lambda T, x, y: (T.fmod(x, y), T.remainder(x, y), x // y, T.fmod(x, 2.5), x % -0.3, x // 0.7)  # noqa: E731
    both(ops, a, b, exact=True)
