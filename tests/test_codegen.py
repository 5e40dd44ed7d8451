"""Generated wrappers (``reftorch/_codegen.py``): ``OpFunction.apply`` built from each op's
``forward`` signature, and the Tensor methods that refuse ``out=``. Expected values are by
hand: what a call with these arguments must bind, and what a traceback must show."""
from __future__ import annotations

import inspect
import traceback

import pytest

import reftorch as torch
from reftorch._codegen import defaults_of, parameter_text
from reftorch.autograd.function import OpFunction


def _params(fn):
    return list(inspect.signature(fn).parameters.values())


def test_parameter_text_spells_out_every_kind():
    def f(a, b=2, *rest, c, d=4, **more):
        pass
    assert parameter_text(_params(f)) == ("a, b=_d['b'], *rest, c, d=_d['d'], **more",
                                          "a, b, *rest, c=c, d=d, **more")
    assert defaults_of(_params(f)) == {"b": 2, "d": 4}

    def g(x, y=None, *, keep=False):
        pass
    assert parameter_text(_params(g), first="self", defaults="D") == ("self, y=D['y'], *, keep=D['keep']",
                                                                        "self, y, keep=keep")


class _Scaled(OpFunction):
    """out = x * y * scale + shift (x, y inputs; scale, shift parameters)."""

    name = "ScaledBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, y, scale=2.0, *, shift=0.0):
        ctx.save_for_backward(x, y)
        ctx.scale = scale
        return x._data * y._data * scale + shift

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y._data * ctx.scale, g * x._data * ctx.scale


def test_apply_takes_forwards_parameters_positionally_and_by_name():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    assert _Scaled.apply(x, y).tolist() == [6.0, 16.0]  # scale's default, 2
    assert _Scaled.apply(x, y, 0.5).tolist() == [1.5, 4.0]
    assert _Scaled.apply(x, y, scale=1.0, shift=1.0).tolist() == [4.0, 9.0]
    out = _Scaled.apply(x, y, 3.0)
    assert type(out.grad_fn).__name__ == "ScaledBackward0"
    assert out.requires_grad
    out.sum().backward()
    assert x.grad.tolist() == [9.0, 12.0]  # y * 3
    with pytest.raises(TypeError):  # shift is keyword-only in forward, so in apply too
        _Scaled.apply(x, y, 1.0, 1.0)
    with torch.no_grad():
        assert _Scaled.apply(x, y).grad_fn is None


def test_apply_and_methods_show_their_lines_in_tracebacks():
    x = torch.ones(4, 3)
    try:
        x.index_select(0, torch.tensor([7]))  # a method without out=, generated
    except IndexError as e:
        text = "".join(traceback.format_exception(e))
    assert "return _fn(self, dim, index)" in text
    try:
        _Scaled.apply(x, "not a tensor")  # apply reads the inputs' requires_grad first
    except TypeError as e:  # (PyTorch's error for an input that is no tensor, from that line's AttributeError)
        text = "".join(traceback.format_exception(e))
    assert "needs = x._requires_grad or y._requires_grad" in text
    assert "argument 'y' (position 2) must be Tensor, not str" in text
