"""DataLoader options, errors and multi-process loading, against PyTorch where installed.

Worker tests use tiny datasets and the ``fast_polling`` fixture, which also checks that no
child process is left behind after each test.
"""

import collections
import random
import warnings

import numpy as np
import pytest

from test_data_helpers import ENGINES, fast_polling, no_leftover_processes, rdata, tdata, to_py  # noqa: F401


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


# Module-level datasets (picklable, and shared by both engines).

class Squares:
    """Map-style: sample i is (i, i*i) as Python ints."""

    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i, i * i


class WhoMadeIt:
    """Sample i records the worker that fetched it, and the worker's seeds."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        from test_data_helpers import rdata, tdata

        info = rdata.get_worker_info() or (tdata.get_worker_info() if tdata else None)
        return {
            "i": i,
            "worker": -1 if info is None else info.id,
            "seed": -1 if info is None else info.seed,
            "py": random.randint(0, 10**6),
            "np": int(np.random.randint(0, 10**6)),
        }


def rows(loader):
    return [to_py(b) for b in loader]


# ------------------------------------------------------------------ options and errors

ERRORS = [
    (dict(num_workers=-1), "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                              "to enable multiprocessing, otherwise set prefetch_factor to None."),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(shuffle=True, sampler=[0, 1]), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], drop_last=True),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], sampler=[0]),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_size=None, drop_last=True),
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
    (dict(batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
    (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used with multi-process loading "
                                           "(num_workers > 0), but got num_workers=0"),
    (dict(num_workers=1, multiprocessing_context="nope"), "multiprocessing_context option should specify a valid "
                                                          "start method in"),
]


@pytest.mark.parametrize("kwargs,message", ERRORS, ids=[m[:30] for _, m in ERRORS])
def test_invalid_options_raise_value_error(engine, kwargs, message):
    torch, data = engine
    with pytest.raises(ValueError) as info:
        data.DataLoader(Squares(), **kwargs)
    assert str(info.value).startswith(message)


def test_invalid_context_object_is_type_error(engine):
    torch, data = engine
    with pytest.raises(TypeError, match="multiprocessing_context option should be a valid context object"):
        data.DataLoader(Squares(), num_workers=1, multiprocessing_context=3)


def test_attributes_are_frozen_after_init(engine):
    torch, data = engine
    loader = data.DataLoader(Squares())
    for attr in ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"]:
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after DataLoader is initialized"):
            setattr(loader, attr, None)
    loader.num_workers = 0  # not frozen


def test_timeout_without_workers_fails_at_iter(engine):
    torch, data = engine
    loader = data.DataLoader(Squares(), timeout=1)
    with pytest.raises(AssertionError, match="_SingleProcessDataLoaderIter requires timeout == 0"):
        iter(loader)


def test_iterable_dataset_refuses_sampler_options(engine):
    torch, data = engine

    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        data.DataLoader(Stream(), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option, but got sampler=\\[0\\]"):
        data.DataLoader(Stream(), sampler=[0])
    with pytest.raises(ValueError, match="expected unspecified batch_sampler option"):
        data.DataLoader(Stream(), batch_sampler=[[0]])


@pytest.mark.parametrize("n,batch_size,drop_last,expected", [
    (10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0),
])
def test_len_and_batch_sizes(engine, n, batch_size, drop_last, expected):
    torch, data = engine
    loader = data.DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == expected == len(batches)
    sizes = [len(b) for b in batches]
    assert sum(sizes) == (n // batch_size * batch_size if drop_last else n)


def test_batches_and_collation(engine):
    torch, data = engine
    assert rows(data.DataLoader(Squares(5), batch_size=2)) == [
        [("tensor", "int64", (2,), [0, 1]), ("tensor", "int64", (2,), [0, 1])],
        [("tensor", "int64", (2,), [2, 3]), ("tensor", "int64", (2,), [4, 9])],
        [("tensor", "int64", (1,), [4]), ("tensor", "int64", (1,), [16])],
    ]


def test_batch_size_none_returns_samples_converted(engine):
    torch, data = engine
    out = list(data.DataLoader([np.array([1, 2]), (3, np.float64(0.5))], batch_size=None))
    assert to_py(out) == [("tensor", "int64", (2,), [1, 2]), [3, ("tensor", "float64", (), 0.5)]]


def test_sampler_and_batch_sampler(engine):
    torch, data = engine
    assert rows(data.DataLoader(range(6), sampler=[5, 0, 3], batch_size=2)) == [
        ("tensor", "int64", (2,), [5, 0]), ("tensor", "int64", (1,), [3])]
    assert rows(data.DataLoader(range(6), batch_sampler=[[1, 2, 3], [0]])) == [
        ("tensor", "int64", (3,), [1, 2, 3]), ("tensor", "int64", (1,), [0])]
    loader = data.DataLoader(range(6), batch_sampler=[[1, 2, 3], [0]])
    assert loader.batch_size is None and loader.drop_last is False and len(loader) == 2


def test_custom_collate_fn_pads_sequences(engine):
    torch, data = engine
    seqs = [[1, 2, 3], [4], [5, 6]]

    def pad(batch):
        longest = max(len(s) for s in batch)
        return torch.tensor([s + [0] * (longest - len(s)) for s in batch]), torch.tensor([len(s) for s in batch])

    assert rows(data.DataLoader(seqs, batch_size=3, collate_fn=pad)) == [(
        ("tensor", "int64", (3, 3), [[1, 2, 3], [4, 0, 0], [5, 6, 0]]), ("tensor", "int64", (3,), [3, 1, 2]))]


def test_getitems_is_used_for_whole_batches(engine):
    torch, data = engine

    class Batched(data.Dataset):
        calls = []

        def __len__(self):
            return 4

        def __getitem__(self, i):
            raise AssertionError("not called")

        def __getitems__(self, indices):
            Batched.calls.append(list(indices))
            return [i * 10 for i in indices]

    assert rows(data.DataLoader(Batched(), batch_size=3)) == [
        ("tensor", "int64", (3,), [0, 10, 20]), ("tensor", "int64", (1,), [30])]
    assert Batched.calls == [[0, 1, 2], [3]]


def test_iterable_dataset_len_estimate_and_warning(engine):
    torch, data = engine

    class Liar(data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2

    loader = data.DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert list(loader) == [0, 1, 2, 3, 4]
    assert any("was reported to be 2(when accessing len(dataloader)), but 3 samples have been fetched"
               in str(w.message) for w in caught)
    assert len(data.DataLoader(Liar(), batch_size=4, drop_last=False)) == 1
    assert len(data.DataLoader(Liar(), batch_size=4, drop_last=True)) == 0


def test_pin_memory_without_gpu_warns_and_returns_plain_memory(engine):
    torch, data = engine
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: pinning really happens")
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found, "
                                         "then device pinned memory won't be used."):
        batches = list(data.DataLoader(range(4), batch_size=2, pin_memory=True))
    assert [b.tolist() for b in batches] == [[0, 1], [2, 3]]
    assert not batches[0].is_pinned()


def test_too_many_workers_warning(engine, monkeypatch):
    torch, data = engine
    import os

    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no sched_getaffinity")
    n = len(os.sched_getaffinity(0)) + 1
    with pytest.warns(UserWarning, match=f"This DataLoader will create {n} worker processes in total. "
                                         "Our suggested max number of worker in current system is"):
        data.DataLoader(range(3), num_workers=n)


# ------------------------------------------------------------------ shuffling and seeds (differential)

@pytest.mark.parametrize("seed", [0, 3, 2024])
def test_shuffle_order_matches_torch_over_epochs(seed):
    import reftorch
    import torch

    def epochs(lib, data):
        loader = data.DataLoader(range(13), batch_size=4, shuffle=True, generator=lib.Generator().manual_seed(seed))
        return [[b.tolist() for b in loader] for _ in range(3)]

    assert epochs(reftorch, rdata) == epochs(torch, tdata)


def test_shuffle_with_global_seed_matches_torch_and_consumes_the_same_draws():
    import reftorch
    import torch

    def run(lib, data):
        lib.manual_seed(11)
        order = [b.tolist() for b in data.DataLoader(range(9), batch_size=3, shuffle=True)]
        iter(data.DataLoader(range(9)))  # one more draw: the base seed of a non-shuffled epoch
        return order, lib.randint(0, 10**6, (3,)).tolist()

    assert run(reftorch, rdata) == run(torch, tdata)


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=2),
    dict(num_workers=2, shuffle=True),
    dict(num_workers=2, prefetch_factor=1, batch_size=3),
    dict(num_workers=2, persistent_workers=True, shuffle=True, batch_size=2),
])
def test_workers_give_torchs_batches_seeds_and_random_numbers(fast_polling, kwargs):  # noqa: F811 (the fixture)
    import reftorch
    import torch

    def epochs(lib, data):
        loader = data.DataLoader(WhoMadeIt(), generator=lib.Generator().manual_seed(5), **kwargs)
        return [rows(loader) for _ in range(2)]

    assert epochs(reftorch, rdata) == epochs(torch, tdata)


def test_batches_come_in_order_and_round_robin(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    out = rows(data.DataLoader(WhoMadeIt(), batch_size=2, num_workers=2))
    assert [b["i"][3] for b in out] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert [b["worker"][3] for b in out] == [[0, 0], [1, 1], [0, 0], [1, 1]]


def test_worker_seeds_are_base_seed_plus_id(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    g = torch.Generator().manual_seed(1)
    expected_base = torch.empty((), dtype=torch.int64).random_(generator=torch.Generator().manual_seed(1)).item()
    out = rows(data.DataLoader(WhoMadeIt(), batch_size=4, num_workers=2, generator=g))
    assert [b["seed"][3][0] for b in out] == [expected_base, expected_base + 1]


def test_in_order_false_returns_every_batch(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    out = rows(data.DataLoader(Squares(9), batch_size=2, num_workers=2, in_order=False))
    assert sorted(i for b in out for i in b[0][3]) == list(range(9))


def test_worker_init_fn_runs_in_each_worker(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    out = rows(data.DataLoader(WhoMadeIt(), batch_size=4, num_workers=2, worker_init_fn=_reseed_python_random))
    # after random.seed(42) both workers draw the same first number
    assert out[0]["py"][3][0] == out[1]["py"][3][0]


def _reseed_python_random(worker_id):
    random.seed(42)


class Shards:
    """Iterable-style: each worker yields its own share of range(10)."""

    def __iter__(self):
        info = rdata.get_worker_info() or (tdata.get_worker_info() if tdata else None)
        if info is None:
            return iter(range(10))
        return iter(range(info.id, 10, info.num_workers))


@pytest.mark.parametrize("batch_size,drop_last", [(None, False), (3, False), (3, True)])
def test_iterable_dataset_sharded_across_workers(engine, fast_polling, batch_size, drop_last):  # noqa: F811 (the fixture)
    torch, data = engine
    ds = type("S", (Shards, data.IterableDataset), {})()
    single = rows(data.DataLoader(ds, batch_size=batch_size, drop_last=drop_last))
    multi = rows(data.DataLoader(ds, batch_size=batch_size, drop_last=drop_last, num_workers=2))
    if batch_size is None:
        assert single == list(range(10))  # plain ints: default_convert leaves them alone
        assert multi == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]  # worker 0, worker 1, worker 0, ...
    elif drop_last:
        # each worker drops its own incomplete batch: 5 samples per worker -> one batch of 3 each
        assert [r[3] for r in multi] == [[0, 2, 4], [1, 3, 5]]
    else:
        assert [r[3] for r in multi] == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]


def test_persistent_workers_keep_their_processes(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    loader = data.DataLoader(Squares(4), batch_size=2, num_workers=2, persistent_workers=True)
    first = rows(loader)
    pids = [w.pid for w in loader._iterator._workers]
    second = rows(loader)
    assert first == second and [w.pid for w in loader._iterator._workers] == pids
    assert all(w.is_alive() for w in loader._iterator._workers)
    del loader
    no_leftover_processes()


def test_prefetch_limits_tasks_in_flight(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    it = iter(data.DataLoader(Squares(40), num_workers=2, prefetch_factor=3))
    assert it._send_idx == 6  # prefetch_factor * num_workers tasks sent up front
    next(it)
    assert it._send_idx == 7
    del it


@pytest.fixture
def fake_gpu(monkeypatch):
    """Pretend a GPU is present; "pinned" buffers come from a fake CuPy (plain bytearrays)."""
    import sys
    import types

    allocated = []

    def alloc_pinned_memory(nbytes):
        buf = bytearray(nbytes)
        allocated.append(nbytes)
        return buf

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(alloc_pinned_memory=alloc_pinned_memory)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setattr(rdata.dataloader, "_pin_memory_available", lambda: True)
    return allocated


@pytest.mark.parametrize("num_workers", [0, 2])
def test_pin_memory_path_with_a_gpu(fake_gpu, fast_polling, num_workers):  # noqa: F811 (the fixture)
    """The pinning code path (thread included) with a stand-in for CuPy's pinned allocator."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no accelerator" warning when a GPU is present
        loader = rdata.DataLoader(Squares(5), batch_size=2, num_workers=num_workers, pin_memory=True)
        out = rows(loader)
    assert out == rows(rdata.DataLoader(Squares(5), batch_size=2))
    # two int64 tensors per batch, batches of 2, 2 and 1 samples
    assert sorted(fake_gpu) == sorted([16, 16, 16, 16, 8, 8])


