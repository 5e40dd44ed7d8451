"""reftorch.fft against PyTorch: values, dtypes, shapes, grad_fn names and gradients (real
and complex inputs, every norm), errors, fftfreq/rfftfreq and the shifts."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads, raises_like

_RNG = np.random.default_rng(7)
R = _RNG.standard_normal((3, 6)).astype(np.float32)
R5 = _RNG.standard_normal((2, 5)).astype(np.float32)
C = (_RNG.standard_normal((3, 6)) + 1j * _RNG.standard_normal((3, 6))).astype(np.complex64)
C4 = (_RNG.standard_normal((2, 3, 4)) + 1j * _RNG.standard_normal((2, 3, 4))).astype(np.complex64)
R4 = _RNG.standard_normal((2, 3, 4)).astype(np.float32)

ONE_DIM = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
NORMS = [None, "backward", "forward", "ortho"]


def _call(T, name, x, **kw):
    return getattr(T.fft, name)(x, **kw)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", ONE_DIM)
@pytest.mark.parametrize("data", ["R", "R5", "C"])
def test_one_dim_values_and_grads(name, data, norm):
    x = {"R": R, "R5": R5, "C": C}[data]
    if name in ("rfft", "ihfft") and data == "C":
        raises_like(lambda T, a: _call(T, name, a, norm=norm), x, msg=True)
        return
    check_grads(lambda T, a: _call(T, name, a, norm=norm), x, complex_grads=True)


@pytest.mark.parametrize("kw", [{"n": 4}, {"n": 9}, {"n": 1}, {"dim": 0}, {"dim": 0, "n": 5}, {"dim": -2, "n": 2}])
@pytest.mark.parametrize("name", ONE_DIM)
@pytest.mark.parametrize("data", ["R", "C"])
def test_one_dim_n_and_dim(name, data, kw):
    """``n`` pads (ConstantPadNdBackward0) or crops (SliceBackward0) first."""
    if name in ("rfft", "ihfft") and data == "C":
        raises_like(lambda T, a: _call(T, name, a, **kw), C, msg=True)
        return
    check_grads(lambda T, a: _call(T, name, a, norm="ortho", **kw), R if data == "R" else C, complex_grads=True)


@pytest.mark.parametrize("dtype", ["float64", "complex128", "int64", "int32", "bool", "uint8"])
@pytest.mark.parametrize("name", ONE_DIM + ["fftn", "rfftn", "irfftn", "hfftn", "ihfft2"])
def test_dtypes(name, dtype):
    x = np.abs(R * 3).astype(dtype) if dtype != "complex128" else C.astype(dtype)
    both(lambda T, a: _call(T, name, a), x)


@pytest.mark.parametrize("name", ONE_DIM + ["fftn", "fft2", "rfftn", "irfftn", "ifft2"])
def test_default_dtype_float64(name):
    def go(T):
        old = T.get_default_dtype()
        T.set_default_dtype(T.float64)
        try:
            return _call(T, name, T.tensor([[1, 2, 3], [4, 5, 7]]))
        finally:
            T.set_default_dtype(old)
    both(go)


@pytest.mark.parametrize("expr", [
    "T.fft.fft(T.ones(4, dtype=T.float16))", "T.fft.rfft(T.ones(4, dtype=T.float16))",
    "T.fft.irfft(T.ones(4, dtype=T.float16))", "T.fft.fftn(T.ones(2, 2, dtype=T.float16))",
    "T.fft.fft(T.ones(4), norm='bad')", "T.fft.ifft(T.ones(4), norm='Ortho')", "T.fft.fftn(T.ones(2), norm='x')",
    "T.fft.fft(T.ones(4), n=0)", "T.fft.fft(T.ones(4), n=-1)", "T.fft.rfft(T.ones(0))",
    "T.fft.fft(T.zeros(0, 4), dim=0)", "T.fft.irfft(T.ones(1))", "T.fft.irfft(T.ones(3), n=0)",
    "T.fft.hfft(T.ones(1))", "T.fft.rfft(T.ones(4, dtype=T.complex64))", "T.fft.ihfft(T.ones(2, dtype=T.complex128))",
    "T.fft.fft(T.ones(4), dim=1)", "T.fft.ifft(T.ones(4), dim=-2)", "T.fft.fft(T.tensor(1.))",
    "T.fft.rfft(T.tensor(1.))", "T.fft.irfft(T.tensor(1.+0j))",
    "T.fft.fft(T.ones(4), dim=(0,))", "T.fft.fft(T.ones(4), n=2.5)", "T.fft.fft(T.ones(4), norm=3)",
    "T.fft.fft(T.ones(3), out=T.empty(3))", "T.fft.irfft(T.ones(3), out=T.empty(3, dtype=T.complex64))",
    "T.fft.fft2(T.ones(4))", "T.fft.fftn(T.ones(4, 2), s=(3, 3, 3))", "T.fft.fftn(T.ones(4, 2), dim=(0, 0))",
    "T.fft.fftn(T.ones(4, 2), dim=(1, -1))", "T.fft.fftn(T.ones(4, 2), s=(3,), dim=(0, 1))",
    "T.fft.fftn(T.ones(4, 2), s=(0, 3))", "T.fft.fftn(T.ones(4, 2), dim=(2,))", "T.fft.rfftn(T.ones(4, 2), dim=())",
    "T.fft.irfftn(T.ones(4, 2), dim=())", "T.fft.rfftn(T.tensor(2.))", "T.fft.irfftn(T.ones(4, 1))",
    "T.fft.rfft2(T.ones(2, 2, dtype=T.complex64))", "T.fft.irfftn(T.ones(3, 3), s=(4, 0))",
    "T.fft.hfftn(T.ones(4, 2), dim=())", "T.fft.ihfftn(T.ones(4, 2), dim=())", "T.fft.hfftn(T.ones(3, 1))",
    "T.fft.ihfft2(T.ones(2, 2, dtype=T.float16))", "T.fft.hfft2(T.ones(2, 2), norm='no')",
    "T.fft.ihfftn(T.ones(2, 2), out=T.empty(2))", "T.fft.hfftn(T.ones(2), s=(2, 2))",
    "T.fft.fftn(T.ones(2, 2), s=(2.5, 2))", "T.fft.fftn(T.ones(2, 2), dim='a')", "T.fft.fftshift(T.ones(2), dim=0.5)",
    "T.fft.fftshift(T.tensor(1.))", "T.fft.ifftshift(T.ones(3), dim=1)",
])
def test_errors(expr):
    raises_like(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", [
    "T.fft.fft(T.tensor([1, 2, 3]))", "T.fft.fft(T.tensor([True, False]))", "T.fft.irfft(T.ones(1), n=1)",
    "T.fft.irfft(T.tensor([1., 2., 3.]))", "T.fft.hfft(T.tensor([1., 2., 3.]), n=5)",
    "T.fft.fft(T.ones(4), norm=None)", "T.fft.fftn(T.ones(4, 2), dim=())", "T.fft.fftn(T.tensor(2.))",
    "T.fft.fftn(T.ones(4, 2), s=(-1, 3))", "T.fft.irfftn(T.ones(4, 3), s=(-1, -1))",
    "T.fft.irfftn(T.ones(4, 3), s=(5, 7))", "T.fft.irfft(T.ones(4, 3), n=7)",
    "T.fft.fft(T.tensor([1., 2.]), out=T.empty(2, dtype=T.complex64))",
    "T.fft.irfft(T.tensor([1., 2.]), out=T.empty(2, dtype=T.float64))",
    "T.fft.fftn(T.tensor([[1., 2.]]), out=T.empty(0, dtype=T.complex128))",
    "T.fft.fft(T.ones(3), n=np.int64(4), dim=np.int32(0))", "T.fft.fftfreq(np.int64(4))",
    "T.fft.fftn(T.ones(2, 3), s=(np.int64(3), 2))",
])
def test_cases(expr):
    both(lambda T: eval(expr, {"T": T, "np": np}))


# ----------------------------------------------------------------- several dimensions
ND = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2", "hfftn", "ihfftn", "hfft2", "ihfft2"]


@pytest.mark.parametrize("kw", [{}, {"norm": "forward"}, {"norm": "ortho"}, {"dim": (0, 2)}, {"dim": (2, 0)},
                                {"s": (3, 5)}, {"s": (-1, 2)}, {"s": (4, 3, 3), "norm": "ortho"},
                                {"dim": -2}, {"s": 3}, {"s": [2, 6], "dim": [-1, 1]}])
@pytest.mark.parametrize("name", ND)
@pytest.mark.parametrize("data", ["R", "C"])
def test_n_dims(name, data, kw):
    x = R4 if data == "R" else C4
    if name.endswith("2") and ("s" in kw and isinstance(kw["s"], int) or len(kw.get("s", (0, 0))) != 2
                               or isinstance(kw.get("dim"), int) or len(kw.get("dim", (0, 0))) != 2):
        kw = {k: v for k, v in kw.items() if k == "norm"}
    if name.startswith(("rfft", "ihfft")) and data == "C":
        raises_like(lambda T, a: _call(T, name, a, **kw), x, msg=True)
        return
    check_grads(lambda T, a: _call(T, name, a, **kw), x, complex_grads=True)


# ----------------------------------------------------------------- gradients, second order
@pytest.mark.parametrize("name", ["fft", "ifft", "fftn"])
def test_second_order_c2c(name):
    def go(T):
        W = T.tensor(C[1].astype(np.complex128))
        z = T.tensor(C[0].astype(np.complex128), requires_grad=True)
        y = _call(T, name, z * z)
        (g,) = T.autograd.grad((y * y.conj()).real.sum(), z, create_graph=True)
        (g * W).real.sum().backward()
        return g, z.grad
    both(go)


@pytest.mark.parametrize("name", ["rfft", "irfft", "hfft", "ihfft", "fft", "ifft", "rfftn", "irfftn", "ihfftn"])
@pytest.mark.parametrize("n", [None, 7])
def test_second_order_values(name, n):
    """The gradient of a gradient: values, and the nodes of the gradient's graph."""
    def go(T):
        W = T.tensor(C[1].astype(np.complex128))
        x = T.tensor(R[0].astype(np.float64) if name not in ("irfft", "hfft", "irfftn") else C[0].astype(np.complex128),
                     requires_grad=True)
        y = _call(T, name, x * x, **({"s": None if n is None else (n,)} if name.endswith("n") else {"n": n}))
        loss = (y * y.conj()).real.sum() if y.is_complex() else (y * y).sum()
        (g,) = T.autograd.grad(loss, x, create_graph=True)
        ((g * W).real.sum() if g.is_complex() else (g * W.real).sum()).backward()
        return g, x.grad, _chain(g)
    both(go)


