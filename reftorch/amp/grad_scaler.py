"""``torch.amp.GradScaler``: dynamic loss scaling for mixed-precision training. Mirrors
``torch.amp.grad_scaler``.

Small float16 gradients underflow to zero; multiplying the loss by a large factor (the
*scale*) before ``backward()`` keeps them representable. The scaler divides the gradients
by the scale again before the optimizer step, skips the step when a gradient overflowed
(inf or NaN), and adapts the scale: halved (``backoff_factor``) after an overflow, doubled
(``growth_factor``) after ``growth_interval`` steps in a row without one.
"""
from __future__ import annotations

import warnings
from collections import abc, defaultdict
from enum import Enum

from .. import _dtype as D
from .. import cuda
from .._ops.creation import full
from .._ops.unary_math import isfinite
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ["GradScaler", "OptState"]

#: The smallest double that float32 rounding turns into inf (2**128 less half an ulp).
_FLOAT32_OVERFLOW = 2.0**128 - 2.0**103


class OptState(Enum):
    """Where an optimizer is in the current iteration. Mirrors ``torch.amp.grad_scaler.OptState``."""
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


def _amp_foreach_non_finite_check_and_unscale_(grads, found_inf: Tensor, inv_scale: Tensor) -> None:
    """Multiply each of ``grads`` in place by ``inv_scale``; set ``found_inf`` to 1.0 if any
    element is inf or NaN. Mirrors ``torch._amp_foreach_non_finite_check_and_unscale_``."""
    for grad in grads:
        if not bool(isfinite(grad).all()):
            found_inf.fill_(1.0)
        grad.mul_(inv_scale)


def _amp_update_scale_(scale: Tensor, growth_tracker: Tensor, found_inf: Tensor, growth_factor: float,
                       backoff_factor: float, growth_interval: int) -> None:
    """After an overflow: ``scale *= backoff_factor`` and the count of good steps restarts;
    else the count grows, and at ``growth_interval`` the scale grows by ``growth_factor``
    (kept when that overflows float32) and the count restarts. The products are taken in
    double precision, then rounded to float32. Mirrors ``torch._amp_update_scale_``."""
    current = scale.item()
    if found_inf.item():
        scale.fill_(current * backoff_factor)
        growth_tracker.fill_(0)
        return
    successful = int(growth_tracker.item()) + 1
    if successful == growth_interval:
        grown = current * growth_factor
        if abs(grown) < _FLOAT32_OVERFLOW:  # (finite once rounded to float32)
            scale.fill_(grown)
        growth_tracker.fill_(0)
    else:
        growth_tracker.fill_(successful)


