"""torch.complex, polar, angle, copysign, conj_physical, the conjugate/negative bits,
typename, the constants (pi, e, inf, nan, newaxis) and the small tensor queries, against
PyTorch: values, dtypes, gradients, grad_fn names, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads

R = np.array([1.0, -2.0, 0.0, -0.0, 3.5], np.float32)
S = np.array([-1.0, 0.0, -0.0, 2.0, -3.0], np.float32)
Z = np.array([1 + 2j, 3 - 1j, -1 + 0j, 0j, -2 - 2j], np.complex64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("expr", ["T.complex(a, b)", "T.polar(a.abs(), b)", "T.copysign(a, b)", "a.copysign(b)",
                                  "T.copysign(a, -1.5)", "T.angle(a)", "a.angle()", "T.complex(a, b).abs()",
                                  "T.polar(a, b).angle()", "T.complex(a[:, None], b)"])
def test_values_and_grads(expr, dtype):
    check_grads(lambda T, a, b: eval(expr, {"T": T, "a": a, "b": b}), R.astype(dtype), S.astype(dtype))


@pytest.mark.parametrize("expr", ["T.angle(z)", "z.conj_physical()", "T.conj_physical(z) * z",
                                  "T.angle(z * 2)", "z.conj().resolve_conj()"])
def test_complex_grads(expr):
    check_grads(lambda T, z: eval(expr, {"T": T, "z": z}), Z, complex_grads=True)


@pytest.mark.parametrize("expr", [
    "T.angle(T.tensor([1., -2., 0., float('nan'), -0.0]))", "T.angle(T.tensor([1, -2, 0]))",
    "T.angle(T.tensor([True, False]))", "T.angle(T.tensor([1., -1.], dtype=T.float16))",
    "T.angle(T.tensor([1j, -1 + 0j], dtype=T.complex128))",
    "T.complex(T.tensor([0., float('inf')]), T.tensor([float('inf'), 1.]))",
    "T.complex(T.tensor([1.], dtype=T.float64), T.tensor([2.], dtype=T.float64))",
    "T.complex(T.tensor([1.]), T.tensor([2.]), out=T.empty(1, dtype=T.complex64))",
    "T.polar(T.tensor([1., 2.]), T.tensor([0., math.pi / 2]))",
    "T.copysign(T.tensor([1, 2]), -1)", "T.copysign(T.tensor([1, 2]), T.tensor([-1, 1]))",
    "T.copysign(T.tensor([1.], dtype=T.float16), T.tensor([-1.], dtype=T.float64))",
    "T.copysign(T.tensor([1.], dtype=T.float16), -2.0)", "T.copysign(T.tensor([True]), -2)",
    "T.tensor([1., -2.]).copysign_(1)", "T.tensor([1., -2.]).copysign_(T.tensor([-1., -1.]))",
    "T.conj_physical(T.tensor([1 + 2j, -1j]))", "T.tensor([1 + 2j]).conj_physical_()",
    "T.conj_physical_(T.tensor([1 + 2j]))", "T.tensor([1, 2]).conj_physical()",
    "T.tensor([1., 2.]).cfloat()", "T.tensor([1, 2]).cdouble()", "T.tensor([1 + 1j]).cdouble()",
    "T.is_complex(T.tensor([1j]))", "T.is_complex(T.tensor([1.]))",
    "T.tensor([1.]).is_neg()", "T.is_neg(T.tensor([1j]).conj())", "T.resolve_neg(T.tensor([2.]))",
    "T.get_device(T.ones(1))", "T.ones(1).get_device()", "T.is_inference(T.ones(1))",
])
def test_cases(expr):
    assert not isinstance(both(lambda T: eval(expr, {"T": T, "math": math})), Exception)


@pytest.mark.parametrize("expr", [
    "T.complex(T.tensor([1.]), T.tensor([1.], dtype=T.float64))", "T.complex(T.tensor([1]), T.tensor([1]))",
    "T.complex(T.tensor([1.]), 2.0)", "T.polar(T.tensor([1.]), T.tensor([1.], dtype=T.float64))",
    "T.polar(T.tensor([1]), T.tensor([1]))", "T.copysign(T.tensor([1j]), 1)",
    "T.copysign(T.tensor([1]), T.tensor([1j]))", "T.copysign(1, T.tensor([1.]))", "T.angle(1)",
    "T.is_complex(1)", "T.is_conj(1)", "T.is_neg(1)", "T.resolve_conj(1)", "T.resolve_neg(1)",
    "T.conj_physical(1)", "T.get_device(1)", "T.is_inference(1)",
])
def test_errors(expr):
    both(lambda T: eval(expr, {"T": T}), msg=not expr.startswith("T.copysign(1"))


def test_float16_complex_is_refused():
    # PyTorch gives complex32 (ComplexHalf), a dtype reftorch lacks
    with pytest.raises(TypeError):
        reftorch.complex(reftorch.ones(1, dtype=reftorch.float16), reftorch.ones(1, dtype=reftorch.float16))


def test_conj_bit():
    def go(T):
        z = T.tensor([1 + 2j, 3 - 1j], requires_grad=True)
        c = z.conj()
        r = c.resolve_conj()
        return (z.is_conj(), c.is_conj(), T.is_conj(c), c.conj().is_conj(), r.is_conj(), r, z.resolve_conj() is z,
                T.conj_physical(z).is_conj(), T.tensor([1.]).conj().is_conj())
    both(go)


def test_resolve_returns_self():
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0])
        assert T.resolve_conj(x) is x and T.resolve_neg(x) is x and x.conj() is x
        assert T.conj_physical(x) is x and T.conj_physical_(x) is x


def test_conj_physical_inplace_grad_fn():
    def go(T):
        z = T.tensor([1 + 2j, -1j], requires_grad=True) * 1
        z.conj_physical_()
        return z
    both(go)


@pytest.mark.parametrize("expr", ["T.angle(z)", "T.complex(r, r * 2).abs()", "T.polar(r, r).real",
                                  "T.copysign(r * r, -1.)", "T.copysign(r * r, r - 3)"])
def test_second_order(expr):
    def go(T):
        r = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        z = T.tensor([1 + 2j, 3 - 1j], dtype=T.complex128, requires_grad=True)
        out = eval(expr, {"T": T, "z": z, "r": r})
        leaf = z if "z" in expr else r
        (g,) = T.autograd.grad(out.sum(), leaf, create_graph=True)
        g.abs().sum().backward()
        return g, leaf.grad
    both(go)


def test_constants():
    for name in ("pi", "e", "inf", "nan"):
        mine, theirs = getattr(reftorch, name), getattr(torch, name)
        assert type(mine) is type(theirs) is float
        assert mine == theirs or (math.isnan(mine) and math.isnan(theirs))
    assert reftorch.newaxis is torch.newaxis is None
    both(lambda T: T.arange(3)[:, T.newaxis])


@pytest.mark.parametrize("expr", [
    "T.typename(T.tensor([1, 2]))", "T.typename(T.ones(1, dtype=T.bool))", "T.typename(T.nn.Linear(1, 1))",
    "T.typename(T.nn.Linear)", "T.typename(T.nn.Parameter)", "T.typename(T.Tensor)", "T.typename(T.float32)",
    "T.typename(T.Size([1]))", "T.typename(T.device('cpu'))", "T.typename(3.0)", "T.typename(None)",
    "T.typename(T.nn.parameter.Parameter(T.ones(1)))", "T.typename(T.tensor([1j]))",
])
def test_typename(expr):
    assert not isinstance(both(lambda T: eval(expr, {"T": T})), Exception)


def test_deepcopy_drops_the_conj_bit():
    import copy

    def go(T):
        d = copy.deepcopy(T.tensor([1 + 2j]).conj())
        return d, d.is_conj()
    both(go)


def test_load_pytorch_conj_and_neg_tensors(tmp_path):
    # PyTorch saves a lazy conjugate (negative) view as its storage plus a metadata bit
    c = torch.tensor([1 + 2j, 3 - 1j]).conj()
    n = torch.tensor([1 + 2j, 3 - 1j]).conj().imag
    assert n.is_neg()
    torch.save({"c": c, "n": n}, tmp_path / "t.pt")
    got = reftorch.load(tmp_path / "t.pt")
    assert got["c"].tolist() == c.tolist() and got["c"].is_conj()
    assert got["n"].tolist() == n.tolist()
