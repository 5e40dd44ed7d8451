"""Differential tests of nn.Embedding and F.embedding against PyTorch: every constructor
option, index shapes and dtypes, gradients (duplicates, padding_idx, scale_grad_by_freq),
max_norm renormalisation, from_pretrained, and the errors.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
from _nn_compare import LIBS, comparers, raises_same, tonp  # noqa: F401

import torch  # the oracle: the test command installs it, so its absence must fail loudly

same, both = comparers(rtol=1e-6, atol=1e-7)


IDS = [[1, 2, 4, 5], [4, 3, 2, 9]]


# ---------------------------------------------------------------- construction
@pytest.mark.parametrize("args,kw", [
    ((10, 3), {}), ((10, 3), {"padding_idx": 0}), ((10, 3), {"padding_idx": 9}), ((10, 3), {"padding_idx": -1}),
    ((10, 3), {"padding_idx": -10}), ((7, 16), {}), ((50, 4), {"padding_idx": 3}), ((1, 1), {}),
])
def test_default_init_bit_exact(args, kw):
    def fn(T):
        T.manual_seed(0)
        e = T.nn.Embedding(*args, **kw)
        return [e.weight, e.padding_idx]
    both(fn, exact=True)


@pytest.mark.parametrize("kw", [
    {}, {"padding_idx": 0}, {"padding_idx": -2}, {"max_norm": 1.0}, {"max_norm": 2, "norm_type": 1.0},
    {"norm_type": 3.0}, {"scale_grad_by_freq": True}, {"sparse": True}, {"_freeze": True},
    {"padding_idx": 1, "max_norm": 0.5, "norm_type": 1.0, "scale_grad_by_freq": True, "sparse": True},
])
def test_repr_and_attributes(kw):
    r, t = reftorch.nn.Embedding(10, 3, **kw), torch.nn.Embedding(10, 3, **kw)
    assert repr(r) == repr(t)
    for attr in ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq",
                 "sparse"):
        assert getattr(r, attr) == getattr(t, attr), attr
    assert r.weight.requires_grad == t.weight.requires_grad
    assert list(r.state_dict()) == list(t.state_dict()) == ["weight"]


def test_weight_argument_shared_and_not_zeroed():
    for T in LIBS:
        w = T.arange(6.0).reshape(3, 2)
        e = T.nn.Embedding(3, 2, padding_idx=1, _weight=w)
        assert e.weight.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]  # the pad row is kept
        w[0, 0] = 9.0
        assert e.weight[0, 0].item() == 9.0  # shares memory
        assert e.weight.requires_grad


def test_dtype_argument():
    def fn(T):
        T.manual_seed(0)
        e = T.nn.Embedding(5, 2, dtype=T.float64)
        return [e.weight, e(T.tensor([1, 4]))]
    both(fn, exact=True)


# ---------------------------------------------------------------- forward
@pytest.mark.parametrize("ids", [3, [3], [[1, 2], [3, 4]], [[[0, 1]], [[2, 2]], [[9, 0]]], []])
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_lookup_any_shape(ids, dtype):
    def fn(T):
        T.manual_seed(0)
        e = T.nn.Embedding(10, 3)
        x = T.tensor(ids, dtype=getattr(T, dtype))
        return e(x)
    both(fn, exact=True)


def test_lookup_equals_one_hot_matmul():
    for T in LIBS:
        T.manual_seed(0)
        e = T.nn.Embedding(6, 4)
        ids = T.tensor([[0, 5, 2], [2, 2, 1]])
        one_hot = T.nn.functional.one_hot(ids, num_classes=6).float()
        np.testing.assert_allclose(tonp(one_hot @ e.weight), tonp(e(ids)), rtol=0, atol=0)
    both(lambda T: T.nn.functional.one_hot(T.tensor([[0, 5, 2], [2, 2, 1]])))
    both(lambda T: T.nn.functional.one_hot(T.tensor([1, 0]), 4))


def test_functional_embedding_matches_module():
    def fn(T):
        w = T.tensor(np.arange(20, dtype=np.float32).reshape(5, 4) / 3, requires_grad=True)
        out = T.nn.functional.embedding(T.tensor([[0, 4], [4, 1]]), w, padding_idx=4)
        (out * out).sum().backward()
        return [out, w.grad]
    both(fn)


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("kw", [
    {}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
    {"scale_grad_by_freq": True, "padding_idx": 4},
])
def test_backward_duplicates_padding_and_freq(kw):
    def fn(T):
        T.manual_seed(1)
        e = T.nn.Embedding(10, 3, **kw)
        x = T.tensor(IDS)
        out = e(x)
        g = T.tensor(np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 5)
        out.backward(g)
        return [out, e.weight.grad]
    both(fn)


def test_padding_row_stays_after_training_steps():
    for T in LIBS:
        T.manual_seed(0)
        e = T.nn.Embedding(5, 2, padding_idx=0)
        for _ in range(3):
            e(T.tensor([[0, 1, 0, 3]])).pow(2).sum().backward()
            with T.no_grad():
                e.weight -= 0.1 * e.weight.grad
            e.zero_grad()
        assert e.weight[0].tolist() == [0.0, 0.0]


def test_changed_pad_vector_is_used_but_gets_no_gradient():
    def fn(T):
        T.manual_seed(0)
        e = T.nn.Embedding(4, 3, padding_idx=0)
        with T.no_grad():
            e.weight[0] = T.ones(3)
        out = e(T.tensor([0, 2, 0]))
        out.sum().backward()
        return [out, e.weight.grad]
    both(fn)


def test_embedding_grad_fn_and_float64_grads():
    def fn(T):
        w = T.tensor(np.linspace(-1, 1, 12).reshape(6, 2), requires_grad=True)
        out = T.nn.functional.embedding(T.tensor([5, 0, 5, 5]), w, scale_grad_by_freq=True)
        out.sum().backward()
        return [out, w.grad]
    both(fn, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- max_norm
@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (0.3, float("inf")), (1.2, 3.0), (100.0, 2.0)])
def test_max_norm_renormalises_weight_in_place(max_norm, norm_type):
    def fn(T):
        T.manual_seed(0)
        e = T.nn.Embedding(10, 4, max_norm=max_norm, norm_type=norm_type)
        before = e.weight.detach().clone()
        out = e(T.tensor([[1, 3, 3], [7, 1, 0]]))
        out.sum().backward()
        return [before, e.weight, out, e.weight.grad]
    both(fn, rtol=1e-6, atol=1e-6)


def test_max_norm_only_touches_looked_up_rows():
    T = reftorch
    T.manual_seed(0)
    e = T.nn.Embedding(10, 4, max_norm=0.5)
    before = tonp(e.weight).copy()
    e(T.tensor([2, 5]))
    after = tonp(e.weight)
    untouched = [i for i in range(10) if i not in (2, 5)]
    np.testing.assert_array_equal(before[untouched], after[untouched])
    assert np.all(np.linalg.norm(after[[2, 5]], axis=1) <= 0.5 + 1e-6)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_max_norm_nonfinite_and_huge_rows_are_quiet(norm_type):
    """A row holding inf gets norm inf and scale 0: nan where the inf was, 0 elsewhere; a row of
    1e30 overflows the squared sum. Same values as PyTorch, and no NumPy warning leaks."""
    out = []
    for T in LIBS:
        w = T.tensor([[float("inf"), 1.0], [1e30, -1e30], [0.3, 0.4]])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = T.nn.functional.embedding(T.tensor([0, 1, 2]), w, max_norm=1.0, norm_type=norm_type)
        out.append((tonp(r).tolist(), tonp(w).tolist(), [str(c.message) for c in caught]))
    assert str(out[1]) == str(out[0])


def test_max_norm_bumps_version_like_torch():
    def fn(T):
        T.manual_seed(0)
        e = T.nn.Embedding(10, 3, max_norm=1.0)
        W = e.weight
        a = (W * W).sum()
        e(T.tensor([1, 2]))
        a.backward()
    errs = []
    for T in LIBS:
        with pytest.raises(RuntimeError) as info:
            fn(T)
        errs.append(str(info.value))
    # Same text up to PyTorch's anomaly-detection hint (whose wording is the core engine's).
    assert errs[0].split(" Hint:")[0] == errs[1].split(" Hint:")[0]


def test_max_norm_functional_with_duplicates():
    def fn(T):
        w = T.tensor(np.arange(1, 13, dtype=np.float32).reshape(4, 3))
        out = T.nn.functional.embedding(T.tensor([3, 3, 1]), w, max_norm=2.0)
        return [out, w]
    both(fn)


# ---------------------------------------------------------------- from_pretrained
@pytest.mark.parametrize("kw", [{}, {"freeze": False}, {"padding_idx": 1}, {"freeze": False, "padding_idx": 1},
                                {"max_norm": 3.0}, {"scale_grad_by_freq": True}])
def test_from_pretrained(kw):
    def fn(T):
        pre = T.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 4)
        e = T.nn.Embedding.from_pretrained(pre, **kw)
        out = e(T.tensor([1, 2, 1]))
        res = [repr(e), e.weight.requires_grad, out, e.weight]
        if e.weight.requires_grad:
            out.pow(2).sum().backward()
            res.append(e.weight.grad)
        return res
    both(fn)


def test_from_pretrained_shares_memory_and_errors():
    for T in LIBS:
        pre = T.zeros(3, 2)
        e = T.nn.Embedding.from_pretrained(pre)
        pre[1, 1] = 4.0
        assert e.weight[1, 1].item() == 4.0
    raises_same(lambda T: T.nn.Embedding.from_pretrained(T.zeros(3)))


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("case", [
    lambda T: T.nn.Embedding(5, 2)(T.tensor([5])),
    lambda T: T.nn.Embedding(5, 2)(T.tensor([-1])),
    lambda T: T.nn.Embedding(5, 2)(T.tensor([[0, 1], [2, 7]])),
    lambda T: T.nn.Embedding(5, 2)(T.tensor([1.0])),
    lambda T: T.nn.Embedding(5, 2)(T.tensor([1], dtype=T.int16)),
    lambda T: T.nn.Embedding(5, 2)(T.tensor([1], dtype=T.uint8)),
    lambda T: T.nn.Embedding(5, 2, padding_idx=5),
    lambda T: T.nn.Embedding(5, 2, padding_idx=-6),
    lambda T: T.nn.Embedding(5, 2, _weight=T.zeros(5, 3)),
    lambda T: T.nn.functional.embedding(T.tensor([1]), T.zeros(5, 2), padding_idx=7),
    lambda T: T.nn.functional.embedding(T.tensor([1]), T.zeros(5, 2), padding_idx=-6),
    lambda T: T.nn.functional.one_hot(T.tensor([3]), 3),
    lambda T: T.nn.functional.one_hot(T.tensor([-1])),
    lambda T: T.nn.functional.one_hot(T.tensor([1.0])),
])
def test_errors(case):
    raises_same(case)


def test_sparse_forward_works_backward_refused():
    reftorch.manual_seed(0)
    e = reftorch.nn.Embedding(10, 3, sparse=True)
    torch.manual_seed(0)
    t = torch.nn.Embedding(10, 3, sparse=True)
    same(e(reftorch.tensor([1, 2])), t(torch.tensor([1, 2])), exact=True)
    with pytest.raises(NotImplementedError, match="sparse"):
        e(reftorch.tensor([1, 2])).sum().backward()


def test_load_torch_weights():
    torch.manual_seed(3)
    t = torch.nn.Embedding(8, 5, padding_idx=2)
    e = reftorch.nn.Embedding(8, 5, padding_idx=2)
    e.load_state_dict({k: reftorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    same(e(reftorch.tensor([[2, 7], [1, 1]])), t(torch.tensor([[2, 7], [1, 1]])), exact=True)
