"""Hook handles. Mirrors ``torch.utils.hooks``."""
from __future__ import annotations

import weakref
from collections import OrderedDict

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """What a ``register_*hook`` call returns: ``remove()`` unregisters the hook.

    Mirrors ``torch.utils.hooks.RemovableHandle``; usable as a context manager (the hook is
    removed on exit).

    Args:
        hooks_dict: the dict (id -> hook) the hook was stored in; held weakly when it
            can be (an ``OrderedDict``), so a handle does not keep its hooks alive.

    Attributes:
        id: the key of the hook in ``hooks_dict``.
    """

    next_id = 0

    def __init__(self, hooks_dict):
        try:
            self.hooks_dict_ref = weakref.ref(hooks_dict)
        except TypeError:  # a plain dict cannot be weakly referenced
            self.hooks_dict_ref = lambda: hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        """Unregister the hook (nothing happens if it is already gone)."""
        hooks = self.hooks_dict_ref()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __getstate__(self):
        # copies and pickles hold the hooks dict itself (deep-copied along with the module),
        # weakly again once rebuilt, as PyTorch's handle does
        return (self.hooks_dict_ref(), self.id)

    def __setstate__(self, state):
        hooks, self.id = state
        try:
            self.hooks_dict_ref = weakref.ref(hooks if hooks is not None else OrderedDict())
        except TypeError:  # a plain dict
            self.hooks_dict_ref = lambda: hooks
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
