"""``torch.signal.windows`` against PyTorch: values, dtypes, gradients with respect to the
abscissae and coefficients, errors."""
from __future__ import annotations

import pytest

import reftorch
import torch
from tests._compare import both

NAMES = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "hamming", "hann", "kaiser", "nuttall"]


def _window(name, **kw):
    return lambda T: getattr(T.signal.windows, name)(**kw)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("M", [0, 1, 2, 5, 10, 33])
@pytest.mark.parametrize("sym", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_windows(name, M, sym, dtype):
    # (within the ops' tolerance: reftorch's float32 exp, cos ... and i0 are not always
    # PyTorch's to the last bit)
    both(lambda T: getattr(T.signal.windows, name)(M, sym=sym, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("expr", [
    "W.exponential(7, tau=0.5)", "W.exponential(7, sym=False, center=2.5, tau=3.0)", "W.exponential(6, sym=False)",
    "W.gaussian(9, std=2.5)", "W.gaussian(8, std=0.3, sym=False)", "W.kaiser(9, beta=0.0)", "W.kaiser(9, beta=5.5)",
    "W.kaiser(8, beta=30.0, sym=False)", "W.general_cosine(7, a=[0.5, 0.3, 0.2])",
    "W.general_cosine(6, a=(1.0,), sym=False)", "W.general_hamming(8, alpha=0.7)", "W.general_hamming(8)",
    "W.hann(6, dtype=T.float64)", "W.hann(5)", "W.hann(4, device='cpu')",
    # errors
    "W.hann(-1)", "W.bartlett(3, dtype=T.float16)", "W.kaiser(3, dtype=T.int64)", "W.exponential(3, tau=0)",
    "W.exponential(3, center=1.0)", "W.gaussian(3, std=-1.0)", "W.kaiser(3, beta=-1.0)",
    "W.general_cosine(3, a=[])", "W.general_cosine(3, a=3)", "W.general_cosine(3)", "W.hann(3, 0.5)",
    "W.general_cosine(1, a=3)", "W.cosine(-2, dtype=T.int32)",
])
def test_window_cases(expr):
    both(lambda T: eval(expr, {"T": T, "W": T.signal.windows}), msg=True)


@pytest.mark.parametrize("name", ["exponential", "gaussian", "cosine", "bartlett", "hann", "kaiser", "nuttall"])
def test_window_grads(name):
    def go(T):
        w = getattr(T.signal.windows, name)(6, requires_grad=True)
        (w * T.arange(6.)).sum().backward()
        return w
    both(go)


def test_general_cosine_grad():
    def go(T):
        w = T.signal.windows.general_cosine(5, a=[0.5, 0.25], requires_grad=True, dtype=T.float64)
        w.pow(2).sum().backward()
        return w
    both(go)


def test_namespace():
    assert reftorch.signal.windows.__all__ == torch.signal.windows.__all__
    assert reftorch.signal.__all__ == ["windows"]
