"""Autograd functions written with the public :class:`reftorch.autograd.Function` (as in
``torch.autograd._functions``)."""
from .tensor import Resize

__all__ = ["Resize"]
