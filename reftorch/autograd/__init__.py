"""Reverse-mode automatic differentiation. Mirrors ``torch.autograd``.

* :class:`Function` — user-defined differentiable functions (``_custom_function.py``);
  reftorch's own ops subclass ``function.OpFunction`` (``reftorch/_ops``);
* :class:`Variable` — PyTorch's legacy name, kept: ``Variable(t)`` is a leaf tensor;
* :func:`backward` / :func:`grad` — run the backward pass (``_grad.py`` over ``engine.py``);
* :func:`gradcheck` / :func:`gradgradcheck` — finite differences against the analytical
  gradients (``gradcheck.py``);
* ``no_grad``, ``enable_grad``, ``set_grad_enabled`` — recording switches (``grad_mode.py``);
* :class:`detect_anomaly` / :class:`set_detect_anomaly` — forward stacks for failing backwards
  and nan checks (``anomaly_mode.py``).
"""
from __future__ import annotations

from .function import Function, Node, AccumulateGrad, OpFunction, once_differentiable  # noqa: F401
from . import function  # noqa: F401
from .variable import Variable
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from ._grad import backward, grad
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from . import functional  # noqa: F401  (torch.autograd.functional)
from .gradcheck import gradcheck, gradgradcheck  # (the attribute gradcheck is then the function, as in PyTorch)

__all__ = ["Function", "Variable", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly"]
