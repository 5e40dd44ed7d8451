"""The ``Optimizer`` base class: parameter groups, per-parameter state and their state_dict.

Mirrors ``torch.optim.optimizer``. An optimizer holds

* ``param_groups``: a list of dicts, each with ``"params"`` (a list of tensors) and every
  option of the optimizer (``lr``, ``weight_decay`` …), missing options filled in from
  ``defaults`` in the constructor's order;
* ``state``: a ``defaultdict(dict)`` keyed by parameter, holding the running buffers
  (``exp_avg``, ``momentum_buffer`` …) as tensors of the parameter's dtype and shape.

``state_dict()`` replaces each parameter by an integer id (its position over all groups),
exactly as PyTorch does, so a state_dict written by PyTorch (tensors converted) loads here
and back. Subclasses implement ``step`` with in-place updates of the backend arrays
(``_functional.py``); every tensor written bumps its version counter like an in-place op.
"""
from __future__ import annotations

import functools
import os
import struct
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from itertools import chain

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.modules.module import _typename
from ..utils.hooks import RemovableHandle
from .._ops import creation as _creation
from .._ops.shape import _as_real_view

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


#: Marks an option every parameter group must give (no default).
required = _RequiredParameter()

_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
_CAPTURABLE_DEVICES = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"


def _to_scalar(x):
    """A 1-element tensor option (``lr=torch.tensor(0.1)``) as a Python number."""
    return x.item() if isinstance(x, Tensor) else x


def _step_tensor(param, on_device=False, value=0.0, fused=False):
    """The ``step`` counter (or another scalar of the state, such as NAdam's ``mu_product``): a
    0-d tensor holding ``value``, on the CPU unless ``capturable``/``fused``. Its dtype is
    PyTorch's ``_get_scalar_dtype``: float32, or float64 while that is the default dtype
    (not for ``fused``)."""
    dtype = D.float64 if not fused and D.get_default_dtype() == D.float64 else D.float32
    return _creation.tensor(value, dtype=dtype, device=param.device if on_device else "cpu")


def _real_views(param, *arrays):
    """``arrays`` (of ``param`` and its gradient and state) as PyTorch's ``view_as_real``
    when ``param`` is complex: each complex element becomes two floats, updated as two
    independent real numbers; unchanged for a real parameter."""
    if not param.is_complex():
        return arrays
    return tuple(_as_real_view(param._backend, a) for a in arrays)


#: The flags PyTorch's ``__setstate__`` fills in (in this order) for groups saved before they existed.
_FLAG_DEFAULTS = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}


def _upgrade_old_state(optimizer, flags=_FLAG_DEFAULTS, scalars=("step",), on_device=False):
    """PyTorch's ``__setstate__`` for a state saved by an older version: each group gets the
    missing ``flags``; ``scalars`` of the state saved as numbers become 0-d tensors (on the
    CPU unless ``capturable`` or ``on_device``)."""
    for group in optimizer.param_groups:
        for key, value in flags.items():
            group.setdefault(key, value)
        for p in group["params"]:
            state = optimizer.state.get(p)
            for key in scalars if state else ():
                if not isinstance(state[key], Tensor):
                    state[key] = _step_tensor(p, on_device or group["capturable"], float(state[key]))


def _check_capturable(group, params, what="params and state_steps", devices=_CAPTURABLE_DEVICES):
    """PyTorch's AssertionError for ``capturable=True`` on parameters off the accelerator
    (``what`` names the tensors the optimizer's own message lists)."""
    if group.get("capturable") and any(p.device.type != "cuda" for p in params):
        raise AssertionError(f"If capturable=True, {what} must be on supported devices: {devices}.")


def _check_fused_flags(defaults):
    if defaults.get("fused"):
        if defaults.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_adam_family(lr, betas, eps, weight_decay):
    """The checks Adam, NAdam, RAdam and Adamax share, in PyTorch's order."""
    _check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _f32(x: float) -> float:
    """``x`` rounded to float32, as PyTorch's CPU kernels convert a Python scalar for a float32 op."""
    return struct.unpack("f", struct.pack("f", x))[0]


#: A step runs its per-parameter updates in a thread pool only when the parameters hold at
#: least this many elements in total (below it the pool's overhead outweighs the gain).
PARALLEL_MIN_NUMEL = 1 << 20
_pool = None


def _threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _for_each_param(update, params):
    """Call ``update(i)`` for every index of ``params``.

    PyTorch parallelizes each elementwise kernel over its threads. NumPy's ufuncs run on one
    thread but release the GIL, so large updates of *different* parameters can run at the same
    time: when there are several large CPU parameters with separate memory, the updates are
    spread over a thread pool of one thread per available core. The result is the same either
    way (each update touches only its own parameter and state).

    Each update runs with the backend's floating-point warnings off (in its own thread, since
    the error state is per thread): a gradient holding inf or nan, or one whose square
    overflows, gives inf or nan silently, as in PyTorch.
    """
    global _pool
    n = len(params)

    def quietly(i):
        backend = params[i]._backend
        token = backend.quiet_enter()
        try:
            update(i)
        finally:
            backend.quiet_exit(token)

    if n > 1 and _threads() > 1 and sum(p.numel() for p in params) >= PARALLEL_MIN_NUMEL \
            and all(p.device.type == "cpu" and p._base is None for p in params) \
            and len({id(p._data) for p in params}) == n:
        if _pool is None:
            _pool = ThreadPoolExecutor(_threads(), thread_name_prefix="reftorch-optim")
        for _ in _pool.map(quietly, range(n)):
            pass
    else:
        for i in range(n):
            quietly(i)


def _bump(*tensors):
    """Record an in-place write on each tensor (PyTorch's version counter)."""
    for t in tensors:
        t._bump_version()


