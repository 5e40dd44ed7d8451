"""torch.stft / torch.istft and the window functions against PyTorch: values, dtypes,
shapes, grad_fn names (the whole graph), gradients, errors and warnings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, check_grads, forget_warning, raises_like

_RNG = np.random.default_rng(11)
X1 = _RNG.standard_normal(24)
X2 = _RNG.standard_normal((2, 21))
X1F = X1.astype(np.float32)
XC = (_RNG.standard_normal((2, 21)) + 1j * _RNG.standard_normal((2, 21))).astype(np.complex128)
W8 = _RNG.uniform(0.5, 1.5, 8)
W5 = _RNG.uniform(0.5, 1.5, 5)

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _graph(t):
    """The names of every node under ``t.grad_fn``, depth first."""
    out = []

    def walk(f, depth):
        if f is not None:
            out.append("  " * depth + f.name())
            for n, _ in f.next_functions:
                walk(n, depth + 1)
    walk(t.grad_fn, 0)
    return out


def _quiet(fn):
    def run(*a, **k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*a, **k)
    return run


# ----------------------------------------------------------------- windows
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 8, 17, 64])
@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name, n, periodic, dtype):
    # values to a few ulps: PyTorch's vectorized cos (and its i0) round differently in the last bit
    both(lambda T: getattr(T, name)(n, periodic, dtype=getattr(T, dtype)))


def test_window_defaults_and_options():
    both(lambda T: T.hann_window(6))
    both(lambda T: T.hamming_window(7, False, 0.5, 0.3))
    both(lambda T: T.kaiser_window(9, False, 3.0))
    both(lambda T: T.kaiser_window(9, True, beta=5.0, dtype=T.float64))
    both(lambda T: T.kaiser_window(9, beta=5.0))
    both(lambda T: T.hamming_window(9, True, beta=0.2))
    both(lambda T: T.hamming_window(9, alpha=0.2))
    both(lambda T: T.hamming_window(9, periodic=False, alpha=0.6, beta=0.2))
    both(lambda T: T.hann_window(5, requires_grad=True))
    both(lambda T: T.blackman_window(0, requires_grad=True))
    r, t = reftorch.hann_window(4, requires_grad=True), torch.hann_window(4, requires_grad=True)
    assert r.is_leaf and t.is_leaf and repr(r) == repr(t)


@pytest.mark.parametrize("name", WINDOWS)
def test_window_errors(name):
    both(lambda T: getattr(T, name)(-1), msg=True)
    both(lambda T: getattr(T, name)(3, dtype=T.int64), msg=True)
    both(lambda T: getattr(T, name)(3, dtype=T.int32), msg=True)
    both(lambda T: getattr(T, name)(3.0), msg=True)


# ----------------------------------------------------------------- stft
STFT_CASES = [
    dict(n_fft=8, hop_length=2, window="w8"),
    dict(n_fft=8, window="w8", center=False),
    dict(n_fft=8, hop_length=3, window="w8", normalized=True),
    dict(n_fft=8, hop_length=2, window="w8", onesided=False),
    dict(n_fft=8, hop_length=2, win_length=5, window="w5"),
    dict(n_fft=8, hop_length=2, win_length=5),
    dict(n_fft=8, hop_length=2, window="w8", pad_mode="constant"),
    dict(n_fft=8, hop_length=2, window="w8", pad_mode="replicate"),
    dict(n_fft=8, hop_length=2, window="w8", pad_mode="circular"),
    dict(n_fft=7, window="hann"),
    dict(n_fft=8, hop_length=2, win_length=5, window="w5", center=False, align_to_window=True),
    dict(n_fft=8, hop_length=3, win_length=4, center=False, align_to_window=False),
]


def _kw(T, case, dtype):
    kw = dict(case)
    w = kw.pop("window", None)
    if w == "hann":
        kw["window"] = T.hann_window(kw["n_fft"], dtype=dtype)
    elif w is not None:
        kw["window"] = T.tensor({"w8": W8, "w5": W5}[w], dtype=dtype)
    return kw


@pytest.mark.parametrize("return_complex", [True, False])
@pytest.mark.parametrize("data", ["X1", "X2"])
@pytest.mark.parametrize("case", range(len(STFT_CASES)))
def test_stft_values_graph_grads(case, data, return_complex):
    x = {"X1": X1, "X2": X2}[data]
    if STFT_CASES[case].get("align_to_window") and data == "X2":
        x = X2[:, :20]  # (PyTorch's batched frames read past its padded signal for 21 samples)

    @_quiet
    def fn(T, a):
        return T.stft(a, **_kw(T, STFT_CASES[case], a.dtype), return_complex=return_complex)
    check_grads(fn, x, complex_grads=True)
    rt = _graph(fn(torch, torch.tensor(x, requires_grad=True)))
    rr = _graph(fn(reftorch, reftorch.tensor(x, requires_grad=True)))
    if STFT_CASES[case].get("pad_mode") != "circular":  # (F.pad's circular graph differs)
        assert rr == rt


def test_stft_window_gradient_and_method():
    check_grads(lambda T, a, w: T.stft(a, 8, 2, window=w, return_complex=True), X2, W8, complex_grads=True)
    check_grads(lambda T, a, w: a.stft(8, 2, window=w, return_complex=True, center=False), X2, W8,
                complex_grads=True)
    check_grads(lambda T, a, w: T.stft(a, 8, 2, win_length=5, window=w, return_complex=True), X2, W5,
                complex_grads=True)


def test_stft_float32_and_complex():
    both(lambda T, a: T.stft(a, 8, window=T.hann_window(8), return_complex=True), X1F)
    check_grads(lambda T, a: T.stft(a, 8, 3, window=T.hann_window(8, dtype=T.float64)), XC, complex_grads=True)
    check_grads(lambda T, a, w: T.stft(a, 8, 3, window=w.to(T.complex128), return_complex=True, center=False),
                X2, W8, complex_grads=True)
    both(_quiet(lambda T, a: T.stft(a, 8, 3, window=T.hann_window(8, dtype=T.float64), return_complex=False)), XC)


def test_stft_errors():
    w = {"window": None}
    kw = dict(return_complex=True)
    for f in [lambda T, a: T.stft(a, 8, window=w["window"]),
              lambda T, a: T.stft(a.long(), 8, **kw),
              lambda T, a: T.stft(a, 30, center=False, **kw),
              lambda T, a: T.stft(a, 0, center=False, **kw),
              lambda T, a: T.stft(a, 8, hop_length=0, **kw),
              lambda T, a: T.stft(a, 8, win_length=9, **kw),
              lambda T, a: T.stft(a, 8, window=T.ones(7, dtype=T.float64), **kw),
              lambda T, a: T.stft(a[None, None], 8, **kw),
              lambda T, a: T.stft(a, 8, align_to_window=True, **kw),
              lambda T, a: T.stft(a, 8, window=T.ones(8, dtype=T.complex128), onesided=True, **kw),
              lambda T, a: T.stft(a, 8, pad_mode="zeros", **kw)]:
        raises_like(_quiet(f), X1, msg=True)


def test_stft_warnings():
    forget_warning("A window was not provided")
    forget_warning("stft with return_complex=False")
    with pytest.warns(UserWarning, match="A window was not provided. A rectangular window will be applied,which"):
        reftorch.stft(reftorch.tensor(X1), 8, return_complex=True)
    with pytest.warns(UserWarning, match="stft with return_complex=False is deprecated"):
        y = reftorch.stft(reftorch.tensor(X1), 8, window=reftorch.ones(8, dtype=reftorch.float64),
                          return_complex=False)
    assert tuple(y.shape) == (5, 13, 2)
    with warnings.catch_warnings():  # once per process, as PyTorch's TORCH_WARN_ONCE
        warnings.simplefilter("error")
        reftorch.stft(reftorch.tensor(X1), 8, return_complex=False)


# ----------------------------------------------------------------- istft
ISTFT_CASES = [
    dict(n_fft=8, hop_length=2, window="w8"),
    dict(n_fft=8, hop_length=2, window="w8", center=False),
    dict(n_fft=8, hop_length=3, window="w8", normalized=True),
    dict(n_fft=8, hop_length=2, window="w8", onesided=False),
    dict(n_fft=8, hop_length=2, win_length=5, window="w5"),
    dict(n_fft=8, hop_length=2, window="w8", length=19),
    dict(n_fft=8, hop_length=2, window="w8", length=30),
    dict(n_fft=8, hop_length=2),
]


@pytest.mark.parametrize("data", ["X1", "X2"])
@pytest.mark.parametrize("case", range(len(ISTFT_CASES)))
def test_istft_roundtrip_graph_grads(case, data):
    x = {"X1": X1, "X2": X2}[data]
    spec = dict(ISTFT_CASES[case])
    length = spec.pop("length", None)

    @_quiet
    def fn(T, a, *w):
        kw = _kw(T, spec, a.dtype)
        if w:
            kw["window"] = w[0]
        s = T.stft(a, **kw, return_complex=True)
        return T.istft(s * 1.5, **kw, length=length)
    args = (x,) + ((W8 if spec["window"] == "w8" else W5,) if "window" in spec else ())
    check_grads(fn, *args)
    rt = _graph(fn(torch, *[torch.tensor(a, requires_grad=True) for a in args]))
    rr = _graph(fn(reftorch, *[reftorch.tensor(a, requires_grad=True) for a in args]))
    assert rr == rt


def test_istft_return_complex_and_method():
    def fn(T, a):
        w = T.hann_window(8, dtype=T.float64)
        s = T.stft(a, 8, 2, window=w, return_complex=True)
        return s.istft(8, 2, window=w, return_complex=True)
    check_grads(fn, XC, complex_grads=True)
    check_grads(lambda T, a: T.istft(a, 8, 2, window=T.hann_window(8, dtype=T.float64)),
                (_RNG.standard_normal((5, 9)) + 1j * _RNG.standard_normal((5, 9))), complex_grads=True)


def test_istft_errors():
    def spec(T, a):
        return T.stft(a, 8, 2, window=T.hann_window(8, dtype=T.float64), return_complex=True)
    for f in [lambda T, a: T.istft(spec(T, a).real, 8),
              lambda T, a: T.istft(spec(T, a)[:, :0], 8),
              lambda T, a: T.istft(spec(T, a)[0], 8),
              lambda T, a: T.istft(spec(T, a), 10),
              lambda T, a: T.istft(spec(T, a), 8, onesided=False),
              lambda T, a: T.istft(spec(T, a), 8, hop_length=9),
              lambda T, a: T.istft(spec(T, a), 8, win_length=9),
              lambda T, a: T.istft(spec(T, a), 8, window=T.ones(7)),
              lambda T, a: T.istft(spec(T, a), 8, 2, window=T.hann_window(8, dtype=T.float64), center=False),
              lambda T, a: T.istft(spec(T, a), 8, return_complex=True),
              lambda T, a: T.istft(spec(T, a)[None, None], 8)]:
        raises_like(_quiet(f), X1, msg=True)
    vt, vr = raises_like(_quiet(lambda T, a: T.istft(spec(T, a), 8, 2, window=T.hann_window(8, dtype=T.float64),
                                                     center=False)), X1)
    assert str(vr) == str(vt)


def test_istft_warnings():
    forget_warning("A window was not provided. A rectangular window will be applied.Please")
    forget_warning("The length of signal is shorter")
    s = reftorch.stft(reftorch.tensor(X1), 8, 2, window=reftorch.ones(8, dtype=reftorch.float64),
                      return_complex=True)
    with pytest.warns(UserWarning, match="A window was not provided. A rectangular window will be applied.Please"):
        reftorch.istft(s, 8, 2)
    with pytest.warns(UserWarning, match="The length of signal is shorter than the length parameter"):
        y = reftorch.istft(s, 8, 2, window=reftorch.ones(8, dtype=reftorch.float64), length=40)
    assert tuple(y.shape) == (40,)
