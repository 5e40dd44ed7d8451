"""bfloat16 on the CPU (NumPy storage: ``ml_dtypes.bfloat16``), compared with PyTorch:
creation, casts, printing, the RNG draws, arithmetic computed in float32 and rounded once,
reductions accumulated in float32, autograd, modules and save/load."""
from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

import reftorch
import torch
from tests._compare import assert_same, both, forget_warning, raises_like

# float64 values whose bfloat16 rounding differs between one rounding and PyTorch's two
# (through float32): 1 + 2**-8 + 2**-30 is just above the halfway point of two bfloat16
# neighbours, but its float32 value is exactly halfway (ties to even: 1.0).
_TWO_ROUNDINGS = [1 + 2 ** -8 + 2 ** -30, -(1 + 2 ** -8 + 2 ** -40), 3.3, 0.1, 1e-3, 123456.7]
_VALUES = [1.0, 2.5, 3.14159, -0.1, 1e-3, 1e10, 1e-8, 3e38, float("inf"), float("nan"), -0.0]


def _bf(T, values):
    return T.tensor(values, dtype=T.bfloat16)


# ------------------------------------------------------------------ creation and casts
def test_factories():
    both(lambda T: (T.zeros(2, 3, dtype=T.bfloat16), T.ones(2, dtype=T.bfloat16),
                    T.full((2,), 1.7, dtype=T.bfloat16), T.arange(5, dtype=T.bfloat16),
                    T.arange(0, 1, 0.1, dtype=T.bfloat16), T.arange(0, 300, 7, dtype=T.bfloat16),
                    T.linspace(-3, 7, 11, dtype=T.bfloat16), T.logspace(0, 3, 4, dtype=T.bfloat16),
                    T.eye(2, dtype=T.bfloat16), T.empty(2, dtype=T.bfloat16).shape,
                    T.zeros_like(_bf(T, [1.0, 2.0])), T.ones(2, dtype=T.bfloat16).new_zeros(3),
                    _bf(T, [1.5]).new_full((2,), 3.3), _bf(T, [1.5]).new_tensor([3.3]),
                    T.as_tensor([1.0, 2.0], dtype=T.bfloat16), T.tensor([], dtype=T.bfloat16)), exact=True)


def test_tensor_values_round_through_float32():
    both(lambda T: (_bf(T, _TWO_ROUNDINGS), _bf(T, _VALUES), _bf(T, [[1, 2], [3, 2 ** 24 + 2 ** 16 + 1]]),
                    T.full((1,), _TWO_ROUNDINGS[0], dtype=T.bfloat16), T.full((1,), 2 ** 24 + 2 ** 16 + 1,
                                                                               dtype=T.bfloat16)), exact=True)


def test_casts():
    def run(T):
        x = T.tensor(_TWO_ROUNDINGS + _VALUES, dtype=T.float64)
        b = x.bfloat16()
        ints = T.tensor([2 ** 24 + 2 ** 16 + 1, 2 ** 40 + 2 ** 32 + 1, -7])
        return (b, x.float().bfloat16(), x.to(T.bfloat16), x.to(dtype=T.bfloat16), x.type(T.bfloat16),
                x.type("torch.BFloat16Tensor"), b.float(), b.double(), b.half(), b[:2].long(), b.bool(),
                b.to(T.complex64), ints.bfloat16(), ints.int().bfloat16(), T.tensor([True, False]).bfloat16(),
                x.to(b), x.type_as(b), b.clone(), b.type(T.float32), x.half().bfloat16())
    both(run, exact=True)


def test_complex_to_bfloat16_warns_like_pytorch():
    def run(T):
        forget_warning("Casting complex values")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = T.tensor([1 + 2j]).to(T.bfloat16)
        return out, [str(w.message) for w in caught]
    both(run, exact=True)


def test_attributes():
    def run(T):
        b = _bf(T, [1.7, 2.0])
        s = _bf(T, 3.3)
        f = T.finfo(T.bfloat16)
        return (str(b.dtype), b.is_floating_point(), T.is_floating_point(b), b.is_complex(), b.is_signed(),
                b.element_size(), b.itemsize, b.nbytes, b.type(), b.tolist(), s.item(), type(s.item()).__name__,
                float(s), int(s), b.dtype.itemsize, b.dtype.is_floating_point,
                (f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.dtype))
    both(run)


def test_legacy_type():
    both(lambda T: (T.BFloat16Tensor([1.5, 2.7]), T.tensor([1.0, 2.5]).type(T.BFloat16Tensor),
                    isinstance(_bf(T, [1.0]), T.BFloat16Tensor)), exact=True)


def test_views_of_the_bits():
    both(lambda T: (_bf(T, [1.0, 2.0, -1.5]).view(T.int16),
                    T.tensor([16320, 16384], dtype=T.int16).view(T.bfloat16),
                    _bf(T, [1.0, 2.0]).view(T.float16)), exact=True)


def test_numpy_is_refused_as_in_pytorch():
    both(lambda T: _bf(T, [1.7]).numpy(), msg=True)
    both(lambda T: _bf(T, [1.7]).numpy(force=True), msg=True)
    both(lambda T: np.asarray(_bf(T, [1.7])), msg=True)
    both(lambda T: T.tensor([1.7], dtype=T.bfloat16, requires_grad=True).numpy(), msg=True)  # (grad first)


def test_from_numpy_refuses_ml_dtypes_bfloat16():
    import ml_dtypes
    both(lambda T: T.from_numpy(np.zeros(2, dtype=ml_dtypes.bfloat16)), msg=True)


