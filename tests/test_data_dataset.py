"""Datasets: TensorDataset, ConcatDataset, Subset, StackDataset, ChainDataset, random_split.

Each test runs on reftorch and, where installed, on PyTorch (the ``engine`` parameter), with
expected values written out by hand, so both must agree with the same numbers.
"""

import warnings

import pytest

from test_data_helpers import ENGINES, to_py


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


def test_tensor_dataset_indexes_rows_together(engine):
    torch, data = engine
    ds = data.TensorDataset(torch.arange(6).reshape(3, 2), torch.tensor([10, 11, 12]))
    assert len(ds) == 3
    assert to_py(ds[1]) == (("tensor", "int64", (2,), [2, 3]), ("tensor", "int64", (), 11))
    assert to_py(ds[-1]) == (("tensor", "int64", (2,), [4, 5]), ("tensor", "int64", (), 12))


def test_tensor_dataset_size_mismatch(engine):
    torch, data = engine
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        data.TensorDataset(torch.zeros(3, 2), torch.zeros(4))


def test_dataset_base_class(engine):
    torch, data = engine
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__."):
        data.Dataset()[0]
    with pytest.raises(TypeError):
        len(data.Dataset())
    with pytest.raises(TypeError, match="Can't instantiate abstract class IterableDataset"):
        data.IterableDataset()


def test_concat_dataset_and_plus(engine):
    torch, data = engine

    class Range(data.Dataset):
        def __init__(self, lo, hi):
            self.items = list(range(lo, hi))

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            return self.items[i]

    cat = Range(0, 3) + Range(10, 12)
    assert isinstance(cat, data.ConcatDataset)
    assert cat.cumulative_sizes == [3, 5]
    assert [cat[i] for i in range(len(cat))] == [0, 1, 2, 10, 11]
    assert cat[-1] == 11 and cat[-5] == 0
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        cat[-6]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        data.ConcatDataset([])


def test_concat_refuses_iterable_and_chain_accepts_it(engine):
    torch, data = engine

    class Stream(data.IterableDataset):
        def __init__(self, items):
            self.items = items

        def __iter__(self):
            return iter(self.items)

        def __len__(self):
            return len(self.items)

    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        data.ConcatDataset([Stream([1])])
    chain = Stream([1, 2]) + Stream([3])
    assert isinstance(chain, data.ChainDataset)
    assert list(chain) == [1, 2, 3] and len(chain) == 3


def test_subset(engine):
    torch, data = engine
    sub = data.Subset(list("abcdef"), [5, 0, 2])
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == ["f", "a", "c"]
    assert sub.__getitems__([2, 0]) == ["c", "f"]


def test_stack_dataset(engine):
    torch, data = engine
    tup = data.StackDataset([1, 2, 3], "abc")
    assert tup[1] == (2, "b") and len(tup) == 3
    assert tup.__getitems__([0, 2]) == [(1, "a"), (3, "c")]
    dic = data.StackDataset(x=[1, 2], y="ab")
    assert dic[0] == {"x": 1, "y": "a"}
    assert dic.__getitems__([1]) == [{"x": 2, "y": "b"}]
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset([1, 2], [1])
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        data.StackDataset()
    with pytest.raises(ValueError, match="but both types are given"):
        data.StackDataset([1], x=[1])


def test_random_split_lengths_and_fractions(engine):
    torch, data = engine
    parts = data.random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(42))
    assert [list(p) for p in parts] == [[2, 6, 1], [8, 4, 5, 0, 9, 3, 7]]
    # floor(10 * f) = 3, 3, 3; the remainder (1) goes to the first part.
    parts = data.random_split(range(10), [0.3, 0.3, 0.4], generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 3, 4]
    assert sorted(sum((list(p) for p in parts), [])) == list(range(10))


def test_random_split_errors_and_warning(engine):
    torch, data = engine
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        data.random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        data.random_split(range(10), [0.2, 1.2, -0.4])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = data.random_split(range(2), [0.9, 0.1], generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [2, 0]
    assert "Length of split at index 1 is 0. This might result in an empty dataset." in str(caught[0].message)


def test_random_split_matches_torch_for_many_seeds():
    import reftorch
    import torch

    from test_data_helpers import rdata, tdata

    for seed in range(20):
        a = rdata.random_split(range(23), [0.5, 0.25, 0.25], generator=reftorch.Generator().manual_seed(seed))
        b = tdata.random_split(range(23), [0.5, 0.25, 0.25], generator=torch.Generator().manual_seed(seed))
        assert [list(p) for p in a] == [list(p) for p in b]
