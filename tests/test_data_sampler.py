"""Samplers: order, length, errors, and bit-exact agreement with PyTorch's random draws."""

import pytest

from test_data_helpers import ENGINES


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


def test_sequential_sampler(engine):
    torch, data = engine
    s = data.SequentialSampler(range(4))
    assert list(s) == [0, 1, 2, 3] and len(s) == 4


def test_random_sampler_is_a_permutation_and_reproducible(engine):
    torch, data = engine
    s = data.RandomSampler(range(5), generator=torch.Generator().manual_seed(0))
    first = list(s)
    assert first == [4, 0, 1, 3, 2]  # PyTorch 2.13, seed 0
    assert sorted(list(s)) == [0, 1, 2, 3, 4]  # the generator advanced; still a permutation


def test_random_sampler_num_samples_longer_than_dataset(engine):
    torch, data = engine
    s = data.RandomSampler(range(3), num_samples=7, generator=torch.Generator().manual_seed(1))
    out = list(s)
    assert len(s) == 7 and len(out) == 7
    assert sorted(out[:3]) == [0, 1, 2] and sorted(out[3:6]) == [0, 1, 2]  # two full permutations


def test_random_sampler_errors(engine):
    torch, data = engine
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        data.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        data.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="but got num_samples=0"):
        data.RandomSampler([])


def test_subset_random_sampler(engine):
    torch, data = engine
    s = data.SubsetRandomSampler([10, 20, 30], generator=torch.Generator().manual_seed(3))
    assert sorted(s) == [10, 20, 30] and len(s) == 3


def test_weighted_random_sampler_errors(engine):
    torch, data = engine
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=True"):
        data.WeightedRandomSampler([1.0], num_samples=True)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=0"):
        data.WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        data.WeightedRandomSampler([[1.0, 2.0]], 1)


def test_weighted_sampler_never_draws_zero_weight(engine):
    torch, data = engine
    s = data.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 50, generator=torch.Generator().manual_seed(0))
    assert set(s) <= {1, 3} and len(list(s)) == 50


def test_batch_sampler(engine):
    torch, data = engine
    base = data.SequentialSampler(range(10))
    keep = data.BatchSampler(base, batch_size=3, drop_last=False)
    drop = data.BatchSampler(base, batch_size=3, drop_last=True)
    assert list(keep) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] and len(keep) == 4
    assert list(drop) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and len(drop) == 3
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        data.BatchSampler(base, 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=None"):
        data.BatchSampler(base, 2, None)


def test_distributed_sampler(engine):
    torch, data = engine
    parts = [list(data.DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in range(2)]
    assert parts == [[0, 2, 4], [1, 3, 0]]  # padded by repeating the start
    parts = [list(data.DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False, drop_last=True))
             for r in range(2)]
    assert parts == [[0, 2], [1, 3]]
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        data.DistributedSampler(range(5), num_replicas=2, rank=2)


# ------------------------------------------------------------------ differential (bit-exact)

@pytest.mark.parametrize("seed", [0, 1, 42, 1234])
def test_random_samplers_match_torch(seed):
    import reftorch
    import torch

    from test_data_helpers import rdata, tdata

    def draws(lib, data):
        g = lib.Generator().manual_seed(seed)
        return [
            list(data.RandomSampler(range(11), generator=g)),
            list(data.RandomSampler(range(11), num_samples=25, generator=g)),
            list(data.RandomSampler(range(11), replacement=True, num_samples=70, generator=g)),
            list(data.SubsetRandomSampler([3, 5, 7, 9], generator=g)),
            list(data.DistributedSampler(range(9), num_replicas=3, rank=1, seed=seed)),
        ]

    assert draws(reftorch, rdata) == draws(torch, tdata)


@pytest.mark.parametrize("seed", [0, 7, 99])
@pytest.mark.parametrize("replacement,num_samples", [(True, 40), (True, 1), (False, 5), (False, 1)])
def test_weighted_random_sampler_matches_torch(seed, replacement, num_samples):
    import reftorch
    import torch

    from test_data_helpers import rdata, tdata

    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6, 0.05]
    a = rdata.WeightedRandomSampler(weights, num_samples, replacement, generator=reftorch.Generator().manual_seed(seed))
    b = tdata.WeightedRandomSampler(weights, num_samples, replacement, generator=torch.Generator().manual_seed(seed))
    assert list(a) == list(b)


def test_random_sampler_without_generator_uses_global_seed():
    import reftorch
    import torch

    from test_data_helpers import rdata, tdata

    reftorch.manual_seed(5)
    torch.manual_seed(5)
    assert list(rdata.RandomSampler(range(9))) == list(tdata.RandomSampler(range(9)))
    assert list(rdata.RandomSampler(range(9))) == list(tdata.RandomSampler(range(9)))
