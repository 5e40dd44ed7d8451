"""Conformance: a float64 value (a Python float, a float64 tensor or NumPy array, a complex128
one) bound for float16 is rounded as PyTorch rounds it -- to float32 first, then to float16
(``c10::Half`` is built from a float) -- on every path that stores it: conversions, tensor
construction, fills, copies and item assignment. Compared bit for bit with torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tests._compare import both, check_grads

# just past a float16 halfway point (one rounding goes up, two go down), a float32-sized
# step below float16's overflow threshold (two roundings: inf), half of the smallest
# subnormal plus a hair (two roundings: 0), and plain values
SHARP = [13700.000000000002, -13700.000000000002, 65519.99999999999, 2.9802322387695315e-08,
         1.0004882812500002, 0.1, 1e-9, 3.0, 70000.0]


def _f64(T, v):
    return T.tensor([v], dtype=T.float64)


def _setitem(x, i, v):
    x[i] = v
    return x


PATHS = {
    "to": lambda T, v: _f64(T, v).to(T.float16),
    "half": lambda T, v: _f64(T, v).half(),
    "type": lambda T, v: _f64(T, v).type(T.float16),
    "type_str": lambda T, v: _f64(T, v).type("torch.HalfTensor"),
    "to_from_complex": lambda T, v: T.tensor([complex(v, 0)]).to(T.float16),
    "tensor_float": lambda T, v: T.tensor(v, dtype=T.float16),
    "tensor_list": lambda T, v: T.tensor([v, 1.0, 2], dtype=T.float16),
    "tensor_numpy": lambda T, v: T.tensor(np.array([v, 0.25]), dtype=T.float16),
    "as_tensor_numpy": lambda T, v: T.as_tensor(np.array([v]), dtype=T.float16),
    "as_tensor_list": lambda T, v: T.as_tensor([v], dtype=T.float16),
    "asarray_numpy": lambda T, v: T.asarray(np.array([v]), dtype=T.float16),
    "from_numpy_to": lambda T, v: T.from_numpy(np.array([v])).to(T.float16),
    "full": lambda T, v: T.full((2,), v, dtype=T.float16),
    "full_like": lambda T, v: T.full_like(T.zeros(2, dtype=T.float16), v),
    "new_full": lambda T, v: T.zeros(1, dtype=T.float16).new_full((2,), v),
    "fill_": lambda T, v: T.zeros(2, dtype=T.float16).fill_(v),
    "fill_tensor": lambda T, v: T.zeros(2, dtype=T.float16).fill_(T.tensor(v, dtype=T.float64)),
    "copy_": lambda T, v: T.zeros(2, dtype=T.float16).copy_(_f64(T, v)),
    "setitem_float": lambda T, v: _setitem(T.zeros(2, dtype=T.float16), 0, v),
    "setitem_tensor": lambda T, v: _setitem(T.zeros(2, dtype=T.float16), 1, T.tensor(v, dtype=T.float64)),
    "setitem_slice": lambda T, v: _setitem(T.zeros(2, dtype=T.float16), slice(None), T.tensor([v, -v], dtype=T.float64)),
    "setitem_index": lambda T, v: _setitem(T.zeros(3, dtype=T.float16), T.tensor([2, 0]), T.tensor([v, v / 3], dtype=T.float64)),
    "setitem_mask": lambda T, v: _setitem(T.zeros(2, dtype=T.float16), T.tensor([True, False]), v),
    "masked_fill": lambda T, v: T.zeros(2, dtype=T.float16).masked_fill(T.tensor([True, False]), v),
    "clamp_min": lambda T, v: T.full((1,), -np.inf, dtype=T.float16).clamp(min=v),
    "arange": lambda T, v: T.arange(v, v + 1, dtype=T.float16),
    "linspace": lambda T, v: T.linspace(v, v, 1, dtype=T.float16),
    "linspace_ends": lambda T, v: T.linspace(v, -v, 3, dtype=T.float16),
    "scatter_value": lambda T, v: T.zeros(3, dtype=T.float16).scatter_(0, T.tensor([2]), v),
    "scatter_reduce_value": lambda T, v: T.zeros(3, dtype=T.float16).scatter(0, T.tensor([1]), v, reduce="add"),
    "cumsum_dtype": lambda T, v: T.tensor([v, 0.0], dtype=T.float64).cumsum(0, dtype=T.float16),
    "cumprod_dtype": lambda T, v: T.tensor([v, 1.0], dtype=T.float64).cumprod(0, dtype=T.float16),
    # a Python float beside a float16 tensor: the wrapped number is a c10::Half too
    "add_number": lambda T, v: T.zeros(2, dtype=T.float16) + v,
    "radd_number": lambda T, v: v + T.tensor([0.0, 1.0], dtype=T.float16),
    "sub_number": lambda T, v: T.zeros(2, dtype=T.float16) - (-v),
    "rsub_number": lambda T, v: v - T.zeros(2, dtype=T.float16),
    "add_method_alpha": lambda T, v: T.zeros(2, dtype=T.float16).add(v, alpha=1),
    "maximum_number": lambda T, v: T.full((2,), -np.inf, dtype=T.float16).clamp_min(v),
}


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("v", SHARP)
def test_float64_to_float16_rounds_through_float32(path, v):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (complex -> real: both libraries warn)
        both(lambda T: PATHS[path](T, v), exact=True)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(sorted(PATHS)),
       v=st.floats(min_value=-70000, max_value=70000, allow_nan=False, allow_infinity=False))
def test_float64_to_float16_fuzz(path, v):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (complex -> real: both libraries warn)
        both(lambda T: PATHS[path](T, v), exact=True)


def test_narrowing_gradients_round_through_float32():
    """The gradient of a float16 leaf used as float64 (``.to``, ``copy_`` into a float64
    tensor, a fill and an item assignment with a float16 value) comes back as float16 the
    same way."""
    g = np.array([13700.000000000002, 1.0004882812500002, 65519.99999999999])

    def run(T, x):
        y = T.zeros(3, dtype=T.float64)
        y.copy_(x)
        z = T.zeros(3, dtype=T.float64)
        z[0] = x[1]
        w = T.zeros(3, dtype=T.float64).fill_(x[2])
        return (x.to(T.float64) * T.tensor(g) + y * T.tensor(g) + z * T.tensor(g) + w).sum()

    check_grads(run, np.array([1.0, 1.0, 1.0], dtype=np.float16), exact=True)
    check_grads(lambda T, x: (x.cumsum(0, dtype=T.float64) * T.tensor(g)).sum(), np.ones(3, np.float16), exact=True)
    check_grads(lambda T, x: (x.cumprod(0, dtype=T.float64) * T.tensor(g)).sum(), np.ones(3, np.float16), exact=True)




@pytest.mark.parametrize("start, end, steps, dtype", [
    (0, 300, 3, "uint8"), (0, 70000.0, 3, "float16"), (0, 1e39, 3, "float32"), (70000.0, 0, 1, "float16"),
    (0, float("inf"), 3, "float16"), (0, 1e300, 3, "int64"), (0, -1, 3, "uint8"), (0.5, 10.7, 4, "int64"),
    (-0.5, 10.7, 5, "int32"), (300, 0, 1, "uint8"), (300, 1e300, 0, "uint8"), (-3.7, 2, 7, "int8")])
def test_linspace_converts_its_ends_as_a_fill(start, end, steps, dtype):
    """``linspace`` converts ``start`` and ``end`` to the dtype first, as a fill converts a
    number: PyTorch's overflow error, a float truncated for an integer dtype, -1 wrapped for
    uint8, two roundings for float16; inf - inf gives nan without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both(lambda T: T.linspace(start, end, steps, dtype=getattr(T, dtype)), msg=True, exact=True)


@pytest.mark.parametrize("dtype, v", [("uint8", 300), ("uint8", -1), ("float32", 1e39), ("float16", 70000.0),
                                      ("int8", 2.7), ("float16", float("inf")), ("int64", 2 ** 63),
                                      ("float16", 1 + 0j), ("float32", 1 + 1j)])
@pytest.mark.parametrize("reduce", [None, "add"])
def test_scatter_value_is_stored_as_a_fill(dtype, v, reduce):
    """``scatter(dim, index, value)`` stores the number as a fill does: PyTorch's overflow
    error, -1 wrapped for uint8, a float truncated for an integer dtype."""
    def run(T):
        x = T.zeros(3, dtype=getattr(T, dtype))
        return x.scatter(0, T.tensor([1]), v, reduce=reduce) if reduce else x.scatter_(0, T.tensor([1]), v)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both(run, msg=True, exact=True)
