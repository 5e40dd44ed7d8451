"""Tensor.cauchy_, log_normal_ and geometric_ against PyTorch: the same numbers after the
same seed (float64 bit for bit, float32, and integer tensors for geometric_), the stream
left where PyTorch leaves it, grad_fn names in a graph, non-contiguous targets, errors."""
from __future__ import annotations

import pytest

from _compare import both

CALLS = {
    "cauchy_": lambda t: t.cauchy_(), "cauchy_(2, 3)": lambda t: t.cauchy_(2, 3),
    "cauchy_(median=-1, sigma=0.5)": lambda t: t.cauchy_(median=-1, sigma=0.5),
    "log_normal_": lambda t: t.log_normal_(), "log_normal_(0.5, 0.3)": lambda t: t.log_normal_(0.5, 0.3),
    "log_normal_(mean=-2, std=1)": lambda t: t.log_normal_(mean=-2, std=1),
    "geometric_(0.3)": lambda t: t.geometric_(0.3), "geometric_(p=0.9)": lambda t: t.geometric_(p=0.9),
    "geometric_(1e-3)": lambda t: t.geometric_(1e-3),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_random_fill_values(name, dtype):
    def run(T):
        T.manual_seed(7)
        t = CALLS[name](T.empty(3, 17, dtype=getattr(T, dtype)))
        return t, T.rand(2)  # the values, then where the stream stands
    both(run, exact=True)


@pytest.mark.torch
def test_geometric_on_integers_and_non_contiguous_targets():
    def ints(T):
        T.manual_seed(1)
        return T.empty(40, dtype=T.int64).geometric_(0.2), T.empty(5, dtype=T.int32).geometric_(0.5)
    both(ints, exact=True)

    def strided(T):
        T.manual_seed(2)
        base = T.zeros(4, 6, dtype=T.float64)
        base.t().cauchy_()
        base[:, ::2].log_normal_(0.1, 0.2)
        return base
    both(strided, exact=True)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CALLS))
def test_random_fill_in_a_graph(name):
    def run(T):
        T.manual_seed(0)
        x = T.ones(5, dtype=T.float64, requires_grad=True)
        y = CALLS[name](x * 2)
        y.sum().backward()
        return y, x.grad
    both(run, exact=True)


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda T: T.empty(3).cauchy_(0, -1), lambda T: T.empty(3).cauchy_(0, 0), lambda T: T.empty(3).log_normal_(0, -1),
    lambda T: T.empty(3).log_normal_(0, 0), lambda T: T.empty(3).geometric_(0), lambda T: T.empty(3).geometric_(1.0),
    lambda T: T.empty(3).geometric_(1.5), lambda T: T.empty(3, dtype=T.int64).cauchy_(),
    lambda T: T.empty(3, dtype=T.int64).log_normal_(), lambda T: T.ones(3, requires_grad=True).cauchy_(),
])
def test_random_fill_errors(call):
    both(call, msg=True)


@pytest.mark.torch
def test_complex_random_tensors():
    # PyTorch fills view_as_real of a complex tensor: the real and imaginary parts as
    # consecutive draws of the real dtype, normal ones with std / sqrt(2)
    def run(T):
        out = []
        for seed in (0, 5):
            T.manual_seed(seed)
            out += [T.randn(3, dtype=T.complex64), T.randn(20, dtype=T.complex64), T.randn(4, 5, dtype=T.complex128),
                    T.rand(7, dtype=T.complex64), T.rand(9, dtype=T.complex128),
                    T.empty(3, dtype=T.complex64).normal_(2, 3), T.empty(10, dtype=T.complex128).normal_(),
                    T.empty(3, dtype=T.complex64).uniform_(-1, 2), T.randn_like(T.zeros(2, dtype=T.complex64)),
                    T.rand_like(T.zeros(5, dtype=T.complex128)), T.rand(2, dtype=T.complex64, requires_grad=True),
                    T.empty(6, 4, dtype=T.complex64).t().normal_(), T.normal(1.0, 2.0, (9,), dtype=T.complex128)]
        return out
    both(run, exact=True)
