"""Small differences from PyTorch 2.13 found by a differential sweep, each checked against
real torch: Tensor methods refusing ``out=``, …"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import torch  # the oracle

from _compare import both, raises_like  # noqa: F401

pytestmark = pytest.mark.torch

# methods that take self alone in PyTorch (its C binding refuses any argument)
_SELF_ONLY = """abs acos acos_ arccos arccos_ arcsin arcsin_ arctan arctan_ argwhere asin asin_ atan atan_
    ceil ceil_ conj cos cosh cosh_ erf erf_ erfc erfc_ exp exp_ exp2 exp2_ expm1 expm1_ fix fix_ floor floor_
    frac frac_ isfinite isinf isnan log log10 log10_ log1p log1p_ log2 log2_ logical_not msort neg neg_
    reciprocal relu rsqrt rsqrt_ sgn sgn_ sigmoid sign sign_ signbit sin sinh sinh_ sqrt square square_ t t_
    tan tan_ tanh trace trunc trunc_ zero_""".split()


@pytest.mark.parametrize("name", _SELF_ONLY)
@pytest.mark.parametrize("call", ["x.{}(out=y)", "x.{}(y)", "x.{}(y, out=y)"])
def test_self_only_methods_refuse_arguments(name, call):
    """``x.exp(out=y)``: PyTorch's Tensor methods have no ``out=`` (``torch.exp`` has):
    TypeError "TensorBase.exp() takes no keyword arguments" (or "takes no arguments (1
    given)"), and ``y`` is left alone."""
    def run(T):
        x, y = T.tensor([[0.5, 1.5], [2.0, 3.0]]), T.zeros(2, 2)
        try:
            eval(call.format(name), globals(), locals())
        finally:
            assert y.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    raises_like(run, msg=True)


# (method, its positional arguments) for PyTorch methods whose functions take out=
_WITH_ARGS = [("add", "y"), ("sub", "y"), ("mul", "y"), ("addcdiv", "y, y"), ("addcmul", "y, y"),
              ("atan2", "y"), ("arctan2", "y"), ("cumsum", "0"), ("cumprod", "0"), ("dot", "y[0]"),
              ("fmax", "y"), ("fmin", "y"), ("gather", "0, i"), ("hypot", "y"), ("index_select", "0, i[0]"),
              ("logaddexp", "y"), ("logical_and", "y"), ("logical_or", "y"), ("logical_xor", "y"),
              ("matmul", "y"), ("mm", "y"), ("mv", "y[0]"), ("multinomial", "1"), ("nan_to_num", ""),
              ("norm", ""), ("topk", "1"), ("tril", ""), ("triu", ""), ("add_", "y"), ("mul_", "y"),
              ("tril_", ""), ("nan_to_num_", "")]


@pytest.mark.parametrize("name,args", _WITH_ARGS)
def test_methods_with_arguments_refuse_out(name, args):
    """``x.add(y, out=z)``: TypeError "add() got an unexpected keyword argument 'out'",
    ``z`` untouched; the function ``torch.add(x, y, out=z)`` still writes ``z``."""
    def run(T):
        x, y, z = T.tensor([[0.5, 1.5], [2.0, 3.0]]), T.ones(2, 2), T.zeros(2, 2)
        i = T.zeros(2, 2, dtype=T.int64)
        try:
            eval(f"x.{name}({args}{', ' if args else ''}out=z)", {"x": x, "y": y, "z": z, "i": i})
        finally:
            assert z.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    raises_like(run, msg=True)


def test_functions_keep_out():
    def run(T):
        x, y = T.tensor([0.5, 1.5]), T.tensor([1.0, 2.0])
        z, w = T.empty(2), T.empty(2)
        T.floor(x, out=z)
        T.add(x, y, out=w)
        return z, w
    both(run)


_FN_OUT = ["exp", "log", "sqrt", "abs", "neg", "negative", "tanh", "sigmoid", "sin", "cos", "reciprocal", "msort"]


@pytest.mark.parametrize("name", _FN_OUT)
@pytest.mark.parametrize("src,out_dtype", [("float32", "float32"), ("float32", "float64"), ("int64", "float32"),
                                           ("int64", "int64"), ("float64", "float32"), ("int32", "int64"),
                                           ("float32", "float16"), ("bool", "float32"), ("bool", "bool")])
