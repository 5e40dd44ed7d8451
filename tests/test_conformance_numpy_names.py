"""NumPy's argument names, ``axis`` for ``dim`` and ``keepdims`` for ``keepdim``.

PyTorch's argument parser accepts them in every function implemented in C++
(``x.sum(axis=0, keepdims=True)``, ``torch.unsqueeze(x, axis=1)``) and refuses them in the
ones written in Python (``F.softmax``, ``Tensor.norm``, ``torch.split``); giving both names
is a TypeError. Each expression runs on both libraries: same result (values, dtype, grad_fn,
named tuple fields) or the same exception type and message.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both

X = np.arange(6.0, dtype=np.float32).reshape(2, 3) % 4


def _run(expr):
    return lambda T, x: eval(expr, {"T": T, "x": x, "F": T.nn.functional})


@pytest.mark.parametrize("expr", [
    # reductions
    "x.sum(axis=0)", "x.sum(axis=0, keepdims=True)", "T.sum(x, axis=(0, 1))", "x.sum(axis=None)",
    "x.sum(axis=[1])", "T.sum(x, axis=-1, dtype=T.float64)",
    "x.mean(axis=1, keepdims=True)", "x.mean(axis=0, dtype=T.float64)", "T.mean(x, axis=-1)",
    "x.max(axis=0)", "x.max(axis=0, keepdims=True)", "T.max(x, axis=1)", "x.min(axis=1)",
    "T.min(x, axis=0, keepdims=True)", "x.argmax(axis=1)", "T.argmax(x, axis=0, keepdims=True)",
    "x.argmin(axis=0)", "x.amax(axis=0)", "x.amin(axis=(0, 1))", "T.amax(x, axis=1, keepdims=True)",
    "x.any(axis=0)", "x.all(axis=1, keepdims=True)", "T.any(x, axis=1)", "x.prod(axis=0)",
    "T.prod(x, axis=1, keepdims=True)", "x.std(axis=0)", "T.std(x, axis=0, keepdims=True)",
    "x.var(axis=1, correction=0)", "T.var(x, axis=(0, 1), keepdims=True)", "T.std_mean(x, axis=0)",
    "T.var_mean(x, axis=1, keepdims=True)", "x.nansum(axis=0)", "x.nanmean(axis=1, keepdims=True)",
    "x.logsumexp(axis=0)", "T.logsumexp(x, axis=1, keepdims=True)", "x.median(axis=0)",
    "T.median(x, axis=1, keepdims=True)", "x.kthvalue(1, axis=0)", "T.kthvalue(x, 2, axis=1, keepdims=True)",
    "x.count_nonzero(axis=0)", "T.count_nonzero(x, axis=(0, 1))",
    # scans, softmax, ordering
    "x.cumsum(axis=0)", "x.cumprod(axis=1)", "T.cumsum(x, axis=0)", "T.cumprod(x, axis=1, dtype=T.float64)",
    "x.clone().cumsum_(axis=0)", "x.clone().cumprod_(axis=1)", "x.softmax(axis=0)", "T.softmax(x, axis=1)",
    "x.log_softmax(axis=1)", "T.log_softmax(x, axis=0)", "x.sort(axis=0)", "x.sort(axis=0, descending=True)",
    "T.sort(x, axis=1, stable=True)", "x.argsort(axis=0)", "T.argsort(x, axis=1, descending=True)",
    "x.topk(1, axis=0)", "T.topk(x, 2, axis=1, largest=False)", "x.diff(axis=0)", "T.diff(x, axis=1)",
    # shapes
    "x.squeeze(axis=0)", "T.squeeze(x.reshape(1, 6), axis=0)", "x.reshape(1, 6, 1).squeeze(axis=(0, 2))",
    "x.unsqueeze(axis=0)", "x.unsqueeze(axis=-1)", "T.unsqueeze(x, axis=1)", "x.chunk(2, axis=0)",
    "T.chunk(x, 3, axis=1)", "x.unbind(axis=1)", "T.unbind(x, axis=0)", "x.repeat_interleave(2, axis=0)",
    "T.repeat_interleave(x, 2, axis=1)", "T.cross(x.reshape(3, 2).T, x.reshape(3, 2).T, axis=1)",
    "T.cat([x, x], axis=1)", "T.stack([x, x], axis=2)",
])
def test_numpy_names_accepted(expr):
    both(_run(expr), X)


@pytest.mark.parametrize("expr", [
    # both names
    "x.sum(0, axis=1)", "x.sum(dim=0, axis=0)", "x.sum(0, keepdim=True, keepdims=True)",
    "x.max(1, axis=0)", "x.unsqueeze(0, axis=0)", "x.softmax(0, axis=0)", "x.cumsum(0, axis=0)",
    "x.sort(1, axis=0)", "x.chunk(2, 1, axis=0)", "x.logsumexp(0, axis=0)", "T.mean(x, 1, keepdim=True, keepdims=True)",
    # no dim under either name
    "x.unsqueeze()", "x.logsumexp()", "x.softmax()", "T.log_softmax(x)",
    # wrong values under the NumPy name
    "x.sum(axis=5)", "x.unsqueeze(axis=3)", "x.squeeze(axis=None)", "x.sum(axis='a')",
    # Python functions in PyTorch: no NumPy names
    "F.softmax(x, axis=0)", "F.log_softmax(x, axis=1)", "x.norm(axis=0)", "T.split(x, 1, axis=0)",
    "x.split(1, axis=0)", "x.flatten(start_axis=0)", "T.flip(x, axis=0)", "x.roll(1, axis=0)",
    "x.transpose(axis0=0, axis1=1)",
])
def test_numpy_names_refused(expr):
    both(_run(expr), X)


@pytest.mark.parametrize("expr", [
    "x.sum(0, axis=1)", "x.sum(dim=0, axis=0)", "x.sum(0, keepdim=True, keepdims=True)",
    "x.unsqueeze(0, axis=0)", "x.softmax(0, axis=0)", "x.unsqueeze()", "x.logsumexp()", "x.softmax()",
    "T.log_softmax(x)", "x.sum(axis=5)",
])
def test_numpy_names_messages(expr):
    both(_run(expr), X, msg=True)