def test_default_dtype():
    def run(T):
        T.set_default_dtype(T.bfloat16)
        try:
            return (T.tensor([1.7, 2.3]), T.zeros(2), T.tensor(1.5) * 2, T.tensor([1, 2]) / 3,
                    T.arange(0., 3.), str(T.get_default_dtype()))
        finally:
            T.set_default_dtype(T.float32)
    both(run, exact=True)
    assert reftorch.get_default_dtype() is reftorch.float32


# ------------------------------------------------------------------ printing
@pytest.mark.parametrize("values", [[1.0, 2.5], [1.0, 2.0], 2.0, [1e-8, 1e8, 1.5], [123456.7, 1e-5, 3e38],
                                    [float("inf"), float("nan"), -0.0, 1.0], [[1.5, 2.25], [3.125, 1e5]],
                                    [100.0, 1000.5], [0.1, 0.2, 0.3], []])
def test_printing(values):
    both(lambda T: (repr(_bf(T, values)), str(_bf(T, values))))


def test_printing_long_and_with_autograd():
    both(lambda T: repr(T.arange(2000, dtype=T.bfloat16) / 3))
    both(lambda T: repr(T.arange(0, 1, 0.1, dtype=T.bfloat16)))
    both(lambda T: repr(T.tensor([1.7, 2.0], dtype=T.bfloat16, requires_grad=True)))
    both(lambda T: repr(T.tensor([1.7, 2.0], dtype=T.bfloat16, requires_grad=True) * 2))
    both(lambda T: repr(T.zeros(2, 3, dtype=T.bfloat16, requires_grad=True).sum()))


# ------------------------------------------------------------------ random draws
@pytest.mark.parametrize("seed", [0, 7])
def test_random_draws_match_bit_for_bit(seed):
    def run(T):
        out = []
        for draw in (lambda: T.rand(3, dtype=T.bfloat16), lambda: T.rand(40, dtype=T.bfloat16),
                     lambda: T.randn(3, dtype=T.bfloat16), lambda: T.randn(40, dtype=T.bfloat16),
                     lambda: T.randn(5, 7, dtype=T.bfloat16), lambda: T.empty(20, dtype=T.bfloat16).normal_(2, 3),
                     lambda: T.empty(20, dtype=T.bfloat16).uniform_(-2, 3),
                     lambda: T.empty(5, dtype=T.bfloat16).random_(),
                     lambda: T.empty(5, dtype=T.bfloat16).random_(0, 200),
                     lambda: T.randint(0, 10, (6,), dtype=T.bfloat16),
                     lambda: T.randn_like(T.zeros(3, dtype=T.bfloat16)),
                     lambda: T.normal(0., 1., (5,), dtype=T.bfloat16)):
            T.manual_seed(seed)
            out.append(draw())
        return out
    both(run, exact=True)


def test_randint_moves_the_bounds_inside_bfloat16_integers():
    def run(T):
        T.manual_seed(0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = (T.randint(0, 3000, (4,), dtype=T.bfloat16), T.randint(-5000, 300, (4,), dtype=T.bfloat16),
                   T.randint(0, 3000, (4,), dtype=T.float16))
        return out, [str(w.message) for w in caught]
    both(run, exact=True)


# ------------------------------------------------------------------ serialization and modules
def test_save_load_round_trips_with_pytorch():
    values = [1.7, 2.5, -3.3, 1e-8, float("inf")]
    buf = io.BytesIO()
    torch.save({"a": torch.tensor(values, dtype=torch.bfloat16),
                "b": torch.arange(6.0).reshape(2, 3).bfloat16().t()}, buf)
    loaded = reftorch.load(io.BytesIO(buf.getvalue()))
    assert_same(loaded["a"], torch.tensor(values, dtype=torch.bfloat16), exact=True)
    assert_same(loaded["b"], torch.arange(6.0).reshape(2, 3).bfloat16().t(), exact=True)
    assert loaded["b"].stride() == (1, 3)
    out = io.BytesIO()
    reftorch.save({"a": loaded["a"], "b": loaded["b"]}, out)
    back = torch.load(io.BytesIO(out.getvalue()), weights_only=True)
    assert torch.equal(back["a"][:4], torch.tensor(values, dtype=torch.bfloat16)[:4])
    assert back["b"].dtype == torch.bfloat16 and back["b"].stride() == (1, 3)
    again = reftorch.load(io.BytesIO(out.getvalue()))
    assert_same(again["a"], torch.tensor(values, dtype=torch.bfloat16), exact=True)


def test_strict_device_refuses_bfloat16():
    # the stand-in accelerator (like CuPy) has no bfloat16: a clear TypeError
    with pytest.raises(TypeError, match="does not support torch.bfloat16 on strict"):
        reftorch.zeros(2, dtype=reftorch.bfloat16, device="strict")
    with pytest.raises(TypeError, match="does not support torch.bfloat16 on strict"):
        reftorch.zeros(2, dtype=reftorch.bfloat16).to("strict")
    with pytest.raises(TypeError, match="does not support torch.bfloat16 on strict"):
        reftorch.zeros(2, device="strict").bfloat16()


def test_errors():
    raises_like(lambda T: _bf(T, [1.0, 2.0]).item())
    raises_like(lambda T: T.zeros(2, dtype=T.bfloat16).__index__())
    raises_like(lambda T: T.iinfo(T.bfloat16))
