"""The CPU backend's namespace: NumPy with some of its Python wrappers replaced by the
arrays' methods. Each replaced function must give what NumPy's gives, leave its argument
as it was, and take NumPy's other arguments and non-array inputs too."""
from __future__ import annotations

import numpy as np
import pytest

from reftorch._backends import cpu
from reftorch._backends._numpy_namespace import namespace

A = np.random.default_rng(0).normal(size=(3, 4, 5))
A[0, 0, :2] = [np.nan, -0.0]

CALLS = [
    ("reshape", (A, (12, 5)), {}), ("reshape", (A, (-1,)), {}), ("reshape", (A, (5, 12)), {"order": "F"}),
    ("astype", (A, np.float32), {}), ("astype", (A, np.float64), {"copy": False}), ("astype", (A > 0, np.int64), {}),
    ("take", (A, [0, 2]), {"axis": 1}), ("take", (A.ravel(), [5, 0, 5]), {}), ("take", (A, [7]), {"mode": "clip"}),
    ("permute_dims", (A, (2, 0, 1)), {}),
    ("sum", (A,), {}), ("sum", (A,), {"axis": 1, "keepdims": True}), ("sum", (A, (0, 2)), {"dtype": np.float32}),
    ("any", (A > 1,), {}), ("any", (A > 1,), {"axis": -1}), ("all", (A > -5,), {"axis": 0, "keepdims": True}),
    ("max", (A,), {"axis": 2}), ("min", (A,), {}), ("prod", (A[:, :2, :2],), {"axis": 1}),
    ("squeeze", (A[:, :1, :],), {"axis": 1}), ("squeeze", (A[:1],), {}),
    ("argsort", (A,), {}), ("argsort", (A,), {"axis": 0, "stable": True}), ("argsort", (A.ravel(),), {"axis": None}),
    ("expand_dims", (A, 0), {}), ("expand_dims", (A, -1), {}), ("expand_dims", (A[:, ::2], 2), {}),
    ("expand_dims", (A,), {"axis": (0, 2)}), ("clip", (A, 0, None), {}), ("clip", (A, -0.5, 0.5), {}),
    ("clip", (A,), {"min": 0.1}), ("clip", (A, None, 1.0), {}),
    ("sum", ([1.0, 2.0],), {}), ("reshape", ([1, 2, 3, 4], (2, 2)), {}), ("max", (np.float32(3.0),), {}),
    ("expand_dims", (np.float64(2.0), 0), {}),
    ("zeros_like", (A,), {}), ("zeros_like", (A.transpose(2, 0, 1),), {}), ("zeros_like", (A > 0,), {}),
    ("ones_like", (A[:, ::2],), {"dtype": np.int32}), ("ones_like", (A[0, 0, 0],), {}), ("zeros_like", ([1, 2],), {}),
    ("zeros_like", (A.astype(np.complex64),), {}),
    ("broadcast_to", (np.array(2.5, np.float32), (2, 3)), {}), ("broadcast_to", (A[:, :1, :], (2, 3, 4, 5)), {}),
    ("broadcast_to", (A, (3, 4, 5)), {}), ("broadcast_to", (A[:, ::2], (2, 3, 2, 5)), {}),
    ("broadcast_to", (A[:1, :1, :1], (0, 4, 5)), {}), ("broadcast_to", (np.zeros((0, 1)), (0, 3)), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CALLS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CALLS)])
def test_replaced_functions_are_numpy_s(name, args, kwargs):
    before = [np.array(a, copy=True) for a in args if isinstance(a, np.ndarray)]
    got = getattr(namespace, name)(*args, **kwargs)
    want = getattr(np, name)(*args, **kwargs)
    assert type(got) is type(want)
    np.testing.assert_array_equal(got, want)
    assert np.asarray(got).dtype == np.asarray(want).dtype and np.shape(got) == np.shape(want)
    if name == "broadcast_to":
        assert got.flags.writeable == want.flags.writeable
    if name.endswith("_like"):
        assert got is not args[0] and not np.shares_memory(got, args[0])
    if isinstance(want, np.ndarray):  # a view where NumPy gives a view, with its strides
        assert got.strides == want.strides and np.shares_memory(got, args[0]) == np.shares_memory(want, args[0])
    for b, a in zip(before, [a for a in args if isinstance(a, np.ndarray)]):
        np.testing.assert_array_equal(a, b)  # the argument is left as it was


def test_the_backend_uses_it_and_the_rest_is_numpy():
    assert cpu().xp is namespace
    assert namespace.where is np.where and namespace.float32 is np.float32 and namespace.linalg is np.linalg
    assert namespace.testing is np.testing  # (a submodule NumPy loads lazily)


def test_broadcast_to_refuses_what_numpy_refuses():
    for shape in [(3,), (2, 4, 6), (4, 4)]:
        with pytest.raises(ValueError):
            np.broadcast_to(A[0], shape)
        with pytest.raises(ValueError):
            namespace.broadcast_to(A[0], shape)
