"""``swap_in_optimizer_params_and_state``: run an optimizer on other parameters and state for
the duration of a ``with`` block. Mirrors ``torch.optim._stateless``."""
from __future__ import annotations

import contextlib
from collections import defaultdict

from .._tensor import Tensor

__all__ = ["swap_in_optimizer_params_and_state"]

_NAME = "swap_in_optimizer_params_and_state"


def _check_state(state):
    """``state`` of a state_dict: a dict from packed parameter ids to per-parameter dicts."""
    if not isinstance(state, dict):
        raise RuntimeError(f"{_NAME} requires swapin_optim_state['state'] to be a dict mapping packed parameter "
                           f"ids to per-param state dicts, got {type(state).__name__}.")
    if any(isinstance(k, Tensor) for k in state):
        raise RuntimeError(f"{_NAME} requires optimizer.state_dict()-style state keyed by packed parameter ids.")
    if any(isinstance(k, int) and not isinstance(v, dict) for k, v in state.items()):
        raise RuntimeError(f"{_NAME} requires per-parameter optimizer state entries to be dictionaries.")
    return state


def _check_group(idx, group, swapin_group):
    """The packed parameter ids of ``swapin_group``, checked against the live ``group``."""
    if not isinstance(swapin_group, dict):
        raise RuntimeError(f"{_NAME} requires each optimizer param group to be a dictionary.")
    ids = swapin_group.get("params")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise RuntimeError(f"{_NAME} requires optimizer.state_dict()-style param_groups[*]['params'] entries "
                           "keyed by packed parameter ids.")
    if len(group["params"]) != len(ids):
        raise RuntimeError(f"swapin_optim_state param group {idx} has a different number of params than the live "
                           "optimizer param group.")
    swapin_only = [k for k in swapin_group if k not in group]
    live_only = [k for k in group if k not in swapin_group]
    if swapin_only or live_only:
        raise RuntimeError(f"{_NAME} requires optimizer.state_dict()-style param group keys to exactly match the "
                           f"live optimizer group keys for group {idx}. Keys only in swap-in: {swapin_only}. "
                           f"Keys only in live: {live_only}.")
    return ids


def _prepare(optimizer, swapin_parameters, swapin_optim_state):
    """PyTorch's checks, in its order; returns the packed state and, per group, the swap-in
    group dict and its parameters (taken in order from ``swapin_parameters``)."""
    if not optimizer.state:
        raise RuntimeError(f"{_NAME} requires initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        raise RuntimeError(f"{_NAME} requires a DCP-style optimizer state_dict.")
    state = _check_state(swapin_optim_state.get("state"))
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(groups, list):
        raise RuntimeError(f"{_NAME} requires swapin_optim_state['param_groups'] to be a list of param-group "
                           f"dicts, got {type(groups).__name__}.")
    if len(optimizer.param_groups) != len(groups):
        raise RuntimeError("swapin_optim_state has a different number of parameter groups than the live optimizer.")
    flat = list(swapin_parameters.values())
    offset, seen, swaps = 0, set(), []
    for idx, (group, swapin_group) in enumerate(zip(optimizer.param_groups, groups)):
        ids = _check_group(idx, group, swapin_group)
        seen.update(ids)
        if offset + len(ids) > len(flat):
            raise RuntimeError(f"{_NAME} requires the explicit parameter state to match optimizer.param_groups "
                               "ordering.")
        swaps.append((swapin_group, flat[offset:offset + len(ids)]))
        offset += len(ids)
    extra = [k for k in state if k not in seen]
    if extra:
        raise RuntimeError(f"{_NAME} requires swapin_optim_state['state'] to be keyed only by packed parameter ids "
                           f"from param_groups[*]['params']; got extra keys {extra!r}.")
    return state, swaps


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Temporarily replace an optimizer's parameters, group options and state, restoring
    them on exit. Mirrors ``torch.optim.swap_in_optimizer_params_and_state``.

    Unlike :meth:`Optimizer.load_state_dict`, which only replaces the state, this also puts
    the given tensors in the parameter groups, so that ``optimizer.step()`` inside the
    ``with`` block updates them (and the state tensors of ``swapin_optim_state``, in place)
    and leaves the optimizer's own parameters and state untouched. Each per-parameter state
    dict is a shallow copy: in-place tensor updates reach ``swapin_optim_state``, new
    entries do not.

    Args:
        optimizer: the live optimizer; its state must be initialized (a step taken).
        swapin_parameters: a dict of tensors used as the parameters, in the order of the
            optimizer's parameters over its groups (e.g. ``model.named_parameters()``).
        swapin_optim_state: a dict shaped like ``optimizer.state_dict()``: ``"state"``
            keyed by packed parameter ids, and ``"param_groups"`` with the same keys as the
            live groups (their options are used inside the block).

    Raises:
        RuntimeError: the optimizer has no state yet, or ``swapin_optim_state`` does not
            match the optimizer (not a state_dict, other groups, ids or keys, too few
            parameters), with PyTorch's messages.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
        >>> opt = torch.optim.SGD([w], lr=0.5, momentum=0.5)
        >>> w.grad = torch.tensor([1.0, 1.0])
        >>> opt.step()
        >>> other = torch.nn.Parameter(torch.tensor([10.0, 20.0]))
        >>> other.grad = torch.tensor([2.0, 2.0])
        >>> state = {"state": {0: {"momentum_buffer": torch.tensor([2.0, 2.0])}},
        ...          "param_groups": opt.state_dict()["param_groups"]}
        >>> with torch.optim.swap_in_optimizer_params_and_state(opt, {"w": other}, state):
        ...     opt.step()
        >>> other.detach(), state["state"][0]["momentum_buffer"]
        (tensor([ 8.5000, 18.5000]), tensor([3., 3.]))
        >>> w.detach(), opt.state[w]["momentum_buffer"]
        (tensor([0.5000, 1.5000]), tensor([1., 1.]))
    """
    state, swaps = _prepare(optimizer, swapin_parameters, swapin_optim_state)
    original_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]  # keeps the identity of each "params" list
    try:
        swapped = defaultdict(dict)
        for group, (swapin_group, params) in zip(optimizer.param_groups, swaps):
            group["params"] = params
            group.update((k, v) for k, v in swapin_group.items() if k != "params")
            for p, pid in zip(params, swapin_group["params"]):
                swapped[p] = dict(state.get(pid, {}))
        optimizer.state = swapped
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
