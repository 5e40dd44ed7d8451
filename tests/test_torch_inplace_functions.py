"""The in-place functions of the torch namespace (``torch.abs_(x)`` ...) and the in-place
comparison methods (``x.eq_(y)`` ...), against PyTorch."""
import numpy as np
import pytest
import torch

import reftorch

from _compare import both, raises_like

X = np.array([0.25, -0.5, 0.75, 2.0], np.float32)
POS = np.array([0.25, 0.5, 0.75, 0.125], np.float32)

#: name -> (input, extra args)
CASES = {
    "abs_": (X, ()), "acos_": (POS, ()), "acosh_": (POS + 1, ()), "arccos_": (POS, ()), "arccosh_": (POS + 1, ()),
    "arcsin_": (POS, ()), "arcsinh_": (X, ()), "arctan_": (X, ()), "arctanh_": (POS, ()), "asin_": (POS, ()),
    "asinh_": (X, ()), "atan_": (X, ()), "atanh_": (POS, ()), "ceil_": (X, ()), "clamp_max_": (X, (0.5,)),
    "clamp_min_": (X, (0.5,)), "cos_": (X, ()), "cosh_": (X, ()), "deg2rad_": (X, ()), "erf_": (X, ()),
    "erfc_": (X, ()), "exp2_": (X, ()), "exp_": (X, ()), "expm1_": (X, ()), "fill_": (X, (1.5,)), "fix_": (X, ()),
    "floor_": (X, ()), "frac_": (X, ()), "i0_": (X, ()), "log10_": (POS, ()), "log1p_": (POS, ()),
    "log2_": (POS, ()), "log_": (POS, ()), "logit_": (POS, ()), "nan_to_num_": (np.array([np.nan, np.inf], np.float32), ()),
    "neg_": (X, ()), "negative_": (X, ()), "rad2deg_": (X, ()), "reciprocal_": (X, ()), "relu_": (X, ()),
    "round_": (X, ()), "rsqrt_": (POS, ()), "sigmoid_": (X, ()), "sin_": (X, ()), "sinc_": (X, ()),
    "sinh_": (X, ()), "sqrt_": (POS, ()), "square_": (X, ()), "tan_": (X, ()), "tanh_": (X, ()),
    "trunc_": (X, ()), "xlogy_": (POS, (2.0,)), "detach_": (X, ()),
    "gcd_": (np.array([4, 6, 9]), (np.array([6, 4, 3]),)), "lcm_": (np.array([4, 6, 9]), (np.array([6, 4, 3]),)),
    "ldexp_": (X, (np.array([1.0, 2.0, 3.0, 0.0], np.float32),)),
}


def test_every_inplace_function_of_torch_with_a_method_is_there():
    missing = [n for n in dir(torch) if n.endswith("_") and not n.startswith("_") and not hasattr(reftorch, n)
               and hasattr(torch.Tensor, n)]
    # (no reftorch op yet: as_strided_ and conj_physical_ (views of raw memory, a conj
    # view), resize_as_, resize_as_sparse_ (sparse tensors))
    assert set(missing) <= {"as_strided_", "conj_physical_", "resize_as_", "resize_as_sparse_"}, missing
    assert set(CASES) <= set(dir(reftorch))


@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_function(name):
    x, args = CASES[name]

    def go(T, x, *rest):
        out = getattr(T, name)(x, *rest)
        assert out is x
        return x
    both(go, x, *args)


def test_inplace_function_records_the_op():
    def go(T, x):
        y = x * 1
        T.exp_(y)
        return y
    both(go, X, requires_grad=True)


def test_addmv_():
    both(lambda T, v, m, w: T.addmv_(v, m, w, beta=2, alpha=0.5), np.ones(2, np.float32),
         np.arange(6, dtype=np.float32).reshape(2, 3), np.ones(3, np.float32))
    both(lambda T, v, m, w: v.addmv_(m, w), np.ones(2, np.float32),
         np.arange(6, dtype=np.float32).reshape(2, 3), np.ones(3, np.float32))


def test_inplace_function_errors():
    raises_like(lambda T, x: T.abs_(x.expand(2, 4)), X)  # elements sharing memory
    raises_like(lambda T, x: T.sqrt_(x), np.array([1, 4]))  # float result into an int tensor


COMPARISONS = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
               "not_equal_"]


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "uint8"])
def test_inplace_comparison(name, dtype):
    a = np.array([1, 0, 2, 1]).astype(dtype)
    b = np.array([1, 1, 0, 2]).astype(dtype)
    both(lambda T, a, b: (getattr(a, name)(b), a)[1], a, b)
    both(lambda T, a: (getattr(a, name)(1), a)[1], a)
    both(lambda T, a, b: getattr(a, name)(b) is a, a, b)


@pytest.mark.parametrize("name", COMPARISONS)
def test_inplace_comparison_autograd(name):
    def number(T, x):
        y = x * 1
        getattr(y, name)(0.5)
        y.sum().backward()
        return y, x.grad

    def tensor(T, x, w):
        y = x * 1
        getattr(y, name)(w)
        y.sum().backward()
        return y, x.grad, w.grad
    both(number, X, requires_grad=True)
    both(tensor, X, POS, requires_grad=True)


def test_inplace_comparison_errors():
    raises_like(lambda T, a, b: a.lt_(b), np.array([1, 2]), np.ones((2, 2)))  # no room for the broadcast
    raises_like(lambda T: T.tensor([1.0], requires_grad=True).eq_(1))  # a leaf that requires grad
    raises_like(lambda T: T.tensor([1.0], requires_grad=True).exp_())


def test_inplace_comparison_through_a_view():
    def go(T, x, w):
        y = x * 1
        y[0].lt_(1.5)
        z = x * 1
        z[1].ge_(w)
        (y.sum() + z.sum()).backward()
        return y, z, x.grad, w.grad
    both(go, np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), np.array([1.0, 5.0], np.float32), requires_grad=True)
