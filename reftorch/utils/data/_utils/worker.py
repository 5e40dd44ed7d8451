"""What runs inside each DataLoader worker process (mirrors ``torch/utils/data/_utils/worker.py``).

NOTE [ What a worker holds ]
    A worker is a separate process.  It receives, once, when it starts: the dataset, the
    collate function, ``worker_init_fn``, its own *index queue* and the shared *result
    queue*.  With the ``fork`` start method (Linux's default before Python 3.14) these
    objects are inherited from the parent: the memory pages are shared copy-on-write, but
    every Python object the worker touches gets its reference count written, so pages
    holding many small Python objects are gradually copied.  With ``spawn`` or
    ``forkserver`` the arguments are pickled and every worker holds its own full copy of
    the dataset object.  Besides that, a worker holds only the batches it is currently
    building or that wait in the result queue: at most ``prefetch_factor`` of them, because
    the main process never hands a worker more tasks than that.

NOTE [ Worker seeds ]
    Every ``iter(loader)`` draws one 64-bit ``base_seed`` from the loader's ``generator``
    (or the global generator).  Worker ``i`` then seeds Python's ``random`` and reftorch's
    global generator with ``base_seed + i``, and NumPy's legacy global generator with four
    32-bit words mixed from ``(base_seed, i)`` (:func:`_generate_state`, NumPy's own
    ``SeedSequence`` hashing).  So workers differ from each other and from one epoch to
    the next.  What is *not* reseeded: random generator objects living inside the dataset
    (``numpy.random.default_rng()`` created in ``__init__``) -- every worker starts with
    an identical copy of them.
"""

from __future__ import annotations

import multiprocessing.queues
import os
import pickle
import queue
import random
from dataclasses import dataclass

import reftorch as torch

from . import HAS_NUMPY, ExceptionWrapper, signal_handling


class _WorkerResultQueue(multiprocessing.queues.Queue):
    """The shared result queue, answering with an error when a result cannot be pickled.

    ``multiprocessing.Queue.put`` only appends to a buffer; a background "feeder" thread
    pickles the object later.  If pickling fails (a batch holding a lambda, an exception
    class defined inside a function...), the standard queue prints the error and *drops*
    the item -- and the main process would wait for that batch forever.  Here the feeder
    sends, in its place, an :class:`ExceptionWrapper` describing the pickling error, so
    ``next()`` raises it.  (PyTorch hangs in this case; this is a deliberate improvement.)
    """

    def _on_queue_feeder_error(self, e, obj):
        if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], int):
            worker_id = _worker_info.id if _worker_info is not None else "?"
            wrapper = ExceptionWrapper(
                exc_info=(type(e), e, e.__traceback__),
                where=f"in DataLoader worker process {worker_id} while sending a batch",
            )
            wrapper.exc_type = RuntimeError if not _picklable(type(e)) else wrapper.exc_type
            self.put((obj[0], wrapper))
        else:
            super()._on_queue_feeder_error(e, obj)


def _picklable(obj) -> bool:
    try:
        pickle.dumps(obj)
        return True
    except Exception:
        return False


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive.

    If the main process is killed, its workers are re-parented (to init, or to a
    sub-reaper), so ``os.getppid()`` changes; the worker then leaves its loop instead of
    waiting forever on a queue nobody will fill.
    """

    def __init__(self) -> None:
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """Information about the current DataLoader worker process.

    Attributes:
        id: this worker's id, ``0`` to ``num_workers - 1``.
        num_workers: how many workers the iterator started.
        seed: the seed of this worker (``base_seed + id``).
        dataset: this process's copy of the dataset (a different object from the one in
            the main process).
        rng: always ``None`` here (PyTorch fills it only for its experimental thread workers).
        worker_method: ``"multiprocessing"``.
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info():
    """Return :class:`WorkerInfo` inside a DataLoader worker, ``None`` in the main process.

    Mirrors ``torch.utils.data.get_worker_info``.  Typical uses: in an
    :class:`~reftorch.utils.data.IterableDataset`'s ``__iter__`` to give each worker its
    own shard of the stream, or in ``worker_init_fn`` to configure ``info.dataset``.

    Returns:
        WorkerInfo or None.
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable-style dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch: rebuild the fetcher."""

    seed: int | None = None


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """Four 32-bit words to seed NumPy's legacy generator in worker ``worker_id``.

    This is the hashing of NumPy's ``SeedSequence`` applied to the entropy
    ``[worker_id, low32(base_seed), high32(base_seed), 0]``, written out in Python exactly
    as PyTorch does, so that NumPy draws inside workers are identical on both libraries.
    """
    INIT_A = 0x43B0D7E5
    MULT_A = 0x931E8875
    INIT_B = 0x8B51F9DD
    MULT_B = 0x58F38DED
    MIX_MULT_L = 0xCA01F9DD
    MIX_MULT_R = 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_a = INIT_A

    def hash_(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & MASK32
        hash_const_a = (hash_const_a * MULT_A) & MASK32
        value = (value * hash_const_a) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    for i in range(len(pool)):
        pool[i] = hash_(entropy[i])
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))

    hash_const_b = INIT_B
    state = []
    for i_dst in range(4):
        value = (pool[i_dst] ^ hash_const_b) & MASK32
        hash_const_b = (hash_const_b * MULT_B) & MASK32
        value = (value * hash_const_b) & MASK32
        state.append((value ^ (value >> XSHIFT)) & MASK32)
    return state


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers) -> None:
    """The body of one worker process.

    Protocol (see NOTE [ Data loading protocol ] in ``dataloader.py``):

    * from ``index_queue`` it reads ``(task_idx, index)`` -- ``index`` is a list of sample
      indices with automatic batching, a single index without -- and answers on
      ``data_queue`` with ``(task_idx, batch)``; an exception is answered with an
      :class:`ExceptionWrapper` in place of the batch, and the worker carries on;
    * ``_ResumeIteration`` (persistent workers, new epoch) is echoed back and restarts the
      dataset's iterator;
    * ``None`` means: leave the loop and exit.

    Every ``get`` has a timeout (see NOTE [ Polling interval ]) so that a worker whose
    parent died notices it and exits.
    """
    # (here: dataloader.py imports _utils, which imports this module; _utils's
    # MP_STATUS_CHECK_INTERVAL is read at call time, so tests can patch it)
    from .. import _utils
    from ..dataloader import _DatasetKind

    try:
        signal_handling._set_worker_signal_handlers()
        torch.set_num_threads(1)  # as PyTorch's workers: the main process keeps the cores

        seed = base_seed + worker_id
        random.seed(seed)

        torch.manual_seed(seed)
        if HAS_NUMPY:
            import numpy as np

            np.random.seed(_generate_state(base_seed, worker_id))

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        # An error in worker_init_fn or in building the fetcher (e.g. iter(dataset) failing)
        # is not raised here: it is sent back as the answer to the first task, so that the
        # main process raises it from ``next()``, like any other worker error.
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False  # iterable-style dataset exhausted for this epoch
        watchdog = ManagerWatchdog()

        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))  # acknowledge
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:  # the main process asks us to stop
                break
            if done_event.is_set() or iteration_end:
                # Shutting down, or nothing left to read: drain the queue without work.
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r  # do not keep the last batch alive while waiting
    except KeyboardInterrupt:
        # Ctrl-C reaches the whole process group; the main process handles it.
        pass
    if done_event.is_set():
        # Do not wait, at exit, for the queue's feeder thread to flush batches that nobody
        # will read any more.
        data_queue.cancel_join_thread()
        data_queue.close()
