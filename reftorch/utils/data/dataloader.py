"""The DataLoader and its two iterators (mirrors ``torch/utils/data/dataloader.py``).

A :class:`DataLoader` is a reusable *description* (dataset, sampler, batching, workers);
each ``iter(loader)`` creates an iterator that does the work:

* ``_SingleProcessDataLoaderIter`` (``num_workers=0``): ``next()`` takes the next index (or
  list of indices) from the sampler, fetches the samples in the main process and collates.
* ``_MultiProcessingDataLoaderIter`` (``num_workers > 0``): worker processes fetch and
  collate; the main process only hands out indices and reorders the results.

NOTE [ Data loading protocol ]
    Each worker has its own *index queue*; all workers share one *result queue*.

    * Tasks are numbered in sampler order (``_send_idx``) and handed out round-robin to
      the workers.  At most ``prefetch_factor * num_workers`` tasks are outstanding; each
      batch returned to the user releases one slot and sends the next task.
    * ``_task_info[task] = (worker_id,)`` while the task is in flight, and
      ``(worker_id, data)`` once its result arrived early.  ``_rcvd_idx`` is the next task
      the user should get.  A result that arrives out of order waits in ``_task_info``
      (``in_order=True``, the default) or is returned at once (``in_order=False``).
    * An exception in a worker travels back as an ``ExceptionWrapper`` in place of the
      batch and is raised again by ``next()``.
    * Waiting for a result never blocks for good: see NOTE [ Polling interval ] in
      ``_utils/__init__.py`` and NOTE [ Why the main process watches SIGCHLD ] in
      ``_utils/signal_handling.py``.

NOTE [ Shutting the workers down ]
    The workers stop when the epoch ends (unless ``persistent_workers=True``), or when the
    iterator is garbage-collected: breaking out of a ``for`` loop drops the last reference
    to the iterator, and ``__del__`` runs the shutdown.  The shutdown sets ``done_event``
    (workers stop fetching), sends ``None`` to every index queue (workers leave their
    loop), joins each worker for up to one polling interval and terminates the ones that
    are still busy, then joins those again -- so no worker is left running and none is
    left a zombie.
"""

from __future__ import annotations

import itertools
import multiprocessing as python_multiprocessing
import os
import queue
import threading
import warnings
from math import ceil
from pickle import PicklingError

import reftorch as torch

from . import _utils
from ._utils import ExceptionWrapper
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

default_collate = _utils.collate.default_collate
default_convert = _utils.collate.default_convert
get_worker_info = _utils.worker.get_worker_info


