"""Shared helpers for the differential tests (``tests/test_ops_*.py``): run the same code
on reftorch and on real PyTorch and compare what comes out.

Expected values always come from torch. The helpers compare

* tensors: dtype (by name), shape, device type, ``requires_grad``, ``grad_fn`` name and
  values (exact for integer/bool dtypes, tight tolerances for floats, NaN == NaN);
* Python numbers: type and value; ``torch.Size``: as tuples; tuples/lists element-wise;
* exceptions: the same type (and, when asked, the same message).

Typical use::

    both(lambda T, x: T.cat([x, x], 1), np.ones((2, 3), np.float32))
    check_grads(lambda T, a, b: (a * b).sum(), a_np, b_np)

Every array argument is turned into a tensor of each library (``T`` is the module),
with the same values and dtype.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

#: dtype names the tests draw from (all supported by both libraries on CPU).
INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
FLOAT_DTYPES = ["float16", "float32", "float64"]
ALL_DTYPES = ["bool"] + INT_DTYPES + FLOAT_DTYPES

_TOL = {"float16": (1e-3, 1e-3), "bfloat16": (1e-2, 1e-2), "float32": (1e-5, 1e-6),
        "float64": (1e-12, 1e-13), "complex64": (1e-5, 1e-6), "complex128": (1e-12, 1e-13)}


# ----------------------------------------------------------------------------- conversion
def forget_warning(prefix: str) -> None:
    """Make reftorch give its once-per-process warning(s) starting with ``prefix`` again, as
    in a fresh process (``reftorch._warnings``); PyTorch's own cannot be reset."""
    from reftorch import _warnings
    _warnings._given -= {m for m in _warnings._given if m.startswith(prefix)}


def dtype_name(d) -> str:
    """``torch.float32`` (either library) -> ``"float32"``."""
    return str(d).replace("torch.", "")


def lib_dtype(lib, name):
    return getattr(lib, name)


def to_torch(x):
    """A reftorch tensor -> a torch tensor with the same values, dtype and requires_grad."""
    arr = np.array(x.detach()._host(), copy=True)
    t = torch.from_numpy(arr) if arr.ndim else torch.tensor(arr)
    t = t.to(getattr(torch, x.dtype.name))
    if x.requires_grad:
        t.requires_grad_(True)
    return t


def to_ref(t):
    """A torch tensor -> a reftorch tensor (copy)."""
    arr = t.detach().cpu().numpy().copy()
    r = reftorch.tensor(arr, dtype=getattr(reftorch, dtype_name(t.dtype)))
    if t.requires_grad:
        r.requires_grad_(True)
    return r


