"""Conformance: a second ``backward()`` through a graph whose saved tensors the first one
freed raises PyTorch's RuntimeError ("Trying to backward through the graph a second
time ..."), and only where PyTorch's node saved something: ``x * 2`` (PyTorch saves the
number as a wrapped tensor) raises, ``x + 2`` does not; ``x % y`` saves its operands only
for ``y``'s gradient."""
from __future__ import annotations

import warnings

import pytest
import torch

import reftorch

CASES = ["x*2", "2*x", "x/2", "2/x", "x+2", "x-1", "1-x", "x*x", "x.mul(3)", "x.div(3)", "T.mul(x, 2)", "x.clone().mul_(2)", "x.clone().div_(2)", "x.sum()*1", "x.view(2,1)*3", "x[0]*1", "x**2", "2**x", "x.pow(0.5)", "x.clamp(0, 1)", "x.clamp(min=0)", "x.exp()", "x.log()", "x.neg()", "x.abs()", "x.sign()", "x.relu()", "F.relu(x)", "F.leaky_relu(x)", "F.gelu(x)", "F.silu(x)", "F.softplus(x)", "F.elu(x)", "x.sigmoid()", "x.tanh()", "F.softmax(x, 0)", "F.log_softmax(x, 0)", "x.mean()", "x.sum()", "x.prod()", "x.max()", "x.min()", "x.norm()", "x.std()", "x.var()", "x.cumsum(0)", "x.flip(0)", "x.t() if x.dim() > 1 else x.unsqueeze(0).t()", "x.reshape(1, 2)", "x.expand(3, 2)", "x.repeat(2)", "T.cat([x, x])", "T.stack([x, x])", "x.index_select(0, T.tensor([1]))", "x.gather(0, T.tensor([1]))", "x.masked_fill(x > 5, 0)", "T.where(x > 0, x, 0.)", "x.sqrt()", "x.rsqrt()", "x.reciprocal()", "x.sin()", "x.cos()", "F.dropout(x, 0.0)", "F.mse_loss(x, T.zeros(2))", "F.l1_loss(x, T.zeros(2))", "F.smooth_l1_loss(x, T.zeros(2))", "F.binary_cross_entropy(x.sigmoid(), T.ones(2))", "F.cross_entropy(x.unsqueeze(0), T.tensor([1]))", "F.linear(x, T.ones(3, 2))", "x @ T.ones(2)", "x.dot(x)", "F.normalize(x, dim=0)", "x.clamp(max=1)", "x.floor()", "x.round()", "x.fmod(2.)", "x.remainder(2.)", "x.atan2(x)", "x.maximum(x * 0)", "x.lerp(T.zeros(2), 0.5)", "x.addcmul(x, x)", "x.hypot(x)", "T.logsumexp(x, 0)", "x.erf()", "x.log1p()", "x.expm1()", "x.square()", "x * True", "x.float()", "x.double()", "x.to(T.float64)", "x.type(T.float64)"] + ["x % T.tensor(2.)", "x.fmod(T.tensor(2.))", "x % 2", "x % T.tensor([2., 3.], requires_grad=True)", "T.tensor([2., 3.], requires_grad=True) % x", "x * T.tensor(2.)", "x / T.tensor(2.)", "x / T.tensor(2., requires_grad=True)", "x + T.tensor(2., requires_grad=True)"]


def _second_backward(T, expr):
    """What the second ``backward()`` of ``expr(x).sum()`` does: "OK" or the exception's type."""
    F = T.nn.functional  # noqa: F841 (read by the expressions)
    x = T.tensor([0.5, 1.5], requires_grad=True)  # noqa: F841 (read by the expressions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = eval(expr).sum()
        y.backward()
        try:
            y.backward()
        except Exception as e:  # noqa: BLE001 - compared with PyTorch's
            return type(e).__name__, str(e)[:60]
    return "OK"


@pytest.mark.parametrize("expr", CASES)
def test_second_backward_as_pytorch(expr):
    assert _second_backward(reftorch, expr) == _second_backward(torch, expr)