def _chain(t, depth=7):
    """The grad_fn names along the first inputs of ``t``'s graph."""
    names, fn = [], t.grad_fn
    while fn is not None and len(names) < depth:
        names.append(fn.name())
        fn = next((f for f, _ in fn.next_functions if f is not None), None)
    return names


# ----------------------------------------------------------------- frequencies and shifts
@pytest.mark.parametrize("expr", [
    "T.fft.fftfreq(5)", "T.fft.fftfreq(4, 0.1)", "T.fft.fftfreq(7, d=0.3)", "T.fft.fftfreq(1)", "T.fft.fftfreq(0)",
    "T.fft.rfftfreq(5, d=2)", "T.fft.rfftfreq(8, 0.125)", "T.fft.rfftfreq(1)", "T.fft.rfftfreq(0)",
    "T.fft.rfftfreq(-1)", "T.fft.fftfreq(6, dtype=T.float64)", "T.fft.rfftfreq(9, 1e-3, dtype=T.float64)",
    "T.fft.fftfreq(4, requires_grad=True)", "T.fft.fftfreq(3, d=0)", "T.fft.fftfreq(3, d=-0.0)",
    "T.fft.fftfreq(3, dtype=T.float16)", "T.fft.fftfreq(11, 0.7)", "T.fft.rfftfreq(11, -2.5)",
    "T.fft.fftfreq(3, out=T.empty(3, dtype=T.float64))", "T.fft.rfftfreq(4, out=T.empty(0))",
])
def test_frequencies(expr):
    both(lambda T: eval(expr, {"T": T}))


