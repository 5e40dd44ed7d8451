"""Utilities mirroring ``torch.utils``; so far only :mod:`reftorch.utils.data`."""

from . import data

__all__ = ["data"]
