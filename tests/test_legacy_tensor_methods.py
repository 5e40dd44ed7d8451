"""Legacy and low-level tensor functions against PyTorch: ``Tensor.new`` (and the typed
legacy constructors), ``resize_`` / ``resize_as_`` / ``torch.resize_as_``, ``adjoint``,
``as_strided_``, ``nonzero_static``, ``empty_permuted``, ``frombuffer``,
``nuclear_norm``, ``frobenius_norm``."""
from __future__ import annotations

import array
import warnings

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads, forget_warning

X = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]], np.float32)


def run(expr, **names):
    return lambda T: eval(expr, {"T": T, "np": np, **names})


# --------------------------------------------------------------------------- Tensor.new
@pytest.mark.parametrize("expr", [
    "x.new([1, 2])", "x.new([[1, 2]])", "x.new((2, 3))", "x.new((1.5, 2))", "x.new()", "x.new(2, 3).shape",
    "x.new(T.Size([2, 4])).shape", "x.new(1, 2, 3).shape", "x.new([1], device='cpu')", "x.new(np.array([1, 2]))",
    "x.new(x)", "T.tensor([1, 2]).new([1.5])", "T.tensor([True]).new([0, 2])", "x.new(2).dtype",
    "T.FloatTensor([1, 2])", "T.LongTensor((2, 3))", "T.FloatTensor(2, 3).shape", "T.FloatTensor()",
    "T.FloatTensor(T.ones(2))", "T.Tensor(T.tensor([1]))",
])
def test_new(expr):
    both(lambda T: eval(expr, {"T": T, "np": np, "x": T.tensor([[1., 2.], [3., 4.]], dtype=T.float64)}), msg=True)


@pytest.mark.parametrize("expr", [
    "x.new(T.tensor([1, 2]))", "x.new(T.tensor(3))", "x.new(3.5)", "x.new('a')", "x.new(2, dtype=T.int64)",
    "x.new(2, 3, requires_grad=True)", "x.new(2, 3.0)", "x.new(-1)", "T.FloatTensor(3.5)", "T.FloatTensor('a')",
    "T.LongTensor(T.tensor([1.]))",
])
def test_new_errors(expr):
    both(lambda T: eval(expr, {"T": T, "x": T.tensor([[1., 2.], [3., 4.]], dtype=T.float64)}), msg=True)


def test_new_from_a_tensor_is_an_alias():
    def go(T):
        x = T.tensor([1., 2.], requires_grad=True)
        y = x.new(x)
        (y * y).sum().backward()
        z = T.zeros(2)
        w = z.new(z)
        w[0] = 5
        return y, x.grad, z, w._base is z
    both(go)


def test_default_dtype_legacy_constructor():
    def go(T):
        T.set_default_dtype(T.float64)
        try:
            return T.Tensor([1, 2]), T.Tensor(2).dtype
        finally:
            T.set_default_dtype(T.float32)
    both(go)


# ------------------------------------------------------------------------------ resizes
@pytest.mark.parametrize("expr", [
    "T.resize_as_(T.arange(4.), T.zeros(2, 2))", "T.arange(4.).resize_as_(T.zeros(2, 2, dtype=T.int64))",
    "T.arange(6.).resize_(2, 3)", "T.arange(6.).resize_((4,))", "T.arange(6.).resize_(-1)",
    "T.ones(2, requires_grad=True).resize_(3)", "T.resize_as_(T.ones(2, requires_grad=True), T.ones(1))",
])
def test_resize(expr):
    both(run(expr), msg=True)


# ------------------------------------------------------------------------------ adjoint
@pytest.mark.parametrize("expr", [
    "c.adjoint()", "T.adjoint(c)", "c.adjoint().is_conj()", "T.arange(6.).view(2, 3).adjoint()",
    "T.arange(24.).view(2, 3, 4).adjoint()", "T.adjoint(T.tensor([1., 2.]))",
    "(c * 1).adjoint().conj_physical()",
])
def test_adjoint(expr):
    both(lambda T: eval(expr, {"T": T, "c": T.tensor([[1 + 2j, 3j], [4, 5 - 1j]])}), msg=True)


def test_adjoint_grads():
    check_grads(lambda T, a: T.adjoint(a * 1) * T.arange(6.).view(3, 2), np.arange(6.).reshape(2, 3))
    check_grads(lambda T, a: a.adjoint(), np.arange(24.).reshape(2, 3, 4))