@pytest.mark.parametrize("expr", [
    "T.fft.fftfreq(-1)", "T.fft.fftfreq(3, dtype=T.int64)", "T.fft.fftfreq(3, dtype=T.complex64)",
    "T.fft.fftfreq(3.0)", "T.fft.rfftfreq(2, dtype=T.bool)", "T.fft.fftfreq(3, dtype=T.int64, requires_grad=True)",
])
def test_frequency_errors(expr):
    raises_like(lambda T: eval(expr, {"T": T}), msg=True)


def test_default_dtype_frequencies():
    def go(T):
        old = T.get_default_dtype()
        T.set_default_dtype(T.float64)
        try:
            return T.fft.fftfreq(5, 0.3), T.fft.rfftfreq(6, 0.7)
        finally:
            T.set_default_dtype(old)
    both(go)


@pytest.mark.parametrize("expr", [
    "T.fft.fftshift(x)", "T.fft.ifftshift(x)", "T.fft.fftshift(x, dim=1)", "T.fft.ifftshift(x, dim=(0,))",
    "T.fft.fftshift(x, -1)", "T.fft.ifftshift(x, [1, 0])", "T.fft.fftshift(T.fft.fft(x))",
    "T.fft.ifftshift(T.fft.fftshift(x))",
])
def test_shifts(expr):
    check_grads(lambda T, x: eval(expr, {"T": T, "x": x}), R5)


