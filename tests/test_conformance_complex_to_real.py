"""Conformance: complex values bound for a real dtype. A complex tensor or NumPy array cast
to a real dtype other than bool keeps its real part, with PyTorch's UserWarning -- once per
process, as ``TORCH_WARN_ONCE`` -- and never NumPy's ``ComplexWarning``; a Python complex
number is refused as PyTorch refuses it (a fill with a non-zero imaginary part:
``RuntimeError``; ``torch.tensor`` data: ``TypeError``)."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import reftorch
from tests._compare import both, forget_warning

X = np.array([0 + 1j, 2.5 - 1j, -3.75 + 0.5j])

CASTS = {
    "to_float32": lambda T, x: x.to(T.float32),
    "float": lambda T, x: x.float(),
    "half": lambda T, x: x.half(),
    "long": lambda T, x: x.long(),
    "to_uint8": lambda T, x: x.abs().to(T.complex128).to(T.uint8),
    "bool": lambda T, x: x.bool(),
    "copy_": lambda T, x: T.zeros(3).copy_(x),
    "setitem": lambda T, x: _setitem(T.zeros(3, dtype=T.float64), x[1]),
    "tensor_numpy": lambda T, x: T.tensor(x.numpy(), dtype=T.float32),
    "as_tensor_numpy": lambda T, x: T.as_tensor(x.numpy(), dtype=T.float16),
}


def _setitem(t, v):
    t[0] = v
    return t


@pytest.mark.parametrize("case", sorted(CASTS))
def test_complex_to_real_keeps_the_real_part(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # (PyTorch's own: checked below)
        warnings.simplefilter("error", np.exceptions.ComplexWarning)  # NumPy's must never leak
        both(lambda T, x: CASTS[case](T, x), X, exact=True)


def _torch_warnings():
    code = ("import torch, warnings\nwarnings.simplefilter('always')\nx = torch.tensor([1 + 2j])\n"
            "with warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n"
            "    x.float(); x.long(); torch.zeros(1).copy_(x)\n"
            "print(len(w)); print(w[0].category.__name__); print(w[0].message)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")


def test_warns_once_per_process_as_pytorch():
    count, category, message = _torch_warnings()[:3]
    forget_warning("Casting complex values to real")  # as in a fresh process
    x = reftorch.tensor([1 + 2j])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        x.float(); x.long(); reftorch.zeros(1).copy_(x)  # noqa: E702 (one line: one warning site)
    assert (str(len(w)), w[0].category.__name__, str(w[0].message)) == (count, category, message)
    assert w[0].filename == __file__  # attributed to the caller's line


FILLS = {
    "fill_": lambda T, d, v: T.zeros(2, dtype=d).fill_(v),
    "full": lambda T, d, v: T.full((2,), v, dtype=d),
    "masked_fill": lambda T, d, v: T.zeros(2, dtype=d).masked_fill(T.tensor([True, False]), v),
    "setitem": lambda T, d, v: _setitem(T.zeros(2, dtype=d), v),
    "tensor": lambda T, d, v: T.tensor([1, v], dtype=d),
    "tensor_scalar": lambda T, d, v: T.tensor(v, dtype=d),
}


@pytest.mark.parametrize("kind", sorted(FILLS))
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", "complex64"])
@pytest.mark.parametrize("v", [1 + 1j, 2.5 + 0j, -3j, 0j])
def test_python_complex_numbers(kind, dtype, v):
    both(lambda T: FILLS[kind](T, getattr(T, dtype), v), msg=True, exact=True)
