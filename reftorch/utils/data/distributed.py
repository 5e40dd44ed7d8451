"""``DistributedSampler``: each of ``num_replicas`` processes reads its own share of a dataset.

Mirrors ``torch/utils/data/distributed.py``.  reftorch has no process groups, so
``num_replicas`` and ``rank`` must be given explicitly; leaving them out raises the
``ValueError`` PyTorch raises when no process group was initialised.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import reftorch as torch

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Restrict loading to the share of the dataset that belongs to replica ``rank``.

    The index list (shuffled with seed ``seed + epoch`` if ``shuffle``) is padded by
    repeating its start (or cut, with ``drop_last``) to a multiple of ``num_replicas``,
    then replica ``rank`` takes every ``num_replicas``-th index starting at ``rank``.

    Args:
        dataset: the dataset (only its ``len()`` is used).
        num_replicas (int): number of processes.
        rank (int): this process's rank, ``0 <= rank < num_replicas``.
        shuffle (bool): shuffle the indices. Default: ``True``.
        seed (int): shuffle seed, identical on every replica. Default: ``0``.
        drop_last (bool): cut the tail instead of padding. Default: ``False``.

    Raises:
        ValueError: no ``num_replicas``/``rank`` (no process group), or an invalid rank.
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            raise ValueError(
                "Default process group has not been initialized, please make sure to call init_process_group."
            )
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:

        if self.shuffle:
            g = torch.Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = torch.randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank: self.total_size: self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use a different shuffle in epoch ``epoch`` (call before each epoch's ``iter``)."""
        self.epoch = epoch
