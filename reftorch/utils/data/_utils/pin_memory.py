"""Copy batches into page-locked ("pinned") host memory (mirrors PyTorch's module).

NOTE [ Pinned memory ]
    A GPU copies from host memory by DMA, which needs pages the OS will not swap out or
    move.  From ordinary (pageable) memory the driver first copies into a pinned staging
    buffer; from pinned memory it can copy directly, and asynchronously.  With
    ``pin_memory=True`` the DataLoader therefore places every batch in pinned memory
    before handing it out, in a background thread of the main process, so that a later
    ``.to("cuda", non_blocking=True)`` is fast.

    Here the pinned buffer comes from CuPy (``cupy.cuda.alloc_pinned_memory``) and is
    viewed as a NumPy array, so the tensor stays an ordinary CPU tensor.  On a machine
    without a GPU, pinning is impossible: the iterator warns, exactly as PyTorch does, and
    the batches stay in ordinary memory.
"""

from __future__ import annotations

import collections
import copy
import queue

import reftorch as torch

from . import ExceptionWrapper


def _pin_tensor(tensor):
    """A copy of CPU ``tensor`` whose storage is page-locked (needs a GPU and CuPy).

    Private helper: the core's ``Tensor.pin_memory()`` currently returns the tensor itself.
    Tensors not on the CPU are returned unchanged.
    """
    import numpy as np
    import cupy  # (optional: only with a GPU)

    if tensor.device.type != "cpu":
        return tensor
    array = np.ascontiguousarray(tensor.detach().numpy())
    buffer = cupy.cuda.alloc_pinned_memory(max(array.nbytes, 1))
    pinned = np.frombuffer(buffer, dtype=array.dtype, count=array.size).reshape(array.shape)
    pinned[...] = array
    return torch.from_numpy(pinned)


def _pin_memory_loop(in_queue, out_queue, device_id, done_event, device) -> None:
    """Body of the pinning thread: result queue -> pin -> ``out_queue``, until ``done_event``.

    An error while pinning is wrapped and forwarded, to be raised by ``next()``.
    """
    from .. import _utils  # (the package importing this module; MP_STATUS_CHECK_INTERVAL read at call time)

    def do_one_step():
        try:
            r = in_queue.get(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
        except queue.Empty:
            return
        idx, data = r
        if not done_event.is_set() and not isinstance(data, ExceptionWrapper):
            try:
                data = pin_memory(data, device)
            except Exception:
                data = ExceptionWrapper(where=f"in pin memory thread for device {device_id}")
            r = (idx, data)
        while not done_event.is_set():
            try:
                out_queue.put(r, timeout=_utils.MP_STATUS_CHECK_INTERVAL)
                break
            except queue.Full:
                continue

    while not done_event.is_set():
        do_one_step()


def pin_memory(data, device=None):
    """Pin every tensor inside ``data`` (walks mappings, namedtuples and sequences).

    Objects with their own ``pin_memory()`` method (a custom batch class) are asked to pin
    themselves; anything else is returned unchanged.
    """

    if isinstance(data, torch.Tensor):
        return _pin_tensor(data)
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: pin_memory(sample, device) for k, sample in data.items()})
                return clone
            return type(data)({k: pin_memory(sample, device) for k, sample in data.items()})
        except TypeError:
            return {k: pin_memory(sample, device) for k, sample in data.items()}
    if isinstance(data, tuple):
        if hasattr(data, "_fields"):  # namedtuple
            return type(data)(*(pin_memory(sample, device) for sample in data))
        return type(data)(pin_memory(sample, device) for sample in data)
    if isinstance(data, collections.abc.Sequence):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, item in enumerate(data):
                    clone[i] = pin_memory(item, device)
                return clone
            return type(data)([pin_memory(sample, device) for sample in data])
        except TypeError:
            return [pin_memory(sample, device) for sample in data]
    return data