def _pre_hooks(args, kwargs):
    """Run the step pre-hooks as PyTorch does: ``hook(optimizer, args, kwargs)`` with ``args``
    the positional arguments of ``step``, the optimizer first."""
    optimizer = args[0]
    for hook in list(optimizer._optimizer_step_pre_hooks.values()):
        if hook(optimizer, args, kwargs) is not None:
            raise RuntimeError("reftorch does not support step pre-hooks that change the arguments")


def _post_hooks(args, kwargs):
    optimizer = args[0]
    for hook in list(optimizer._optimizer_step_post_hooks.values()):
        hook(optimizer, args, kwargs)


def _step_args(self, closure=None):
    return self, closure


def _step_wrapper(func):
    """Run ``step`` with gradient recording off (on for ``differentiable=True``, as PyTorch),
    the closure re-evaluated under ``enable_grad``, and the step hooks around it."""

    @functools.wraps(func)
    def step(*args, **kwargs):
        _pre_hooks(args, kwargs)
        self, closure = _step_args(*args, **kwargs)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if self.defaults.get("differentiable", False):  # PyTorch runs the update with grad on
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None and p.requires_grad and p.is_leaf:
                        raise RuntimeError(_LEAF_INPLACE)
        with no_grad():
            func(self)
        _post_hooks(args, kwargs)
        return loss

    return step


def _closure_step_wrapper(func):
    """Run ``step(self, closure)`` of an optimizer that calls its closure itself (LBFGS)
    with gradient recording off, the closure under ``enable_grad``, the hooks around it."""

    @functools.wraps(func)
    def step(*args, **kwargs):
        _pre_hooks(args, kwargs)
        with no_grad():
            loss = func(*args, **kwargs)
        _post_hooks(args, kwargs)
        return loss

    return step


class Optimizer:
    """Base class for all optimizers. Mirrors ``torch.optim.Optimizer``.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
            groups, each with a ``"params"`` entry and any per-group options).
        defaults: the optimizer's options, used for every group that does not set them.

    Raises:
        TypeError: ``params`` is a single tensor, or holds something that is not a tensor.
        ValueError: the parameter list is empty, a parameter is not a leaf, or a parameter
            appears in two groups.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = {}
        self._optimizer_step_post_hooks = {}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", {})
        self.__dict__.setdefault("_optimizer_step_post_hooks", {})
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a parameter group (a dict with ``"params"`` and optional options).

        Options the group does not give are filled in from ``defaults``. Useful to start
        training frozen layers later, or to give part of a model another learning rate.

        Raises:
            TypeError: ``param_group`` is not a dict, its params are a ``set`` or hold a
                non-tensor.
            ValueError: a parameter is already in another group, a parameter is not a leaf,
                or names are given for some parameters only.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ gradients
    #: What PyTorch's ``capturable`` message lists for this optimizer, and the devices it names.
    _capturable_what = "params and state_steps"
    _capturable_devices = _CAPTURABLE_DEVICES

    def _init_state(self, p, group, state):
        """Fill ``state``, the empty state dict of parameter ``p``, at its first step (each
        optimizer with per-parameter state defines it)."""
        raise NotImplementedError

    def _params_with_grad(self, group):
        """The parameters of ``group`` that have a gradient and their state dicts (each made
        by :meth:`_init_state` on its first step), after PyTorch's ``capturable`` check."""
        params = [p for p in group["params"] if p._grad is not None]
        states = []
        for p in params:
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p, group, state)
            states.append(state)
        _check_capturable(group, params, self._capturable_what, self._capturable_devices)
        return params, states

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        Args:
            set_to_none: set each ``.grad`` to ``None`` (default) instead of filling it with
                zeros. Optimizers skip parameters whose ``.grad`` is ``None``, but do step
                (weight decay, momentum …) for a zero gradient.
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def step(self, closure=None):
        """Perform one optimization step (implemented by each optimizer).

        Args:
            closure: a callable that re-evaluates the model and returns the loss; it runs
                with gradient recording on, and its result is returned.
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ hooks
    def register_step_pre_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs)`` to run before each ``step``; returns a handle."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs)`` to run after each ``step``; returns a handle."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ state_dict
    def state_dict(self):
        """The optimizer's state as a dict with PyTorch's structure.

        Returns:
            ``{"state": {id: {name: tensor or number}}, "param_groups": [group, ...]}`` where
            each parameter is replaced by an integer id, its position counted over all
            groups; each group keeps its options and ``"params"`` becomes a list of ids.
            The state tensors are the optimizer's own (not copies), as in PyTorch.
        """
        mapping = {}
        start = 0

        def pack(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            mapping.update({id(p): i for i, p in enumerate(group["params"], start) if id(p) not in mapping})
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict) -> None:
        """Load a state produced by :meth:`state_dict` (here or, tensors converted, by PyTorch).

        Parameters are matched by position: the i-th id of the saved groups is the i-th
        parameter of this optimizer's groups. State tensors are copied to the parameter's
        device and (for floating parameters) dtype; ``step`` keeps its dtype.

        Raises:
            ValueError: the number of groups, or a group's number of parameters, differs.
        """
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def on_device(param_id):
            for g in state_dict["param_groups"]:
                if param_id in g["params"]:
                    return g.get("capturable", False) or g.get("fused", False)
            return False

        def cast(param, value, param_id, key=None):
            if isinstance(value, Tensor):
                if key == "step":
                    return value.to(dtype=D.float32, device=param.device) if on_device(param_id) else value
                if param.is_floating_point():
                    return value.to(dtype=param.dtype, device=param.device)
                return value.to(device=param.device)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        self.__setstate__({"state": state, "param_groups": [update_group(g, n) for g, n in zip(groups, saved_groups)]})