#: id(iterator) -> the queues of that multi-process iterator, until its workers are shut down.
#: NOTE [ Keeping the queues out of cyclic garbage ]: an iterator that ends up in a reference
#: cycle (an exception traceback referencing the frames that reference the iterator) is
#: freed by the garbage collector, which clears weak references -- and so runs each
#: ``multiprocessing.Queue``'s finalizer, stopping its feeder thread -- *before* it calls
#: ``__del__``.  The shutdown message (``None``) would then never reach the workers, and
#: they would only be stopped by ``terminate()`` after a full polling interval.  Holding the
#: queues here keeps them alive until the shutdown has used them.
_live_iterator_queues: dict[int, tuple] = {}


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        if kind == _DatasetKind.Map:
            return _utils.fetch._MapDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)
        return _utils.fetch._IterableDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the "sampler" of an iterable-style dataset (only counts matter)."""

    def __iter__(self):
        while True:
            yield None


def _pin_memory_available() -> bool:
    cuda = getattr(torch, "cuda", None)
    try:
        return bool(cuda is not None and cuda.is_available())
    except Exception:
        return False


class DataLoader:
    """Combine a dataset and a sampler into an iterable over batches.

    Mirrors ``torch.utils.data.DataLoader`` (PyTorch 2.13), option for option.

    Args:
        dataset (Dataset): map-style (``__getitem__``/``__len__``) or iterable-style
            (:class:`IterableDataset`) source of samples.
        batch_size (int, optional): samples per batch. Default: ``1``. ``None`` disables
            automatic batching: each sample is returned on its own, through
            ``default_convert``.
        shuffle (bool, optional): reshuffle at every epoch (a :class:`RandomSampler`).
            Default: ``False``.
        sampler (Sampler or iterable, optional): the order of the indices. Mutually
            exclusive with ``shuffle``.
        batch_sampler (Sampler or iterable, optional): yields whole lists of indices.
            Mutually exclusive with ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int, optional): worker processes; ``0`` loads in the main process.
            Default: ``0``.
        collate_fn (callable, optional): merges a list of samples into a batch.
            Default: ``default_collate`` (or ``default_convert`` when not batching).
        pin_memory (bool, optional): put batches in page-locked memory (needs a GPU;
            without one, a warning and ordinary memory). Default: ``False``.
        drop_last (bool, optional): drop the last incomplete batch. Default: ``False``.
        timeout (float, optional): seconds to wait for a batch from the workers before
            raising ``RuntimeError``; ``0`` waits forever. Default: ``0``.
        worker_init_fn (callable, optional): called as ``worker_init_fn(worker_id)`` in each
            worker, after seeding and before loading. Default: ``None``.
        multiprocessing_context (str or context, optional): start method (``"fork"``,
            ``"spawn"``, ``"forkserver"``) or a ``multiprocessing`` context.
        generator (Generator, optional): source of the shuffle order and of the workers'
            ``base_seed``.
        prefetch_factor (int, optional, keyword-only): batches in flight per worker.
            Default: ``2`` with workers, ``None`` (and only ``None`` allowed) without.
        persistent_workers (bool, optional, keyword-only): keep the workers (and their copy
            of the dataset) alive between epochs. Default: ``False``.
        pin_memory_device (str, optional, keyword-only): deprecated, as in PyTorch.
        in_order (bool, optional, keyword-only): return batches in sampler order (default)
            or as soon as any worker has one (``False``).

    Raises:
        ValueError: invalid values or combinations, with PyTorch's messages, e.g.
            ``sampler option is mutually exclusive with shuffle``.
        TypeError: an invalid ``multiprocessing_context`` object.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.utils.data import DataLoader
        >>> loader = DataLoader(range(5), batch_size=2)
        >>> len(loader)
        3
        >>> list(loader)
        [tensor([0, 1]), tensor([2, 3]), tensor([4])]
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            # (sic: PyTorch's message has no space after the full stop)
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        # Iterable-style datasets have no indices: no sampler, no shuffle.
        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}"
                )
            elif batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"batch_sampler option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            # The batch sampler decides everything about batches.
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError(
                    "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
                )

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            collate_fn = _utils.collate.default_collate if self._auto_collation else _utils.collate.default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers

        self.__initialized = True
        self._IterableDataset_len_called = None  # see __len__
        self._iterator = None

        self.check_worker_number_rationality()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        """The ``multiprocessing`` context used to start workers (``None``: the default)."""
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context) -> None:
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = python_multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError(
                            "multiprocessing_context option "
                            f"should specify a valid start method in {valid_start_methods!r}, but got "
                            f"multiprocessing_context={multiprocessing_context!r}"
                        )
                    multiprocessing_context = python_multiprocessing.get_context(multiprocessing_context)
                if not isinstance(multiprocessing_context, python_multiprocessing.context.BaseContext):
                    raise TypeError(
                        "multiprocessing_context option should be a valid context "
                        "object or a string specifying the start method, but got "
                        f"multiprocessing_context={multiprocessing_context}"
                    )
            else:
                raise ValueError(
                    "multiprocessing_context can only be used with "
                    "multi-process loading (num_workers > 0), but got "
                    f"num_workers={self.num_workers}"
                )
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val) -> None:
        # These define the batches; changing them would silently disagree with the
        # samplers built in __init__.
        if self.__initialized and attr in (
            "batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers",
        ):
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self):
        """A new iterator over one epoch (the same one, reset, with persistent workers)."""
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        # What the iterator draws from: lists of indices when batching, else indices.
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        """Number of batches (map-style), or an estimate from ``len(dataset)`` (iterable-style)."""
        if self._dataset_kind == _DatasetKind.Iterable:
            # Only an estimate: the dataset decides how many samples it yields (and each
            # worker yields its own share).  Remember it, to warn if more batches come.
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:

                length = length // self.batch_size if self.drop_last else ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        """Warn, as PyTorch does, when ``num_workers`` exceeds the CPUs this process may use."""
        if not self.num_workers:
            return
        max_num_worker_suggest = _utils.cpu_count()
        cpuset_checked = hasattr(os, "sched_getaffinity")
        if max_num_worker_suggest is None or self.num_workers > max_num_worker_suggest:
            if max_num_worker_suggest is not None:
                suggested = (
                    f"Our suggested max number of worker in current system is {max_num_worker_suggest}"
                    f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}, which is smaller "
                    "than what this DataLoader is going to create."
                )
            else:
                suggested = "DataLoader is not able to compute a suggested max number of worker in current system."
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. {suggested} "
                "Please be aware that excessive worker creation might get DataLoader running slow or even freeze, "
                "lower the worker number to avoid potential slowness/freeze if necessary.",
                stacklevel=2,
            )