class GradScaler:
    """Scales the loss and unscales the gradients for mixed-precision training.

    * ``scaler.scale(loss)`` multiplies the loss by the current scale (call ``backward()``
      on the result);
    * ``scaler.step(optimizer)`` unscales the gradients of the optimizer's parameters and
      runs ``optimizer.step()`` unless a gradient is inf or NaN (then the step is skipped);
    * ``scaler.update()`` multiplies the scale by ``backoff_factor`` if a step was skipped,
      by ``growth_factor`` after ``growth_interval`` consecutive unskipped steps.

    The scale is created (a float32 0-dim tensor on the loss's device) at the first
    ``scale()``.

    Args:
        device: ``"cuda"`` (the default) or ``"cpu"``. A scaler for ``"cuda"`` without a
            usable GPU warns and disables itself (as in PyTorch).
        init_scale: the first scale (default ``2.0**16``).
        growth_factor: factor applied after ``growth_interval`` good steps (default 2.0).
        backoff_factor: factor applied after an overflow (default 0.5).
        growth_interval: consecutive good steps before growing (default 2000).
        enabled: ``False`` makes every method a no-op except :meth:`step`, which just calls
            ``optimizer.step()``; :meth:`get_scale` is then 1.0.

    Raises:
        AssertionError: if ``growth_factor <= 1`` or ``backoff_factor >= 1`` (when enabled).

    Mirrors ``torch.amp.GradScaler`` (also ``torch.GradScaler``).

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> model = torch.nn.Linear(2, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> scaler = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
        >>> for x in ([1.0, 2.0], [float("inf"), 0.0], [0.5, 1.0], [1.0, 1.0]):
        ...     optimizer.zero_grad()
        ...     loss = model(torch.tensor(x)).sum()
        ...     scaler.scale(loss).backward()
        ...     _ = scaler.step(optimizer)  # skipped for the inf input
        ...     scaler.update()
        ...     print(scaler.get_scale())
        1024.0
        512.0
        512.0
        1024.0
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled and not cuda.is_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None  # created by the first scale()
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname: str):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, dev) -> None:
        self._scale = full((), self._init_scale, dtype=D.float32, device=dev)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=D.int32, device=dev)

    def _scale_for(self, tensor: Tensor) -> Tensor:
        if self._scale is None:
            self._lazy_init_scale_growth_tracker(tensor.device)
        return self._scale.to(device=tensor.device)

    def scale(self, outputs):
        """Multiply ``outputs`` (a tensor, or a list/tuple/iterable of tensors, nested) by the
        scale. Returns them unchanged when the scaler is disabled.

        Returns:
            The scaled tensor(s): a list or tuple for a list or tuple, a lazy ``map`` for
            another iterable.

        Raises:
            ValueError: if an element is neither a tensor nor an iterable.

        Mirrors ``torch.amp.GradScaler.scale``.
        """
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._scale_for(outputs)

        def apply_scale(val):
            if isinstance(val, Tensor):
                return val * self._scale_for(val)
            if isinstance(val, abc.Iterable):
                scaled = map(apply_scale, val)
                return type(val)(scaled) if isinstance(val, (list, tuple)) else scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale: Tensor, found_inf: Tensor, allow_fp16: bool) -> dict:
        """Unscale the gradients of ``optimizer`` by ``inv_scale``; ``{device: found_inf}``."""
        per_device = defaultdict(lambda: defaultdict(list))  # device -> dtype -> grads
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if not isinstance(param, Tensor):
                        raise AssertionError(f"expected param to be torch.Tensor, got {type(param).__name__}")
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype == D.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    per_device[param.grad.device][param.grad.dtype].append(param.grad)
            found = {}
            for device, per_dtype in per_device.items():
                found[device] = found_inf.to(device=device, copy=True)
                for grads in per_dtype.values():
                    _amp_foreach_non_finite_check_and_unscale_(grads, found[device], inv_scale.to(device=device))
        return found

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale (in place), and note
        whether any is inf or NaN. Optional: :meth:`step` does it when not done yet; call it
        first to clip or inspect the true gradients.

        Raises:
            RuntimeError: if called twice for ``optimizer`` before :meth:`update`, or after
                :meth:`step`.
            ValueError: for float16 gradients (the parameters must not be float16).
            AssertionError: if :meth:`scale` was never called.

        Mirrors ``torch.amp.GradScaler.unscale_``.
        """
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = self._scale.double().reciprocal().float()  # (the reciprocal in float64, as PyTorch)
        found_inf = full((), 0.0, dtype=D.float32, device=self._scale.device)
        optimizer_state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        optimizer_state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale the gradients (unless :meth:`unscale_` did) and run
        ``optimizer.step(*args, **kwargs)`` unless a gradient is inf or NaN.

        Returns:
            What ``optimizer.step`` returned, or None when the step was skipped.

        Raises:
            RuntimeError: with a ``closure`` keyword, or when called twice before
                :meth:`update`.
            AssertionError: if :meth:`scale` was never called, or no parameter has a gradient.

        Mirrors ``torch.amp.GradScaler.step``.
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if optimizer_state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(optimizer_state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(v.item() for v in optimizer_state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        optimizer_state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Update the scale: ``backoff_factor`` times it if a step of this iteration was
        skipped, ``growth_factor`` times it after ``growth_interval`` consecutive good
        iterations; or set it to ``new_scale`` (a float, or a 1-element tensor on the
        scaler's device without ``requires_grad``). Call it once per iteration, after
        :meth:`step`.

        Raises:
            AssertionError: if :meth:`scale` was never called, no step recorded an inf check,
                or ``new_scale`` is an unsuitable tensor.

        Mirrors ``torch.amp.GradScaler.update``.
        """
        if not self._enabled:
            return
        _scale, _growth_tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                self._scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if new_scale.device.type != self._device or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                self._scale.copy_(new_scale)
        else:
            found_infs = [found_inf.to(device=_scale.device) for state in self._per_optimizer_states.values()
                          for found_inf in state["found_inf_per_device"].values()]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf_combined = found_infs[0]
            for found_inf in found_infs[1:]:
                found_inf_combined += found_inf
            _amp_update_scale_(_scale, _growth_tracker, found_inf_combined, self._growth_factor,
                               self._backoff_factor, self._growth_interval)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def get_scale(self) -> float:
        """The current scale as a Python float (``init_scale`` before the first
        :meth:`scale`; 1.0 when disabled). Mirrors ``torch.amp.GradScaler.get_scale``."""
        if self._enabled:
            return self._init_scale if self._scale is None else self._scale.item()
        return 1.0

    def get_growth_factor(self) -> float:
        """The growth factor. Mirrors ``torch.amp.GradScaler.get_growth_factor``."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor. Mirrors ``torch.amp.GradScaler.set_growth_factor``."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The backoff factor. Mirrors ``torch.amp.GradScaler.get_backoff_factor``."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor. Mirrors ``torch.amp.GradScaler.set_backoff_factor``."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """The growth interval. Mirrors ``torch.amp.GradScaler.get_growth_interval``."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval. Mirrors ``torch.amp.GradScaler.set_growth_interval``."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker.item()
        return 0

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False when created with ``enabled=False``, or for
        ``"cuda"`` without a GPU). Mirrors ``torch.amp.GradScaler.is_enabled``."""
        return self._enabled

    def state_dict(self) -> dict:
        """The scaler's state: ``scale``, ``growth_factor``, ``backoff_factor``,
        ``growth_interval`` and ``_growth_tracker`` (the consecutive good steps), as Python
        numbers; ``{}`` when disabled. Take it after :meth:`update`. Mirrors
        ``torch.amp.GradScaler.state_dict``."""
        if self._enabled:
            return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                    "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                    "_growth_tracker": self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a :meth:`state_dict` (a no-op when disabled).

        Raises:
            RuntimeError: if ``state_dict`` is empty (saved from a disabled scaler).

        Mirrors ``torch.amp.GradScaler.load_state_dict``.
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
