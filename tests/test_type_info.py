"""torch.finfo / torch.iinfo against PyTorch: every attribute, repr, equality, errors."""
from __future__ import annotations

import pytest
import torch

import reftorch
from tests._compare import both

FLOATS = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def _attributes(info):
    names = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")
    return {n: (type(getattr(info, n)).__name__, getattr(info, n)) for n in names if hasattr(info, n)}


@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    got, want = reftorch.finfo(getattr(reftorch, name)), torch.finfo(getattr(torch, name))
    assert _attributes(got) == _attributes(want)
    assert repr(got) == repr(want) and str(got) == str(want)


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    got, want = reftorch.iinfo(getattr(reftorch, name)), torch.iinfo(getattr(torch, name))
    assert _attributes(got) == _attributes(want)
    assert repr(got) == repr(want)


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_finfo_of_the_default_dtype(default):
    for T in (torch, reftorch):
        before = T.get_default_dtype()
        T.set_default_dtype(getattr(T, default))
        try:
            assert T.finfo().dtype == default
        finally:
            T.set_default_dtype(before)


@pytest.mark.parametrize("expr", [
    "T.finfo(float)", "T.finfo(complex)", "T.iinfo(int)", "T.finfo(type=T.float64)", "T.iinfo(type=T.int8)",
    "T.finfo(T.float32) == T.finfo(T.complex64)", "T.finfo(T.float32) == T.finfo(T.float64)",
    "T.iinfo(T.int8) == T.iinfo(T.int8)", "T.iinfo(T.int8) == T.finfo(T.float32)", "T.finfo(T.float32) == 1",
    "T.finfo(T.float32) != T.finfo(T.float64)",
    # errors
    "T.finfo(T.int32)", "T.finfo(T.bool)", "T.finfo(int)", "T.finfo(bool)", "T.iinfo(T.float32)",
    "T.iinfo(T.bool)", "T.iinfo(bool)", "T.iinfo(float)", "T.iinfo(T.complex64)", "T.iinfo()",
    "T.finfo('float32')", "T.finfo(None)", "T.finfo(T.float32, T.float64)", "T.finfo(dtype=T.float64)",
    "T.finfo(T.float32) < T.finfo(T.float64)", "hash(T.finfo(T.float32))", "setattr(T.finfo(), 'eps', 1.0)",
    "setattr(T.iinfo(T.int8), 'max', 1)",
])
def test_info_calls(expr):
    def call(T):
        r = eval(expr, {"T": T})
        return repr(r) if isinstance(r, (T.finfo, T.iinfo)) else r
    msg = "prefix" if "T.float64)" in expr and "float32, " in expr else True
    both(call, msg=msg if expr.startswith(("T.finfo(T.int", "T.finfo(T.bool", "T.finfo(int", "T.finfo(bool",
                                           "T.iinfo(", "T.finfo('", "T.finfo(None")) else False)
