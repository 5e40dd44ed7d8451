"""F.fractional_max_pool2d/3d (+ _with_indices) and nn.FractionalMaxPool2d/3d against
PyTorch: the samples drawn after the same seed, ATen's interval arithmetic in the input's
dtype (many planes, each with its own sample), values and indices bit for bit, NaN and
empty windows, gradients (first and second order, grad_fn names), modules (repr, buffer,
state dict) and errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(11)


def _pool(T, nd):
    F = T.nn.functional
    return F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("nd,shape,kernel,out", [
    (2, (2, 3, 7, 9), 2, (4, 5)), (2, (3, 11, 6), (3, 2), (5, 5)), (2, (1, 2, 5, 5), 2, 4),
    (2, (2, 2, 8, 8), (1, 3), (8, 1)), (3, (2, 2, 7, 8, 9), 2, (3, 4, 5)), (3, (3, 6, 5, 7), (2, 1, 3), 2),
])
def test_drawn_samples_values_indices_grads(dtype, nd, shape, kernel, out):
    x = RNG.standard_normal(shape).astype(dtype)

    def fn(T, x):
        T.manual_seed(5)
        return _pool(T, nd)(x, kernel, out, return_indices=True)
    check_grads(fn, x, exact=True)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("nd", [2, 3])
def test_interval_arithmetic_many_samples(dtype, nd):
    # 400 planes, each with its own samples: the starts computed in the input's dtype
    size = (97, 61) if nd == 2 else (23, 29, 31)
    out = (37, 20) if nd == 2 else (9, 13, 7)
    x = RNG.standard_normal((2, 200) + size).astype(np.float32)

    def fn(T):
        T.manual_seed(1)
        d = getattr(T, dtype)
        u = T.rand(2, 200, nd, dtype=d)
        return _pool(T, nd)(T.tensor(x, dtype=d), 3, out, return_indices=True, _random_samples=u)
    both(fn, exact=True)


@pytest.mark.parametrize("nd", [2, 3])
def test_output_ratio_and_explicit_samples(nd):
    shape = (2, 3, 9, 10) if nd == 2 else (2, 3, 9, 10, 11)
    x = RNG.standard_normal(shape).astype(np.float32)
    uu = RNG.random((4, 3, nd)).astype(np.float32)  # more rows than the batch: the first ones are used
    ratio = (0.5, 0.75) if nd == 2 else (0.5, 0.75, 0.4)

    def fn(T, x):
        F = T.nn.functional
        u = T.tensor(uu)
        name = f"fractional_max_pool{nd}d"
        a = getattr(F, name)(x, 2, output_ratio=ratio, _random_samples=u)
        b = getattr(F, name + "_with_indices")(x, 2, output_size=3, _random_samples=u)
        c = getattr(F, name)(x[0], 2, output_size=(2,) * nd, return_indices=True, _random_samples=u[:1])
        return a, b, c
    check_grads(fn, x, exact=True)


def test_ratio_as_one_float_in_3d():
    x = RNG.standard_normal((1, 2, 6, 8, 7)).astype(np.float64)
    both(lambda T, x: (T.manual_seed(3), T.nn.functional.fractional_max_pool3d(x, 2, output_ratio=0.5))[1], x,
         exact=True)


def test_nan_ties_infinities_and_empty_windows():
    x = np.array([[[[1., np.nan, 3., np.nan], [2., 2., -np.inf, 5.], [np.nan, 0., 7., 7.]]]], np.float32)
    u = np.full((1, 1, 2), 0.5, np.float32)

    def fn(T, x, u):
        F = T.nn.functional
        return (F.fractional_max_pool2d(x, 2, (2, 3), return_indices=True, _random_samples=u),
                F.fractional_max_pool2d(T.full((1, 1, 3, 3), float("-inf")), 2, 2, return_indices=True,
                                        _random_samples=u),
                F.fractional_max_pool2d(x, 0, 2, return_indices=True, _random_samples=u),
                F.fractional_max_pool2d(x, 2, 0, return_indices=True, _random_samples=u),
                F.fractional_max_pool2d(T.ones(2, 2, 2, 2)[:0], 1, 1, return_indices=True))
    both(fn, x, u, exact=True)


@pytest.mark.parametrize("nd", [2, 3])
def test_double_backward(nd):
    shape = (1, 2, 6, 7) if nd == 2 else (1, 2, 5, 6, 7)
    x = RNG.standard_normal(shape)

    def fn(T):
        T.manual_seed(0)
        xx = T.tensor(x, requires_grad=True)
        y = _pool(T, nd)(xx, 2, 3)
        g = T.ones_like(y, requires_grad=True)
        gx, = T.autograd.grad(y, xx, g, create_graph=True)
        ggx, = T.autograd.grad((gx * T.arange(gx.numel(), dtype=gx.dtype).view(gx.shape)).sum(), g)
        return gx, ggx
    both(fn, exact=True)


def test_samples_requiring_grad_under_no_grad():
    def fn(T):
        T.manual_seed(4)
        u = T.rand(2, 3, 2, requires_grad=True)
        with T.no_grad():
            return T.nn.functional.fractional_max_pool2d(T.randn(2, 3, 4, 4), 2, output_size=2, _random_samples=u)
    both(fn, exact=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("u", [-2.0, 1.5, 7.25, 3e9, -5e9, 1e10, 1e20, float("nan"), float("inf"), -float("inf")])
def test_samples_outside_unit_interval(dtype, u):
    x = RNG.standard_normal((1, 2, 40, 41)).astype(dtype)
    samples = np.full((1, 2, 2), u, dtype)
    both(lambda T, x: T.nn.functional.fractional_max_pool2d(x, 2, output_size=(9, 11), return_indices=True,
                                                            _random_samples=T.tensor(samples)), x, exact=True)


def test_unpool_round_trip():
    x = RNG.standard_normal((1, 2, 8, 8)).astype(np.float32)

    def fn(T, x):
        T.manual_seed(2)
        v, i = T.nn.FractionalMaxPool2d(2, output_size=4, return_indices=True)(x)
        return T.nn.MaxUnpool2d(2)(v, i, output_size=(8, 8))
    check_grads(fn, x, exact=True)


def test_modules():
    def fn(T):
        T.manual_seed(0)
        u = T.rand(1, 2, 2)
        fixed = T.nn.FractionalMaxPool2d((2, 3), output_size=3, return_indices=True, _random_samples=u)
        drawn = T.nn.FractionalMaxPool2d(2, output_ratio=0.5)
        cube = T.nn.FractionalMaxPool3d([2, 1, 2], output_ratio=(0.5, 0.6, 0.7))
        x, x3 = T.randn(1, 2, 7, 8), T.randn(2, 3, 6, 7, 8)
        return (repr(fixed), repr(drawn), repr(cube), fixed.kernel_size, drawn.output_ratio, cube.kernel_size,
                fixed.output_size, drawn.output_size, list(fixed.state_dict()), list(drawn.state_dict()),
                fixed._random_samples, drawn._random_samples, fixed(x), drawn(x), drawn(x), cube(x3))
    both(fn, exact=True)


@pytest.mark.parametrize("expr", [
    "nn.FractionalMaxPool2d(2)", "nn.FractionalMaxPool3d(2)",
    "nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5)",
    "nn.FractionalMaxPool3d(2, output_size=3, output_ratio=0.5)",
    "nn.FractionalMaxPool2d(2, output_ratio=1.5)", "nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1))",
    "nn.FractionalMaxPool3d(2, output_ratio=0)", "nn.FractionalMaxPool2d(2, output_ratio=(0.5,))",
    "nn.FractionalMaxPool3d(0, output_size=2)", "nn.FractionalMaxPool3d((1, 0, 1), output_size=2)",
    "nn.FractionalMaxPool2d(0, output_size=2)",
])
def test_module_errors(expr):
    both(lambda T: repr(eval(expr, {"nn": T.nn})), msg=True)


@pytest.mark.parametrize("expr", [
    "F.fractional_max_pool2d(x, 2)", "F.fractional_max_pool3d(x3, 2)",
    "F.fractional_max_pool2d(x, 2, output_ratio=0.5)",
    "F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5, 0.5))",
    "F.fractional_max_pool2d(x, 2, output_ratio=(0.5,))",
    "F.fractional_max_pool3d(x3, 2, output_ratio=(0.5, 0.5))",
    "F.fractional_max_pool2d(x, 5, output_size=4)", "F.fractional_max_pool2d(x, 2, output_size=8)",
    "F.fractional_max_pool2d(x, 2, output_size=(6, 9))", "F.fractional_max_pool2d(x, 2, output_size=(6, 8))",
    "F.fractional_max_pool2d(x, (2, 2, 2), output_size=2)", "F.fractional_max_pool2d(x, 2, output_size=(2, 2, 2))",
    "F.fractional_max_pool2d(x, [2], output_size=3)", "F.fractional_max_pool2d(x, 2, output_size=[3])",
    "F.fractional_max_pool2d(x, 2, output_size=2.0)", "F.fractional_max_pool2d(x, 2.0, output_size=2)",
    "F.fractional_max_pool2d(x[0, 0], 2, output_size=2)", "F.fractional_max_pool2d(x[0, 0, 0], 2, output_ratio=(.5, .5))",
    "F.fractional_max_pool2d(x[0, 0], 2, output_size=2, _random_samples=T.rand(1, 7, 2))",
    "F.fractional_max_pool2d(x3, 2, output_size=2)", "F.fractional_max_pool2d(x[:, :0], 2, output_size=2)",
    "F.fractional_max_pool2d(x[:, :, :0], 2, output_size=2)", "F.fractional_max_pool2d(x.long(), 2, output_size=2)",
    "F.fractional_max_pool2d(x.long(), 2, output_size=2, _random_samples=T.ones(2, 3, 2).long())",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=T.rand(2, 3, 2, dtype=T.float64))",
    "F.fractional_max_pool2d(x, 5, output_size=4, _random_samples=T.rand(2, 3, 2, dtype=T.float64))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=T.rand(1, 3, 2))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=T.rand(2, 4, 2))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=T.rand(2, 3, 3))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=T.rand(2, 3))",
    "F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=T.rand(2, 3, 2, requires_grad=True))",
    "F.fractional_max_pool2d(x, 5, output_size=2, _random_samples=T.rand(2, 3, 2, requires_grad=True))",
    "F.fractional_max_pool3d(x3, 2, output_size=2, _random_samples=T.rand(2, 3, 3, dtype=T.float64).requires_grad_())",
    "F.fractional_max_pool3d(x3, 5, output_size=4)", "F.fractional_max_pool3d(x3, 2, output_size=(6, 7, 8))",
    "F.fractional_max_pool3d(x3, 2, output_size=(5, 7, 8))", "F.fractional_max_pool3d(x3, 2, output_size=(5, 6, 7))",
    "F.fractional_max_pool3d(x3, 2, output_size=(2, 2))", "F.fractional_max_pool3d(x3, (2, 2), output_size=2)",
    "F.fractional_max_pool3d(x3[0, 0], 2, output_size=2)", "F.fractional_max_pool3d(x3[:, :0], 2, output_size=2)",
    "F.fractional_max_pool3d(T.ones(1, 2, 3, 4, 5, 6), 2, output_size=2)",
    "F.fractional_max_pool3d(x3, 2, output_size=2, _random_samples=T.rand(2, 3, 2))",
    "F.fractional_max_pool2d(x, 1, output_size=(-1, 9), _random_samples=T.rand(2, 3, 2))",
])
def test_errors(expr):
    def fn(T):
        T.manual_seed(0)
        env = {"T": T, "F": T.nn.functional, "x": T.randn(2, 3, 7, 9), "x3": T.randn(2, 3, 7, 8, 9)}
        return eval(expr, env)
    both(fn, msg=True)