Pair = collections.namedtuple("Pair", "a b")


class Mixed:
    """Nested samples: dict of namedtuple, str and list."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"p": Pair(i, float(i)), "s": str(i), "l": [i, i + 1]}


def _stream(data):
    class Stream(data.IterableDataset):
        def __iter__(self):
            info = data.get_worker_info()
            return iter(range(info.id, 9, info.num_workers) if info else range(9))

    return Stream()


@pytest.mark.parametrize("kind,kwargs", [
    ("mixed", dict(batch_size=3, num_workers=2)),
    ("mixed", dict(batch_size=None, num_workers=2)),
    ("stream", dict(batch_size=2, num_workers=2, persistent_workers=True)),
    ("stream", dict(batch_size=4, num_workers=2, prefetch_factor=1, drop_last=True)),
])
def test_structures_and_streams_through_workers_match_torch(fast_polling, kind, kwargs):  # noqa: F811 (the fixture)
    def epochs(data):
        ds = Mixed() if kind == "mixed" else _stream(data)
        loader = data.DataLoader(ds, **kwargs)
        return [rows(loader) for _ in range(2)]

    assert epochs(rdata) == epochs(tdata)


class SlowFirst:
    """Sample 0 takes 0.3 s, the others are instant."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 0:
            import time

            time.sleep(0.3)
        return i


@pytest.mark.parametrize("in_order", [True, False])
def test_in_order_false_does_not_wait_for_a_slow_batch(engine, fast_polling, in_order):  # noqa: F811 (the fixture)
    torch, data = engine
    out = [b.item() for b in data.DataLoader(SlowFirst(), num_workers=2, in_order=in_order)]
    assert sorted(out) == list(range(6))
    if in_order:
        assert out == [0, 1, 2, 3, 4, 5]
    else:
        assert out[0] != 0  # worker 1's batches are returned while worker 0 sleeps
