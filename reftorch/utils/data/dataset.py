"""Datasets: where samples come from (mirrors ``torch/utils/data/dataset.py``).

Two kinds of dataset exist, and the DataLoader treats them differently:

* **map-style** (:class:`Dataset`): ``dataset[i]`` returns sample ``i`` and ``len(dataset)``
  says how many there are.  A *sampler* decides the order of the indices.
* **iterable-style** (:class:`IterableDataset`): ``iter(dataset)`` yields samples; there are
  no indices, so there is no sampler and no ``shuffle``.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence

import reftorch as torch

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
    "ChainDataset", "Subset", "random_split",
]


class Dataset:
    """Base class of map-style datasets: a mapping from index to sample.

    Mirrors ``torch.utils.data.Dataset``.  Subclasses implement ``__getitem__`` and, for
    the default samplers, ``__len__``.  They may also implement ``__getitems__(indices)``
    returning a list of samples, which the DataLoader then calls once per batch.

    ``dataset_a + dataset_b`` is a :class:`ConcatDataset`.
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])

    # No default ``__len__``: ``len()`` of a dataset without one raises TypeError, which
    # is what samplers and the DataLoader rely on to detect it.

    def __class_getitem__(cls, item):  # allow ``Dataset[int]`` annotations as in PyTorch
        return cls


class IterableDataset(Dataset, Iterable):
    """Base class of iterable-style datasets: a stream of samples.

    Mirrors ``torch.utils.data.IterableDataset``.  Subclasses implement ``__iter__``.

    With ``num_workers > 0`` **every worker iterates its own copy** of the dataset, so
    without precautions each sample comes out ``num_workers`` times.  Use
    :func:`~reftorch.utils.data.get_worker_info` inside ``__iter__`` (or in
    ``worker_init_fn``) to give each worker its own share.

    ``stream_a + stream_b`` is a :class:`ChainDataset`.  As in PyTorch, ``__iter__`` is
    abstract (inherited from ``collections.abc.Iterable``): a subclass without it cannot
    be instantiated.
    """

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Dataset of tensors indexed together along their first dimension.

    Mirrors ``torch.utils.data.TensorDataset``: sample ``i`` is
    ``tuple(t[i] for t in tensors)``, like ``zip`` over the rows.

    Args:
        *tensors (Tensor): tensors with the same size of dimension 0.

    Raises:
        AssertionError: ``Size mismatch between tensors`` when the first dimensions differ.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.utils.data import TensorDataset
        >>> ds = TensorDataset(torch.arange(6).reshape(3, 2), torch.tensor([0, 1, 0]))
        >>> len(ds)
        3
        >>> ds[1]
        (tensor([2, 3]), tensor(1))
    """

    def __init__(self, *tensors) -> None:
        if any(tensors[0].size(0) != tensor.size(0) for tensor in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Datasets of equal length side by side: sample ``i`` gathers sample ``i`` of each.

    Mirrors ``torch.utils.data.StackDataset``.  Positional datasets give tuples, keyword
    datasets give dicts.

    Args:
        *args (Dataset): datasets whose samples are returned as a tuple.
        **kwargs (Dataset): datasets whose samples are returned as a dict.

    Raises:
        ValueError: both ``args`` and ``kwargs``, neither, or datasets of different lengths.
    """

    def __init__(self, *args, **kwargs) -> None:
        if args:
            if kwargs:
                raise ValueError(
                    "Supported either ``tuple``- (via ``args``) or"
                    "``dict``- (via ``kwargs``) like input/output, but both types are given."
                )
            self._length = len(args[0])
            if any(self._length != len(dataset) for dataset in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(dataset) for dataset in tmp):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: dataset[index] for k, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list):
        """One batch at once, using the member datasets' ``__getitems__`` where they have it."""

        def column(dataset):
            if callable(getattr(dataset, "__getitems__", None)):
                items = dataset.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError(
                        "Nested dataset's output size mismatch."
                        f" Expected {len(indices)}, got {len(items)}"
                    )
                return items
            return [dataset[idx] for idx in indices]

        if isinstance(self.datasets, dict):
            batch = [{} for _ in indices]
            for k, dataset in self.datasets.items():
                for sample, value in zip(batch, column(dataset)):
                    sample[k] = value
            return batch
        columns = [column(dataset) for dataset in self.datasets]
        return [tuple(values) for values in zip(*columns)]

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """Several map-style datasets one after the other.

    Mirrors ``torch.utils.data.ConcatDataset``.  Index ``i`` is located with a binary
    search in :attr:`cumulative_sizes`.

    Args:
        datasets (iterable): the datasets to concatenate.

    Raises:
        AssertionError: the list is empty or contains an :class:`IterableDataset`.
        ValueError: a negative index below ``-len(self)``.
    """

    @staticmethod
    def cumsum(sequence):
        """Running totals of ``len()`` of each dataset."""
        r, s = [], 0
        for e in sequence:
            length = len(e)
            r.append(length + s)
            s += length
        return r

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """Several iterable-style datasets chained into one stream.

    Mirrors ``torch.utils.data.ChainDataset``.

    Args:
        datasets (iterable of IterableDataset): the streams, in order.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, re-numbered from 0.

    Mirrors ``torch.utils.data.Subset``.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence): indices into ``dataset`` selected for the subset.
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        if type(self).__getitem__ is not Subset.__getitem__ and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. "
                "When subclassing Subset and overriding __getitem__, you must also override "
                "__getitems__ to ensure DataLoader works correctly with your custom logic. "
                "A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]"
            )

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[idx] for idx in indices])
        return [self.dataset[self.indices[idx]] for idx in indices]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` at random into non-overlapping :class:`Subset` s.

    Mirrors ``torch.utils.data.random_split``.  ``lengths`` holds either the sizes of the
    parts (summing to ``len(dataset)``) or fractions summing to 1; fractions become
    ``floor(frac * len(dataset))`` and the remainder is handed out one by one, round-robin,
    from the first part.  The indices come from one ``randperm(len(dataset), generator=...)``,
    so with the same generator seed the split is the same as PyTorch's.

    Args:
        dataset (Dataset): the dataset to split.
        lengths (sequence of int or float): sizes, or fractions, of the parts.
        generator (Generator, optional): source of randomness; the global generator when
            ``None`` (PyTorch's default argument is that generator).

    Returns:
        list[Subset]: one subset per entry of ``lengths``.

    Raises:
        ValueError: a fraction outside [0, 1], or sizes not adding up to ``len(dataset)``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.utils.data import random_split
        >>> parts = random_split(range(10), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(42))
        >>> [list(p) for p in parts]
        [[2, 6, 1, 8, 4], [5, 0, 9], [3, 7]]
    """

    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(math.floor(len(dataset) * frac))
        remainder = len(dataset) - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")

    indices = torch.randperm(sum(lengths), generator=generator).tolist()
    return [
        Subset(dataset, indices[offset - length: offset])
        for offset, length in zip(itertools.accumulate(lengths), lengths)
    ]
