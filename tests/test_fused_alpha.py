"""``add``/``sub``/``rsub`` with ``alpha``, ``lerp`` and ``addcmul`` round as PyTorch's CPU
kernels do: one fused multiply-add (``a + alpha * b`` rounded once), bit for bit.

Expected values come from PyTorch 2.13, run here on the same inputs.
"""
import numpy as np
import pytest
import torch

import reftorch

ALPHAS = [0.3, -1.7, 3, 1e-3]


def _pair(dtype, n, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(n), rng.standard_normal(n) * 10.0 ** rng.integers(-3, 3, n)
    return ((torch.tensor(a).to(getattr(torch, dtype)), torch.tensor(b).to(getattr(torch, dtype))),
            (reftorch.tensor(a).to(getattr(reftorch, dtype)), reftorch.tensor(b).to(getattr(reftorch, dtype))))


def _same_bits(t, r):
    t, r = t.numpy(), r.numpy()
    assert t.dtype == r.dtype and t.shape == r.shape
    assert np.array_equal(t.view(f"i{t.itemsize}"), r.view(f"i{r.itemsize}")), \
        f"{np.count_nonzero(t != r)} of {t.size} differ"


CASES = {
    "add": lambda m, a, b, al: m.add(a, b, alpha=al),
    "sub": lambda m, a, b, al: m.sub(a, b, alpha=al),
    "rsub": lambda m, a, b, al: m.rsub(a, b, alpha=al),
    "add_": lambda m, a, b, al: a.clone().add_(b, alpha=al),
    "sub_": lambda m, a, b, al: a.clone().sub_(b, alpha=al),
    "method": lambda m, a, b, al: a.add(b, alpha=al),
    "strided": lambda m, a, b, al: m.add(a[::3], b[1::3], alpha=al),
    "broadcast": lambda m, a, b, al: m.sub(a.reshape(-1, 32), b[:32], alpha=al),
    "transposed": lambda m, a, b, al: m.add(a.reshape(32, -1).t(), b.reshape(-1, 32), alpha=al),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_add_with_alpha_is_one_fused_multiply_add(dtype, alpha, case):
    (ta, tb), (ra, rb) = _pair(dtype, 32 * 40, 1)
    _same_bits(CASES[case](torch, ta, tb, alpha), CASES[case](reftorch, ra, rb, alpha))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_add_number_with_alpha(dtype, alpha):
    # a number ``other``: fused too where PyTorch's vectorised loop runs (here all of a
    # length that fills its vectors; its scalar remainder rounds alpha * other first)
    (ta, _), (ra, _) = _pair(dtype, 16 * 50, 2)
    _same_bits(torch.add(ta, 2.7, alpha=alpha), reftorch.add(ra, 2.7, alpha=alpha))
    _same_bits(torch.sub(ta, 2.7, alpha=alpha), reftorch.sub(ra, 2.7, alpha=alpha))


@pytest.mark.parametrize("alpha", ALPHAS)
def test_float16_alpha_is_rounded_to_half_and_the_sum_fused_in_float32(alpha):
    # contiguous lengths that fill PyTorch's vectors of 32 halves (the scalar remainder of a
    # run rounds the product to float16 first; see _scaled_sum)
    (ta, tb), (ra, rb) = _pair("float16", 32 * 40, 3)
    for case in ("add", "sub", "rsub", "add_"):
        _same_bits(CASES[case](torch, ta, tb, alpha), CASES[case](reftorch, ra, rb, alpha))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "complex64", "complex128"])
def test_other_dtypes_unchanged(dtype):
    rng = np.random.default_rng(4)
    if dtype.startswith("complex"):
        a = rng.standard_normal(64) + 1j * rng.standard_normal(64)
        b = rng.standard_normal(64) + 1j * rng.standard_normal(64)
        alphas = [0.3, 2]
    else:
        a, b = rng.integers(0, 100, 64), rng.integers(0, 100, 64)
        alphas = [2, 3]
    for alpha in alphas:
        for fn in ("add", "sub"):
            t = getattr(torch, fn)(torch.tensor(a).to(getattr(torch, dtype)), torch.tensor(b).to(getattr(torch, dtype)),
                                   alpha=alpha)
            r = getattr(reftorch, fn)(reftorch.tensor(a).to(getattr(reftorch, dtype)),
                                      reftorch.tensor(b).to(getattr(reftorch, dtype)), alpha=alpha)
            assert np.array_equal(t.numpy(), r.numpy())


@pytest.mark.parametrize("weight", [0.3, 0.7, -1.7, "tensor"])
def test_float64_lerp_is_fused(weight):
    (ta, tb), (ra, rb) = _pair("float64", 1000, 5)
    if weight == "tensor":
        tw, rw = tb.abs() / 3, rb.abs() / 3
    else:
        tw = rw = weight
    _same_bits(torch.lerp(ta, tb, tw), reftorch.lerp(ra, rb, rw))


@pytest.mark.parametrize("value", [0.3, -1.7, 3])
def test_float64_addcmul_is_fused(value):
    (ta, tb), (ra, rb) = _pair("float64", 1000, 6)
    _same_bits(torch.addcmul(ta, tb, ta, value=value), reftorch.addcmul(ra, rb, ra, value=value))


def test_gradient_of_add_with_alpha_unchanged():
    (ta, tb), (ra, rb) = _pair("float32", 64, 7)
    ta.requires_grad_(), tb.requires_grad_(), ra.requires_grad_(), rb.requires_grad_()
    torch.sub(ta, tb, alpha=0.3).sum().backward()
    reftorch.sub(ra, rb, alpha=0.3).sum().backward()
    _same_bits(ta.grad, ra.grad)
    _same_bits(tb.grad, rb.grad)