def test_adjoint_0d_warns_once():
    forget_warning("adjoint() is deprecated on 0-D tensors")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = reftorch.tensor(1 + 2j).adjoint()
        reftorch.tensor(3.).adjoint()
    assert str(out) == str(torch.tensor(1 + 2j).conj()) and out.is_conj()
    assert [(w.category, str(w.message), w.filename) for w in caught] == [
        (UserWarning, "adjoint() is deprecated on 0-D tensors. Consider using x.conj(). (Triggered internally at "
         "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4390.)", __file__)]


# --------------------------------------------------------------------------- as_strided_
@pytest.mark.parametrize("expr", [
    "x.as_strided_((2, 2), (1, 2))", "x.as_strided_((2,), (1,), 1)",
    "x.as_strided_((2, 2), (1, 2)).as_strided_((2,), (2,), 1)", "x.as_strided_((3, 3), (3, 1))",
    "T.arange(6.).requires_grad_().as_strided_((2,), (1,))", "(x, x.as_strided_((2,), (1,), 2))[0]",
])
def test_as_strided_(expr):
    both(lambda T: eval(expr, {"T": T, "x": T.arange(6.)}), msg=True)


def test_as_strided_grad():
    check_grads(lambda T, a: (a * 1).as_strided_((2, 2), (1, 2), 1) * 2, np.arange(6.))


# ------------------------------------------------------------------------ nonzero_static
@pytest.mark.parametrize("expr", [
    "T.nonzero_static(x, size=2)", "T.nonzero_static(x, size=5)", "T.nonzero_static(x, size=5, fill_value=9)",
    "x.nonzero_static(size=0)", "T.nonzero_static(T.tensor(3.), size=2)", "T.nonzero_static(T.tensor(0.), size=2)",
    "T.nonzero_static(T.tensor([0, 5]), size=3)", "T.nonzero_static(x.requires_grad_(), size=2)",
    "T.nonzero_static(T.tensor([True, False, True]), size=1, fill_value=-5)",
    "T.nonzero_static(x, size=5).stride()", "T.nonzero_static(T.tensor(3.), size=2).stride()",
    "T.nonzero_static(x, 3)", "T.nonzero_static(x, size=-1)", "T.nonzero_static(x, size=2.0)",
    "T.nonzero_static(x)",
])
def test_nonzero_static(expr):
    both(lambda T: eval(expr, {"T": T, "x": T.tensor(X)}), msg=True)


# ------------------------------------------------------------------------ empty_permuted
@pytest.mark.parametrize("expr", [
    "T.empty_permuted((2, 3, 4), (0, 2, 1)).stride()", "T.empty_permuted((2, 3, 4), (2, 0, 1)).stride()",
    "T.empty_permuted((2, 0, 3), (2, 0, 1)).stride()", "T.empty_permuted((2, 0, 3), (0, 1, 2)).stride()",
    "T.empty_permuted((2, 3), (1, 0), dtype=T.int64).dtype", "T.empty_permuted([2, 3], [1, 0]).shape",
    "T.empty_permuted((2, 3), (1, 0), requires_grad=True).requires_grad", "T.empty_permuted((), ()).shape",
    "T.empty_permuted((2, 3), (1, 0)).is_contiguous()", "T.empty_permuted((2, 3), (1, 0))._base is None",
    "T.empty_permuted((2, 3), (0, 0))", "T.empty_permuted((2, 3), (0,))", "T.empty_permuted((2, 3), (0, 2))",
    "T.empty_permuted((2, 3), (-1, 0))", "T.empty_permuted((2, -3), (1, 0))", "T.empty_permuted(2, (0,))",
])
def test_empty_permuted(expr):
    both(run(expr), msg=True)