def make(lib, value, requires_grad=False):
    """Build a tensor of ``lib`` from a NumPy array / number (keeping the NumPy dtype)."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.array(value, copy=True)
        t = lib.tensor(arr, dtype=getattr(lib, arr.dtype.name))
    else:
        t = lib.tensor(value)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _convert_args(lib, args, requires_grad=False, kinds="f"):
    out = []
    for a in args:
        if isinstance(a, (np.ndarray, np.generic)):
            out.append(make(lib, a, requires_grad=requires_grad and a.dtype.kind in kinds))
        else:
            out.append(a)
    return out


# ----------------------------------------------------------------------------- comparison
def grad_fn_name(t):
    fn = t.grad_fn
    return None if fn is None else fn.name()


def assert_tensor_same(r, t, *, check_grad_fn=True, exact=None, what="result"):
    """Compare a reftorch tensor ``r`` with the torch tensor ``t``."""
    assert isinstance(r, reftorch.Tensor), f"{what}: expected a reftorch.Tensor, got {type(r).__name__}"
    assert dtype_name(r.dtype) == dtype_name(t.dtype), f"{what}: dtype {r.dtype} != torch's {t.dtype}"
    assert tuple(r.shape) == tuple(t.shape), f"{what}: shape {tuple(r.shape)} != torch's {tuple(t.shape)}"
    assert r.requires_grad == t.requires_grad, f"{what}: requires_grad {r.requires_grad} != {t.requires_grad}"
    if check_grad_fn:
        assert grad_fn_name(r) == grad_fn_name(t), f"{what}: grad_fn {grad_fn_name(r)} != {grad_fn_name(t)}"
    assert_values(r, t, exact=exact, what=what)


def assert_values(r, t, *, exact=None, what="values"):
    name = dtype_name(t.dtype)
    tv = t.detach().cpu().resolve_conj()  # (conj() is lazy in PyTorch: numpy() refuses it)
    if name == "bfloat16":
        tv = tv.float()
    expected = tv.numpy()
    got = np.asarray(r.detach()._host())
    if name == "bfloat16":
        got = got.astype(np.float32)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    if exact or (exact is None and name not in _TOL):
        np.testing.assert_array_equal(got, expected, err_msg=what)
    else:
        rtol, atol = _TOL[name]
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def assert_same(r, t, *, check_grad_fn=True, exact=None, what="result"):
    """Compare any result of reftorch (``r``) with torch's (``t``), recursively."""
    if isinstance(t, torch.Tensor):
        assert_tensor_same(r, t, check_grad_fn=check_grad_fn, exact=exact, what=what)
    elif isinstance(t, torch.Size):
        assert isinstance(r, reftorch.Size), f"{what}: expected torch.Size, got {type(r).__name__}"
        assert tuple(r) == tuple(t), f"{what}: {r} != {t}"
    elif isinstance(t, torch.dtype):
        assert dtype_name(r) == dtype_name(t), f"{what}: {r} != {t}"
    elif isinstance(t, (tuple, list)):
        assert isinstance(r, (tuple, list)) and type(r).__name__ == type(t).__name__ or (
            type(t) in (tuple, list) and type(r) is type(t)), f"{what}: {type(r).__name__} != {type(t).__name__}"
        assert len(r) == len(t), f"{what}: length {len(r)} != {len(t)}"
        for i, (a, b) in enumerate(zip(r, t)):
            assert_same(a, b, check_grad_fn=check_grad_fn, exact=exact, what=f"{what}[{i}]")
    elif isinstance(t, float):
        assert type(r) is float, f"{what}: {type(r).__name__} != float"
        if math.isnan(t):
            assert math.isnan(r), f"{what}: {r} != nan"
        else:
            assert r == pytest.approx(t, rel=1e-6, abs=1e-7), f"{what}: {r} != {t}"
    else:
        assert type(r) is type(t), f"{what}: {type(r).__name__} != {type(t).__name__}"
        assert r == t, f"{what}: {r!r} != {t!r}"


def run(lib, fn, args, requires_grad=False):
    """Call ``fn(lib, *tensors)``; return ("ok", result) or ("err", exception)."""
    tensors = _convert_args(lib, args, requires_grad)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(lib, *tensors)
    except Exception as e:  # noqa: BLE001 - the tests compare exceptions
        return "err", e


def assert_close_or_none(r, t, tol):
    """``r`` (reftorch) and ``t`` (torch) both None, or tensors of one dtype and shape whose
    values agree to ``tol`` (relative and absolute)."""
    if t is None:
        assert r is None
        return
    assert r is not None
    assert str(r.dtype) == str(t.dtype)
    assert tuple(r.shape) == tuple(t.shape)
    np.testing.assert_allclose(np.asarray(r.detach().tolist(), dtype=float),
                               np.asarray(t.detach().tolist(), dtype=float), rtol=tol, atol=tol)


def assert_same_error(er, et, msg=False):
    """``er`` (reftorch) must be the same exception type as torch's ``et``."""
    assert type(er).__name__ == type(et).__name__ or isinstance(er, type(et)), (
        f"reftorch raised {type(er).__name__}: {er}; torch raised {type(et).__name__}: {et}")
    if msg:
        tm, rm = _first_line(et), _first_line(er)
        if msg == "prefix":
            assert tm.startswith(rm) or rm.startswith(tm), f"message {rm!r} != torch's {tm!r}"
        else:
            assert rm == tm, f"message {rm!r} != torch's {tm!r}"


def _first_line(e):
    s = str(e.args[0]) if e.args else str(e)
    return s.strip().splitlines()[0] if s.strip() else s