class _BaseDataLoaderIter:
    """State shared by both iterators: the index iterator, seeds, pinning, counters."""

    def __init__(self, loader: DataLoader) -> None:

        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers

        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn(
                "pin_memory_device is deprecated, the current accelerator will be used as the device,"
                f"ignore pin_memory_device='{loader.pin_memory_device}'.",
                stacklevel=2,
            )
        available = _pin_memory_available() if loader.pin_memory else False
        if loader.pin_memory and not available:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, "
                "then device pinned memory won't be used.",
                stacklevel=2,
            )
        self._pin_memory = loader.pin_memory and available
        self._pin_memory_device = "cuda" if self._pin_memory else None

        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # One int64 draw per epoch (NOTE [ Worker seeds ] in _utils/worker.py).  It is drawn
        # after iter(sampler) is created but, the sampler being a generator function, before
        # the sampler draws its own seed: the order that makes shuffles match PyTorch's.
        self._base_seed = torch.empty((), dtype=torch.int64).random_(generator=loader.generator).item()
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        if self._sampler_iter is None:
            self._reset()
        data = self._next_data()
        self._num_yielded += 1
        if (
            self._dataset_kind == _DatasetKind.Iterable
            and self._IterableDataset_len_called is not None
            and self._num_yielded > self._IterableDataset_len_called
        ):
            warn_msg = (
                f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called}"
                f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. "
            )
            if self._num_workers > 0:
                warn_msg += (
                    "For multiprocessing data-loading, this could be caused by not properly configuring the "
                    "IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples."
                )
            warnings.warn(warn_msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError("{} cannot be pickled", self.__class__.__name__)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """``num_workers=0``: fetch and collate in the main process, one batch per ``next()``."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        if self._num_workers != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires num_workers == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn, self._drop_last
        )

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        data = self._dataset_fetcher.fetch(index)  # may raise StopIteration
        if self._pin_memory:
            data = _utils.pin_memory.pin_memory(data, self._pin_memory_device)
        return data


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """``num_workers > 0``: see NOTE [ Data loading protocol ] at the top of this module."""

    def __init__(self, loader) -> None:
        # Attributes __del__ relies on, set first so that a failure below (for example a
        # worker that cannot be pickled under "spawn") still shuts down cleanly.
        self._shutdown = False
        self._workers = []
        self._index_queues = []
        self._worker_pids_set = False
        super().__init__(loader)

        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError("num_workers must be greater than 0 for MultiProcessingDataLoaderIter")
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")

        ctx = loader.multiprocessing_context
        if ctx is None:
            ctx = python_multiprocessing.get_context()  # the default start method

        self._worker_init_fn = loader.worker_init_fn
        self._worker_result_queue = _utils.worker._WorkerResultQueue(ctx=ctx)
        self._workers_done_event = ctx.Event()

        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            # Do not block at exit flushing tasks to a worker that is gone.
            index_queue.cancel_join_thread()
            w = ctx.Process(
                name=f"reftorch-DataLoader-worker-{i}",
                target=_utils.worker._worker_loop,
                args=(
                    self._dataset_kind, self._dataset, index_queue, self._worker_result_queue,
                    self._workers_done_event, self._auto_collation, self._collate_fn, self._drop_last,
                    self._base_seed, self._worker_init_fn, i, self._num_workers, self._persistent_workers,
                ),
            )
            # Daemonic: if the main process exits without shutting us down, the workers are
            # terminated by multiprocessing's exit handler rather than left behind.
            w.daemon = True
            try:
                w.start()
            except (TypeError, AttributeError, PicklingError):
                warnings.warn(
                    "Got pickle error when attempting to start a worker Process. "
                    "This might be because the worker Process arguments are not picklable. "
                    "Python 3.14+ changed the multiprocessing start method in non-Mac POSIX platforms "
                    "to 'forkserver', which requires the worker Process arguments to be picklable. "
                    "You can also try multiprocessing.set_start_method('fork').",
                    stacklevel=2,
                )
                index_queue.close()
                raise
            self._index_queues.append(index_queue)
            self._workers.append(w)

        if self._pin_memory:
            self._pin_memory_thread_done_event = threading.Event()
            self._data_queue = queue.Queue()
            pin_memory_thread = threading.Thread(
                target=_utils.pin_memory._pin_memory_loop,
                args=(self._worker_result_queue, self._data_queue, 0,
                      self._pin_memory_thread_done_event, self._pin_memory_device),
            )
            pin_memory_thread.daemon = True
            pin_memory_thread.start()
            self._pin_memory_thread = pin_memory_thread
        else:
            self._data_queue = self._worker_result_queue

        _live_iterator_queues[id(self)] = (self._index_queues, self._worker_result_queue)
        _utils.signal_handling._set_worker_pids(id(self), tuple(w.pid for w in self._workers))
        _utils.signal_handling._set_SIGCHLD_handler()
        self._worker_pids_set = True
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # number of the next task to send
        self._rcvd_idx = 0  # number of the next task to return
        self._task_info = {}  # task -> (worker_id,) in flight, or (worker_id, data) arrived
        self._tasks_outstanding = 0  # tasks sent and not yet received
        self._workers_status = [True] * self._num_workers  # worker still accepting tasks
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers, new epoch: tell each worker to restart its dataset
            # iterator and wait until all of them acknowledged.
            for idx in range(self._num_workers):
                self._index_queues[idx].put(_utils.worker._ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, return_data = self._get_data()
                if isinstance(return_idx, _utils.worker._ResumeIteration):
                    resume_iteration_cnt -= 1
        # Prime the pipeline.
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=None):
        """One bounded wait on the data queue: ``(True, data)`` or ``(False, None)``.

        Raises:
            RuntimeError: a worker died (``DataLoader worker (pid(s) ...) exited unexpectedly``).
        """
        if timeout is None:
            timeout = _utils.MP_STATUS_CHECK_INTERVAL
        try:
            data = self._data_queue.get(timeout=timeout)
            return (True, data)
        except Exception as e:
            # Nothing came, or the wait was interrupted: by the SIGCHLD handler raising
            # "DataLoader worker (pid N) is killed by signal: Killed. ", for instance, which
            # then becomes the __cause__ of the error below.  Is everyone still alive?
            failed_workers = []
            for worker_id, w in enumerate(self._workers):
                if self._workers_status[worker_id] and not w.is_alive():
                    failed_workers.append(w)
                    self._mark_worker_as_unavailable(worker_id)
            try:
                if failed_workers:
                    pids_str = ", ".join(str(w.pid) for w in failed_workers)
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids_str}) exited unexpectedly") from e
                if isinstance(e, queue.Empty):
                    return (False, None)
                raise
            finally:
                del e  # no frame <-> exception cycle (see ExceptionWrapper.reraise)

    def _get_data(self):
        """Wait for the next result: up to ``timeout`` seconds, or forever in bounded steps."""
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if success:
                return data
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        elif self._pin_memory:
            while self._pin_memory_thread.is_alive():
                success, data = self._try_get_data()
                if success:
                    return data
            raise RuntimeError("Pin memory thread exited unexpectedly")
        else:
            while True:
                success, data = self._try_get_data()
                if success:
                    return data

    def _next_data(self):
        while True:
            # Skip tasks whose worker is gone without delivering them (iterable-style
            # datasets: a worker whose stream ended).
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx, None)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:
                        break  # has data, or will have
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                # Nothing outstanding: the epoch is over.
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            # The next task's result already arrived out of order?
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError("Invalid iterator state: shutdown or no outstanding tasks when fetching next data")
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable:
                if isinstance(data, _utils.worker._IterableDatasetStopIteration):
                    # That worker's copy of the stream is exhausted.
                    if self._persistent_workers:
                        self._workers_status[data.worker_id] = False
                    else:
                        self._mark_worker_as_unavailable(data.worker_id)
                    self._try_put_index()
                    continue

            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)  # keep it until its turn
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self) -> None:
        """Send the next task to the next active worker (round-robin)."""
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError("Number of outstanding tasks exceeded maximum allowed tasks")
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # find the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                # Out of order: do not pile tasks onto one slow worker.
                if self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(self._workers_status):
                    break
        else:
            return  # no active worker left
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False) -> None:
        """Stop sending tasks to a worker and ask it to exit (``None`` on its queue)."""
        self._index_queues[worker_id].put(None)
        if hasattr(self, "_workers_status"):
            self._workers_status[worker_id] = False

    def _shutdown_workers(self) -> None:
        """Stop every worker; see NOTE [ Shutting the workers down ]."""
        if _utils is None or _utils.python_exit_status is True or _utils.python_exit_status is None:
            # Interpreter exit: multiprocessing's own exit handler terminates daemonic
            # workers; the objects used below may already be torn down.
            return
        if self._shutdown:
            return
        self._shutdown = True
        interval = _utils.MP_STATUS_CHECK_INTERVAL
        try:
            if hasattr(self, "_pin_memory_thread"):
                self._pin_memory_thread_done_event.set()
                # Wake the pinning thread if it is waiting on the result queue.
                self._worker_result_queue.put((None, None))
                self._pin_memory_thread.join()
                self._worker_result_queue.cancel_join_thread()
                self._worker_result_queue.close()

            if hasattr(self, "_workers_done_event"):
                self._workers_done_event.set()
            # (getattr: __init__ may have failed before these were set)
            status = getattr(self, "_workers_status", None) or [True] * len(self._workers)
            persistent = getattr(self, "_persistent_workers", False)
            for worker_id in range(len(self._workers)):
                if persistent or status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id, shutdown=True)
            for w in self._workers:
                w.join(timeout=interval)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            _live_iterator_queues.pop(id(self), None)
            # Forget the pids before terminating, so our own SIGTERMs raise nothing.
            if self._worker_pids_set:
                _utils.signal_handling._remove_worker_pids(id(self))
                self._worker_pids_set = False
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=interval)
                    if w.is_alive():  # ignored SIGTERM (e.g. stuck in C code): SIGKILL
                        w.kill()
                        w.join()

    def __del__(self) -> None:
        if getattr(self, "_workers", None) is not None:
            self._shutdown_workers()
