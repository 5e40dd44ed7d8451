"""The float32 ``normal_`` fill spread over worker threads (``_rng.CPUGenerator._box_muller32``).

Splitting the draw over threads must not change one bit: the words are drawn in stream
order and each chunk is filled apart, so the values are PyTorch's whatever the thread
count. The expected values come from PyTorch 2.13 itself.
"""
import multiprocessing
import threading

import numpy as np
import pytest
import torch

import reftorch
from reftorch import _rng, _threads

SIZES = [2 * _rng._PARALLEL_CHUNK, 2 * _rng._PARALLEL_CHUNK + 16 * 7 + 5, 5 * _rng._PARALLEL_CHUNK - 48]


@pytest.fixture
def threads():
    before = reftorch.get_num_threads()
    yield
    reftorch.set_num_threads(before)


def _bits(a):
    return np.ascontiguousarray(a).view(np.int32)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_randn_on_any_thread_count_is_torchs(n, count, threads):
    reftorch.set_num_threads(count)
    reftorch.manual_seed(11)
    torch.manual_seed(11)
    got = reftorch.randn(n)
    expected = torch.randn(n)
    assert np.array_equal(_bits(got.numpy()), _bits(expected.numpy()))
    # the stream goes on where PyTorch's does
    assert reftorch.rand(5).tolist() == torch.rand(5).tolist()


def test_normal_with_mean_std_in_a_view_on_two_threads(threads):
    reftorch.set_num_threads(2)
    reftorch.manual_seed(4)
    torch.manual_seed(4)
    n = 3 * _rng._PARALLEL_CHUNK
    got = reftorch.zeros(2, n)
    expected = torch.zeros(2, n)
    got[1].normal_(2.5, 0.75)
    expected[1].normal_(2.5, 0.75)
    assert np.array_equal(_bits(got.numpy()), _bits(expected.numpy()))


def test_concurrent_callers_each_get_a_full_draw(threads):
    # two user threads drawing from their own generators at once, while the pool is busy
    reftorch.set_num_threads(2)
    n = 2 * _rng._PARALLEL_CHUNK
    results = {}

    def draw(seed):
        g = reftorch.Generator().manual_seed(seed)
        results[seed] = reftorch.randn(n, generator=g).numpy()

    workers = [threading.Thread(target=draw, args=(seed,)) for seed in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    for seed in (1, 2):
        expected = torch.randn(n, generator=torch.Generator().manual_seed(seed))
        assert np.array_equal(_bits(results[seed]), _bits(expected.numpy()))


def _child(queue):
    reftorch.set_num_threads(2)
    reftorch.manual_seed(9)
    queue.put(reftorch.randn(2 * _rng._PARALLEL_CHUNK).numpy())


def test_forked_child_makes_its_own_workers(threads):
    # The parent's pool threads do not exist in a forked child (a DataLoader worker); the
    # child must start its own instead of waiting for them.
    reftorch.set_num_threads(2)
    reftorch.randn(2 * _rng._PARALLEL_CHUNK)  # the parent's pool is up
    assert _threads._workers["pool"] is not None
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    try:
        got = queue.get(timeout=120)
        child.join(timeout=60)
    finally:
        if child.is_alive():  # (a hung child: stop it, the test has failed)
            child.kill()
            child.join()
    assert child.exitcode == 0
    torch.manual_seed(9)
    assert np.array_equal(_bits(got), _bits(torch.randn(2 * _rng._PARALLEL_CHUNK).numpy()))


def test_draw_in_an_atexit_handler():
    # After the interpreter's shutdown has begun, no new work can go to a thread pool: the
    # calling thread then fills every chunk (PyTorch's values all the same).
    import subprocess
    import sys
    from pathlib import Path
    script = ("import atexit, {T}\n"
              "{T}.set_num_threads(2)\n"
              "{T}.manual_seed(0)\n"
              "atexit.register(lambda: print({T}.randn(300000)[-3:].tolist()))\n")
    runs = [subprocess.run([sys.executable, "-c", script.format(T=T)], capture_output=True, text=True, timeout=300,
                           cwd=str(Path(__file__).parents[1])) for T in ("torch", "reftorch")]
    assert runs[1].returncode == 0 and runs[1].stderr == ""
    assert runs[1].stdout == runs[0].stdout != ""