def test_unary_functions_take_out(name, src, out_dtype):
    """``torch.exp(x, out=y)`` (and log, sqrt, abs, neg, tanh, sigmoid, sin, cos,
    reciprocal, msort): written into ``y`` (the same object is returned), cast to its dtype,
    resized from empty; PyTorch's RuntimeError where the result cannot be cast (a float
    result into an int64 ``out``; abs, neg and msort want ``out`` of the input's dtype)."""
    def run(T):
        x = T.tensor([[0.5, 1.5, 3.0], [2.0, 4.0, 0.25]], dtype=getattr(T, src)) if "float" in src else \
            T.tensor([[1, 3, 2], [4, 0, 1]], dtype=getattr(T, src))
        y = T.empty(0, dtype=getattr(T, out_dtype))
        r = getattr(T, name)(x, out=y)
        return r is y, y.dtype, y.shape, y.float()  # (float32 kernels may differ in the last bit)
    try:
        torch_ok = run(torch)
    except (RuntimeError, NotImplementedError):
        torch_ok = None
    if torch_ok is None:
        raises_like(run, msg=True)
    else:
        both(run)


def test_unary_function_out_refuses_grad():
    def run(T):
        x = T.tensor([0.5, 1.5], requires_grad=True)
        T.exp(x, out=T.empty(2))
    raises_like(run, msg=True)


# ----------------------------------------------------------------- edge-input sweep findings
@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("other", [2, 0, -1, 0.5, True])
def test_logical_binary_ops_want_tensors(name, other):
    """``torch.logical_and(x, 2)``: PyTorch's TypeError (these ops have no number form),
    for a tensor ``input`` and, swapped, for a number ``input``."""
    raises_like(lambda T: getattr(T, name)(T.tensor([0.0, 1.5]), other), msg=True)
    raises_like(lambda T: getattr(T, name)(other, T.tensor([0.0, 1.5])), msg=True)


@pytest.mark.parametrize("a,b", [((0,), (2, 3)), ((2, 3), (4,)), ((3, 1), (2, 4))])
def test_rsub_shape_error_names_other_first(a, b):
    """``torch.rsub(input, other)`` computes ``other - input``: the size error names
    ``other``'s size as tensor a, as PyTorch's does."""
    raises_like(lambda T: T.rsub(T.zeros(a), T.ones(b)), msg=True)


@pytest.mark.parametrize("dim", [0, -1, 1, -2, 5])
def test_unbind_zero_dim_errors(dim):
    """A 0-d input: dims -1 and 0 are "Dimension specified as 0 but tensor has no
    dimensions", the others PyTorch's out-of-range IndexError."""
    raises_like(lambda T: T.unbind(T.tensor(1.5), dim), msg=True)
    raises_like(lambda T: T.tensor(1.5).unbind(dim), msg=True)


@pytest.mark.parametrize("call", [
    lambda T: T.tensor([0.0, 1.5, 2.0]).logical_and_(T.tensor([1, 0, 1])),
    lambda T: T.tensor([0, 1, 2]).logical_or_(T.tensor([1.0, 0.0, 0.0])),
    lambda T: T.tensor([True, False]).logical_xor_(T.tensor([True, True])),
    lambda T: T.tensor([0.0, 2.0]).logical_not_(),
    lambda T: T.tensor([0, 2]).logical_not_(),
    lambda T: T.arange(4.0).cumsum_(0),
    lambda T: T.arange(1, 5).cumprod_(dim=-1),
    lambda T: T.arange(4.0).cumsum_(0, dtype=T.float32),
])
def test_more_inplace_methods(call):
    """``logical_and_`` … write the bool result in ``self``'s dtype; ``cumsum_``/``cumprod_``."""
    def run(T):
        r = call(T)
        return r, r.dtype
    both(run)


@pytest.mark.parametrize("call", [
    lambda T: T.zeros(2).logical_and_(T.zeros(2, 2)),
    lambda T: T.arange(4.0).cumsum_(0, dtype=T.float64),
    lambda T: T.arange(4).cumprod_(0, dtype=T.float32),
    lambda T: T.zeros(2).logical_not_(out=T.zeros(2)),
])
def test_more_inplace_methods_errors(call):
    raises_like(call, msg=True)


# NumPy scalars (np.int64 from a NumPy index, np.float32 from a NumPy computation) are read
# as the Python numbers they hold, on either side of an operator.
@pytest.mark.parametrize("expr", [
    "x * np.float32(2)", "x * np.int64(2)", "x + np.int32(3)", "np.float32(2) * x", "np.int64(2) + x",
    "np.int64(5) - x", "np.float64(3) / x", "np.float32(2) ** x", "x ** np.float32(0.5)", "x > np.float32(1.5)",
    "x == np.int64(1)", "x / np.int64(2)", "x.pow(np.int64(2))", "x.clamp(np.float32(0.5))",
    "x.clamp(np.int64(1), np.float64(1.5))", "T.where(x > 1, x, np.int64(0))", "T.full((2,), np.float32(1.5))",
    "T.tensor([1], dtype=T.int8) + np.int64(1)", "T.tensor([1.0], dtype=T.float16) * np.float32(1.5)",
    "T.tensor([3], dtype=T.int32) + np.int64(2 ** 40)", "T.tensor([1, 2]) // np.int64(2)",
    "T.tensor([1, 2]) & np.int64(3)", "np.float32(1) < x",
    # (PyTorch reads a NumPy bool as the float 1.0 / 0.0)
    "T.full((2,), np.bool_(True))", "x.mul(np.bool_(True))", "T.tensor([True, False]) * np.bool_(True)",
    "T.tensor([1, 2]) + np.bool_(True)", "np.bool_(True) * x", "T.arange(np.float32(2.5))",
    "T.arange(np.int64(1), np.float64(3.5), np.int32(1))", "x.topk(np.int64(1)).indices",
])
def test_numpy_scalar_operands(expr):
    def run(T):
        x = T.tensor([1.0, 2.0])
        r = eval(expr, globals(), locals())
        return r, r.dtype
    both(run)


