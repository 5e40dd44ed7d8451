"""The removed / deprecated functions PyTorch 2.13 still exposes: ``torch.solve``,
``lstsq``, ``eig``, ``symeig``, ``matrix_rank`` (and the Tensor methods) raise PyTorch's
RuntimeError; ``torch.range`` (end inclusive, its UserWarning on every call, the default
float dtype); ``torch.set_default_tensor_type`` (its once-per-process warning)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import both, forget_warning


def _message(lib, expr):
    with pytest.raises(Exception) as info:
        eval(expr, {"T": lib, "A": lib.eye(2), "b": lib.ones(2, 1)})
    return type(info.value), str(info.value)


@pytest.mark.parametrize("expr", [
    "T.solve(b, A)", "T.lstsq(b, A)", "T.eig(A)", "T.eig(A, True)", "T.symeig(A, eigenvectors=True)",
    "T.matrix_rank(A)", "T.matrix_rank(A, 1e-3, True)", "b.solve(A)", "b.lstsq(A)", "A.eig()", "A.eig(True)",
    "A.symeig()", "T.solve(1, 2)", "T.solve(b, A, out=None)",
    "T.solve(b)", "T.eig()", "A.solve()", "A.symeig(True, True)", "T.matrix_rank(A, 1, 2, 3)",
])
def test_removed_linalg_raise_like_pytorch(expr):
    kind, text = _message(torch, expr)
    assert _message(reftorch, expr) == (kind, text)


def test_removed_linalg_point_to_linalg():
    kind, text = _message(reftorch, "T.solve(b, A)")
    assert kind is RuntimeError and "X = torch.linalg.solve(A, B)" in text
    assert not hasattr(reftorch.Tensor, "matrix_rank") and not hasattr(torch.Tensor, "matrix_rank")


def _range_warnings(lib, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lib.range(*args, **kwargs)
    return result, [(w.category, str(w.message), w.filename) for w in caught]


@pytest.mark.parametrize("args, kwargs", [
    ((1, 4), {}), ((1, 4, 0.5), {}), ((0, 1, 0.1), {}), ((0, 1, 1 / 3), {}), ((1, 2, 0.3), {}), ((4, 1, -1), {}),
    ((1.0, 1.0), {}), ((-2.5, 7, 0.7), {}), ((1e-3, 1, 1e-2), {}), ((0.1, 100.3, 0.37), {}),
    ((0, 1, 0.1), {"dtype": "float64"}), ((0, 1, 0.1), {"dtype": "float16"}), 
    ((1, 2, 0.3), {"dtype": "float16"}), ((0.5, 3), {"dtype": "int64"}), ((1, 4, 1.5), {"dtype": "int64"}),
    ((-1.5, 2), {"dtype": "int32"}), ((-3, 2, 2), {"dtype": "int8"}), ((0, 300, 100), {"dtype": "uint8"}),
    ((7, -7, -3), {"dtype": "int16"}), ((1, 4), {"requires_grad": True}),
])
def test_range_values(args, kwargs):
    kw_t = {k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()}
    kw_r = {k: getattr(reftorch, v) if k == "dtype" else v for k, v in kwargs.items()}
    t, wt = _range_warnings(torch, *args, **kw_t)
    r, wr = _range_warnings(reftorch, *args, **kw_r)
    assert str(r) == str(t) and str(r.dtype) == str(t.dtype) and r.shape == t.shape
    assert r.tolist() == t.tolist()  # bit for bit
    assert wr == wt and len(wt) == 1 and wt[0][0] is UserWarning and wt[0][2] == __file__


def test_range_random_float_values():
    rng = np.random.default_rng(0)
    for _ in range(200):
        start, span, step = rng.uniform(-10, 10), rng.uniform(0, 50), rng.uniform(0.01, 3)
        start, step = float(np.float32(start)) if rng.random() < 0.5 else start, step * rng.choice([1, -1])
        end = start + span * np.sign(step)
        for dt in ("float32", "float64", "float16"):
            t, _ = _range_warnings(torch, start, end, step, dtype=getattr(torch, dt))
            r, _ = _range_warnings(reftorch, start, end, step, dtype=getattr(reftorch, dt))
            assert r.tolist() == t.tolist(), (start, end, step, dt)


@pytest.mark.parametrize("expr", [
    "T.range(0, float('inf'))", "T.range(0, float('nan'))", "T.range(1, 4, 0)", "T.range(4, 1)",
    "T.range(1, 4, -1)", "T.range(0, 3, dtype=T.bool)", "T.range(0, 3, dtype=T.complex64)",
    "T.range(0, 3, dtype=T.int64, requires_grad=True)", "T.range(1j, 3)",
    "T.range(5)", "T.range()", "T.range(end=3)", "T.range(start=1)", "T.range(1, step=2)", "T.range(1, 2, foo=3)", "T.range(1, 2, 3, 4)", "T.range('a', 2)", "T.range(1, None)",
    "T.range(1, 2, 'x')", "T.range(T.tensor([1., 2.]), 3)",
])
def test_range_errors(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T: eval(expr, {"T": T}), msg=True)


@pytest.mark.parametrize("expr", [
    "T.range(T.tensor(1), T.tensor(3))", "T.range(True, 3)", "T.range(start=1, end=3)",
    "T.range(0, 3, out=T.empty(0, dtype=T.int64))", "T.range(0, 3, out=T.empty(4, dtype=T.float64))",
    "T.range(1, 4, dtype=T.float64)", "T.range(2, 3, device='cpu')",
])
def test_range_cases(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T: eval(expr, {"T": T}))


def _default_type_calls(lib, *types):
    seen = []
    try:
        for t in types:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    lib.set_default_tensor_type(t)
                    seen.append(("ok", str(lib.get_default_dtype()), str(lib.tensor([1.5]).dtype),
                                 str(lib.zeros(1).dtype), str(lib.Tensor([1]).dtype)))
                except Exception as e:  # noqa: BLE001 (compared with PyTorch's)
                    seen.append((type(e).__name__, str(e).replace("reftorch", "torch")))
            seen.append([(w.category, str(w.message)) for w in caught])
    finally:
        lib.set_default_dtype(lib.float32)
    return seen


def test_set_default_tensor_type():
    forget_warning("torch.set_default_tensor_type() is deprecated")
    names = ["DoubleTensor", "FloatTensor", "HalfTensor", "IntTensor", "float64", "Tensor"]
    got = _default_type_calls(reftorch, *(getattr(reftorch, n) for n in names),
                              "torch.DoubleTensor", "torch.LongTensor", 3, "torch.Foo", "foo_no_such_module")
    want = _default_type_calls(torch, *(getattr(torch, n) for n in names),
                               "torch.DoubleTensor", "torch.LongTensor", 3, "torch.Foo", "foo_no_such_module")
    # PyTorch warns once per process: the first call of this process may have been elsewhere
    assert got[1] == [(UserWarning, "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please "
                       "use torch.set_default_dtype() and torch.set_default_device() as alternatives. "
                       "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)")]
    assert want[1] in ([], got[1])
    assert got[::2] == want[::2] and all(w == [] for w in got[3::2])


def test_set_default_tensor_type_bfloat16():
    def run(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            T.set_default_tensor_type(T.BFloat16Tensor)
        try:
            return T.tensor([1.7, 2.5]), str(T.get_default_dtype())
        finally:
            T.set_default_dtype(T.float32)
    both(run)
    assert reftorch.get_default_dtype() is reftorch.float32
