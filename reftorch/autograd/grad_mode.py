"""Gradient recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Mirrors ``torch.autograd.grad_mode``. The flags are thread-local, as in PyTorch; they live in
``reftorch/_grad_state.py``.
"""
from __future__ import annotations

import functools

from .._grad_state import set_inference as _set_inference, state as _state  # (the flags live below Tensor, which reads them)

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode"]


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for autograd (True by default)."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether inference mode is currently on.

    Mirrors ``torch.is_inference_mode_enabled``. Inference mode is entered with
    :class:`inference_mode`; the flag is per thread.

    Returns:
        bool: ``True`` inside ``inference_mode()`` (and not inside a nested
            ``inference_mode(False)``), ``False`` otherwise (the default).

    Examples:
        >>> import reftorch as torch
        >>> torch.is_inference_mode_enabled()
        False
        >>> with torch.inference_mode():
        ...     torch.is_inference_mode_enabled()
        True
    """
    return _state.inference


def _set(mode: bool) -> None:
    _state.enabled = bool(mode)


class _DecoratorContextManager:
    """A context manager that also works as a function decorator."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._clone():
                return func(*args, **kwargs)
        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Context manager (and decorator) that disables gradient recording.

    Results computed inside have ``requires_grad=False`` and no ``grad_fn``. Mirrors
    ``torch.no_grad``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0], requires_grad=True)
        >>> with torch.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set(False)

    def __exit__(self, *exc):
        _set(self._prev)
        return False


class enable_grad(_DecoratorContextManager):
    """Context manager (and decorator) that enables gradient recording inside ``no_grad``.

    Mirrors ``torch.enable_grad``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0], requires_grad=True)
        >>> with torch.no_grad():
        ...     with torch.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set(True)

    def __exit__(self, *exc):
        _set(self._prev)
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Turn gradient recording on or off: as a function call or a context manager.

    Mirrors ``torch.set_grad_enabled``. Called plainly, it sets the mode at once;
    used in ``with``, it restores the previous mode on exit.

    Args:
        mode: ``True`` to record operations, ``False`` not to.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([1.0], requires_grad=True)
        >>> with torch.set_grad_enabled(False):
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> _ = torch.set_grad_enabled(False)
        >>> torch.is_grad_enabled()
        False
        >>> _ = torch.set_grad_enabled(True)
        >>> (x * 2).requires_grad
        True
    """

    def __init__(self, mode: bool):
        self._prev = is_grad_enabled()
        self.mode = bool(mode)
        _set(self.mode)

    def __call__(self, func):
        # Used as a decorator, the mode set by the constructor is undone at once (PyTorch).
        _set(self._prev)
        return super().__call__(func)

    def _clone(self):
        return self.__class__(self.mode)

    def __enter__(self):
        _set(self.mode)

    def __exit__(self, *exc):
        _set(self._prev)
        return False


class inference_mode(no_grad):
    """Context manager (and decorator) for inference: no recording, and inference tensors.

    Mirrors ``torch.inference_mode``. Inside, gradients are not recorded (as in
    :class:`no_grad`) and every tensor created, except a view of a normal tensor, is an
    *inference tensor* (``is_inference()`` is True). Outside inference mode an inference
    tensor cannot be written in place, saved for backward, or asked for its ``_version``
    (each raises ``RuntimeError``).

    Args:
        mode: ``True`` (the default) to enter inference mode; ``False`` to leave it
            (inside an outer ``inference_mode()``) and restore normal recording.

    Examples:
        >>> import reftorch as torch
        >>> with torch.inference_mode():
        ...     t = torch.ones(2)
        >>> t.is_inference(), t.requires_grad
        (True, False)
    """

    def __init__(self, mode: bool = True):
        self.mode = mode

    def _clone(self):
        return self.__class__(self.mode)

    def __enter__(self):
        self._prev = is_grad_enabled()
        self._prev_inference = _state.inference
        _set(not self.mode and self._prev)
        _set_inference(bool(self.mode))

    def __exit__(self, *exc):
        _set(self._prev)
        _set_inference(self._prev_inference)
        return False
