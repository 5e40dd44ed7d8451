"""Faults in worker processes: errors, kills, timeouts, early exits -- never a hang, no leftovers.

The ``fast_polling`` fixture shortens the DataLoader's liveness checks from 5 s to 0.05 s and
checks afterwards that every worker process exited and was reaped (no zombies).
"""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from test_data_helpers import ENGINES, fast_polling, no_leftover_processes  # noqa: F401


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


class FailsAt:
    def __init__(self, bad, exc=KeyError):
        self.bad, self.exc = bad, exc

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise self.exc(i)
        return i


class Sleepy:
    def __init__(self, seconds):
        self.seconds = seconds

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i >= 2:
            time.sleep(self.seconds)
        return i


class ExitsAt:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            os._exit(3)
        return i


def test_worker_exception_names_the_worker_and_keeps_the_traceback(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    loader = data.DataLoader(FailsAt(5), num_workers=2)
    with pytest.raises(KeyError) as info:
        list(loader)
    message = info.value.args[0]
    # index 5 is the sixth task; tasks go round-robin, so worker 1 had it
    assert message.startswith("Caught KeyError in DataLoader worker process 1.\nOriginal Traceback (most recent call last):\n")
    assert "in __getitem__\n    raise self.exc(i)\nKeyError: 5\n" in message
    assert str(info.value) == message  # KeyErrorMessage: no quotes around the multi-line text
    del info


class NeedsTwo(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


def _needs_two(i):
    return NeedsTwo(i, i)


def test_exception_that_cannot_be_rebuilt_becomes_runtime_error(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    loader = data.DataLoader(FailsAt(0, exc=_needs_two), num_workers=1)
    with pytest.raises(RuntimeError, match="Caught NeedsTwo in DataLoader worker process 0."):
        next(iter(loader))


def test_unpicklable_batch_is_an_error_not_a_hang(fast_polling):  # noqa: F811 (the fixture)
    """reftorch only: PyTorch's feeder thread drops the batch and the loop waits forever."""
    from test_data_helpers import rdata

    class Local:  # defined in a function: cannot be pickled
        pass

    loader = rdata.DataLoader([Local(), Local()], batch_size=None, num_workers=1, timeout=5)
    with pytest.raises((AttributeError, RuntimeError), match="in DataLoader worker process 0 while sending a batch"):
        next(iter(loader))


def test_worker_init_fn_error_surfaces_at_first_batch(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    it = iter(data.DataLoader(range(4), num_workers=1, worker_init_fn=_bad_init))
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0.(.|\n)*bad init 0"):
        next(it)
    del it


def _bad_init(worker_id):
    raise ValueError(f"bad init {worker_id}")


def _as_is(batch):
    """A collate_fn that keeps the batch a list of ints: no tensor crosses the process
    boundary, so no shared-memory handle is in flight when the worker is killed (PyTorch
    then raises EOFError from rebuilding the storage, a race of the kill, not the check)."""
    return batch


def test_worker_killed_by_sigkill_is_a_runtime_error(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    it = iter(data.DataLoader(Sleepy(0.05), num_workers=2, collate_fn=_as_is))
    next(it)
    os.kill(it._workers[1].pid, signal.SIGKILL)
    start = time.monotonic()
    try:
        with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid(\(s\))? \d+\) (is killed by signal: Killed\. "
                                               r"|exited unexpectedly)"):
            for _ in it:
                pass
        assert time.monotonic() - start < 3
    finally:
        # The exception's traceback keeps the iterator alive, so __del__ would not shut the
        # surviving worker down before the leftover check (nor unregister PyTorch's SIGCHLD
        # watch over its pids, which then fires wherever the test run happens to be).
        it._shutdown_workers()
        del it


def test_worker_exiting_with_nonzero_status_is_a_runtime_error(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid(\(s\))? \d+\) exited unexpectedly"):
        list(data.DataLoader(ExitsAt(), num_workers=2))


def test_timeout(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.3 seconds$"):
        list(data.DataLoader(Sleepy(60.0), num_workers=2, timeout=0.3))
    no_leftover_processes()  # the sleeping workers were terminated, not waited for
    assert time.monotonic() - start < 30  # a wait for the workers would take 60 s


def test_early_break_shuts_workers_down(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    loader = data.DataLoader(range(1000), batch_size=2, num_workers=2)
    for i, batch in enumerate(loader):
        if i == 3:
            break
    del batch
    no_leftover_processes(timeout=2)


def test_deleting_iterator_shuts_workers_down(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    it = iter(data.DataLoader(Sleepy(0.2), num_workers=2))
    pids = [w.pid for w in it._workers]
    assert len(pids) == 2
    del it
    no_leftover_processes(timeout=2)


def test_epoch_end_shuts_workers_down(engine, fast_polling):  # noqa: F811 (the fixture)
    torch, data = engine
    it = iter(data.DataLoader(range(4), num_workers=2))
    assert list(it) and all(not w.is_alive() for w in it._workers)


def test_lambda_with_spawn_cannot_be_pickled(tmp_path):
    """With "spawn" the workers' arguments are pickled: a lambda fails before any process runs."""
    script = tmp_path / "spawn_lambda.py"
    script.write_text(textwrap.dedent("""
        import warnings
        from reftorch.utils.data import DataLoader

        if __name__ == "__main__":
            loader = DataLoader(range(4), num_workers=1, multiprocessing_context="spawn",
                                worker_init_fn=lambda worker_id: None)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    next(iter(loader))
                except Exception as e:
                    print(type(e).__name__, "|", e)
            print(any("Got pickle error when attempting to start a worker Process" in str(w.message)
                      for w in caught))
    """))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().splitlines()[-2:]
    assert first.startswith(("PicklingError | Can't pickle <function <lambda>", "AttributeError | Can't pickle local"))
    assert second == "True"


def test_missing_main_guard_with_spawn(tmp_path):
    """The script of docs/*/data/pitfalls.md: without the guard each spawned worker re-runs it."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import reftorch as torch
        from reftorch.utils.data import DataLoader

        loader = DataLoader(range(8), batch_size=4, num_workers=2, multiprocessing_context="spawn")
        for batch in loader:
            print(batch)
    """))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env,
                         cwd=tmp_path)
    assert out.returncode == 1
    assert "An attempt has been made to start a new process before the\n" in out.stderr
    assert "current process has finished its bootstrapping phase." in out.stderr
    assert re.search(r"RuntimeError: DataLoader worker \(pid\(s\) \d+(, \d+)?\) exited unexpectedly", out.stderr)


def test_spawn_start_method_loads_correctly(tmp_path):
    """With "spawn" everything is pickled: the dataset, the queues, and the batches coming back."""
    script = tmp_path / "train_ok.py"
    script.write_text(textwrap.dedent("""
        import reftorch as torch
        from reftorch.utils.data import DataLoader, TensorDataset

        def main():
            ds = TensorDataset(torch.arange(10).reshape(5, 2), torch.tensor([0, 1, 0, 1, 0]))
            loader = DataLoader(ds, batch_size=2, num_workers=2, multiprocessing_context="spawn",
                                shuffle=True, generator=torch.Generator().manual_seed(0))
            print([(x.tolist(), y.tolist()) for x, y in loader])

        if __name__ == "__main__":
            main()
    """))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = eval(out.stdout)
    assert sorted(i for x, _ in rows for pair in x for i in pair) == list(range(10))
    assert [len(y) for _, y in rows] == [2, 2, 1]
    try:
        import torch
        from torch.utils.data import DataLoader, TensorDataset
    except ImportError:
        return
    # The order depends only on the generator (base seed, then the permutation), not on
    # the start method or the number of workers: compare with PyTorch in this process.
    ds = TensorDataset(torch.arange(10).reshape(5, 2), torch.tensor([0, 1, 0, 1, 0]))
    loader = DataLoader(ds, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(0))
    assert rows == [(x.tolist(), y.tolist()) for x, y in loader]
