"""``torch.backends``: the switches and queries of PyTorch's compute libraries (cuDNN,
cuBLAS, MPS, oneDNN, OpenMP). Mirrors ``torch.backends``.

reftorch computes with NumPy (and CuPy) and uses none of these libraries; each namespace
answers as a CPU-only PyTorch 2.13 build does on a machine without a GPU
(``cudnn.is_available()`` is False, ``mkldnn.is_available()`` True …), and its flags can be
read and set (checked as PyTorch checks them) without changing any result.
"""
from __future__ import annotations

from . import cuda, cudnn, mkldnn, mps, openmp  # noqa: F401

__all__ = ["cuda", "cudnn", "mkldnn", "mps", "openmp"]
