"""One-tensor math functions given a Python number, list or None: PyTorch's argument parser
raises TypeError ("sin(): argument 'input' (position 1) must be Tensor, not float"); so does
reftorch, through the one shared check ``reftorch._ops._common.tensor_input``."""
from __future__ import annotations

import pytest
import torch

import reftorch

TORCH_NAMES = """abs absolute acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh
atan atanh ceil conj cos cosh deg2rad digamma erf erfc erfinv exp exp2 expm1 fix floor frac frexp i0
isfinite isinf isnan isneginf isposinf isreal lgamma log log10 log1p log2 logical_not logit nan_to_num neg negative
positive rad2deg real reciprocal relu round rsqrt sgn sigmoid sign signbit sin sinc sinh sqrt square tan
tanh trunc""".split()

SPECIAL_NAMES = """airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 digamma entr erf erfc erfcx erfinv exp2
expit expm1 gammaln i0 i0e i1 i1e log1p log_ndtr logit modified_bessel_i0 modified_bessel_i1
modified_bessel_k0 modified_bessel_k1 ndtr ndtri psi round scaled_modified_bessel_k0
scaled_modified_bessel_k1 sinc spherical_bessel_j0""".split()

CASES = [(None, n) for n in TORCH_NAMES] + [("special", n) for n in SPECIAL_NAMES]


def _error(fn, arg):
    with pytest.raises(Exception) as info:
        fn(arg)
    return info.value


@pytest.mark.parametrize("arg", [1.0, 2, [1.0], None], ids=["float", "int", "list", "None"])
@pytest.mark.parametrize("space,name", CASES, ids=[f"{s or 'torch'}.{n}" for s, n in CASES])
def test_non_tensor_argument_raises_pytorchs_type_error(space, name, arg):
    ft = getattr(torch.special, name) if space else getattr(torch, name)
    fr = getattr(reftorch.special, name) if space else getattr(reftorch, name)
    et, er = _error(ft, arg), _error(fr, arg)
    assert type(er) is type(et) is TypeError, (et, er)
    # an alias (torch.fix, torch.special.erf...) names the function it aliases:
    # "trunc(): argument ..." where PyTorch says "fix(): argument ..."
    if fr.__name__ == str(et).split("()")[0]:
        assert str(er) == str(et)
    else:
        assert str(er).split("(): ", 1)[1] == str(et).split("(): ", 1)[1]


def test_keyword_input_and_tensors_still_work():
    x = reftorch.tensor([0.5, 2.0])
    assert reftorch.sin(input=x).tolist() == reftorch.sin(x).tolist()
    assert reftorch.special.ndtri(input=reftorch.tensor([0.5])).tolist() == [0.0]
    assert x.floor().tolist() == [0.0, 2.0]
    for lib in (torch, reftorch):  # PyTorch names airy_ai's input (and three others') ``x``
        assert lib.special.airy_ai(x=lib.tensor([0.0])).tolist() == lib.special.airy_ai(lib.tensor([0.0])).tolist()
        with pytest.raises(TypeError):
            lib.special.spherical_bessel_j0(input=lib.tensor([0.0]))
    for lib in (torch, reftorch):  # by keyword: no position in the message
        with pytest.raises(TypeError, match=r"^sin\(\): argument 'input' must be Tensor, not int$"):
            lib.sin(input=3)
