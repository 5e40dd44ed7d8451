"""Conformance: ``Tensor.view(dtype)`` -- the same memory read as another dtype, with
PyTorch's shapes, strides, aliasing, autograd behaviour and errors."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

import reftorch
from tests._compare import assert_same, assert_same_error, run, torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

SOURCES = {
    "contiguous": lambda T, d: T.arange(24).reshape(2, 3, 4).to(d),
    "sliced_last": lambda T, d: T.arange(24).reshape(2, 3, 4).to(d)[:, :, 1:3],
    "sliced_first": lambda T, d: T.arange(24).reshape(2, 3, 4).to(d)[1:],
    "transposed": lambda T, d: T.arange(24).reshape(2, 3, 4).to(d).transpose(0, 2),
    "step": lambda T, d: T.arange(24).reshape(2, 12).to(d)[:, ::2],
    "odd_last": lambda T, d: T.arange(6).reshape(2, 3).to(d),
    "zero_d": lambda T, d: T.tensor(3).to(d),
    "row_of_wide": lambda T, d: T.arange(16).reshape(2, 8).to(d)[:, 2:6],
    "empty": lambda T, d: T.zeros(0, 4).to(d),
}


def _case(T, src, frm, to):
    x = SOURCES[src](T, getattr(T, frm))
    y = x.view(getattr(T, to))
    return y, y.stride(), y.is_contiguous()


@settings(max_examples=300, deadline=None)
@given(src=st.sampled_from(sorted(SOURCES)), frm=st.sampled_from(DTYPES), to=st.sampled_from(DTYPES))
def test_view_dtype(src, frm, to):
    kt, vt = run(torch, lambda T: _case(T, src, frm, to), ())
    kr, vr = run(reftorch, lambda T: _case(T, src, frm, to), ())
    assert kt == kr, (vt, vr)
    if kt == "err":
        assert_same_error(vr, vt, msg=True)
    elif to == "bool" or (to.startswith("float") and frm != to):
        # reinterpreted bits: compare the raw bytes (NaN payloads, non-0/1 bools)
        assert vr[1:] == vt[1:] and tuple(vr[0].shape) == tuple(vt[0].shape)
        assert np.asarray(vr[0].numpy()).tobytes() == vt[0].numpy().tobytes()
    else:
        assert_same(vr, vt)


def test_view_dtype_aliases_and_is_not_differentiable():
    for T in (torch, reftorch):
        x = T.ones(4, requires_grad=True)
        y = x.view(T.int32)
        assert not y.requires_grad and y.grad_fn is None
        z = T.zeros(2)
        w = z.view(T.int32)
        w[0] = 1065353216  # the bits of 1.0
        assert z.tolist() == [1.0, 0.0]
        assert x.view(T.float16).shape == (8,)