# An operand that is neither a tensor nor a number: the operators answer NotImplemented, as
# PyTorch's do, so Python decides (``x == None`` is False, ``x + None`` a TypeError).
@pytest.mark.parametrize("expr", ["x == None", "x != None", "None == x", "x == 'a'", "x == [1, 2]",
                                  "x.__eq__(None) is NotImplemented", "x.__add__(None) is NotImplemented",
                                  "x.__rand__(None) is NotImplemented"])
def test_operators_with_other_objects(expr):
    both(lambda T: (lambda x: eval(expr))(T.tensor([3, -4])))


@pytest.mark.parametrize("expr", ["x < None", "x + None", "x * 'a'", "x + [1, 2]", "x * (1, 2)", "x - None",
                                  "x ** None", "x // None", "x & None", "x @ None", "x / None", "x % None",
                                  "None + x", "None - x", "None ** x"])
def test_operators_with_other_objects_raise(expr):
    raises_like(lambda T: (lambda x: eval(expr))(T.tensor([3, -4])), msg=True)


@pytest.mark.parametrize("expr", ["5 % x", "5.5 % x", "True & x", "3 | x", "1 ^ x"])
def test_reflected_mod_and_bitwise(expr):
    both(lambda T: (lambda x: eval(expr))(T.tensor([3, -4])))


@pytest.mark.parametrize("expr", [
    "T.zeros(2, 3).movedim((0, 0), (1, 0))", "T.zeros(2, 3).movedim((0, 1), (1, 1))",
    "T.zeros(2, 3).movedim((0, 1), (1,))", "T.zeros(2, 3, 4).movedim((0, -3), (1, 2))",
    "T.zeros(2, 3, 4).movedim((0, 1), (1, -2))", "T.tensor(1.0).movedim((0, 0), (0, 0))",
    "bool(T.tensor([]))", "bool(T.zeros(0, 2))", "bool(T.zeros(2))",
    "T.arange(6.0).reshape(2, 3)[1.0]", "T.arange(6.0).reshape(2, 3)[None, 1.5]",
    "T.tensor(None)", "T.tensor([1, None])", "T.tensor([[1.5], [None]])", "T.tensor([None, 'a'])",
    "T.tensor([1, 'a'])", "T.tensor({1: 2})", "T.tensor([1, object()])",
])
def test_edge_errors(expr):
    raises_like(lambda T: eval(expr), msg=True)


@pytest.mark.parametrize("expr", [
    "T.tensor(1.5).mT", "T.tensor(1.5).mH", "T.tensor(1.5).H", "T.tensor(2j).mH",
    "T.arange(6.0).reshape(2, 3).H", "T.arange(6.0).reshape(1, 2, 3).mT", "T.arange(6.0).reshape(1, 2, 3).mH",
    "T.tensor([[1 + 2j, 3j]]).mH", "T.tensor([[1 + 2j, 3j]]).H", "T.tensor(True).kthvalue(1)",
])
def test_matrix_transposes_and_0d(expr):
    """``mT``/``mH``/``H``: the identity (conj for mH, H) on a 0-d tensor (PyTorch warns
    once per process), the adjoint of a matrix; a 0-d bool tensor's ``kthvalue``."""
    def run(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expr)
        return r * 1 if isinstance(r, T.Tensor) and r.is_complex() else r  # (torch: a lazy conj view)
    both(run)


@pytest.mark.parametrize("expr", ["T.zeros(3).mT", "T.zeros(0).mT", "T.zeros(3).mH", "T.zeros(3).H",
                                  "T.zeros(2, 3, 4).H", "T.tensor([True]).kthvalue(1)"])
def test_matrix_transposes_errors(expr):
    raises_like(lambda T: eval(expr), msg=True)


