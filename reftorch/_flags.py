"""The process-wide switches of the ``torch`` namespace.

Deterministic algorithms act as on PyTorch's CPU: NumPy's kernels are deterministic
already, but the ops PyTorch lists as having no deterministic implementation on the CPU
raise (or warn) through :func:`alert_not_deterministic`, and uninitialised memory
(``empty``, ``resize_``) is filled (:data:`fill_uninitialized_memory`). The float32 matmul
precision (no TensorFloat-32 on NumPy) and flushing denormals are only recorded.
``set_warn_always`` makes the once-per-process warnings of :mod:`reftorch._warnings` warn
every time.

The functions mirror their ``torch.*`` namesakes: the same answers, defaults, and errors
for bad arguments, so code that sets them runs unchanged.
"""
from __future__ import annotations

import builtins
import warnings

from . import _warnings

#: ``use_deterministic_algorithms`` state: [enabled, warn_only]
_deterministic = [False, False]
#: ``torch.utils.deterministic.fill_uninitialized_memory``: [on] (default on)
fill_uninitialized_memory = [True]
#: ``set_float32_matmul_precision`` state (also ``torch.backends.cuda.matmul.allow_tf32``)
_matmul_precision = ["highest"]
_DEBUG_MODES = ("default", "warn", "error")


def _need_bool(what, value):
    if value.__class__ is not builtins.bool:
        raise RuntimeError(f"{what} expects a bool, but got {type(value).__name__}")


def use_deterministic_algorithms(mode, *, warn_only=False) -> None:
    """Ask for deterministic algorithms (``mode=True``); with ``warn_only``, an op without
    one would warn rather than raise. Mirrors ``torch.use_deterministic_algorithms``.

    On the CPU, as in PyTorch: ``put_`` without ``accumulate`` and max unpooling raise
    RuntimeError (with ``warn_only``, a UserWarning), and ``empty``, ``empty_like``,
    ``empty_strided``, ``new_empty`` and the memory ``resize_`` adds are filled with nan
    (integers: their largest value, bool: True) while
    ``torch.utils.deterministic.fill_uninitialized_memory`` is True. The other kernels are
    deterministic already.

    Raises:
        TypeError: when ``mode`` or ``warn_only`` is not a bool.

    Examples:
        >>> import reftorch as torch
        >>> torch.use_deterministic_algorithms(True)
        >>> torch.are_deterministic_algorithms_enabled(), torch.get_deterministic_debug_mode()
        (True, 2)
        >>> torch.use_deterministic_algorithms(False)
    """
    if mode.__class__ is not builtins.bool:
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, "
                        f"not {type(mode).__name__}")
    if warn_only.__class__ is not builtins.bool:
        raise TypeError(f"_set_deterministic_algorithms(): argument 'warn_only' must be bool, "
                        f"not {type(warn_only).__name__}")
    _deterministic[:] = [mode, warn_only]


def alert_not_deterministic(caller: str) -> None:
    """PyTorch's ``alertNotDeterministic(caller)``, called first thing by an op with no
    deterministic implementation: nothing unless :func:`use_deterministic_algorithms` is on;
    then PyTorch's RuntimeError, or with ``warn_only`` its UserWarning (every time).

    Raises:
        RuntimeError: "<caller> does not have a deterministic implementation, but you set
            'torch.use_deterministic_algorithms(True)'. …"
    """
    if not _deterministic[0]:
        return
    if _deterministic[1]:
        warnings.warn(f"{caller} does not have a deterministic implementation, but you set "
                      "'torch.use_deterministic_algorithms(True, warn_only=True)'. You can file an issue at "
                      "https://github.com/pytorch/pytorch/issues to help us prioritize adding deterministic "
                      "support for this operation. (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/Context.cpp:186.)", UserWarning,
                      stacklevel=_warnings.user_stacklevel())
        return
    raise RuntimeError(f"{caller} does not have a deterministic implementation, but you set "
                       "'torch.use_deterministic_algorithms(True)'. You can turn off determinism just for this "
                       "operation, or you can use the 'warn_only=True' option, if that's acceptable for your "
                       "application. You can also file an issue at https://github.com/pytorch/pytorch/issues to "
                       "help us prioritize adding deterministic support for this operation.")


