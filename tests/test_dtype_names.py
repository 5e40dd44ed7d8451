"""PyTorch's scalar-type names (one table, ``reftorch/_dtype.py``) as they appear in type
strings and error messages, compared with real PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

from _compare import both, torch
import reftorch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128"]


@pytest.mark.parametrize("dt", DTYPES)
def test_type_string(dt):
    assert reftorch.zeros(2, dtype=getattr(reftorch, dt)).type() == torch.zeros(2, dtype=getattr(torch, dt)).type()


@pytest.mark.parametrize("dt", DTYPES)
def test_expand_error_names_the_type(dt):
    both(lambda T, x: x.expand(3), np.zeros((2, 3), dtype=dt), msg=True)


@pytest.mark.parametrize("dt", ["int64", "float32", "float64"])
def test_where_condition_error_names_the_scalar_type(dt):
    both(lambda T, c, x: T.where(c, x, x), np.ones(3, dtype=dt), np.ones(3, np.float32), msg=True)


@pytest.mark.parametrize("src,dst", [("float32", "int64"), ("float64", "int32"), ("complex64", "float32"),
                                     ("float16", "bool")])
def test_cannot_cast_error_names_both_scalar_types(src, dst):
    both(lambda T, x, y: x.add_(y), np.ones(3, dtype=dst), np.ones(3, dtype=src), msg=True)


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor",
                                  "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"])
def test_legacy_types_exist(name):
    t = getattr(reftorch, name)(2)
    assert t.dtype.name == str(getattr(torch, name)(2).dtype).replace("torch.", "")
