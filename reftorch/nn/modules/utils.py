"""Helpers for modules' state_dicts. Mirrors ``torch/nn/modules/utils.py`` (its public part)."""
from __future__ import annotations

__all__ = ["consume_prefix_in_state_dict_if_present"]


def consume_prefix_in_state_dict_if_present(state_dict, prefix: str) -> None:
    """Strip ``prefix`` from the keys of ``state_dict`` that start with it, in place.

    The usual use: a state_dict saved from a ``DataParallel`` (or
    ``DistributedDataParallel``) wrapper has keys ``"module.weight"``...; after
    ``consume_prefix_in_state_dict_if_present(state_dict, "module.")`` it loads into the
    unwrapped model. Keys without the prefix are left as they are; the renamed entries
    move to the end, in their order. The ``_metadata`` that ``Module.state_dict`` attaches
    (per-module versions) is renamed the same way: its ``"module"`` entry becomes ``""``
    and ``"module.xx"`` becomes ``"xx"`` (the wrapper's own ``""`` entry is kept).

    Mirrors ``torch.nn.modules.utils.consume_prefix_in_state_dict_if_present``.

    Args:
        state_dict (dict): the state_dict to change (usually an ``OrderedDict``).
        prefix (str): the prefix to remove, e.g. ``"module."``.

    Returns:
        None: ``state_dict`` is changed in place.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.modules.utils import consume_prefix_in_state_dict_if_present
        >>> state = {"module.weight": torch.ones(1), "module.bias": torch.zeros(1)}
        >>> consume_prefix_in_state_dict_if_present(state, "module.")
        >>> list(state)
        ['weight', 'bias']
    """
    for key in list(state_dict.keys()):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)

    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:
        for key in list(metadata.keys()):
            # "" is the wrapper's own entry (kept); "module" (the prefix without its dot)
            # is the wrapped model's, "module.xx" its submodules'.
            if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
                metadata[key[len(prefix):]] = metadata.pop(key)