def test_shift_integers():
    both(lambda T: (T.fft.fftshift(T.arange(6).reshape(2, 3)), T.fft.ifftshift(T.arange(5))))


def test_rfft_of_a_sine_peaks_at_its_frequency():
    """The guide's example, by hand: 5 Hz sampled at 64 Hz for 1 s."""
    t = reftorch.arange(64) / 64
    spectrum = reftorch.fft.rfft(reftorch.sin(2 * np.pi * 5 * t)).abs()
    freqs = reftorch.fft.rfftfreq(64, d=1 / 64)
    assert freqs[spectrum.argmax()].item() == 5.0
    assert spectrum.max().item() == pytest.approx(32.0, rel=1e-5)


@pytest.mark.parametrize("expr", [
    "T.fft.fftn(z, dim=d)", "T.fft.rfftn(x, dim=d)", "T.fft.irfftn(z, dim=d)", "T.fft.fftn(zt, dim=d)",
    "T.fft.hfftn(z, dim=d)", "T.fft.ihfftn(x, dim=d)", "T.fft.fftn(x, dim=d)", "T.fft.rfftn(xt, dim=d)",
])
@pytest.mark.parametrize("d", [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (2, 0), (1, 0), (2, 0, 1)])
def test_output_layout(expr, d):
    """The output's strides are PyTorch's: the transformed dims innermost (a real
    transform's last dim last), in the order of the input's strides."""
    def strides(T):
        x = T.ones(2, 3, 4)
        z, xt = x.to(T.complex64), T.ones(4, 3, 2).permute(2, 1, 0)
        zt = xt.to(T.complex64)
        return tuple(eval(expr, {"T": T, "x": x, "z": z, "xt": xt, "zt": zt, "d": d}).stride())
    assert strides(reftorch) == strides(torch)


@pytest.mark.parametrize("expr", [
    "T.fft.fft(T.ones(1, 4, dtype=T.complex64), dim=0)", "T.fft.fft(T.ones(2, 1, 3, dtype=T.complex64), dim=0)",
    "T.fft.rfft(T.ones(1, 4), dim=0)", "T.fft.fft(T.ones(2, 3), dim=0)", "T.fft.ifft(T.ones(2, 3), dim=0)",
    "T.fft.fft(T.ones(4, 3).t())", "T.fft.rfft(T.ones(4, 3).t())", "T.fft.rfftn(T.ones(2, 3, 4, 5), dim=(2, 0, 1))",
    "T.fft.fft(T.ones(2, 3, 4), dim=1, n=5)", "T.fft.fft2(T.ones(2, 3, 4))", "T.fft.irfft(T.ones(3, 4), dim=0)",
    "T.fft.hfft(T.ones(3, 4), dim=0)", "T.fft.ihfft(T.ones(3, 4), dim=0)",
])
def test_output_layout_cases(expr):
    assert tuple(eval(expr, {"T": reftorch}).stride()) == tuple(eval(expr, {"T": torch}).stride())
