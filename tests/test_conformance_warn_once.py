"""Conformance: PyTorch's once-per-process warnings (``TORCH_WARN_ONCE``) and NumPy arrays
inside lists given to ``torch.tensor``.

Each warning case runs in two fresh processes, one per library, with every warning
recorded (``simplefilter("always")``): the same messages, categories and counts, the
second call silent where PyTorch's is; the warning points at the caller's line.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests._compare import both

WARN_CASES = {
    # TORCH_WARN_ONCE in PyTorch: the second call is silent
    "asarray_leaf": "T.asarray(T.ones(2, requires_grad=True))",
    "asarray_non_leaf": "T.asarray(T.ones(2, requires_grad=True) * 2)",
    "asarray_copy": "T.asarray(T.ones(2, requires_grad=True), copy=True)",
    "asarray_cast": "T.asarray(T.ones(2, requires_grad=True), dtype=T.float64)",
    "asarray_no_grad": "T.asarray(T.ones(2, requires_grad=True).detach())",
    "cross_without_dim": "T.cross(T.ones(3, 3), T.ones(3, 3))",
    "T_of_1d": "T.ones(3).T",
    "T_of_3d": "T.ones(2, 3, 4).T",
    "T_of_0d": "T.tensor(1.0).T",
    "T_of_2d": "T.ones(2, 3).T",  # (no warning at all)
    "mT_of_0d": "T.tensor(1.0).mT",
    "bincount_complex_weights": "T.bincount(T.tensor([0, 1]), weights=T.tensor([1 + 1j, 2]))",
    "list_of_arrays": "T.tensor([np.ones(2), np.zeros(2)])",
    "list_of_empty_arrays": "T.tensor([np.ones(0)])",  # (nothing stored: no warning)
    "nested_mixed": "T.tensor([[1.0, 2.0], np.ones(2)])",
    "zero_d_array_in_list": "T.tensor([1.0, np.ones(())])",
    "rms_norm_weight_dtype": "T.nn.functional.rms_norm(T.ones(2, 4), (4,), T.ones(4, dtype=T.float64))",
    "as_tensor_list_of_arrays": "T.as_tensor([np.ones(2, dtype=np.int32)])",
    "from_numpy_read_only": "a = np.ones(2); a.setflags(write=False); T.from_numpy(a)",
    "as_tensor_read_only": "a = np.ones(2); a.setflags(write=False); T.as_tensor(a)",
    "as_tensor_read_only_cast": "a = np.ones(2); a.setflags(write=False); T.as_tensor(a, dtype=T.float32)",
    "tensor_read_only": "a = np.ones(2); a.setflags(write=False); T.tensor(a)",  # (a copy: no warning)
    # plain Python warnings in PyTorch: every call warns
    "tensor_of_tensor": "T.tensor(T.ones(2))",
    "var_one_element": "T.ones(1).var()",
}

_RUNNER = """
import json, warnings
import numpy as np
import {lib} as T
out = []
for call in range(2):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        {stmt}
    out.append([[m.category.__name__, str(m.message), m.filename == "<string>"] for m in w])
print(json.dumps(out))
"""


def _warnings_of(lib, stmt):
    code = _RUNNER.format(lib=lib, stmt=stmt.replace("; ", "\n        "))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


@pytest.mark.parametrize("name", list(WARN_CASES))
def test_warnings_once_or_every_call_as_pytorch(name):
    stmt = WARN_CASES[name]
    assert _warnings_of("reftorch", stmt) == _warnings_of("torch", stmt)


# values, dtypes and errors of lists holding NumPy arrays (PyTorch reads an array as one
# more level of the nesting)
NESTED = {
    "arrays": lambda: [np.ones(2), np.arange(2.0)],
    "list_then_array": lambda: [[1.0, 2.0], np.ones(2)],
    "array_then_list": lambda: [np.ones(2), [1.0, 2.0]],
    "deeper": lambda: [[[1.0, 2.0], np.ones(2, dtype=np.float32)]],
    "ints_and_int32": lambda: [[1, 2], np.ones(2, dtype=np.int32)],
    "matrix_and_lists": lambda: [np.ones((2, 2), dtype=np.float32), [[1, 2], [3, 4]]],
    "zero_d_among_numbers": lambda: [1.0, np.ones(())],
    "zero_d_first": lambda: [np.ones(())],
    "zero_d_where_a_list_belongs": lambda: [[1.0], np.ones(())],
    "ragged_array": lambda: [[1.0, 2.0], np.ones(3)],
    "ragged_after_array": lambda: [np.ones(2), [1.0, 2.0, 3.0]],
    "array_where_a_number_belongs": lambda: [1.0, np.ones(2)],
    "empty_arrays": lambda: [np.ones(0), np.ones(0)],
}


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
@pytest.mark.parametrize("name", list(NESTED))
def test_lists_holding_arrays(name):
    both(lambda T: T.tensor(NESTED[name]()))
