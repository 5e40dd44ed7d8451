"""``torch.autocast``: regions where chosen ops run in a lower precision. Mirrors
``torch/amp/autocast_mode.py``; the state and the op lists are in ``reftorch/_autocast.py``."""
from __future__ import annotations

import collections.abc
import functools
import warnings

from .. import _autocast
from .. import _dtype as D
from .. import cuda as _cuda
from .._tensor import Tensor

__all__ = ["autocast_decorator", "autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]


def _not_a_string(device_type):
    return f"Expected `device_type` of type `str`, got: `<class '{_autocast._arg_type(device_type)}'>`"


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast exists for ``device_type`` (``'cpu'``, ``'cuda'``, ``'mps'``,
    ``'xpu'``...; not ``'meta'``). reftorch casts only under CPU autocast. Mirrors
    ``torch.amp.is_autocast_available``.

    Raises:
        RuntimeError: for an unknown device type.

    Examples:
        >>> import reftorch as torch
        >>> torch.amp.is_autocast_available("cpu"), torch.amp.is_autocast_available("meta")
        (True, False)
    """
    return _autocast._device_type_of(device_type, "_is_autocast_available") in _autocast.AVAILABLE


def autocast_decorator(autocast_instance, func):
    """``func`` run inside ``autocast_instance`` (what ``@torch.autocast(...)`` returns)."""
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)
    return decorate_autocast


class autocast:
    """A context manager (or decorator) whose region runs chosen ops in a lower precision.

    In an enabled CPU region, the ops on PyTorch's CPU lists cast their floating inputs
    (float64 ones excepted) before running: the matrix products and convolutions
    (``mm``, ``matmul``/``@``, ``bmm``, ``addmm``, ``baddbmm``, ``addbmm``,
    ``F.linear``, ``conv1d``/``2d``/``3d``, ``conv_transpose*``, ``prelu``,
    ``scaled_dot_product_attention``...) to ``dtype``; the losses, ``prod``, ``cdist``,
    ``trace``, the FFTs and most ``linalg`` functions to float32; ``cat``, ``stack`` and
    ``index_copy`` to the widest floating input. Other ops run in their inputs' dtype.
    The casts are recorded by autograd (``ToCopyBackward0``), so the gradients of float32
    parameters come back in float32. The casts of the weights (float32 leaves that require
    grad) are made once per outermost region when ``cache_enabled``.

    Args:
        device_type: ``'cpu'`` (or ``'cuda'``: reftorch casts nothing there and disables
            the region with a warning, as PyTorch does without a GPU).
        dtype: the lower precision; default ``torch.get_autocast_dtype(device_type)``
            (``torch.bfloat16`` on the CPU). The CPU accepts ``torch.bfloat16`` and
            ``torch.float16``; another dtype warns and disables the region.
        enabled: ``False`` makes a region where autocast is off (nested in an enabled one).
        cache_enabled: keep the weight casts for the region; default
            ``torch.is_autocast_cache_enabled()``.

    Raises:
        ValueError: when ``device_type`` is not a string.
        RuntimeError: for a device type without autocast.

    Mirrors ``torch.autocast`` (``torch.amp.autocast``); the state is thread-local.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.ones(2, 2, requires_grad=True)
        >>> with torch.autocast("cpu", dtype=torch.float16):
        ...     y = a @ a
        ...     loss = torch.nn.functional.mse_loss(y, torch.zeros(2, 2))
        >>> y.dtype, loss.dtype
        (torch.float16, torch.float32)
        >>> loss.backward()
        >>> a.grad
        tensor([[4., 4.],
                [4., 4.]])
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(_not_a_string(device_type))
        self.fast_dtype = _autocast.get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{self.device}'")
        self._cache_enabled = _autocast.is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        if enabled:
            if self.device == "cuda":
                if not _cuda.is_available():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                                  stacklevel=2)
                else:  # reftorch's deliberate difference: no CUDA op lists
                    warnings.warn("reftorch implements CPU autocast only. Disabling autocast.", stacklevel=2)
                enabled = False
            elif self.fast_dtype not in (D.bfloat16, D.float16):
                name = self.device.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                              f"{name} Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                              stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = _autocast.is_autocast_cache_enabled()
        self.prev = _autocast.is_autocast_enabled(self.device)
        self.prev_fastdtype = _autocast.get_autocast_dtype(self.device)
        _autocast.set_autocast_enabled(self.device, self._enabled)
        _autocast.set_autocast_dtype(self.device, self.fast_dtype)
        _autocast.autocast_increment_nesting()
        _autocast.set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if _autocast.autocast_decrement_nesting() == 0:  # left the outermost region
            _autocast.clear_autocast_cache()
        _autocast.set_autocast_enabled(self.device, self.prev)
        _autocast.set_autocast_dtype(self.device, self.prev_fastdtype)
        _autocast.set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                            f"Did you mean to use autocast as a context manager? For example:\n"
                            f"    with torch.autocast(device_type=...):\n"
                            f"        output = model(input)")
        return autocast_decorator(self, func)


def _cast(value, device_type: str, dtype):
    """``value`` with its floating tensors (float64 excepted) of ``device_type`` cast to
    ``dtype``, through lists, tuples, mappings and other iterables (strings and NumPy
    arrays kept)."""
    if isinstance(value, Tensor):
        eligible = value.is_floating_point() and value.device.type == device_type and value.dtype is not D.float64
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes)) or type(value).__module__ == "numpy":
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        iterable = (_cast(v, device_type, dtype) for v in value)
        return type(value)(iterable) if isinstance(value, (list, tuple)) else iterable
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorate the ``forward`` of a custom :class:`~reftorch.autograd.Function`: with
    ``cast_inputs``, in an autocast region its floating tensor arguments are cast to
    ``cast_inputs`` and it runs with autocast off; without, it runs in the region's state,
    which :func:`custom_bwd` then restores for ``backward``. Mirrors ``torch.amp.custom_fwd``.

    Raises:
        ValueError: when ``device_type`` is not a string.
    """
    if not isinstance(device_type, str):
        raise ValueError(_not_a_string(device_type))
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = _autocast.get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = _autocast.is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        args[0]._fwd_used_autocast = False
        if _autocast.is_autocast_enabled(device_type):
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorate the ``backward`` of a custom :class:`~reftorch.autograd.Function` so that it
    runs in the autocast state its ``forward`` (decorated by :func:`custom_fwd`) ran in.
    Mirrors ``torch.amp.custom_bwd``.

    Raises:
        ValueError: when ``device_type`` is not a string.
    """
    if not isinstance(device_type, str):
        raise ValueError(_not_a_string(device_type))
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
