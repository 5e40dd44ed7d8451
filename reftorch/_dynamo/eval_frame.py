"""What ``torch.compile`` returns: ``OptimizedModule`` for a module, a wrapping function
for any other callable. Mirrors ``torch._dynamo.eval_frame``.

reftorch has no compiler. A "compiled" callable runs the original one eagerly (same
results, no speed-up); what it keeps from PyTorch is everything observable without a
clock: the wrapper types, names and reprs, the ``_orig_mod.`` prefix of a compiled
module's ``state_dict`` keys, and :func:`torch.compiler.is_compiling` answering ``True``
while compiled code runs (and ``False`` inside :func:`torch.compiler.disable` d functions).
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Sized

from ..distributions.distribution import Distribution
from ..nn.modules import module as _module

__all__ = ["DisableContext", "OptimizeContext", "OptimizedModule"]

#: True while a compiled callable runs (outside the disabled functions it calls).
_is_compiling_flag = False


def _run(compiling: bool, fn, args, kwargs):
    """``fn(*args, **kwargs)`` with the compiling flag set to ``compiling`` meanwhile."""
    global _is_compiling_flag
    prior, _is_compiling_flag = _is_compiling_flag, compiling
    try:
        return fn(*args, **kwargs)
    finally:
        _is_compiling_flag = prior


class _TorchDynamoContext:
    """Wraps callables so that they run with the compiling flag set to ``compiling``."""

    compiling = True

    def __init__(self, backend="inductor", mode=None, options=None, fullgraph=False, dynamic=None) -> None:
        self.backend, self.mode, self.options = backend, mode, options
        self.fullgraph, self.dynamic = fullgraph, dynamic

    def __call__(self, fn):
        if isinstance(fn, _module.Module):
            return OptimizedModule(fn, self)
        if not callable(fn):
            raise AssertionError(f"A callable function is expected, but {type(fn)} is provided.")

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            return _run(self.compiling, fn, args, kwargs)

        wrapped._torchdynamo_orig_callable = fn
        return wrapped


class OptimizeContext(_TorchDynamoContext):
    """The context ``torch.compile`` wraps with (compiling flag on). Making one turns off
    the argument validation of ``torch.distributions`` for the whole process, as PyTorch's
    first ``torch.compile`` does (``TorchPatcher.patch``: its compiler cannot trace the
    checks): ``Normal(0.0, -1.0)`` no longer raises afterwards."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _patch_torch()


@functools.cache
def _patch_torch() -> None:
    """What PyTorch's ``TorchPatcher.patch`` changes that eager code can see (once)."""
    Distribution.set_default_validate_args(False)


class DisableContext(_TorchDynamoContext):
    """The context of :func:`torch.compiler.disable` (compiling flag off)."""

    compiling = False


class OptimizedModule(_module.Module):
    """A compiled module: wraps the original module ``_orig_mod`` and runs it.

    Attribute reads and writes that are not its own go to the original module (``m.weight``,
    ``m.in_features``); ``train()``/``eval()`` set the original's ``training``. Its
    parameters are the original's under the child name ``_orig_mod``, so ``state_dict()``
    keys start with ``_orig_mod.``: save ``compiled._orig_mod.state_dict()`` (or the
    original module's) to get keys that load into an uncompiled model. Mirrors
    ``torch._dynamo.eval_frame.OptimizedModule`` (which reftorch runs eagerly).
    """

    _opt_mod_attributes = {"_orig_mod", "dynamo_ctx", "_torchdynamo_orig_callable", "forward", "__dict__"}

    def __init__(self, mod: _module.Module, dynamo_ctx: _TorchDynamoContext) -> None:
        super().__init__()
        self._orig_mod = mod  # registered as the child module "_orig_mod"
        self.dynamo_ctx = dynamo_ctx
        self.forward = dynamo_ctx(mod.__call__)

    def __len__(self) -> int:
        if isinstance(self._orig_mod, Sized):
            return len(self._orig_mod)
        raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")

    def __call__(self, *args, **kwargs):
        if _module._global_call_hook_ids:
            warnings.warn(
                "Using `torch.compile(module)` when there are global hooks on modules (e.g., from "
                "`register_module_forward_hook`); this will cause the hooks to fire an extra time for the "
                "`OptimizedModule` created by `torch.compile(module)`. If this causes undesired behavior, "
                "please try using `module.compile()`, or use the per-module hooks instead", stacklevel=2)
        return super().__call__(*args, **kwargs)

    def __reduce__(self):
        return (self.__class__, (self._orig_mod, self.dynamo_ctx))

    @property
    def training(self) -> bool:
        return self._orig_mod.training

    @training.setter
    def training(self, value: bool) -> None:
        self._orig_mod.training = value

    def __getattr__(self, name: str):
        if name == "_orig_mod":
            return self._modules["_orig_mod"]
        return getattr(self._orig_mod, name)

    def __setattr__(self, name: str, value) -> None:
        if hasattr(type(self), name) or name in OptimizedModule._opt_mod_attributes:
            return super().__setattr__(name, value)
        return setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if hasattr(type(self), name) or name in OptimizedModule._opt_mod_attributes:
            return super().__delattr__(name)
        return delattr(self._orig_mod, name)

    def __dir__(self):
        orig_mod_attrs = self._orig_mod.__dir__()
        return orig_mod_attrs + [attr for attr in super().__dir__() if attr not in orig_mod_attrs]
