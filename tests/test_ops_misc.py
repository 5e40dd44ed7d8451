"""Differential tests against PyTorch of the everyday tensor ops of issue 8: softmax,
clamp/clip, split/chunk, tril/triu, einsum, nonzero, norms, multinomial, cumsum/cumprod,
flip/roll/repeat_interleave, t_/zero_, where with Python numbers, logical ops with out=,
one_hot; and the same kernels on the strict stand-in device."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import ALL_DTYPES, both, check_grads, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)
nonempty = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def arr(shape, dtype="float64", seed=0, low=-5, high=5):
    return random_array(np.random.default_rng(seed), shape, dtype, low, high)


# ------------------------------------------------------------------ softmax
@SET
@given(shape=shapes, data=st.data())
def test_softmax_functions_and_methods(shape, data):
    dt = data.draw(st.sampled_from(["float16", "float32", "float64", "int64"]))
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd - 1, nd))
    x = arr(shape, dt)
    both(lambda T, a: T.softmax(a, dim), x)
    both(lambda T, a: a.log_softmax(dim), x)
    both(lambda T, a: a.softmax(dim, dtype=T.float64), x)
    both(lambda T, a: T.log_softmax(a, dim=dim, dtype=T.float32), x)


def test_softmax_grads_and_shared_with_functional():
    x = arr((3, 4))
    check_grads(lambda T, a: T.softmax(a, 1), x)
    check_grads(lambda T, a: a.log_softmax(0), x)
    check_grads(lambda T, a: a.softmax(-1, dtype=T.float64), x.astype(np.float32))
    both(lambda T, a: T.softmax(a), x)  # dim is required (TypeError)
    r = reftorch.tensor(x)
    np.testing.assert_array_equal(reftorch.softmax(r, 1).numpy(), reftorch.nn.functional.softmax(r, 1).numpy())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        reftorch.nn.functional.softmax(r)
    assert "Implicit dimension choice for softmax" in str(w[0].message)
    assert w[0].filename == __file__


# ------------------------------------------------------------------ clamp
@SET
@given(shape=shapes, data=st.data())
def test_clamp_scalar_bounds(shape, data):
    dt = data.draw(st.sampled_from(ALL_DTYPES[1:]))
    x = arr(shape, dt)
    num = st.one_of(st.none(), st.integers(-4, 4), st.floats(-4, 4).map(lambda v: round(v, 2)))
    lo, hi = data.draw(num), data.draw(num)
    both(lambda T, a: T.clamp(a, lo, hi), x)
    both(lambda T, a: a.clip(min=lo, max=hi), x)


@SET
@given(shape=nonempty, data=st.data())
def test_clamp_tensor_bounds_and_grads(shape, data):
    x = arr(shape, "float64", data.draw(st.integers(0, 99)))
    lo = arr(shape[-1:], "float64", 1, -2, 0)
    hi = arr((), "float64", 2, -1, 3)
    which = data.draw(st.sampled_from(["both", "min", "max"]))
    kw = {"both": lambda a, b: (a, b), "min": lambda a, b: (a, None), "max": lambda a, b: (None, b)}[which]
    check_grads(lambda T, a, l, h: T.clamp(a, *kw(l, h)), x, lo, hi)
    check_grads(lambda T, a: T.clamp(a, -1.5, 2), x)
    check_grads(lambda T, a: a.clamp(min=0.5), x)


def test_clamp_edge_cases():
    both(lambda T: T.clamp(T.tensor([1, 5, 9]), 7, 2))  # min > max: everything is max
    both(lambda T: T.clamp(T.tensor([1, 5, 9]), 2, 7.5))  # int tensor, float bound -> float
    both(lambda T: T.clamp(T.tensor([1.0, float("nan"), 3.0]), 0, 2))
    both(lambda T: T.clamp(T.tensor([1.0, 2.0])), msg=True)
    both(lambda T: T.clamp(T.tensor([1, 5, 9]), max=T.tensor([4, 4, 10])))
    both(lambda T: T.clamp(T.tensor([[1.0], [5.0]]), T.tensor([0.0, 2.0]), T.tensor(3.0)))  # broadcasts
    both(lambda T: T.clamp(T.tensor([-1.0, 0.5, 2.0], requires_grad=True), T.tensor(0.0), 1.0))  # Scalar overload
    both(lambda T: T.clamp(T.tensor([1, 5]), T.tensor(2.5), 3))
    both(lambda T: T.clamp(T.tensor([1, 5], dtype=T.uint8), T.tensor(-1), 300), msg=True)
    both(lambda T: T.clamp(T.tensor([-1.0, 0.5]), T.tensor([0.0, 0.0]), 1.0))  # no such overload: TypeError
    both(lambda T: T.clamp(T.tensor([True, False]), T.tensor(False), T.tensor(True)), msg=True)
    both(lambda T: T.tensor([True, False]).clamp(0, 1))
    for call in ("x.clamp(False, True)", "x.clamp(max=True)", "x.clamp(min=True)", "x.clamp_(max=True)",
                 "T.clamp_max(x, True)", "T.clamp_min(x, False)"):  # bool bounds: the kernel named as PyTorch's
        both(lambda T: eval(call, {"T": T, "x": T.tensor([True, False])}), msg=True)
    both(lambda T: T.ones(3).clamp_(0.2, 0.5))
    both(lambda T: T.arange(5).clamp_(max=2))
    both(lambda T: T.arange(5).clamp_(max=2.5))  # float result into an int tensor
    x = arr((2, 3))
    check_grads(lambda T, a: (a * 1).clamp_(-1, 1), x)


@pytest.mark.parametrize("call", [
    "z.clamp(0, 1)", "z.clamp(min=0)", "z.clip(max=1)", "T.clamp(z.to(T.complex128), -1, 1)", "z.clamp_(0)",
    "T.clamp_min(z, 0)", "z.clamp(T.tensor(0), T.tensor(1))", "z.clamp(min=T.tensor(0))", "z.clamp(max=T.tensor(0))",
    "z.clamp_min(T.tensor(0))", "z.clamp_max(T.tensor(0))", "T.clamp_max(z, T.tensor([1., 2.]))",
    "r.clamp(min=T.tensor(1j))", "r.clamp(T.tensor([0j, 1j]))", "r.clamp(min=T.tensor(0.), max=T.tensor([1j, 1]))",
    "r.clamp_min(T.tensor(1j))", "T.nn.functional.hinge_embedding_loss(z, T.tensor([-1, 1]), reduction='none')",
])
def test_clamp_refuses_complex(call):
    """Complex tensors: ``clamp`` (and the number-bound ``clamp_min``/``clamp_max``) refuse a
    complex input up front; a complex tensor bound reaches PyTorch's kernels, named in the
    error (``maximum_cpu``/``minimum_cpu`` for one bound, ``clamp_cpu`` for two)."""
    both(lambda T: eval(call, {"T": T, "z": T.tensor([1 + 1j, -2]), "r": T.tensor([1., 2.])}), msg=True)


# ------------------------------------------------------------------ split / chunk
@SET
@given(shape=nonempty, data=st.data())
def test_split_and_chunk(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    n = shape[dim]
    size = data.draw(st.integers(0, n + 1))
    chunks = data.draw(st.integers(-1, n + 2))
    x = arr(shape)
    both(lambda T, a: T.split(a, size, dim), x)
    both(lambda T, a: a.chunk(chunks, dim), x)
    cut = data.draw(st.integers(0, n))
    both(lambda T, a: a.split([cut, n - cut], dim), x)
    both(lambda T, a: T.split(a, [cut, n - cut + 1], dim), x, msg=True)


def test_split_views_and_grads():
    x = arr((2, 5))
    check_grads(lambda T, a: T.split(a, 2, 1), x)
    check_grads(lambda T, a: a.split([1, 4], 1), x)
    check_grads(lambda T, a: T.chunk(a, 2), x)
    t, r = torch.arange(10.0).view(2, 5), reftorch.arange(10.0).view(2, 5)
    for pt, pr in zip(t.split(2, 1), r.split(2, 1)):
        assert pr.stride() == pt.stride() and pr.is_contiguous() == pt.is_contiguous()
    r.split(2, 1)[1][0, 0] = 100.0  # a view: writes reach the base
    assert r[0, 2].item() == 100.0
    both(lambda T: T.chunk(T.tensor(1.0), 1))
    both(lambda T: T.split(T.ones(3), -1))


# ------------------------------------------------------------------ tril / triu
@SET
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple), k=st.integers(-5, 5),
       dt=st.sampled_from(ALL_DTYPES))
def test_tril_triu(shape, k, dt):
    x = arr(shape, dt)
    both(lambda T, a: T.tril(a, k), x, exact=True)
    both(lambda T, a: a.triu(diagonal=k), x, exact=True)
    both(lambda T, a: a.clone().tril_(k), x, exact=True)
    both(lambda T, a: a.clone().triu_(k), x, exact=True)


def test_tril_triu_grads():
    check_grads(lambda T, a: T.tril(a, -1), arr((2, 3, 3)))
    check_grads(lambda T, a: a.triu(1), arr((3, 4)))
    check_grads(lambda T, a: (a * 1).tril_(), arr((3, 3)))


# ------------------------------------------------------------------ einsum
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ij,jk->ki", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ij->ji", [(2, 3)]), ("ij", [(2, 3)]), ("ji", [(2, 3)]),
    ("ij->i", [(2, 3)]), ("ij->", [(2, 3)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("i,j->ij", [(3,), (2,)]), ("i,i->", [(3,), (3,)]), ("i,i->i", [(3,), (3,)]), ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("bi,bi->b", [(2, 3), (2, 3)]), ("ij,kj->ik", [(2, 3), (4, 3)]), ("ij,j->i", [(2, 3), (3,)]),
    ("...j,jk->...k", [(2, 2, 3), (3, 4)]), ("...ij->...ji", [(2, 2, 3)]), ("b...,b...->b", [(2, 3, 1), (2, 3, 4)]),
    ("i,j,k->ijk", [(2,), (3,), (2,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("Ba,ab->", [(2, 3), (3, 4)]),
    ("ba,ac", [(2, 3), (3, 4)]), ("bij,bkj->bik", [(1, 2, 3), (3, 4, 3)]), ("ij, jk -> ik", [(2, 3), (3, 4)]),
    ("ijk->kji", [(1, 2, 3)]), ("iij->j", [(2, 2, 3)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM)
def test_einsum_values_grads_and_names(eq, shapes):
    xs = [arr(s, seed=k) for k, s in enumerate(shapes)]
    check_grads(lambda T, *a: T.einsum(eq, *a), *xs)
    check_grads(lambda T, *a: T.einsum(eq, list(a)), *xs)


@pytest.mark.parametrize("eq,shapes,dts", [
    ("ij,jk->ik", [(2, 3)], None), ("ij->ik", [(2, 3)], None), ("ij,jk->ik", [(2, 3), (4, 4)], None),
    ("ij,jk->ii", [(2, 3), (3, 4)], None), ("ij->iz", [(2, 3)], None), ("ijk", [(2, 3)], None),
    ("i,i", [(3,), (3,)], ["float32", "int32"]), ("i,i", [(3,), (3,)], ["int64", "int64"]),
    ("ii", [(2, 3)], None), ("i.j", [(2, 3)], None), ("i1", [(2, 3)], None),
])
def test_einsum_errors_and_dtypes(eq, shapes, dts):
    dts = dts or ["float32"] * len(shapes)
    xs = [arr(s, dt, seed=k) for k, (s, dt) in enumerate(zip(shapes, dts))]
    both(lambda T, *a: T.einsum(eq, *a), *xs)


# ------------------------------------------------------------------ nonzero
@SET
@given(shape=shapes, dt=st.sampled_from(ALL_DTYPES))
def test_nonzero(shape, dt):
    x = arr(shape, dt, low=-1, high=1)
    both(lambda T, a: T.nonzero(a), x, exact=True)
    both(lambda T, a: a.nonzero(as_tuple=True), x, exact=True)
    both(lambda T, a: T.argwhere(a), x, exact=True)
    both(lambda T, a: T.where(a != 0), x, exact=True)
    both(lambda T, a: T.count_nonzero(a), x, exact=True)


# ------------------------------------------------------------------ norms
ORDS = [2, 1, 0, 3, 0.5, -1, math.inf, -math.inf]


@SET
@given(shape=nonempty, data=st.data())
def test_vector_norm(shape, data):
    ord_ = data.draw(st.sampled_from(ORDS))
    nd = len(shape)
    dim = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1),
                              st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).map(tuple)))
    keep = data.draw(st.booleans())
    x = arr(shape, "float64", data.draw(st.integers(0, 50)))
    check_grads(lambda T, a: T.linalg.vector_norm(a, ord_, dim, keep), x)
    check_grads(lambda T, a: a.norm(p=ord_, dim=dim, keepdim=keep), x)
    check_grads(lambda T, a: T.norm(a, ord_, dim, keep, dtype=T.float64), x.astype(np.float32))
    both(lambda T, a: T.norm(a, ord_, dim, keep, dtype=T.float32), x)  # narrowing: an error


@pytest.mark.parametrize("ord_", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("keep", [False, True])
def test_matrix_norm(ord_, keep):
    x = arr((2, 3, 4), "float64")
    check_grads(lambda T, a: T.linalg.matrix_norm(a, ord_, keepdim=keep), x)
    check_grads(lambda T, a: T.linalg.matrix_norm(a, ord_, dim=(0, 2), keepdim=keep), x)
    check_grads(lambda T, a: T.linalg.norm(a[0], ord_, keepdim=keep), x)


def test_norm_front_ends_and_errors():
    x = arr((2, 3), "float32")
    for fn in (lambda T, a: T.norm(a), lambda T, a: a.norm(1), lambda T, a: T.norm(a, "fro", dim=1),
               lambda T, a: T.norm(a, "nuc"), lambda T, a: T.linalg.norm(a), lambda T, a: T.linalg.norm(a, dim=1),
               lambda T, a: T.linalg.norm(a[0], 2), lambda T, a: T.linalg.norm(a, 2),
               lambda T, a: T.norm(a, dtype=T.float64), lambda T, a: T.amax(a, 1), lambda T, a: a.amin(),
               lambda T, a: T.linalg.vector_norm(a, "fro"), lambda T, a: T.linalg.matrix_norm(a[0]),
               lambda T, a: T.linalg.matrix_norm(a, 3), lambda T, a: T.norm(a.long()),
               lambda T, a: T.norm(a, "fro", dim=(0, 1, 0)), lambda T, a: T.linalg.vector_norm(a[:0], math.inf)):
        both(fn, x, msg=True)
    check_grads(lambda T, a: T.amax(a, 0) + T.amin(a, 1).sum(), np.array([[1.0, 3.0], [3.0, 1.0]]))


# ------------------------------------------------------------------ multinomial
@SET
@given(rows=st.integers(0, 3), n=st.integers(1, 12), k=st.integers(1, 14), repl=st.booleans(),
       seed=st.integers(0, 2**31), dt=st.sampled_from(["float32", "float64", "float16"]), data=st.data())
def test_multinomial_bit_exact(rows, n, k, repl, seed, dt, data):
    w = np.random.default_rng(seed).uniform(0.05, 3, size=(rows, n) if rows else (n,)).astype(dt)
    if data.draw(st.booleans()) and n > 1:
        w[..., 0] = 0  # a zero weight
    if data.draw(st.booleans()) and n > 2:
        w[..., 1:n // 2 + 1] = 0  # many: without replacement they are drawn last, tied
    if rows == 0 and data.draw(st.booleans()):
        w = w[None]

    def draw(T, a):
        T.manual_seed(seed)
        first = T.multinomial(a, k, repl)
        return first, a.multinomial(1), T.rand(2)  # the stream continues in step
    both(draw, w, exact=True)


@pytest.mark.parametrize("layout", ["transposed", "sliced", "expanded", "rows_sliced"])
def test_multinomial_weights_layout(layout):
    # Without replacement PyTorch draws one Exp(1) per weight into empty_like(weights), in
    # that tensor's memory order: a transposed weight matrix gets them column by column.
    w = np.random.default_rng(5).uniform(0.1, 3, (4, 6))

    def draw(T, a):
        a = {"transposed": lambda: T.tensor(np.ascontiguousarray(w.T)).t(),
             "sliced": lambda: a.repeat_interleave(2, 1)[:, ::2],
             "expanded": lambda: a[:1].expand(4, 6), "rows_sliced": lambda: a.repeat_interleave(2, 0)[::2]}[layout]()
        T.manual_seed(7)
        return T.multinomial(a, 1), T.multinomial(a, 3), T.multinomial(a, 3, True), T.rand(2)
    both(draw, w, exact=True)


def test_multinomial_generator_and_errors():
    def with_gen(T):
        g = T.Generator().manual_seed(3)
        return T.multinomial(T.tensor([0.2, 0.5, 0.3]), 6, True, generator=g)
    both(with_gen, exact=True)
    for fn in (lambda T: T.multinomial(T.tensor([1, 2]), 1), lambda T: T.multinomial(T.tensor([1.0, 2]), 3),
               lambda T: T.multinomial(T.tensor([1.0, 2]), 0), lambda T: T.multinomial(T.tensor([[1.0, 2], [0, 0]]), 1),
               lambda T: T.multinomial(T.tensor([[1.0, 2], [0, 0]]), 2, True),
               lambda T: T.multinomial(T.tensor(1.0), 1), lambda T: T.multinomial(T.tensor([1.0, -2]), 1),
               lambda T: T.multinomial(T.tensor([1.0, -2]), 2, True),
               lambda T: T.multinomial(T.tensor([1.0, float("nan")]), 2, True)):
        both(fn, msg=True)


# ------------------------------------------------------------------ cumsum / cumprod
@SET
@given(shape=shapes, data=st.data())
def test_cumsum_cumprod(shape, data):
    dt = data.draw(st.sampled_from(ALL_DTYPES))
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd - 1, nd))
    x = arr(shape, dt, low=-2, high=2)
    both(lambda T, a: T.cumsum(a, dim), x)
    both(lambda T, a: a.cumprod(dim), x)
    both(lambda T, a: T.cumsum(a, dim, dtype=T.float64), x)


def test_cumulative_half_accumulates_in_float():
    x = np.random.default_rng(0).uniform(0, 1, 3000).astype(np.float16)
    both(lambda T, a: T.cumsum(a, 0), x, exact=True)
    both(lambda T, a: (a + 0.5).cumprod(0), x[:200], exact=True)


def test_cumulative_grads_with_zeros():
    x = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, 3.0, 4.0]])
    check_grads(lambda T, a: T.cumprod(a, 1), x)
    check_grads(lambda T, a: a.cumprod(0), x)
    check_grads(lambda T, a: T.cumsum(a, 1), x)
    check_grads(lambda T, a: a.cumsum(-2, dtype=T.float32), x)
    both(lambda T, a: T.cumsum(a), x)


# ------------------------------------------------------------------ flip / roll / repeat_interleave
@SET
@given(shape=shapes, data=st.data())
def test_flip_roll(shape, data):
    nd = len(shape)
    x = arr(shape)
    dims = data.draw(st.lists(st.integers(-max(nd, 1), max(nd, 1) - 1), max_size=max(nd, 1)))
    both(lambda T, a: T.flip(a, dims), x)
    shifts = data.draw(st.lists(st.integers(-7, 7), min_size=len(dims), max_size=len(dims)))
    both(lambda T, a: T.roll(a, shifts, dims) if dims else T.roll(a, 3), x)
    both(lambda T, a: a.roll(tuple(shifts), tuple(dims)) if dims else a.roll(-2), x)


def test_flip_roll_grads_and_errors():
    x = arr((2, 3, 4))
    check_grads(lambda T, a: T.flip(a, [0, 2]), x)
    check_grads(lambda T, a: T.roll(a, (1, -5), (0, 2)), x)
    check_grads(lambda T, a: T.roll(a, 7), x)
    both(lambda T, a: T.flip(a, 1), x)
    both(lambda T, a: T.flip(a, (0, 0)), x, msg=True)
    both(lambda T, a: T.roll(a, (1,), (0, 1)), x, msg=True)
    both(lambda T, a: T.flip(a, [0, 1]).stride(), x)


def test_repeat_interleave():
    x = np.array([[1, 2], [3, 4]])
    for fn in (lambda T, a: T.repeat_interleave(a, 2), lambda T, a: a.repeat_interleave(3, dim=1),
               lambda T, a: T.repeat_interleave(a, T.tensor([1, 2]), dim=0),
               lambda T, a: T.repeat_interleave(a, T.tensor([0, 3]), dim=-1),
               lambda T, a: T.repeat_interleave(a, T.tensor([2]), dim=0),
               lambda T, a: T.repeat_interleave(T.tensor([2, 0, 1])),
               lambda T, a: T.repeat_interleave(a, T.tensor([1, 2])),
               lambda T, a: T.repeat_interleave(a, T.tensor([-1, 2]), dim=0),
               lambda T, a: T.repeat_interleave(a, T.tensor([1.0, 2.0]), dim=0),
               lambda T, a: a.repeat_interleave(2, output_size=8),
               lambda T, a: T.repeat_interleave(a[0, 0], 3)):
        both(fn, x, msg=True)
    check_grads(lambda T, a: T.repeat_interleave(a, 2, dim=0), arr((2, 3)))
    check_grads(lambda T, a: T.repeat_interleave(a, 2), arr((2, 3)))
    check_grads(lambda T, a: T.repeat_interleave(a, T.tensor([3, 0]), dim=0), arr((2, 3)))


# ------------------------------------------------------------------ t_, zero_
def test_t_inplace_and_zero_():
    def t_graph(T, a):
        b = a * 2
        b.t_()
        return b
    check_grads(t_graph, arr((2, 3)))
    both(lambda T: T.arange(6).view(2, 3).t_().stride())
    both(lambda T: T.ones(2, 3, requires_grad=True).t_(), msg=True)
    both(lambda T: T.ones(2, 2, 2).t_(), msg=True)

    def zero_graph(T, a):
        b = a * 2
        T.zero_(b)
        return b
    check_grads(zero_graph, arr((2, 3)))
    both(lambda T: T.zero_(T.tensor([float("nan"), 1.0])))
    both(lambda T: T.ones(2, requires_grad=True).zero_(), msg=True)

    def view_zero(T):
        a = T.ones(2, 3)
        a[0].zero_()
        return a
    both(view_zero)


# ------------------------------------------------------------------ where, logical ops
@pytest.mark.parametrize("fn", [
    lambda T, c: T.where(c, 1, 0.5), lambda T, c: T.where(c, 1, 0), lambda T, c: T.where(c, True, False),
    lambda T, c: T.where(c, True, 0), lambda T, c: T.where(c, 1.5, T.tensor([1, 2], dtype=T.int32)),
    lambda T, c: T.where(c, 3, T.tensor([1, 2], dtype=T.int8)), lambda T, c: T.where(c, T.tensor(2.0), 1),
    lambda T, c: T.where(c, 2.5, T.tensor(1.0, dtype=T.float64)), lambda T, c: T.where(c),
    lambda T, c: T.tensor([1.0, 2.0]).where(c, 0),
])
def test_where_with_python_numbers(fn):
    both(fn, np.array([True, False]), exact=True)


@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("out_dtype", ["bool", "float32", "int64", "uint8"])
def test_logical_ops_with_out(op, out_dtype):
    a, b = np.array([1.0, 0.0, 2.0, 0.0], np.float32), np.array([1, 1, 0, 0], np.int64)

    def f(T, x, y):
        out = T.empty(4, dtype=getattr(T, out_dtype))
        r = getattr(T, op)(x, y, out=out)
        return r, out, getattr(x, op)(y)
    both(f, a, b, exact=True)

    def f_not(T, x):
        out = T.zeros(4, dtype=getattr(T, out_dtype))
        return T.logical_not(x, out=out), out
    both(f_not, a, exact=True)


def test_one_hot():
    import torch.nn.functional as TF  # noqa: F401
    for fn in (lambda T: T.nn.functional.one_hot(T.tensor([0, 2, 1])),
               lambda T: T.nn.functional.one_hot(T.tensor([[0], [3]]), 5),
               lambda T: T.nn.functional.one_hot(T.tensor([0, 2]), 2),
               lambda T: T.nn.functional.one_hot(T.tensor([0.0])),
               lambda T: T.nn.functional.one_hot(T.tensor([-1]))):
        both(fn, exact=True, msg=True)


# ------------------------------------------------------------------ the same kernels on the strict device
DEVICE_CASES = {
    "softmax": lambda T, x: T.softmax(x, 1) + x.log_softmax(0),
    "clamp": lambda T, x: x.clamp(-1, 2) + T.clamp(x, x[0], T.tensor(3.0, device=x.device)),
    "sort": lambda T, x: x.sort(1, descending=True).values * T.argsort(x, 0).float(),
    "topk": lambda T, x: x.topk(2).values,
    "topk_ties": lambda T, x: (x * 0 + 1).topk(2, sorted=False).indices.float().sum() + x.abs().topk(1, 0).values,
    "split": lambda T, x: T.cat([p * (i + 1) for i, p in enumerate(x.split([1, 2], 1))], 1),
    "chunk": lambda T, x: x.chunk(2, 1)[1] * 2,
    "tril": lambda T, x: x.tril() + x.triu(1) * 2,
    "einsum": lambda T, x: T.einsum("ij,kj->ik", x, x) + T.einsum("ij->i", x),
    "scatter": lambda T, x: T.zeros(2, 5, device=x.device).scatter(1, T.tensor([[0, 1, 1], [4, 4, 2]], device=x.device), x),
    "scatter_add": lambda T, x: x.scatter_add(1, T.tensor([[0, 0], [2, 1]], device=x.device), x[:, :2] * 3),
    "scatter_amax": lambda T, x: x.scatter_reduce(1, T.tensor([[0, 0, 1], [2, 1, 1]], device=x.device), x * 2, "amax"),
    "scatter_prod": lambda T, x: x.scatter_reduce(1, T.tensor([[0, 0, 1], [2, 1, 1]], device=x.device), x, "prod"),
    "scatter_mean": lambda T, x: x.scatter_reduce(0, T.tensor([[1, 0, 1]], device=x.device), x[:1], "mean"),
    "norm": lambda T, x: x.norm(dim=1) + T.linalg.vector_norm(x, 1, 1) + T.linalg.matrix_norm(x, 1),
    "nuc": lambda T, x: T.linalg.matrix_norm(x, "nuc"),
    "cumsum": lambda T, x: x.cumsum(1) + x.cumprod(0).sum(0),
    "flip_roll": lambda T, x: x.flip([1]) + x.roll(1, 1),
    "repeat_interleave": lambda T, x: x.repeat_interleave(2, dim=0).sum(0) + x.repeat_interleave(
        T.tensor([1, 2], device=x.device), dim=0).sum(0),
    "where_scalar": lambda T, x: T.where(x > 0, x, 0.5),
}


DEVICES = ["strict", pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
    not reftorch.cuda.is_available(), reason="needs CuPy and a CUDA GPU")])]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", sorted(DEVICE_CASES))
def test_kernels_run_on_other_devices(case, device):
    fn = DEVICE_CASES[case]
    data = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
    xc = reftorch.tensor(data, requires_grad=True)
    xd = reftorch.tensor(data, device=device, requires_grad=True)
    yc, yd = fn(reftorch, xc), fn(reftorch, xd)
    assert yd.device.type == device and yd.shape == yc.shape and yd.dtype == yc.dtype
    np.testing.assert_allclose(yd._host(), yc._host(), rtol=1e-5, atol=1e-6)
    yc.sum().backward()
    yd.sum().backward()
    np.testing.assert_allclose(xd.grad._host(), xc.grad._host(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_non_differentiable_ops_on_other_devices(device):
    x = reftorch.tensor([[0.0, 1.0], [2.0, 0.0]], device=device)
    assert x.nonzero()._host().tolist() == [[0, 1], [1, 0]]
    assert [t._host().tolist() for t in x.nonzero(as_tuple=True)] == [[0, 1], [1, 0]]
    reftorch.manual_seed(0)
    a = reftorch.multinomial(reftorch.tensor([0.1, 0.6, 0.3]), 5, True)
    reftorch.manual_seed(0)
    b = reftorch.multinomial(reftorch.tensor([0.1, 0.6, 0.3], device=device), 5, True)
    assert b.device.type == device and b._host().tolist() == a.tolist()
    out = reftorch.empty(2, 2, device=device)
    reftorch.logical_and(x, x, out=out)
    assert out._host().tolist() == [[0.0, 1.0], [1.0, 0.0]]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dt", ["float32", "float64"])  # (the strict stand-in has no float16)
def test_sort_with_nan_on_other_devices(dt, device):
    x = np.array([3.0, 1.0, 3.0, np.nan, 2.0], dt)
    r = reftorch.tensor(x, device=device).sort(descending=True)
    t = torch.from_numpy(x).sort(descending=True)
    assert r.indices._host().tolist() == t.indices.tolist()


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("call", ["T.{}(x, 1.0)", "x.{}(2)", "T.{}(1.0, x)"])
def test_maximum_minimum_refuse_numbers(name, call):
    """``torch.maximum``/``minimum`` have no Number overload (``clamp`` has): a Python number
    is PyTorch's TypeError, on the function and the method alike."""
    for T in (torch, reftorch):
        x = T.tensor([1.0, 3.0])
        with pytest.raises(TypeError, match=rf"{name}\(\): argument '(input|other)' \(position [12]\) must be Tensor"):
            eval(call.format(name), {"T": T, "x": x})