@pytest.mark.parametrize("dtype", ["int64", "float32"])
@pytest.mark.parametrize("stmt", [
    "x[0, 0] = 'a'", "x[0, 0] = None", "x[0] = [1, 2, 3]", "x[0] = (4, 5, 6)", "x[0] = np.array([1, 2, 3])",
    "x[0] = np.float32(2.5)", "x[0] = np.bool_(True)", "x[x > 2] = np.float32(9)", "x[T.tensor([0])] = None",
    "x[:] = np.float16(1)", "x[[0, 1], [1, 2]] = T.tensor([1.0, 2.0, 3.0])",
    "x[T.tensor([0, 1])] = T.tensor([1.0, 2.0])", "x[0, T.tensor([0, 1])] = T.tensor([1.0, 2.0, 3.0])",
])
def test_setitem_value_errors(stmt, dtype):
    """``x[key] = value``: PyTorch's TypeError "can't assign a list to a torch.FloatTensor"
    for a value that is not a tensor, a Python number or a NumPy integer; the shape
    mismatch reported before the dtype mismatch."""
    def run(T):
        x = T.arange(6, dtype=getattr(T, dtype)).reshape(2, 3)
        exec(stmt, {"T": T, "np": np, "x": x})
    raises_like(run, msg=True)


@pytest.mark.parametrize("dtype", ["int64", "float32"])
@pytest.mark.parametrize("stmt", ["x[0] = np.int32(3)", "x[x > 2] = np.int64(9)", "x[0] = np.uint8(7)",
                                  "x[:] = np.float64(1.5)", "x[x > 2] = T.tensor([[1.0, 2.0, 3.0]], dtype=x.dtype)"])
def test_setitem_numpy_ints_and_leading_ones(stmt, dtype):
    def run(T):
        x = T.arange(6, dtype=getattr(T, dtype)).reshape(2, 3)
        exec(stmt, {"T": T, "np": np, "x": x})
        return x
    both(run)


def test_setitem_leading_ones_gradient():
    def run(T):
        x = T.arange(6.0).reshape(2, 3).requires_grad_()
        y = x * 1
        v = T.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y[y > 2] = v
        y.sum().backward()
        return y, x.grad, v.grad, y.grad_fn.name()
    both(run)


# torch.bitwise_* functions, methods, in-place forms and the shift operators
_BITWISE = ["x << 2", "x >> 1", "x << -1", "x >> -1", "x << 63", "x << 64", "x >> 64", "x >> 63",
            "T.tensor([1, -2], dtype=T.int8) << 7", "T.tensor([1, -128], dtype=T.int8) >> 8",
            "T.tensor([200], dtype=T.uint8) << 1", "T.tensor([200], dtype=T.uint8) >> 9",
            "T.tensor([200], dtype=T.uint8) >> -1", "T.tensor([True]) << 1", "T.tensor([1], dtype=T.int8) << T.tensor([1])",
            "2 << x", "2 >> x", "x.bitwise_left_shift(1)", "T.bitwise_right_shift(x, T.tensor([1, 1, 1, 1]))",
            "T.tensor(1) << T.tensor([1, 2])", "(T.tensor([1], dtype=T.int32) << T.tensor(2)).dtype",
            "x >> T.tensor([64, 1, 2, 100])", "T.tensor([-8], dtype=T.int16) >> 20",
            "T.bitwise_and(x, 3)", "T.bitwise_and(3, x)", "T.bitwise_or(T.tensor([True, False]), False)",
            "T.bitwise_xor(x, x)", "T.bitwise_not(x)", "T.bitwise_not(T.tensor([True]))", "x.bitwise_and(2)",
            "x.bitwise_not()", "x.bitwise_and_(2)", "x.bitwise_not_()", "x.bitwise_left_shift_(2)",
            "T.bitwise_and(x, 1, out=T.empty(0, dtype=T.int64))"]


@pytest.mark.parametrize("expr", _BITWISE)
def test_bitwise_functions_and_shifts(expr):
    both(lambda T: (lambda x: eval(expr))(T.tensor([1, 2, -8, 5])))


@pytest.mark.parametrize("expr", ["T.tensor([1.0]) << 1", "x << 1.5", "T.tensor([True]) << True",
                                  "T.bitwise_not(T.tensor([1.5]))", "T.bitwise_and(T.tensor([1.0]), 1)",
                                  "x.bitwise_not(out=x)", "x.__lshift__(None) + 1"])
def test_bitwise_errors(expr):
    raises_like(lambda T: (lambda x: eval(expr))(T.tensor([1, 2, -8, 5])), msg=True)


@pytest.mark.parametrize("stmt", ["x <<= 1", "x >>= 1", "x &= 6", "x |= 1", "x ^= 3",
                                  "x |= T.tensor([1, 2, 3, 4])"])
def test_inplace_bitwise_operators(stmt):
    def run(T):
        x = T.tensor([1, 2, -8, 5])
        y = x
        exec(stmt, {"T": T}, loc := {"x": x})
        return loc["x"], loc["x"] is y
    both(run)
