"""Conformance: argument checks and exception types where PyTorch raises (alpha of add/sub,
sum/mean dtypes, backward through ``//``, index dtypes, dot/matmul dtypes, random-number
ranges), each compared with torch -- same result, or same exception type and message."""
from __future__ import annotations

import warnings

import pytest

import reftorch
from tests._compare import assert_same, assert_same_error, run, torch


def _x(T):
    return T.ones(2, requires_grad=True)


def _i(T):
    return T.tensor([1, 2])


CASES = {
    "add_int_alpha_float": lambda T: T.add(_i(T), 3, alpha=0.5),
    "add_int_alpha_float_tensor": lambda T: T.add(_i(T), _i(T), alpha=0.5),
    "sub_int_alpha_float": lambda T: T.sub(_i(T), 3, alpha=0.5),
    "add_bool_alpha": lambda T: T.add(T.tensor([1.0]), 3, alpha=True),
    "add_bool_alpha_bools": lambda T: T.add(T.tensor([True]), T.tensor([True]), alpha=True),
    "add_float_alpha_int": lambda T: T.add(T.tensor([1.0]), 3, alpha=2),
    "add_float_alpha_float": lambda T: T.add(T.tensor([1.0]), 3, alpha=0.5),
    "add_complex_alpha": lambda T: T.add(T.tensor([1.0]), 3, alpha=1j),
    "add_inplace_int_alpha_float": lambda T: _i(T).add_(3, alpha=0.5),
    "sum_int_dtype_grad": lambda T: _x(T).sum(dtype=T.int64),
    "sum_int_dtype_dim_grad": lambda T: _x(T).sum(0, dtype=T.int32),
    "sum_bool_dtype_grad": lambda T: _x(T).sum(dtype=T.bool),
    "sum_int_dtype_no_grad": lambda T: T.ones(2).sum(dtype=T.int64),
    "sum_int_dtype_under_no_grad": lambda T: _no_grad(T, lambda: _x(T).sum(dtype=T.int64)),
    "sum_float_dtype_grad": lambda T: _x(T).sum(dtype=T.float64),
    "mean_int_dtype": lambda T: _x(T).mean(dtype=T.int64),
    "mean_int_input": lambda T: T.ones(2, dtype=T.int64).mean(),
    "floordiv_grad_fn": lambda T: type((_x(T) // 2).grad_fn).__name__,
    "floordiv_next": lambda T: len((_x(T) // 2).grad_fn.next_functions),
    "floordiv_tensors_next": lambda T: len((lambda x: x // x)(_x(T)).grad_fn.next_functions),
    "floordiv_backward": lambda T: (_x(T) // 2).sum().backward(),
    "rfloordiv_backward": lambda T: (2 // _x(T)).sum().backward(),
    "div_floor_backward": lambda T: _grad(T, lambda x: T.div(x, 2, rounding_mode="floor")),
    "floordiv_values": lambda T: T.tensor([7, -7]) // T.tensor([2, 2]),
    "floordiv_bool": lambda T: T.tensor([True]) // T.tensor([True]),
    "remainder_backward": lambda T: _grad(T, lambda x: x % 2),
    "index_int16": lambda T: T.arange(4)[T.tensor([1], dtype=T.int16)],
    "index_int8": lambda T: T.arange(4)[T.tensor([1], dtype=T.int8)],
    "index_int32": lambda T: T.arange(4)[T.tensor([1], dtype=T.int32)],
    "index_float": lambda T: T.arange(4)[T.tensor([1.0])],
    "index_uint8_mask": lambda T: T.arange(4)[T.tensor([1, 0, 1, 0], dtype=T.uint8)],
    "setitem_int16": lambda T: T.arange(4).__setitem__(T.tensor([1], dtype=T.int16), 0),
    "dot_bool": lambda T: T.dot(T.tensor([True]), T.tensor([True])),
    "dot_int": lambda T: T.dot(T.tensor([2]), T.tensor([3])),
    "dot_mixed": lambda T: T.dot(T.tensor([2]), T.tensor([3.0])),
    "dot_2d": lambda T: T.dot(T.ones(2, 2), T.ones(2)),
    "dot_lengths": lambda T: T.dot(T.ones(2), T.ones(3)),
    "matmul_mixed": lambda T: T.matmul(T.ones(2, 2), T.ones(2, 2, dtype=T.float64)),
    "mm_int": lambda T: T.mm(T.ones(2, 2, dtype=T.int64), T.ones(2, 2, dtype=T.int64)),
    "uniform_reversed": lambda T: T.empty(3).uniform_(1, 0),
    "uniform_reversed_fraction": lambda T: T.empty(3).uniform_(0.5, 0.25),
    "uniform_equal": lambda T: T.empty(3).uniform_(1, 1),
    "uniform_int": lambda T: T.empty(3, dtype=T.int64).uniform_(0, 1),
    "normal_negative_std": lambda T: T.empty(3).normal_(0, -1),
    "normal_fn_negative_std": lambda T: T.normal(0.0, -1.5, (3,)),
    "normal_tensor_negative_std": lambda T: T.normal(T.zeros(3), T.tensor([1.0, -1.0, 1.0])),
    "normal_int": lambda T: T.empty(3, dtype=T.int64).normal_(),
    "randn_int": lambda T: T.randn(3, dtype=T.int64),
    "rand_int": lambda T: T.rand(3, dtype=T.int64),
    "bernoulli_above_one": lambda T: T.bernoulli(T.tensor([1.5])),
    "bernoulli_negative": lambda T: T.bernoulli(T.tensor([-0.5])),
    "bernoulli_nan": lambda T: T.bernoulli(T.tensor([float("nan")])),
    "bernoulli_p_above_one": lambda T: T.empty(2).bernoulli_(1.5),
    "bernoulli_p_tensor": lambda T: T.empty(2).bernoulli_(T.tensor([0.5, 2.0])),
    "bernoulli_p_tensor_ok": lambda T: T.empty(2, 3).bernoulli_(T.tensor([0.5, 0.0, 1.0])),
    "bernoulli_int": lambda T: T.bernoulli(T.tensor([1])),
    "randint_uint8_high": lambda T: T.randint(0, 300, (3,), dtype=T.uint8),
    "randint_uint8_low": lambda T: T.randint(-1, 3, (3,), dtype=T.uint8),
    "randint_equal": lambda T: T.randint(3, 3, (3,)),
    "randint_reversed": lambda T: T.randint(3, 1, (3,)),
    "randint_int8_low": lambda T: T.randint(-129, 0, (3,), dtype=T.int8),
    "randint_int8_high": lambda T: T.randint(0, 129, (3,), dtype=T.int8),
    "randint_int8_max": lambda T: T.randint(0, 128, (3,), dtype=T.int8),
    "randint_bool": lambda T: T.randint(0, 3, (3,), dtype=T.bool),
    "random_uint8": lambda T: T.empty(3, dtype=T.uint8).random_(0, 300),
    "random_reversed": lambda T: T.empty(3).random_(3, 1),
    "randperm_negative": lambda T: T.randperm(-1),
}


def _no_grad(T, f):
    with T.no_grad():
        return f()


def _grad(T, f):
    x = _x(T)
    f(x).sum().backward()
    return x.grad


@pytest.mark.parametrize("name", sorted(CASES))
def test_argument_checks(name):
    fn = CASES[name]

    def seeded(T):
        T.manual_seed(0)
        return fn(T)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kt, vt = run(torch, seeded, ())
        kr, vr = run(reftorch, seeded, ())
    if kt == "err":
        assert kr == "err", f"torch raised {type(vt).__name__}: {vt}; reftorch returned {vr!r}"
        assert_same_error(vr, vt, msg=True)
    else:
        assert kr == "ok", f"reftorch raised {type(vr).__name__}: {vr}; torch returned {vt!r}"
        assert_same(vr, vt)


# Two faults at once: the exception PyTorch raises is the one it checks first.
TWO_FAULTS = {
    "setitem_oob_and_shape": lambda T: T.zeros(3).__setitem__(T.tensor([5]), T.ones(2)),
    "setitem_oob_and_dtype": lambda T: T.zeros(3).__setitem__(T.tensor([5]), T.ones(1, dtype=T.float64)),
    "setitem_oob_only": lambda T: T.zeros(3).__setitem__(T.tensor([5]), T.ones(1)),
    "getitem_float_and_oob": lambda T: T.zeros(3)[T.tensor([5.0])],
    "getitem_too_many_and_oob": lambda T: T.zeros(3)[5, 0],
    "gather_dtype_and_oob": lambda T: T.zeros(3).gather(0, T.tensor([5], dtype=T.int32)),
    "index_select_dim_and_oob": lambda T: T.zeros(3).index_select(1, T.tensor([5])),
    "cat_dtype_and_shape": lambda T: T.cat([T.zeros(2, 3), T.zeros(2, 4, dtype=T.int64)]),
    "cat_dim_and_shape": lambda T: T.cat([T.zeros(2, 3), T.zeros(3, 4)], dim=3),
    "matmul_shape_and_dtype": lambda T: T.zeros(2, 3) @ T.zeros(4, 2, dtype=T.float64),
    "masked_fill_mask_dtype_and_shape": lambda T: T.zeros(3).masked_fill(T.tensor([1, 0]), 1.0),
    "masked_fill_mask_dtype_and_value_dim": lambda T: T.zeros(3).masked_fill(T.tensor([1, 0, 1]), T.ones(2)),
    "masked_fill_mask_dtype_and_overflow": lambda T: T.zeros(3, dtype=T.uint8).masked_fill(T.tensor([1, 0, 1]), 300),
    "where_cond_dtype_and_shape": lambda T: T.where(T.tensor([1, 0]), T.zeros(3), T.zeros(3)),
    "embedding_float_and_oob": lambda T: T.nn.functional.embedding(T.tensor([5.0]), T.zeros(3, 2)),
    "stack_shape_and_dtype": lambda T: T.stack([T.zeros(2), T.zeros(3, dtype=T.int64)]),
    "cross_entropy_target_dtype_and_oob": lambda T: T.nn.functional.cross_entropy(
        T.zeros(2, 3), T.tensor([5, 0], dtype=T.int32)),
}


@pytest.mark.parametrize("name", sorted(TWO_FAULTS))
def test_first_checked_fault(name):
    kt, vt = run(torch, TWO_FAULTS[name], ())
    kr, vr = run(reftorch, TWO_FAULTS[name], ())
    assert kt == kr == "err", (vt, vr)
    assert_same_error(vr, vt, msg=True)
