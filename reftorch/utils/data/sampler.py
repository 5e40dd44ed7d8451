"""Samplers: the order in which a DataLoader visits a map-style dataset.

Mirrors ``torch/utils/data/sampler.py``.  A sampler is any iterable of indices (with
``__len__`` if the DataLoader's ``len()`` is to work); a *batch sampler* is an iterable of
lists of indices.  The DataLoader builds ``BatchSampler(sampler, batch_size, drop_last)``
itself unless it is given a ``batch_sampler``.

Random samplers draw from a :class:`reftorch.Generator` with the same calls, in the same
order, as PyTorch; with equal seeds they produce the same indices.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized

import reftorch as torch

__all__ = [
    "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
    "WeightedRandomSampler",
]


class Sampler:
    """Base class of samplers: subclasses implement ``__iter__`` (and usually ``__len__``).

    Mirrors ``torch.utils.data.Sampler``.  ``__len__`` is deliberately not defined here, so
    that ``len()`` of a sampler without one raises ``TypeError``.
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError

    def __class_getitem__(cls, item):  # ``Sampler[int]`` annotations
        return cls


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1``, always in that order.

    Args:
        data_source (Sized): the dataset (only its ``len()`` is used).
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices: a permutation, or draws with replacement.

    Mirrors ``torch.utils.data.RandomSampler``.  Without replacement it yields
    ``randperm(n)`` (then, if ``num_samples > n``, further permutations, the last one cut
    short).  With replacement it yields ``randint(0, n)`` draws, 32 at a time.  When no
    ``generator`` is given, each ``iter()`` first draws a seed from the global generator
    and uses a fresh generator seeded with it.

    Args:
        data_source (Sized): the dataset (only its ``len()`` is used).
        replacement (bool): draw with replacement. Default: ``False``.
        num_samples (int, optional): how many indices per pass. Default: ``len(data_source)``.
        generator (Generator, optional): source of randomness.

    Raises:
        TypeError: ``replacement`` is not a bool.
        ValueError: ``num_samples`` is not a positive int.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.utils.data import RandomSampler
        >>> list(RandomSampler(range(5), generator=torch.Generator().manual_seed(0)))
        [4, 0, 1, 3, 2]
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """Indices per pass: ``num_samples`` if given, else ``len(data_source)``."""
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self) -> Iterator[int]:

        n = len(self.data_source)
        if self.generator is None:
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
            generator = torch.Generator()
            generator.manual_seed(seed)
        else:
            generator = self.generator

        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from torch.randint(high=n, size=(32,), dtype=torch.int64, generator=generator).tolist()
            yield from torch.randint(
                high=n, size=(self.num_samples % 32,), dtype=torch.int64, generator=generator
            ).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from torch.randperm(n, generator=generator).tolist()
            yield from torch.randperm(n, generator=generator).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices``, in a random order (a new permutation each pass).

    Args:
        indices (sequence): the indices to visit.
        generator (Generator, optional): source of randomness.
    """

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:

        for i in torch.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices ``0..len(weights)-1`` drawn with probability proportional to ``weights``.

    Mirrors ``torch.utils.data.WeightedRandomSampler`` (which calls ``torch.multinomial``).
    A typical use is to over-sample rare classes: give each sample the weight
    ``1 / count(its class)``.

    Args:
        weights (sequence): non-negative weights, not necessarily summing to 1.
        num_samples (int): number of indices per pass.
        replacement (bool): draw with replacement (default). Without replacement an index
            appears at most once per pass.
        generator (Generator, optional): source of randomness.

    Raises:
        ValueError: ``num_samples`` not a positive int, ``replacement`` not a bool (note:
            ``RandomSampler`` raises TypeError for that one), or weights not 1-D.
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator=None) -> None:

        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights_tensor = torch.as_tensor(weights, dtype=torch.double)
        if len(weights_tensor.shape) != 1:
            raise ValueError(
                "weights should be a 1d sequence but given "
                f"weights have shape {tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:

        rand_tensor = torch.multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        yield from iter(rand_tensor.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Mirrors ``torch.utils.data.BatchSampler``.  ``len()`` is
    ``ceil(len(sampler) / batch_size)``, or ``floor(...)`` with ``drop_last=True``.

    Args:
        sampler (Sampler or iterable): source of indices.
        batch_size (int): size of each list.
        drop_last (bool): drop the last list if it is shorter than ``batch_size``.

    Raises:
        ValueError: ``batch_size`` not a positive int, or ``drop_last`` not a bool.

    Examples:
        >>> from reftorch.utils.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        sampler_iter = iter(self.sampler)
        if self.drop_last:
            # zip stops at the first incomplete group: exactly the full batches.
            for batch in zip(*[sampler_iter] * self.batch_size):
                yield [*batch]
        else:
            batch = [*itertools.islice(sampler_iter, self.batch_size)]
            while batch:
                yield batch
                batch = [*itertools.islice(sampler_iter, self.batch_size)]

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
