"""Conformance: a bool (or another non-int) among the sizes of a shape argument, or as the
size, count or dim of ``split``/``chunk``. PyTorch's
argument parser refuses a first size that is not an int -- ``True`` included -- with a
``TypeError``, and takes later bools as ints (``x.view(6, True)`` has shape ``(6, 1)``).
Compared with torch: exception types always, messages where reftorch knows the function's
name and argument (the creation functions, ``expand``, ``repeat``, ``permute``)."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

X = np.arange(6, dtype=np.float32)

# (case, message compared too)
CASES = {
    "zeros(True, 2)": (lambda T, x: T.zeros(True, 2), True),
    "zeros(False, 2)": (lambda T, x: T.zeros(False, 2), True),
    "zeros((True, 2))": (lambda T, x: T.zeros((True, 2)), True),
    "zeros([True, 2])": (lambda T, x: T.zeros([True, 2]), True),
    "zeros(True)": (lambda T, x: T.zeros(True), True),
    "zeros(False)": (lambda T, x: T.zeros(False), True),
    "ones(True)": (lambda T, x: T.ones(True), True),
    "empty(True, 2)": (lambda T, x: T.empty(True, 2), True),
    "empty((True,))": (lambda T, x: T.empty((True,)), True),
    "full((True, 2))": (lambda T, x: T.full((True, 2), 1.0), True),
    "full(True)": (lambda T, x: T.full(True, 1.0), True),
    "rand((True, 2))": (lambda T, x: T.rand((True, 2)), True),
    "rand(True, 2)": (lambda T, x: T.rand(True, 2), False),
    "randn(True)": (lambda T, x: T.randn(True), True),
    "new_zeros(True, 2)": (lambda T, x: x.new_zeros(True, 2), False),
    "new_full((True,))": (lambda T, x: x.new_full((True,), 1.0), False),
    "view(True, 6)": (lambda T, x: x.view(True, 6), False),
    "view((True, 6))": (lambda T, x: x.view((True, 6)), False),
    "view(False, 6)": (lambda T, x: x.view(False, 6), False),
    "view(True)": (lambda T, x: x[:1].view(True), False),
    "view([True, 6])": (lambda T, x: x.view([True, 6]), False),
    "reshape(True, 6)": (lambda T, x: x.reshape(True, 6), False),
    "reshape((True, 6))": (lambda T, x: x.reshape((True, 6)), False),
    "torch.reshape": (lambda T, x: T.reshape(x, (True, 6)), False),
    "unflatten": (lambda T, x: x.unflatten(0, (True, 6)), False),
    "expand(True, 3)": (lambda T, x: x[:3].reshape(1, 3).expand(True, 3), False),
    "expand((True, 3))": (lambda T, x: x[:3].reshape(1, 3).expand((True, 3)), True),
    "expand(True)": (lambda T, x: x[:1].expand(True), True),
    "repeat(True, 2)": (lambda T, x: x.repeat(True, 2), False),
    "repeat((True, 2))": (lambda T, x: x.repeat((True, 2)), True),
    "repeat(True)": (lambda T, x: x.repeat(True), True),
    "permute(True, 0)": (lambda T, x: x.reshape(2, 3).permute(True, 0), False),
    "permute((True, 0))": (lambda T, x: x.reshape(2, 3).permute((True, 0)), True),
    "numpy bool first": (lambda T, x: T.zeros((np.bool_(True), 2)), True),
    "numpy bool later": (lambda T, x: T.zeros((2, np.bool_(True))), True),
    "float first": (lambda T, x: T.zeros(2.0, 3), True),
    "float later": (lambda T, x: T.zeros(2, 2.0), True),
    "float later packed": (lambda T, x: T.zeros((2, 2.0)), True),
    "str later": (lambda T, x: T.zeros(2, "a"), True),
    "view float later": (lambda T, x: x.view(3, 2.0), False),
    "view None first": (lambda T, x: x.view(None, 6), False),
    # later bools are ints in both libraries
    "view(6, True)": (lambda T, x: x.view(6, True), True),
    "view(-1, True)": (lambda T, x: x.view(-1, True), True),
    "reshape(6, True)": (lambda T, x: x.reshape(6, True), True),
    "zeros((2, True))": (lambda T, x: T.zeros((2, True)), True),
    "ones(2, True)": (lambda T, x: T.ones(2, True), True),
    "expand(1, True)": (lambda T, x: x[:1].reshape(1, 1).expand(1, True), True),
    "repeat(2, True)": (lambda T, x: x.repeat(2, True), True),
    "permute(1, False)": (lambda T, x: x.reshape(2, 3).permute(1, False), True),
    "Size((True, 2))": (lambda T, x: T.zeros(T.Size((True, 2))), True),
    # split and chunk: a bool size, count or dim
    "split(True)": (lambda T, x: x.split(True), True),
    "torch.split(x, True)": (lambda T, x: T.split(x, True), True),
    "split(2, True)": (lambda T, x: x.split(2, True), True),
    "split([True, 5])": (lambda T, x: x.split([True, 5]), True),
    "split([1, True, 4])": (lambda T, x: x.split([1, True, 4]), True),
    "split([1, 2, 3], True)": (lambda T, x: x.split([1, 2, 3], True), True),
    "split(False, 0)": (lambda T, x: x.split(False, 0), True),
    "chunk(True)": (lambda T, x: x.chunk(True), True),
    "chunk(2.0)": (lambda T, x: x.chunk(2.0), True),
    "chunk(2, True)": (lambda T, x: x.chunk(2, True), True),
    "chunk(2, dim=True)": (lambda T, x: x.chunk(2, dim=True), False),
    "chunk(tensor(2))": (lambda T, x: x.chunk(T.tensor(2)), True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bool_in_a_shape(case):
    fn, msg = CASES[case]
    both(fn, X, msg=msg)