def both(fn, *args, msg=False, check_grad_fn=True, exact=None, requires_grad=False):
    """Run ``fn(lib, *tensors)`` on both libraries and compare results or errors.

    Array arguments (NumPy) become tensors of each library; other arguments pass through.
    ``msg=True`` also compares the first line of an exception message exactly
    (``"prefix"``: one is a prefix of the other). Returns torch's result (or exception).
    """
    kt, vt = run(torch, fn, args, requires_grad)
    kr, vr = run(reftorch, fn, args, requires_grad)
    if kt == "err":
        if kr != "err":
            raise AssertionError(f"torch raised {type(vt).__name__}: {vt}; reftorch returned {vr!r}")
        assert_same_error(vr, vt, msg)
        return vt
    if kr == "err":
        raise AssertionError(f"reftorch raised {type(vr).__name__}: {vr}; torch returned {vt!r}") from vr
    assert_same(vr, vt, check_grad_fn=check_grad_fn, exact=exact)
    return vt


def raises_like(fn, *args, msg=False):
    """Assert that ``fn`` raises on torch, and the same exception type on reftorch."""
    kt, vt = run(torch, fn, args)
    assert kt == "err", f"torch did not raise (returned {vt!r}); fix the test"
    kr, vr = run(reftorch, fn, args)
    assert kr == "err", f"reftorch did not raise (returned {vr!r}); torch raised {type(vt).__name__}: {vt}"
    assert_same_error(vr, vt, msg)
    return vt, vr


def check_grads(fn, *args, grad_seed=0, check_grad_fn=True, exact=None, complex_grads=False):
    """Forward ``fn`` on float leaves that require grad, backward a random gradient, and
    compare outputs, grad_fn names and the gradients of every float input with torch's.

    Float NumPy arrays become leaves with ``requires_grad=True``; others pass through.
    With ``complex_grads``, complex arrays become leaves too, and the random gradient of a
    complex output has an imaginary part (without it: real values in a complex dtype).
    """
    kinds = "fc" if complex_grads else "f"
    lt = _convert_args(torch, args, requires_grad=True, kinds=kinds)
    lr = _convert_args(reftorch, args, requires_grad=True, kinds=kinds)
    out_t = fn(torch, *lt)
    out_r = fn(reftorch, *lr)
    assert_same(out_r, out_t, check_grad_fn=check_grad_fn, exact=exact, what="output")
    outs_t = list(out_t) if isinstance(out_t, (tuple, list)) else [out_t]
    outs_r = list(out_r) if isinstance(out_r, (tuple, list)) else [out_r]
    pairs = [(r, t) for r, t in zip(outs_r, outs_t) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs:
        return out_t
    rng = np.random.default_rng(grad_seed)
    gts, grs = [], []
    for r, t in pairs:
        g = rng.standard_normal(tuple(t.shape)).astype(dtype_name(t.dtype) if t.dtype != torch.bfloat16 else "float32")
        if complex_grads and t.is_complex():
            g = g + 1j * rng.standard_normal(tuple(t.shape)).astype(g.dtype)
        gts.append(torch.from_numpy(g.copy()) if g.ndim else torch.tensor(g))
        grs.append(reftorch.tensor(g, dtype=getattr(reftorch, dtype_name(t.dtype))))
    torch.autograd.backward([t for _, t in pairs], gts)
    reftorch.autograd.backward([r for r, _ in pairs], grs)
    for i, (a_r, a_t) in enumerate(zip(lr, lt)):
        if isinstance(a_t, torch.Tensor) and a_t.requires_grad:
            if a_t.grad is None:
                assert a_r.grad is None, f"grad of input {i}: torch has None"
            else:
                assert a_r.grad is not None, f"grad of input {i} is None; torch's is {a_t.grad}"
                assert_tensor_same(a_r.grad, a_t.grad, check_grad_fn=False, exact=exact, what=f"grad of input {i}")
    return out_t


# ----------------------------------------------------------------------------- data
def random_array(rng, shape, dtype, low=-5, high=5):
    """A NumPy array of ``dtype`` with small values (non-negative for unsigned types)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind == "u":
        return rng.integers(0, high + 1, size=shape).astype(dtype)
    if dtype.kind == "i":
        return rng.integers(low, high + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)
