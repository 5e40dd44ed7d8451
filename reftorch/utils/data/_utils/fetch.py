"""Turn one index (or one list of indices) into one sample or batch.

Mirrors ``torch/utils/data/_utils/fetch.py``.  The same fetchers run in the main process
(``num_workers=0``) and inside workers, so both paths build identical batches.
"""

from __future__ import annotations


class _BaseDatasetFetcher:
    """Holds what a fetch needs: the dataset and how to collate.

    Args:
        dataset: the map-style or iterable-style dataset.
        auto_collation: True when the loader batches (``batch_size`` or ``batch_sampler``
            given); ``index`` is then a list of indices and the samples go through
            ``collate_fn`` together.
        collate_fn: ``default_collate``/``default_convert`` or the user's function.
        drop_last: drop an incomplete final batch (iterable-style datasets only; for
            map-style datasets the batch sampler already dropped it).
    """

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    """Reads the next sample(s) from ``iter(dataset)``; the index is only a count."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    """Calls ``dataset[i]`` for each index (or ``dataset.__getitems__(indices)`` if defined)."""

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if hasattr(self.dataset, "__getitems__") and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)
