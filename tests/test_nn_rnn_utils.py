"""Differential tests of nn.utils.rnn (padding and packing) against PyTorch.

Values, shapes, dtypes, ``grad_fn`` names, gradients, reprs and errors come from torch.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from reftorch.nn.utils import rnn as R  # noqa: E402
from torch.nn.utils import rnn as TR  # noqa: E402

LIBS = {"torch": (torch, TR), "reftorch": (reftorch, R)}


def tonp(t):
    return np.asarray(t.detach().cpu().numpy())


def ref(t):
    r = reftorch.tensor(tonp(t).copy())
    if t.requires_grad:
        r.requires_grad_(True)
    return r


def same(a, b):
    """reftorch ``a`` equals torch ``b``: shape, dtype, grad_fn name and values (exactly)."""
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    assert str(a.dtype) == str(b.dtype)
    assert (a.grad_fn is None) == (b.grad_fn is None)
    if b.grad_fn is not None:
        assert a.grad_fn.name() == b.grad_fn.name()
    np.testing.assert_array_equal(tonp(a), tonp(b))


def same_packed(a, b):
    assert isinstance(a, R.PackedSequence)
    same(a.data, b.data)
    same(a.batch_sizes, b.batch_sizes)
    for x, y in ((a.sorted_indices, b.sorted_indices), (a.unsorted_indices, b.unsorted_indices)):
        assert (x is None) == (y is None)
        if y is not None:
            same(x, y)


def seqs(lengths, trailing=(3,), dtype=torch.float32, requires_grad=True):
    g = torch.Generator().manual_seed(sum(lengths))
    return [torch.randn((n,) + trailing, generator=g, dtype=dtype).requires_grad_(requires_grad)
            for n in lengths]


def grads_match(tseqs, rseqs, tout, rout):
    g = torch.Generator().manual_seed(9)
    cot = torch.randn(tout.shape, generator=g, dtype=tout.dtype)
    (tout * cot).sum().backward()
    (rout * ref(cot)).sum().backward()
    for a, b in zip(rseqs, tseqs):
        np.testing.assert_array_equal(tonp(a.grad), tonp(b.grad))


# --------------------------------------------------------------------------- pad_sequence
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("trailing", [(), (3,), (2, 2)])
def test_pad_sequence(batch_first, side, trailing):
    ts = seqs([4, 1, 3], trailing)
    rs = [ref(t) for t in ts]
    a = TR.pad_sequence(ts, batch_first=batch_first, padding_value=-1.5, padding_side=side)
    b = R.pad_sequence(rs, batch_first=batch_first, padding_value=-1.5, padding_side=side)
    same(b, a)
    grads_match(ts, rs, a, b)


def test_pad_sequence_integer_ids_and_default_padding():
    ids = [torch.tensor([5, 2, 7]), torch.tensor([4]), torch.tensor([9, 1])]
    same(R.pad_sequence([ref(t) for t in ids]), TR.pad_sequence(ids))
    same(R.pad_sequence([ref(t) for t in ids], batch_first=True, padding_value=0),
         TR.pad_sequence(ids, batch_first=True, padding_value=0))


def test_pad_sequence_accepts_a_tuple_and_a_generator():
    ids = (torch.tensor([1, 2]), torch.tensor([3]))
    same(R.pad_sequence(ref(t) for t in ids), TR.pad_sequence(t for t in ids))


def test_pad_sequence_mixed_dtypes_follow_the_first():
    a = [torch.tensor([1.5, 2.5]), torch.tensor([3, 4, 5])]
    same(R.pad_sequence([ref(t) for t in a]), TR.pad_sequence(a))


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


ERRORS = {
    "pad_empty": lambda T, U: U.pad_sequence([]),
    "pad_side": lambda T, U: U.pad_sequence([T.ones(2)], padding_side="middle"),
    "pad_trailing": lambda T, U: U.pad_sequence([T.ones(2, 3), T.ones(2, 4)]),
    "pad_not_iterable": lambda T, U: U.pad_sequence(3),
    "pack_unsorted": lambda T, U: U.pack_padded_sequence(T.zeros(4, 3, 2), [2, 4, 2]),
    "pack_zero_length": lambda T, U: U.pack_padded_sequence(T.zeros(4, 2, 2), [3, 0]),
    "pack_len_mismatch": lambda T, U: U.pack_padded_sequence(T.zeros(4, 3, 2), [3, 2]),
    "pack_len_mismatch_batch_first": lambda T, U: U.pack_padded_sequence(T.zeros(3, 4, 2), [3, 2],
                                                                        batch_first=True),
    "pack_empty": lambda T, U: U.pack_padded_sequence(T.zeros(0, 2, 2), [1, 1]),
    "pack_sequence_unsorted": lambda T, U: U.pack_sequence([T.ones(1), T.ones(2)]),
    "pad_packed_total_length": lambda T, U: U.pad_packed_sequence(
        U.pack_sequence([T.ones(3), T.ones(2)]), total_length=2),
    "packed_batch_sizes_not_cpu_like": lambda T, U: U.PackedSequence(T.ones(2)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    te = err(lambda: ERRORS[name](torch, TR))
    re_ = err(lambda: ERRORS[name](reftorch, R))
    assert te is not None
    assert re_ == te


# --------------------------------------------------------------------------- packing
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 3, 1], True), ([5, 5, 5, 5], True),
                                                    ([3, 5, 1, 3], False), ([2, 2, 5, 1], False),
                                                    ([1, 1, 1, 1], False), ([5, 3, 3, 1], False)])
def test_pack_padded_sequence(batch_first, lengths, enforce_sorted):
    g = torch.Generator().manual_seed(0)
    x = torch.randn((4, 5, 2) if batch_first else (5, 4, 2), generator=g, requires_grad=True)
    rx = ref(x)
    a = TR.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    b = R.pack_padded_sequence(rx, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    same_packed(b, a)
    grads_match([x], [rx], a.data, b.data)


@pytest.mark.parametrize("lengths_kind", ["list", "tuple", "tensor", "int32_tensor"])
def test_pack_padded_sequence_lengths_types(lengths_kind):
    lens = [3, 1]
    conv = {"list": lambda T: list(lens), "tuple": lambda T: tuple(lens),
            "tensor": lambda T: T.tensor(lens), "int32_tensor": lambda T: T.tensor(lens, dtype=T.int32)}[lengths_kind]
    x = torch.arange(6.0).view(3, 2)
    same_packed(R.pack_padded_sequence(ref(x), conv(reftorch)), TR.pack_padded_sequence(x, conv(torch)))


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence(enforce_sorted):
    lengths = [4, 3, 1] if enforce_sorted else [1, 4, 3]
    ts = seqs(lengths, (2,))
    rs = [ref(t) for t in ts]
    a = TR.pack_sequence(ts, enforce_sorted=enforce_sorted)
    b = R.pack_sequence(rs, enforce_sorted=enforce_sorted)
    same_packed(b, a)
    grads_match(ts, rs, a.data, b.data)


def test_packed_sequence_repr_and_tuple_protocol():
    ids = [torch.tensor([3, 1, 4]), torch.tensor([1, 5])]
    a = TR.pack_sequence(ids)
    b = R.pack_sequence([ref(t) for t in ids])
    assert repr(b) == repr(a)
    data, batch_sizes, sorted_indices, unsorted_indices = b
    assert sorted_indices is None and unsorted_indices is None
    assert b._fields == a._fields
    c = R.pack_sequence([ref(t) for t in ids[::-1]], enforce_sorted=False)
    assert repr(c) == repr(TR.pack_sequence(ids[::-1], enforce_sorted=False))


def test_packed_sequence_to_dtype():
    p = R.pack_sequence([reftorch.tensor([1, 2]), reftorch.tensor([3])])
    q = p.double()
    assert q.data.dtype is reftorch.float64 and q.batch_sizes.dtype is reftorch.int64
    assert p.to(reftorch.int64) is p


# --------------------------------------------------------------------------- unpacking
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("total_length", [None, 7])
def test_pad_packed_sequence(batch_first, enforce_sorted, total_length):
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    ts = seqs(lengths, (2,))
    rs = [ref(t) for t in ts]
    tp = TR.pack_sequence(ts, enforce_sorted=enforce_sorted)
    rp = R.pack_sequence(rs, enforce_sorted=enforce_sorted)
    a, la = TR.pad_packed_sequence(tp, batch_first=batch_first, padding_value=-3.0, total_length=total_length)
    b, lb = R.pad_packed_sequence(rp, batch_first=batch_first, padding_value=-3.0, total_length=total_length)
    same(b, a)
    same(lb, la)
    grads_match(ts, rs, a, b)


def test_round_trip_gives_back_the_padded_batch():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(6, 4, 3, generator=g)
    lengths = [2, 6, 3, 6]
    mask = (torch.arange(6)[:, None] < torch.tensor(lengths)[None, :])[..., None]
    x = x * mask
    rp = R.pack_padded_sequence(ref(x), lengths, enforce_sorted=False)
    back, lb = R.pad_packed_sequence(rp, total_length=6)
    np.testing.assert_array_equal(tonp(back), tonp(x))
    assert lb.tolist() == lengths


def test_unpad_and_unpack_sequence():
    ts = seqs([4, 2, 3], (2,), requires_grad=False)
    rs = [ref(t) for t in ts]
    for a, b in zip(R.unpack_sequence(R.pack_sequence(rs, enforce_sorted=False)),
                    TR.unpack_sequence(TR.pack_sequence(ts, enforce_sorted=False))):
        np.testing.assert_array_equal(tonp(a), tonp(b))
    padded = R.pad_sequence(rs)
    for a, b in zip(R.unpad_sequence(padded, reftorch.tensor([4, 2, 3])), ts):
        np.testing.assert_array_equal(tonp(a), tonp(b))


def test_invert_permutation():
    p = torch.tensor([2, 0, 3, 1])
    same(R.invert_permutation(ref(p)), TR.invert_permutation(p))
    assert R.invert_permutation(None) is None