def fills_uninitialized_memory() -> bool:
    """Whether new uninitialised memory is to be filled (deterministic algorithms on and
    ``torch.utils.deterministic.fill_uninitialized_memory`` True)."""
    return _deterministic[0] and fill_uninitialized_memory[0]


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was switched on (default False).
    Mirrors ``torch.are_deterministic_algorithms_enabled``.

    Examples:
        >>> import reftorch as torch
        >>> torch.are_deterministic_algorithms_enabled()
        False
    """
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether the last :func:`use_deterministic_algorithms` call had ``warn_only=True``
    (whatever its ``mode``, as in PyTorch). Mirrors
    ``torch.is_deterministic_algorithms_warn_only_enabled``.

    Examples:
        >>> import reftorch as torch
        >>> torch.is_deterministic_algorithms_warn_only_enabled()
        False
    """
    return _deterministic[1]


def set_deterministic_debug_mode(debug_mode) -> None:
    """The same switch as :func:`use_deterministic_algorithms`, by name or number:
    ``"default"``/``0`` (off), ``"warn"``/``1`` (on, warn only), ``"error"``/``2`` (on).
    Mirrors ``torch.set_deterministic_debug_mode``.

    Raises:
        TypeError: when ``debug_mode`` is neither a str nor an int.
        RuntimeError: for any other name or number.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_deterministic_debug_mode("warn")
        >>> torch.get_deterministic_debug_mode(), torch.is_deterministic_algorithms_warn_only_enabled()
        (1, True)
        >>> torch.set_deterministic_debug_mode(0)
    """
    if not isinstance(debug_mode, (builtins.int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                               f"but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """The current deterministic debug mode: 0 (off), 1 (warn only) or 2 (on). Mirrors
    ``torch.get_deterministic_debug_mode``.

    Examples:
        >>> import reftorch as torch
        >>> torch.get_deterministic_debug_mode()
        0
    """
    if not _deterministic[0]:
        return 0
    return 1 if _deterministic[1] else 2


def set_float32_matmul_precision(precision) -> None:
    """Record the internal precision of float32 matrix products: ``"highest"`` (the
    default), ``"high"`` or ``"medium"`` (these allow TensorFloat-32 on GPUs that have it,
    and switch ``torch.backends.cuda.matmul.allow_tf32`` on). reftorch always computes in
    full float32. Mirrors ``torch.set_float32_matmul_precision``.

    An unknown name changes nothing, with PyTorch's warning.

    Raises:
        RuntimeError: when ``precision`` is not a str.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_float32_matmul_precision("high")
        >>> torch.get_float32_matmul_precision()
        'high'
        >>> torch.set_float32_matmul_precision("highest")
    """
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      f"setFloat32MatmulPrecision call has no effect. (Triggered internally at "
                      f"/__w/pytorch/pytorch/aten/src/ATen/Context.cpp:458.)", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision set by :func:`set_float32_matmul_precision`
    (``"highest"`` by default). Mirrors ``torch.get_float32_matmul_precision``.

    Examples:
        >>> import reftorch as torch
        >>> torch.get_float32_matmul_precision()
        'highest'
    """
    return _matmul_precision[0]


def set_warn_always(b) -> None:
    """With ``True``, the warnings PyTorch gives once per process (``TORCH_WARN_ONCE``)
    are given every time. Mirrors ``torch.set_warn_always``.

    Raises:
        RuntimeError: when ``b`` is not a bool.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_warn_always(True)
        >>> torch.is_warn_always_enabled()
        True
        >>> torch.set_warn_always(False)
    """
    _need_bool("setWarnOnlyOnce", b)
    _warnings.always = b


def is_warn_always_enabled() -> bool:
    """Whether :func:`set_warn_always` is on (default False). Mirrors
    ``torch.is_warn_always_enabled``.

    Examples:
        >>> import reftorch as torch
        >>> torch.is_warn_always_enabled()
        False
    """
    return _warnings.always


def set_flush_denormal(mode) -> bool:
    """Ask the CPU to flush denormal floats to zero. PyTorch returns True where the CPU
    supports it (x86 with SSE3); reftorch answers True and leaves NumPy's arithmetic as it
    is (denormals are kept). Mirrors ``torch.set_flush_denormal``.

    Raises:
        RuntimeError: when ``mode`` is not a bool.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_flush_denormal(False)
        True
    """
    _need_bool("flush_denormal", mode)
    return True