# ---------------------------------------------------------------------------- frombuffer
@pytest.mark.parametrize("expr", [
    "T.frombuffer(ba, dtype=T.uint8)", "T.frombuffer(ba, dtype=T.int32)",
    "T.frombuffer(ba, dtype=T.int16, count=2, offset=2)", "T.frombuffer(ba, dtype=T.uint8, count=-2)",
    "T.frombuffer(ba, dtype=T.float64)", "T.frombuffer(ba, dtype=T.complex64)", "T.frombuffer(ba, dtype=T.bool)",
    "T.frombuffer(array.array('f', [1, 2, 3]), dtype=T.float32)", "T.frombuffer(memoryview(ba)[2:], dtype=T.uint8)",
    "T.frombuffer(np.arange(3, dtype=np.float32), dtype=T.float32)",
    "T.frombuffer(ba, dtype=T.float32, requires_grad=True)",
    "T.frombuffer(ba, dtype=T.int32, offset=1)", "T.frombuffer(ba, dtype=T.int64, count=2)",
    "T.frombuffer(ba, dtype=T.uint8, offset=8)", "T.frombuffer(ba, dtype=T.uint8, offset=-1)",
    "T.frombuffer(ba, dtype=T.uint8, count=0)", "T.frombuffer(bytearray(), dtype=T.uint8)",
    "T.frombuffer([1, 2], dtype=T.uint8)", "T.frombuffer(ba, dtype=T.int32, count=3)",
    "T.frombuffer(ba, dtype=T.int16, offset=7)", "T.frombuffer(ba)",
])
def test_frombuffer(expr):
    ba = bytearray(b"\x01\x02\x03\x04\x05\x00\x07\x08")
    both(lambda T: eval(expr, {"T": T, "np": np, "array": array, "ba": ba}), msg=True)


def test_frombuffer_shares_memory():
    for lib in (torch, reftorch):
        ba = bytearray(b"\x01\x02\x03\x04")
        t = lib.frombuffer(ba, dtype=lib.uint8)
        t[0] = 100
        ba[3] = 7
        assert ba[0] == 100 and t.tolist() == [100, 2, 3, 7]


def test_frombuffer_read_only_warns_once():
    forget_warning("The given buffer is not writable")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = reftorch.frombuffer(b"abcd", dtype=reftorch.uint8)
        reftorch.frombuffer(b"ab", dtype=reftorch.uint8)
    assert t.tolist() == torch.frombuffer(bytearray(b"abcd"), dtype=torch.uint8).tolist()
    assert [(w.category, w.filename) for w in caught] == [(UserWarning, __file__)]
    assert str(caught[0].message).startswith("The given buffer is not writable, and PyTorch does not support")


# ------------------------------------------------------------------- nuclear / frobenius
@pytest.mark.parametrize("expr", [
    "T.nuclear_norm(x)", "T.nuclear_norm(x, keepdim=True)", "T.nuclear_norm(x, True)", "T.nuclear_norm(x, dim=(0, 1))",
    "T.nuclear_norm(y, (0, 2))", "T.nuclear_norm(y)", "T.nuclear_norm(x, out=T.empty(0))",
    "T.frobenius_norm(x, (0, 1))", "T.frobenius_norm(x, dim=(1,), keepdim=True)", "T.frobenius_norm(y, ())",
    "T.frobenius_norm(y, 1)", "T.frobenius_norm(y, (0, 1), True)", "T.frobenius_norm(T.tensor([[1 + 1j]]), (0, 1))",
    "T.frobenius_norm(x.double(), (1,))", "T.frobenius_norm(x, (0, 1), out=T.empty(0))",
    "T.nuclear_norm(T.tensor([1., 2.]))", "T.nuclear_norm(T.tensor([[1, 2]]))", "T.frobenius_norm(x)",
    "T.frobenius_norm(T.tensor([1, 2]), dim=(0,))", "T.frobenius_norm(y, (0, 1, 2))", "T.frobenius_norm(y, (0, 0))",
])
def test_deprecated_norms(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T: eval(expr, {"T": T, "x": T.tensor(X), "y": T.arange(24.).view(2, 3, 4) / 7}), msg=True)


def test_deprecated_norm_grads():
    a = np.array([[3.0, 4.0], [1.0, 2.0]], np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(lambda T, w: T.nuclear_norm(w), a)
        check_grads(lambda T, w: T.frobenius_norm(w, (0, 1)), a)
        check_grads(lambda T, w: T.frobenius_norm(w, (0,), True), a)


def test_deprecated_norm_warnings():
    for name in ("nuclear_norm", "frobenius_norm"):
        forget_warning(f"at::{name} is deprecated")
    x = reftorch.ones(2, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reftorch.nuclear_norm(x)
        reftorch.nuclear_norm(x, (0, 1))
        reftorch.nuclear_norm(x, out=reftorch.empty(0))
        reftorch.frobenius_norm(x, (0, 1))
        reftorch.frobenius_norm(x, (0, 1), out=reftorch.empty(0))
    lines = [str(w.message).rsplit(":", 1)[1] for w in caught]
    assert lines == ["3229.)", "3217.)", "3175.)", "3195.)"]  # (PyTorch's lines, one warning each)
    assert all(w.filename == __file__ for w in caught)
