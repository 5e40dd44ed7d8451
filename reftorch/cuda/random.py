"""``reftorch.cuda.random``: seeding for CUDA tensors. Mirrors ``torch.cuda.random``.

reftorch draws CUDA tensors' random numbers from the CPU generator (then copies them to
the GPU), so ``torch.manual_seed`` alone makes GPU runs repeatable and these functions
only need to accept their arguments, as PyTorch's do (lazily) on a CPU-only build.
"""
from __future__ import annotations

from ..random import initial_seed as cpu_initial_seed


def manual_seed(seed) -> None:
    """Seed the current GPU's generator: accepted; reftorch's CUDA draws follow
    ``torch.manual_seed``."""
    int(seed)


def manual_seed_all(seed) -> None:
    """Seed every GPU's generator: accepted (see :func:`manual_seed`)."""
    int(seed)


def seed() -> None:
    """Seed the current GPU's generator with a random number: accepted."""


def seed_all() -> None:
    """Seed every GPU's generator with a random number: accepted."""


def initial_seed() -> int:
    """The seed of the current GPU's generator: the CPU generator's in reftorch.

    Raises:
        AssertionError: without a GPU ("Torch not compiled with CUDA enabled").
    """
    from . import _lazy_init  # (torch.cuda's own __init__, which imports this module)
    _lazy_init()
    return cpu_initial_seed()
